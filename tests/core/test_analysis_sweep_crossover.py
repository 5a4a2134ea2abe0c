"""Demand sweep and crossover against single evaluations, hand-worked crossings and a dense scan."""

import math

import numpy as np
import pytest

from cgtdesk.core.analyses import crossover, demand_grid, sweep
from cgtdesk.core.errors import InputError
from cgtdesk.core.model import evaluate
from cgtdesk.core.project import new_scenario
from cgtdesk.io import load_any


@pytest.fixture(scope="module")
def example():
    return load_any("resources/example.cgtproj")


def test_demand_grid_is_log_spaced_and_inclusive():
    g = demand_grid(1, 1e4, 5)
    assert g.tolist() == pytest.approx([1, 10, 100, 1000, 10000], rel=1e-12)
    assert g[0] == 1 and g[-1] == 1e4
    for bad in [(10, 5, 5), (0, 10, 5), (1, 2e6, 5), (1, 10, 1), (1, 10, 0)]:
        with pytest.raises(InputError):
            demand_grid(*bad)


def test_sweep_equals_single_evaluations(example):
    d = demand_grid(1, 1e5, 37)
    for result in ("cogs_per_dose", "units", "fte", "breakdown.facility"):
        r = sweep(example.scenarios, result, d)
        assert list(r.values) == example.names()
        for s in example.scenarios:
            for i in range(0, 37, 6):
                p = dict(s.parameters, **{"demand.patients_per_year": float(d[i])})
                assert r.values[s.name][i] == pytest.approx(evaluate(s.process, p)[result], rel=1e-12)


def test_sweep_shows_every_step():
    # devices step up by one every cap * success patients under the utilisation rule
    # (service level 0): evaluated, never interpolated
    s = new_scenario("a", "autologous", {"auto.service_level": 0})
    d = np.arange(1.0, 400.0)
    units = sweep([s], "units", d).values["a"]
    cap = 300 * 0.85 / (9 + 1)
    expected = np.ceil(d / 0.95 / cap - 1e-9)
    assert np.array_equal(units, expected)


def test_sweep_marks_invalid_scenarios_nan():
    s = new_scenario("bad", "allogeneic", {"dose.cells_per_dose": 1e11})
    r = sweep([s], "cogs_per_dose", [10.0, 100.0])
    assert np.all(np.isnan(r.values["bad"])) and not r.valid["bad"].any()


def _crf(r, n):
    return r * (1 + r) ** n / ((1 + r) ** n - 1)


def test_crossover_hand_worked_smooth():
    # same counts in both scenarios; B has a dearer site but cheaper batches: the difference in
    # total annual cost is dK * (crf(8%, 20) + 9%) - dc * D / 0.95, zero at one demand
    a = new_scenario("A", "autologous")
    b = new_scenario("B", "autologous", {"facility.site_capex": 2.5e7, "auto.consumables_per_batch": 15000})
    d_fixed = 1e7 * (_crf(0.08, 20) + 0.06 + 0.03)
    d_star = d_fixed / (5000 / 0.95)
    r = crossover(a, b, "total_annual_cost", 1, 1e5)
    assert r.crossings == [pytest.approx(d_star, rel=1e-6)]
    assert r.b_cheaper_from == pytest.approx(d_star, rel=1e-6)
    # the same demand for cost per dose and per patient (both divide by demand)
    assert crossover(a, b, "cogs_per_dose").b_cheaper_from == pytest.approx(d_star, rel=1e-6)
    # the other way round: A is never cheaper at the top of the range
    r2 = crossover(b, a, "total_annual_cost")
    assert r2.crossings == [pytest.approx(d_star, rel=1e-6)] and r2.b_cheaper_from is None


def dense_sweep(scenarios, result, x, chunk=100_000):
    """The brute-force check's sweep over millions of demands, in chunks (a single sweep is
    bounded to 100,000 demands)."""
    parts = [sweep(scenarios, result, x[i : i + chunk]).values for i in range(0, len(x), chunk)]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def test_crossover_at_a_step():
    # B pays USD 200k more per device (USD 56k a year) and USD 4,000 less per batch: B - A is
    # N * 56.4k - 4000 * D / 0.95, a sawtooth that crosses zero smoothly, jumps back above zero at
    # the first device step, then crosses again: three crossings, one of them at a jump
    # utilisation rule, no minimum crew and no QC/QA hours: the device count is the only step
    v1 = {"auto.service_level": 0, "labour.min_crew_per_suite": 0, "auto.qc_qa_hours_per_batch": 0}
    a = new_scenario("A", "autologous", v1)
    b = new_scenario("B", "autologous", {**v1, "auto.device_capex": 7e5, "auto.consumables_per_batch": 16000})
    r = crossover(a, b, "cogs_per_dose", 1, 1e4)
    # brute force: every demand on a fine grid, plus the analytic jump points of the device count
    cap = 300 * 0.85 / 10
    jumps = np.arange(1, 500) * cap * 0.95  # the device count rises just above these demands
    x = np.unique(
        np.concatenate([np.geomspace(1, 1e4, 400_001), jumps[jumps < 1e4] * (1 + 1e-8), jumps[jumps < 1e4] * (1 - 1e-8)])
    )
    v = dense_sweep([a, b], "cogs_per_dose", x)
    diff = v["B"] - v["A"]
    s = np.sign(diff)
    nz = np.nonzero(s)[0]
    change = nz[1:][s[nz[1:]] != s[nz[:-1]]]
    assert len(r.crossings) == len(change) == 3
    for got, at in zip(r.crossings, change, strict=True):
        assert x[at - 1] * (1 - 1e-6) <= got <= x[at] * (1 + 1e-6)
    # crossings at jumps sit on the analytic jump demands
    on_jump = [c for c in r.crossings if np.min(np.abs(jumps - c) / c) < 1e-6]
    assert on_jump


def test_crossover_matches_dense_scan_on_example(example):
    a, b = example.scenario("Autologous, automated, central"), example.scenario("Autologous, decentralised (4 sites)")
    r = crossover(a, b, "cogs_per_dose", 1000, 5000)
    x = np.geomspace(1000, 5000, 2_000_001)
    v = dense_sweep([a, b], "cogs_per_dose", x)
    diff = v[b.name] - v[a.name]
    s = np.sign(diff)
    nz = np.nonzero(s)[0]
    change = nz[1:][s[nz[1:]] != s[nz[:-1]]]
    assert len(r.crossings) == len(change) == 7
    assert np.allclose(r.crossings, x[change], rtol=2e-6)
    assert r.b_cheaper_from == pytest.approx(x[change[-1]], rel=2e-6)
    # beyond the last crossing B stays below A; just before it, it does not
    after = np.geomspace(r.b_cheaper_from * (1 + 1e-9), 5000, 5000)
    vv = sweep([a, b], "cogs_per_dose", after).values
    assert np.all(vv[b.name] < vv[a.name])
    before = sweep([a, b], "cogs_per_dose", [r.b_cheaper_from * (1 - 1e-6)]).values
    assert before[b.name][0] >= before[a.name][0]


def test_crossover_none_and_everywhere(example):
    auto = example.scenario("Autologous, automated, central")
    manual = example.scenario("Autologous, manual open process")
    r = crossover(manual, auto)  # automated below manual everywhere
    assert r.crossings == [] and r.b_cheaper_from == 1.0
    r = crossover(auto, manual)
    assert r.crossings == [] and r.b_cheaper_from is None
    same = crossover(auto, auto.copy())
    assert same.crossings == [] and same.b_cheaper_from is None
    bad = new_scenario("bad", "allogeneic", {"dose.cells_per_dose": 1e11})
    r = crossover(auto, bad)
    assert r.crossings == [] and r.b_cheaper_from is None and "invalid" in r.message
    assert math.isfinite(crossover(auto, manual, "units", 1, 100).hi)
