"""The real command line in a subprocess: compute, templates, new; bad input gives exit 2 and one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_projectfile import BAD
from v2_reference import reference

from cgtdesk.core.catalogue import BREAKDOWN, catalogue

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "example.cgtproj"
TEMPLATE_IDS = ["allogeneic-cart-bioreactor", "allogeneic-msc-microcarrier", "autologous-automated", "autologous-manual"]


def run(*args, cwd=None, main_py=False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(ROOT / "main.py")] if main_py else [sys.executable, "-m", "cgtdesk"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([*cmd, *map(str, args)], cwd=cwd or ROOT, env=env, capture_output=True, text=True, timeout=120)


def assert_bad_input(r: subprocess.CompletedProcess, *words: str) -> str:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    for w in words:
        assert w in lines[0], f"{w!r} not in {lines[0]!r}"
    assert r.stdout == ""
    return lines[0]


# ----------------------------------------------------------------- bad input through compute


@pytest.mark.parametrize("content,words", [(c, w) for _, c, w in BAD], ids=[n for n, _, _ in BAD])
def test_compute_refuses_bad_project(tmp_path, content, words):
    f = tmp_path / "bad.cgtproj"
    f.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8", errors="surrogatepass")
    line = assert_bad_input(run("compute", f), *words)
    assert line.startswith("cgtdesk: bad.cgtproj: ")


@pytest.mark.parametrize(
    "name,data,words",
    [
        ("missing.cgtproj", None, ["missing.cgtproj", "no such file"]),
        ("empty.cgtproj", b"", ["empty.cgtproj", "not valid JSON"]),
        ("latin1.cgtproj", b'{"title": "Caf\xe9"}', ["latin1.cgtproj", "not UTF-8"]),
        ("folder.cgtproj", "dir", ["folder.cgtproj", "is a folder"]),
        ("notes.txt", b"{}", ["notes.txt", ".cgtproj", ".xlsx"]),
    ],
)
def test_compute_refuses_bad_files(tmp_path, name, data, words):
    f = tmp_path / name
    if data == "dir":
        f.mkdir()
    elif data is not None:
        f.write_bytes(data)
    assert_bad_input(run("compute", f), *words)


def test_usage_errors_are_exit_2():
    assert_bad_input(run("compute"), "FILE")
    assert_bad_input(run("frobnicate"), "frobnicate")
    assert_bad_input(run("compute", EXAMPLE, "--bogus"), "--bogus")


def test_help_and_version_exit_0():
    r = run("--help")
    assert r.returncode == 0 and "compute" in r.stdout
    r = run("--version")
    assert r.returncode == 0 and "CGT Desk" in r.stdout


# ----------------------------------------------------------------- compute output


def test_compute_json_shape_and_numbers():
    r = run("compute", EXAMPLE, "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["format_version"] == 1
    assert data["currency"] == "USD"
    assert {"format_version", "currency", "scenarios"} <= set(data)
    source = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert [s["name"] for s in data["scenarios"]] == [s["name"] for s in source["scenarios"]]
    flat_keys = [k for k in catalogue().results if not k.startswith("breakdown.")]
    for s, src in zip(data["scenarios"], source["scenarios"], strict=True):
        assert set(s) == {"name", "process", "mode", "results"}
        assert s["process"] == src["process"]
        assert s["mode"] == src["parameters"].get("facility.mode", "dedicated")
        res = s["results"]
        assert list(res["breakdown"]) == list(BREAKDOWN)
        assert set(res) == {"breakdown", *flat_keys}
        # the numbers of model version 2, by the independent reference (tests/core/v2_reference.py)
        params = {d["key"]: d["default"][s["process"]] for d in _raw_catalogue() if s["process"] in d["processes"]}
        params.update(src["parameters"])
        expected = reference(s["process"], params)
        for c in BREAKDOWN:
            assert res["breakdown"][c] == pytest.approx(expected[f"breakdown.{c}"], rel=1e-9)
        for k in flat_keys:
            if expected[k] is None:
                assert res[k] is None, k
            else:
                assert res[k] == pytest.approx(expected[k], rel=1e-9, abs=1e-9), k


def _raw_catalogue():
    return json.loads((ROOT / "resources" / "parameters.json").read_text(encoding="utf-8"))["parameters"]


def test_compute_table_names_every_scenario_and_result():
    r = run("compute", EXAMPLE)
    assert r.returncode == 0, r.stderr
    source = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 120  # long scenario names wrap in the header; blocks of columns
    words = r.stdout.split()
    for s in source["scenarios"]:  # each name, wrapped at word boundaries, whole words only
        assert all(w in words for w in s["name"].split()), s["name"]
    for info in catalogue().results.values():
        assert info.label in r.stdout
    modes = [m for line in lines if line.startswith("Facility mode") for m in line.split()[2:]]
    assert modes == [s["parameters"].get("facility.mode", "dedicated") for s in source["scenarios"]]
    # the first scenario's cost of goods per patient, by the independent reference, as the table shows money
    first = source["scenarios"][0]
    params = {d["key"]: d["default"][first["process"]] for d in _raw_catalogue() if first["process"] in d["processes"]}
    params.update(first["parameters"])
    assert f"USD {reference(first['process'], params)['cogs_per_patient']:,.0f}" in r.stdout


def test_main_py_gives_the_same_as_python_m_cgtdesk():
    for args in (("compute", EXAMPLE), ("compute", EXAMPLE, "--json"), ("templates",)):
        a, b = run(*args), run(*args, main_py=True)
        assert a.returncode == b.returncode == 0
        assert a.stdout == b.stdout
    a, b = run("compute", ROOT / "nope.cgtproj"), run("compute", ROOT / "nope.cgtproj", main_py=True)
    assert a.returncode == b.returncode == 2
    assert a.stderr == b.stderr


# ----------------------------------------------------------------- templates and new


def test_templates_lists_the_four():
    r = run("templates")
    assert r.returncode == 0, r.stderr
    for t in TEMPLATE_IDS:
        assert t in r.stdout
    r = run("templates", "--json")
    data = json.loads(r.stdout)
    assert set(TEMPLATE_IDS) <= {t["id"] for t in data}
    for t in data:
        assert t["process"] in ("autologous", "allogeneic")
        assert set(t["overrides"]) == set(t["sources"])


@pytest.mark.parametrize("tid", TEMPLATE_IDS)
def test_new_then_compute(tmp_path, tid):
    out = tmp_path / "new.cgtproj"
    r = run("new", "--template", tid, "-o", out, "--name", "Mine", "--title", "Client Y", "--currency", "EUR")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "new.cgtproj" in r.stderr
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["title"] == "Client Y" and saved["currency"] == "EUR"
    (s,) = saved["scenarios"]
    assert s["name"] == "Mine"
    assert set(s["parameters"]) == set(catalogue().keys_for(s["process"]))
    r = run("compute", out, "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["currency"] == "EUR"
    assert data["scenarios"][0]["name"] == "Mine"
    assert data["scenarios"][0]["results"]["cogs_per_dose"] > 0
    assert sorted(os.listdir(tmp_path)) == ["new.cgtproj"]


@pytest.mark.parametrize(
    "args,words",
    [
        (["--template", "nope", "-o", "x.cgtproj"], ["no template named 'nope'", "autologous-manual"]),
        (["--template", "autologous-manual", "-o", "x.txt"], ["x.txt", ".cgtproj"]),
        (["--template", "autologous-manual", "-o", "nodir/x.cgtproj"], ["nodir", "does not exist"]),
        (["--template", "autologous-manual", "-o", "sub.cgtproj"], ["sub.cgtproj", "is a folder"]),
        (["--template", "autologous-manual", "-o", "x.cgtproj", "--currency", ""], ["'currency'", "non-empty"]),
        (["--template", "autologous-manual", "-o", "x.cgtproj", "--name", "   "], ["'name'", "non-empty"]),
        (["-o", "x.cgtproj"], ["--template"]),
    ],
    ids=["unknown template", "wrong suffix", "no folder", "a folder", "empty currency", "blank name", "no template"],
)
def test_new_refuses_bad_input_and_writes_nothing(tmp_path, args, words):
    (tmp_path / "sub.cgtproj").mkdir()
    before = sorted(os.listdir(tmp_path))
    assert_bad_input(run("new", *args, cwd=tmp_path), *words)
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs a folder nobody can write (Linux /proc)")
def test_new_reports_a_write_failure_as_bad_input():
    assert_bad_input(run("new", "--template", "autologous-manual", "-o", "/proc/cgtdesk-test.cgtproj"), "cannot be written")


def test_new_replaces_an_existing_file_keeping_a_bak(tmp_path):
    out = tmp_path / "p.cgtproj"
    assert run("new", "--template", "autologous-manual", "-o", out).returncode == 0
    first = out.read_bytes()
    assert run("new", "--template", "allogeneic-cart-bioreactor", "-o", out).returncode == 0
    assert sorted(os.listdir(tmp_path)) == ["p.cgtproj", "p.cgtproj.bak"]
    assert (tmp_path / "p.cgtproj.bak").read_bytes() == first
