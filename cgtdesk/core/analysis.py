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


# ---------------------------------------------------------------- tornado


@dataclass(frozen=True)
class TornadoBar:
    key: str
    low: float  # the input value at the low end (rounded for integers, clipped to the valid range)
    high: float
    result_low: float  # the result with the input at ``low`` (NaN when the scenario is invalid there)
    result_high: float
    swing: float  # |result_high - result_low|; NaN when either end is invalid
    source: str = "default"  # where low/high come from: "uniform", "triangular", "pert", "normal", "lognormal", "fixed", "default"
    invalid: bool = False  # True when the scenario is invalid at low or high
    message: str = ""


@dataclass(frozen=True)
class TornadoResult:
    scenario: str
    result: str
    base: float
    bars: list  # TornadoBar, largest swing first; zero swings next; invalid ends last


TORNADO_DEFAULT_SPREAD = 0.20


def tornado_range(scenario, key: str) -> tuple[float, float, str]:
    """Low and high of ``key`` for a tornado: from its uncertainty, else -/+20% of base.

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
        lo, hi, src = base * (1 - TORNADO_DEFAULT_SPREAD), base * (1 + TORNADO_DEFAULT_SPREAD), "default"
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


def tornado(scenario, result: str = DEFAULT_RESULT, keys=None) -> TornadoResult:
    """One-at-a-time swings of ``result``: each parameter at its low and its high, the others at base.

    Bars are sorted by swing, largest first, ties by key; bars with zero swing come after the
    others (kept, so that every parameter is accounted for), and bars whose low or high makes the
    scenario invalid come last, flagged ``invalid`` with NaN at the invalid end and a NaN swing.
    """
    check_result(result)
    all_keys = catalogue().keys_for(scenario.process)
    if keys is None:
        keys = all_keys
    else:
        keys = list(keys)
        for k in keys:
            if k not in all_keys:
                raise InputError(f"tornado: '{k}' is not a parameter of the {scenario.process} scenario '{scenario.name}'")
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
    r = _eval(scenario, arrays)
    vals = np.asarray(r[result], dtype=float)
    valid = np.asarray(r["valid"], dtype=bool)
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


# ---------------------------------------------------------------- sign-change search (shared by goal seek)


def _locate(fn, x: np.ndarray, state_of, *, tol: float = 1e-10, abs_tol: float = 0.0, max_cells: int = 20_000, budget: int = 1_000_000):
    """Every boundary in [x[0], x[-1]] where ``state_of(g)`` changes, ``fn(x) -> (g, counts)``.

    Cells in which an integer count changes are split until narrower than ``tol`` relative;
    smooth cells whose end states differ are bisected (at most one change in a smooth cell).
    Returns the refined points, their g and states, and a list of (x_left, x_right, state_left,
    state_right) brackets, each narrower than ``tol`` relative (plus ``abs_tol``).

    When there are more steps than ``max_cells`` at a time (or than ``budget`` evaluations in all,
    e.g. the 1.5 million steps of doses per lot over the whole bioreactor volume range), the steps
    nearest a change of state (smallest |g| at their ends) are pinned first; a change of state
    hidden inside a step cell never looked at could then be missed.
    """
    g, counts = fn(x)

    def narrow(lo, hi):
        return (hi - lo) <= tol * np.maximum(np.abs(hi), np.abs(lo)) + abs_tol

    spent = 0
    for _ in range(400):
        step = np.any(counts[:, 1:] != counts[:, :-1], axis=0)
        split = np.nonzero(step & ~narrow(x[:-1], x[1:]))[0]
        if split.size == 0 or spent >= budget:
            break
        if split.size > max_cells:  # too many steps to pin them all: those nearest a change of state first
            near = np.minimum(np.abs(g[split]), np.abs(g[split + 1]))
            near = np.where(state_of(g[split]) != state_of(g[split + 1]), -1.0, np.nan_to_num(near, nan=np.inf))
            split = np.sort(split[np.argsort(near, kind="stable")[:max_cells]])
        spent += split.size
        mid = 0.5 * (x[split] + x[split + 1])
        pos = (x[split] > 0) & (x[split + 1] / np.maximum(x[split], 1e-300) > 4)
        mid = np.where(pos, np.sqrt(np.abs(x[split] * x[split + 1])), mid)  # geometric on wide positive cells
        gm, cm = fn(mid)
        x = np.insert(x, split + 1, mid)
        g = np.insert(g, split + 1, gm)
        counts = np.insert(counts, split + 1, cm, axis=1)
    st = state_of(g)
    i = np.nonzero(st[1:] != st[:-1])[0]
    xl, xr = x[i].copy(), x[i + 1].copy()
    sl, sr = st[i], st[i + 1]
    smooth = ~np.any(counts[:, i] != counts[:, i + 1], axis=0)
    for _ in range(400):
        active = np.nonzero(smooth & ~narrow(xl, xr))[0]
        if active.size == 0:
            break
        m = 0.5 * (xl[active] + xr[active])
        gm, _ = fn(m)
        sm = state_of(gm)
        left = sm == sl[active]
        xl[active] = np.where(left, m, xl[active])
        xr[active] = np.where(left, xr[active], m)
    return x, g, st, list(zip(xl.tolist(), xr.tolist(), sl.tolist(), sr.tolist(), strict=True))


# ---------------------------------------------------------------- goal seek


#: results where more is better (goal seek looks for result >= target); every other result: <= target
AT_LEAST_RESULTS = frozenset({"gross_margin", "headroom_per_dose", "doses_per_lot", "utilisation"})


@dataclass(frozen=True)
class SolveResult:
    scenario: str
    vary: str
    result: str
    target: float | None  # the target at ``value`` (at the base value when there is no answer)
    reachable: bool
    value: float | None
    achieved: float | None  # the result at ``value``
    message: str
    curve_x: np.ndarray  # a dense grid over the valid range of ``vary`` ...
    curve_y: np.ndarray  # ... and the result there (NaN where invalid), for a chart
    curve_target: np.ndarray | None = None  # the target along curve_x (None when constant)
    sense: str = "<="  # the condition: result <= target, or result >= target
    base_value: float = math.nan
    base_result: float = math.nan
    base_meets: bool = False
    feasible: list = field(default_factory=list)  # [(from, to), ...] every interval of values that meet the target
    all_meet: bool = False


def _solve_grid(p, base: float) -> np.ndarray:
    lo, hi = float(p.min), float(p.max)
    parts = [np.linspace(lo, hi, 2001), np.array([base])]
    if hi > 0:
        start = lo if lo > 0 else hi * 1e-9
        parts.append(np.geomspace(max(start, hi * 1e-12), hi, 2001))
    x = np.unique(np.concatenate(parts))
    return x[(x >= lo) & (x <= hi)]


def solve(scenario, vary: str, result: str = DEFAULT_RESULT, target="max_allowable", *, sense: str | None = None) -> SolveResult:
    """Goal seek: the value of ``vary`` within its valid range at which ``result`` meets ``target``.

    The condition is ``result <= target`` (``>=`` for gross margin, headroom, doses per lot and
    utilisation, or as ``sense`` says); invalid scenarios never meet it. ``target`` is a number
    or "max_allowable", the scenario's ``max_allowable_cogs_per_dose`` recomputed at each trial
    value (so varying the price or the target margin moves the target too).

    The whole valid range is scanned (every integer for integer parameters; otherwise a dense
    linear + log grid whose steps are then pinned, with each boundary bisected to 1e-10 relative).
    The answer is a boundary of the set of values that meet the target:

    - base value meets the target: the nearest boundary of the interval of meeting values that
      holds the base value (how far the parameter can move before the target is missed: e.g. the
      lowest batch success rate, the highest vector cost);
    - base value misses it: the meeting value nearest to the base value (the least change that
      meets it);
    - every value in range meets it: the range end where the result is closest to the target
      (e.g. the highest vector cost allowed), reachable, with a message saying so;
    - no value meets it: not reachable, value None.

    A boundary value is reported on its meeting side, so ``achieved`` meets the target.
    """
    check_result(result)
    keys = catalogue().keys_for(scenario.process)
    if vary not in catalogue().parameters:
        raise InputError(f"goal seek: unknown parameter '{vary}'; expected a key of the {scenario.process} scenario '{scenario.name}', such as {', '.join(keys[:3])}")
    if vary not in keys:
        raise InputError(f"goal seek: '{vary}' is not a parameter of the {scenario.process} scenario '{scenario.name}'")
    if sense is None:
        sense = ">=" if result in AT_LEAST_RESULTS else "<="
    if sense not in ("<=", ">="):
        raise InputError(f"goal seek: expected the condition '<=' or '>=', found {sense!r}")
    moving = isinstance(target, str)
    if moving:
        if target != "max_allowable":
            raise InputError(f"goal seek: expected a number or 'max_allowable' as the target, found {target!r}")
    else:
        try:
            target = float(target)
        except (TypeError, ValueError):
            raise InputError(f"goal seek: expected a number or 'max_allowable' as the target, found {target!r}") from None
        if not math.isfinite(target):
            raise InputError(f"goal seek: expected a finite target, found {target}")
    p = catalogue().parameters[vary]
    base = float(scenario.parameters[vary])
    flip = 1.0 if sense == "<=" else -1.0

    def evaluate_at(v):
        r = _eval(scenario, {vary: np.asarray(v, dtype=float)}, intermediates=True)
        y = np.asarray(r[result], dtype=float)
        t = np.asarray(r["max_allowable_cogs_per_dose"], dtype=float) if moving else np.full(y.shape, target)
        counts = [np.nan_to_num(np.asarray(r[k], dtype=float), nan=-1.0) for k in (*_COUNTS, "doses_per_lot") if k in r]
        return y, t, np.stack(counts)

    def fn(v):
        y, t, c = evaluate_at(v)
        return flip * (y - t), c

    def met(g):
        return (g <= 0).astype(np.int8)  # NaN (invalid) never meets

    if p.integer:
        x = np.arange(math.ceil(p.min), math.floor(p.max) + 1, dtype=float)
        g, _ = fn(x)
        st = met(g)
        i = np.nonzero(st[1:] != st[:-1])[0]
        brackets = list(zip(x[i].tolist(), x[i + 1].tolist(), st[i].tolist(), st[i + 1].tolist(), strict=True))
        curve_x = x if x.size <= 20001 else x[np.unique(np.linspace(0, x.size - 1, 20001).astype(int))]
    else:
        grid = _solve_grid(p, base)
        x, g, st, brackets = _locate(fn, grid, met, tol=1e-10, abs_tol=1e-300)
        curve_x = grid
    cy, ct, _ = evaluate_at(curve_x)
    curve_target = ct if moving else None

    # intervals of meeting values, each end on its meeting side
    lo_end, hi_end = float(x[0]), float(x[-1])
    feasible = []
    start = lo_end if st[0] == 1 else None
    for xl, xr, sl, _sr in brackets:
        if sl == 1:  # leaving the feasible set
            feasible.append((start, xl))
            start = None
        else:
            start = xr
    if start is not None:
        feasible.append((start, hi_end))

    yb, tb, _ = evaluate_at(np.array([base]))
    base_result, base_target = float(yb[0]), float(tb[0])
    base_meets = bool(met(flip * (yb - tb))[0])
    all_meet = len(feasible) == 1 and feasible[0] == (lo_end, hi_end)
    rel = "at most" if sense == "<=" else "at least"
    label = result
    tname = "the maximum allowable cost of goods per dose" if moving else fmt_number(target)

    if not feasible:
        value = None
        msg = f"no value of {vary} in its valid range {p.range_text()} gives {label} {rel} {tname}"
    elif all_meet:
        # the range end closest to missing the target
        ge, _ = fn(np.array([lo_end, hi_end]))
        value = hi_end if ge[1] >= ge[0] else lo_end
        msg = (
            f"every value of {vary} in its valid range {p.range_text()} gives {label} {rel} {tname}; "
            f"reported the range end closest to the target, {fmt_number(value)}"
        )
    else:
        if base_meets:
            here = next((f for f in feasible if f[0] <= base <= f[1]), None)
            if here is None:  # base on a step edge: take the nearest interval
                here = min(feasible, key=lambda f: min(abs(f[0] - base), abs(f[1] - base)))
            ends = [e for e, is_edge in ((here[0], here[0] != lo_end), (here[1], here[1] != hi_end)) if is_edge]
            value = min(ends, key=lambda e: abs(e - base))
            way = "lowest" if (value == here[0] and here[0] != lo_end) else "highest"
            msg = f"the {way} {vary} at which {label} stays {rel} {tname} is {fmt_number(round(value, 10))}"
        else:
            cands = [e for f in feasible for e in f]
            value = min(cands, key=lambda e: (abs(e - base), e))
            way = "raise" if value > base else "lower"
            msg = f"{label} is {rel} {tname} from {vary} = {fmt_number(round(value, 10))} ({way} it from {fmt_number(base)})"
    achieved, t_at = None, (base_target if moving else target)
    if value is not None:
        yv, tv, _ = evaluate_at(np.array([value]))
        achieved, t_at = float(yv[0]), float(tv[0])
    return SolveResult(
        scenario=scenario.name, vary=vary, result=result, target=t_at, reachable=value is not None, value=value,
        achieved=achieved, message=msg, curve_x=curve_x, curve_y=cy, curve_target=curve_target, sense=sense,
        base_value=base, base_result=base_result, base_meets=base_meets, feasible=feasible, all_meet=all_meet,
    )
