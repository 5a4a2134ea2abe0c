"""The analysis commands: --json shapes of docs/architecture.md, tables, CSV, and exit 2 on bad input."""

import csv
import io
import json

import pytest

from cgtdesk.cli.main import main
from cgtdesk.core.analyses import crossover
from cgtdesk.core.model import evaluate
from cgtdesk.io import load_any
from cgtdesk.io.projectfile import load_project

EX = "resources/example.cgtproj"
A, B = "Autologous, automated, central", "Autologous, decentralised (4 sites)"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sweep_json_and_csv(capsys):
    code, out, _ = run(capsys, "sweep", EX, "--result", "units", "--from", "10", "--to", "1000", "--points", "3", "--json")
    assert code == 0
    d = json.loads(out)
    assert set(d) >= {"result", "demand", "scenarios"} and d["result"] == "units"
    assert d["demand"] == pytest.approx([10, 100, 1000])
    s = load_any(EX).scenario(A)
    first = d["scenarios"][0]
    assert first["name"] == A
    assert first["values"][1] == evaluate(s.process, dict(s.parameters, **{"demand.patients_per_year": 100.0}))["units"]
    code, out, _ = run(capsys, "sweep", EX, "--points", "4", "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0][0] == "demand.patients_per_year" and rows[0][1] == A and len(rows) == 5
    code, out, _ = run(capsys, "sweep", EX, "--points", "4")
    assert code == 0 and "Patients/yr" in out and "USD" in out


def test_crossover_json(capsys):
    code, out, _ = run(capsys, "crossover", EX, "--a", A, "--b", B, "--json")
    d = json.loads(out)
    assert code == 0 and {"a", "b", "result", "crossings", "b_cheaper_from"} <= set(d)
    assert d["a"] == A and d["b"] == B and d["result"] == "cogs_per_dose"
    # the command line prints the core's crossings (located by tests/test_analysis_sweep_crossover.py)
    project = load_project(EX)
    core = crossover(project.scenario(A), project.scenario(B))
    assert d["crossings"] == pytest.approx(core.crossings, rel=1e-12) and len(d["crossings"]) >= 1
    assert d["b_cheaper_from"] == pytest.approx(d["crossings"][-1])
    code, out, _ = run(capsys, "crossover", EX, "--a", B, "--b", A, "--from", "1", "--to", "100", "--json")
    assert json.loads(out)["b_cheaper_from"] == 1.0
    code, out, _ = run(capsys, "crossover", EX, "--a", A, "--b", B)
    assert code == 0 and "stays below" in out


def test_tornado_json(capsys):
    code, out, _ = run(capsys, "tornado", EX, "--scenario", A, "--json")
    d = json.loads(out)
    assert code == 0 and d["scenario"] == A and d["result"] == "cogs_per_dose"
    bar = d["bars"][0]
    assert {"key", "low", "high", "result_low", "result_high", "swing"} <= set(bar)
    swings = [b["swing"] for b in d["bars"]]
    assert swings == sorted(swings, reverse=True)
    assert bar["swing"] == pytest.approx(abs(bar["result_high"] - bar["result_low"]))
    code, out, _ = run(capsys, "tornado", EX, "--scenario", A)
    assert code == 0 and "Swing" in out


def test_montecarlo_json(capsys):
    code, out, _ = run(capsys, "montecarlo", EX, "--samples", "3000", "--seed", "4", "--json")
    d = json.loads(out)
    assert code == 0 and d["samples"] == 3000 and d["seed"] == 4
    s = d["scenarios"][0]
    assert {"name", "invalid_samples", "results", "p_meets_target", "sensitivity"} <= set(s)
    assert set(s["results"]["cogs_per_dose"]) >= {"mean", "sd", "p5", "p10", "p50", "p90", "p95"}
    rhos = [abs(x["spearman"]) for x in s["sensitivity"]]
    assert rhos == sorted(rhos, reverse=True)
    n = len(d["scenarios"])  # every ordered pair of the example's scenarios
    assert n >= 5 and len(d["comparisons"]) == n * (n - 1) and {"a", "b", "p_b_cheaper"} <= set(d["comparisons"][0])
    code2, out2, _ = run(capsys, "montecarlo", EX, "--samples", "3000", "--seed", "4", "--json")
    assert out2 == out
    code, out, _ = run(capsys, "montecarlo", EX, "--samples", "2000", "--seed", "1", "--results", "units,fte")
    assert code == 0 and "P(B cheaper than A)" in out


def test_solve_json(capsys):
    vary = ("--vary", "auto.vector_cost_per_batch")
    code, out, _ = run(capsys, "solve", EX, "--scenario", A, *vary, "--target", "max_allowable", "--json")
    d = json.loads(out)
    assert code == 0
    assert {"scenario", "vary", "result", "target", "reachable", "value", "achieved"} <= set(d)
    assert d["reachable"] and d["target"] == pytest.approx(100000) and d["achieved"] <= d["target"]
    code, out, _ = run(capsys, "solve", EX, "--scenario", A, "--vary", "auto.vector_cost_per_batch", "--target", "10", "--json")
    d = json.loads(out)
    assert d["reachable"] is False and d["value"] is None and d["achieved"] is None
    code, out, _ = run(capsys, "solve", EX, "--scenario", A, "--vary", "auto.batch_success_rate", "--target", "max_allowable")
    assert code == 0 and "Batch success rate at " in out and "% or more" in out  # the lowest rate that meets it


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["sweep", EX, "--points", "0"], "--points"),
        (["sweep", EX, "--from", "100", "--to", "10"], "'from' below 'to'"),
        (["sweep", EX, "--result", "nope"], "cogs_per_dose"),
        (["crossover", EX, "--a", "nope", "--b", A], A),
        (["tornado", EX, "--scenario", "nope"], A),
        (["solve", EX, "--scenario", A, "--vary", "auto.nope"], "unknown parameter"),
        (["solve", EX, "--scenario", A, "--vary", "allo.dsp_yield"], "not a parameter"),
        (["solve", EX, "--scenario", A, "--vary", "auto.process_days", "--target", "lots"], "--target"),
        (["montecarlo", EX, "--samples", "0", "--seed", "1"], "--samples"),
        (["montecarlo", EX, "--samples", "10000001", "--seed", "1"], "--samples"),
        (["montecarlo", EX, "--samples", "10", "--seed", "-3"], "--seed"),
        (["montecarlo", EX, "--samples", "ten", "--seed", "1"], "--samples"),
    ],
)
def test_bad_input_exits_2_with_one_message(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
