"""Hostile files are refused before any XML is parsed: a file too large, an old .xls or an
encrypted (OLE) file, a damaged zip, too many parts, a part or a whole that would unpack past
the caps or at a zip bomb's ratio, an encrypted part, macros, and XML that declares entities.

The caps are on the zip's declared sizes; Python's zipfile then refuses to inflate a member
past its declared size, so the declared sizes bound the memory used. openpyxl parses through
defusedxml (which refuses entity declarations), and every XML part is scanned for them first.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from cgtdesk.core.errors import InputError
from cgtdesk.io.files import check_regular_file
from cgtdesk.io.workbook.layout import (
    MAX_FILE_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_UNCOMPRESSED_MEMBER,
    MAX_UNCOMPRESSED_TOTAL,
    RATIO_FLOOR,
)

_MB = 1024 * 1024
#: what a LibreOffice (OpenDocument) spreadsheet is told to do
SAVE_AS_XLSX = "save it as .xlsx (File > Save As > Excel 2007-365)"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_guarded(path: Path) -> bytes:
    """The bytes of the workbook at ``path`` once every check above passes; InputError
    (naming the file) otherwise."""
    raw = read_file(path)
    check_zip(raw, path.name)
    return raw


def read_file(p: Path) -> bytes:
    """The file's bytes: refuses macro-enabled and .xls names, folders and files over the cap."""
    fail = _failer(p.name)
    suffix = p.suffix.lower()
    if suffix in (".xlsm", ".xltm"):
        raise fail(
            "a macro-enabled workbook (.xlsm) is refused: macros are not accepted; save it as an Excel workbook (.xlsx) without macros"
        )
    if suffix in (".ods", ".fods", ".ots"):
        raise fail(f"an OpenDocument spreadsheet ({suffix}) is not read; {SAVE_AS_XLSX}")
    if suffix == ".xls":
        raise fail("the old binary Excel format (.xls) is not read; save it as an Excel workbook (.xlsx)")
    try:
        size = check_regular_file(p, "an Excel workbook (.xlsx)").st_size  # refuses a FIFO or a device at once
        if p.is_dir():
            raise fail("is a folder, expected an Excel workbook (.xlsx)")
        if size > MAX_FILE_BYTES:
            raise fail(f"the file is {size // _MB} MB; expected a workbook under {MAX_FILE_BYTES // _MB} MB")
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except PermissionError:
        raise InputError(f"{p}: permission denied") from None
    except IsADirectoryError:
        raise fail("is a folder, expected an Excel workbook (.xlsx)") from None
    except OSError as e:
        raise InputError(f"{p}: cannot be read ({e.strerror or e})") from None


def check_zip(raw: bytes, name: str) -> None:
    """Refuse ``raw`` unless it is a plain .xlsx zip within the caps, without macros or entities."""
    fail = _failer(name)
    zf = _open_zip(raw, fail)
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise fail(f"the archive holds {len(infos)} parts; expected a workbook with at most {MAX_MEMBERS}")
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise fail(
            "the workbook contains macros (vbaProject.bin); macros are not accepted: save it as an Excel workbook (.xlsx) without macros"
        )
    _check_sizes(infos, fail)
    if "mimetype" in names and b"opendocument" in zf.read("mimetype")[:200]:
        raise fail(f"an OpenDocument spreadsheet (.ods) under another name, not an Excel workbook; {SAVE_AS_XLSX}")
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise fail("a zip archive but not an Excel workbook (no [Content_Types].xml or xl/ folder)")
    _check_content_types(zf, fail)
    # every XML part is scanned, whatever parses it later (openpyxl goes through defusedxml, but not
    # every part is read by openpyxl): an entity declaration anywhere is refused before parsing
    _scan_entities(zf, infos, fail)


def _failer(name: str):
    return lambda msg: InputError(f"{name}: {msg}")


def _open_zip(raw: bytes, fail) -> zipfile.ZipFile:
    if raw[:8] == _OLE_MAGIC:
        raise fail(
            "not an .xlsx workbook: an OLE file (an old .xls workbook or a password-protected one); save it as an Excel workbook (.xlsx) without a password"
        )
    if not raw.startswith(b"PK"):
        raise fail("not an Excel workbook (.xlsx): the file is not a zip archive (is it another kind of file, or damaged?)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise fail(f"not a readable Excel workbook: the zip archive is damaged or truncated ({e})") from None
    return zf


def _check_sizes(infos: list[zipfile.ZipInfo], fail) -> None:
    """Declared sizes: each part, each part's ratio (above RATIO_FLOOR) and the whole; no encrypted part."""
    total = 0
    for i in infos:
        if i.flag_bits & 0x1:
            raise fail(f"the archive part {i.filename} is encrypted; expected an ordinary .xlsx workbook")
        if i.file_size > MAX_UNCOMPRESSED_MEMBER:
            raise fail(
                f"the archive part {i.filename} would unpack to {i.file_size // _MB} MB; "
                f"refused (a workbook part is expected under {MAX_UNCOMPRESSED_MEMBER // _MB} MB: a zip bomb?)"
            )
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise fail(
                f"the archive part {i.filename} is compressed {i.file_size // max(i.compress_size, 1)} to 1; "
                f"refused (more than {MAX_RATIO} to 1: a zip bomb?)"
            )
        total += i.file_size
    if total > MAX_UNCOMPRESSED_TOTAL:
        raise fail(
            f"the archive would unpack to {total // _MB} MB; refused (a workbook is expected under {MAX_UNCOMPRESSED_TOTAL // _MB} MB: a zip bomb?)"
        )


def _check_content_types(zf: zipfile.ZipFile, fail) -> None:
    try:
        ct = zf.read("[Content_Types].xml")
    except Exception as e:  # noqa: BLE001 - any failure to inflate is a damaged file
        raise fail(f"not a readable Excel workbook: the archive is damaged ({type(e).__name__}: {e})") from None
    if b"macroEnabled" in ct or b"vbaProject" in ct:
        raise fail("the workbook is macro-enabled; macros are not accepted: save it as an Excel workbook (.xlsx) without macros")
    if b"<!DOCTYPE" in ct or b"<!ENTITY" in ct:
        raise fail("the workbook's XML declares entities (refused for safety: an entity-expansion attack?)")


def _scan_entities(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], fail) -> None:
    for i in infos:
        if i.filename.lower().endswith((".xml", ".rels", ".vml")):
            head = zf.read(i.filename)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise fail(
                    f"the archive part {i.filename} declares XML entities (refused for safety: an entity-expansion attack?)"
                )
