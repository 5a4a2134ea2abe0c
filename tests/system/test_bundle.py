"""Smoke test of a built PyInstaller bundle (installers/build.sh), with no Python for it to lean on.

Skipped unless CGTDESK_BUNDLE names the bundle's executable:

    bash installers/build.sh
    CGTDESK_BUNDLE=dist/cgtdesk/cgtdesk .venv/bin/python -m pytest tests/system/test_bundle.py

Every run of the bundle gets an empty environment (no PATH to an interpreter, no PYTHONPATH or
PYTHONHOME, a scratch HOME) and starts in a scratch folder, so resources must come from the bundle.
On Linux it also runs in a private mount namespace (unshare) where every Python installation on
the machine is hidden: the interpreters' folders (the venvs, pyenv, /usr/lib/python3*) become
empty and the python executables and libpython files become /dev/null. Where no such namespace can
be made the runs fall back to the empty environment alone; CGTDESK_BUNDLE_REQUIRE_SANDBOX=1 (set by
.ci/run) makes that a failure instead.
"""

from __future__ import annotations

import filecmp
import glob
import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "example.cgtproj"

_BUNDLE = os.environ.get("CGTDESK_BUNDLE")
pytestmark = pytest.mark.skipif(not _BUNDLE, reason="CGTDESK_BUNDLE (the built bundle's executable) is not set")

TIMEOUT = 120  # seconds for one run of the bundle; a hang is a failure, not a stuck CI


def bundle_exe() -> Path:
    exe = Path(_BUNDLE)
    if not exe.is_absolute():
        exe = (ROOT / exe) if (ROOT / exe).exists() else exe.resolve()
    assert exe.is_file() and os.access(exe, os.X_OK), f"CGTDESK_BUNDLE={_BUNDLE}: not an executable file"
    return exe


def bundle_dir() -> Path:
    return bundle_exe().parent


def internal_dir() -> Path:
    d = bundle_dir() / "_internal"
    if not d.is_dir() and sys.platform == "darwin":  # inside "CGT Desk.app/Contents/MacOS"
        d = bundle_dir().parent / "Frameworks"
    return d


# ---------------------------------------------------------------------------------------------
# The sandbox: an empty environment and, on Linux, no Python installation visible at all.


def _python_installations() -> tuple[list[str], list[str]]:
    """(folders to empty, files to replace by /dev/null): every Python this machine has."""
    system_roots = {"/", "/usr", "/usr/local", "/opt", "/bin", "/lib", "/home", "/root", str(Path.home())}
    dirs: set[str] = set()
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        if prefix and os.path.realpath(prefix) not in system_roots:
            dirs.add(os.path.realpath(prefix))
    for venv in (ROOT / ".venv", ROOT / ".venv-bundle"):
        if venv.is_dir():
            dirs.add(str(venv.resolve()))
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    if os.path.isdir(pyenv_root):
        dirs.add(os.path.realpath(pyenv_root))
    for pattern in ("/usr/lib/python3*", "/usr/lib64/python3*", "/usr/local/lib/python3*", "/opt/python*", "/opt/conda"):
        dirs.update(os.path.realpath(p) for p in glob.glob(pattern) if os.path.isdir(p))
    files: set[str] = set()
    for pattern in (
        "/usr/bin/python*",
        "/usr/local/bin/python*",
        "/bin/python*",
        "/usr/lib/libpython3*",
        "/usr/lib/*/libpython3*",
        "/usr/lib64/libpython3*",
        "/usr/local/lib/libpython3*",
    ):
        files.update(os.path.realpath(p) for p in glob.glob(pattern) if os.path.isfile(p))
    bundle = str(bundle_dir().resolve())
    for d in dirs:
        assert not (bundle + os.sep).startswith(d + os.sep), f"the bundle {bundle} lies inside a Python installation {d}"
    # Folders nested in another hidden folder are hidden with it.
    dirs = {d for d in dirs if not any(d != o and d.startswith(o + os.sep) for o in dirs)}
    files = {f for f in files if not any(f.startswith(d + os.sep) for d in dirs)}
    return sorted(dirs), sorted(files)


def _sandbox_prefix() -> list[str]:
    """The command that runs what follows it with every Python installation hidden."""
    unshare, mount = shutil.which("unshare"), shutil.which("mount")
    if not sys.platform.startswith("linux") or not unshare or not mount:
        return []
    dirs, files = _python_installations()
    lines = ["set -e"]
    lines += [f"{mount} -t tmpfs -o ro,size=16k tmpfs '{d}'" for d in dirs]
    lines += [f"{mount} --bind /dev/null '{f}'" for f in files]
    lines.append('exec "$@"')
    user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    return [unshare, *user, "--mount", "--propagation", "private", "--", "/bin/sh", "-c", "\n".join(lines), "sandbox"]


@cache
def sandbox() -> tuple[str, ...]:
    prefix = _sandbox_prefix()
    if prefix:
        probe = subprocess.run([*prefix, "/bin/sh", "-c", "true"], env=_clean_env(Path("/")), capture_output=True, text=True)
        if probe.returncode != 0:
            prefix = []
    if not prefix and os.environ.get("CGTDESK_BUNDLE_REQUIRE_SANDBOX") == "1":
        pytest.fail("could not make a mount namespace hiding Python (unshare), and CGTDESK_BUNDLE_REQUIRE_SANDBOX=1")
    return tuple(prefix)


def _clean_env(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "PATH": "/nonexistent",
        "QT_QPA_PLATFORM": "offscreen",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": str(home),
    }


def _home(folder: Path) -> Path:
    home = folder / "home"
    home.mkdir(parents=True, exist_ok=True)
    return home


def run_bundle(args, cwd: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*sandbox(), str(bundle_exe()), *map(str, args)],
        cwd=cwd,
        env=_clean_env(_home(cwd)),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_source(args) -> subprocess.CompletedProcess:
    """The same command from the source tree, with this test's Python (its own environment)."""
    return subprocess.run(
        [sys.executable, "-m", "cgtdesk", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT
    )


# ---------------------------------------------------------------------------------------------


def test_sandbox_hides_every_python(tmp_path):
    if not sandbox():
        pytest.skip("no mount namespace here: the bundle runs with an empty environment only")
    dirs, files = _python_installations()
    assert dirs, "found no Python installation to hide, so the sandbox proves nothing"
    interpreters = {sys.executable, os.path.realpath(sys.executable), *files}
    interpreters = [p for p in interpreters if "python" in os.path.basename(p) and "config" not in p]
    assert interpreters
    for python in interpreters:
        r = subprocess.run(
            [*sandbox(), python, "-c", "print('python ran')"], env=_clean_env(tmp_path), capture_output=True, text=True
        )
        assert r.returncode != 0 and "python ran" not in r.stdout, f"{python} still runs inside the sandbox"
    ls = shutil.which("ls")
    script = f'for d in "$@"; do [ -z "$({ls} -A "$d")" ] || echo "not empty: $d"; done'
    listing = subprocess.run(
        [*sandbox(), "/bin/sh", "-c", script, "sh", *dirs], env=_clean_env(tmp_path), capture_output=True, text=True
    )
    assert listing.returncode == 0 and listing.stdout.strip() == "", listing.stdout + listing.stderr
    print(f"hidden in the sandbox: {', '.join(dirs + files)}")


def test_compute_json_equals_source_tree(tmp_path):
    # A relative path from a scratch working folder: nothing of the repository is beside it.
    shutil.copy(EXAMPLE, tmp_path / "project.cgtproj")
    bundled = run_bundle(["compute", "project.cgtproj", "--json"], cwd=tmp_path)
    assert bundled.returncode == 0, bundled.stderr
    source = run_source(["compute", EXAMPLE, "--json"])
    assert source.returncode == 0, source.stderr
    assert json.loads(bundled.stdout) == json.loads(source.stdout)
    assert bundled.stdout == source.stdout


def test_templates_and_new_use_the_bundled_resources(tmp_path):
    listed = run_bundle(["templates", "--json"], cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == json.loads(run_source(["templates", "--json"]).stdout)
    made = run_bundle(["new", "--template", "autologous-manual", "-o", "mine.cgtproj"], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    bundled = run_bundle(["compute", "mine.cgtproj", "--json"], cwd=tmp_path)
    source = run_source(["compute", tmp_path / "mine.cgtproj", "--json"])
    assert bundled.returncode == 0, bundled.stderr
    assert json.loads(bundled.stdout) == json.loads(source.stdout)


def test_workbook_round_trip_in_the_bundle(tmp_path):
    # Excel export and import exercise openpyxl, XlsxWriter and defusedxml as bundled.
    shutil.copy(EXAMPLE, tmp_path / "project.cgtproj")
    exported = run_bundle(["export", "project.cgtproj", "-o", "model.xlsx"], cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "model.xlsx").read_bytes()[:2] == b"PK"
    imported = run_bundle(["import", "model.xlsx", "-o", "back.cgtproj"], cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    bundled = run_bundle(["compute", "back.cgtproj", "--json"], cwd=tmp_path)
    assert bundled.returncode == 0, bundled.stderr
    assert json.loads(bundled.stdout)["scenarios"] == json.loads(run_source(["compute", EXAMPLE, "--json"]).stdout)["scenarios"]


def test_monte_carlo_equals_source_tree(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "project.cgtproj")
    args = ["montecarlo", "--samples", "2000", "--seed", "7", "--json"]
    bundled = run_bundle([*args, "project.cgtproj"], cwd=tmp_path)
    assert bundled.returncode == 0, bundled.stderr
    source = run_source([*args, EXAMPLE])
    assert source.returncode == 0, source.stderr
    assert json.loads(bundled.stdout) == json.loads(source.stdout)


def test_bad_input_is_one_message_not_a_traceback(tmp_path):
    r = run_bundle(["compute", "missing.cgtproj"], cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("cgtdesk: ") and "missing.cgtproj" in r.stderr
    assert "Traceback" not in r.stderr


def _views() -> list[str]:
    """Every view --screenshot --view knows in the source tree (the GUI grows; the bundle must keep up)."""
    try:
        from cgtdesk.gui.app import VIEWS
    except ImportError:
        return ["main"]
    return list(VIEWS)


def _pixels(path: Path):
    import numpy as np
    from PySide6 import QtGui

    image = QtGui.QImage(str(path))
    assert not image.isNull(), f"{path.name}: not a readable PNG"
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    return rows[:, : w * 4].reshape(h, w, 4)[:, :, :3].astype(np.int16)


def test_screenshot_renders_the_window(tmp_path):
    r = run_bundle(["--screenshot", "window.png"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    png = tmp_path / "window.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000
    px = _pixels(png)
    h, w, _ = px.shape
    assert w >= 800 and h >= 500
    # Not blank: text, charts and grid lines give many distinct colours.
    colours = {tuple(c) for c in px[::7, ::7].reshape(-1, 3).tolist()}
    assert len(colours) > 20, f"only {len(colours)} colours: the window looks blank"


@pytest.mark.parametrize("view", _views())
def test_every_view_looks_as_in_the_source_tree(tmp_path, view):
    """The bundle draws each view as the source tree does: a module the bundle lacks shows up as a
    missing chart ("not available in this build") or an error, never silently."""
    import numpy as np

    source = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--screenshot", str(tmp_path / "source.png"), "--view", view],
        cwd=ROOT,
        env=_clean_env(_home(tmp_path / "source")),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if source.returncode != 0:
        pytest.skip(f"the source tree cannot render --view {view} either: {source.stderr.strip()}")
    bundled = run_bundle(["--screenshot", "bundle.png", "--view", view], cwd=tmp_path)
    assert bundled.returncode == 0, bundled.stderr
    a, b = _pixels(tmp_path / "source.png"), _pixels(tmp_path / "bundle.png")
    assert a.shape == b.shape, f"{view}: source {a.shape[1]}x{a.shape[0]}, bundle {b.shape[1]}x{b.shape[0]}"
    differ = float(np.mean(np.abs(a - b).max(axis=2) > 16))
    assert differ < 0.02, f"{view}: {differ:.1%} of the pixels differ from the source tree's rendering"


def test_deck_export_matches_the_source_tree(tmp_path):
    import re

    source = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--export-deck", str(tmp_path / "source.pdf")],
        cwd=ROOT,
        env=_clean_env(_home(tmp_path / "source")),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if source.returncode != 0:
        pytest.skip(f"the source tree cannot export the deck either: {source.stderr.strip()}")
    bundled = run_bundle(["--export-deck", "deck.pdf"], cwd=tmp_path)
    assert bundled.returncode == 0, bundled.stderr
    data = (tmp_path / "deck.pdf").read_bytes()
    assert data.startswith(b"%PDF")

    def pages(pdf: bytes) -> int:
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))

    assert pages(data) == pages((tmp_path / "source.pdf").read_bytes()) > 0


def test_resources_folder_is_bundled_whole():
    bundled = internal_dir() / "resources"
    assert bundled.is_dir()
    source = ROOT / "resources"

    def files(top: Path) -> set[str]:
        return {str(p.relative_to(top)) for p in top.rglob("*") if p.is_file() and not p.name.endswith(".bak")}

    assert files(source) <= files(bundled)
    different = [f for f in files(source) if not filecmp.cmp(source / f, bundled / f, shallow=False)]
    assert not different, f"bundled resources differ from the source tree: {different}"


def test_unused_qt_parts_and_dev_tools_are_left_out():
    internal = internal_dir()
    names = {p.name for p in internal.rglob("*")}
    unwanted = [
        n
        for n in names
        if any(
            k in n
            for k in (
                "QtNetwork",
                "Qt6Network",
                "QtWebEngine",
                "Qt6WebEngine",
                "QtQml",
                "Qt6Qml",
                "QtQuick",
                "Qt6Quick",
                "Qt3D",
                "QtMultimedia",
                "Qt6Multimedia",
                "_tkinter",
                "libssl",
                "libcrypto",
            )
        )
    ]
    assert not unwanted, f"should not be in the bundle: {sorted(unwanted)}"
    for package in ("pytest", "hypothesis", "formulas", "matplotlib", "IPython", "PyQt5", "PyQt6"):
        assert not (internal / package).exists(), package
    translations = [p for p in internal.rglob("*.qm")]
    assert not translations, translations[:5]
    size = sum(p.stat().st_size for p in internal.parent.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"bundle size: {size / 2**20:.0f} MiB")
