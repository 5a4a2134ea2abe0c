"""The layers' nevers (docs/architecture.md: dependencies point one way).

Every module's syntax tree is walked, so an import inside a function (a lazy import) counts as
much as one at the top; relative imports are resolved, ``from cgtdesk import cli`` names
``cgtdesk.cli`` and ``importlib.import_module("...")`` with a literal name counts too.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cgtdesk"
QT = ("PySide6", "pyqtgraph", "shiboken6", "PyQt5", "PyQt6", "PySide2")

#: layer -> the module prefixes it never imports ("qt" stands for every Qt binding)
NEVER = {
    "core": ("qt", "cgtdesk.io", "cgtdesk.gui", "cgtdesk.cli", "cgtdesk.chartdata"),
    "chartdata": ("qt", "cgtdesk.io", "cgtdesk.gui", "cgtdesk.cli"),
    "io": ("qt", "cgtdesk.chartdata", "cgtdesk.gui", "cgtdesk.cli"),
    "gui": ("cgtdesk.cli",),
    "deck": ("qt", "cgtdesk.gui", "cgtdesk.cli"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(node: ast.ImportFrom, path: Path) -> str:
    """The absolute module of a ``from ... import`` (relative ones resolved against the file)."""
    if not node.level:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports(path: Path):
    """(line, module) of every import in a file, wherever it sits."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(node, path)
            yield node.lineno, module
            yield from ((node.lineno, f"{module}.{a.name}") for a in node.names if a.name != "*")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value


def _breaks(module: str, never: str) -> bool:
    if never == "qt":
        return module.split(".")[0] in QT
    return module == never or module.startswith(never + ".")


def _layer_files(layer: str) -> list[Path]:
    folder, single = PACKAGE / layer, PACKAGE / f"{layer}.py"
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [single] if single.is_file() else []


@pytest.mark.parametrize("layer", list(NEVER))
def test_layer_never_imports(layer):
    files = _layer_files(layer)
    if layer != "chartdata":
        assert files, f"no modules found for cgtdesk/{layer}"
    offenders = sorted(
        {
            f"{path.relative_to(ROOT)}:{line}: imports {module}"
            for path in files
            for line, module in imports(path)
            for never in NEVER[layer]
            if _breaks(module, never)
        }
    )
    assert offenders == [], f"cgtdesk/{layer} must never import {', '.join(NEVER[layer])}:\n" + "\n".join(offenders)


def test_the_walker_sees_lazy_relative_and_dynamic_imports(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    f = tmp_path / "cgtdesk" / "io" / "thing.py"
    f.parent.mkdir(parents=True)
    f.write_text(
        "def later():\n"
        "    from ..gui import app\n"
        "    from cgtdesk import cli\n"
        "    import importlib; importlib.import_module('PySide6.QtCore')\n",
        encoding="utf-8",
    )
    found = {m for _, m in imports(f)}
    assert {"cgtdesk.gui", "cgtdesk.gui.app", "cgtdesk.cli", "PySide6.QtCore"} <= found
    assert [n for n in NEVER["io"] if any(_breaks(m, n) for m in found)] == ["qt", "cgtdesk.gui", "cgtdesk.cli"]


def test_importing_core_io_and_cli_loads_no_qt():
    code = (
        "import sys, pkgutil, importlib, cgtdesk.core, cgtdesk.io, cgtdesk.cli\n"
        "for pkg in (cgtdesk.core, cgtdesk.io, cgtdesk.cli):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "from cgtdesk.cli.main import build_parser; build_parser()\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {QT!r}]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
