"""Reading files that are files: a named pipe, a device, a socket or a folder is refused at once.

A FIFO named ``x.cgtproj`` would otherwise block a reader forever, and a device could be read
without end; both are refused before anything is read. :func:`read_regular_file` also opens
without blocking and checks the opened file itself, so a file swapped for a FIFO between the
check and the read is refused too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cgtdesk.core.errors import InputError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words: "a folder", "a named pipe (FIFO)", ..."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "not an ordinary file"


def _refuse(path, st: os.stat_result, expected: str) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: is {kind_of(st.st_mode)}, expected {expected}")


def check_regular_file(path: str | os.PathLike, expected: str = "a file") -> os.stat_result:
    """The ``os.stat`` of ``path`` (links followed) when it is an ordinary file; InputError
    naming the path otherwise (missing, unreadable, a folder, a FIFO, a device, a socket)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e})") from None
    _refuse(path, st, expected)
    return st


def read_regular_file(path: str | os.PathLike, limit: int, expected: str = "a file") -> tuple[bytes, os.stat_result]:
    """Up to ``limit + 1`` bytes of the ordinary file at ``path`` and its ``os.fstat``.

    Reading one byte past ``limit`` lets the caller tell a file over the cap. InputError naming
    the path for anything that is not an ordinary file or cannot be read.
    """
    check_regular_file(path, expected)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected {expected}") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e})") from None
    try:
        st = os.fstat(fd)
        _refuse(path, st, expected)  # swapped for a FIFO or a device after the check above
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e})") from None
    finally:
        os.close(fd)
    return b"".join(chunks), st


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name the same file (links, ``..`` and case folded by the system)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()
