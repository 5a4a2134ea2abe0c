"""docs/architecture.md cannot drift from the code: every path it cites exists and every
``module.name`` in backticks is defined.

Paths are the ``cgtdesk/...``, ``tests/...``, ``tools/...`` (etc.) of the page, in code spans,
fenced blocks or prose. Names are the dotted words of code spans: a full name
(``cgtdesk.core.model.evaluate``), a module's short name and a name in it (``registry.CHARTS``,
``presets.MC_SEED``), or a class and one of its members (``ProjectDocument.parameterChanged``,
``MainWindow._update_charts``, including attributes set as ``self.x = ...`` and members of its
bases); a parameter or result key of the catalogue (``facility.mode``) counts as defined too.
Definitions are read from the syntax trees, so nothing is imported (and no Qt is loaded).
"""

from __future__ import annotations

import ast
import functools
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
PACKAGE = ROOT / "cgtdesk"

PATH = re.compile(r"(?<![\w./-])(?:cgtdesk|tests|tools|benchmarks|resources|installers|docs)/[\w./-]*")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
SPAN = re.compile(r"`([^`\n]+)`")
DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
#: a dotted word ending in one of these is a file name (``parameters.json``), not a Python name
FILE_SUFFIXES = {"py", "md", "json", "cgtproj", "toml", "spec", "sh", "png", "pdf", "xlsx", "iss", "bak"}


# ---------------------------------------------------------------- what the page cites


def cited_paths(text: str) -> set[str]:
    return {m.group(0).rstrip(".,") for m in PATH.finditer(text)}


def cited_names(text: str) -> set[str]:
    spans = SPAN.findall(FENCE.sub("", text))
    return {s for s in spans if DOTTED.fullmatch(s) and s.rsplit(".", 1)[1] not in FILE_SUFFIXES}


# ---------------------------------------------------------------- what the code defines


@functools.cache
def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module under cgtdesk/."""
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


@functools.cache
def tree(module: str) -> ast.Module:
    return ast.parse(modules()[module].read_text(encoding="utf-8"))


def _targets(node) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return [t.id for t in targets if isinstance(t, ast.Name)]


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if modules()[module].name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


@functools.cache
def definitions(module: str) -> dict:
    """Top-level name -> its node: functions, classes, assignments, and names imported (re-exports)."""
    found = {}
    for node in tree(module).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            found.update(dict.fromkeys(_targets(node), node))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                found[alias.asname or alias.name] = (_absolute(module, node), alias.name)
    return found


@functools.cache
def classes() -> dict[str, list[ast.ClassDef]]:
    out: dict[str, list[ast.ClassDef]] = {}
    for module in modules():
        for node in tree(module).body:
            if isinstance(node, ast.ClassDef):
                out.setdefault(node.name, []).append(node)
    return out


def members(cls: ast.ClassDef, seen=()) -> set[str]:
    """A class's methods, class attributes (signals, dataclass fields), ``self.x`` attributes, and its bases' members."""
    names = set()
    for node in ast.walk(cls):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            names.update(_targets(node))
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.attr for t in targets if isinstance(t, ast.Attribute) and getattr(t.value, "id", "") == "self")
    for base in cls.bases:
        name = getattr(base, "id", None)
        if name and name not in seen:
            for node in classes().get(name, []):
                names |= members(node, (*seen, cls.name))
    return names


def in_module(module: str, rest: list[str]) -> bool:
    if not rest:
        return True
    if f"{module}.{rest[0]}" in modules():
        return in_module(f"{module}.{rest[0]}", rest[1:])
    node = definitions(module).get(rest[0])
    if node is None:
        return False
    if isinstance(node, tuple):  # imported: look where it comes from
        source, name = node
        return source in modules() and in_module(source, [name, *rest[1:]])
    if len(rest) == 1:
        return True
    return isinstance(node, ast.ClassDef) and len(rest) == 2 and rest[1] in members(node)


@functools.cache
def catalogue_keys() -> set[str]:
    keys = set()
    for name, field in (("parameters.json", "parameters"), ("results.json", "results")):
        raw = json.loads((ROOT / "resources" / name).read_text(encoding="utf-8"))
        keys |= {d["key"] for d in raw[field]}
    return keys


def defined(name: str) -> bool:
    """Whether a dotted name of the page names something that exists (see the module's docstring)."""
    if name in catalogue_keys():
        return True
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        found = [m for m in modules() if m == prefix or m.endswith("." + prefix)]
        if any(in_module(m, parts[i:]) for m in found):
            return True
    return len(parts) == 2 and any(parts[1] in members(c) for c in classes().get(parts[0], []))


# ---------------------------------------------------------------- the tests


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_cited_path_exists(doc):
    paths = cited_paths(doc)
    assert len(paths) > 30, "the page cites fewer paths than expected: is the pattern still right?"
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert missing == [], "docs/architecture.md cites paths that do not exist:\n" + "\n".join(missing)


def test_every_cited_name_is_defined(doc):
    names = cited_names(doc)
    assert len(names) > 60, "the page cites fewer names than expected: is the pattern still right?"
    missing = sorted(n for n in names if not defined(n))
    assert missing == [], "docs/architecture.md cites names that are not defined:\n" + "\n".join(missing)


def test_every_link_leads_to_a_file(doc):
    links = [link for link in LINK.findall(doc) if "://" not in link]
    assert links
    missing = [link for link in links if not (DOC.parent / link).exists()]
    assert missing == []


def test_the_checker_tells_a_real_name_from_a_made_up_one():
    assert defined("cgtdesk.core.model.evaluate") and defined("registry.CHARTS") and defined("presets.MC_SEED")
    assert defined("ProjectDocument.parameterChanged") and defined("ProjectDocument.undo_stack")
    assert defined("cgtdesk.chartdata.scenario_signature")  # re-exported by the package
    assert defined("MonteCarloService.finished")  # a signal of its base, TaskRunner
    assert defined("facility.mode") and defined("breakdown.materials")
    for made_up in ("cgtdesk.core.model.no_such", "registry.NO_SUCH", "ProjectDocument.no_such", "nosuchmodule.thing"):
        assert not defined(made_up), made_up
    assert cited_paths("see `cgtdesk/gui/charts/panel.py`, and tools/gen_model_doc.py.") == {
        "cgtdesk/gui/charts/panel.py",
        "tools/gen_model_doc.py",
    }
    assert cited_names("`a.json` `np` `registry.CHARTS` `x.y z`") == {"registry.CHARTS"}


# ---------------------------------------------------------------- no document outside the repository

#: documents that live outside this repository, and issue numbers: a reader of the code has neither
OUTSIDE = re.compile(r"\b(?:MODEL|DESIGN|SOURCES)\.md\b|\b[Ii]ssue #?\d")


def _docstrings_and_comments(path: Path):
    """(line, text) of every docstring and comment of a Python file."""
    import io
    import tokenize

    source = path.read_text(encoding="utf-8")
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            yield tok.start[0], tok.string
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and ast.get_docstring(node):
            yield node.body[0].lineno, ast.get_docstring(node)


def citations_outside(path: Path, whole: bool) -> list[str]:
    """Where a file cites a document outside the repository: anywhere in it (``whole``), or in a
    test only in its docstrings and comments (a test may hold the names to check this rule)."""
    if whole:
        pieces = enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
    else:
        pieces = sorted(_docstrings_and_comments(path))
    return [f"{path.relative_to(ROOT)}:{line}" for line, text in pieces if OUTSIDE.search(text)]


def test_nothing_cites_documents_outside_the_repository():
    """Docstrings, comments and docs point at docs/model.md, docs/workbook.md, docs/architecture.md
    and docs/validation.md, never at design notes kept outside the repository or at issue numbers."""
    files = [(ROOT / "README.md", True), *((p, True) for p in sorted((ROOT / "docs").glob("*.md")))]
    for folder in ("cgtdesk", "tools", "benchmarks"):
        files += [(p, True) for p in sorted((ROOT / folder).rglob("*.py"))]
    files += [(p, False) for p in sorted((ROOT / "tests").rglob("*.py"))]
    found = [where for path, whole in files for where in citations_outside(path, whole)]
    assert found == [], "cite docs/*.md of this repository instead:\n" + "\n".join(found)


def test_the_citation_rule_sees_comments_and_docstrings(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    f = tmp_path / "t.py"
    name, issue = "MODEL" + ".md", "issue " + "5"  # spelled apart, so this file holds neither
    f.write_text(f'"""As {name} says."""\nx = "{name}"  # see {issue}\n', encoding="utf-8")
    assert citations_outside(f, whole=False) == ["t.py:1", "t.py:2"]
    assert citations_outside(f, whole=True) == ["t.py:1", "t.py:2"]
    f.write_text(f'x = "{name}"\n', encoding="utf-8")
    assert citations_outside(f, whole=False) == []
