"""``plan`` through the real command line, against the independent plain-Python launch plan of
tests/core/plan_reference.py on random projects (S-curves and explicit paths, both processes,
every facility mode, lead times, look-ahead, replacements within the horizon, residual values,
switches and their best year); bad plans exit 2 with one line; CSV and the readable table."""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from plan_reference import CATS, demand_path, scenario_plan, summary, switch_analysis, switch_series

from cgtdesk.cli.main import main
from cgtdesk.core.catalogue import catalogue

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "example.cgtproj"
RTOL = 1e-9


def run_cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- random projects


def _random_scenario(rng: random.Random, i: int, process: str) -> dict:
    p = catalogue().defaults(process)
    p["facility.mode"] = rng.choice(["dedicated", "dedicated", "shared", "cdmo"])
    p["facility.sites"] = rng.choice([1, 1, 2, 3])
    p["finance.discount_rate"] = rng.choice([0.0, 0.08, rng.uniform(0.001, 0.2)])
    p["finance.equipment_life_years"] = rng.choice([1, 2, 3.5, 5, 7])
    p["finance.building_life_years"] = rng.choice([2, 4.2, 6, 20])
    p["plan.facility_lead_years"] = rng.randint(0, 4)
    p["plan.equipment_lead_years"] = rng.randint(0, 3)
    p["plan.startup_cost_rate"] = rng.uniform(0, 0.3)
    p["plan.ppq_batches"] = rng.randint(0, 5)
    p["plan.comparability_cost"] = rng.uniform(0, 1e7)
    p["commercial.royalty_rate"] = rng.choice([0.0, 0.05])
    p["demand.doses_per_patient"] = rng.choice([1, 1, 2])
    if process == "autologous":
        p["auto.service_level"] = rng.choice([0.0, 0.9, 0.95])
        p["auto.devices_per_suite"] = rng.choice([1, 4, 6])
        p["auto.batch_success_rate"] = rng.uniform(0.8, 1.0)
    else:
        p["allo.bioreactor_volume_l"] = rng.choice([20, 50, 200])
        p["allo.shelf_life_days"] = rng.choice([0, 90, 730])
        p["allo.bioreactors_per_suite"] = rng.choice([1, 2])
    return {"name": f"S{i} {process} {p['facility.mode']}", "process": process, "parameters": p}


def random_project(seed: int) -> dict:
    rng = random.Random(seed)
    scenarios = [_random_scenario(rng, i, rng.choice(["autologous", "allogeneic"])) for i in range(rng.randint(2, 3))]
    years = rng.randint(1, 18)
    first = rng.randint(2020, 2035)
    peak = rng.choice([50, 300, 2000, 8000])
    if rng.random() < 0.5:
        demand = {
            "launch_year": first + rng.randint(0, years - 1),
            "peak_patients_per_year": peak,
            "years_to_peak": rng.randint(1, 8),
        }
    else:
        path = [rng.choice([0, 0, rng.uniform(1, peak), peak]) for _ in range(years)]
        demand = {"patients_per_year": path}
    names = [s["name"] for s in scenarios]
    switches = []
    for _ in range(rng.randint(0, 2)):
        a, b = rng.sample(names, 2)
        switches.append({"from": a, "to": b, "year": first + rng.randint(0, years - 1)})
    plan = {"first_year": first, "years": years, "demand": demand, "look_ahead_years": rng.randint(0, 3), "switches": switches}
    return {"format_version": 2, "title": f"random {seed}", "currency": "USD", "scenarios": scenarios, "plan": plan}


def close(a, b, scale: float = 1.0) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= RTOL * max(abs(b), scale, 1.0)


def _compare_years(got_years: list, ref: dict, fields, where: str) -> None:
    scale = max(abs(v) for f in ("cost", "revenue", "capex") for v in ref[f]) if ref["cost"] else 1.0
    for t, row in enumerate(got_years):
        for f in fields:
            got = row["breakdown"][f] if f in CATS else row[f]
            assert close(got, ref[f][t], scale), (where, row["year"], f, got, ref[f][t])


def _compare_summary(got: dict, ref: dict, where: str) -> None:
    for k, v in ref.items():
        assert close(got[k], v, abs(ref["npc"])), (where, k, got[k], v)


SCENARIO_FIELDS = ("patients", "doses", "planning_patients", "units", "suites", "batches", "utilisation", *CATS)
SCENARIO_FIELDS += ("capex", "startup", "cost", "revenue", "cumulative_cash")


@pytest.mark.parametrize("seed", range(40))
def test_plan_json_matches_the_independent_reference(tmp_path, seed):
    d = random_project(seed)
    path = tmp_path / "p.cgtproj"
    path.write_text(json.dumps(d), encoding="utf-8")
    code, out, err = run_cli("plan", path, "--json")
    assert code == 0, err
    got = json.loads(out)
    plan = d["plan"]
    D = demand_path(plan)
    k = plan["look_ahead_years"]
    assert got["first_year"] == plan["first_year"] and got["years"] == plan["years"]
    assert all(close(a, b) for a, b in zip(got["patients"], D, strict=True))
    by_name = {s["name"]: s for s in d["scenarios"]}
    for s, g in zip(d["scenarios"], got["scenarios"], strict=True):
        assert g["name"] == s["name"]
        ref = scenario_plan(s["process"], s["parameters"], D, k)
        assert [r["year"] for r in g["years"]] == list(range(plan["first_year"], plan["first_year"] + plan["years"]))
        _compare_years(g["years"], ref, SCENARIO_FIELDS, s["name"])
        _compare_summary(g["summary"], summary(ref, s["parameters"]["finance.discount_rate"]), s["name"])
    for sw, g in zip(plan["switches"], got["switches"], strict=True):
        a, b = by_name[sw["from"]], by_name[sw["to"]]
        assert (g["from"], g["to"], g["year"]) == (sw["from"], sw["to"], sw["year"])
        y = sw["year"] - plan["first_year"] + 1
        ref = switch_series(a["process"], a["parameters"], b["process"], b["parameters"], D, k, y)
        fields = ["patients", "doses", *CATS, "capex", "startup", "comparability", "cost", "revenue", "cumulative_cash"]
        if a["process"] == b["process"]:
            fields += ["units", "suites", "batches"]
        else:
            assert all(r["units"] is None and r["batches"] is None for r in g["years"])
        _compare_years(g["years"], ref, fields, f"switch {sw}")
        _compare_summary(g["summary"], summary(ref, a["parameters"]["finance.discount_rate"]), f"switch {sw}")
        by_year, best = switch_analysis(a["process"], a["parameters"], b["process"], b["parameters"], D, k, plan["first_year"])
        assert [e["year"] for e in g["by_switch_year"]] == [yr for yr, _ in by_year]
        scale = max(abs(v) for _, v in by_year)
        assert all(close(e["npc"], v, scale) for e, (_, v) in zip(g["by_switch_year"], by_year, strict=True))
        assert g["best_year"] == best


def test_random_projects_cover_the_cases():
    """The random projects above reach every mode, both processes, both demand forms,
    replacements within the horizon, switches between processes and a switch with a best year."""
    seen = set()
    for seed in range(40):
        d = random_project(seed)
        for s in d["scenarios"]:
            p = s["parameters"]
            seen.add(p["facility.mode"])
            seen.add(s["process"])
            if p["finance.equipment_life_years"] < d["plan"]["years"]:
                seen.add("replacement")
        seen.add("scurve" if "launch_year" in d["plan"]["demand"] else "path")
        if d["plan"]["switches"]:
            seen.add("switch")
    assert seen >= {"dedicated", "shared", "cdmo", "autologous", "allogeneic", "scurve", "path", "replacement", "switch"}


# ---------------------------------------------------------------- the example and the other outputs


def _subprocess(*args) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "cgtdesk", *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_example_plan_as_a_process():
    r = _subprocess("plan", EXAMPLE, "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert set(got) == {"first_year", "years", "patients", "scenarios", "switches"}
    assert got["first_year"] == 2027 and got["years"] == 15
    assert len(got["scenarios"]) == len(d["scenarios"]) and len(got["switches"]) == 1
    s = got["scenarios"][0]
    assert set(s) == {"name", "summary", "years"}
    assert set(s["summary"]) == {
        "npc",
        "levelised_cogs_per_dose",
        "npv_gross_profit",
        "peak_funding",
        "capex_cash",
        "startup_cash",
    }
    assert set(s["years"][0]) == {"year", "patients", "doses", "planning_patients", "units", "suites", "batches"} | {
        "utilisation",
        "breakdown",
        "capex",
        "startup",
        "cost",
        "revenue",
        "cumulative_cash",
    }
    sw = got["switches"][0]
    assert set(sw) == {"from", "to", "year", "summary", "years", "by_switch_year", "best_year"}
    assert len(sw["by_switch_year"]) == 16 and sw["by_switch_year"][-1]["year"] == 2042
    # S-curve by hand: launch 2029 (t = 3), 5 years to peak: x = 1/5 -> 1500 (3/25 - 2/125) = 156
    assert got["patients"][:3] == pytest.approx([0, 0, 156], rel=1e-12)
    assert got["patients"][6:] == pytest.approx([1500] * 9, rel=1e-12)


def test_scenario_option_and_readable_table():
    name = "Autologous, automated, central"
    code, out, err = run_cli("plan", EXAMPLE, "--scenario", name, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert [s["name"] for s in got["scenarios"]] == [name]
    assert len(got["switches"]) == 1  # the switch names it
    code, out, err = run_cli("plan", EXAMPLE)
    assert code == 0 and err == ""
    assert "Net present cost" in out and "2041" in out and "cumulative_cash" in out
    assert any("," in w and w.replace(",", "").isdigit() for w in out.split())  # thousands separators


def test_csv_one_row_per_scenario_and_year_safe_against_formulas(tmp_path):
    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    d["scenarios"][0]["name"] = "=HYPERLINK(1)"
    d["scenarios"][1]["name"] = "+1"
    d["scenarios"][2]["name"] = "-x"
    d["scenarios"][3]["name"] = "@SUM(A1)"
    d["plan"]["switches"] = []
    path = tmp_path / "p.cgtproj"
    path.write_text(json.dumps(d), encoding="utf-8")
    code, out, err = run_cli("plan", path, "--csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:2] == ["scenario", "year"] and "comparability" in rows[0]
    assert len(rows) == 1 + 15 * len(d["scenarios"])
    names = {r[0] for r in rows[1:]}
    assert {"'=HYPERLINK(1)", "'+1", "'-x", "'@SUM(A1)"} <= names
    assert not any(n[:1] in "=+-@\t\r" for n in names)


# ---------------------------------------------------------------- bad plans


def _bad(tmp_path, mutate) -> str:
    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    mutate(d)
    path = tmp_path / "bad.cgtproj"
    path.write_text(json.dumps(d), encoding="utf-8")
    code, out, err = run_cli("plan", path, "--json")
    assert code == 2, (code, err)
    assert json.loads(out) == {"error": {"message": err.strip(), "exit": 2}} and "Traceback" not in err  # --json
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def _set(path, value):
    def mutate(d):
        node = d["plan"]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


BAD_PLANS = [
    (("years",), 0, "plan.years"),
    (("years",), 41, "plan.years"),
    (("years",), "15", "plan.years"),
    (("first_year",), 1800, "plan.first_year"),
    (("demand",), {"patients_per_year": [100] * 14}, "plan.demand.patients_per_year"),
    (("demand",), {"patients_per_year": [100] * 14 + [-1]}, "plan.demand.patients_per_year[14]"),
    (("demand",), {"patients_per_year": [100] * 14 + ["many"]}, "plan.demand.patients_per_year[14]"),
    (("demand",), {"patients_per_year": [0.5] + [100] * 14}, "plan.demand.patients_per_year[0]"),
    (("demand", "launch_year"), 2042, "plan.demand.launch_year"),
    (("demand", "launch_year"), 2026, "plan.demand.launch_year"),
    (("demand", "years_to_peak"), 0, "plan.demand.years_to_peak"),
    (("demand", "peak_patients_per_year"), -5, "plan.demand.peak_patients_per_year"),
    (("demand", "shape"), "s", "plan.demand"),
    (("look_ahead_years",), 11, "plan.look_ahead_years"),
    (("switches",), [{"from": "nobody", "to": "Autologous, automated, central", "year": 2032}], "plan.switches[0].from"),
    (("switches",), [{"from": "Autologous, manual open process", "to": "x", "year": 2032}], "plan.switches[0].to"),
    (
        ("switches",),
        [{"from": "Autologous, manual open process", "to": "Autologous, manual open process", "year": 2032}],
        "plan.switches[0]",
    ),
    (
        ("switches",),
        [{"from": "Autologous, manual open process", "to": "Autologous, automated, central", "year": 2042}],
        "plan.switches[0].year",
    ),
    (("colour",), "blue", "plan"),
]


@pytest.mark.parametrize(("path", "value", "words"), BAD_PLANS, ids=[w + "=" + repr(v)[:20] for _, v, w in BAD_PLANS])
def test_bad_plans_are_refused_with_one_line(tmp_path, path, value, words):
    line = _bad(tmp_path, _set(path, value))
    assert words in line and "bad.cgtproj" in line, line


def test_plan_not_an_object(tmp_path):
    line = _bad(tmp_path, lambda d: d.update(plan=[1, 2]))
    assert "plan" in line


def test_a_project_without_a_plan_says_how_to_add_one(tmp_path):
    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    del d["plan"]
    path = tmp_path / "noplan.cgtproj"
    path.write_text(json.dumps(d), encoding="utf-8")
    r = _subprocess("plan", path)
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert len(r.stderr.splitlines()) == 1
    assert '"plan"' in r.stderr and "Launch plan view" in r.stderr


def test_bad_plans_change_nothing_else(tmp_path):
    """A refused plan refuses the whole project (compute too): nothing is loaded in part."""
    d = copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    d["plan"]["years"] = 0
    path = tmp_path / "bad.cgtproj"
    path.write_text(json.dumps(d), encoding="utf-8")
    code, out, err = run_cli("compute", path, "--json")
    assert code == 2 and "results" not in json.loads(out)["error"] and "plan.years" in err
