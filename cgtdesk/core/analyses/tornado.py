"""Tornado: one-at-a-time swings of a result, each input at its low and its high.

Low and high come from the input's uncertainty when it has one, else from the preset spread
around the base value (``presets.TORNADO_DEFAULT_SPREAD``). A launch-plan result (``npc``,
``levelised_cogs_per_dose``, ``npv_gross_profit``, ``peak_funding``) recomputes the scenario's
plan at every end (docs/model.md, "Launch plan").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cgtdesk.core.analyses import presets
from cgtdesk.core.analyses.common import DEFAULT_RESULT, DEMAND_KEY, _eval, _scalar_result
from cgtdesk.core.analyses.plan import check_analysis_result, is_plan_result, plan_samples
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError


@dataclass(frozen=True)
class TornadoBar:
    key: str
    low: float  # the input value at the low end (rounded for integers, clipped to the valid range)
    high: float
    result_low: float  # the result with the input at ``low`` (NaN when the scenario is invalid there)
    result_high: float
    swing: float  # |result_high - result_low|; NaN when either end is invalid
    # where low/high come from: "uniform", "triangular", "pert", "normal", "lognormal", "fixed", "default"
    source: str = "default"
    invalid: bool = False  # True when the scenario is invalid at low or high
    message: str = ""


@dataclass(frozen=True)
class TornadoResult:
    scenario: str
    result: str
    base: float
    bars: list  # TornadoBar, largest swing first; zero swings next; invalid ends last


def tornado_range(scenario, key: str) -> tuple[float, float, str]:
    """Low and high of ``key`` for a tornado: from its uncertainty, else -/+ the preset spread
    (``presets.TORNADO_DEFAULT_SPREAD``, 20%) of base.

    uniform/triangular/pert: their low and high; normal and lognormal: the 5th and 95th
    percentiles of the distribution truncated to the valid range (as Monte Carlo samples it);
    fixed: its value at both ends (a known input has no swing). Integer parameters are rounded
    to the nearest integer (halves up); every value is clipped to the valid range.
    """
    from cgtdesk.core.sampling import quantile

    p = catalogue().parameters[key]
    base = float(scenario.parameters[key])
    dist = scenario.uncertainty.get(key)
    if dist is None:
        lo, hi, src = base * (1 - presets.TORNADO_DEFAULT_SPREAD), base * (1 + presets.TORNADO_DEFAULT_SPREAD), "default"
    else:
        src = dist["dist"]
        if src in ("uniform", "triangular", "pert"):
            lo, hi = float(dist["low"]), float(dist["high"])
        elif src in ("normal", "lognormal"):
            lo, hi = quantile(dist, 0.05, key), quantile(dist, 0.95, key)
        else:  # fixed
            lo = hi = float(dist["value"])
    if p.integer:
        lo, hi = math.floor(lo + 0.5), math.floor(hi + 0.5)
    lo = min(max(lo, p.min), p.max)
    hi = min(max(hi, p.min), p.max)
    return float(lo), float(hi), src


def _keys(scenario, keys, planned: bool) -> list:
    """The inputs to swing: every number of the scenario's process by default (the launch plan's
    keys only for a plan result, and the annual demand, which the plan does not use, only for an
    annual result); never a choice."""
    cat = catalogue()
    if keys is None:
        if planned:
            return [k for k in cat.numeric_keys(scenario.process) if k != DEMAND_KEY]
        return [k for k in cat.numeric_keys(scenario.process) if cat.parameters[k].group != "Launch plan"]
    keys = list(keys)
    for k in keys:
        if k in cat.parameters and cat.parameters[k].is_choice:
            raise InputError(f"tornado: '{k}' is a choice, not a number: it is never swung")
        if k not in cat.keys_for(scenario.process):
            raise InputError(f"tornado: '{k}' is not a parameter of the {scenario.process} scenario '{scenario.name}'")
    return keys


def _evaluate(scenario, result: str, arrays: dict, plan):
    """The result and the validity at every row of ``arrays`` (annual model or plan)."""
    if is_plan_result(result):
        r = plan_samples(scenario, plan, arrays)
    else:
        r = _eval(scenario, arrays)
    return np.asarray(r[result], dtype=float), np.asarray(r["valid"], dtype=bool)


def tornado(scenario, result: str = DEFAULT_RESULT, keys=None, *, plan=None) -> TornadoResult:
    """One-at-a-time swings of ``result``: each parameter at its low and its high, the others at base.

    ``result`` is an annual result or a launch-plan result (:data:`PLAN_ANALYSIS_RESULTS`); a
    plan result needs ``plan``, the project's plan block (``project.plan``), and recomputes the
    scenario's plan at each end: the launch plan's keys (``plan.*``) swing too, the annual
    demand does not (the plan has its own demand path). An annual result never swings the plan's
    keys. ``facility.mode`` is a choice and never swings.

    Bars are sorted by swing, largest first, ties by key; bars with zero swing come after the
    others (kept, so that every parameter is accounted for), and bars whose low or high makes the
    scenario invalid come last, flagged ``invalid`` with NaN at the invalid end and a NaN swing.
    """
    check_analysis_result(result, plan)
    planned = is_plan_result(result)
    keys = _keys(scenario, keys, planned)
    if planned:
        base = float(plan_samples(scenario, plan, {})[result][0])
    else:
        base = _scalar_result(scenario, result)
    if not keys:
        return TornadoResult(scenario.name, result, base, [])
    ranges = [tornado_range(scenario, k) for k in keys]
    n = len(keys)
    arrays = {}
    for i, k in enumerate(keys):
        col = np.full(2 * n, float(scenario.parameters[k]))
        col[2 * i], col[2 * i + 1] = ranges[i][0], ranges[i][1]
        arrays[k] = col
    vals, valid = _evaluate(scenario, result, arrays, plan)
    bars = []
    for i, k in enumerate(keys):
        lo, hi, src = ranges[i]
        rl, rh = float(vals[2 * i]), float(vals[2 * i + 1])
        bad = not (valid[2 * i] and valid[2 * i + 1])
        swing = abs(rh - rl) if not bad else math.nan
        msg = ""
        if bad:
            ends = [e for e, ok in (("low", valid[2 * i]), ("high", valid[2 * i + 1])) if not ok]
            msg = f"the scenario is invalid with {k} at its {' and '.join(ends)} value"
        bars.append(TornadoBar(k, lo, hi, rl, rh, swing, src, bad, msg))
    bars.sort(key=lambda b: (b.invalid or math.isnan(b.swing), -(b.swing if not math.isnan(b.swing) else 0.0), b.key))
    return TornadoResult(scenario.name, result, base, bars)
