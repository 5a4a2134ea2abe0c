"""The real command line on model version 2: compute --json against an independent implementation
(tests/core/v2_reference.py) on random scenarios, version 1 files and their one note on stderr,
bad values of the version 2 keys refused with exit 2 and one message."""

from __future__ import annotations

import json
import math
import random

import pytest
from test_cli_core import ROOT, assert_bad_input, run
from v2_reference import reference

from cgtdesk.core.catalogue import BREAKDOWN, catalogue

MODES = ("dedicated", "shared", "cdmo")


def _raw_parameters() -> list[dict]:
    return json.loads((ROOT / "resources" / "parameters.json").read_text(encoding="utf-8"))["parameters"]


def _defaults(process: str) -> dict:
    return {d["key"]: d["default"][process] for d in _raw_parameters() if process in d["processes"]}


def _jitter(rng: random.Random, process: str) -> dict:
    """About half the numeric keys of the process moved by up to +-50 % from the default, inside the valid range."""
    out = {}
    for d in _raw_parameters():
        key = d["key"]
        if process not in d["processes"] or d["kind"] == "choice" or key.startswith("plan.") or rng.random() < 0.5:
            continue
        v = d["default"][process] * rng.uniform(0.5, 1.5)
        v = min(max(v, d["min"]), d["max"])
        out[key] = round(v) if d["integer"] else v
    return out


def _random_scenario(rng: random.Random, process: str, mode: str, flag: bool, n: int) -> dict:
    """One scenario: ``flag`` is the service-level rule (autologous) or a shelf life (allogeneic)."""
    while True:
        p = _jitter(rng, process)
        p["facility.mode"] = mode
        p["facility.sites"] = rng.randint(1, 6)
        p["demand.patients_per_year"] = round(math.exp(rng.uniform(math.log(10), math.log(5000))), 3)
        if process == "autologous":
            p["auto.service_level"] = rng.uniform(0.5, 0.99) if flag else 0
            p["auto.max_wait_days"] = rng.uniform(0, 10)
        else:
            p["allo.shelf_life_days"] = rng.uniform(30, 1500) if flag else 0
        full = {**_defaults(process), **p}
        try:
            reference(process, full)
        except ValueError:  # fewer than one dose per lot: an invalid scenario, drawn again
            continue
        return {"name": f"{process} {mode} {flag} #{n}", "process": process, "parameters": p}


def _random_project(seed: int) -> dict:
    rng = random.Random(seed)
    scenarios = []
    for process in ("autologous", "allogeneic"):
        for mode in MODES:
            for flag in (False, True):
                for _ in range(2):
                    scenarios.append(_random_scenario(rng, process, mode, flag, len(scenarios)))
    return {"format_version": 2, "title": f"random {seed}", "currency": "EUR", "scenarios": scenarios}


def _close(got, want) -> bool:
    if want is None:
        return got is None
    return got is not None and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_compute_json_equals_the_independent_v2_model_on_random_scenarios(tmp_path, seed):
    source = _random_project(seed)
    f = tmp_path / "random.cgtproj"
    f.write_text(json.dumps(source), encoding="utf-8")
    r = run("compute", f, "--json")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # a version 2 file: no note
    data = json.loads(r.stdout)
    assert data["currency"] == "EUR"
    flat = [k for k in catalogue().results if not k.startswith("breakdown.")]
    waits = expired = 0
    for s, src in zip(data["scenarios"], source["scenarios"], strict=True):
        assert (s["name"], s["process"], s["mode"]) == (src["name"], src["process"], src["parameters"]["facility.mode"])
        want = reference(src["process"], {**_defaults(src["process"]), **src["parameters"]})
        res = s["results"]
        assert list(res["breakdown"]) == list(BREAKDOWN)
        for c in BREAKDOWN:
            assert _close(res["breakdown"][c], want[f"breakdown.{c}"]), (
                s["name"],
                c,
                res["breakdown"][c],
                want[f"breakdown.{c}"],
            )
        assert set(res) == {"breakdown", *flat}
        for k in flat:
            assert _close(res[k], want[k]), (s["name"], k, res[k], want[k])
        waits += bool(res["slot_wait_days"])
        expired += bool(res["expired_fraction"])
    # the draw reaches the parts that version 2 added: queues that wait, lots that expire
    assert waits >= 3 and expired >= 3, (waits, expired)


# ----------------------------------------------------------------- version 1 files


def _v1_project() -> dict:
    """A version 1 file as the older app wrote it: format_version 1 and version 1 keys only."""
    v1 = {d["key"] for d in _raw_parameters() if d.get("version", 1) == 1}
    auto = {k: v for k, v in _defaults("autologous").items() if k in v1}
    allo = {k: v for k, v in _defaults("allogeneic").items() if k in v1}
    # version 1 defaults of the two keys that version 2 changed
    auto.update({"staff.site_fte": 25, "logistics.outbound_cost_per_dose": 2000, "demand.patients_per_year": 300})
    allo.update({"staff.site_fte": 25, "logistics.outbound_cost_per_dose": 2000, "demand.patients_per_year": 800})
    return {
        "format_version": 1,
        "title": "Old project",
        "currency": "USD",
        "scenarios": [
            {"name": "Auto", "process": "autologous", "parameters": auto},
            {"name": "Allo", "process": "allogeneic", "parameters": allo},
        ],
    }


@pytest.fixture
def v1_file(tmp_path):
    f = tmp_path / "old.cgtproj"
    f.write_text(json.dumps(_v1_project()), encoding="utf-8")
    return f


def _one_note(stderr: str) -> str:
    notes = [line for line in stderr.splitlines() if line.startswith("cgtdesk: note: ")]
    assert len(notes) == 1, stderr
    assert "old.cgtproj" in notes[0] and "version 1" in notes[0] and "facility.mode" in notes[0]
    return notes[0]


def test_version_1_file_computes_on_version_2_defaults_with_one_note(v1_file):
    r = run("compute", v1_file, "--json")
    assert r.returncode == 0, r.stderr
    _one_note(r.stderr)
    assert r.stderr.count("\n") == 1
    data = json.loads(r.stdout)  # stdout is plain JSON: the note is never there
    assert "note" not in r.stdout and "version 1" not in r.stdout
    for s, src in zip(data["scenarios"], _v1_project()["scenarios"], strict=True):
        assert s["mode"] == "dedicated"
        want = reference(src["process"], {**_defaults(src["process"]), **src["parameters"]})
        assert _close(s["results"]["cogs_per_dose"], want["cogs_per_dose"])
        assert _close(s["results"]["fte"], want["fte"])
    r = run("compute", v1_file)
    assert r.returncode == 0
    _one_note(r.stderr)
    assert "note" not in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("sweep", "{f}", "--points", "3", "--json"),
        ("crossover", "{f}", "--a", "Auto", "--b", "Allo", "--json"),
        ("tornado", "{f}", "--scenario", "Auto", "--json"),
        ("montecarlo", "{f}", "--samples", "50", "--seed", "1", "--json"),
        ("solve", "{f}", "--scenario", "Auto", "--vary", "auto.consumables_per_batch", "--json"),
        ("template", "export", "{f}", "--scenario", "Auto", "-o", "{d}/auto.cgttemplate"),
    ],
    ids=lambda a: "-".join(a[:2]) if a[0] == "template" else a[0],
)
def test_every_command_that_loads_a_version_1_file_notes_it_once(v1_file, args):
    r = run(*(a.format(f=v1_file, d=v1_file.parent) for a in args))
    assert r.returncode == 0, r.stderr
    _one_note(r.stderr)
    if "--json" in args:
        json.loads(r.stdout)
        assert "note" not in r.stdout


def test_plan_of_a_version_1_file_notes_it_then_says_it_has_no_plan(v1_file):
    r = run("plan", v1_file, "--json")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["exit"] == 2  # --json: an error object, no data
    _one_note(r.stderr)
    assert len(r.stderr.splitlines()) == 2 and "plan" in r.stderr.splitlines()[1]


def test_export_and_import_against_note_a_version_1_file(v1_file, tmp_path, monkeypatch, capsys):
    # in process, the workbook itself stubbed: what is checked here is the command line's note
    import cgtdesk.io.workbook as wb
    from cgtdesk.cli.main import main
    from cgtdesk.core.project import Project, new_scenario

    written = []
    monkeypatch.setattr(wb, "export_workbook", lambda project, out: written.append((project, out)))
    assert main(["export", str(v1_file), "-o", str(tmp_path / "out.xlsx")]) == 0
    assert [p.names() for p, _ in written] == [["Auto", "Allo"]]
    _one_note(capsys.readouterr().err)

    monkeypatch.setattr(wb, "read_workbook", lambda path: Project(scenarios=[new_scenario("Auto", "autologous")]))
    assert (
        main(["import", str(tmp_path / "book.xlsx"), "-o", str(tmp_path / "back.cgtproj"), "--against", str(v1_file), "--json"])
        == 0
    )
    out = capsys.readouterr()
    _one_note(out.err)
    assert "note" not in out.out
    assert json.loads(out.out)["removed"] == ["Allo"]


# ----------------------------------------------------------------- bad values of the version 2 keys


@pytest.mark.parametrize(
    "process,parameters,uncertainty,words",
    [
        ("autologous", {"facility.mode": "rented"}, {}, ["facility.mode", "rented", "dedicated"]),
        ("allogeneic", {"facility.mode": 2}, {}, ["facility.mode", "dedicated"]),
        ("autologous", {"auto.service_level": 1}, {}, ["auto.service_level", "0.999", "found 1"]),
        ("allogeneic", {"allo.shelf_life_days": -5}, {}, ["allo.shelf_life_days", "-5"]),
        ("autologous", {}, {"facility.mode": {"dist": "uniform", "low": 0, "high": 1}}, ["facility.mode", "distribution"]),
        ("allogeneic", {}, {"facility.mode": {"dist": "fixed", "value": "cdmo"}}, ["facility.mode", "distribution"]),
    ],
    ids=["unknown-mode", "mode-a-number", "service-level-1", "negative-shelf-life", "mode-uniform", "mode-fixed"],
)
@pytest.mark.parametrize("command", [("compute",), ("tornado", "--scenario", "Bad one")], ids=["compute", "tornado"])
def test_bad_version_2_values_are_exit_2_naming_scenario_and_key(tmp_path, process, parameters, uncertainty, words, command):
    good = {"name": "Fine", "process": "autologous", "parameters": {}}
    bad = {"name": "Bad one", "process": process, "parameters": parameters, "uncertainty": uncertainty}
    f = tmp_path / "bad.cgtproj"
    f.write_text(json.dumps({"format_version": 2, "title": "t", "currency": "USD", "scenarios": [good, bad]}), encoding="utf-8")
    line = assert_bad_input(run(command[0], f, *command[1:]), "bad.cgtproj", "'Bad one'", *words)
    assert line.startswith("cgtdesk: bad.cgtproj: ")
