"""Reading a workbook the app exported, after a client edited it (docs/workbook.md).

Inputs are found by the ``Key`` column and the scenario headers wherever they are, so rows and
columns may be inserted, moved or sorted and the file re-saved by Excel or LibreOffice. Every
value passes the same validation as project files (:func:`cgtdesk.core.project.project_from_dict`
and :func:`check_value`), all or nothing. Hostile files are refused before parsing
(:mod:`cgtdesk.io.workbook.guard`). Nothing is ever written into the client's file.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from cgtdesk.core.catalogue import PROCESSES, catalogue, describe
from cgtdesk.core.errors import DomainError, InputError
from cgtdesk.core.formatting import fmt_number
from cgtdesk.core.project import DISTRIBUTIONS, FORMAT_VERSION, Project, check_distribution, check_value, project_from_dict
from cgtdesk.io.workbook.guard import read_guarded
from cgtdesk.io.workbook.import_report import attach_report, build_report, names_without_values
from cgtdesk.io.workbook.layout import (
    C_KEY_A,
    C_KEY_B,
    C_RHO,
    C_SCENARIO,
    COVER_CURRENCY,
    COVER_FORMAT,
    COVER_TITLE,
    EXCEL_ERRORS,
    H_KEY,
    INPUT_FIXED_HEADERS,
    KEY_NOTES,
    KEY_PROCESS,
    KEY_SCENARIO_ID,
    MAX_COLS,
    MAX_ROWS,
    SHEET_COVER,
    SHEET_INPUTS,
    SHEET_UNCERTAINTY,
    U_DIST,
    U_FIELDS,
    U_KEY,
    U_SCENARIO,
    WORKBOOK_FORMAT_VERSION,
    cell_ref,
)
from cgtdesk.io.workbook.plan_reader import read_plan

HEADER_SEARCH_ROWS = 50
#: rows of the Key column that are not parameters -> the _InputsLayout field of their row
_SPECIAL_ROWS = {KEY_PROCESS: "process", KEY_NOTES: "notes", KEY_SCENARIO_ID: "ids"}


def read_workbook(path: str | os.PathLike) -> Project:
    """The project held by a workbook; InputError (one message naming file, sheet!cell,
    scenario and key) for anything that is not a sound CGT Desk workbook."""
    return _Reader(Path(path)).read()


# ---------------------------------------------------------------- helpers


def _text_of(v) -> str:
    """A header or label cell as text ('' for empty)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return str(v).upper()
    if isinstance(v, (int, float)):
        return fmt_number(v)
    return str(v).strip()


def _found(v) -> str:
    """What a cell holds, for an error message."""
    if v is None:
        return "an empty cell"
    if isinstance(v, str) and v.strip() in EXCEL_ERRORS:
        return f"the error value {v.strip()}"
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return f"a date or time ({v})"
    return describe(v)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _blank(v) -> bool:
    return v is None or _text_of(v) == ""


def _hint(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _notes_text(nv) -> str:
    if nv is None:
        return ""
    if isinstance(nv, str):
        return nv
    if _is_number(nv):
        return fmt_number(nv)
    return str(nv)


class _Rows:
    """A sheet's values (tuples indexed from 0) and its name, for cell references."""

    def __init__(self, name: str, rows: list[tuple]):
        self.name = name
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def cell(self, i: int, c: int | None):
        if c is None or i >= len(self.rows):
            return None
        r = self.rows[i]
        return r[c] if c < len(r) else None

    def ref(self, i: int, c: int) -> str:
        return f"{self.name}!{cell_ref(i, c)}"


@dataclass
class _InputsLayout:
    """Where things are on the Inputs sheet (0-based rows and columns)."""

    header: int
    key_col: int
    process: int | None = None
    notes: int | None = None
    ids: int | None = None  # the hidden scenario_id row
    keys: dict[str, int] = field(default_factory=dict)  # parameter key -> row
    scenarios: list[dict] = field(default_factory=list)  # {"name", "process", "col"}


# ---------------------------------------------------------------- the reader


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.raw: bytes = b""
        self.wb = None
        self._fwb = None
        self.inputs_name = SHEET_INPUTS
        self.layout: _InputsLayout | None = None

    def fail(self, msg: str) -> InputError:
        return InputError(f"{self.name}: {msg}")

    # ---------------------------------------------------------------- the file
    def read(self) -> Project:
        self.raw = read_guarded(self.path)
        self.open_workbook()
        try:
            return self.read_project()
        finally:
            for wb in (self.wb, self._fwb):
                try:
                    if wb is not None:
                        wb.close()
                except Exception:  # noqa: BLE001 - closing a read-only workbook must never mask the real outcome
                    pass

    def open_workbook(self) -> None:
        import openpyxl

        try:
            self.wb = openpyxl.load_workbook(
                io.BytesIO(self.raw), read_only=True, data_only=True, keep_links=False, keep_vba=False
            )
        except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds of errors on a damaged file
            raise self.fail(self._parse_error(e, "the workbook")) from None

    def _parse_error(self, e: Exception, what: str) -> str:
        try:
            from defusedxml import DefusedXmlException
        except ImportError:  # pragma: no cover - defusedxml is a dependency
            DefusedXmlException = ()  # noqa: N806
        chain, seen = e, 0
        while chain is not None and seen < 10:
            if isinstance(chain, DefusedXmlException):
                e = chain
                break
            chain, seen = chain.__cause__ or chain.__context__, seen + 1
        if isinstance(e, DefusedXmlException):
            return f"{what} declares XML entities or external references (refused for safety: an entity-expansion attack?)"
        if isinstance(e, (MemoryError, RecursionError)):
            return f"{what} is too large or too deeply nested to read"
        return f"{what} cannot be read: the file is damaged or not a workbook the app exported ({type(e).__name__}: {' '.join(str(e).split())[:200]})"

    def rows(self, sheet: str, max_rows: int = MAX_ROWS, data_only: bool = True) -> _Rows:
        """The sheet's cell values, row by row (bounded)."""
        wb = self.wb if data_only else self.formula_wb()
        ws = wb[sheet]
        out = []
        try:
            for i, row in enumerate(ws.iter_rows(values_only=True)):
                if i >= max_rows:
                    break
                out.append(tuple(row[:MAX_COLS]))
        except Exception as e:  # noqa: BLE001 - a damaged sheet part
            raise self.fail(self._parse_error(e, f"the sheet {sheet}")) from None
        return _Rows(sheet, out)

    def formula_wb(self):
        """The workbook opened a second time for formulas (only needed to explain an empty cell)."""
        import openpyxl

        if self._fwb is None:
            try:
                self._fwb = openpyxl.load_workbook(io.BytesIO(self.raw), read_only=True, data_only=False, keep_links=False)
            except Exception as e:  # noqa: BLE001
                raise self.fail(self._parse_error(e, "the workbook")) from None
        return self._fwb

    def sheet_name(self, wanted: str) -> str | None:
        names = self.wb.sheetnames
        if wanted in names:
            return wanted
        for n in names:
            if n.strip().lower() == wanted.lower():
                return n
        return None

    # ---------------------------------------------------------------- the project
    def read_project(self) -> Project:
        inputs = self.sheet_name(SHEET_INPUTS)
        if inputs is None:
            shown = ", ".join(self.wb.sheetnames[:12])
            raise self.fail(f"no '{SHEET_INPUTS}' sheet; expected a workbook exported by CGT Desk (found the sheets: {shown})")
        self.inputs_name = inputs
        scenarios = self.read_inputs(inputs)
        unc = self.sheet_name(SHEET_UNCERTAINTY)
        if unc is not None:
            _UncertaintyReader(self, names_without_values(self, unc), scenarios).read()
        title, currency = self.read_cover()
        d = {"format_version": FORMAT_VERSION, "title": title, "currency": currency, "scenarios": scenarios}
        d.update({"plan": plan} if (plan := read_plan(self)) is not None else {})
        try:
            project = project_from_dict(d, where_prefix=f"{self.name}: ")
        except DomainError as e:
            raise DomainError(self._with_cells(str(e), e.keys), e.keys) from None
        return attach_report(project, build_report(self))

    def _with_cells(self, msg: str, keys) -> str:
        """Add the Inputs cells of the scenario named in a domain error."""
        lay = self.layout
        for s in lay.scenarios:
            if f"scenario '{s['name']}'" in msg:
                cells = [f"{self.inputs_name}!{cell_ref(lay.keys[k], s['col'])}" for k in keys if k in lay.keys]
                if cells:
                    return f"{msg} (cells {', '.join(cells)})"
        return msg

    # ---------------------------------------------------------------- Inputs
    def read_inputs(self, sheet: str) -> list[dict]:
        rows = self.rows(sheet)
        lay = self.layout = self._find_header(rows)
        self._find_key_rows(rows, lay)
        self._find_scenario_columns(rows, lay)
        self._check_unique_names(rows, lay)
        return [self._scenario(rows, lay, s) for s in lay.scenarios]

    def _find_header(self, rows: _Rows) -> _InputsLayout:
        for i in range(min(len(rows), HEADER_SEARCH_ROWS)):
            for c, v in enumerate(rows.rows[i]):
                if _text_of(v).lower() == H_KEY.lower():
                    return _InputsLayout(header=i, key_col=c)
        raise self.fail(
            f"{rows.name}: no header row with a '{H_KEY}' cell in the first {HEADER_SEARCH_ROWS} rows; expected the Inputs sheet of a workbook exported by CGT Desk"
        )

    def _find_key_rows(self, rows: _Rows, lay: _InputsLayout) -> None:
        """The process and notes rows and each parameter's row, by the Key column."""
        params = catalogue().parameters
        for i in range(lay.header + 1, len(rows)):
            k = _text_of(rows.cell(i, lay.key_col))
            if not k:
                continue
            ref = rows.ref(i, lay.key_col)
            if k in _SPECIAL_ROWS:
                attr = _SPECIAL_ROWS[k]
                if getattr(lay, attr) is not None:
                    raise self.fail(f"{ref}: a second '{k}' row (the first is row {getattr(lay, attr) + 1}); expected one")
                setattr(lay, attr, i)
            elif k in params:
                if k in lay.keys:
                    raise self.fail(f"{ref}: the key '{k}' appears twice (also in row {lay.keys[k] + 1}); expected each key once")
                lay.keys[k] = i
            else:
                hint = _hint(k, [*params, *_SPECIAL_ROWS])
                raise self.fail(
                    f"{ref}: unknown key '{k}' in the {H_KEY} column{hint}; expected a key of the parameter catalogue"
                )
        if lay.process is None:
            raise self.fail(
                f"{rows.name}: no '{KEY_PROCESS}' row in the {H_KEY} column; expected one giving each scenario's process"
            )

    def _find_scenario_columns(self, rows: _Rows, lay: _InputsLayout) -> None:
        """The scenario columns: those whose process cell names a process."""
        width = max((len(r) for r in rows.rows[lay.header :]), default=0)
        fixed = {h.lower() for h in INPUT_FIXED_HEADERS}
        for c in range(width):
            if c == lay.key_col:
                continue
            h = rows.cell(lay.header, c)
            pv = _text_of(rows.cell(lay.process, c))
            if pv in PROCESSES:
                name = _text_of(h) if not isinstance(h, str) else h  # exactly as written: names round-trip
                if not name.strip():
                    raise self.fail(
                        f"{rows.ref(lay.header, c)}: a scenario column ({pv}) without a name; expected the scenario's name in the header row"
                    )
                sid = _text_of(rows.cell(lay.ids, c)) if lay.ids is not None else ""
                lay.scenarios.append({"name": name, "process": pv, "col": c, "id": sid})
            elif _text_of(h).lower() not in fixed:
                self._check_not_a_scenario(rows, lay, c, h, pv)
        if not lay.scenarios:
            raise self.fail(
                f"{rows.name}: no scenario columns; expected a column per scenario with its name in the header row (row {lay.header + 1}) and its process in the {KEY_PROCESS} row"
            )

    def _check_not_a_scenario(self, rows: _Rows, lay: _InputsLayout, c: int, h, pv: str) -> None:
        """A column that is neither fixed nor a scenario must not look like a scenario."""
        ref = rows.ref(lay.process, c)
        if pv:
            raise self.fail(
                f"{ref}: the process of scenario '{_text_of(h)}': expected autologous or allogeneic, found {describe(rows.cell(lay.process, c))}"
            )
        if _text_of(h) and any(_is_number(rows.cell(i, c)) for i in lay.keys.values()):
            raise self.fail(
                f"{ref}: the column '{_text_of(h)}' holds numbers but no process; expected autologous or allogeneic in the {KEY_PROCESS} row"
            )

    def _check_unique_names(self, rows: _Rows, lay: _InputsLayout) -> None:
        seen: dict[str, int] = {}
        for s in lay.scenarios:
            if s["name"] in seen:
                raise self.fail(
                    f"{rows.ref(lay.header, s['col'])}: the scenario name '{s['name']}' is used twice (also in {cell_ref(lay.header, seen[s['name']])}); expected unique scenario names"
                )
            seen[s["name"]] = s["col"]

    def _scenario(self, rows: _Rows, lay: _InputsLayout, s: dict) -> dict:
        """One scenario's dict (as in a project file) from its column."""
        c, name, process = s["col"], s["name"], s["process"]
        params = {}
        for key, p in catalogue().parameters.items():
            i = lay.keys.get(key)
            applies = p.applies_to(process)
            if i is None:
                if applies:
                    raise self.fail(
                        f"{rows.name}: no row with the key '{key}' ({p.label}) in the {H_KEY} column; expected a row for every parameter"
                    )
                continue
            v = rows.cell(i, c)
            if applies:
                params[key] = self.value(v, key, rows.ref(i, c), name, i, c)
            elif not _blank(v):
                raise self.fail(
                    f"{rows.ref(i, c)}, scenario '{name}': parameter '{key}' belongs to {p.processes[0]} scenarios, not to this {process} one; expected an empty cell, found {_found(v)}"
                )
        notes = _notes_text(rows.cell(lay.notes, c)) if lay.notes is not None else ""
        return {"name": name, "process": process, "parameters": params, "notes": notes, "uncertainty": {}, "correlations": []}

    def value(self, v, key, ref, name, i, c):
        p = catalogue().parameters[key]
        here = f"{self.name}: {ref}, scenario '{name}', parameter '{key}' ({p.label})"
        if v is None:
            formula = self.formula_at(self.inputs_name, i, c)
            if formula:
                raise InputError(
                    f"{here}: expected a number, found a formula ({formula[:80]}) with no saved value; "
                    "open the workbook in Excel or LibreOffice, let it recalculate and save it, or type the number"
                )
            raise InputError(
                f"{here}: expected {'one of ' + ', '.join(p.choices) if p.is_choice else 'a number'}, found an empty cell"
            )
        if p.is_choice:
            return check_value(key, v.strip() if isinstance(v, str) else v, f"{self.name}: {ref}, scenario '{name}'")
        if isinstance(v, float) and math.isnan(v):
            raise InputError(f"{here}: expected a number, found NaN")
        if not _is_number(v):
            raise InputError(f"{here}: expected a number, found {_found(v)}")
        return check_value(key, v, f"{self.name}: {ref}, scenario '{name}'")

    def formula_at(self, sheet: str, i: int, c: int) -> str | None:
        f = self.rows(sheet, max_rows=i + 1, data_only=False).cell(i, c)
        if isinstance(f, str) and f.startswith("="):
            return f
        if f is not None and not isinstance(f, (str, int, float)):  # an array formula object
            return str(getattr(f, "text", f))
        return None

    # ---------------------------------------------------------------- Cover
    def read_cover(self) -> tuple[str, str]:
        title, currency = "Untitled project", "USD"
        name = self.sheet_name(SHEET_COVER)
        if name is None:
            return title, currency
        rows = self.rows(name, max_rows=200)
        for i, row in enumerate(rows.rows):
            for c, v in enumerate(row[:20]):
                label = _text_of(v)
                if label not in (COVER_TITLE, COVER_CURRENCY, COVER_FORMAT):
                    continue
                value, vc = _value_right_of(row, c)
                ref = rows.ref(i, vc if vc is not None else c + 1)
                if label == COVER_TITLE:
                    title = value if isinstance(value, str) else _text_of(value)
                elif label == COVER_CURRENCY:
                    currency = self._currency(value, ref)
                elif value is not None:
                    self._check_format(value, ref)
        return title, currency

    def _currency(self, value, ref: str) -> str:
        if value is None or not _text_of(value):
            raise self.fail(f"{ref}: expected a currency label such as USD, found an empty cell")
        if not isinstance(value, str):
            raise self.fail(f"{ref}: expected a currency label such as USD, found {_found(value)}")
        return value.strip()

    def _check_format(self, value, ref: str) -> None:
        if not _is_number(value) or value != WORKBOOK_FORMAT_VERSION:
            raise self.fail(
                f"{ref}: expected workbook format version {WORKBOOK_FORMAT_VERSION}, found {_found(value)} (made by a newer CGT Desk?)"
            )


def _value_right_of(row: tuple, c: int):
    """The first non-empty cell within five to the right of column ``c``: (value, column) or (None, None)."""
    for c2 in range(c + 1, min(len(row), c + 6)):
        if not _blank(row[c2]):
            return row[c2], c2
    return None, None


# ---------------------------------------------------------------- Uncertainty


class _UncertaintyReader:
    """The distributions table and the correlations table of the Uncertainty sheet, found by
    their headers; each row's scenario and key are checked against the Inputs sheet."""

    def __init__(self, reader: _Reader, rows: _Rows, scenarios: list[dict]):
        self.fail = reader.fail
        self.file = reader.name
        self.rows = rows
        self.by_name = {s["name"]: s for s in scenarios}
        self.dist_hdr = self.corr_hdr = None
        for i, row in enumerate(rows.rows):
            texts = [_text_of(v) for v in row]
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
        name = _text_of(self.rows.cell(i, c))
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
        name, key, dist = _text_of(rows.cell(i, cs)), _text_of(rows.cell(i, ck)), _text_of(rows.cell(i, cd))
        filled = [f for f, c in fcols.items() if not _blank(rows.cell(i, c))]
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
                f"{', '.join(U_FIELDS[f] for f in DISTRIBUTIONS[dist])}; expected this cell empty, found {_found(rows.cell(i, c))}"
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
            if not _is_number(v) or (isinstance(v, float) and not math.isfinite(v)):
                raise self.fail(
                    f"{rows.ref(i, c)}, scenario '{s['name']}', uncertainty of '{key}', field '{f}': expected a number, found {_found(v)}"
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
            if all(_blank(v) for v in vals):
                continue
            if any(_blank(v) for v in vals):
                raise self.fail(
                    f"{where}, row {i + 1}: an incomplete correlation; expected scenario, key A, key B and rank correlation"
                )
            s = self.scenario_of(i, cs)
            rho = vals[3]
            if not _is_number(rho):
                raise self.fail(
                    f"{rows.ref(i, cr)}, scenario '{s['name']}': expected a rank correlation (a number), found {_found(rho)}"
                )
            s["correlations"].append({"a": _text_of(vals[1]), "b": _text_of(vals[2]), "rho": rho})
