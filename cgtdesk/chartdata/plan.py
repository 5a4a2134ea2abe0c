"""The launch plan's charts as plain data (docs/model.md, "Launch plan"), and their findings.

Five charts over :func:`cgtdesk.core.analyses.plan`: demand and installed capacity by year
(:func:`plan_capacity`), annual cost by category with capital and start-up (:func:`plan_cost`),
cumulative cash with the peak funding of every scenario (:func:`plan_cash`), net present cost and
levelised cost per dose of every scenario side by side (:func:`plan_npc`), and the switch analysis
(:func:`plan_switch`). Each takes the project's :class:`~cgtdesk.core.analyses.plan.PlanResult`
(:func:`plan_of` runs it once per redraw) and returns None when the project holds no plan.

No Qt here; every number is the core's, never recomputed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cgtdesk.chartdata.common import category_label, unit_word, with_finding
from cgtdesk.core.analyses.plan import plan as run_plan
from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import count, patients

#: the chart ids of the launch plan, in slide order
PLAN_CHARTS = ("plan-capacity", "plan-cost", "plan-cash", "plan-npc", "plan-switch")
#: what a chart of a project without a plan says
NO_PLAN_TEXT = "No launch plan yet: add one in the Launch plan view (View > Launch plan)."


def short_money(x: float | None, currency: str = "USD") -> str:
    """USD 41M, USD 1.2B, USD 850k, USD 900: money in a sentence, to about three figures."""
    if x is None or not math.isfinite(x):
        return "n/a"
    sign = "-" if x < 0 else ""
    a = abs(x)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            v = a / div
            text = f"{v:.0f}" if v >= 10 else f"{v:.1f}".rstrip("0").rstrip(".")
            return f"{sign}{currency} {text}{suffix}"
    return f"{sign}{currency} {a:,.0f}"


def plan_signature(project) -> tuple | None:
    """Everything the plan's charts depend on (None without a plan)."""
    if project.plan is None:
        return None
    from cgtdesk.chartdata.common import scenario_signature

    return (repr(project.plan.to_dict()), project.currency, tuple(scenario_signature(s) for s in project.scenarios))


def plan_of(project):
    """``(PlanResult, None)``, or ``(None, why)`` when the plan cannot be run, ``(None, None)`` without a plan."""
    if project.plan is None:
        return None, None
    try:
        return run_plan(project), None
    except InputError as e:
        return None, str(e)


def _span(result) -> str:
    return f"{int(result.years[0])}-{int(result.years[-1])}"


def _series(result, name: str | None):
    for s in result.scenarios:
        if s.name == name:
            return s
    return result.scenarios[0] if result.scenarios else None


def _process(project, name: str) -> str:
    return project.scenario(name).process


def _valid(x) -> bool:
    return x is not None and math.isfinite(x)


# ---------------------------------------------------------------- demand and installed capacity


@dataclass(frozen=True)
class PlanCapacityData:
    scenario: str
    process: str
    years: np.ndarray  # calendar years
    patients: np.ndarray  # D_t
    planning_patients: np.ndarray  # P_t
    units: np.ndarray  # installed units, every site
    suites: np.ndarray  # installed suites, every site
    unit_label: str  # "devices" or "bioreactors"
    finding: str = ""


def plan_capacity(result, project, scenario: str | None = None) -> PlanCapacityData | None:
    s = _series(result, scenario) if result is not None else None
    if s is None:
        return None
    process = _process(project, s.name)
    t = s.table
    data = PlanCapacityData(
        scenario=s.name,
        process=process,
        years=np.asarray(result.years),
        patients=np.asarray(t["patients"]),
        planning_patients=np.asarray(t["planning_patients"]),
        units=np.asarray(t["units"]),
        suites=np.asarray(t["suites"]),
        unit_label=unit_word(process),
    )
    return with_finding(data, _capacity_finding(data))


def _capacity_finding(d: PlanCapacityData) -> str:
    if not np.all(np.isfinite(d.units)):
        return f"{d.scenario}: the model cannot evaluate this scenario's plan"
    top = float(np.max(d.units)) if d.units.size else 0.0
    if top <= 0:
        return f"{d.scenario}: no patient in the plan, so no capacity is installed"
    i = int(np.argmax(d.units >= top))
    peak = float(np.max(d.patients))
    return (
        f"{d.scenario}: {count(top)} {unit_word(d.process, top)} and {count(d.suites[i])} suites installed by "
        f"{int(d.years[i])}, for up to {patients(peak)} patients a year"
    )


# ---------------------------------------------------------------- annual cost by category


@dataclass(frozen=True)
class PlanCostData:
    scenario: str
    currency: str
    years: np.ndarray
    categories: tuple  # the seven categories, then "capex", "startup" (and "comparability" for a switch)
    labels: tuple
    values: np.ndarray  # (len(categories), T)
    cost: np.ndarray  # the year's total
    finding: str = ""


COST_EXTRAS = {"capex": "Capital (cash, net of residual value)", "startup": "Start-up and validation"}


def plan_cost(result, project, scenario: str | None = None) -> PlanCostData | None:
    s = _series(result, scenario) if result is not None else None
    if s is None:
        return None
    cats = (*BREAKDOWN, "capex", "startup")
    labels = tuple(category_label(c) if c in BREAKDOWN else COST_EXTRAS[c] for c in cats)
    values = np.vstack([np.asarray(s.table[c], dtype=float) for c in cats])
    data = PlanCostData(
        scenario=s.name,
        currency=project.currency,
        years=np.asarray(result.years),
        categories=cats,
        labels=labels,
        values=values,
        cost=np.asarray(s.table["cost"], dtype=float),
    )
    return with_finding(data, _cost_finding(data, s.summary, _span(result)))


def _cost_finding(d: PlanCostData, summary: dict, span: str) -> str:
    if not np.all(np.isfinite(d.cost)):
        return f"{d.scenario}: the model cannot evaluate this scenario's plan"
    i = int(np.argmax(d.cost))
    cur = d.currency
    return (
        f"{d.scenario}: the annual cost peaks at {short_money(d.cost[i], cur)} in {int(d.years[i])}; "
        f"capital {short_money(summary['capex_cash'], cur)} and start-up {short_money(summary['startup_cash'], cur)} "
        f"over {span}"
    )


# ---------------------------------------------------------------- cumulative cash


@dataclass(frozen=True)
class PlanCashData:
    currency: str
    years: np.ndarray
    scenarios: list  # names
    processes: list
    cumulative: dict  # name -> (T,) cumulative cash
    peak_funding: dict  # name -> peak funding (>= 0) or None
    peak_year: dict  # name -> calendar year of the lowest cumulative cash (None when never below 0)
    finding: str = ""


def plan_cash(result, project) -> PlanCashData | None:
    if result is None or not result.scenarios:
        return None
    cum, peak, when = {}, {}, {}
    for s in result.scenarios:
        c = np.asarray(s.table["cumulative_cash"], dtype=float)
        cum[s.name] = c
        peak[s.name] = s.summary["peak_funding"]
        low = int(np.argmin(c)) if np.all(np.isfinite(c)) else None
        when[s.name] = int(result.years[low]) if low is not None and c[low] < 0 else None
    names = [s.name for s in result.scenarios]
    data = PlanCashData(
        currency=project.currency,
        years=np.asarray(result.years),
        scenarios=names,
        processes=[_process(project, n) for n in names],
        cumulative=cum,
        peak_funding=peak,
        peak_year=when,
    )
    return with_finding(data, _cash_finding(data))


def _cash_finding(d: PlanCashData) -> str:
    ok = [n for n in d.scenarios if _valid(d.peak_funding[n])]
    if not ok:
        return "No scenario's plan can be evaluated"
    lo = min(ok, key=lambda n: d.peak_funding[n])
    hi = max(ok, key=lambda n: d.peak_funding[n])

    def peak(n):
        year = f" in {d.peak_year[n]}" if d.peak_year[n] is not None else ""
        return f"{short_money(d.peak_funding[n], d.currency)}{year}"

    if lo == hi:
        return f"{lo} needs peak funding of {peak(lo)}"
    return f"{lo} needs the least funding, {peak(lo)}; {hi} the most, {peak(hi)}"


# ---------------------------------------------------------------- net present cost and levelised cost


@dataclass(frozen=True)
class PlanNpcData:
    currency: str
    span: str  # "2027-2041"
    scenarios: list
    processes: list
    npc: np.ndarray  # NaN where the plan cannot be evaluated
    levelised: np.ndarray  # per dose; NaN where no dose is delivered
    finding: str = ""


def plan_npc(result, project, pair=None) -> PlanNpcData | None:
    """Every scenario's net present cost and levelised cost per dose; the finding compares ``pair``
    (A, B) when it names two scenarios of the plan, else the cheapest with the next cheapest."""
    if result is None or not result.scenarios:
        return None
    names = [s.name for s in result.scenarios]

    def num(x):
        return float(x) if _valid(x) else math.nan

    data = PlanNpcData(
        currency=project.currency,
        span=_span(result),
        scenarios=names,
        processes=[_process(project, n) for n in names],
        npc=np.array([num(s.summary["npc"]) for s in result.scenarios]),
        levelised=np.array([num(s.summary["levelised_cogs_per_dose"]) for s in result.scenarios]),
    )
    return with_finding(data, _npc_finding(data, pair))


def _npc_finding(d: PlanNpcData, pair) -> str:
    ok = [i for i, v in enumerate(d.npc) if math.isfinite(v)]
    if not ok:
        return "No scenario's plan can be evaluated"
    if len(ok) == 1:
        i = ok[0]
        return f"{d.scenarios[i]}: net present cost {short_money(d.npc[i], d.currency)} over {d.span}"
    if pair and pair[0] in d.scenarios and pair[1] in d.scenarios and pair[0] != pair[1]:
        a, b = (d.scenarios.index(n) for n in pair)
        if a in ok and b in ok:
            cheap, dear = (a, b) if d.npc[a] <= d.npc[b] else (b, a)
            return _less(d, cheap, dear)
    ranked = sorted(ok, key=lambda i: d.npc[i])
    return _less(d, ranked[0], ranked[1]) + f"; it is the cheapest of {len(ok)}"


def _less(d: PlanNpcData, cheap: int, dear: int) -> str:
    diff = d.npc[dear] - d.npc[cheap]
    if diff <= 1e-9 * max(1.0, abs(d.npc[dear])):
        return f"{d.scenarios[cheap]} and {d.scenarios[dear]} cost the same over {d.span}"
    return f"{d.scenarios[cheap]} costs {short_money(diff, d.currency)} less than {d.scenarios[dear]} over {d.span}"


# ---------------------------------------------------------------- the switch analysis


@dataclass(frozen=True)
class SwitchCurve:
    label: str  # "A -> B"
    source: str
    target: str
    planned_year: int  # the switch year the plan holds
    years: np.ndarray  # switch years, first_year .. first_year + T (the last: never switching)
    npc: np.ndarray
    best_year: int | None  # None: never switching is cheapest


@dataclass(frozen=True)
class PlanSwitchData:
    currency: str
    last_year: int  # the plan's last year (never switching is drawn one year after it)
    switches: list  # SwitchCurve
    finding: str = ""


def plan_switch(result, project) -> PlanSwitchData | None:
    if result is None or not result.switches:
        return None
    curves = [
        SwitchCurve(
            label=f"{sw.source} -> {sw.target}",
            source=sw.source,
            target=sw.target,
            planned_year=sw.year,
            years=np.array([y for y, _ in sw.by_switch_year], dtype=float),
            npc=np.array([v for _, v in sw.by_switch_year], dtype=float),
            best_year=sw.best_year,
        )
        for sw in result.switches
    ]
    data = PlanSwitchData(currency=project.currency, last_year=int(result.years[-1]), switches=curves)
    return with_finding(data, _switch_finding(data.switches[0], data.currency))


def _switch_finding(c: SwitchCurve, cur: str) -> str:
    if not np.all(np.isfinite(c.npc)):
        return f"{c.label}: the model cannot evaluate this switch"
    never = c.npc[-1]
    planned = c.npc[list(c.years).index(c.planned_year)]
    if c.best_year is None:
        return (
            f"Never switching from {c.source} to {c.target} costs the least: "
            f"{short_money(planned - never, cur)} less than switching in {c.planned_year}"
        )
    best = c.npc[list(c.years).index(c.best_year)]
    text = f"Switching from {c.source} to {c.target} in {c.best_year} costs the least"
    if never > best:
        text += f", {short_money(never - best, cur)} less than never switching"
    if c.best_year != c.planned_year and planned > best:
        text += f" and {short_money(planned - best, cur)} less than in {c.planned_year}"
    return text
