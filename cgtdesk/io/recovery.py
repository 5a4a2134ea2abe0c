"""Autosave to a recovery file, and recovery after a crash.

While the project has unsaved changes, the window writes it (atomically) to
``<data folder>/recovery/<name>-<hash>.recovery.json``: ``{"recovery_of": path or null,
"saved_at": ISO time, "project": {...}}``; :class:`AutosaveClock` says when: soon after the
first unsaved edit, then at most once a minute while edits go on.

A recovery file is never deleted unseen:

- :func:`remove_after_save` (after a clean save, or when the user discards the changes) removes
  only a recovery file this process wrote or took over with :meth:`Recovery.adopt`; one a
  crashed session left stays until the user has been offered it.
- :func:`pending_recovery` finds the recovery file of a project however its path is spelled
  (links, ``..``, another name of the same file), also when the project file is newer than the
  recovery file: both times are given, for the window to say so.
- :meth:`Recovery.discard` deletes one the user has seen and declined; :meth:`Recovery.adopt`
  makes one the user recovered this process's own (its next clean save removes it).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from cgtdesk.core.errors import InputError
from cgtdesk.core.project import Project, project_from_dict
from cgtdesk.io.atomic import atomic_write_bytes
from cgtdesk.io.files import same_file

SUFFIX = ".recovery.json"

#: the recovery files this process wrote or adopted: the only ones remove_after_save removes
_OURS: set[Path] = set()


def recovery_path(folder: Path, project_path: Path | None) -> Path:
    if project_path is None:
        return Path(folder) / f"untitled{SUFFIX}"
    resolved = str(Path(project_path).resolve())
    digest = hashlib.sha1(resolved.encode("utf-8")).hexdigest()[:12]
    return Path(folder) / f"{Path(project_path).stem}-{digest}{SUFFIX}"


def write_recovery(folder: Path, project_path: Path | None, project: Project) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = recovery_path(folder, project_path)
    data = {
        "recovery_of": str(Path(project_path).resolve()) if project_path else None,
        "saved_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "project": project.to_dict(),
    }
    atomic_write_bytes(target, json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    _OURS.add(_key(target))
    return target


def remove_after_save(folder: Path, project_path: Path | None) -> bool:
    """After a clean save (or when the user discards the changes): remove the recovery file of
    ``project_path`` if this process wrote or adopted it. True if a file was removed."""
    target = recovery_path(folder, project_path)
    if _key(target) not in _OURS:
        return False
    _OURS.discard(_key(target))
    return _unlink(target)


@dataclass
class Recovery:
    path: Path  # the recovery file
    project: Project
    saved_at: str  # as written in the file, local time
    recovery_of: Path | None  # the project file it recovers, None for an untitled project
    recovery_mtime: float  # seconds since the epoch
    project_mtime: float | None  # None when the project file is gone (or the project untitled)

    @property
    def project_is_newer(self) -> bool:
        """The project file was saved after the recovery file (by this app elsewhere, or by
        another program): the window should say so when it offers the recovery."""
        return self.project_mtime is not None and self.project_mtime > self.recovery_mtime

    def discard(self) -> bool:
        """The user saw the offer and declined it: delete the recovery file."""
        _OURS.discard(_key(self.path))
        return _unlink(self.path)

    def adopt(self) -> None:
        """The user recovered it: the file is now this process's, removed by its next clean save."""
        _OURS.add(_key(self.path))


def pending_recovery(folder: Path, project_path: Path | None) -> Recovery | None:
    """The recovery file of ``project_path`` (or of an untitled project), whatever the times;
    None when there is none or it cannot be read (an unreadable one is left in place)."""
    folder = Path(folder)
    direct = recovery_path(folder, project_path)
    if direct.is_file():
        found = _read(direct, project_path)
        if found is not None:
            return found
    if project_path is None:
        return None
    for candidate in sorted(folder.glob(f"*{SUFFIX}")):  # the same file by another path
        if candidate != direct:
            found = _read(candidate, project_path)
            if found is not None and found.recovery_of is not None and same_file(found.recovery_of, project_path):
                return found
    return None


def _read(rp: Path, project_path: Path | None) -> Recovery | None:
    try:
        rec_mtime = rp.stat().st_mtime
        data = json.loads(rp.read_text(encoding="utf-8"))
        project = project_from_dict(data["project"], where_prefix=f"{rp.name}: ")
        of = data.get("recovery_of")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, InputError):
        return None
    if project_path is not None:
        try:
            project_mtime = Path(project_path).stat().st_mtime
        except OSError:
            project_mtime = None
    else:
        project_mtime = None
    return Recovery(rp, project, str(data.get("saved_at", "")), Path(of) if of else None, rec_mtime, project_mtime)


def _key(p: Path) -> Path:
    return Path(os.path.abspath(p))


def _unlink(p: Path) -> bool:
    try:
        os.unlink(p)
    except OSError:
        return False
    return True


# ------------------------------------------------------------------ when to autosave


@dataclass
class AutosaveClock:
    """When to autosave: ``first_delay`` seconds after the first edit not yet in a recovery file,
    and never sooner than ``every`` seconds after the previous autosave. Times are the caller's
    (``time.monotonic()``); the window runs a single-shot timer for :meth:`delay` after each
    edit and each autosave."""

    first_delay: float = 5.0
    every: float = 60.0
    _pending_since: float | None = None
    _last: float | None = None

    def edited(self, now: float) -> None:
        if self._pending_since is None:
            self._pending_since = now

    def autosaved(self, now: float) -> None:
        self._pending_since, self._last = None, now

    def saved(self) -> None:
        """A clean save (or the changes discarded): nothing to autosave, and the next edit is a
        first one again."""
        self._pending_since = self._last = None

    def delay(self, now: float) -> float | None:
        """Seconds until the next autosave is due (0 when due now); None when nothing waits."""
        if self._pending_since is None:
            return None
        due = self._pending_since + self.first_delay
        if self._last is not None:
            due = max(due, self._last + self.every)
        return max(0.0, due - now)

    def due(self, now: float) -> bool:
        d = self.delay(now)
        return d is not None and d <= 0.0
