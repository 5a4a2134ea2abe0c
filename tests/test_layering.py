"""cgtdesk.core and cgtdesk.io never import Qt (DESIGN.md: dependencies point one way)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT = ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6")


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_and_io_sources_name_no_qt():
    offenders = []
    for layer in ("core", "io"):
        for path in (ROOT / "cgtdesk" / layer).rglob("*.py"):
            offenders += [f"{path.relative_to(ROOT)}: {m}" for m in _imports(path) if m.split(".")[0] in QT]
            offenders += [f"{path.relative_to(ROOT)}: gui" for m in _imports(path) if m.startswith("cgtdesk.gui")]
    assert offenders == []


def test_importing_core_io_and_cli_loads_no_qt():
    code = (
        "import sys, pkgutil, importlib, cgtdesk.core, cgtdesk.io, cgtdesk.cli\n"
        "for pkg in (cgtdesk.core, cgtdesk.io):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
        "import cgtdesk.cli; cgtdesk.cli.command_names()\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {QT!r}]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
