"""Reading a workbook the app exported, after a client edited it (DESIGN.md, "Excel workbook").

Inputs are found by the ``Key`` column and the scenario headers wherever they are, so rows and
columns may be inserted, moved or sorted and the file re-saved by Excel or LibreOffice. Every
value passes the same validation as project files (:func:`cgtdesk.core.project.project_from_dict`
and :func:`check_value`), all or nothing. Hostile files are refused before parsing: the zip's
declared sizes are capped (Python's zipfile then refuses to inflate a member past its declared
size), macros are refused, and openpyxl parses through defusedxml, which refuses entity
declarations. Nothing is ever written into the client's file.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import io
import math
import os
import zipfile
from pathlib import Path

from cgtdesk.core.catalogue import PROCESSES, catalogue, describe
from cgtdesk.core.errors import DomainError, InputError
from cgtdesk.core.formatting import fmt_number
from cgtdesk.core.project import DISTRIBUTIONS, FORMAT_VERSION, Project, check_distribution, check_value, project_from_dict
from cgtdesk.io.workbook_common import (
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
    MAX_COLS,
    MAX_FILE_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_ROWS,
    MAX_UNCOMPRESSED_MEMBER,
    MAX_UNCOMPRESSED_TOTAL,
    RATIO_FLOOR,
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

HEADER_SEARCH_ROWS = 50


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


class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.raw: bytes = b""
        self.wb = None

    def fail(self, msg: str) -> InputError:
        return InputError(f"{self.name}: {msg}")

    # ---------------------------------------------------------------- the file and the zip
    def read(self) -> Project:
        self.read_bytes()
        self.check_zip()
        self.open_workbook()
        try:
            return self.read_project()
        finally:
            try:
                self.wb.close()
            except Exception:  # noqa: BLE001 - closing a read-only workbook must never mask the real outcome
                pass

    def read_bytes(self) -> None:
        p = self.path
        suffix = p.suffix.lower()
        if suffix in (".xlsm", ".xltm"):
            raise self.fail("a macro-enabled workbook (.xlsm) is refused: macros are not accepted; save it as an Excel workbook (.xlsx) without macros")
        if suffix == ".xls":
            raise self.fail("the old binary Excel format (.xls) is not read; save it as an Excel workbook (.xlsx)")
        try:
            size = p.stat().st_size
            if p.is_dir():
                raise self.fail("is a folder, expected an Excel workbook (.xlsx)")
            if size > MAX_FILE_BYTES:
                raise self.fail(f"the file is {size // (1024 * 1024)} MB; expected a workbook under {MAX_FILE_BYTES // (1024 * 1024)} MB")
            self.raw = p.read_bytes()
        except FileNotFoundError:
            raise InputError(f"{p}: no such file") from None
        except PermissionError:
            raise InputError(f"{p}: permission denied") from None
        except IsADirectoryError:
            raise self.fail("is a folder, expected an Excel workbook (.xlsx)") from None
        except OSError as e:
            raise InputError(f"{p}: cannot be read ({e.strerror or e})") from None

    def check_zip(self) -> None:
        raw = self.raw
        if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise self.fail("not an .xlsx workbook: an OLE file (an old .xls workbook or a password-protected one); save it as an Excel workbook (.xlsx) without a password")
        if not raw.startswith(b"PK"):
            raise self.fail("not an Excel workbook (.xlsx): the file is not a zip archive (is it another kind of file, or damaged?)")
        try:
            zf = zipfile.ZipFile(io.BytesIO(raw))
            infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
            raise self.fail(f"not a readable Excel workbook: the zip archive is damaged or truncated ({e})") from None
        if len(infos) > MAX_MEMBERS:
            raise self.fail(f"the archive holds {len(infos)} parts; expected a workbook with at most {MAX_MEMBERS}")
        names = {i.filename for i in infos}
        lower = {n.lower() for n in names}
        if any(n.endswith("vbaproject.bin") for n in lower):
            raise self.fail("the workbook contains macros (vbaProject.bin); macros are not accepted: save it as an Excel workbook (.xlsx) without macros")
        total = 0
        for i in infos:
            if i.flag_bits & 0x1:
                raise self.fail(f"the archive part {i.filename} is encrypted; expected an ordinary .xlsx workbook")
            if i.file_size > MAX_UNCOMPRESSED_MEMBER:
                raise self.fail(
                    f"the archive part {i.filename} would unpack to {i.file_size // (1024 * 1024)} MB; "
                    f"refused (a workbook part is expected under {MAX_UNCOMPRESSED_MEMBER // (1024 * 1024)} MB: a zip bomb?)"
                )
            if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise self.fail(
                    f"the archive part {i.filename} is compressed {i.file_size // max(i.compress_size, 1)} to 1; "
                    f"refused (more than {MAX_RATIO} to 1: a zip bomb?)"
                )
            total += i.file_size
        if total > MAX_UNCOMPRESSED_TOTAL:
            raise self.fail(f"the archive would unpack to {total // (1024 * 1024)} MB; refused (a workbook is expected under {MAX_UNCOMPRESSED_TOTAL // (1024 * 1024)} MB: a zip bomb?)")
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise self.fail("a zip archive but not an Excel workbook (no [Content_Types].xml or xl/ folder)")
        try:
            ct = zf.read("[Content_Types].xml")
        except Exception as e:  # noqa: BLE001 - any failure to inflate is a damaged file
            raise self.fail(f"not a readable Excel workbook: the archive is damaged ({type(e).__name__}: {e})") from None
        if b"macroEnabled" in ct or b"vbaProject" in ct:
            raise self.fail("the workbook is macro-enabled; macros are not accepted: save it as an Excel workbook (.xlsx) without macros")
        if b"<!DOCTYPE" in ct or b"<!ENTITY" in ct:
            raise self.fail("the workbook's XML declares entities (refused for safety: an entity-expansion attack?)")
        import openpyxl

        if not openpyxl.DEFUSEDXML:  # parsing must go through defusedxml; without it, scan every part
            for i in infos:
                if i.filename.lower().endswith((".xml", ".rels", ".vml")):
                    head = zf.read(i.filename)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise self.fail(f"the archive part {i.filename} declares XML entities (refused for safety: an entity-expansion attack?)")

    def open_workbook(self) -> None:
        import openpyxl

        try:
            self.wb = openpyxl.load_workbook(io.BytesIO(self.raw), read_only=True, data_only=True, keep_links=False, keep_vba=False)
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

    def rows(self, sheet: str, max_rows: int = MAX_ROWS, data_only: bool = True) -> list[tuple]:
        """The sheet's cell values, row by row (bounded), as tuples indexed from 0."""
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
        return out

    def formula_wb(self):
        """The workbook opened a second time for formulas (only needed to explain an empty cell)."""
        import openpyxl

        if getattr(self, "_fwb", None) is None:
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

    # ---------------------------------------------------------------- the sheets
    def read_project(self) -> Project:
        inputs = self.sheet_name(SHEET_INPUTS)
        if inputs is None:
            shown = ", ".join(self.wb.sheetnames[:12])
            raise self.fail(f"no '{SHEET_INPUTS}' sheet; expected a workbook exported by CGT Desk (found the sheets: {shown})")
        self.inputs_name = inputs
        scenarios = self.read_inputs(inputs)
        unc = self.sheet_name(SHEET_UNCERTAINTY)
        if unc is not None:
            self.read_uncertainty(unc, scenarios)
        title, currency = self.read_cover()
        d = {"format_version": FORMAT_VERSION, "title": title, "currency": currency, "scenarios": scenarios}
        try:
            return project_from_dict(d, where_prefix=f"{self.name}: ")
        except DomainError as e:
            raise DomainError(self._with_cells(str(e), e.keys), e.keys) from None

    def _with_cells(self, msg: str, keys) -> str:
        """Add the Inputs cells of the scenario named in a domain error."""
        for s in self._scen_cols:
            if f"scenario '{s['name']}'" in msg:
                cells = [f"{self.inputs_name}!{cell_ref(self._key_rows[k], s['col'])}" for k in keys if k in self._key_rows]
                if cells:
                    return f"{msg} (cells {', '.join(cells)})"
        return msg

    def read_inputs(self, sheet: str) -> list[dict]:
        rows = self.rows(sheet)
        cat = catalogue()
        where = sheet
        header_i = kc = None
        for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            for c, v in enumerate(row):
                if _text_of(v).lower() == H_KEY.lower():
                    header_i, kc = i, c
                    break
            if header_i is not None:
                break
        if header_i is None:
            raise self.fail(f"{where}: no header row with a '{H_KEY}' cell in the first {HEADER_SEARCH_ROWS} rows; expected the Inputs sheet of a workbook exported by CGT Desk")

        # the key rows
        process_i = notes_i = None
        key_rows: dict[str, int] = {}
        for i in range(header_i + 1, len(rows)):
            row = rows[i]
            if kc >= len(row):
                continue
            raw = row[kc]
            k = _text_of(raw)
            if not k:
                continue
            ref = f"{where}!{cell_ref(i, kc)}"
            if k == KEY_PROCESS:
                if process_i is not None:
                    raise self.fail(f"{ref}: a second '{KEY_PROCESS}' row (the first is row {process_i + 1}); expected one")
                process_i = i
            elif k == KEY_NOTES:
                if notes_i is not None:
                    raise self.fail(f"{ref}: a second '{KEY_NOTES}' row (the first is row {notes_i + 1}); expected one")
                notes_i = i
            elif k in cat.parameters:
                if k in key_rows:
                    raise self.fail(f"{ref}: the key '{k}' appears twice (also in row {key_rows[k] + 1}); expected each key once")
                key_rows[k] = i
            else:
                close = difflib.get_close_matches(k, [*cat.parameters, KEY_PROCESS, KEY_NOTES], n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.fail(f"{ref}: unknown key '{k}' in the {H_KEY} column{hint}; expected a key of the parameter catalogue")
        if process_i is None:
            raise self.fail(f"{where}: no '{KEY_PROCESS}' row in the {H_KEY} column; expected one giving each scenario's process")


        def cell(i, c):
            r = rows[i]
            return r[c] if c < len(r) else None

        # the scenario columns: those whose process cell names a process
        width = max(len(r) for r in rows[header_i:]) if rows[header_i:] else 0
        scen_cols = []
        fixed = {h.lower() for h in INPUT_FIXED_HEADERS}
        for c in range(width):
            if c == kc:
                continue
            h = cell(header_i, c)
            pv = _text_of(cell(process_i, c))
            if pv in PROCESSES:
                name = _text_of(h) if not isinstance(h, str) else h  # exactly as written: names round-trip
                if not name.strip():
                    raise self.fail(f"{where}!{cell_ref(header_i, c)}: a scenario column ({pv}) without a name; expected the scenario's name in the header row")
                scen_cols.append({"name": name, "process": pv, "col": c})
            elif _text_of(h).lower() in fixed:
                continue
            elif pv:
                raise self.fail(
                    f"{where}!{cell_ref(process_i, c)}: the process of scenario '{_text_of(h)}': expected autologous or allogeneic, found {describe(cell(process_i, c))}"
                )
            elif _text_of(h) and any(_is_number(cell(i, c)) for i in key_rows.values()):
                raise self.fail(
                    f"{where}!{cell_ref(process_i, c)}: the column '{_text_of(h)}' holds numbers but no process; expected autologous or allogeneic in the {KEY_PROCESS} row"
                )
        if not scen_cols:
            raise self.fail(f"{where}: no scenario columns; expected a column per scenario with its name in the header row (row {header_i + 1}) and its process in the {KEY_PROCESS} row")
        seen: dict[str, int] = {}
        for s in scen_cols:
            if s["name"] in seen:
                raise self.fail(
                    f"{where}!{cell_ref(header_i, s['col'])}: the scenario name '{s['name']}' is used twice (also in {cell_ref(header_i, seen[s['name']])}); expected unique scenario names"
                )
            seen[s["name"]] = s["col"]
        self._scen_cols, self._key_rows = scen_cols, key_rows
        out = []
        for s in scen_cols:
            c, name, process = s["col"], s["name"], s["process"]
            params = {}
            for key, p in cat.parameters.items():
                i = key_rows.get(key)
                applies = p.applies_to(process)
                if i is None:
                    if applies:
                        raise self.fail(f"{where}: no row with the key '{key}' ({p.label}) in the {H_KEY} column; expected a row for every parameter")
                    continue
                v = cell(i, c)
                ref = f"{where}!{cell_ref(i, c)}"
                if not applies:
                    if v is not None and _text_of(v) != "":
                        raise self.fail(
                            f"{ref}, scenario '{name}': parameter '{key}' belongs to {p.processes[0]} scenarios, not to this {process} one; expected an empty cell, found {_found(v)}"
                        )
                    continue
                params[key] = self.value(v, key, ref, name, i, c)
            notes = ""
            if notes_i is not None:
                nv = cell(notes_i, c)
                if nv is not None:
                    if isinstance(nv, str):
                        notes = nv
                    elif _is_number(nv):
                        notes = fmt_number(nv)
                    else:
                        notes = str(nv)
            out.append({"name": name, "process": process, "parameters": params, "notes": notes, "uncertainty": {}, "correlations": []})
        return out

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
            raise InputError(f"{here}: expected a number, found an empty cell")
        if isinstance(v, float) and math.isnan(v):
            raise InputError(f"{here}: expected a number, found NaN")
        if not _is_number(v):
            raise InputError(f"{here}: expected a number, found {_found(v)}")
        return check_value(key, v, f"{self.name}: {ref}, scenario '{name}'")

    def formula_at(self, sheet: str, i: int, c: int) -> str | None:
        rows = self.rows(sheet, max_rows=i + 1, data_only=False)
        if i < len(rows) and c < len(rows[i]):
            f = rows[i][c]
            if isinstance(f, str) and f.startswith("="):
                return f
            if f is not None and not isinstance(f, (str, int, float)):  # an array formula object
                return str(getattr(f, "text", f))
        return None

    # ---------------------------------------------------------------- Uncertainty
    def read_uncertainty(self, sheet: str, scenarios: list[dict]) -> None:
        rows = self.rows(sheet)
        by_name = {s["name"]: s for s in scenarios}
        dist_hdr = corr_hdr = None
        for i, row in enumerate(rows):
            texts = [_text_of(v) for v in row]
            if dist_hdr is None and U_DIST in texts and U_KEY in texts and U_SCENARIO in texts:
                dist_hdr = (i, {t: c for c, t in enumerate(texts) if t})
            elif corr_hdr is None and C_KEY_A in texts and C_KEY_B in texts:
                corr_hdr = (i, {t: c for c, t in enumerate(texts) if t})
        where = sheet

        def cell(i, c):
            return rows[i][c] if c is not None and c < len(rows[i]) else None

        def scenario_of(i, c):
            name = _text_of(cell(i, c))
            if name not in by_name:
                close = difflib.get_close_matches(name, list(by_name), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.fail(f"{where}!{cell_ref(i, c)}: no scenario named '{name}' on the Inputs sheet{hint}")
            return by_name[name]

        if dist_hdr is not None:
            hi, cols = dist_hdr
            end = corr_hdr[0] if corr_hdr is not None and corr_hdr[0] > hi else len(rows)
            cs, ck, cd = cols[U_SCENARIO], cols[U_KEY], cols[U_DIST]
            fcols = {f: cols.get(h) for f, h in U_FIELDS.items()}
            for i in range(hi + 1, end):
                name, key, dist = _text_of(cell(i, cs)), _text_of(cell(i, ck)), _text_of(cell(i, cd))
                filled = [f for f, c in fcols.items() if cell(i, c) is not None and _text_of(cell(i, c)) != ""]
                if not (name or key or dist or filled):
                    continue
                if name and not (key or dist or filled) and name not in by_name:
                    continue  # a title or a note of the client's
                if not (name and key and dist):
                    missing = [h for h, v in ((U_SCENARIO, name), (U_KEY, key), (U_DIST, dist)) if not v]
                    raise self.fail(f"{where}, row {i + 1}: a distribution row without {' and '.join(missing)}; expected scenario, key and distribution")
                s = scenario_of(i, cs)
                ref = f"{where}!{cell_ref(i, ck)}"
                if key not in catalogue().parameters or not catalogue().parameters[key].applies_to(s["process"]):
                    close = difflib.get_close_matches(key, catalogue().keys_for(s["process"]), n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise self.fail(f"{ref}, scenario '{s['name']}': '{key}' is not a parameter of the {s['process']} process{hint}")
                if key in s["uncertainty"]:
                    raise self.fail(f"{ref}, scenario '{s['name']}': a second distribution for '{key}'; expected one per scenario and key")
                dref = f"{where}!{cell_ref(i, cd)}"
                if dist not in DISTRIBUTIONS:
                    raise self.fail(f"{dref}, scenario '{s['name']}', uncertainty of '{key}': expected one of {', '.join(DISTRIBUTIONS)}, found {describe(cell(i, cd))}")
                d = {"dist": dist}
                for f in DISTRIBUTIONS[dist]:
                    c = fcols.get(f)
                    v = cell(i, c)
                    fref = f"{where}!{cell_ref(i, c)}" if c is not None else f"{where}, row {i + 1}"
                    if c is None:
                        raise self.fail(f"{fref}: no '{U_FIELDS[f]}' column; expected one for a {dist} distribution")
                    if not _is_number(v) or (isinstance(v, float) and not math.isfinite(v)):
                        raise self.fail(f"{fref}, scenario '{s['name']}', uncertainty of '{key}', field '{f}': expected a number, found {_found(v)}")
                    d[f] = v
                extra = [f for f in filled if f not in DISTRIBUTIONS[dist]]
                if extra:
                    c = fcols[extra[0]]
                    raise self.fail(
                        f"{where}!{cell_ref(i, c)}, scenario '{s['name']}', uncertainty of '{key}': a {dist} distribution takes only "
                        f"{', '.join(U_FIELDS[f] for f in DISTRIBUTIONS[dist])}; expected this cell empty, found {_found(cell(i, c))}"
                    )
                s["uncertainty"][key] = check_distribution(key, d, f"{self.name}: {where}!{cell_ref(i, cd)}, scenario '{s['name']}'")
        if corr_hdr is not None:
            hi, cols = corr_hdr
            cs, ca, cb, cr = cols.get(C_SCENARIO), cols[C_KEY_A], cols[C_KEY_B], cols.get(C_RHO)
            if cs is None or cr is None:
                raise self.fail(f"{where}, row {hi + 1}: the correlations header needs '{C_SCENARIO}', '{C_KEY_A}', '{C_KEY_B}' and '{C_RHO}'")
            for i in range(hi + 1, len(rows)):
                if dist_hdr is not None and i == dist_hdr[0]:
                    break
                vals = [cell(i, c) for c in (cs, ca, cb, cr)]
                if all(v is None or _text_of(v) == "" for v in vals):
                    continue
                if any(v is None or _text_of(v) == "" for v in vals):
                    raise self.fail(f"{where}, row {i + 1}: an incomplete correlation; expected scenario, key A, key B and rank correlation")
                s = scenario_of(i, cs)
                rho = vals[3]
                if not _is_number(rho):
                    raise self.fail(f"{where}!{cell_ref(i, cr)}, scenario '{s['name']}': expected a rank correlation (a number), found {_found(rho)}")
                s["correlations"].append({"a": _text_of(vals[1]), "b": _text_of(vals[2]), "rho": rho})

    # ---------------------------------------------------------------- Cover
    def read_cover(self) -> tuple[str, str]:
        title, currency = "Untitled project", "USD"
        name = self.sheet_name(SHEET_COVER)
        if name is None:
            return title, currency
        rows = self.rows(name, max_rows=200)
        for i, row in enumerate(rows):
            for c, v in enumerate(row[:20]):
                label = _text_of(v)
                if label not in (COVER_TITLE, COVER_CURRENCY, COVER_FORMAT):
                    continue
                value, vc = None, None
                for c2 in range(c + 1, min(len(row), c + 6)):
                    if row[c2] is not None and _text_of(row[c2]) != "":
                        value, vc = row[c2], c2
                        break
                ref = f"{name}!{cell_ref(i, vc if vc is not None else c + 1)}"
                if label == COVER_TITLE:
                    title = value if isinstance(value, str) else _text_of(value)
                elif label == COVER_CURRENCY:
                    if value is None or not _text_of(value):
                        raise self.fail(f"{ref}: expected a currency label such as USD, found an empty cell")
                    if not isinstance(value, str):
                        raise self.fail(f"{ref}: expected a currency label such as USD, found {_found(value)}")
                    currency = value.strip()
                elif label == COVER_FORMAT and value is not None:
                    if not _is_number(value) or value != WORKBOOK_FORMAT_VERSION:
                        raise self.fail(f"{ref}: expected workbook format version {WORKBOOK_FORMAT_VERSION}, found {_found(value)} (made by a newer CGT Desk?)")
        return title, currency


# ---------------------------------------------------------------- comparing with an older project


def _same(a, b) -> bool:
    if _is_number(a) and _is_number(b):
        return a == b or math.isclose(a, b, rel_tol=1e-14, abs_tol=0.0)  # 15 significant digits, as spreadsheets keep
    return a == b


def diff_projects(old: Project, new: Project) -> dict:
    """What differs from ``old`` to ``new``: inputs (scenario, key, old, new), scenarios added
    and removed, and project title/currency. Keys absent from a scenario's process are skipped."""
    changes = []
    if old.title != new.title:
        changes.append({"scenario": None, "key": "title", "old": old.title, "new": new.title})
    if old.currency != new.currency:
        changes.append({"scenario": None, "key": "currency", "old": old.currency, "new": new.currency})
    old_by = {s.name: s for s in old.scenarios}
    new_by = {s.name: s for s in new.scenarios}
    added = [n for n in new_by if n not in old_by]
    removed = [n for n in old_by if n not in new_by]
    for name, ns in new_by.items():
        os_ = old_by.get(name)
        if os_ is None:
            continue
        if os_.process != ns.process:
            changes.append({"scenario": name, "key": "process", "old": os_.process, "new": ns.process})
        for key in catalogue().parameters:
            a, b = os_.parameters.get(key), ns.parameters.get(key)
            if a is None and b is None:
                continue
            if not _same(a, b):
                changes.append({"scenario": name, "key": key, "old": a, "new": b})
        for key in sorted(set(os_.uncertainty) | set(ns.uncertainty)):
            a, b = os_.uncertainty.get(key), ns.uncertainty.get(key)
            if a is None or b is None or a.keys() != b.keys() or not all(_same(a[f], b[f]) for f in a):
                changes.append({"scenario": name, "key": f"uncertainty of {key}", "old": a, "new": b})

        def corr_set(s):
            return {frozenset((c["a"], c["b"])): c["rho"] for c in s.correlations}

        ca, cb = corr_set(os_), corr_set(ns)
        for pair in sorted(set(ca) | set(cb), key=lambda p: sorted(p)):
            if pair not in ca or pair not in cb or not _same(ca[pair], cb[pair]):
                changes.append({"scenario": name, "key": "correlation of " + " and ".join(sorted(pair)), "old": ca.get(pair), "new": cb.get(pair)})
        if os_.notes != ns.notes:
            changes.append({"scenario": name, "key": "notes", "old": os_.notes, "new": ns.notes})
    return {"added": added, "removed": removed, "changes": changes}
