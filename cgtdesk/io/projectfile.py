"""Project files (.cgtproj): UTF-8 JSON, read strictly, written atomically with a .bak."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cgtdesk.core.errors import InputError
from cgtdesk.core.project import Project, project_from_dict
from cgtdesk.io.atomic import atomic_write_bytes

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


def load_project(path: str | os.PathLike) -> Project:
    """Read and validate a .cgtproj file; raises InputError with a message naming the file."""
    path = Path(path)
    where = path.name
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"{where}: the file is {size // (1024 * 1024)} MB; expected a project file under {MAX_BYTES // (1024 * 1024)} MB"
            )
        with open(path, "rb") as f:  # bounded: a device or a growing file reports no honest size
            raw = f.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise InputError(f"{where}: the file is larger than {MAX_BYTES // (1024 * 1024)} MB; expected a project file")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a project file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e})") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{where}: not UTF-8 text (byte {e.start}); expected a CGT Desk project file (JSON)") from None
    return parse_project_text(text, where)


def project_to_json(project: Project) -> str:
    return json.dumps(project.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save_project(project: Project, path: str | os.PathLike) -> None:
    """Write the project atomically, keeping the previous version as NAME.cgtproj.bak."""
    atomic_write_bytes(path, project_to_json(project).encode("utf-8"), backup=True)
