"""Template files (.cgttemplate) and the template library folders. No Qt.

A template file is UTF-8 JSON (``format_version`` 1), read strictly (bad JSON with its line and
column, a duplicate field, NaN: one message naming the file), validated by
:func:`cgtdesk.core.templates.template_from_dict` (nothing loaded in part) and written
atomically.

The library is the bundled templates, the user's library folder (the app's data folder's
``templates``: :func:`default_library_dir`; ``CGTDESK_LIBRARY`` names another) and any further
folders (a shared drive; ``CGTDESK_SHARED_LIBRARY``, folders separated by ``os.pathsep``).
Every version found is listed; the newest version of an id wins.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from cgtdesk.core.errors import InputError
from cgtdesk.core.templates import Library, Template, template_from_dict, templates
from cgtdesk.io.atomic import atomic_write_bytes
from cgtdesk.io.jsonfile import loads_strict, read_text

SUFFIX = ".cgttemplate"
MAX_BYTES = 1024 * 1024
#: the user's library folder when set (else the app's data folder's ``templates``)
ENV_LIBRARY = "CGTDESK_LIBRARY"
#: further library folders (a shared drive), separated by os.pathsep
ENV_SHARED = "CGTDESK_SHARED_LIBRARY"
#: the organisation and application names the GUI gives Qt (its data folder is built from them)
APP_FOLDER = ("CGT Desk", "CGT Desk")


def parse_template_text(text: str, where: str, *, origin: str = "file", path: str | None = None) -> Template:
    """Parse and validate a template file's text; ``where`` starts every message."""
    data = loads_strict(text, where, "a template file")
    return template_from_dict(data, where, origin=origin, path=path)


def load_template(path: str | os.PathLike, origin: str = "file") -> Template:
    """Read and validate a .cgttemplate file; InputError with one message naming the file."""
    path = Path(path)
    text, _raw, _st = read_text(path, MAX_BYTES, "a template file")
    return parse_template_text(text, path.name, origin=origin, path=str(path))


def template_to_json(t: Template) -> str:
    return json.dumps(t.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save_template(t: Template, path: str | os.PathLike) -> None:
    """Write the template file atomically (platform values only)."""
    atomic_write_bytes(path, template_to_json(t).encode("utf-8"))


# ---------------------------------------------------------------- library folders


def default_data_dir() -> Path:
    """The app's per-user data folder, as Qt's AppDataLocation names it for the GUI (computed
    without Qt, so that the command line finds the same library)."""
    org, app = APP_FOLDER
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / org / app


def default_library_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The user's template library: ``templates`` in the data folder (``data_dir``, the app's by
    default), or the folder ``CGTDESK_LIBRARY`` names."""
    env = os.environ.get(ENV_LIBRARY)
    if env and data_dir is None:
        return Path(env)
    return Path(data_dir if data_dir is not None else default_data_dir()) / "templates"


def shared_library_dirs() -> list[Path]:
    """The further library folders ``CGTDESK_SHARED_LIBRARY`` names (none when unset)."""
    return [Path(p) for p in os.environ.get(ENV_SHARED, "").split(os.pathsep) if p]


def _folder_templates(folder: Path, origin: str, problems: list[str]) -> list[Template]:
    out = []
    try:
        files = sorted(p for p in folder.glob(f"*{SUFFIX}") if not p.name.startswith("."))
    except OSError as e:
        problems.append(f"{folder}: cannot be read ({e.strerror or e})")
        return out
    for path in files:
        try:
            out.append(load_template(path, origin))
        except InputError as e:
            problems.append(f"{path}: skipped: {e}")
    return out


def load_library(user_dir: str | os.PathLike | None, extra_dirs=()) -> Library:
    """The bundled templates, then every template file in ``user_dir`` (the user's library;
    None: none), then in each of ``extra_dirs``. A missing folder holds nothing; a file that is
    not a valid template is skipped with a message in ``problems``."""
    lib = Library(list(templates().values()))
    folders = ([(Path(user_dir), "library")] if user_dir is not None else []) + [(Path(d), "folder") for d in extra_dirs]
    for folder, origin in folders:
        if folder.is_dir():
            lib.entries.extend(_folder_templates(folder, origin, lib.problems))
        elif folder.exists():
            lib.problems.append(f"{folder}: is not a folder; expected a template library folder")
    return lib


def library_file_name(t: Template) -> str:
    """The name of a template's file in a library folder: one file per id and version."""
    return f"{t.id}-v{t.version}{SUFFIX}"


def import_template(path: str | os.PathLike, user_dir: str | os.PathLike) -> Template:
    """Copy a template file into the user's library after validating it (an invalid file is
    refused and nothing is written). The same id and version already there with other values
    is refused too: a changed template needs a new version."""
    t = load_template(path)
    folder = Path(user_dir)
    target = folder / library_file_name(t)
    if target.exists():
        try:
            there = load_template(target)
        except InputError:
            there = None
        if there is not None and there != t:
            raise InputError(
                f"{Path(path).name}: the library already holds version {t.version} of template '{t.id}' with other "
                f"values; expected a higher 'version' for a changed template"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        save_template(t, target)
    except InputError:
        raise
    except OSError as e:
        raise InputError(f"{target}: cannot be written ({e.strerror or e})") from None
    return load_template(target, "library")


def export_template(t: Template, path: str | os.PathLike) -> None:
    """Write a template (from the library, bundled, or made from a scenario) to a file."""
    try:
        save_template(t, path)
    except InputError:
        raise
    except OSError as e:
        raise InputError(f"{path}: cannot be written ({e.strerror or e})") from None


def delete_template(user_dir: str | os.PathLike, template_id: str, version: int | None = None) -> list[Path]:
    """Delete a template (one version, or every version) from the user's library; the files
    deleted. Bundled templates and other folders are never touched."""
    folder = Path(user_dir)
    lib = load_library(folder)
    doomed = [
        Path(t.path)
        for t in lib.entries
        if t.origin == "library" and t.id == template_id and (version is None or t.version == version)
    ]
    if not doomed:
        what = f"version {version} of template '{template_id}'" if version else f"template '{template_id}'"
        where = "is bundled with the app and cannot be deleted" if template_id in templates() else "is not in the library"
        raise InputError(f"{what} {where} ({folder})")
    for p in doomed:
        try:
            p.unlink()
        except OSError as e:
            raise InputError(f"{p}: cannot be deleted ({e.strerror or e})") from None
    return doomed
