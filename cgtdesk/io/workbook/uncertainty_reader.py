"""Reading the Uncertainty sheet back (docs/workbook.md): the distributions table and the rank
correlations table, found by their headers wherever they are; every refusal names its cell."""

from __future__ import annotations

import difflib
import math
import re

from cgtdesk.core.catalogue import catalogue, describe
from cgtdesk.core.errors import InputError
from cgtdesk.core.project import DISTRIBUTIONS, check_correlations, check_distribution
from cgtdesk.io.workbook.cells import Rows, blank, found, is_number, text_of
from cgtdesk.io.workbook.layout import C_KEY_A, C_KEY_B, C_RHO, C_SCENARIO, U_DIST, U_FIELDS, U_KEY, U_SCENARIO, cell_ref


class UncertaintyReader:
    """The distributions table and the correlations table of the Uncertainty sheet, found by
    their headers; each row's scenario and key are checked against the Inputs sheet."""

    def __init__(self, reader, rows: Rows, scenarios: list[dict]):
        self.fail = reader.fail
        self.file = reader.name
        self.rows = rows
        self.by_name = {s["name"]: s for s in scenarios}
        self.corr_rows: dict[str, list[int]] = {}  # scenario -> the row of each of its correlations
        self.dist_hdr = self.corr_hdr = None
        for i, row in enumerate(rows.rows):
            texts = [text_of(v) for v in row]
            if self.dist_hdr is None and U_DIST in texts and U_KEY in texts and U_SCENARIO in texts:
                self.dist_hdr = (i, {t: c for c, t in enumerate(texts) if t})
            elif self.corr_hdr is None and C_KEY_A in texts and C_KEY_B in texts:
                self.corr_hdr = (i, {t: c for c, t in enumerate(texts) if t})

    def read(self) -> None:
        if self.dist_hdr is not None:
            self.read_distributions()
        if self.corr_hdr is not None:
            self.read_correlations()

    def scenario_of(self, i: int, c: int) -> dict:
        name = text_of(self.rows.cell(i, c))
        if name not in self.by_name:
            close = difflib.get_close_matches(name, list(self.by_name), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.fail(f"{self.rows.ref(i, c)}: no scenario named '{name}' on the Inputs sheet{hint}")
        return self.by_name[name]

    # -------- distributions
    def read_distributions(self) -> None:
        hi, cols = self.dist_hdr
        end = self.corr_hdr[0] if self.corr_hdr is not None and self.corr_hdr[0] > hi else len(self.rows)
        fcols = {f: cols.get(h) for f, h in U_FIELDS.items()}
        for i in range(hi + 1, end):
            self.distribution_row(i, cols, fcols)

    def distribution_row(self, i: int, cols: dict, fcols: dict) -> None:
        rows, where = self.rows, self.rows.name
        cs, ck, cd = cols[U_SCENARIO], cols[U_KEY], cols[U_DIST]
        name, key, dist = text_of(rows.cell(i, cs)), text_of(rows.cell(i, ck)), text_of(rows.cell(i, cd))
        filled = [f for f, c in fcols.items() if not blank(rows.cell(i, c))]
        if not (name or key or dist or filled):
            return
        if name and not (key or dist or filled) and name not in self.by_name:
            return  # a title or a note of the client's
        if not (name and key and dist):
            missing = [h for h, v in ((U_SCENARIO, name), (U_KEY, key), (U_DIST, dist)) if not v]
            raise self.fail(
                f"{where}, row {i + 1}: a distribution row without {' and '.join(missing)}; expected scenario, key and distribution"
            )
        s = self.scenario_of(i, cs)
        self.check_key(s, key, rows.ref(i, ck))
        if dist not in DISTRIBUTIONS:
            raise self.fail(
                f"{rows.ref(i, cd)}, scenario '{s['name']}', uncertainty of '{key}': expected one of {', '.join(DISTRIBUTIONS)}, found {describe(rows.cell(i, cd))}"
            )
        d = {"dist": dist, **self.fields(i, s, key, dist, fcols)}
        extra = [f for f in filled if f not in DISTRIBUTIONS[dist]]
        if extra:
            c = fcols[extra[0]]
            raise self.fail(
                f"{rows.ref(i, c)}, scenario '{s['name']}', uncertainty of '{key}': a {dist} distribution takes only "
                f"{', '.join(U_FIELDS[f] for f in DISTRIBUTIONS[dist])}; expected this cell empty, found {found(rows.cell(i, c))}"
            )
        s["uncertainty"][key] = check_distribution(key, d, f"{self.file}: {rows.ref(i, cd)}, scenario '{s['name']}'")

    def check_key(self, s: dict, key: str, ref: str) -> None:
        cat = catalogue()
        if key not in cat.parameters or not cat.parameters[key].applies_to(s["process"]):
            close = difflib.get_close_matches(key, cat.keys_for(s["process"]), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.fail(f"{ref}, scenario '{s['name']}': '{key}' is not a parameter of the {s['process']} process{hint}")
        if key in s["uncertainty"]:
            raise self.fail(
                f"{ref}, scenario '{s['name']}': a second distribution for '{key}'; expected one per scenario and key"
            )

    def fields(self, i: int, s: dict, key: str, dist: str, fcols: dict) -> dict:
        """The numbers of the fields ``dist`` takes, each checked to be a finite number."""
        rows, where = self.rows, self.rows.name
        d = {}
        for f in DISTRIBUTIONS[dist]:
            c = fcols.get(f)
            if c is None:
                raise self.fail(f"{where}, row {i + 1}: no '{U_FIELDS[f]}' column; expected one for a {dist} distribution")
            v = rows.cell(i, c)
            if not is_number(v) or (isinstance(v, float) and not math.isfinite(v)):
                raise self.fail(
                    f"{rows.ref(i, c)}, scenario '{s['name']}', uncertainty of '{key}', field '{f}': expected a number, found {found(v)}"
                )
            d[f] = v
        return d

    # -------- correlations
    def read_correlations(self) -> None:
        rows, where = self.rows, self.rows.name
        hi, cols = self.corr_hdr
        cs, ca, cb, cr = cols.get(C_SCENARIO), cols[C_KEY_A], cols[C_KEY_B], cols.get(C_RHO)
        if cs is None or cr is None:
            raise self.fail(
                f"{where}, row {hi + 1}: the correlations header needs '{C_SCENARIO}', '{C_KEY_A}', '{C_KEY_B}' and '{C_RHO}'"
            )
        for i in range(hi + 1, len(rows)):
            if self.dist_hdr is not None and i == self.dist_hdr[0]:
                break
            vals = [rows.cell(i, c) for c in (cs, ca, cb, cr)]
            if all(blank(v) for v in vals):
                continue
            if any(blank(v) for v in vals):
                raise self.fail(
                    f"{where}, row {i + 1}: an incomplete correlation; expected scenario, key A, key B and rank correlation"
                )
            s = self.scenario_of(i, cs)
            rho = vals[3]
            if not is_number(rho):
                raise self.fail(
                    f"{rows.ref(i, cr)}, scenario '{s['name']}': expected a rank correlation (a number), found {found(rho)}"
                )
            s["correlations"].append({"a": text_of(vals[1]), "b": text_of(vals[2]), "rho": rho})
            self.corr_rows.setdefault(s["name"], []).append(i)
        for name, at in self.corr_rows.items():
            self.check_correlations(self.by_name[name], at, cr)

    def check_correlations(self, s: dict, at: list[int], cr: int) -> None:
        """The scenario's correlations validated as in project files, a refusal naming the cell of
        the correlation at fault (every cell of the table when they cannot hold together)."""
        try:
            check_correlations(s["correlations"], s["uncertainty"], s["process"], f"scenario '{s['name']}'")
        except InputError as e:
            msg = str(e)
            m = re.search(r"correlation (\d+)", msg)
            if m is not None and 0 < int(m.group(1)) <= len(at):
                where = self.rows.ref(at[int(m.group(1)) - 1], cr)
            else:
                where = f"{self.rows.ref(at[0], cr)}:{cell_ref(at[-1], cr)}"
            raise self.fail(f"{where}, {msg}") from None
