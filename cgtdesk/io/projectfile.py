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
from cgtdesk.io.jsonfile import loads_strict, read_text

MAX_BYTES = 20 * 1024 * 1024
SUFFIX = ".cgtproj"


def parse_project_text(text: str, where: str) -> Project:
    """Parse and validate project JSON; ``where`` prefixes every message (usually the file name)."""
    data = loads_strict(text, where, "a project file")
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
    text, raw, st = read_text(path, MAX_BYTES, "a project file")
    stamp = FileStamp(st.st_mtime_ns, len(raw), hashlib.sha256(raw).hexdigest())
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
