"""Atomic file writing: a temporary file in the target's folder, flush, fsync, rename.

A reader (or a crash at any moment) sees the old file or the new one, never half of one.

- Modes: the new file keeps the mode of the file it replaces; a file that did not exist gets
  the user's usual mode (0666 less the umask, as ``open()`` gives it); the .bak has the mode of
  the file it copies.
- Symbolic links are followed: saving to a link replaces the link's final target (the
  temporary file and the .bak sit beside the target) and the link stays.
- Temporary files are hidden and named ``.NAME.<host>-<pid>-<random>.tmp`` (the .bak's
  ``.NAME.bak.<host>-<pid>-<random>.tmp``). Any failure removes them. One left by a writer
  that was killed (its process, on this machine, is gone) or older than :data:`STALE_SECONDS`
  is removed by the next save of the same file, or by :func:`remove_stale_temporaries` and
  :func:`remove_stale_temporaries_in` (for the window to call at start).
- Failures: an ``OSError`` on the way becomes a :class:`~cgtdesk.core.errors.WriteError`
  naming the path and the cause in words; the previous file and its .bak are left untouched.
"""

from __future__ import annotations

import errno
import glob
import hashlib
import os
import platform
import re
import secrets
import shutil
import stat
import time
from collections.abc import Callable
from pathlib import Path

from cgtdesk.core.errors import WriteError
from cgtdesk.io.files import kind_of

#: a temporary file older than this was left by a writer that was killed, not one still writing
STALE_SECONDS = 3600

#: this machine, in temporary names: a writer's pid says something only on the machine that wrote it
_HOST = hashlib.sha1(platform.node().encode("utf-8", "replace")).hexdigest()[:6]
_TAG = re.compile(r"([0-9a-f]{6})-(\d+)-[0-9a-f]+")
_OURS = re.compile(r"\..+\.([0-9a-f]{6}-\d+-[0-9a-f]+)\.tmp")
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def atomic_write(path: str | os.PathLike, write: Callable[[object], None], *, backup: bool = False) -> os.stat_result:
    """Write ``path`` atomically; ``write(fileobj)`` fills a binary file object.

    With ``backup``, an existing file is first kept as ``NAME.bak`` (itself replaced
    atomically). Returns the ``os.stat_result`` of the file written. Raises WriteError (naming
    ``path``) when the file cannot be written; an exception of ``write`` passes through. Either
    way the temporary files are gone and the previous file and .bak are as they were.
    """
    shown = Path(path)
    target = Path(os.path.realpath(shown))
    folder = target.parent
    step = "create"
    tmp = tmp_bak = None
    try:
        old = _existing(shown, target)
        remove_stale_temporaries(target)
        tmp, fd = _open_temp(folder, target.name, old)
        with os.fdopen(fd, "wb") as f:
            step = "write"
            write(f)
            f.flush()
            os.fsync(f.fileno())
            written = os.fstat(f.fileno())
        if backup and old is not None:
            step = "backup"
            tmp_bak = _copy_for_backup(target, old)
            os.replace(tmp_bak, target.with_name(target.name + ".bak"))
            tmp_bak = None
        step = "rename"
        os.replace(tmp, target)
        tmp = None
    except WriteError:
        raise
    except OSError as e:
        raise WriteError(f"cannot write {shown}: {_cause(e, step, folder, target)}", e.errno) from None
    finally:
        for leftover in (tmp, tmp_bak):
            if leftover is not None:
                _unlink(leftover)
    _fsync_dir(folder)
    return written


def atomic_write_bytes(path, data: bytes, *, backup: bool = False) -> os.stat_result:
    return atomic_write(path, lambda f: f.write(data), backup=backup)


def _existing(shown: Path, target: Path) -> os.stat_result | None:
    """The stat of the file about to be replaced, None if there is none; WriteError if it is a
    folder, a device, a FIFO or a socket (a save never replaces those)."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        raise WriteError(f"cannot write {shown}: it is {kind_of(st.st_mode)}, not a file", errno.EISDIR)
    return st


def _temp_name(name: str) -> str:
    return f".{name}.{_HOST}-{os.getpid()}-{secrets.token_hex(4)}.tmp"


def _open_temp(folder: Path, name: str, like: os.stat_result | None) -> tuple[Path, int]:
    """A new empty temporary file for ``name`` in ``folder`` and its open descriptor: with the
    mode (and, when allowed, the owner) of ``like``, or the user's usual mode for a new file."""
    tmp = folder / _temp_name(name)
    fd = os.open(tmp, _FLAGS, 0o666)  # the umask applies, as for any new file
    try:
        if like is not None:
            _copy_owner_and_mode(fd, tmp, like)
    except BaseException:
        os.close(fd)
        _unlink(tmp)
        raise
    return tmp, fd


def _copy_owner_and_mode(fd: int, tmp: Path, like: os.stat_result) -> None:
    if hasattr(os, "fchown") and (like.st_uid, like.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.fchown(fd, like.st_uid, like.st_gid)
        except OSError:
            pass  # only root may give a file away: the file becomes the writer's
    if hasattr(os, "fchmod"):
        os.fchmod(fd, stat.S_IMODE(like.st_mode))
    else:
        os.chmod(tmp, stat.S_IMODE(like.st_mode))


def _copy_for_backup(target: Path, old: os.stat_result) -> Path:
    """A complete, fsynced copy of ``target`` as a temporary file of its .bak."""
    tmp, fd = _open_temp(target.parent, target.name + ".bak", old)
    try:
        with os.fdopen(fd, "wb") as dst, open(target, "rb") as src:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _cause(e: OSError, step: str, folder: Path, target: Path) -> str:
    """The cause of a failed write, in words."""
    code = e.errno
    bak = target.name + ".bak"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        full = "the disk is full (no space left on device)" if code == errno.ENOSPC else "the disk quota is used up"
        return f"no room for the backup copy {bak}: {full}" if step == "backup" else full
    if code in (errno.EACCES, errno.EPERM):
        if step == "create":
            return f"the folder {folder} is read-only (permission denied)"
        if step == "backup":
            return f"the file cannot be copied to {bak} (permission denied)"
        return "permission denied"
    if code == errno.ENOENT and step == "create":
        return f"the folder {folder} does not exist"
    words = {
        errno.EROFS: "the disk is read-only (read-only file system)",
        errno.EISDIR: "it is a folder, not a file",
        errno.ENOTDIR: "a part of the path is not a folder",
        errno.ENAMETOOLONG: "the file name is too long",
        errno.EIO: "the disk reported an input/output error",
        errno.ENOENT: "a file vanished while saving (no such file)",
    }
    return words.get(code) or (e.strerror or str(e)).lower()


# ------------------------------------------------------------------ stale temporaries


def remove_stale_temporaries(path: str | os.PathLike) -> int:
    """Remove the temporary files that killed writers of ``path`` (and of its .bak) left
    behind; returns how many went. A temporary of a writer still running stays."""
    target = Path(os.path.realpath(path))
    name = target.name
    removed = 0
    for candidate in target.parent.glob(f".{glob.escape(name)}.*.tmp"):
        tag = candidate.name[len(name) + 2 : -len(".tmp")]
        if tag.startswith("bak."):
            tag = tag[len("bak.") :]
        if "." not in tag and _stale(candidate, tag):
            removed += _unlink(candidate)
    return removed


def remove_stale_temporaries_in(folder: str | os.PathLike) -> int:
    """Remove every temporary file of ours in ``folder`` whose writer is gone (or that is older
    than :data:`STALE_SECONDS`); for the window to call at start on the folders it writes to.
    Files of other programs are never touched: only names this module makes are considered."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        m = _OURS.fullmatch(entry.name)
        if m and _stale(Path(entry.path), m.group(1)):
            removed += _unlink(entry.path)
    return removed


def _stale(p: Path, tag: str) -> bool:
    m = _TAG.fullmatch(tag)
    if m and m.group(1) == _HOST and int(m.group(2)) != os.getpid() and not _running(int(m.group(2))):
        return True
    try:
        st = os.lstat(p)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_mtime < time.time() - STALE_SECONDS


def _running(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (always True where that cannot be asked)."""
    if os.name != "posix" or pid <= 0:
        return True  # on Windows, os.kill(pid, 0) would terminate the process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, but belongs to someone else
    return True


def _unlink(p) -> int:
    try:
        os.unlink(p)
    except OSError:
        return 0
    return 1


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
