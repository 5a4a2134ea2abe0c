"""Where a workbook came from, and what a client did to it beyond the inputs (docs/workbook.md,
"Identity and provenance").

At export, a hidden sheet (``Export``) records the project id (from the project title at export:
the project file has no id of its own), an export id, a hash of the exported inputs (the whole
project's and each scenario's), each scenario's stable id and exported name (the same ids as the
hidden ``scenario_id`` row on Inputs), the master check's cell, and a short hash of every formula
written, by cell. On import, :func:`read_origin` reads that sheet back and :func:`overwritten`
compares every formula cell with what was exported.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from cgtdesk.core.catalogue import catalogue
from cgtdesk.io.workbook.layout import SHEET_IDENTITY, cell_ref

#: characters of one fingerprint cell (Excel holds at most 32,767 in a cell)
_CHUNK = 30_000
_HASH_LEN = 8


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canon(v):
    """A value as spreadsheets keep it: numbers to 15 significant digits."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return format(float(v), ".15g")
    if isinstance(v, dict):
        return {k: _canon(x) for k, x in sorted(v.items())}
    if isinstance(v, (list, tuple)):
        return [_canon(x) for x in v]
    return str(v)


def scenario_inputs_hash(s) -> str:
    """A hash of one scenario's inputs (process, parameters, uncertainty, correlations)."""
    keys = catalogue().keys_for(s.process)
    d = {
        "process": s.process,
        "parameters": {k: _canon(s.parameters.get(k)) for k in keys},
        "uncertainty": _canon(s.uncertainty),
        "correlations": sorted(json.dumps(_canon(c), sort_keys=True) for c in s.correlations),
    }
    return _sha(json.dumps(d, sort_keys=True))[:16]


def inputs_hash(project) -> str:
    """A hash of every scenario's inputs, in order, with its name."""
    parts = [[s.name, scenario_inputs_hash(s)] for s in project.scenarios]
    return _sha(json.dumps(parts))[:16]


def notes_hash(text: str) -> str:
    """A hash of a scenario's notes (a client's changed note is listed on import)."""
    return _sha(" ".join(text.split()))[:12]


def project_id(project) -> str:
    """The project's id: a hash of its title (the project file carries no id of its own)."""
    return "P-" + _sha(" ".join(project.title.split()).casefold())[:10]


def scenario_ids(project) -> list[str]:
    """A stable id per scenario column: its place and a hash of its name at export."""
    return [f"S{j + 1}-{_sha(s.name)[:6]}" for j, s in enumerate(project.scenarios)]


def normal_formula(f: str) -> str:
    """A formula as compared on import: no ``=``, ``$``, spaces or ``_xlfn.`` prefixes, upper case
    (what Excel or LibreOffice may change on saving without changing the formula)."""
    f = f[1:] if f.startswith("=") else f
    f = re.sub(r"_xlfn\.|_xlws\.|\$|\s", "", f)
    return f.upper()


def formula_hash(f: str) -> str:
    return _sha(normal_formula(f))[:_HASH_LEN]


# ---------------------------------------------------------------- writing


def write_identity(b) -> None:
    """The hidden ``Export`` sheet of Book ``b`` (called last, when every formula is written)."""
    ws = b.wb.add_worksheet(SHEET_IDENTITY)
    ws.hide()
    p = b.project
    ih = inputs_hash(p)
    rows = [
        ("what", "This sheet is written by CGT Desk at export and read back on import: leave it as it is."),
        ("project_id", project_id(p)),
        ("project_title", p.title),
        ("export_id", "E-" + _sha(ih + b.now.isoformat())[:10]),
        ("exported_at", b.now.isoformat(timespec="seconds")),
        ("inputs_hash", ih),
        ("checks_master", b.checks_master or ""),
    ]
    for sid, s in zip(b.scenario_ids, p.scenarios, strict=True):
        rows.append(("scenario", sid, s.name, scenario_inputs_hash(s), notes_hash(s.notes)))
    for sid, s in zip(b.scenario_ids, p.scenarios, strict=True):
        rows += [("values", sid, chunk) for chunk in _chunks(exported_values(s))]
    for sheet, items in _formula_cells(b.wb, SHEET_IDENTITY).items():
        rows += [("formulas", sheet, chunk) for chunk in _chunks(items)]
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write_string(r, c, v)


def exported_values(s) -> list[str]:
    """``["key=repr", ...]``: every number input of scenario ``s`` exactly (as text, which no
    spreadsheet rounds), so that a value a spreadsheet kept to 15 significant digits reads back as
    the project's own."""
    out = []
    for k in catalogue().keys_for(s.process):
        v = s.parameters.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(f"{k}={v!r}")
    return out


def _formula_cells(wb, skip: str) -> dict[str, list[str]]:
    """Sheet -> ``["F82=1a2b3c4d", ...]``: every formula cell as it stands in the finished sheets
    (XlsxWriter's cell table: a cell written twice holds its last content)."""
    out: dict[str, list[str]] = {}
    for ws in wb.worksheets():
        if ws.name == skip:
            continue
        items = out.setdefault(ws.name, [])
        for r in sorted(ws.table):
            row = ws.table[r]
            for c in sorted(row):
                f = getattr(row[c], "formula", None)
                if isinstance(f, str):
                    items.append(f"{cell_ref(r, c)}={formula_hash(f)}")
    return {k: v for k, v in out.items() if v}


def _chunks(items: list[str]) -> list[str]:
    out, cur = [], []
    size = 0
    for it in items:
        if size + len(it) + 1 > _CHUNK and cur:
            out.append(";".join(cur))
            cur, size = [], 0
        cur.append(it)
        size += len(it) + 1
    if cur:
        out.append(";".join(cur))
    return out


# ---------------------------------------------------------------- reading


@dataclass
class Origin:
    """What the hidden ``Export`` sheet says about the export a workbook came from."""

    project_id: str = ""
    project_title: str = ""
    export_id: str = ""
    exported_at: str = ""
    inputs_hash: str = ""
    checks_master: str = ""
    scenarios: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> (exported name, inputs hash, notes hash)
    formulas: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> {cell: hash}
    values: dict[str, dict[str, float]] = field(default_factory=dict)  # scenario id -> {key: value at export}

    def describe(self) -> str:
        return f"exported from project '{self.project_title}' ({self.project_id}), export {self.export_id} of {self.exported_at}"


def read_origin(rows) -> Origin:
    """The Origin held by the rows (tuples of values) of an ``Export`` sheet."""
    o = Origin()
    for row in rows:
        vals = [v if isinstance(v, str) else "" for v in row[:5]] + [""] * 5
        k = vals[0]
        if k == "scenario" and vals[1]:
            o.scenarios[vals[1]] = (vals[2], vals[3], vals[4])
        elif k == "values" and vals[1]:
            o.values.setdefault(vals[1], {}).update(_parse_values(vals[2]))
        elif k == "formulas" and vals[1]:
            o.formulas.setdefault(vals[1], {}).update(_parse_chunk(vals[2]))
        elif k in ("project_id", "project_title", "export_id", "exported_at", "inputs_hash", "checks_master"):
            setattr(o, k, vals[1])
    return o


def _parse_chunk(text: str) -> dict[str, str]:
    out = {}
    for item in text.split(";"):
        ref, _, h = item.partition("=")
        if ref and h:
            out[ref] = h
    return out


def _parse_values(text: str) -> dict[str, float]:
    out = {}
    for key, v in _parse_chunk(text).items():
        try:
            out[key] = int(v) if v.lstrip("-").isdigit() else float(v)
        except ValueError:
            continue
    return out
