"""Strict JSON files, read one way for project files and template files alike: an ordinary file
within a size cap, UTF-8 (a byte order mark allowed), JSON without NaN/Infinity, duplicate keys or
absurdly long integers, and one message naming the file and the place for anything else."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cgtdesk.core.errors import InputError
from cgtdesk.io.files import read_regular_file


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


def loads_strict(text: str, where: str, what: str):
    """The JSON value of ``text``; InputError starting with ``where`` that names ``what`` (e.g.
    "a project file") for anything that is not strict JSON."""
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as e:
        raise InputError(
            f"{where}: not valid JSON at line {e.lineno}, column {e.colno}: {e.msg} (is the file truncated?)"
        ) from None
    except ValueError as e:
        raise InputError(f"{where}: {e}") from None
    except RecursionError:
        raise InputError(f"{where}: the JSON is nested too deeply to be {what}") from None


def read_text(path: str | os.PathLike, limit: int, what: str) -> tuple[str, bytes, os.stat_result]:
    """The UTF-8 text of the ordinary file at ``path`` (at most ``limit`` bytes), the bytes read
    and the file's stat; InputError naming the file for anything else."""
    path = Path(path)
    raw, st = read_regular_file(path, limit, what)
    if len(raw) > limit:
        size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
        raise InputError(f"{path.name}: the file is larger than {size}; expected {what}")
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        return body.decode("utf-8"), raw, st
    except UnicodeDecodeError as e:
        raise InputError(f"{path.name}: not UTF-8 text (byte {e.start}); expected {what} (JSON)") from None
