"""Demand sweep: a result of every scenario at every demand of a grid.

Every demand is evaluated with the true model (strict=False); NaN where the scenario is
invalid at that point. Never interpolated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cgtdesk.core.analyses import presets
from cgtdesk.core.analyses.common import DEFAULT_RESULT, DEMAND_KEY, _demand_range, _eval, check_result
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import fmt_number

#: demands of one sweep at most (each scenario's result is one float per demand)
MAX_SWEEP_POINTS = 100_000


def demand_grid(lo: float = presets.DEMAND_LO, hi: float = presets.DEMAND_HI, points: int = presets.SWEEP_POINTS) -> np.ndarray:
    """``points`` demands (patients/yr) evenly spaced in log from ``lo`` to ``hi`` (both included)."""
    lo, hi = _demand_range(lo, hi)
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or not 2 <= points <= MAX_SWEEP_POINTS:
        raise InputError(f"sweep points: expected a whole number from 2 to {MAX_SWEEP_POINTS:,}, found {points!r}")
    g = np.geomspace(lo, hi, int(points))
    g[0], g[-1] = lo, hi
    return g


@dataclass(frozen=True)
class SweepResult:
    result: str
    demand: np.ndarray
    values: dict  # scenario name -> np.ndarray, NaN where the scenario is invalid at that demand
    valid: dict = field(default_factory=dict)  # scenario name -> bool mask


def sweep(scenarios: Sequence, result: str = DEFAULT_RESULT, demand=None) -> SweepResult:
    """``result`` of each scenario at every demand (each point evaluated by the model, never interpolated)."""
    check_result(result)
    d = demand_grid() if demand is None else np.asarray(demand, dtype=float).ravel()
    if not 1 <= d.size <= MAX_SWEEP_POINTS:
        raise InputError(f"sweep: expected from 1 to {MAX_SWEEP_POINTS:,} demands, found {d.size:,}")
    p = catalogue().parameters[DEMAND_KEY]
    if not np.all(np.isfinite(d)) or d.min() < p.min or d.max() > p.max:
        raise InputError(f"sweep: expected demands within {fmt_number(p.min)} .. {fmt_number(p.max)} patients/yr")
    values, valid = {}, {}
    for s in scenarios:
        r = _eval(s, {DEMAND_KEY: d})
        values[s.name] = np.array(r[result], dtype=float)
        valid[s.name] = np.array(r["valid"], dtype=bool)
    return SweepResult(result=result, demand=d, values=values, valid=valid)
