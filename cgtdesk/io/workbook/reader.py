"""Reading a workbook the app exported, after a client edited it (docs/workbook.md).

Inputs are found by the ``Key`` column and the scenario headers wherever they are, so rows and
columns may be inserted, moved or sorted and the file re-saved by Excel or LibreOffice. Every
value passes the same validation as project files (:func:`cgtdesk.core.project.project_from_dict`
and :func:`check_value`), all or nothing. Hostile files are refused before parsing
(:mod:`cgtdesk.io.workbook.guard`). Nothing is ever written into the client's file.
"""

from __future__ import annotations

import io
import math
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from cgtdesk.core.catalogue import PROCESSES, catalogue, describe
from cgtdesk.core.errors import DomainError, InputError
from cgtdesk.core.project import FORMAT_VERSION, Project, check_value, project_from_dict
from cgtdesk.io.workbook.cells import Rows, blank, found, hint, is_number, notes_text, same_to_15_digits, text_of
from cgtdesk.io.workbook.cover_reader import NAME_MAX, NOTES_MAX, read_cover
from cgtdesk.io.workbook.guard import read_guarded
from cgtdesk.io.workbook.import_report import attach_report, build_report, names_without_values
from cgtdesk.io.workbook.layout import (
    H_KEY,
    INPUT_FIXED_HEADERS,
    KEY_NOTES,
    KEY_PROCESS,
    KEY_SCENARIO_ID,
    MAX_COLS,
    MAX_ROWS,
    SHEET_IDENTITY,
    SHEET_INPUTS,
    SHEET_UNCERTAINTY,
    cell_ref,
)
from cgtdesk.io.workbook.plan_reader import read_plan
from cgtdesk.io.workbook.provenance import Origin, read_origin
from cgtdesk.io.workbook.uncertainty_reader import UncertaintyReader

HEADER_SEARCH_ROWS = 50
#: rows of the Key column that are not parameters -> the _InputsLayout field of their row
_SPECIAL_ROWS = {KEY_PROCESS: "process", KEY_NOTES: "notes", KEY_SCENARIO_ID: "ids"}


def read_workbook(path: str | os.PathLike) -> Project:
    """The project held by a workbook; InputError (one message naming file, sheet!cell,
    scenario and key) for anything that is not a sound CGT Desk workbook."""
    reader = _Reader(Path(path))
    try:
        return reader.read()
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        # read-only sheets are inflated as they are read: a damaged part shows only here
        raise InputError(
            f"{reader.name}: not a readable Excel workbook: the archive is damaged ({type(e).__name__}: {e})"
        ) from None


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
        self.origin: Origin | None = None  # the hidden Export sheet, when there is one

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

    def rows(self, sheet: str, max_rows: int = MAX_ROWS, data_only: bool = True) -> Rows:
        """The sheet's cell values, row by row (bounded)."""
        wb = self.wb if data_only else self.formula_wb()
        ws = wb[sheet]
        out = []
        try:
            # read-only mode trusts the sheet's <dimension> element, which a program may have
            # written too small: read every cell there is (bounded by MAX_ROWS x MAX_COLS)
            ws.reset_dimensions()
            for i, row in enumerate(ws.iter_rows(values_only=True)):
                if i >= max_rows:
                    break
                out.append(tuple(row[:MAX_COLS]))
        except Exception as e:  # noqa: BLE001 - a damaged sheet part
            raise self.fail(self._parse_error(e, f"the sheet {sheet}")) from None
        return Rows(sheet, out)

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
        ident = self.sheet_name(SHEET_IDENTITY)
        self.origin = read_origin(self.rows(ident).rows) if ident is not None else None
        scenarios = self.read_inputs(inputs)
        unc = self.sheet_name(SHEET_UNCERTAINTY)
        if unc is not None:
            UncertaintyReader(self, names_without_values(self, unc), scenarios).read()
        title, currency = read_cover(self)
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

    def _find_header(self, rows: Rows) -> _InputsLayout:
        for i in range(min(len(rows), HEADER_SEARCH_ROWS)):
            for c, v in enumerate(rows.rows[i]):
                if text_of(v).lower() == H_KEY.lower():
                    return _InputsLayout(header=i, key_col=c)
        raise self.fail(
            f"{rows.name}: no header row with a '{H_KEY}' cell in the first {HEADER_SEARCH_ROWS} rows; expected the Inputs sheet of a workbook exported by CGT Desk"
        )

    def _find_key_rows(self, rows: Rows, lay: _InputsLayout) -> None:
        """The process and notes rows and each parameter's row, by the Key column."""
        params = catalogue().parameters
        for i in range(lay.header + 1, len(rows)):
            k = text_of(rows.cell(i, lay.key_col))
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
                close = hint(k, [*params, *_SPECIAL_ROWS])
                raise self.fail(
                    f"{ref}: unknown key '{k}' in the {H_KEY} column{close}; expected a key of the parameter catalogue"
                )
        if lay.process is None:
            raise self.fail(
                f"{rows.name}: no '{KEY_PROCESS}' row in the {H_KEY} column; expected one giving each scenario's process"
            )

    def _find_scenario_columns(self, rows: Rows, lay: _InputsLayout) -> None:
        """The scenario columns: those whose process cell names a process."""
        width = max((len(r) for r in rows.rows[lay.header :]), default=0)
        fixed = {h.lower() for h in INPUT_FIXED_HEADERS}
        for c in range(width):
            if c == lay.key_col:
                continue
            h = rows.cell(lay.header, c)
            pv = text_of(rows.cell(lay.process, c))
            if pv in PROCESSES:
                name = text_of(h) if not isinstance(h, str) else h  # exactly as written: names round-trip
                if not name.strip():
                    raise self.fail(
                        f"{rows.ref(lay.header, c)}: a scenario column ({pv}) without a name; expected the scenario's name in the header row"
                    )
                if len(name) > NAME_MAX:
                    raise self.fail(
                        f"{rows.ref(lay.header, c)}: a scenario name: expected at most {NAME_MAX} characters, found {len(name)}"
                    )
                sid = text_of(rows.cell(lay.ids, c)) if lay.ids is not None else ""
                lay.scenarios.append({"name": name, "process": pv, "col": c, "id": sid})
            elif text_of(h).lower() not in fixed:
                self._check_not_a_scenario(rows, lay, c, h, pv)
        if not lay.scenarios:
            raise self.fail(
                f"{rows.name}: no scenario columns; expected a column per scenario with its name in the header row (row {lay.header + 1}) and its process in the {KEY_PROCESS} row"
            )

    def _check_not_a_scenario(self, rows: Rows, lay: _InputsLayout, c: int, h, pv: str) -> None:
        """A column that is neither fixed nor a scenario must not look like a scenario."""
        ref = rows.ref(lay.process, c)
        if pv:
            raise self.fail(
                f"{ref}: the process of scenario '{text_of(h)}': expected autologous or allogeneic, found {describe(rows.cell(lay.process, c))}"
            )
        if text_of(h) and any(is_number(rows.cell(i, c)) for i in lay.keys.values()):
            raise self.fail(
                f"{ref}: the column '{text_of(h)}' holds numbers but no process; expected autologous or allogeneic in the {KEY_PROCESS} row"
            )

    def _check_unique_names(self, rows: Rows, lay: _InputsLayout) -> None:
        seen: dict[str, int] = {}
        for s in lay.scenarios:
            if s["name"] in seen:
                raise self.fail(
                    f"{rows.ref(lay.header, s['col'])}: the scenario name '{s['name']}' is used twice (also in {cell_ref(lay.header, seen[s['name']])}); expected unique scenario names"
                )
            seen[s["name"]] = s["col"]

    def _scenario(self, rows: Rows, lay: _InputsLayout, s: dict) -> dict:
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
                params[key] = self.exact(self.value(v, key, rows.ref(i, c), name, i, c), s.get("id", ""), key)
            elif not blank(v):
                raise self.fail(
                    f"{rows.ref(i, c)}, scenario '{name}': parameter '{key}' belongs to {p.processes[0]} scenarios, not to this {process} one; expected an empty cell, found {found(v)}"
                )
        notes = notes_text(rows.cell(lay.notes, c)) if lay.notes is not None else ""
        if len(notes) > NOTES_MAX:
            raise self.fail(
                f"{rows.ref(lay.notes, c)}, scenario '{name}': the notes: expected at most {NOTES_MAX:,} characters, found {len(notes):,}"
            )
        return {"name": name, "process": process, "parameters": params, "notes": notes, "uncertainty": {}, "correlations": []}

    def exact(self, v, sid: str, key: str):
        """``v``, or the value exported for this scenario and key when ``v`` agrees with it to 15
        significant digits (a spreadsheet keeps 15: 0.1 + 0.2 saved by one reads 0.3)."""
        if self.origin is None or not is_number(v):
            return v
        x = self.origin.values.get(sid, {}).get(key)
        if x is not None and x != v and same_to_15_digits(x, v):
            return x
        return v

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
        if not is_number(v):
            raise InputError(f"{here}: expected a number, found {found(v)}")
        return check_value(key, v, f"{self.name}: {ref}, scenario '{name}'")

    def formula_at(self, sheet: str, i: int, c: int) -> str | None:
        f = self.rows(sheet, max_rows=i + 1, data_only=False).cell(i, c)
        if isinstance(f, str) and f.startswith("="):
            return f
        if f is not None and not isinstance(f, (str, int, float)):  # an array formula object
            return str(getattr(f, "text", f))
        return None
