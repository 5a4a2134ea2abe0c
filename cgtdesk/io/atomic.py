"""Atomic file writing: a temporary file in the same folder, flush, fsync, rename.

A reader (or a crash at any moment) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: str | os.PathLike, write: Callable[[object], None], *, backup: bool = False) -> None:
    """Write ``path`` atomically; ``write(fileobj)`` fills a binary file object.

    With ``backup``, an existing file is first kept as ``NAME.bak`` (itself replaced atomically).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        if backup and path.exists():
            bak = path.with_name(path.name + ".bak")
            fd2, tmp2 = tempfile.mkstemp(prefix=f".{bak.name}.", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd2, "wb") as b, open(path, "rb") as old:
                    b.write(old.read())
                    b.flush()
                    os.fsync(b.fileno())
                os.replace(tmp2, bak)
            except BaseException:
                _unlink(tmp2)
                raise
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    _fsync_dir(folder)
    _remove_stale_temporaries(folder, path.name)


#: a temporary file older than this was left by a writer that was killed, not one still writing
STALE_SECONDS = 3600


def _remove_stale_temporaries(folder: Path, name: str) -> None:
    """Delete the temporary files of earlier writes of ``name`` that were killed midway."""
    import glob
    import time

    cutoff = time.time() - STALE_SECONDS
    for pattern in (f".{glob.escape(name)}.*.tmp", f".{glob.escape(name)}.bak.*.tmp"):
        for stale in folder.glob(pattern):
            try:
                if stale.is_file() and stale.stat().st_mtime < cutoff:
                    stale.unlink()
            except OSError:
                pass


def atomic_write_bytes(path, data: bytes, *, backup: bool = False) -> None:
    atomic_write(path, lambda f: f.write(data), backup=backup)


def _unlink(p) -> None:
    try:
        os.unlink(p)
    except OSError:
        pass


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
