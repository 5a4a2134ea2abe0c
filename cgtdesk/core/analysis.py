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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import fmt_number
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


def _pin_steps(fn, x: np.ndarray, g: np.ndarray, counts: np.ndarray, tol: float):
    """Split every cell of ``x`` in which some integer count changes until it is narrower than ``tol``.

    ``fn(points) -> (g, counts)``. Cells are split at their geometric midpoint, all at once per
    round; only the halves in which a count still changes are split again. New points are
    collected and sorted once at the end (inserting into the arrays every round cost more than
    the model evaluations). Returns the refined, sorted ``x``, ``g`` and ``counts``.
    """
    step = np.any(counts[:, 1:] != counts[:, :-1], axis=0) & ((x[1:] - x[:-1]) > tol * x[1:])
    left, right = x[:-1][step], x[1:][step]
    c_left, c_right = counts[:, :-1][:, step], counts[:, 1:][:, step]
    xs, gs, cs = [x], [g], [counts]
    for _ in range(200):
        if left.size == 0:
            break
        mid = np.sqrt(left * right)
        mid = np.where((mid > left) & (mid < right), mid, 0.5 * (left + right))
        gm, cm = fn(mid)
        xs.append(mid)
        gs.append(gm)
        cs.append(cm)
        go_left = np.any(c_left != cm, axis=0) & ((mid - left) > tol * mid)
        go_right = np.any(cm != c_right, axis=0) & ((right - mid) > tol * right)
        left, right = np.concatenate([left[go_left], mid[go_right]]), np.concatenate([mid[go_left], right[go_right]])
        c_left, c_right = (
            np.concatenate([c_left[:, go_left], cm[:, go_right]], axis=1),
            np.concatenate([cm[:, go_left], c_right[:, go_right]], axis=1),
        )
    x_all = np.concatenate(xs)
    order = np.argsort(x_all, kind="stable")
    return x_all[order], np.concatenate(gs)[order], np.concatenate(cs, axis=1)[:, order]


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
    x, diff, counts = _pin_steps(lambda d: _diff_and_counts(a, b, result, d), x, diff, counts, tol)

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


# ---------------------------------------------------------------- Monte Carlo


MC_BLOCK = 65_536  # samples per random-number block (fixed: the numbers never depend on the chunk size)
MC_MAX_SAMPLES = 10_000_000
MC_SENSITIVITY_SAMPLES = 100_000  # Spearman sensitivity on the first valid samples, at most this many
MC_RESULTS = ("cogs_per_dose", "cogs_per_patient", "total_annual_cost", "gross_margin", "headroom_per_dose")
PERCENTILES = (5, 10, 50, 90, 95)


@dataclass(frozen=True)
class ScenarioMC:
    name: str
    invalid_samples: int  # samples that made the scenario invalid (e.g. a lot yielding no dose)
    summaries: dict  # result -> {"mean", "sd", "p5", "p10", "p50", "p90", "p95", "n"} over valid samples
    p_meets_target: float  # P(cogs_per_dose <= max_allowable_cogs_per_dose) over valid samples
    sensitivity: list  # [(key, spearman rho)], sorted by |rho| largest first, ties by key
    histogram: dict  # result -> (counts, edges) over valid samples
    values: dict = field(default_factory=dict)  # result -> np.ndarray of every sample (NaN invalid); keep_values only
    valid_samples: int = 0
    samples_done: int = 0
    process: str = ""
    sensitivity_samples: int = 0  # how many samples the Spearman ranking used


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    p_b_cheaper: float  # P(B's compared result < A's) over samples where both are valid
    pairs: int = 0  # samples where both were valid
    shared_keys: tuple = ()  # keys sampled once for both (common random numbers)


@dataclass(frozen=True)
class MonteCarloResult:
    samples: int  # asked for
    seed: int
    scenarios: list  # ScenarioMC
    comparisons: list  # Comparison, every ordered pair (a, b), a != b
    complete: bool  # False when cancelled: the figures then cover ``samples_done`` samples only
    samples_done: int = 0
    results: tuple = MC_RESULTS
    compare: str = DEFAULT_RESULT
    message: str = ""


class _Plan:
    """How one scenario's random inputs are drawn: groups of keys (correlated together or alone)."""

    def __init__(self, scenario):
        from cgtdesk.core.sampling import dist_label, target_matrix

        self.scenario = scenario
        unc = {k: d for k, d in scenario.uncertainty.items() if d["dist"] != "fixed"}
        self.fixed = {k: float(d["value"]) for k, d in scenario.uncertainty.items() if d["dist"] == "fixed"}
        self.keys = [k for k in catalogue().keys_for(scenario.process) if k in unc]
        self.labels = {k: dist_label(k, unc[k]) for k in self.keys}
        self.dists = unc
        # connected groups of the correlation graph
        parent = {k: k for k in self.keys}

        def root(k):
            while parent[k] != k:
                k = parent[k]
            return k

        for c in scenario.correlations:
            if c["a"] in parent and c["b"] in parent:
                parent[root(c["a"])] = root(c["b"])
        groups: dict = {}
        for k in self.keys:
            groups.setdefault(root(k), []).append(k)
        self.groups = []
        for ks in groups.values():
            cs = [c for c in scenario.correlations if c["a"] in ks and c["b"] in ks]
            sig = "ic|" + ";".join(self.labels[k] for k in ks) + "|" + ";".join(
                f"{c['a']}~{c['b']}={c['rho']!r}" for c in sorted(cs, key=lambda c: (c["a"], c["b"]))
            )
            self.groups.append((ks, cs, sig, target_matrix(ks, cs) if cs else None))

    def shared_with(self, other: _Plan) -> tuple:
        """Keys whose draws are identical in both scenarios (same distribution, same correlation group)."""
        mine = {k: sig for ks, _, sig, m in self.groups for k in ks}
        theirs = {k: sig for ks, _, sig, m in other.groups for k in ks}
        out = []
        for k in self.keys:
            if k in theirs and self.labels[k] == other.labels.get(k):
                alone_a = not any(k in ks and len(ks) > 1 for ks, *_ in self.groups)
                alone_b = not any(k in ks and len(ks) > 1 for ks, *_ in other.groups)
                if (alone_a and alone_b) or mine[k] == theirs[k]:
                    out.append(k)
        return tuple(out)


def _block_inputs(plan: _Plan, seed: int, block: int, n: int, cache: dict) -> dict:
    """The sampled inputs of one scenario for one block (cached by label for common random numbers)."""
    from cgtdesk.core.sampling import draw, finish, iman_conover, stream

    out = {}
    for ks, _cs, sig, target in plan.groups:
        if target is None:
            k = ks[0]
            lab = plan.labels[k]
            if lab not in cache:
                cache[lab] = finish(k, draw(k, plan.dists[k], stream(seed, block, lab), n))
            out[k] = cache[lab]
            continue
        if sig not in cache:
            cols = []
            for k in ks:
                lab = plan.labels[k]
                raw_key = "raw|" + lab
                if raw_key not in cache:
                    cache[raw_key] = draw(k, plan.dists[k], stream(seed, block, lab), n)
                cols.append(cache[raw_key])
            x = iman_conover(np.column_stack(cols), target, stream(seed, block, sig))
            cache[sig] = {k: finish(k, x[:, j]) for j, k in enumerate(ks)}
        out.update(cache[sig])
    return out


def _rank_avg(x: np.ndarray) -> np.ndarray:
    """Ranks with ties given their average rank."""
    order = np.argsort(x)  # ties get their average rank below, so the sort need not be stable
    xs = x[order]
    n = x.size
    new = np.empty(n, dtype=bool)
    new[0] = True
    new[1:] = xs[1:] != xs[:-1]
    starts = np.nonzero(new)[0]
    ends = np.append(starts[1:], n)
    avg = (starts + ends - 1) / 2.0
    ranks = np.empty(n)
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def _centred_ranks(x: np.ndarray) -> np.ndarray:
    r = _rank_avg(np.asarray(x, dtype=float))
    return r - r.mean()


def spearman(x: np.ndarray, y: np.ndarray, *, ry: np.ndarray | None = None) -> float:
    """Spearman rank correlation (average ranks for ties); NaN when either is constant.

    ``ry``: the centred ranks of ``y`` when already known (ranking once for many inputs).
    """
    rx = _centred_ranks(x)
    ry = _centred_ranks(y) if ry is None else ry
    den = math.sqrt(float(rx @ rx) * float(ry @ ry))
    return float(rx @ ry) / den if den > 0 else math.nan


def _summary(v: np.ndarray) -> dict:
    v = v[np.isfinite(v)]
    if v.size == 0:
        return {"mean": math.nan, "sd": math.nan, **{f"p{q}": math.nan for q in PERCENTILES}, "n": 0}
    pct = np.percentile(v, PERCENTILES)
    return {
        "mean": float(v.mean()),
        "sd": float(v.std(ddof=1)) if v.size > 1 else 0.0,
        **{f"p{q}": float(x) for q, x in zip(PERCENTILES, pct, strict=True)},
        "n": int(v.size),
    }


def _histogram(v: np.ndarray, bins: int):
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    lo, hi = float(v.min()), float(v.max())
    if lo == hi:
        lo, hi = lo - 0.5 * max(abs(lo), 1.0) * 1e-6, hi + 0.5 * max(abs(hi), 1.0) * 1e-6
    counts, edges = np.histogram(v, bins=bins, range=(lo, hi))
    return counts, edges


def monte_carlo(
    project_or_scenarios,
    samples: int,
    seed: int,
    results: Sequence[str] = MC_RESULTS,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    chunk: int = MC_BLOCK,
    *,
    keep_values: bool = False,
    compare: str = DEFAULT_RESULT,
    sensitivity_result: str = DEFAULT_RESULT,
    sensitivity_samples: int = MC_SENSITIVITY_SAMPLES,
    bins: int = 60,
) -> MonteCarloResult:
    """Monte Carlo over every scenario's uncertainty (DESIGN.md distributions, Iman-Conover correlations).

    - Reproducible: random numbers come in fixed blocks of ``MC_BLOCK`` samples, each variable's
      block from ``SeedSequence(seed, spawn_key=(block, hash(key and distribution)))``; ``chunk``
      (how many samples are evaluated at once, rounded up to whole blocks) never changes them, nor
      does adding another scenario. The first N samples of a larger run equal an N-sample run
      whenever N is a multiple of ``MC_BLOCK``.
    - Common random numbers: a key that two scenarios hold with the same distribution (and, when
      correlated, the same correlations with the same other keys) is sampled once and shared, so
      that P(B cheaper than A) compares like with like; every other key is drawn independently.
    - Integer parameters are rounded to the nearest integer after sampling; all draws lie in the
      valid range. Keys without a distribution stay at the scenario's value.
    - Invalid samples (e.g. a lot yielding no dose) are counted per scenario (``invalid_samples``);
      summaries, histograms, ``p_meets_target`` and the comparisons are over valid samples only.
    - Summaries: mean, sd (n-1), P5, P10, P50, P90, P95 (linear interpolation) of every result asked.
    - ``p_meets_target``: P(cogs_per_dose <= max_allowable_cogs_per_dose).
    - Comparisons: for every ordered pair (A, B), P(B's ``compare`` result < A's), sample by sample.
    - Sensitivity: Spearman rank correlation of each sampled input with ``sensitivity_result`` over
      the first ``sensitivity_samples`` valid samples (100,000 by default: ranking a million
      samples costs more than it tells), sorted by |rho|.
    - ``progress(done, total)`` is called after each chunk; ``cancel()`` is checked before each
      chunk: a cancelled run returns ``complete=False`` with figures over the samples done.
    """
    scenarios = list(getattr(project_or_scenarios, "scenarios", project_or_scenarios))
    if not scenarios:
        raise InputError("Monte Carlo: expected at least one scenario")
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or not 1 <= samples <= MC_MAX_SAMPLES:
        raise InputError(f"Monte Carlo samples: expected a whole number from 1 to {MC_MAX_SAMPLES:,}, found {samples!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise InputError(f"Monte Carlo seed: expected a whole number from 0 to 2^63-1, found {seed!r}")
    results = tuple(dict.fromkeys([*results]))
    for r in (*results, compare, sensitivity_result):
        check_result(r)
    keep = tuple(dict.fromkeys([*results, compare, sensitivity_result]))
    samples, seed = int(samples), int(seed)
    chunk = max(MC_BLOCK, -(-int(chunk) // MC_BLOCK) * MC_BLOCK)
    plans = [_Plan(s) for s in scenarios]
    n_sens = min(int(sensitivity_samples), samples)

    store = {s.name: {r: np.full(samples, np.nan) for r in keep} for s in scenarios}
    valid = {s.name: np.zeros(samples, dtype=bool) for s in scenarios}
    meets = {s.name: 0 for s in scenarios}
    sens_inputs = {s.name: {k: np.empty(n_sens) for k in pl.keys} for s, pl in zip(scenarios, plans, strict=True)}

    done = 0
    n_blocks = -(-samples // MC_BLOCK)
    blocks_per_chunk = chunk // MC_BLOCK
    complete = True
    for first in range(0, n_blocks, blocks_per_chunk):
        if cancel is not None and cancel():
            complete = False
            break
        blocks = range(first, min(first + blocks_per_chunk, n_blocks))
        start = blocks[0] * MC_BLOCK
        stop = min((blocks[-1] + 1) * MC_BLOCK, samples)
        caches = []
        for b in blocks:
            caches.append((b, min(MC_BLOCK, samples - b * MC_BLOCK), {}))
        for s, plan in zip(scenarios, plans, strict=True):
            parts = [_block_inputs(plan, seed, b, n, cache) for b, n, cache in caches]
            params = dict(s.parameters)
            params.update(plan.fixed)
            for k in plan.keys:
                params[k] = parts[0][k] if len(parts) == 1 else np.concatenate([p[k] for p in parts])
            if not plan.keys:
                params[DEMAND_KEY] = np.full(stop - start, float(params[DEMAND_KEY]))
            r = evaluate(s.process, params, strict=False)
            ok = np.asarray(r["valid"], dtype=bool)
            valid[s.name][start:stop] = ok
            for name in keep:
                store[s.name][name][start:stop] = r[name]
            meets[s.name] += int(np.count_nonzero(ok & (r["cogs_per_dose"] <= r["max_allowable_cogs_per_dose"])))
            if start < n_sens:
                m = min(stop, n_sens) - start
                for k in plan.keys:
                    sens_inputs[s.name][k][start:start + m] = params[k][:m]
        done = stop
        if progress is not None:
            progress(done, samples)

    out = []
    for s, plan in zip(scenarios, plans, strict=True):
        ok = valid[s.name][:done]
        nvalid = int(np.count_nonzero(ok))
        summaries, hists, values = {}, {}, {}
        for name in results:
            v = store[s.name][name][:done]
            summaries[name] = _summary(v[ok])
            hists[name] = _histogram(v[ok], bins)
            if keep_values:
                values[name] = v
        m = min(done, n_sens)
        okm = ok[:m]
        y = store[s.name][sensitivity_result][:m][okm]
        sens = []
        finite = np.isfinite(y)
        ry = _centred_ranks(y[finite]) if np.count_nonzero(finite) > 2 else None
        for k in plan.keys:
            x = sens_inputs[s.name][k][:m][okm][finite]
            rho = spearman(x, y[finite], ry=ry) if ry is not None else math.nan
            sens.append((k, rho))
        sens.sort(key=lambda t: (math.isnan(t[1]), -abs(t[1]) if not math.isnan(t[1]) else 0.0, t[0]))
        out.append(
            ScenarioMC(
                name=s.name, invalid_samples=done - nvalid, summaries=summaries,
                p_meets_target=meets[s.name] / nvalid if nvalid else math.nan, sensitivity=sens,
                histogram=hists, values=values, valid_samples=nvalid, samples_done=done, process=s.process,
                sensitivity_samples=int(np.count_nonzero(finite)),
            )
        )
    comparisons = []
    for i, a in enumerate(scenarios):
        for j, b in enumerate(scenarios):
            if i == j:
                continue
            va, vb = store[a.name][compare][:done], store[b.name][compare][:done]
            both = np.isfinite(va) & np.isfinite(vb) & valid[a.name][:done] & valid[b.name][:done]
            nb = int(np.count_nonzero(both))
            p = float(np.count_nonzero(vb[both] < va[both])) / nb if nb else math.nan
            comparisons.append(Comparison(a.name, b.name, p, nb, plans[i].shared_with(plans[j])))
    msg = "" if complete else f"cancelled after {done:,} of {samples:,} samples: the figures cover those only"
    return MonteCarloResult(
        samples=samples, seed=seed, scenarios=out, comparisons=comparisons, complete=complete,
        samples_done=done, results=results, compare=compare, message=msg,
    )
