"""Reading and writing projects (.cgtproj) and workbooks (.xlsx). No Qt."""

from __future__ import annotations

import os
from pathlib import Path

from cgtdesk.core.errors import InputError
from cgtdesk.core.project import Project


def load_any(path: str | os.PathLike) -> Project:
    """A project from a .cgtproj file or from a workbook the app exported (or a client edited)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".xltx", ".xltm"):
        from cgtdesk.io.workbook import read_workbook

        return read_workbook(path)
    if suffix in (".cgtproj", ".json", ""):
        from cgtdesk.io.projectfile import load_project

        return load_project(path)
    raise InputError(f"{path}: expected a .cgtproj project or an .xlsx workbook, found a '{suffix}' file")
