"""Goal seek and tornado against hand-worked answers and brute-force scans."""

import math

import numpy as np
import pytest

from cgtdesk.core.analyses import solve, tornado, tornado_range
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.model import evaluate
from cgtdesk.core.project import new_scenario


def _cogs(s, **kw):
    return evaluate(s.process, dict(s.parameters, **kw))["cogs_per_dose"]


# ---------------------------------------------------------------- goal seek


def test_solve_smooth_vector_cost():
    s = new_scenario("a", "autologous")
    # cost per dose is linear in the vector cost per batch: slope 1 / success rate per dose
    c0 = _cogs(s, **{"auto.vector_cost_per_batch": 0.0})
    target = 400000 * (1 - 0.75)
    v_star = (target - c0) * 0.95
    r = solve(s, "auto.vector_cost_per_batch", "cogs_per_dose", "max_allowable")
    assert r.reachable and r.value == pytest.approx(v_star, rel=1e-6)
    assert r.target == pytest.approx(100000) and r.achieved <= r.target
    assert r.base_meets and "highest" in r.message
    # a number as target, and one above the base cost: the base misses it, the answer is the nearest
    r = solve(s, "auto.vector_cost_per_batch", target=90000)
    assert r.value == pytest.approx((90000 - c0) * 0.95, rel=1e-6) and not r.base_meets


def test_solve_stepped_batch_success_rate():
    s = new_scenario("a", "autologous")
    r = solve(s, "auto.batch_success_rate")
    # brute force: the smallest rate on a fine grid from which every higher rate meets the target
    x = np.linspace(0.5, 1.0, 1_000_001)
    v = sweep_param(s, "auto.batch_success_rate", x)
    ok = v <= 100000
    last_bad = np.nonzero(~ok)[0][-1]
    assert r.reachable
    assert x[last_bad] <= r.value <= x[last_bad + 1]
    assert r.value == pytest.approx(x[last_bad + 1], rel=1e-6)
    assert _cogs(s, **{"auto.batch_success_rate": r.value}) <= 100000
    assert _cogs(s, **{"auto.batch_success_rate": r.value * (1 - 1e-6)}) > 100000
    assert "lowest" in r.message


def sweep_param(s, key, x):
    return np.asarray(evaluate(s.process, dict(s.parameters, **{key: x}), strict=False)["cogs_per_dose"])


def test_solve_at_a_jump_reports_the_boundary():
    # demand: cost per dose falls with demand but jumps up at each device step; the target sits
    # on a jump, the answer must be the first demand from which the target holds for good
    s = new_scenario("a", "autologous")
    r = solve(s, "demand.patients_per_year", target=100000)
    x = np.geomspace(300, 500, 2_000_001)
    v = sweep_param(s, "demand.patients_per_year", x)
    last_bad = np.nonzero(v > 100000)[0][-1]
    assert r.value == pytest.approx(x[last_bad + 1], rel=2e-6)
    assert len(r.feasible) >= 2  # an island of meeting demands below the answer, as the scan shows


def test_solve_unreachable_and_all_meet():
    s = new_scenario("a", "autologous")
    r = solve(s, "auto.vector_cost_per_batch", target=1000)
    assert not r.reachable and r.value is None and r.achieved is None
    assert "no value" in r.message
    r = solve(s, "auto.vector_cost_per_batch", target=1e9)
    assert r.reachable and r.all_meet and r.value == 1e8  # the end where the cost is highest
    assert "every value" in r.message


def test_solve_integer_and_at_least():
    # the version 1 model (version 2 keys neutral, site staff 25): by hand, each extra site adds a
    # site's fixed costs; 1 site gives 79,052, 2 sites 80,556 per dose
    v1 = {**catalogue().neutral("autologous"), "staff.site_fte": 25}
    s = new_scenario("a", "autologous", {**v1, "demand.patients_per_year": 5000})
    r = solve(s, "facility.sites", target=80000)
    assert r.value == 1.0 and r.feasible == [(1.0, 1.0)] and "highest" in r.message
    r = solve(s, "facility.sites", target=81000)
    assert r.value == 2.0 and _cogs(s, **{"facility.sites": 2}) <= 81000 < _cogs(s, **{"facility.sites": 3})
    # gross margin: at least the target
    r = solve(s, "commercial.price_per_dose", "gross_margin", 0.8)
    c = _cogs(s)
    assert r.sense == ">=" and r.value == pytest.approx(c / 0.2, rel=1e-6)


def test_solve_moving_target_follows_price():
    s = new_scenario("a", "autologous")
    r = solve(s, "commercial.price_per_dose")
    c = _cogs(s)
    assert r.value == pytest.approx(c / 0.25, rel=1e-6)
    assert r.target == pytest.approx(r.value * 0.25, rel=1e-9)
    assert r.curve_target is not None and len(r.curve_target) == len(r.curve_x)


def test_solve_refuses_bad_keys():
    s = new_scenario("a", "autologous")
    with pytest.raises(InputError, match="unknown parameter"):
        solve(s, "nope")
    with pytest.raises(InputError, match="not a parameter"):
        solve(s, "allo.dsp_yield")
    with pytest.raises(InputError, match="unknown result"):
        solve(s, "auto.process_days", "nope")
    with pytest.raises(InputError):
        solve(s, "auto.process_days", target="lots")


# ---------------------------------------------------------------- tornado


def test_tornado_order_and_swings_by_hand():
    unc = {
        "auto.vector_cost_per_batch": {"dist": "uniform", "low": 10000, "high": 20000},
        "auto.consumables_per_batch": {"dist": "triangular", "low": 15000, "mode": 20000, "high": 22000},
        "auto.qc_cost_per_batch": {"dist": "pert", "low": 11000, "mode": 12000, "high": 14000},
        "labour.hours_per_fte_year": {"dist": "fixed", "value": 1700},
    }
    s = new_scenario("t", "autologous", uncertainty=unc)
    keys = ["logistics.inbound_cost_per_batch", *unc]
    r = tornado(s, "cogs_per_dose", keys)
    # per-batch costs move the cost per dose by (change) / success rate
    expect = {
        "auto.vector_cost_per_batch": 10000 / 0.95,
        "auto.consumables_per_batch": 7000 / 0.95,
        "auto.qc_cost_per_batch": 3000 / 0.95,
        "logistics.inbound_cost_per_batch": 1200 / 0.95,  # -/+20% of 3000
        "labour.hours_per_fte_year": 0.0,
    }
    assert [b.key for b in r.bars] == list(expect)
    for b in r.bars:
        assert b.swing == pytest.approx(expect[b.key], rel=1e-9, abs=1e-9)
    assert r.base == pytest.approx(_cogs(s))
    b = r.bars[0]
    assert (b.low, b.high, b.source) == (10000, 20000, "uniform")
    assert b.result_low == pytest.approx(_cogs(s, **{"auto.vector_cost_per_batch": 10000}))


def test_tornado_ranges_percentiles_integers_clipping():
    s = new_scenario("t", "autologous", uncertainty={"labour.cost_per_fte_year": {"dist": "normal", "mean": 120000, "sd": 15000}})
    lo, hi, src = tornado_range(s, "labour.cost_per_fte_year")
    assert src == "normal"
    assert lo == pytest.approx(120000 - 1.6448536 * 15000, rel=1e-6) and hi == pytest.approx(120000 + 1.6448536 * 15000, rel=1e-6)
    s = new_scenario(
        "t", "autologous", uncertainty={"auto.vector_cost_per_batch": {"dist": "lognormal", "median": 15000, "sigma": 0.35}}
    )
    lo, hi, _ = tornado_range(s, "auto.vector_cost_per_batch")
    assert lo == pytest.approx(15000 * math.exp(-1.6448536 * 0.35), rel=1e-6)
    assert hi == pytest.approx(15000 * math.exp(1.6448536 * 0.35), rel=1e-6)
    assert tornado_range(s, "auto.devices_per_suite")[:2] == (3.0, 5.0)  # 3.2 -> 3, 4.8 -> 5
    assert tornado_range(s, "facility.sites")[:2] == (1.0, 1.0)  # 0.8 clipped/rounded to 1, 1.2 -> 1
    assert tornado_range(s, "facility.max_utilisation")[:2] == (pytest.approx(0.68), 1.0)  # 1.02 clipped to 1
    assert tornado_range(s, "commercial.royalty_rate")[:2] == (0.0, 0.0)  # -/+20% of zero


def test_tornado_invalid_end_flagged_last():
    s = new_scenario("a", "allogeneic", uncertainty={"dose.cells_per_dose": {"dist": "uniform", "low": 5e7, "high": 1e11}})
    r = tornado(s)
    last = r.bars[-1]
    assert last.key == "dose.cells_per_dose" and last.invalid and math.isnan(last.swing)
    assert math.isnan(last.result_high) and math.isfinite(last.result_low)
    swings = [b.swing for b in r.bars if not b.invalid]
    assert swings == sorted(swings, reverse=True)
