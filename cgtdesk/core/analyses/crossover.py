"""Crossover: the demands at which one scenario's result crosses another's.

Between two demands where no integer count of either scenario changes (devices, suites,
operators, lots), every result is of the form ``p + q*D`` or ``p + q/D``, so the difference of
the two scenarios changes sign at most once there. The search therefore starts from a dense log
grid, splits every grid cell in which a count changes until each count step is pinned inside an
interval narrower than 1e-9 relative, then bisects each smooth cell whose ends differ in sign to
1e-10 relative. A crossing at a step (a jump of the result) is reported as the first demand on
the new side of the step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cgtdesk.core.analyses import presets
from cgtdesk.core.analyses.common import _COUNTS, DEFAULT_RESULT, DEMAND_KEY, _demand_range, _eval, check_result
from cgtdesk.core.formatting import fmt_number


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


def crossover(
    a, b, result: str = DEFAULT_RESULT, lo: float = presets.DEMAND_LO, hi: float = presets.DEMAND_HI, *, grid_points: int = 4000
) -> CrossoverResult:
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
    return CrossoverResult(
        a=a.name, b=b.name, result=result, crossings=crossings, b_cheaper_from=b_from, lo=lo, hi=hi, message=msg
    )
