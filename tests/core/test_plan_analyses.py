"""Launch-plan results in the tornado, the Monte Carlo and goal seek.

Every expected figure comes from :func:`plan` run on a project whose parameters the test sets
by hand (an independent path: one plan per modified project, not the vectorised rows that the
analyses evaluate), or from a definition worked in the test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import EXAMPLE

from cgtdesk.core.analyses import monte_carlo, solve, tornado
from cgtdesk.core.analyses.plan import NO_PLAN, plan
from cgtdesk.core.errors import InputError
from cgtdesk.io.projectfile import load_project

AUTO = "Autologous, automated, central"
MANUAL = "Autologous, manual open process"
ALLO = "Allogeneic CAR-T, 20 L bioreactor"
PLAN_RESULTS = ("npc", "levelised_cogs_per_dose", "npv_gross_profit", "peak_funding")


@pytest.fixture(scope="module")
def example():
    return load_project(EXAMPLE)


def _summary(project, name: str, **params) -> dict:
    """The plan summary of scenario ``name`` with some parameters set by hand."""
    p = project.copy()
    p.scenario(name).parameters.update(params)
    return plan(p, name).scenarios[0].summary


def _saving(project, source: str, target: str, year: int, **target_params) -> float:
    """Never switching's net present cost minus the switch's, from plan()'s switch analysis."""
    p = project.copy()
    p.scenario(target).parameters.update(target_params)
    p.plan.switches = [{"from": source, "to": target, "year": year}]
    sw = plan(p).switches[0]
    by = dict(sw.by_switch_year)
    return by[p.plan.first_year + p.plan.years] - by[year]


# ---------------------------------------------------------------- tornado


@pytest.mark.parametrize(("name", "result"), [(AUTO, "npc"), (ALLO, "levelised_cogs_per_dose"), (MANUAL, "peak_funding")])
def test_tornado_plan_swings_equal_plans_recomputed_by_hand(example, name, result):
    s = example.scenario(name)
    t = tornado(s, result, plan=example.plan)
    assert t.base == pytest.approx(_summary(example, name)[result], rel=1e-12)
    keys = [b.key for b in t.bars]
    assert "facility.mode" not in keys and "demand.patients_per_year" not in keys
    assert {"plan.startup_cost_rate", "plan.facility_lead_years", "plan.comparability_cost"} <= set(keys)
    for b in t.bars[:6] + [b for b in t.bars if b.key.startswith("plan.")]:
        low = _summary(example, name, **{b.key: b.low})[result]
        high = _summary(example, name, **{b.key: b.high})[result]
        assert b.result_low == pytest.approx(low, rel=1e-12, abs=1e-6), b.key
        assert b.result_high == pytest.approx(high, rel=1e-12, abs=1e-6), b.key
        assert b.swing == pytest.approx(abs(high - low), rel=1e-9, abs=1e-6), b.key


def test_tornado_swings_plan_keys_by_their_uncertainty(example):
    p = example.copy()
    s = p.scenario(AUTO)
    s.uncertainty["plan.facility_lead_years"] = {"dist": "uniform", "low": 0, "high": 4}
    s.uncertainty["plan.startup_cost_rate"] = {"dist": "triangular", "low": 0.05, "mode": 0.1, "high": 0.3}
    bars = {b.key: b for b in tornado(s, "npc", plan=p.plan).bars}
    lead, rate = bars["plan.facility_lead_years"], bars["plan.startup_cost_rate"]
    assert (lead.low, lead.high, rate.low, rate.high) == (0, 4, 0.05, 0.3)
    # start-up: 0.1 x (site + suites at opening) x sites is moved by the rate; lead time moves the building's cash
    assert rate.result_high - rate.result_low == pytest.approx(
        _summary(p, AUTO, **{"plan.startup_cost_rate": 0.3})["npc"]
        - _summary(p, AUTO, **{"plan.startup_cost_rate": 0.05})["npc"],
        rel=1e-12,
    )
    assert rate.swing > 0 and lead.swing > 0
    assert lead.result_low == pytest.approx(_summary(p, AUTO, **{"plan.facility_lead_years": 0})["npc"], rel=1e-12)


def test_annual_tornado_never_swings_plan_keys(example):
    keys = {b.key for b in tornado(example.scenario(AUTO), "cogs_per_dose").bars}
    assert not any(k.startswith("plan.") for k in keys) and "demand.patients_per_year" in keys


def test_plan_result_without_a_plan_is_refused(example):
    p = example.copy()
    p.plan = None
    s = p.scenario(AUTO)
    for call in (
        lambda: tornado(s, "npc", plan=None),
        lambda: solve(s, "auto.vector_cost_per_batch", "npc", 1e9, plan=None),
        lambda: monte_carlo(p, 10, 1, results=("npc",)),
    ):
        with pytest.raises(InputError) as e:
            call()
        assert str(e.value) == NO_PLAN


# ---------------------------------------------------------------- Monte Carlo


def _fixed_project(example):
    """Two scenarios whose every distribution is fixed (at values other than their parameters)."""
    p = example.copy()
    p.scenarios = [p.scenario(AUTO), p.scenario(ALLO)]
    p.plan.switches = []
    fixed = {
        AUTO: {"auto.vector_cost_per_batch": 21_000.0, "auto.batch_success_rate": 0.9, "plan.startup_cost_rate": 0.2},
        ALLO: {"allo.vector_cost_per_lot": 75_000.0, "labour.cost_per_fte_year": 140_000.0},
    }
    for s in p.scenarios:
        s.uncertainty = {k: {"dist": "fixed", "value": v} for k, v in fixed[s.name].items()}
        s.correlations = []
    return p, fixed


def test_monte_carlo_with_fixed_distributions_equals_plan_exactly(example):
    p, fixed = _fixed_project(example)
    r = monte_carlo(p, 300, 7, results=PLAN_RESULTS, compare="npc", keep_values=True)
    ref = {name: _summary(p, name, **fixed[name]) for name in fixed}
    for s in r.scenarios:
        assert s.valid_samples == 300 and s.invalid_samples == 0
        for k in PLAN_RESULTS:
            assert np.all(s.values[k] == ref[s.name][k]), (s.name, k)
            # (the sd of equal values is 0 up to the rounding of their mean)
            assert s.summaries[k]["p50"] == ref[s.name][k] and s.summaries[k]["sd"] <= 1e-12 * abs(ref[s.name][k])
        # maximum allowable cost per dose = price x (1 - target margin)
        sc = p.scenario(s.name)
        allowable = sc.parameters["commercial.price_per_dose"] * (1 - sc.parameters["commercial.target_gross_margin"])
        assert s.p_plan_meets_target == (1.0 if ref[s.name]["levelised_cogs_per_dose"] <= allowable else 0.0)
    c = {(c.a, c.b): c.p_b_cheaper for c in r.comparisons}
    assert c[(AUTO, ALLO)] == (1.0 if ref[ALLO]["npc"] < ref[AUTO]["npc"] else 0.0)
    assert c[(ALLO, AUTO)] == (1.0 if ref[AUTO]["npc"] < ref[ALLO]["npc"] else 0.0)


def test_monte_carlo_plan_comparison_uses_common_random_numbers(example):
    """B is A with one more dollar of site running cost a year: with the same draws B's plan always
    costs more, so P(B's plan cheaper) is exactly 0 (independent draws would give about a half)."""
    p = example.copy()
    a = p.scenario(AUTO).copy()
    b = a.copy()
    b.name = "B"
    b.parameters["facility.site_running_cost_year"] += 1.0
    r = monte_carlo([a, b], 2000, 11, results=("npc",), compare="npc", plan=p.plan)
    c = {(c.a, c.b): c for c in r.comparisons}
    assert c[(AUTO, "B")].p_b_cheaper == 0.0 and c[("B", AUTO)].p_b_cheaper == 1.0
    assert set(c[(AUTO, "B")].shared_keys) == set(a.uncertainty)
    sa, sb = r.scenarios
    assert sa.summaries["npc"]["sd"] > 0 and sa.p_plan_meets_target == pytest.approx(sb.p_plan_meets_target, abs=1e-3)


def test_monte_carlo_without_plan_results_is_unchanged(example):
    r = monte_carlo(example, 500, 3)
    assert all(math.isnan(s.p_plan_meets_target) for s in r.scenarios)
    assert "npc" not in r.scenarios[0].summaries


# ---------------------------------------------------------------- goal seek


def test_goal_seek_npc_boundary_checked_by_plan_either_side(example):
    base = _summary(example, AUTO)["npc"]
    target = base * 1.05
    r = solve(example.scenario(AUTO), "auto.vector_cost_per_batch", "npc", target, plan=example.plan)
    assert r.reachable and r.sense == "<=" and r.base_meets
    v = r.value
    assert _summary(example, AUTO, **{"auto.vector_cost_per_batch": v * (1 - 1e-6)})["npc"] <= target
    assert _summary(example, AUTO, **{"auto.vector_cost_per_batch": v * (1 + 1e-6)})["npc"] > target
    assert r.achieved == pytest.approx(target, rel=1e-6)


def test_goal_seek_levelised_cost_against_max_allowable(example):
    s = example.scenario(ALLO)
    r = solve(s, "allo.vector_cost_per_lot", "levelised_cogs_per_dose", plan=example.plan)
    allowable = s.parameters["commercial.price_per_dose"] * (1 - s.parameters["commercial.target_gross_margin"])
    assert r.target == pytest.approx(allowable, rel=1e-12)
    if r.all_meet:  # every vector cost in range meets it: the run says so and reports a range end
        assert _summary(example, ALLO, **{"allo.vector_cost_per_lot": r.value})["levelised_cogs_per_dose"] <= allowable
        return
    v = r.value
    low = _summary(example, ALLO, **{"allo.vector_cost_per_lot": v * (1 - 1e-6)})["levelised_cogs_per_dose"]
    high = _summary(example, ALLO, **{"allo.vector_cost_per_lot": v * (1 + 1e-6)})["levelised_cogs_per_dose"]
    assert low <= allowable < high


def test_goal_seek_npv_gross_profit_is_at_least(example):
    base = _summary(example, AUTO)["npv_gross_profit"]
    r = solve(example.scenario(AUTO), "commercial.price_per_dose", "npv_gross_profit", 0.0, plan=example.plan)
    assert r.sense == ">=" and r.base_meets == (base >= 0)
    v = r.value
    assert _summary(example, AUTO, **{"commercial.price_per_dose": v * (1 + 1e-6)})["npv_gross_profit"] >= 0
    assert _summary(example, AUTO, **{"commercial.price_per_dose": v * (1 - 1e-6)})["npv_gross_profit"] < 0


def test_goal_seek_switch_saving_highest_comparability_cost(example):
    """The highest comparability cost of the automated process at which switching to it from the
    manual one in 2031 still pays: the switch analysis of plan() just either side."""
    src, tgt = example.scenario(MANUAL), example.scenario(AUTO)
    r = solve(tgt, "plan.comparability_cost", "switch_saving", plan=example.plan, switch=(src, tgt, 2031))
    assert r.sense == ">=" and r.target == 0 and r.switch == (MANUAL, AUTO, 2031)
    assert r.base_result == pytest.approx(_saving(example, MANUAL, AUTO, 2031), rel=1e-12)
    v = r.value
    assert r.base_meets and 0 < v < 1e10
    assert _saving(example, MANUAL, AUTO, 2031, **{"plan.comparability_cost": v * (1 - 1e-6)}) >= 0
    assert _saving(example, MANUAL, AUTO, 2031, **{"plan.comparability_cost": v * (1 + 1e-6)}) < 0
    # the comparability package is paid in 2030, the year before the switch: saving falls by it discounted
    r_ = src.parameters["finance.discount_rate"]
    t = 2030 - example.plan.first_year + 1
    assert v == pytest.approx(tgt.parameters["plan.comparability_cost"] + r.base_result * (1 + r_) ** t, rel=1e-6)


def test_goal_seek_switch_checks(example):
    src, tgt, other = example.scenario(MANUAL), example.scenario(AUTO), example.scenario(ALLO)
    with pytest.raises(InputError, match="expected a switch"):
        solve(tgt, "plan.comparability_cost", "switch_saving", plan=example.plan)
    with pytest.raises(InputError, match="neither the switch's 'from'"):
        solve(other, "allo.vector_cost_per_lot", "switch_saving", plan=example.plan, switch=(src, tgt, 2031))
    with pytest.raises(InputError, match="calendar year from 2027 to 2041"):
        solve(tgt, "plan.comparability_cost", "switch_saving", plan=example.plan, switch=(src, tgt, 2050))
    with pytest.raises(InputError, match="expected a number as the target"):
        solve(tgt, "plan.comparability_cost", "switch_saving", "max_allowable", plan=example.plan, switch=(src, tgt, 2031))
    with pytest.raises(InputError, match="unknown result"):
        tornado(tgt, "switch_saving", plan=example.plan)
