"""Where the bundled resources live: found relative to the package, never the working folder.

In a PyInstaller bundle the ``resources`` folder is copied next to the package (see
``installers/cgtdesk.spec``), so the same relative lookup works there too.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The folder holding parameters.json, templates/, the example project and icons."""
    for candidate in (_PKG.parent / "resources", _PKG / "resources"):
        if (candidate / "parameters.json").is_file():
            return candidate
    raise FileNotFoundError(f"CGT Desk resources not found beside {_PKG}")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
