"""A client's notes in a workbook read back: comments on cells of the Inputs and Uncertainty sheets
and text typed in the ``notes`` row of Inputs (when it differs from the exported notes), each
with its cell (docs/workbook.md, "What import reports").

openpyxl's read-only mode skips comments, so they are read from the sheet's comments part in the
archive (already checked by :mod:`.guard`), parsed with defusedxml.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from defusedxml import ElementTree

from cgtdesk.io.workbook.layout import SHEET_UNCERTAINTY
from cgtdesk.io.workbook.provenance import notes_hash

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAX_TEXT = 500


def read_notes(reader, origin) -> list[dict]:
    """``{"cell", "kind", "text"}`` for every comment and changed note of the client's
    (``origin``: the export record, None when the workbook has none)."""
    out = _notes_row(reader, origin)
    try:
        out += _comments(reader.raw, [reader.inputs_name, reader.sheet_name(SHEET_UNCERTAINTY)])
    except Exception:  # noqa: BLE001 - a damaged comments part never stops an import: the inputs are read
        pass
    return out


def _notes_row(reader, origin) -> list[dict]:
    lay = reader.layout
    if lay.notes is None:
        return []
    rows = reader.rows(reader.inputs_name, max_rows=lay.notes + 1)
    exported = {sid: h for sid, (_name, _ih, h) in origin.scenarios.items()} if origin is not None else {}
    out = []
    for s in lay.scenarios:
        v = rows.cell(lay.notes, s["col"])
        text = v if isinstance(v, str) else ("" if v is None else str(v))
        if text.strip() and exported.get(s["id"]) != notes_hash(text):
            out.append({"cell": rows.ref(lay.notes, s["col"]), "kind": "note", "text": _short(text)})
    return out


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def _comments(raw: bytes, sheets: list[str]) -> list[dict]:
    out = []
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        names = set(z.namelist())
        paths = _sheet_paths(z)
        for sheet in sheets:
            path = paths.get(sheet)
            if path is None:
                continue
            for target in _related(z, names, path, "/comments"):
                out += _comment_cells(z.read(target), sheet)
    return out


def _sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the archive."""
    wb = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = _rels(z, "xl/_rels/workbook.xml.rels")
    out = {}
    for sh in wb.iterfind("m:sheets/m:sheet", _NS):
        target = rels.get(sh.get(_R_ID), "")
        if target:
            out[sh.get("name")] = _resolve("xl", target)
    return out


def _rels(z: zipfile.ZipFile, path: str) -> dict[str, str]:
    try:
        root = ElementTree.fromstring(z.read(path))
    except KeyError:
        return {}
    return {r.get("Id"): r.get("Target") for r in root.iterfind("p:Relationship", _NS)}


def _related(z, names, part: str, type_suffix: str) -> list[str]:
    folder, base = posixpath.split(part)
    rels_path = f"{folder}/_rels/{base}.rels"
    if rels_path not in names:
        return []
    root = ElementTree.fromstring(z.read(rels_path))
    out = []
    for r in root.iterfind("p:Relationship", _NS):
        if (r.get("Type") or "").endswith(type_suffix):
            target = _resolve(folder, r.get("Target") or "")
            if target in names:
                out.append(target)
    return out


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _comment_cells(xml: bytes, sheet: str) -> list[dict]:
    root = ElementTree.fromstring(xml)
    out = []
    for c in root.iterfind("m:commentList/m:comment", _NS):
        text = "".join(t.text or "" for t in c.iter(f"{{{_NS['m']}}}t"))
        if text.strip():
            out.append({"cell": f"{sheet}!{c.get('ref')}", "kind": "comment", "text": _short(text)})
    return out
