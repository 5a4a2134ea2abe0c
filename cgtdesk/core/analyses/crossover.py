"""Crossover: the demands at which one scenario's result crosses another's.

Between two demands where no integer count of either scenario changes (devices, suites,
operators, lots), every result is of the form ``p + q*D`` or ``p + q/D``, so the difference of
the two scenarios changes sign at most once there. The search therefore starts from a log grid
of ``grid_points`` demands, splits the grid cells in which a count changes until each count step
is pinned inside an interval narrower than 1e-9 relative, then bisects each cell whose ends
differ in sign to 1e-10 relative. A crossing at a step (a jump of the result) is reported as the
first demand on the new side of the step.

Memory and time are bounded for every valid input: at most ``MAX_PINNED_STEPS`` count steps are
pinned at a time (one device per few patients over a million patients a year is millions of
steps). When a range holds more steps than that, the steps nearest a change of sign are pinned
first and the result says so (``steps_too_fine``): a crossing and crossing back again inside one
grid cell between two steps never looked at could then be missed. A sign change between two
grid points is always found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cgtdesk.core.analyses import presets
from cgtdesk.core.analyses.common import _COUNTS, DEFAULT_RESULT, DEMAND_KEY, _demand_range, _eval, check_result
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import fmt_number

#: count steps pinned at a time at most (each round evaluates the model at this many demands at most)
MAX_PINNED_STEPS = 20_000
#: grid points of the search at most
MAX_GRID_POINTS = 100_000
_ROUNDS = 200
_PIN_TOL = 1e-9
_ROOT_TOL = 1e-10


@dataclass(frozen=True)
class CrossoverResult:
    a: str
    b: str
    result: str
    crossings: list  # demands where the sign of (B - A) changes, ascending
    b_cheaper_from: float | None  # smallest demand from which B < A up to ``hi``; None if B is not below A at hi
    lo: float = presets.DEMAND_LO
    hi: float = presets.DEMAND_HI
    message: str = ""
    steps_too_fine: bool = False  # more count steps than MAX_PINNED_STEPS: not every step was pinned


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


def _nearest_first(cells: tuple, limit: int) -> tuple:
    """The ``limit`` cells (left, right, g_left, g_right, c_left, c_right) nearest a change of sign:
    cells whose ends differ in sign first, then the smallest |difference| at an end; in demand order."""
    left, right, gl, gr, cl, cr = cells
    near = np.minimum(np.abs(gl), np.abs(gr))
    near = np.where(_sign(gl) != _sign(gr), -1.0, np.nan_to_num(near, nan=np.inf))
    keep = np.sort(np.argsort(near, kind="stable")[:limit])
    return left[keep], right[keep], gl[keep], gr[keep], cl[:, keep], cr[:, keep]


def _pin_steps(fn, x: np.ndarray, g: np.ndarray, counts: np.ndarray, tol: float, max_cells: int = MAX_PINNED_STEPS):
    """Split the cells of ``x`` in which some integer count changes until narrower than ``tol``.

    ``fn(points) -> (g, counts)``. Cells are split at their geometric midpoint, all at once per
    round; only the halves in which a count still changes are split again, at most ``max_cells``
    of them per round (those nearest a change of sign: see :func:`_nearest_first`). New points
    are collected and sorted once at the end. Returns the refined, sorted ``x``, ``g`` and
    ``counts``, and whether some cells were left unsplit (more steps than ``max_cells``).
    """
    step = np.any(counts[:, 1:] != counts[:, :-1], axis=0) & ((x[1:] - x[:-1]) > tol * x[1:])
    cells = (x[:-1][step], x[1:][step], g[:-1][step], g[1:][step], counts[:, :-1][:, step], counts[:, 1:][:, step])
    xs, gs, cs = [x], [g], [counts]
    truncated = False
    for _ in range(_ROUNDS):
        if cells[0].size == 0:
            break
        if cells[0].size > max_cells:
            cells, truncated = _nearest_first(cells, max_cells), True
        left, right, gl, gr, cl, cr = cells
        mid = np.sqrt(left * right)
        mid = np.where((mid > left) & (mid < right), mid, 0.5 * (left + right))
        gm, cm = fn(mid)
        xs.append(mid)
        gs.append(gm)
        cs.append(cm)
        go_l = np.any(cl != cm, axis=0) & ((mid - left) > tol * mid)
        go_r = np.any(cm != cr, axis=0) & ((right - mid) > tol * right)
        cells = (
            np.concatenate([left[go_l], mid[go_r]]),
            np.concatenate([mid[go_l], right[go_r]]),
            np.concatenate([gl[go_l], gm[go_r]]),
            np.concatenate([gm[go_l], gr[go_r]]),
            np.concatenate([cl[:, go_l], cm[:, go_r]], axis=1),
            np.concatenate([cm[:, go_l], cr[:, go_r]], axis=1),
        )
    truncated = truncated or cells[0].size > 0
    x_all = np.concatenate(xs)
    order = np.argsort(x_all, kind="stable")
    return x_all[order], np.concatenate(gs)[order], np.concatenate(cs, axis=1)[:, order], truncated


def _bisect(fn, xl: np.ndarray, xr: np.ndarray, keeps_left) -> tuple[np.ndarray, np.ndarray]:
    """Narrow every cell [xl, xr] to ``_ROOT_TOL`` relative: the midpoint replaces the left end where
    ``keeps_left(g at midpoint, cell indices)`` holds, else the right end."""
    xl, xr = xl.copy(), xr.copy()
    for _ in range(_ROUNDS):
        idx = np.nonzero((xr - xl) > _ROOT_TOL * xr)[0]
        if idx.size == 0:
            break
        m = 0.5 * (xl[idx] + xr[idx])
        gm, _ = fn(m)
        left = keeps_left(gm, idx)
        xl[idx] = np.where(left, m, xl[idx])
        xr[idx] = np.where(left, xr[idx], m)
    return xl, xr


def _crossings(fn, x: np.ndarray, diff: np.ndarray) -> list[float]:
    """Every demand where the sign of ``diff`` changes between points strictly on one side."""
    sgn = _sign(diff)
    side = np.nonzero((sgn == 1) | (sgn == -1))[0]
    if side.size < 2:
        return []
    i, j = side[:-1], side[1:]
    change = sgn[i] != sgn[j]
    i, j = i[change], j[change]
    if i.size == 0:
        return []
    adjacent = j == i + 1  # with ties (a difference of exactly 0) between, the first point past them
    sl = sgn[i[adjacent]]
    _, xr = _bisect(fn, x[i[adjacent]], x[j[adjacent]], lambda gm, idx: _sign(gm) == sl[idx])
    out = x[j].copy()
    out[adjacent] = xr
    return [float(v) for v in out]


def _cheaper_from(fn, x: np.ndarray, diff: np.ndarray, lo: float) -> float | None:
    """The smallest demand from which ``diff`` stays below 0 up to the last point (None if not below there)."""
    if not diff[-1] < 0:
        return None
    not_below = np.nonzero(~(diff < 0))[0]
    if not_below.size == 0:
        return float(lo)
    k = int(not_below[-1])
    _, xr = _bisect(fn, x[k : k + 1], x[k + 1 : k + 2], lambda gm, idx: ~(gm < 0))
    return float(xr[0])


def crossover(
    a, b, result: str = DEFAULT_RESULT, lo: float = presets.DEMAND_LO, hi: float = presets.DEMAND_HI, *, grid_points: int = 4000
) -> CrossoverResult:
    """Demands in [lo, hi] at which ``result`` of B crosses that of A, and where B becomes cheaper for good.

    ``crossings`` lists every demand where the sign of (B - A) changes (ties, a difference of
    exactly 0, are not a side: a crossing is a change between B above and B below), located to
    better than 1e-6 relative on the true model. ``b_cheaper_from`` is the smallest demand from
    which B's result stays strictly below A's up to ``hi`` (``lo`` when B is below throughout),
    or None when B is not below A at ``hi``. ``steps_too_fine``: the range held more count steps
    than :data:`MAX_PINNED_STEPS` (see the module's docstring); ``message`` then says so.
    """
    check_result(result)
    lo, hi = _demand_range(lo, hi)
    if isinstance(grid_points, bool) or not isinstance(grid_points, (int, np.integer)) or not 2 <= grid_points <= MAX_GRID_POINTS:
        raise InputError(f"crossover grid points: expected a whole number from 2 to {MAX_GRID_POINTS:,}, found {grid_points!r}")
    x = np.geomspace(lo, hi, int(grid_points))
    x[0], x[-1] = lo, hi

    def fn(d):
        return _diff_and_counts(a, b, result, d)

    diff, counts = fn(x)
    x, diff, counts, too_fine = _pin_steps(fn, x, diff, counts, _PIN_TOL)
    del counts
    crossings = _crossings(fn, x, diff)
    b_from = _cheaper_from(fn, x, diff, lo)
    if np.all(np.isnan(diff)):
        msg = "one of the scenarios is invalid over the whole range; nothing to compare"
    elif b_from is None:
        msg = f"{b.name} is not below {a.name} at {fmt_number(hi)} patients/yr"
    else:
        msg = f"{b.name} is below {a.name} from {fmt_number(round(b_from, 6))} patients/yr up to {fmt_number(hi)}"
    if too_fine:
        msg += f"; more than {MAX_PINNED_STEPS:,} count steps in the range: those nearest a crossing were pinned"
    return CrossoverResult(
        a=a.name,
        b=b.name,
        result=result,
        crossings=crossings,
        b_cheaper_from=b_from,
        lo=lo,
        hi=hi,
        message=msg,
        steps_too_fine=too_fine,
    )
