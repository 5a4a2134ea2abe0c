"""tornado, montecarlo and solve on launch-plan results from the command line: --json shapes
(docs/architecture.md), the same figures as the core, and exit 2 with the how-to-add-a-plan
sentence for a project without a plan."""

from __future__ import annotations

import json

import pytest

from cgtdesk.cli.main import main
from cgtdesk.core.analyses import solve, tornado
from cgtdesk.core.analyses.plan import NO_PLAN
from cgtdesk.io.projectfile import load_project

EX = "resources/example.cgtproj"
AUTO, MANUAL = "Autologous, automated, central", "Autologous, manual open process"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def no_plan(tmp_path):
    d = json.loads(open(EX, encoding="utf-8").read())
    d.pop("plan")
    path = tmp_path / "no_plan.cgtproj"
    path.write_text(json.dumps(d), encoding="utf-8")
    return str(path)


def test_tornado_npc_json_equals_core(capsys):
    code, out, _ = run(capsys, "tornado", EX, "--scenario", AUTO, "--result", "npc", "--json")
    assert code == 0
    d = json.loads(out)
    p = load_project(EX)
    ref = tornado(p.scenario(AUTO), "npc", plan=p.plan)
    assert d["result"] == "npc" and d["base"] == pytest.approx(ref.base, rel=1e-12)
    assert [b["key"] for b in d["bars"]] == [b.key for b in ref.bars]
    assert any(b["key"].startswith("plan.") for b in d["bars"])
    code, out, _ = run(capsys, "tornado", EX, "--scenario", AUTO, "--result", "npc")
    assert code == 0 and "Net present cost (launch plan)" in out


def test_montecarlo_plan_results_json(capsys):
    argv = ("montecarlo", EX, "--samples", "400", "--seed", "5", "--results", "npc,levelised_cogs_per_dose,peak_funding")
    code, out, _ = run(capsys, *argv, "--compare", "npc", "--json")
    assert code == 0
    d = json.loads(out)
    s = d["scenarios"][0]
    assert set(s["results"]) == {"npc", "levelised_cogs_per_dose", "peak_funding"}
    assert 0 <= s["p_plan_meets_target"] <= 1
    assert {c["result"] for c in d["comparisons"]} == {"npc"}
    code, out, _ = run(capsys, *argv, "--compare", "npc")
    assert code == 0 and "P(levelised cost of goods per dose of the launch plan <= max allowable)" in out
    code, out, _ = run(capsys, "montecarlo", EX, "--samples", "50", "--seed", "5", "--json")
    assert code == 0 and "p_plan_meets_target" not in json.loads(out)["scenarios"][0]


def test_solve_npc_and_switch_saving_json(capsys):
    p = load_project(EX)
    code, out, _ = run(
        capsys,
        "solve",
        EX,
        "--scenario",
        AUTO,
        "--vary",
        "auto.vector_cost_per_batch",
        "--result",
        "npc",
        "--target",
        "8e8",
        "--json",
    )
    assert code == 0
    ref = solve(p.scenario(AUTO), "auto.vector_cost_per_batch", "npc", 8e8, plan=p.plan)
    assert json.loads(out)["value"] == pytest.approx(ref.value, rel=1e-12)
    code, out, _ = run(
        capsys,
        "solve",
        EX,
        "--vary",
        "plan.comparability_cost",
        "--result",
        "switch_saving",
        "--switch-from",
        MANUAL,
        "--switch-to",
        AUTO,
        "--switch-year",
        "2031",
        "--json",
    )
    assert code == 0
    d = json.loads(out)
    ref = solve(
        p.scenario(AUTO),
        "plan.comparability_cost",
        "switch_saving",
        plan=p.plan,
        switch=(p.scenario(MANUAL), p.scenario(AUTO), 2031),
    )
    assert d["scenario"] == AUTO and d["target"] == 0 and d["sense"] == ">="
    assert d["switch"] == {"from": MANUAL, "to": AUTO, "year": 2031}
    assert d["value"] == pytest.approx(ref.value, rel=1e-12)


@pytest.mark.parametrize(
    "argv",
    [
        ("tornado", "--scenario", AUTO, "--result", "npc"),
        ("montecarlo", "--samples", "10", "--seed", "1", "--results", "npc"),
        ("montecarlo", "--samples", "10", "--seed", "1", "--compare", "peak_funding"),
        ("solve", "--scenario", AUTO, "--vary", "auto.vector_cost_per_batch", "--result", "levelised_cogs_per_dose"),
        (
            "solve",
            "--vary",
            "plan.comparability_cost",
            "--result",
            "switch_saving",
            "--switch-from",
            MANUAL,
            "--switch-to",
            AUTO,
            "--switch-year",
            "2031",
        ),
    ],
)
def test_plan_result_without_a_plan_exits_2(capsys, no_plan, argv):
    code, out, err = run(capsys, argv[0], no_plan, *argv[1:])
    assert code == 2 and NO_PLAN in err and "Traceback" not in err


def test_switch_options_checked(capsys):
    code, _, err = run(capsys, "solve", EX, "--vary", "plan.comparability_cost", "--result", "switch_saving", "--switch-to", AUTO)
    assert code == 2 and "--switch-from NAME --switch-to NAME --switch-year YEAR" in err
    code, _, err = run(capsys, "solve", EX, "--scenario", AUTO, "--vary", "auto.vector_cost_per_batch", "--switch-year", "2031")
    assert code == 2 and "only with --result switch_saving" in err
    code, _, err = run(capsys, "solve", EX, "--vary", "auto.vector_cost_per_batch")
    assert code == 2 and "--scenario" in err
    code, _, err = run(capsys, "tornado", EX, "--scenario", AUTO, "--result", "switch_saving")
    assert code == 2 and "unknown result" in err
