"""The launch plan of a project (docs/model.md, "Launch plan"): every scenario's table by year
and summary, every switch's summed series with its switch-year analysis, as plain data.

:func:`plan` runs a project's plan; :func:`plan_samples` gives the summary results of many
samples of one scenario (a Monte Carlo axis), in blocks so that memory stays bounded. The
arithmetic is in :mod:`cgtdesk.core.analyses.plan_engine`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cgtdesk.core.analyses.plan_engine import (
    _SUMMED,
    BEST_YEAR_RTOL,
    PLAN_ANALYSIS_RESULTS,
    PLAN_RESULTS,
    SWITCH_FIELDS,
    TABLE_FIELDS,
    _finish,
    demand_path,
    plan_arrays,
    summarise,
)
from cgtdesk.core.errors import InputError

__all__ = [
    "NO_PLAN",
    "PLAN_ANALYSIS_RESULTS",
    "PLAN_RESULTS",
    "SWITCH_FIELDS",
    "TABLE_FIELDS",
    "PlanResult",
    "PlanSeries",
    "SwitchPlan",
    "demand_path",
    "plan",
    "plan_samples",
]

#: what to tell a user whose project holds no plan
NO_PLAN = (
    'the project has no launch plan; add one in the GUI\'s Launch plan view, or add a "plan" block to the '
    'project file, e.g. "plan": {"first_year": 2027, "years": 15, "demand": {"launch_year": 2029, '
    '"peak_patients_per_year": 1500, "years_to_peak": 5}}'
)
#: samples evaluated at once by plan_samples (bounds the memory of a large run)
SAMPLE_BLOCK = 20_000


@dataclass(frozen=True)
class PlanSeries:
    """One scenario's (or one switch's) table by year and its summary results.

    ``table`` maps each field (:data:`TABLE_FIELDS` or :data:`SWITCH_FIELDS`) to a ``(T,)`` array,
    or to None where the field is not given (a switch between processes has no units). A summary
    value is None where the model says null (no dose delivered)."""

    name: str
    table: dict
    summary: dict


@dataclass(frozen=True)
class SwitchPlan:
    source: str  # the scenario switched from ("from")
    target: str  # the scenario switched to ("to")
    year: int  # calendar year of the switch
    series: PlanSeries
    by_switch_year: list  # [(calendar year, npc)] for every switch year 1..T+1 (T+1: never)
    best_year: int | None  # None when never switching is cheapest

    @property
    def label(self) -> str:
        return f"{self.source} -> {self.target} in {self.year}"


@dataclass(frozen=True)
class PlanResult:
    first_year: int
    years: np.ndarray  # calendar years
    patients: np.ndarray  # D_t
    look_ahead_years: int
    scenarios: list
    switches: list


def _value(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _series(name: str, arrays: Mapping, summary: Mapping, row: int, fields) -> PlanSeries:
    table = {f: (None if arrays.get(f) is None else np.array(arrays[f][row], dtype=float)) for f in fields}
    return PlanSeries(name, table, {k: _value(summary[k][row]) for k in PLAN_RESULTS})


def _scenario_plan(scenario, D: np.ndarray, k: int) -> PlanSeries:
    arrays = plan_arrays(scenario.process, scenario.parameters, D, k)
    return _series(scenario.name, arrays, summarise(arrays, scenario.parameters["finance.discount_rate"]), 0, TABLE_FIELDS)


def switch_plan(source, target, D: np.ndarray, k: int, first_year: int, year: int) -> SwitchPlan:
    """``plan(A, D_t [t < y]) + plan(B, D_t [t >= y])`` for every switch year ``y = 1..T+1`` at
    once (one row each), with B's comparability cost in year ``y - 1`` when both supply patients."""
    T = D.shape[0]
    y = np.arange(1, T + 2)
    before = np.arange(1, T + 1)[None, :] < y[:, None]
    Da, Db = np.where(before, D, 0.0), np.where(before, 0.0, D)
    a = plan_arrays(source.process, source.parameters, Da, k)
    b = plan_arrays(target.process, target.parameters, Db, k)
    out = {f: a[f] + b[f] for f in _SUMMED}
    out["patients"] = np.broadcast_to(D, Da.shape)
    same = source.process == target.process
    for f in ("units", "suites", "batches"):
        out[f] = a[f] + b[f] if same else None
    comp = np.zeros(Da.shape)
    both = (Da > 0).any(axis=1) & (Db > 0).any(axis=1)
    comp[np.flatnonzero(both), y[both] - 2] = target.parameters["plan.comparability_cost"]
    out["comparability"] = comp
    _finish(out, comp)
    summary = summarise(out, source.parameters["finance.discount_rate"])
    npc = summary["npc"]
    lowest = np.min(npc)
    best = int(np.flatnonzero(np.abs(npc - lowest) <= BEST_YEAR_RTOL * abs(lowest))[0])  # index y - 1
    best_year = None if not (D[best:] > 0).any() else first_year + best
    row = year - first_year
    name = f"{source.name} -> {target.name} in {year}"
    return SwitchPlan(
        source=source.name,
        target=target.name,
        year=year,
        series=_series(name, out, summary, row, SWITCH_FIELDS),
        by_switch_year=[(first_year + i, float(v)) for i, v in enumerate(npc)],
        best_year=best_year,
    )


def plan(project, scenario: str | None = None) -> PlanResult:
    """The launch plan of every scenario and every switch (only ``scenario`` and the switches
    naming it, when given). Raises InputError when the project holds no plan."""
    p = project.plan
    if p is None:
        raise InputError(NO_PLAN)
    chosen = [project.scenario(scenario)] if scenario is not None else list(project.scenarios)
    D = demand_path(p)
    k = p.look_ahead_years
    series = [_scenario_plan(s, D, k) for s in chosen]
    names = {s.name for s in chosen}
    switches = [
        switch_plan(project.scenario(sw["from"]), project.scenario(sw["to"]), D, k, p.first_year, sw["year"])
        for sw in p.switches
        if sw["from"] in names or sw["to"] in names
    ]
    years = np.arange(p.first_year, p.first_year + p.years)
    return PlanResult(p.first_year, years, D, k, series, switches)


def plan_samples(scenario, plan_block, samples: Mapping[str, np.ndarray], *, block: int = SAMPLE_BLOCK) -> dict:
    """The summary results (:data:`PLAN_RESULTS`) of ``n`` samples of one scenario's plan.

    ``samples`` maps parameter keys to ``(n,)`` arrays (the other keys stay at the scenario's
    values). Returns ``(n,)`` arrays, NaN where a sample is invalid, and ``valid``."""
    n = max((np.shape(v)[0] for v in samples.values()), default=1)
    D = demand_path(plan_block)
    out = {k: np.empty(n) for k in PLAN_RESULTS}
    valid = np.empty(n, dtype=bool)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        params = dict(scenario.parameters)
        params.update({k: np.broadcast_to(np.asarray(v, dtype=float), (n,))[lo:hi] for k, v in samples.items()})
        arrays = plan_arrays(scenario.process, params, D, plan_block.look_ahead_years)
        summary = summarise(arrays, params["finance.discount_rate"])
        for k in PLAN_RESULTS:
            out[k][lo:hi] = np.where(arrays["valid"], summary[k], np.nan)
        valid[lo:hi] = arrays["valid"]
    out["valid"] = valid
    return out
