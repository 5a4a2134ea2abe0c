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
from cgtdesk.core.catalogue import ResultInfo, catalogue
from cgtdesk.core.errors import InputError

__all__ = [
    "NO_PLAN",
    "PLAN_ANALYSIS_RESULTS",
    "PLAN_MEETS",
    "PLAN_RESULTS",
    "PLAN_RESULT_INFO",
    "SWITCH_SAVING",
    "SWITCH_FIELDS",
    "TABLE_FIELDS",
    "PlanResult",
    "PlanSeries",
    "SwitchPlan",
    "add_plan_results",
    "check_analysis_result",
    "demand_path",
    "is_plan_result",
    "plan",
    "plan_samples",
    "result_info",
    "switch_saving_samples",
]

#: what to tell a user whose project holds no plan
NO_PLAN = (
    'the project has no launch plan; add one in the GUI\'s Launch plan view, or add a "plan" block to the '
    'project file, e.g. "plan": {"first_year": 2027, "years": 15, "demand": {"launch_year": 2029, '
    '"peak_patients_per_year": 1500, "years_to_peak": 5}}'
)
#: sample-years evaluated at once by plan_samples (bounds the memory of a large run: 20,000
#: samples of a 15-year plan at a time, 7,500 of a 40-year one)
SAMPLE_CELLS = 300_000


def sample_block(years: int) -> int:
    """Samples of a ``years``-year plan evaluated at once."""
    return max(1_000, SAMPLE_CELLS // max(1, int(years)))


#: goal seek's switch result: the net present cost of never switching (the source scenario's plan
#: alone) minus that of switching in the given year (positive: the switch pays)
SWITCH_SAVING = "switch_saving"
#: the Monte Carlo's per-sample flag: levelised cost of goods per dose <= maximum allowable cost per dose
PLAN_MEETS = "plan_meets_target"
#: labels, units and kinds of the plan results an analysis may ask for
PLAN_RESULT_INFO = {
    "npc": ResultInfo("npc", "Net present cost (launch plan)", "{cur}", "money"),
    "levelised_cogs_per_dose": ResultInfo(
        "levelised_cogs_per_dose", "Levelised cost of goods per dose (launch plan)", "{cur}/dose", "money"
    ),
    "npv_gross_profit": ResultInfo("npv_gross_profit", "Net present value of gross profit (launch plan)", "{cur}", "money"),
    "peak_funding": ResultInfo("peak_funding", "Peak funding (launch plan)", "{cur}", "money"),
    SWITCH_SAVING: ResultInfo(SWITCH_SAVING, "Net present cost saved by the switch (against never switching)", "{cur}", "money"),
}


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


def _block_params(scenario, samples: Mapping[str, object], lo: int, hi: int, n: int) -> dict:
    params = dict(scenario.parameters)
    for k, v in samples.items():
        a = np.asarray(v, dtype=float)
        params[k] = np.broadcast_to(a, (n,))[lo:hi] if a.ndim else float(a)
    return params


def _rows_of(samples: Mapping[str, object]) -> int:
    return max((np.shape(v)[0] for v in samples.values() if np.ndim(v)), default=1)


def plan_samples(
    scenario, plan_block, samples: Mapping[str, object], *, block: int | None = None, n: int | None = None, fields=()
) -> dict:
    """The summary results (:data:`PLAN_RESULTS`) of ``n`` samples of one scenario's plan.

    ``samples`` maps parameter keys to ``(n,)`` arrays or scalars (the other keys stay at the
    scenario's values); ``n`` defaults to the longest array (1 when every value is a scalar).
    Returns ``(n,)`` arrays, NaN where a sample is invalid, and ``valid``; plus an ``(n, T)``
    array for each of ``fields`` (fields of the table by year, e.g. ``units``)."""
    n = _rows_of(samples) if n is None else int(n)
    D = demand_path(plan_block)
    block = sample_block(D.size) if block is None else int(block)
    out = {k: np.empty(n) for k in PLAN_RESULTS}
    out.update({f: np.empty((n, D.size)) for f in fields})
    valid = np.empty(n, dtype=bool)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        params = _block_params(scenario, samples, lo, hi, n)
        arrays = plan_arrays(scenario.process, params, D, plan_block.look_ahead_years)
        summary = summarise(arrays, params["finance.discount_rate"])
        ok = np.broadcast_to(arrays["valid"], (hi - lo,))
        for k in PLAN_RESULTS:
            out[k][lo:hi] = np.where(ok, np.broadcast_to(summary[k], (hi - lo,)), np.nan)
        for f in fields:
            out[f][lo:hi] = arrays[f]
        valid[lo:hi] = ok
    out["valid"] = valid
    return out


# ---------------------------------------------------------------- the plan in the tornado, Monte Carlo and goal seek


def is_plan_result(result: str) -> bool:
    """True for the launch plan's results that the analyses take (and goal seek's ``switch_saving``)."""
    return result in PLAN_ANALYSIS_RESULTS or result == SWITCH_SAVING


def result_info(result: str) -> ResultInfo:
    """Label, unit and kind of an annual result or of a plan result."""
    return PLAN_RESULT_INFO.get(result) or catalogue().results[result]


def check_analysis_result(result: str, plan_block=None, *, switch: bool = False) -> str:
    """``result`` checked for an analysis: an annual result, or a plan result (:data:`PLAN_ANALYSIS_RESULTS`)
    when the project has a plan (``plan_block``; :data:`NO_PLAN` otherwise); ``switch_saving`` only
    where ``switch`` says the analysis takes it (goal seek)."""
    if result in PLAN_ANALYSIS_RESULTS or (switch and result == SWITCH_SAVING):
        if plan_block is None:
            raise InputError(NO_PLAN)
        return result
    if result not in catalogue().results:
        plan_names = [*PLAN_ANALYSIS_RESULTS, *([SWITCH_SAVING] if switch else [])]
        raise InputError(
            f"unknown result {result!r}; expected one of {', '.join(catalogue().results)}, "
            f"or of the launch plan: {', '.join(plan_names)}"
        )
    return result


def add_plan_results(r: Mapping, scenario, params: Mapping, plan_block) -> dict:
    """The annual results ``r`` of ``n`` samples with the plan's summary results of the same samples added.

    ``params`` are the samples' parameters (scalars or ``(n,)`` arrays). ``valid`` becomes
    valid in the annual model and in the plan; :data:`PLAN_MEETS` is True where the levelised
    cost of goods per dose is at most the maximum allowable cost of goods per dose.
    """
    out = dict(r)
    n = np.shape(r["valid"])[0]
    numbers = {k: v for k, v in params.items() if not isinstance(v, str)}
    p = plan_samples(scenario, plan_block, numbers, n=n)
    for k in PLAN_ANALYSIS_RESULTS:
        out[k] = p[k]
    out["valid"] = np.asarray(r["valid"], dtype=bool) & p["valid"]
    with np.errstate(invalid="ignore"):
        out[PLAN_MEETS] = p["levelised_cogs_per_dose"] <= np.asarray(r["max_allowable_cogs_per_dose"], dtype=float)
    return out


def check_switch(plan_block, source, target, year) -> int:
    """The switch year as an index ``y`` (1 at the plan's first year), checked."""
    if source.name == target.name:
        raise InputError(f"switch: expected two different scenarios, found '{source.name}' twice")
    first, T = plan_block.first_year, plan_block.years
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or not first <= year < first + T:
        raise InputError(
            f"switch year: expected a calendar year from {first} to {first + T - 1} (the plan's years), found {year!r}"
        )
    return int(year) - first + 1


def _npv(cost: np.ndarray, r, n: int) -> np.ndarray:
    T = cost.shape[1]
    disc = (1.0 + np.broadcast_to(np.asarray(r, dtype=float), (n,))[:, None]) ** -np.arange(1, T + 1, dtype=float)
    return (np.broadcast_to(cost, (n, T)) * disc).sum(axis=1)


def switch_saving_samples(source, target, plan_block, year: int, *, source_samples=None, target_samples=None, n=None) -> dict:
    """``switch_saving`` per row: the net present cost of never switching (``source``'s plan
    on the whole demand path) minus that of switching from ``source`` to ``target`` in calendar
    ``year`` (the switch series of docs/model.md, "Switching process after launch", comparability
    cost included), both discounted at the source's ``finance.discount_rate``. Positive: the
    switch pays. ``*_samples`` map keys to ``(n,)`` arrays or scalars replacing either
    scenario's parameters. Returns ``saving`` (NaN where invalid) and ``valid``."""
    y = check_switch(plan_block, source, target, year)
    sa, sb = dict(source_samples or {}), dict(target_samples or {})
    n = max(_rows_of(sa), _rows_of(sb)) if n is None else int(n)
    D = demand_path(plan_block)
    k = plan_block.look_ahead_years
    t = np.arange(1, D.size + 1)
    Da, Db = np.where(t < y, D, 0.0), np.where(t >= y, D, 0.0)
    both = bool((Da > 0).any() and (Db > 0).any())
    saving, valid = np.empty(n), np.empty(n, dtype=bool)
    block = sample_block(D.size)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        pa, pb = _block_params(source, sa, lo, hi, n), _block_params(target, sb, lo, hi, n)
        never = plan_arrays(source.process, pa, D, k)
        a = plan_arrays(source.process, pa, Da, k)
        b = plan_arrays(target.process, pb, Db, k)
        m = hi - lo
        comp = np.zeros((m, D.size))
        if both:
            comp[:, y - 2] = pb["plan.comparability_cost"]
        switched = np.broadcast_to(a["cost"], (m, D.size)) + b["cost"] + comp
        r = pa["finance.discount_rate"]
        ok = np.broadcast_to(never["valid"] & a["valid"] & b["valid"], (m,))
        saving[lo:hi] = np.where(ok, _npv(never["cost"], r, m) - _npv(switched, r, m), np.nan)
        valid[lo:hi] = ok
    return {"saving": saving, "valid": valid}
