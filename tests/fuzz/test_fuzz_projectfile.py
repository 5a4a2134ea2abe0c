"""Fuzzing project files through the real loader and the real command line (in-process).

The contract (README.md, "Command line"): every file either loads and computes (exit 0, JSON
with one entry per scenario) or is refused with exit status 2 and exactly one message line on
stderr, never a traceback and never any other exception or exit status. Generated inputs are
valid projects, projects with random mutations (random types, missing and extra keys, random
values including booleans, NaN, huge numbers, strings and nesting, random scenario counts),
arbitrary JSON, and random bytes or truncations of a valid file.

Bounded for CI: a few hundred examples per test, no deadline per example.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgtdesk.cli.main import main
from cgtdesk.core.errors import InputError
from cgtdesk.core.model import evaluate_scenario
from cgtdesk.io.projectfile import load_project, parse_project_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_TEXT = (ROOT / "resources" / "example.cgtproj").read_text(encoding="utf-8")
EXAMPLE = json.loads(EXAMPLE_TEXT)
TEMPLATES = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "resources" / "templates").glob("*.json"))]

FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    database=None,
)

_TMP = Path(tempfile.mkdtemp(prefix="cgtdesk-fuzz-"))


# ---------------------------------------------------------------- the contract


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def assert_contract(path: Path) -> int:
    """compute PATH --json either succeeds or is refused with exit 2 and one message line."""
    code, out, err = run_cli(["compute", str(path), "--json"])
    assert "Traceback" not in err and "Traceback" not in out
    if code == 0:
        data = json.loads(out)
        assert data["scenarios"], "a computed project holds at least one scenario"
        for s in data["scenarios"]:
            assert set(s["results"]) >= {"breakdown", "cogs_per_dose", "total_annual_cost"}
        # nothing on stderr but notes (a version 1 file) and warnings (a base value outside its
        # distribution), one line each
        assert all(line.startswith(("cgtdesk: note: ", "cgtdesk: warning: ")) for line in err.splitlines()), err
        assert sum(line.startswith("cgtdesk: note: ") for line in err.splitlines()) <= 1, err
    else:
        assert code == 2, f"exit {code} (expected 0 or 2): {err!r}"
        lines = err.splitlines()
        assert len(lines) == 1, f"expected exactly one message line, found {len(lines)}: {err!r}"
        assert lines[0].startswith("cgtdesk") and len(lines[0]) > 20, err
        assert json.loads(out) == {"error": {"message": lines[0], "exit": 2}}  # --json: the error as JSON
    return code


def assert_loader_contract(text: str) -> None:
    """The loader itself: a Project that computes, or InputError; never another exception."""
    try:
        project = parse_project_text(text, "fuzz.cgtproj")
    except InputError as e:
        assert str(e).startswith("fuzz.cgtproj"), str(e)
        return
    assert project.scenarios
    for s in project.scenarios:
        r = evaluate_scenario(s)  # a loaded project computes: no DomainError after loading
        assert r["cogs_per_dose"] is None or math.isfinite(r["cogs_per_dose"]) or r["cogs_per_dose"] == math.inf


_counter = iter(range(10**9))


def write(content: str | bytes, suffix: str = ".cgtproj") -> Path:
    p = _TMP / f"f{next(_counter)}{suffix}"
    if isinstance(content, str):
        p.write_text(content, encoding="utf-8", errors="surrogatepass")
    else:
        p.write_bytes(content)
    return p


# ---------------------------------------------------------------- strategies

_finite = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    _finite,
    st.sampled_from([0, 1, -1, 0.5, 1e308, -1e308, 5e-324, 2**63, 10**400, 1e-300, 0.95, 500, 1e8]),
    st.text(max_size=20),
    st.sampled_from(["", " ", "500", "1e3", "NaN", "autologous", "allogeneic", "triangular", "\n", "a\nb", "\u202e", "\x00"]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=12,
)


def _locations(obj, path=()):
    """Every (path) into a JSON tree: dict keys and list indices."""
    yield path
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _locations(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _locations(v, (*path, i))


def _get(obj, path):
    for p in path:
        obj = obj[p]
    return obj


@st.composite
def mutated_projects(draw):
    """A valid project (the example, or templates) with 0-4 random mutations."""
    base = draw(st.sampled_from(["example", "templates"]))
    if base == "example":
        d = copy.deepcopy(EXAMPLE)
        n = draw(st.integers(min_value=1, max_value=len(d["scenarios"])))
        d["scenarios"] = draw(st.permutations(d["scenarios"]))[:n]
    else:
        chosen = draw(st.lists(st.sampled_from(TEMPLATES), min_size=1, max_size=8))
        d = {
            "format_version": 1,
            "title": draw(st.text(max_size=30)),
            "currency": draw(st.sampled_from(["USD", "EUR", "GBP", "CHF"])),
            "scenarios": [
                {
                    "name": f"{t['name']} #{i}",
                    "process": t["process"],
                    "parameters": {k: v["value"] for k, v in t["parameters"].items()},
                }
                for i, t in enumerate(chosen)
            ],
        }
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        locs = list(_locations(d))
        path = draw(st.sampled_from(locs))
        action = draw(st.sampled_from(["replace", "delete", "add", "duplicate", "numeric"]))
        if action == "replace":
            if not path:
                d = draw(json_values)
                break
            parent = _get(d, path[:-1])
            parent[path[-1]] = draw(json_values)
        elif action == "delete" and path:
            parent = _get(d, path[:-1])
            del parent[path[-1]]
        elif action == "add":
            target = _get(d, path)
            if isinstance(target, dict):
                key = draw(
                    st.one_of(
                        st.text(max_size=30),
                        st.sampled_from(
                            [
                                "demand.patients_per_year",
                                "allo.bioreactor_volume_l",
                                "auto.process_days",
                                "dist",
                                "rho",
                                "a",
                                "b",
                                "name",
                                "scenarios",
                                "uncertainty",
                            ]
                        ),
                    )
                )
                target[key] = draw(json_values)
            elif isinstance(target, list):
                target.insert(draw(st.integers(0, len(target))), draw(json_values))
        elif action == "duplicate":
            target = _get(d, path)
            if isinstance(target, list) and target:
                target.extend(copy.deepcopy(target[: draw(st.integers(1, len(target)))]))
        elif action == "numeric" and path:
            parent = _get(d, path[:-1])
            old = parent[path[-1]]
            if isinstance(old, (int, float)) and not isinstance(old, bool):
                parent[path[-1]] = draw(
                    st.one_of(
                        st.just(old * draw(st.sampled_from([-1, 0, 0.5, 2, 10, 1e6, 1e300]))),
                        st.just(float(old) + 0.5),
                        st.floats(allow_nan=True, allow_infinity=True),
                        st.integers(-(10**20), 10**20),
                    )
                )
    return d


def dumps(d) -> str:
    """JSON as a person or another program might write it: NaN/Infinity literals allowed."""
    try:
        return json.dumps(d, ensure_ascii=False)
    except (ValueError, TypeError, OverflowError):
        return json.dumps(d, ensure_ascii=True)


# ---------------------------------------------------------------- tests


def test_example_loads_and_computes():
    assert assert_contract(ROOT / "resources" / "example.cgtproj") == 0


@FUZZ
@given(mutated_projects())
def test_mutated_projects(d):
    text = dumps(d)
    assert_loader_contract(text)
    assert_contract(write(text))


@FUZZ
@given(json_values)
def test_arbitrary_json(d):
    text = dumps(d)
    assert_loader_contract(text)
    assert assert_contract(write(text)) == 2  # no arbitrary JSON value is a project


@FUZZ
@given(st.data())
def test_random_bytes_and_truncations(data):
    raw = EXAMPLE_TEXT.encode("utf-8")
    kind = data.draw(st.sampled_from(["truncate", "flip", "insert", "random"]))
    if kind == "truncate":
        # cut before the closing brace: dropping only trailing white space leaves a whole file
        raw = raw[: data.draw(st.integers(0, len(raw.rstrip()) - 1))]
    elif kind == "flip":
        b = bytearray(raw)
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(b) - 1))
            b[i] = data.draw(st.integers(0, 255))
        raw = bytes(b)
    elif kind == "insert":
        i = data.draw(st.integers(0, len(raw)))
        raw = raw[:i] + data.draw(st.binary(min_size=1, max_size=16)) + raw[i:]
    else:
        raw = data.draw(st.binary(max_size=2000))
    path = write(raw)
    code = assert_contract(path)
    if kind == "truncate":
        assert code == 2  # a truncated file is never taken for a whole one
    try:
        project = load_project(path)
    except InputError:
        return
    for s in project.scenarios:
        evaluate_scenario(s)


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000,
        '{"a":' * 50_000,
        "",
        "\ufeff",
        "null",
        "{}",
        '{"format_version": 1}',
        '{"format_version": 1, "scenarios": []}',
        '{"format_version": NaN, "scenarios": []}',
        '{"format_version": 1, "format_version": 1, "scenarios": []}',
        '{"format_version": 1e400}',
        '{"format_version": 1, "scenarios": [' + ",".join(['{"name": "a", "process": "autologous"}'] * 2) + "]}",
        '{"format_version": 1, "scenarios": [{"name": "x", "process": "autologous", "parameters": {"demand.patients_per_year": 1'
        + "0" * 5000
        + "}}]}",
        '{"format_version": 1, "scenarios": [{"name": "x\\ny", "process": "autologous", "parameters": {"demand.patients_per_year": -1}}]}',
        '{"format_version": 1, "scenarios": [{"name": "x", "process": "allogeneic", "parameters": {"allo.bioreactor_volume_l": 0.001}}]}',
    ],
)
def test_hand_picked_nasties(content):
    assert_contract(write(content))
    assert_loader_contract(content)


@pytest.mark.parametrize("name", ["folder", "missing", "binary.cgtproj", "wrong.suffix"])
def test_paths_that_are_not_project_files(name):
    if name == "folder":
        p = _TMP / "adir.cgtproj"
        p.mkdir(exist_ok=True)
    elif name == "missing":
        p = _TMP / "nope" / "missing.cgtproj"
    elif name == "binary.cgtproj":
        p = write(bytes(range(256)) * 10)
    else:
        p = write("{}", suffix=".pdf")
    assert assert_contract(p) == 2
