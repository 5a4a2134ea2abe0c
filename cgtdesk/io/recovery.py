"""Autosave to a recovery file, and recovery after a crash.

While the project has unsaved changes, the window writes it every minute (atomically) to
``<data folder>/recovery/<name>-<hash>.recovery.json``: ``{"recovery_of": path or null,
"saved_at": ISO time, "project": {...}}``. A clean save or close removes the file. At start, a
recovery file for the project being opened (or for an untitled project) that is newer than the
project file means the app did not close properly: the user is offered to recover it.
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

SUFFIX = ".recovery.json"


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
    return target


def remove_recovery(folder: Path, project_path: Path | None) -> None:
    try:
        os.unlink(recovery_path(folder, project_path))
    except OSError:
        pass


@dataclass
class Recovery:
    path: Path  # the recovery file
    project: Project
    saved_at: str


def find_recovery(folder: Path, project_path: Path | None) -> Recovery | None:
    """The recovery file for this project if it is newer than the project file and readable."""
    rp = recovery_path(folder, project_path)
    if not rp.is_file():
        return None
    if project_path is not None:
        try:
            if rp.stat().st_mtime <= Path(project_path).stat().st_mtime:
                return None  # saved since: the recovery file is stale
        except OSError:
            pass
    try:
        data = json.loads(rp.read_text(encoding="utf-8"))
        project = project_from_dict(data["project"], where_prefix=f"{rp.name}: ")
    except (OSError, ValueError, KeyError, TypeError, InputError):
        return None
    return Recovery(rp, project, str(data.get("saved_at", "")))
