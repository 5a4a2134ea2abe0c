"""Goal seek ("solve"): the value of one input at which a result meets a target.

The whole valid range of the input is scanned, its steps pinned and each boundary bisected
(see :func:`cgtdesk.core.analyses.common._locate`); the answer is a boundary of the set of
values that meet the target.

Launch-plan results (docs/model.md, "Launch plan") are sought the same way with the project's
plan block (``plan=project.plan``): a scenario's ``npc``, ``levelised_cogs_per_dose``,
``npv_gross_profit`` or ``peak_funding``, or ``switch_saving``, the net present cost that a
switch from one scenario to another in a given year saves against never switching
(``switch=(source, target, year)``; e.g. the highest ``plan.comparability_cost`` of the target
at which switching in 2031 still pays: ``switch_saving >= 0``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cgtdesk.core.analyses.common import _COUNTS, DEFAULT_RESULT, _eval, _locate
from cgtdesk.core.analyses.plan import (
    SWITCH_SAVING,
    check_analysis_result,
    check_switch,
    is_plan_result,
    plan_samples,
    switch_saving_samples,
)
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import fmt_number

#: results where more is better (goal seek looks for result >= target); every other result: <= target
AT_LEAST_RESULTS = frozenset(
    {"gross_margin", "headroom_per_dose", "doses_per_lot", "utilisation", "npv_gross_profit", SWITCH_SAVING}
)


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
    switch: tuple | None = None  # (source name, target name, calendar year) for switch_saving


#: step cells pinned at a time, and trial values in all, in a plan result's scan (each trial is a
#: whole plan, and a plan has steps in every year: those nearest a change of state are pinned first)
_PLAN_LIMITS = {"max_cells": 2_000, "budget": 40_000}


def _solve_grid(p, base: float) -> np.ndarray:
    lo, hi = float(p.min), float(p.max)
    parts = [np.linspace(lo, hi, 2001), np.array([base])]
    if hi > 0:
        start = lo if lo > 0 else hi * 1e-9
        parts.append(np.geomspace(max(start, hi * 1e-12), hi, 2001))
    x = np.unique(np.concatenate(parts))
    return x[(x >= lo) & (x <= hi)]


def _check_solve(scenario, vary: str, target, sense: str | None, result: str):
    """The condition and the target, checked: (sense, moving target?, target)."""
    keys = catalogue().keys_for(scenario.process)
    if vary not in catalogue().parameters:
        raise InputError(
            f"goal seek: unknown parameter '{vary}'; expected a key of the {scenario.process} scenario "
            f"'{scenario.name}', such as {', '.join(keys[:3])}"
        )
    if vary not in keys:
        raise InputError(f"goal seek: '{vary}' is not a parameter of the {scenario.process} scenario '{scenario.name}'")
    if catalogue().parameters[vary].is_choice:
        raise InputError(f"goal seek: '{vary}' is a choice, not a number: it cannot be sought")
    if target is None:
        target = 0.0 if result == SWITCH_SAVING else "max_allowable"
    elif result == SWITCH_SAVING and isinstance(target, str):
        raise InputError(
            f"goal seek of {SWITCH_SAVING}: expected a number as the target (0: the switch breaks even), found {target!r}"
        )
    if sense is None:
        sense = ">=" if result in AT_LEAST_RESULTS else "<="
    if sense not in ("<=", ">="):
        raise InputError(f"goal seek: expected the condition '<=' or '>=', found {sense!r}")
    moving = isinstance(target, str)
    if moving:
        if target != "max_allowable":
            raise InputError(f"goal seek: expected a number or 'max_allowable' as the target, found {target!r}")
        return sense, True, target
    try:
        target = float(target)
    except (TypeError, ValueError):
        raise InputError(f"goal seek: expected a number or 'max_allowable' as the target, found {target!r}") from None
    if not math.isfinite(target):
        raise InputError(f"goal seek: expected a finite target, found {target}")
    return sense, False, target


def _met(g):
    return (g <= 0).astype(np.int8)  # NaN (invalid) never meets


class _Seek:
    """One goal seek's evaluations: the result, the target and the integer counts at trial values."""

    def __init__(self, scenario, vary: str, result: str, target, moving: bool, sense: str, plan=None, switch=None):
        self.scenario, self.vary, self.result = scenario, vary, result
        self.target, self.moving = target, moving
        self.flip = 1.0 if sense == "<=" else -1.0
        self.plan, self.switch = plan, switch

    def at(self, v):
        if is_plan_result(self.result):
            return self._plan_at(np.asarray(v, dtype=float))
        r = _eval(self.scenario, {self.vary: np.asarray(v, dtype=float)}, intermediates=True)
        y = np.asarray(r[self.result], dtype=float)
        t = np.asarray(r["max_allowable_cogs_per_dose"], dtype=float) if self.moving else np.full(y.shape, self.target)
        counts = [np.nan_to_num(np.asarray(r[k], dtype=float), nan=-1.0) for k in (*_COUNTS, "doses_per_lot") if k in r]
        return y, t, np.stack(counts)

    def _plan_at(self, v):
        """The plan result, the target and the plan's installed units and suites by year (the steps)."""
        x = {self.vary: v}
        if self.result == SWITCH_SAVING:
            source, target, year = self.switch
            mine = {"source_samples": x} if self.scenario.name == source.name else {"target_samples": x}
            y = switch_saving_samples(source, target, self.plan, year, n=v.size, **mine)["saving"]
            counts = np.zeros((1, v.size))
        else:
            r = plan_samples(self.scenario, self.plan, x, fields=("units", "suites"))
            y = r[self.result]
            counts = np.concatenate([r["units"], r["suites"]], axis=1).T
        if self.moving:
            t = np.asarray(_eval(self.scenario, x)["max_allowable_cogs_per_dose"], dtype=float)
        else:
            t = np.full(y.shape, self.target)
        return y, t, counts

    def gap(self, v):
        """(result - target), signed so that <= 0 meets, and the counts."""
        y, t, c = self.at(v)
        return self.flip * (y - t), c

    def scan(self, p, base: float):
        """Trial values over the valid range of ``p``: (x, states, brackets, curve_x)."""
        if p.integer:
            x = np.arange(math.ceil(p.min), math.floor(p.max) + 1, dtype=float)
            g, _ = self.gap(x)
            st = _met(g)
            i = np.nonzero(st[1:] != st[:-1])[0]
            brackets = list(zip(x[i].tolist(), x[i + 1].tolist(), st[i].tolist(), st[i + 1].tolist(), strict=True))
            curve_x = x if x.size <= 20001 else x[np.unique(np.linspace(0, x.size - 1, 20001).astype(int))]
            return x, st, brackets, curve_x
        grid = _solve_grid(p, base)
        # a plan's steps (units and suites of every year) are many: those nearest a change of state first
        limits = _PLAN_LIMITS if is_plan_result(self.result) else {}
        x, _g, st, brackets = _locate(self.gap, grid, _met, tol=1e-10, abs_tol=1e-300, **limits)
        return x, st, brackets, grid


def _feasible(st, brackets, lo_end: float, hi_end: float) -> list:
    """Intervals of meeting values, each end on its meeting side."""
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
    return feasible


def _boundary(feasible: list, base: float, base_meets: bool, ends: tuple[float, float]) -> tuple[float, str]:
    """The answer when some but not every value meets: (value, how it relates to the base value)."""
    lo_end, hi_end = ends
    if base_meets:
        here = next((f for f in feasible if f[0] <= base <= f[1]), None)
        if here is None:  # base on a step edge: take the nearest interval
            here = min(feasible, key=lambda f: min(abs(f[0] - base), abs(f[1] - base)))
        edges = [e for e, is_edge in ((here[0], here[0] != lo_end), (here[1], here[1] != hi_end)) if is_edge]
        value = min(edges, key=lambda e: abs(e - base))
        return value, "lowest" if (value == here[0] and here[0] != lo_end) else "highest"
    cands = [e for f in feasible for e in f]
    value = min(cands, key=lambda e: (abs(e - base), e))
    return value, "raise" if value > base else "lower"


def _check_switch(scenario, result: str, plan, switch):
    """``switch`` for ``switch_saving``: (source, target, calendar year), the scenario one of the two."""
    if result != SWITCH_SAVING:
        if switch is not None:
            raise InputError(f"goal seek: a switch is given only with the result {SWITCH_SAVING}, found {result}")
        return None, result
    if switch is None:
        raise InputError(f"goal seek of {SWITCH_SAVING}: expected a switch (from, to, year)")
    source, target, year = switch
    check_switch(plan, source, target, year)
    if scenario.name not in (source.name, target.name):
        raise InputError(
            f"goal seek of {SWITCH_SAVING}: the scenario whose parameter varies, '{scenario.name}', "
            f"is neither the switch's 'from' ('{source.name}') nor its 'to' ('{target.name}')"
        )
    label = f"the net present cost saved by switching from '{source.name}' to '{target.name}' in {year}"
    return (source, target, int(year)), label


def solve(
    scenario,
    vary: str,
    result: str = DEFAULT_RESULT,
    target=None,
    *,
    sense: str | None = None,
    plan=None,
    switch=None,
) -> SolveResult:
    """Goal seek: the value of ``vary`` within its valid range at which ``result`` meets ``target``.

    The condition is ``result <= target`` (``>=`` for gross margin, headroom, doses per lot,
    utilisation, ``npv_gross_profit`` and ``switch_saving``, or as ``sense`` says); invalid
    scenarios never meet it. ``target`` is a number or "max_allowable" (the default), the
    scenario's ``max_allowable_cogs_per_dose`` recomputed at each trial value (so varying the
    price or the target margin moves the target too).

    Launch-plan results need ``plan``, the project's plan block (``project.plan``):

    - ``npc``, ``levelised_cogs_per_dose``, ``npv_gross_profit``, ``peak_funding``: the
      scenario's plan recomputed at each trial value (``levelised_cogs_per_dose <=
      max_allowable`` is the plan's version of the target product profile);
    - ``switch_saving`` with ``switch=(source, target, year)`` (two scenarios and a calendar year
      of the plan): the net present cost of never switching (the source's plan over the whole
      demand path) minus that of the switch series of docs/model.md ("Switching process after
      launch", comparability cost included), both at the source's discount rate. ``scenario``
      (the one whose ``vary`` moves) is the source or the target; the target defaults to 0
      (the switch breaks even) and the condition to ``>=``: e.g. the highest
      ``plan.comparability_cost`` of the target at which switching in 2031 still pays.

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
    check_analysis_result(result, plan, switch=True)
    switch, label = _check_switch(scenario, result, plan, switch)
    sense, moving, target = _check_solve(scenario, vary, target, sense, result)
    p = catalogue().parameters[vary]
    base = float(scenario.parameters[vary])
    seek = _Seek(scenario, vary, result, target, moving, sense, plan, switch)
    x, st, brackets, curve_x = seek.scan(p, base)
    cy, ct, _ = seek.at(curve_x)
    curve_target = ct if moving else None

    lo_end, hi_end = float(x[0]), float(x[-1])
    feasible = _feasible(st, brackets, lo_end, hi_end)

    yb, tb, _ = seek.at(np.array([base]))
    base_result, base_target = float(yb[0]), float(tb[0])
    base_meets = bool(_met(seek.flip * (yb - tb))[0])
    all_meet = len(feasible) == 1 and feasible[0] == (lo_end, hi_end)
    rel = "at most" if sense == "<=" else "at least"
    tname = "the maximum allowable cost of goods per dose" if moving else fmt_number(target)

    if not feasible:
        value = None
        msg = f"no value of {vary} in its valid range {p.range_text()} gives {label} {rel} {tname}"
    elif all_meet:
        # the range end closest to missing the target
        ge, _ = seek.gap(np.array([lo_end, hi_end]))
        value = hi_end if ge[1] >= ge[0] else lo_end
        msg = (
            f"every value of {vary} in its valid range {p.range_text()} gives {label} {rel} {tname}; "
            f"reported the range end closest to the target, {fmt_number(value)}"
        )
    else:
        value, way = _boundary(feasible, base, base_meets, (lo_end, hi_end))
        if base_meets:
            msg = f"the {way} {vary} at which {label} stays {rel} {tname} is {fmt_number(round(value, 10))}"
        else:
            msg = f"{label} is {rel} {tname} from {vary} = {fmt_number(round(value, 10))} ({way} it from {fmt_number(base)})"
    achieved, t_at = None, (base_target if moving else target)
    if value is not None:
        yv, tv, _ = seek.at(np.array([value]))
        achieved, t_at = float(yv[0]), float(tv[0])
    return SolveResult(
        scenario=scenario.name,
        vary=vary,
        result=result,
        target=t_at,
        reachable=value is not None,
        value=value,
        achieved=achieved,
        message=msg,
        curve_x=curve_x,
        curve_y=cy,
        curve_target=curve_target,
        sense=sense,
        base_value=base,
        base_result=base_result,
        base_meets=base_meets,
        feasible=feasible,
        all_meet=all_meet,
        switch=None if switch is None else (switch[0].name, switch[1].name, switch[2]),
    )
