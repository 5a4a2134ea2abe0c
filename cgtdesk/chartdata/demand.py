"""A result of every scenario against demand, the crossover of the compared pair, and its finding."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cgtdesk.chartdata.common import (
    current_points,
    demand_grid,
    lower_first,
    result_label,
    result_unit,
    safe_results,
    with_finding,
)
from cgtdesk.core import analyses
from cgtdesk.core.analyses import presets
from cgtdesk.core.formatting import patients


@dataclass(frozen=True)
class DemandData:
    currency: str
    result: str
    label: str
    unit: str
    demand: np.ndarray
    scenarios: list[str]
    processes: list[str]
    values: dict[str, np.ndarray]
    current: dict[str, tuple[float, float]]  # name -> (its own demand, its value there)
    pair: tuple[str, str] | None
    crossings: list[float]
    b_cheaper_from: float | None
    crossover_pending: bool
    finding: str
    steps_too_fine: bool = False  # the crossover search could not pin every count step (see analyses.crossover)
    problems: dict[str, str] = field(default_factory=dict)  # why a scenario has no result at its own inputs, by name


def chart_demand_range(project) -> tuple[float, float]:
    """The demand range the charts show by default (patients/yr): from a tenth of the lowest
    scenario demand to ten times the highest, out to whole decades, within 1 .. 1e6
    (``presets.CHART_DEMAND_*``), so the scenarios' commercial range is not squeezed."""
    lo_bound, hi_bound = presets.CHART_DEMAND_BOUNDS
    own = [float(s.parameters.get("demand.patients_per_year", math.nan)) for s in project.scenarios]
    own = [d for d in own if math.isfinite(d) and d > 0]
    if not own:
        return presets.DEMAND_LO, presets.DEMAND_HI
    lo = 10 ** math.floor(math.log10(min(own) / presets.CHART_DEMAND_BELOW) + 1e-9)
    hi = 10 ** math.ceil(math.log10(max(own) * presets.CHART_DEMAND_ABOVE) - 1e-9)
    lo, hi = max(lo_bound, min(lo, hi_bound / 10)), min(hi_bound, max(hi, lo_bound * 10))
    return float(lo), float(max(hi, lo * 10))


def chart_demand(project) -> np.ndarray:
    """The demand grid of the charts for ``project`` (:func:`chart_demand_range`, presets.DEMAND_POINTS points)."""
    return demand_grid(*chart_demand_range(project))


#: what the demand chart says of a project with one scenario (nothing to cross)
ADD_SECOND = "add a second scenario to compare (Scenario > Add scenario)"


def default_pair(project) -> tuple[str, str] | None:
    """The first autologous and the first allogeneic scenario, else the first two."""
    auto = [s.name for s in project.scenarios if s.process == "autologous"]
    allo = [s.name for s in project.scenarios if s.process == "allogeneic"]
    if auto and allo:
        return auto[0], allo[0]
    names = project.names()
    return (names[0], names[1]) if len(names) >= 2 else None


def valid_pair(project, pair) -> tuple[str, str] | None:
    """``pair`` when it names two different scenarios of ``project``, else the default pair."""
    names = project.names()
    if pair and len(pair) == 2 and pair[0] in names and pair[1] in names and pair[0] != pair[1]:
        return tuple(pair)
    return default_pair(project)


def locate_crossover(project, pair, demand, result: str = "cogs_per_dose"):
    """``analyses.crossover`` of the pair over the demand range of the chart (None without a pair)."""
    if not pair:
        return None
    a, b = project.scenario(pair[0]), project.scenario(pair[1])
    return analyses.crossover(a, b, result, float(demand[0]), float(demand[-1]))


def demand_curves(
    project,
    result: str = "cogs_per_dose",
    demand=None,
    pair=None,
    sweeps=None,
    crossover=None,
    locate: bool = True,
    results: dict | None = None,
) -> DemandData:
    """Every scenario's ``result`` against demand, and the crossover of the pair.

    ``crossover``: an ``analyses.crossover`` result of this pair to reuse; without one it is
    located now (``locate``) or left pending (``crossover_pending``), for callers that locate it
    later (the crossover search takes far longer than the curves).
    """
    demand = demand_grid() if demand is None else np.asarray(demand, dtype=float)
    values = sweeps[result] if sweeps is not None else analyses.sweep(project.scenarios, result, demand).values
    pair = valid_pair(project, pair)
    pending = False
    if pair and crossover is None:
        if locate:
            crossover = locate_crossover(project, pair, demand, result)
        else:
            pending = True
    if crossover is not None and (crossover.a, crossover.b) != tuple(pair or ()):
        raise ValueError(f"crossover of {crossover.a!r} and {crossover.b!r} given for the pair {pair}")
    cur = current_points(project, [result], results)
    data = DemandData(
        currency=project.currency,
        result=result,
        label=result_label(result),
        unit=result_unit(result, project.currency),
        demand=demand,
        scenarios=project.names(),
        processes=[s.process for s in project.scenarios],
        values=values,
        current={k: (v[0], v[1]) for k, v in cur.items()},
        pair=pair,
        crossings=list(crossover.crossings) if crossover is not None else [],
        b_cheaper_from=crossover.b_cheaper_from if crossover is not None else None,
        crossover_pending=pending,
        finding="",
        steps_too_fine=bool(getattr(crossover, "steps_too_fine", False)),
        problems={s.name: why for s in project.scenarios for r, why in [safe_results(s, results)] if r is None},
    )
    return with_finding(data, _demand_finding(data))


def _demand_finding(d: DemandData) -> str:
    text = _pair_finding(d)
    if d.steps_too_fine:
        text += " (too many count steps to pin each one: those nearest a crossing were)"
    return text


def _pair_finding(d: DemandData) -> str:
    lo, hi = patients(float(d.demand[0])), patients(float(d.demand[-1]))
    what = "cheaper" if d.result == "cogs_per_dose" else f"lower in {lower_first(d.label)}"
    if d.pair is None:
        return f"{d.label} from {lo} to {hi} patients a year; {ADD_SECOND}"
    a, b = d.pair
    if d.crossover_pending:
        return f"{d.label} against demand; locating where {b} and {a} cross"
    if d.b_cheaper_from is None:
        fb = d.values[b]
        if np.all(~np.isfinite(fb)):
            return f"{b} cannot be evaluated; {a} shown from {lo} to {hi} patients a year"
        return f"{a} is {what} than {b} up to {hi} patients a year"
    if d.b_cheaper_from <= d.demand[0] * (1 + 1e-12):
        return f"{b} is {what} than {a} at every demand from {lo} to {hi} patients a year"
    return f"{b} is {what} than {a} from {patients(d.b_cheaper_from)} patients a year"
