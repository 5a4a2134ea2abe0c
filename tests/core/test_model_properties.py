"""Properties of the model that must hold for any valid scenario (hypothesis, bounded).

Scenarios are drawn from the catalogue: each parameter log-uniform in a sane sub-range around
its default (a quarter to four times it), clipped to its valid range and rounded when it must
be an integer, so that most draws are valid; the few that make a lot yield no dose are skipped.
The facility mode is drawn from its three choices; autologous devices are sized by the
service-level rule or, often, by utilisation (service level 0).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cgtdesk.core.catalogue import BREAKDOWN, PROCESSES, catalogue
from cgtdesk.core.errors import DomainError
from cgtdesk.core.model import evaluate

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
SPREAD = 4.0


MODES = catalogue().parameters["facility.mode"].choices


def _value(key: str, process: str, u: float) -> float:
    p = catalogue().parameters[key]
    if p.is_choice:
        return p.choices[min(int(u * len(p.choices)), len(p.choices) - 1)]
    base = p.default[process]
    if base > 0:
        lo, hi = max(p.min, base / SPREAD), min(p.max, base * SPREAD)
        x = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))) if lo > 0 else lo + u * (hi - lo)
    else:  # a default of zero (royalties): up to a fifth of the range
        lo, hi = p.min, p.min + (p.max - p.min) / 5
        x = lo + u * (hi - lo)
    x = min(max(x, p.min), p.max)
    if p.integer:
        x = float(min(max(round(x), math.ceil(p.min)), math.floor(p.max)))
    return x


@st.composite
def scenarios(draw, process=None):
    process = process or draw(st.sampled_from(PROCESSES))
    keys = catalogue().keys_for(process)
    us = draw(st.lists(st.floats(0.0, 1.0), min_size=len(keys), max_size=len(keys)))
    params = {k: _value(k, process, u) for k, u in zip(keys, us, strict=True)}
    if draw(st.booleans()):  # the r = 0 branch of crf is worth visiting often
        params["finance.discount_rate"] = 0.0
    if process == "autologous" and draw(st.booleans()):  # devices by utilisation
        params["auto.service_level"] = 0.0
    if process == "allogeneic" and draw(st.booleans()):  # no shelf-life limit
        params["allo.shelf_life_days"] = 0.0
    return process, params


def _evaluate_or_skip(process, params, **kw):
    try:
        return evaluate(process, params, **kw)
    except DomainError:
        assume(False)


def test_the_drawn_scenarios_are_mostly_valid():
    """The sampler is useful only if most of its scenarios are valid (checked outside hypothesis)."""
    rng = np.random.default_rng(1)
    ok = 0
    for _ in range(200):
        keys = catalogue().keys_for("allogeneic")
        params = {k: _value(k, "allogeneic", u) for k, u in zip(keys, rng.random(len(keys)), strict=True)}
        try:
            evaluate("allogeneic", params)
            ok += 1
        except DomainError:
            pass
    assert ok >= 150
    for key in catalogue().keys_for("allogeneic"):
        p = catalogue().parameters[key]
        for u in (0.0, 0.5, 1.0):
            assert p.check(_value(key, "allogeneic", u)) is None


@SETTINGS
@given(scenarios(), st.floats(1.0001, 20.0))
def test_more_demand_never_lowers_total_annual_cost(drawn, factor):
    """Dedicated and cdmo only: in shared mode the site's costs are charged by the share, which
    drops when a step adds a suite, so more demand may cost less."""
    process, params = drawn
    assume(params["facility.mode"] != "shared")
    low = _evaluate_or_skip(process, params)
    more = dict(params)
    more["demand.patients_per_year"] = min(params["demand.patients_per_year"] * factor, 1e6)
    high = evaluate(process, more)
    assert high["total_annual_cost"] >= low["total_annual_cost"] * (1 - 1e-12)
    assert high["units"] >= low["units"]
    assert high["fte"] >= low["fte"]


@SETTINGS
@given(scenarios())
def test_every_cost_category_is_non_negative_and_results_are_finite(drawn):
    process, params = drawn
    r = _evaluate_or_skip(process, params)
    for c in BREAKDOWN:
        assert r[f"breakdown.{c}"] >= 0, c
    assert r["total_annual_cost"] == pytest.approx(sum(r[f"breakdown.{c}"] for c in BREAKDOWN), rel=1e-12)
    for k, v in r.items():
        if k in ("doses_per_lot", "expired_fraction") and process == "autologous":
            assert v is None
        elif k == "slot_wait_days" and process == "allogeneic":
            assert v is None
        elif k == "gross_margin" and params["commercial.price_per_dose"] == 0:
            assert v is None
        else:
            assert v is not None and math.isfinite(v), k
    assert r["units"] >= 1 and r["suites"] >= 1
    for k in ("units", "suites"):  # FTE need not be whole: site and support staff may be fractional
        assert float(r[k]).is_integer(), k


@SETTINGS
@given(scenarios())
def test_units_times_capacity_cover_the_batches_or_lots(drawn):
    process, params = drawn
    r = _evaluate_or_skip(process, params, intermediates=True)
    if process == "autologous" and params["auto.service_level"] > 0:
        return _check_service_level(params, r)
    started = r["calc.B_s"] if process == "autologous" else r["calc.L_s"]
    n, cap = r["calc.N_unit_s"], r["calc.cap"]
    # ceil_(x) >= x - 1e-9, so n * cap >= started - 1e-9 * cap
    assert n * cap >= started - 1e-9 * cap - 1e-9 * started
    # and one unit fewer would not have been enough
    assert (n - 1) * cap < started + 1e-9 * cap
    per_suite = params["auto.devices_per_suite" if process == "autologous" else "allo.bioreactors_per_suite"]
    assert r["calc.N_suite_s"] * per_suite >= n
    # planned utilisation never exceeds the maximum (up to the same tolerance)
    assert r["utilisation"] <= params["facility.max_utilisation"] * (1 + 1e-8) + 1e-8


def _check_service_level(params, r):
    """The smallest c >= 1, c > a, whose chance of a wait beyond the maximum is at most 1 - level."""
    from cgtdesk.core.capacity import erlang_c

    a, c = r["calc.a"], r["calc.N_unit_s"]
    cycle = r["calc.cycle"]
    tau = params["auto.max_wait_days"] / cycle
    miss = 1 - params["auto.service_level"]
    assert c >= 1 and c > a and float(c).is_integer()
    assert erlang_c(c, a) * math.exp(-(c - a) * tau) <= miss * (1 + 1e-12)
    if c - 1 > a and c - 1 >= 1:
        assert erlang_c(c - 1, a) * math.exp(-(c - 1 - a) * tau) > miss * (1 - 1e-12)
    assert r["slot_wait_days"] == pytest.approx(erlang_c(c, a) * cycle / (c - a), rel=1e-12)


@SETTINGS
@given(st.sampled_from(PROCESSES).flatmap(lambda pr: st.lists(scenarios(pr), min_size=2, max_size=6)))
def test_vectorised_evaluation_equals_scalar_evaluation(batch):
    process = batch[0][0]
    keys = catalogue().numeric_keys(process)
    mode = batch[0][1]["facility.mode"]  # one mode per evaluation
    batch = [(pr, {**params, "facility.mode": mode}) for pr, params in batch]
    arrays = {k: np.array([params[k] for _, params in batch]) for k in keys}
    arrays["facility.mode"] = mode
    vec = evaluate(process, arrays, strict=False)
    for i, (_, params) in enumerate(batch):
        try:
            one = evaluate(process, params)
        except DomainError:
            assert not vec["valid"][i]
            assert np.isnan(vec["cogs_per_dose"][i])
            continue
        assert vec["valid"][i]
        for k, v in one.items():
            got = vec[k][i]
            if v is None:
                assert np.isnan(got), k
            else:
                assert got == pytest.approx(v, rel=1e-12, abs=1e-12), k
