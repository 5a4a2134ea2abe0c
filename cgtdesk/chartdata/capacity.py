"""Devices or bioreactors, suites and FTE against demand, and the selected scenario's needs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cgtdesk.chartdata import common
from cgtdesk.chartdata.common import CAPACITY_MEASURES, current_points, demand_grid, safe_results, unit_word, with_finding
from cgtdesk.core.formatting import count, patients


@dataclass(frozen=True)
class CapacityData:
    currency: str
    demand: np.ndarray
    scenarios: list[str]
    processes: list[str]
    curves: dict[str, dict[str, np.ndarray]]  # measure -> scenario -> values
    current: dict[str, tuple[float, float, float, float]]  # name -> (demand, units, suites, fte)
    selected: str | None
    finding: str
    problems: dict[str, str] = field(default_factory=dict)  # why a scenario has no result, by name


def capacity_curves(project, demand=None, selected: str | None = None, sweeps=None, results: dict | None = None) -> CapacityData:
    demand = demand_grid() if demand is None else np.asarray(demand, dtype=float)
    sw = sweeps if sweeps is not None else common.sweeps(project, demand, CAPACITY_MEASURES)
    names = project.names()
    if selected not in names:
        selected = names[0] if names else None
    cur = current_points(project, CAPACITY_MEASURES, results)
    data = CapacityData(
        currency=project.currency,
        demand=demand,
        scenarios=names,
        processes=[s.process for s in project.scenarios],
        curves={m: sw[m] for m in CAPACITY_MEASURES},
        current=cur,
        selected=selected,
        finding="",
        problems={s.name: why for s in project.scenarios for r, why in [safe_results(s, results)] if r is None},
    )
    return with_finding(data, _capacity_finding(data))


def _capacity_finding(d: CapacityData) -> str:
    if d.selected is None:
        return "No scenario"
    proc = d.processes[d.scenarios.index(d.selected)]
    dem, units, suites, fte = d.current[d.selected]
    if not math.isfinite(units):
        return f"{d.selected} cannot be evaluated: {d.problems.get(d.selected, 'no result')}"
    return (
        f"{d.selected} needs {count(units)} {unit_word(proc, units)}, {count(suites)} "
        f"suite{'' if suites == 1 else 's'} and {count(fte)} FTE for {patients(dem)} patients a year"
    )
