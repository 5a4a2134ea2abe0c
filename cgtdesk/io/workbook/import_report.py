"""What import says beyond the inputs (docs/workbook.md, "What import reports"): which project and
export the workbook came from, which exported scenario each column is (so a rename is matched to
the scenario it was), every formula cell the client overwrote (ignored: the app recomputes), the
state of the workbook's checks, and the client's notes and comments with their cells.

:func:`build_report` is called by the reader once the inputs are read; the report travels with
the project it read (:func:`import_report`), so the command line and the GUI's review list the
same things.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cgtdesk.core.formatting import fmt_number
from cgtdesk.io.workbook.client_notes import read_notes
from cgtdesk.io.workbook.layout import EXPORT_INPUT_COL0, EXPORT_INPUT_HEADER, SHEET_IDENTITY, SHEET_INPUTS, cell_ref
from cgtdesk.io.workbook.provenance import Origin, inputs_hash, project_id, read_origin

_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
#: a sheet whose exported formulas are mostly gone had rows or columns inserted or deleted: it is
#: reported once instead of cell by cell
_MOVED_SHARE = 0.5


@dataclass
class ImportReport:
    origin: Origin | None = None
    columns: list[dict] = field(default_factory=list)  # {"name", "id", "cell"} per scenario column
    overwritten: list[dict] = field(default_factory=list)  # {"cell", "found", "message"}
    moved: list[str] = field(default_factory=list)  # sheets whose formulas could not be compared
    checks: dict | None = None  # {"cell", "value", "hold"}: hold None when the file saved no value
    notes: list[dict] = field(default_factory=list)  # {"cell", "kind", "text"}

    # -------- matching scenarios
    def renames(self, old) -> dict[str, str]:
        """Imported scenario name -> the name it had in ``old`` when the column is a renamed
        exported scenario (matched by the hidden scenario id)."""
        out = {}
        old_names = set(old.names())
        ids = self.origin.scenarios if self.origin else {}
        for col in self.columns:
            exported = ids.get(col["id"], ("", "", ""))[0]
            if exported and exported != col["name"] and exported in old_names:
                out[col["name"]] = exported
        return out

    def provenance_lines(self, old=None) -> list[str]:
        """Where the workbook came from, and a warning when ``old`` is another project."""
        if self.origin is None or not self.origin.project_id:
            return ["the workbook carries no export record (made by an older CGT Desk or edited heavily)"]
        o = self.origin
        lines = [f"the workbook was {o.describe()}"]
        if old is None:
            return lines
        if project_id(old) != o.project_id:
            lines.append(
                f"warning: the workbook was exported from project '{o.project_title}' ({o.project_id}), "
                f"not from '{old.title}' ({project_id(old)}): check you compare it with the right project"
            )
        if inputs_hash(old) == o.inputs_hash:
            lines.append("the project compared with holds exactly the inputs of that export")
        else:
            lines.append("the project compared with has changed since that export: differences may be yours, not the client's")
        return lines

    def findings(self) -> list[str]:
        """Overwritten formulas, the checks and the client's notes, one line each."""
        out = [o["message"] for o in self.overwritten]
        out += [
            f"{sheet}: rows or columns were inserted or deleted since export; its formulas were not compared cell by cell"
            for sheet in self.moved
        ]
        if self.checks is not None and self.checks["hold"] is False:
            out.append(
                f"the workbook's checks fail ({self.checks['cell']} reads {_show(self.checks['value'])}): see its Checks sheet; "
                "the app recomputes every result from the inputs"
            )
        out += [f"client {n['kind']} at {n['cell']}: {n['text']}" for n in self.notes]
        return out

    def to_json(self) -> dict:
        o = self.origin
        return {
            "origin": None
            if o is None
            else {
                "project_id": o.project_id,
                "project_title": o.project_title,
                "export_id": o.export_id,
                "exported_at": o.exported_at,
                "inputs_hash": o.inputs_hash,
            },
            "overwritten_formulas": self.overwritten,
            "sheets_moved": self.moved,
            "checks": self.checks,
            "client_notes": self.notes,
        }


def _show(v) -> str:
    if v is None:
        return "an empty cell"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return fmt_number(v)
    text = " ".join(str(v).split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


def import_report(project) -> ImportReport | None:
    """The report of the workbook ``project`` was read from (None for any other project)."""
    return getattr(project, "_workbook_import", None)


def attach_report(project, report: ImportReport):
    project._workbook_import = report
    return project


def parse_ref(ref: str) -> tuple[int, int] | None:
    """'F82' -> (81, 5), 0-based; None when it is not a cell reference."""
    m = _REF.match(ref)
    if m is None:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


# ---------------------------------------------------------------- building


_NAME_FORMULA = re.compile(r"^=\s*'?" + SHEET_INPUTS + r"'?!\$?([A-Z]{1,3})\$?(\d+)\s*$")


def names_without_values(reader, sheet: str):
    """The rows of ``sheet`` with each scenario-name formula (``=Inputs!$E$4``, written at export)
    that has no saved value (a file saved by a program that does not calculate) read as the
    current name of the scenario column it was written for, found by the hidden scenario ids."""
    rows = reader.rows(sheet)
    lay = reader.layout
    if not any(v is None for r in rows.rows for v in r[:1]) or lay.ids is None:
        return rows
    formulas = reader.rows(sheet, data_only=False)
    by_place = {s["id"].split("-")[0]: s["name"] for s in lay.scenarios if s["id"]}
    for i, row in enumerate(rows.rows):
        for c, v in enumerate(row):
            f = formulas.cell(i, c)
            m = _NAME_FORMULA.match(f) if v is None and isinstance(f, str) else None
            if m is None or int(m.group(2)) != EXPORT_INPUT_HEADER + 1:
                continue
            at = parse_ref(f"{m.group(1)}{m.group(2)}")
            name = by_place.get(f"S{at[1] - EXPORT_INPUT_COL0 + 1}")
            if name is not None:
                rows.rows[i] = row = (*row[:c], name, *row[c + 1 :])
    return rows


def build_report(reader) -> ImportReport:
    """The report of the workbook ``reader`` (a reader.\\_Reader that has read the inputs)."""
    rep = ImportReport()
    lay = reader.layout
    for s in lay.scenarios:
        rep.columns.append({"name": s["name"], "id": s["id"], "cell": f"{reader.inputs_name}!{_cell(lay.header, s['col'])}"})
    name = reader.sheet_name(SHEET_IDENTITY)
    if name is not None:
        rep.origin = reader.origin if reader.origin is not None else read_origin(reader.rows(name).rows)
        _compare_formulas(reader, rep)
        _read_checks(reader, rep)
    rep.notes = read_notes(reader, rep.origin)
    return rep


def _cell(i: int, c: int) -> str:
    return cell_ref(i, c)


def _is_formula(f) -> bool:
    if isinstance(f, str):
        return f.startswith("=")
    return f is not None and not isinstance(f, (int, float, bool)) and hasattr(f, "text")  # array formulas


def _compare_formulas(reader, rep: ImportReport) -> None:
    for sheet, cells in rep.origin.formulas.items():
        name = reader.sheet_name(sheet)
        if name is None:
            rep.moved.append(sheet)
            continue
        formulas, values = reader.rows(name, data_only=False), reader.rows(name)
        found = []
        for ref in cells:  # still a formula: fine (spreadsheets rewrite formulas as they save, e.g. 1E-9 as 0.000000001)
            at = parse_ref(ref)
            if at is None or _is_formula(formulas.cell(*at)):
                continue
            v = values.cell(*at)
            found.append({"cell": f"{name}!{ref}", "found": v, "message": f"{name}!{ref} overwritten with {_show(v)}: ignored"})
        if len(found) > 20 and len(found) > _MOVED_SHARE * len(cells):
            rep.moved.append(name)
        else:
            rep.overwritten += found


def _read_checks(reader, rep: ImportReport) -> None:
    ref = rep.origin.checks_master
    sheet, _, cell = ref.rpartition("!")
    at = parse_ref(cell)
    name = reader.sheet_name(sheet) if sheet else None
    if at is None or name is None:
        return
    v = reader.rows(name, max_rows=at[0] + 1).cell(*at)
    # no saved value (a program that does not calculate saved it): the checks' state is unknown
    hold = None if v is None else (isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0)
    rep.checks = {"cell": f"{name}!{cell}", "value": v, "hold": hold}
