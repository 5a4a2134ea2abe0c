"""The analyses of MODEL.md ("Analyses"): demand sweep, crossover, tornado, Monte Carlo, goal seek.

Every function here is pure (no Qt), vectorised over :func:`cgtdesk.core.model.evaluate`, and
returns frozen dataclasses of plain data (numpy arrays, floats, lists) that charts, the workbook
and the command line draw or print. Result names are MODEL.md's flat names ("cogs_per_dose",
"breakdown.qc", "units", ...).

Decisions (documented here and in the README, section "Analyses"):

- Sweep: every demand is evaluated with the true model (strict=False); NaN where the scenario is
  invalid at that point. Never interpolated.
- Crossover: between two demands where no integer count of either scenario changes (devices,
  suites, operators, lots), every result is of the form ``p + q*D`` or ``p + q/D``, so the
  difference of the two scenarios changes sign at most once there. The search therefore starts
  from a dense log grid, splits every grid cell in which a count changes until each count step is
  pinned inside an interval narrower than 1e-9 relative, then bisects each smooth cell whose ends
  differ in sign to 1e-10 relative. A crossing at a step (a jump of the result) is reported as
  the first demand on the new side of the step.
- Tornado, Monte Carlo, goal seek: see their functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from cgtdesk.core.catalogue import catalogue, fmt_number
from cgtdesk.core.errors import InputError
from cgtdesk.core.model import evaluate

DEMAND_KEY = "demand.patients_per_year"
DEFAULT_RESULT = "cogs_per_dose"

#: integer counts of MODEL.md that make results step functions of demand (under ``calc.``)
_COUNTS = ("calc.N_unit_s", "calc.N_suite_s", "calc.F_op_s", "calc.L_s")


# ---------------------------------------------------------------- helpers


def result_names() -> list[str]:
    """Every result an analysis can be asked about (MODEL.md's flat names)."""
    return list(catalogue().results)


def check_result(result: str) -> str:
    if result not in catalogue().results:
        raise InputError(f"unknown result {result!r}; expected one of {', '.join(result_names())}")
    return result


def _demand_range(lo: float, hi: float) -> tuple[float, float]:
    p = catalogue().parameters[DEMAND_KEY]
    try:
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        raise InputError(f"demand range: expected numbers, found {lo!r} and {hi!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InputError(f"demand range: expected finite numbers, found {lo} and {hi}")
    if lo < p.min or hi > p.max:
        raise InputError(
            f"demand range: expected demands within the valid range of {DEMAND_KEY}, "
            f"{fmt_number(p.min)} .. {fmt_number(p.max)} patients/yr, found {fmt_number(lo)} .. {fmt_number(hi)}"
        )
    if not lo < hi:
        raise InputError(f"demand range: expected 'from' below 'to', found from {fmt_number(lo)} and to {fmt_number(hi)}")
    return lo, hi


def _params(scenario, **overrides) -> dict:
    """The scenario's parameters with some keys replaced (by scalars or arrays)."""
    p = dict(scenario.parameters)
    p.update(overrides)
    return p


def _eval(scenario, overrides: Mapping[str, object] | None = None, *, intermediates: bool = False) -> dict:
    """Array evaluation (strict=False) of a scenario with some keys replaced."""
    p = dict(scenario.parameters)
    if overrides:
        p.update(overrides)
    # at least one array so that the model returns arrays and a "valid" mask
    if all(np.ndim(v) == 0 for v in p.values()):
        p[DEMAND_KEY] = np.atleast_1d(np.asarray(p[DEMAND_KEY], dtype=float))
    return evaluate(scenario.process, p, strict=False, intermediates=intermediates)


def _scalar_result(scenario, result: str, overrides: Mapping[str, object] | None = None) -> float:
    """One result as a float (NaN when the scenario is invalid or the result is null)."""
    r = _eval(scenario, {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in (overrides or {}).items()})
    return float(np.ravel(r[result])[0])


# ---------------------------------------------------------------- demand sweep


def demand_grid(lo: float = 1.0, hi: float = 1e5, points: int = 200) -> np.ndarray:
    """``points`` demands (patients/yr) evenly spaced in log from ``lo`` to ``hi`` (both included)."""
    lo, hi = _demand_range(lo, hi)
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 2:
        raise InputError(f"sweep points: expected a whole number of at least 2, found {points!r}")
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
    if d.size == 0:
        raise InputError("sweep: expected at least one demand")
    p = catalogue().parameters[DEMAND_KEY]
    if not np.all(np.isfinite(d)) or d.min() < p.min or d.max() > p.max:
        raise InputError(
            f"sweep: expected demands within {fmt_number(p.min)} .. {fmt_number(p.max)} patients/yr"
        )
    values, valid = {}, {}
    for s in scenarios:
        r = _eval(s, {DEMAND_KEY: d})
        values[s.name] = np.array(r[result], dtype=float)
        valid[s.name] = np.array(r["valid"], dtype=bool)
    return SweepResult(result=result, demand=d, values=values, valid=valid)


# ---------------------------------------------------------------- crossover


@dataclass(frozen=True)
class CrossoverResult:
    a: str
    b: str
    result: str
    crossings: list  # demands where the sign of (B - A) changes, ascending
    b_cheaper_from: float | None  # smallest demand from which B < A up to ``hi``; None if B is not below A at hi
    lo: float = 1.0
    hi: float = 1e5
    message: str = ""


def _diff_and_counts(a, b, result: str, d: np.ndarray):
    ra = _eval(a, {DEMAND_KEY: d}, intermediates=True)
    rb = _eval(b, {DEMAND_KEY: d}, intermediates=True)
    diff = np.asarray(rb[result], dtype=float) - np.asarray(ra[result], dtype=float)
    counts = [np.asarray(r[k], dtype=float) for r in (ra, rb) for k in _COUNTS if k in r]
    counts = np.stack([np.nan_to_num(c, nan=-1.0) for c in counts]) if counts else np.zeros((0, d.size))
    return diff, counts


def _sign(x: np.ndarray) -> np.ndarray:
    """-1, 0, +1, and 2 for NaN (invalid)."""
    s = np.sign(x)
    return np.where(np.isnan(x), 2.0, s)


def crossover(a, b, result: str = DEFAULT_RESULT, lo: float = 1.0, hi: float = 1e5, *, grid_points: int = 4000) -> CrossoverResult:
    """Demands in [lo, hi] at which ``result`` of B crosses that of A, and where B becomes cheaper for good.

    ``crossings`` lists every demand where the sign of (B - A) changes (ties, a difference of
    exactly 0, are not a side: a crossing is a change between B above and B below), located to
    better than 1e-6 relative on the true model. ``b_cheaper_from`` is the smallest demand from
    which B's result stays strictly below A's up to ``hi`` (``lo`` when B is below throughout),
    or None when B is not below A at ``hi``.
    """
    check_result(result)
    lo, hi = _demand_range(lo, hi)
    tol = 1e-9
    x = np.geomspace(lo, hi, max(int(grid_points), 2))
    x[0], x[-1] = lo, hi
    diff, counts = _diff_and_counts(a, b, result, x)
    # split every cell in which some integer count changes, until the step is pinned
    for _ in range(200):
        step = np.any(counts[:, 1:] != counts[:, :-1], axis=0)
        wide = (x[1:] - x[:-1]) > tol * x[1:]
        split = np.nonzero(step & wide)[0]
        if split.size == 0:
            break
        mid = np.sqrt(x[split] * x[split + 1])
        mid = np.where((mid > x[split]) & (mid < x[split + 1]), mid, 0.5 * (x[split] + x[split + 1]))
        dm, cm = _diff_and_counts(a, b, result, mid)
        x = np.insert(x, split + 1, mid)
        diff = np.insert(diff, split + 1, dm)
        counts = np.insert(counts, split + 1, cm, axis=1)

    sgn = _sign(diff)
    side = np.nonzero((sgn == 1) | (sgn == -1))[0]  # points strictly on one side
    crossings: list[float] = []
    if side.size >= 2:
        i, j = side[:-1], side[1:]
        change = sgn[i] != sgn[j]
        i, j = i[change], j[change]
        if i.size:
            step_cell = np.any(counts[:, i] != counts[:, j], axis=0)
            xl, xr = x[i].copy(), x[j].copy()
            sl = sgn[i]
            # smooth cells (no count change between the two points): bisect the single root
            smooth = ~step_cell & (j == i + 1)
            for _ in range(200):
                active = smooth & ((xr - xl) > 1e-10 * xr)
                if not np.any(active):
                    break
                idx = np.nonzero(active)[0]
                m = 0.5 * (xl[idx] + xr[idx])
                dm, _ = _diff_and_counts(a, b, result, m)
                same = _sign(dm) == sl[idx]
                xl[idx] = np.where(same, m, xl[idx])
                xr[idx] = np.where(same, xr[idx], m)
            crossings = [float(v) for v in xr]
    b_from = None
    last = diff[-1]
    if last < 0:
        not_below = np.nonzero(~(diff < 0))[0]
        if not_below.size == 0:
            b_from = float(lo)
        else:
            k = int(not_below[-1])
            xl, xr = float(x[k]), float(x[k + 1])
            steppy = bool(np.any(counts[:, k] != counts[:, k + 1]))
            if not steppy:
                for _ in range(200):
                    if xr - xl <= 1e-10 * xr:
                        break
                    m = 0.5 * (xl + xr)
                    dm, _ = _diff_and_counts(a, b, result, np.array([m]))
                    if dm[0] < 0:
                        xr = m
                    else:
                        xl = m
            b_from = xr
    if np.all(np.isnan(diff)):
        msg = "one of the scenarios is invalid over the whole range; nothing to compare"
    elif b_from is None:
        msg = f"{b.name} is not below {a.name} at {fmt_number(hi)} patients/yr"
    else:
        msg = f"{b.name} is below {a.name} from {fmt_number(round(b_from, 6))} patients/yr up to {fmt_number(hi)}"
    return CrossoverResult(a=a.name, b=b.name, result=result, crossings=crossings, b_cheaper_from=b_from, lo=lo, hi=hi, message=msg)
