"""What every analysis shares: result names, the demand range check, array evaluation of a
scenario with some inputs replaced, and the sign-change search (crossover, goal seek).

Result names are the model's flat names ("cogs_per_dose", "breakdown.qc", "units", ...; see
docs/model.md). Everything here is package-private except :func:`result_names` and
:func:`check_result`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import fmt_number
from cgtdesk.core.model import evaluate

DEMAND_KEY = "demand.patients_per_year"
DEFAULT_RESULT = "cogs_per_dose"

#: integer counts of the model that make results step functions of demand (under ``calc.``)
_COUNTS = ("calc.N_unit_s", "calc.N_suite_s", "calc.F_op_s", "calc.F_crew_s", "calc.F_qq_s", "calc.L_s")


def result_names() -> list[str]:
    """Every result an analysis can be asked about (the model's flat names)."""
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


# ---------------------------------------------------------------- sign-change search (crossover steps, goal seek)


def _locate(
    fn, x: np.ndarray, state_of, *, tol: float = 1e-10, abs_tol: float = 0.0, max_cells: int = 20_000, budget: int = 1_000_000
):
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
