"""The template commands in a subprocess: templates [--json] with the library, template export,
template import, template delete, new --template NAME_OR_FILE; every broken template file gives
exit 2 and one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cgtdesk.core.catalogue import catalogue

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "example.cgtproj"
PRODUCT_WORDS = ("price", "demand", "cells_per_dose", "response", "doses_per_patient", "margin", "royalty", "pathway")


def run(*args, library: Path, cwd=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", CGTDESK_LIBRARY=str(library))
    env.pop("CGTDESK_SHARED_LIBRARY", None)
    cmd = [sys.executable, "-m", "cgtdesk", *map(str, args)]
    return subprocess.run(cmd, cwd=cwd or ROOT, env=env, capture_output=True, text=True, timeout=120)


def bad(r: subprocess.CompletedProcess, *words: str) -> str:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def first_scenario() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))["scenarios"][0]


def template_raw(**changes) -> dict:
    d = {
        "format_version": 1,
        "id": "0d7c9e4a-aaaa-4bbb-8ccc-000000000001",
        "name": "Shared hospital line",
        "process": "autologous",
        "author": "C",
        "date": "2025-01-31",
        "version": 1,
        "parameters": {"facility.mode": "shared", "auto.process_days": 11},
        "sources": {"facility.mode": "hospital", "auto.process_days": "runs"},
    }
    d.update(changes)
    return d


def test_export_import_list_and_new_from_the_library(tmp_path):
    lib = tmp_path / "lib"
    scenario = first_scenario()
    out = tmp_path / "platform.cgttemplate"
    r = run(
        "template",
        "export",
        EXAMPLE,
        "--scenario",
        scenario["name"],
        "-o",
        out,
        "--name",
        "Our line",
        "--author",
        "Me",
        library=lib,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and "platform values only" in r.stderr
    text = out.read_text(encoding="utf-8")
    for word in PRODUCT_WORDS:
        assert word not in text, word
    saved = json.loads(text)
    assert saved["name"] == "Our line" and saved["author"] == "Me" and saved["version"] == 1

    r = run("template", "import", out, library=lib)
    assert r.returncode == 0, r.stderr
    assert len(list(lib.glob("*.cgttemplate"))) == 1

    r = run("templates", "--json", library=lib)
    assert r.returncode == 0, r.stderr
    rows = {t["id"]: t for t in json.loads(r.stdout)}
    mine = rows[saved["id"]]
    assert mine["version"] == 1 and mine["versions"] == [1] and mine["where"].startswith(str(lib))
    assert rows["autologous-manual"]["where"] == "bundled"
    r = run("templates", library=lib)
    assert "Our line" in r.stdout and "autologous-manual" in r.stdout

    new = tmp_path / "new.cgtproj"
    r = run("new", "--template", "Our line", "-o", new, library=lib)
    assert r.returncode == 0, r.stderr
    (s,) = json.loads(new.read_text(encoding="utf-8"))["scenarios"]
    assert s["template"] == {"id": saved["id"], "version": 1}
    cat = catalogue()
    for key in cat.platform_keys(s["process"]):
        assert s["parameters"][key] == scenario["parameters"][key], key
    for key in cat.product_keys(s["process"]):
        assert s["parameters"][key] == cat.parameters[key].default[s["process"]], key
    r = run("compute", new, "--json", library=lib)
    assert r.returncode == 0, r.stderr


def test_new_from_a_template_file(tmp_path):
    f = tmp_path / "line.cgttemplate"
    f.write_text(json.dumps(template_raw()), encoding="utf-8")
    out = tmp_path / "p.cgtproj"
    r = run("new", "--template", f, "-o", out, "--name", "Mine", library=tmp_path / "lib")
    assert r.returncode == 0, r.stderr
    (s,) = json.loads(out.read_text(encoding="utf-8"))["scenarios"]
    assert s["name"] == "Mine" and s["parameters"]["facility.mode"] == "shared" and s["parameters"]["auto.process_days"] == 11
    assert s["parameters"]["demand.patients_per_year"] == catalogue().parameters["demand.patients_per_year"].default["autologous"]


def test_the_newest_version_in_a_shared_folder_wins(tmp_path):
    lib, shared = tmp_path / "lib", tmp_path / "shared"
    for folder, version in ((lib, 1), (shared, 2)):
        folder.mkdir()
        (folder / f"t{version}.cgttemplate").write_text(json.dumps(template_raw(version=version)), encoding="utf-8")
    r = run("templates", "--json", "--shared", shared, library=lib)
    assert r.returncode == 0, r.stderr
    (row,) = [t for t in json.loads(r.stdout) if t["id"] == template_raw()["id"]]
    assert row["version"] == 2 and row["versions"] == [1, 2] and row["where"] == str(shared / "t2.cgttemplate")


def test_a_broken_library_file_is_noted_and_skipped(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "broken.cgttemplate").write_text("{", encoding="utf-8")
    r = run("templates", "--json", library=lib)
    assert r.returncode == 0
    assert "broken.cgttemplate" in r.stderr and "skipped" in r.stderr
    assert {t["where"] for t in json.loads(r.stdout)} == {"bundled"}


def test_delete(tmp_path):
    lib = tmp_path / "lib"
    f = tmp_path / "line.cgttemplate"
    f.write_text(json.dumps(template_raw()), encoding="utf-8")
    assert run("template", "import", f, library=lib).returncode == 0
    r = run("template", "delete", template_raw()["id"], library=lib)
    assert r.returncode == 0, r.stderr
    assert list(lib.glob("*.cgttemplate")) == []
    bad(run("template", "delete", "autologous-manual", library=lib), "bundled")


BROKEN = [
    ("not json", "{", ["broken.cgttemplate", "not valid JSON at line 1"]),
    (
        "product",
        template_raw(parameters={"demand.patients_per_year": 9}, sources={"demand.patients_per_year": "x"}),
        ["demand.patients_per_year is a product value; templates hold platform values only"],
    ),
    (
        "range",
        template_raw(parameters={"auto.process_days": 1000}, sources={"auto.process_days": "x"}),
        ["'auto.process_days'", "from 0.1 to 365, found 1000"],
    ),
    ("process", template_raw(process="other"), ["'process'"]),
    ("unknown key", template_raw(parameters={"auto.nope": 1}, sources={"auto.nope": "x"}), ["unknown parameter 'auto.nope'"]),
    ("version", template_raw(format_version=7), ["'format_version': expected 1, found 7"]),
]


@pytest.mark.parametrize("content,words", [(c, w) for _, c, w in BROKEN], ids=[n for n, _, _ in BROKEN])
def test_every_broken_template_file_gives_exit_2_and_one_line(tmp_path, content, words):
    lib = tmp_path / "lib"
    f = tmp_path / "broken.cgttemplate"
    f.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    bad(run("template", "import", f, library=lib), *words)
    assert not lib.exists() or list(lib.iterdir()) == []
    bad(run("new", "--template", f, "-o", tmp_path / "x.cgtproj", library=lib), *words)
    assert not (tmp_path / "x.cgtproj").exists()


def test_export_refuses_bad_input(tmp_path):
    lib = tmp_path / "lib"
    bad(
        run("template", "export", EXAMPLE, "--scenario", "nope", "-o", tmp_path / "x.cgttemplate", library=lib),
        "no scenario named 'nope'",
    )
    name = first_scenario()["name"]
    bad(run("template", "export", EXAMPLE, "--scenario", name, "-o", tmp_path / "x.txt", library=lib), ".cgttemplate")
    bad(
        run("template", "export", EXAMPLE, "--scenario", name, "-o", tmp_path / "x.cgttemplate", "--id", "a b", library=lib),
        "'id'",
    )
    assert sorted(os.listdir(tmp_path)) == []
