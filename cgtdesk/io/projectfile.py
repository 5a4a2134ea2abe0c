"""Project files (.cgtproj): UTF-8 JSON, read strictly, written atomically with a .bak.

Reading refuses anything that is not an ordinary file (a FIFO, a device, a folder) at once.
:class:`FileStamp` records what was read or written, so that the window can ask
:func:`changed_on_disk` before it overwrites a file someone else saved in the meantime.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cgtdesk.core.errors import InputError
from cgtdesk.core.project import Project, project_from_dict
from cgtdesk.io.atomic import atomic_write_bytes
from cgtdesk.io.files import read_regular_file

MAX_BYTES = 20 * 1024 * 1024
SUFFIX = ".cgtproj"


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows (expected a finite number)")


def _no_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise ValueError(f"the field {k!r} appears twice in one object")
        seen[k] = v
    return seen


def _parse_int(digits: str):
    if len(digits) > 30:
        raise ValueError(
            f"a number with {len(digits)} digits is too long (expected a number within the valid range of its parameter)"
        )
    return int(digits)


def parse_project_text(text: str, where: str) -> Project:
    """Parse and validate project JSON; ``where`` prefixes every message (usually the file name)."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as e:
        raise InputError(
            f"{where}: not valid JSON at line {e.lineno}, column {e.colno}: {e.msg} (is the file truncated?)"
        ) from None
    except ValueError as e:
        raise InputError(f"{where}: {e}") from None
    except RecursionError:
        raise InputError(f"{where}: the JSON is nested too deeply to be a project file") from None
    return project_from_dict(data, where_prefix=f"{where}: ")


@dataclass(frozen=True)
class FileStamp:
    """What a project file held when it was read or written: to tell, before overwriting it,
    whether someone else changed it on disk since (see :func:`changed_on_disk`)."""

    mtime_ns: int
    size: int
    sha256: str


def load_project(path: str | os.PathLike) -> Project:
    """Read and validate a .cgtproj file; raises InputError with a message naming the file."""
    return load_project_stamped(path)[0]


def load_project_stamped(path: str | os.PathLike) -> tuple[Project, FileStamp]:
    """:func:`load_project` and the :class:`FileStamp` of the bytes it read."""
    path = Path(path)
    where = path.name
    raw, st = read_regular_file(path, MAX_BYTES, "a project file")
    if len(raw) > MAX_BYTES:
        raise InputError(f"{where}: the file is larger than {MAX_BYTES // (1024 * 1024)} MB; expected a project file")
    stamp = FileStamp(st.st_mtime_ns, len(raw), hashlib.sha256(raw).hexdigest())
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{where}: not UTF-8 text (byte {e.start}); expected a CGT Desk project file (JSON)") from None
    return parse_project_text(text, where), stamp


def file_stamp(path: str | os.PathLike) -> FileStamp | None:
    """The stamp of the file now; None when there is no readable ordinary file at ``path``."""
    try:
        raw, st = read_regular_file(path, MAX_BYTES)
    except InputError:
        return None
    return FileStamp(st.st_mtime_ns, len(raw), hashlib.sha256(raw).hexdigest())


def changed_on_disk(path: str | os.PathLike, stamp: FileStamp | None) -> bool:
    """Whether the file at ``path`` no longer holds what ``stamp`` recorded (another program or
    person saved it, or it was removed). A file only touched, its bytes the same, is unchanged.
    With no stamp (a project never read from or written to ``path``), True if a file exists."""
    if stamp is None:
        return os.path.lexists(path)
    try:
        st = os.stat(path)
    except OSError:
        return True
    if st.st_size != stamp.size:
        return True
    now = file_stamp(path)
    return now is None or now.sha256 != stamp.sha256


def project_to_json(project: Project) -> str:
    return json.dumps(project.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save_project(project: Project, path: str | os.PathLike) -> FileStamp:
    """Write the project atomically, keeping the previous version as NAME.cgtproj.bak.

    Returns the stamp of the file written. WriteError (an InputError) names the path and the
    cause when it cannot be written; the previous file and .bak are then as they were."""
    data = project_to_json(project).encode("utf-8")
    st = atomic_write_bytes(path, data, backup=True)
    return FileStamp(st.st_mtime_ns, len(data), hashlib.sha256(data).hexdigest())
