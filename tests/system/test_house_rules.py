"""House rules a newcomer can rely on (docs/architecture.md): rooms of a readable size.

No module under cgtdesk/ longer than 600 lines, no class longer than 400, no function longer
than 150 (ruff's mccabe limit of 15 covers complexity; `make lint` runs it).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMITS = {"module": 600, "class": 400, "function": 150}


def sizes(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            yield "class", node.name, node.end_lineno - node.lineno + 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield "function", node.name, node.end_lineno - node.lineno + 1


def oversized(path: Path) -> list[str]:
    src = path.read_text(encoding="utf-8")
    found = []
    lines = src.count("\n") + (not src.endswith("\n") and bool(src))
    if lines > LIMITS["module"]:
        found.append(f"{path.relative_to(ROOT)}: {lines} lines")
    for kind, name, n in sizes(ast.parse(src)):
        if n > LIMITS[kind]:
            found.append(f"{path.relative_to(ROOT)}: {kind} {name} has {n} lines")
    return found


def test_rooms_are_of_a_readable_size():
    problems = [p for f in sorted((ROOT / "cgtdesk").rglob("*.py")) for p in oversized(f)]
    assert not problems, "\n".join(problems)


def test_the_rule_sees_a_long_function(tmp_path, monkeypatch):
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    f = tmp_path / "big.py"
    f.write_text("def f():\n" + "    x = 1\n" * 150 + "\n\nclass C:\n    pass\n", encoding="utf-8")
    assert oversized(f) == ["big.py: function f has 151 lines"]
