"""The launch plan's engine: the annual model run year by year over a product's life
(docs/model.md, "Launch plan").

Everything is vectorised over years and over rows: a row is one sample (a Monte Carlo draw,
parameters given as arrays of shape ``(n,)``) or one demand path (the switch analysis runs every
switch year at once). :func:`plan_arrays` gives the table by year, :func:`summarise` the summary
results; :mod:`cgtdesk.core.analyses.plan` builds a project's plan and its switches from them.

Design choices (stated where the plan is shown): fractional asset lives are rounded up for
replacement, while the annual model's capital charge uses the exact life; assets are replaced at
the end of their life even during years without demand; with a lead time longer than the
look-ahead, capacity is paid for before the planning demand shows the need.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.core.errors import InputError
from cgtdesk.core.model import ceil_, costs_given_capacity, evaluate

DEMAND = "demand.patients_per_year"
#: the plan's summary results, in display order
PLAN_RESULTS = ("npc", "levelised_cogs_per_dose", "npv_gross_profit", "peak_funding", "capex_cash", "startup_cash")
#: the summary results the tornado, Monte Carlo and goal seek may ask for
PLAN_ANALYSIS_RESULTS = ("npc", "levelised_cogs_per_dose", "npv_gross_profit", "peak_funding")
#: the table by year of a scenario, in order (``year`` comes first)
TABLE_FIELDS = (
    "patients",
    "doses",
    "planning_patients",
    "units",
    "suites",
    "batches",
    "utilisation",
    *BREAKDOWN,
    "capex",
    "startup",
    "cost",
    "revenue",
    "cumulative_cash",
)
#: a switch's table: no planning demand or utilisation, and a comparability column
SWITCH_FIELDS = (
    "patients",
    "doses",
    "units",
    "suites",
    "batches",
    *BREAKDOWN,
    "capex",
    "startup",
    "comparability",
    "cost",
    "revenue",
    "cumulative_cash",
)
#: fields summed field by field when two plans are added (a switch)
_SUMMED = ("doses", *BREAKDOWN, "capex", "startup", "revenue")
#: relative tolerance within which two switch years' net present costs count as equal
BEST_YEAR_RTOL = 1e-12


# ---------------------------------------------------------------- demand


def demand_path(plan) -> np.ndarray:
    """``D_t`` for ``t = 1..T``: the explicit path, or the S-curve ``peak * g(x)``, ``g = 3x^2 - 2x^3``."""
    d = plan.demand
    if "patients_per_year" in d:
        return np.asarray(d["patients_per_year"], dtype=float)
    t = np.arange(1, plan.years + 1, dtype=float)
    tL = d["launch_year"] - plan.first_year + 1
    x = np.minimum(1.0, (t - tL + 1.0) / d["years_to_peak"])
    return np.where(t < tL, 0.0, d["peak_patients_per_year"] * (3.0 * x**2 - 2.0 * x**3))


def planning_demand(D: np.ndarray, k: int) -> np.ndarray:
    """``P_t = max(D_t, ..., D_min(T, t+k))`` along the last axis."""
    P = np.array(D, dtype=float)
    T = P.shape[-1]
    for j in range(1, min(k, T - 1) + 1):
        np.maximum(P[..., : T - j], D[..., j:], out=P[..., : T - j])
    return P


# ---------------------------------------------------------------- the engine


def _rows(params: Mapping[str, object], process: str) -> tuple[dict, int]:
    """Numbers as column vectors ``(n, 1)`` (scalars stay scalars) and the row count ``n``."""
    from cgtdesk.core.catalogue import catalogue

    out: dict = {}
    n = 1
    for k in catalogue().keys_for(process):
        v = params[k]
        if isinstance(v, str):
            out[k] = v
            continue
        a = np.asarray(v, dtype=float)
        if a.ndim > 1:
            raise InputError(f"plan: parameter '{k}' must be a scalar or one value per sample")
        if a.ndim == 1:
            n = max(n, a.shape[0])
            a = a[:, None]
        out[k] = a
    return out, n


def _needed(process: str, pp: dict, P: np.ndarray, shape) -> tuple[np.ndarray, np.ndarray]:
    """Units and suites per site needed at planning demand ``P`` (0 where ``P = 0``).

    When every row shares one path, the model runs once per distinct positive demand only.
    """
    if P.shape[0] == 1:
        vals, inv = np.unique(P[0], return_inverse=True)
        pos = vals > 0
        Nu = np.zeros(shape[:1] + vals.shape)
        Nk = np.zeros(shape[:1] + vals.shape)
        if pos.any():
            r = evaluate(process, {**pp, DEMAND: vals[pos][None, :]}, strict=False, intermediates=True)
            Nu[:, pos] = r["calc.N_unit_s"]
            Nk[:, pos] = r["calc.N_suite_s"]
        return Nu[:, inv], Nk[:, inv]
    r = evaluate(process, {**pp, DEMAND: P}, strict=False, intermediates=True)
    return np.broadcast_to(r["calc.N_unit_s"], shape), np.broadcast_to(r["calc.N_suite_s"], shape)


def _service(P: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """First and last service year (0-based), whether the row is ever served, and the mask."""
    serving = P > 0
    T = P.shape[1]
    any_ = serving.any(axis=1)
    u0 = np.argmax(serving, axis=1)
    u1 = T - 1 - np.argmax(serving[:, ::-1], axis=1)
    t = np.arange(T)
    mask = any_[:, None] & (t >= u0[:, None]) & (t <= u1[:, None])
    return u0, u1, any_, mask


def _col(x, n: int) -> np.ndarray:
    """A parameter (scalar or ``(n, 1)``) as a flat vector of ``n`` values."""
    return np.broadcast_to(np.asarray(x, dtype=float), (n, 1))[:, 0]


def _purchases(C: np.ndarray, life: np.ndarray, lead: np.ndarray, u1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cash for assets ``C[:, s]`` entering service in year ``s``, bought again every ``life``
    years while ``s + m*life <= u1``, each paid ``lead`` years before service (never before the
    first year); and the residual value at ``u1`` (straight line, whole years of life left)."""
    n, T = C.shape
    s = np.arange(T, dtype=float)[None, :]
    life, lead, u1 = life[:, None], lead[:, None], u1[:, None]
    live = (C != 0) & (s <= u1)
    weights = np.where(live, C, 0.0)
    base = (np.arange(n) * T)[:, None]
    cash = np.zeros(n * T)
    v = np.broadcast_to(s, (n, T))
    act = live
    while act.any():  # the m-th purchase of every asset at once
        idx = base + np.maximum(v - lead, 0.0).astype(np.int64)
        cash += np.bincount(idx[act], weights=weights[act], minlength=n * T)
        v = v + life
        act = live & (v <= u1)
    with np.errstate(divide="ignore", invalid="ignore"):
        last = s + np.floor((u1 - s) / life) * life
        resid = np.where(live, weights * np.maximum(0.0, last + life - 1.0 - u1) / life, 0.0).sum(axis=1)
    cash = cash.reshape(n, T)
    return cash, resid


def _capex(process, pp, q, I_u, I_k, u0, u1, any_) -> np.ndarray:
    """Cash capex of ``dedicated`` mode: sites, suites and equipment, replacements, residual credit."""
    n, T = I_u.shape
    S = _col(pp["facility.sites"], n)[:, None]
    dU = np.diff(I_u, axis=1, prepend=0.0)
    dK = np.diff(I_k, axis=1, prepend=0.0)
    rows = np.arange(n)
    building = S * dK * pp["facility.suite_capex"]
    building[rows[any_], u0[any_]] += (S[:, 0] * _col(pp["facility.site_capex"], n))[any_]
    e_suite = pp["allo.dsp_fill_capex_per_suite"] if process == "allogeneic" else 0.0
    equipment = S * (dU * q["unit_capex"] + dK * e_suite)
    n_b = ceil_(_col(pp["finance.building_life_years"], n))
    n_e = ceil_(_col(pp["finance.equipment_life_years"], n))
    u1f = u1.astype(float)
    cash_b, res_b = _purchases(building, n_b, _col(pp["plan.facility_lead_years"], n), u1f)
    cash_e, res_e = _purchases(np.broadcast_to(equipment, (n, T)), n_e, _col(pp["plan.equipment_lead_years"], n), u1f)
    capex = cash_b + cash_e
    capex[rows[any_], u1[any_]] -= (res_b + res_e)[any_]
    return capex


def batch_materials(process: str, pp, q) -> np.ndarray:
    """``c_batch``: one batch's (lot's) materials, vector and qc (no labour, logistics or storage)."""
    if process == "autologous":
        return pp["auto.consumables_per_batch"] + pp["auto.vector_cost_per_batch"] + pp["auto.qc_cost_per_batch"]
    return (
        q["per_lot_materials"]
        + q["doses_per_lot"] * pp["allo.fill_finish_cost_per_dose"]
        + pp["allo.vector_cost_per_lot"]
        + pp["allo.editing_cost_per_lot"]
        + pp["allo.qc_cost_per_lot"]
    )


def _startup(process, mode, pp, q, I_k, u0, u1, any_) -> np.ndarray:
    """Commissioning, validation and PPQ batches (and technology transfer for a contract site)."""
    n, T = I_k.shape
    S = _col(pp["facility.sites"], n)
    c_batch = _col(batch_materials(process, pp, q), n)
    ppq = _col(pp["plan.ppq_batches"], n)
    rows = np.arange(n)
    out = np.zeros((n, T))
    if mode == "dedicated":
        rate = _col(pp["plan.startup_cost_rate"], n)
        suite = _col(pp["facility.suite_capex"], n)
        w = np.minimum(1, _col(pp["plan.facility_lead_years"], n)).astype(np.int64)
        first = S * (rate * (_col(pp["facility.site_capex"], n) + I_k[rows, u0] * suite) + ppq * c_batch)
        t = np.arange(T)
        dK = np.diff(I_k, axis=1, prepend=0.0)
        later = np.where((t > u0[:, None]) & (t <= u1[:, None]), (S * rate * suite)[:, None] * dK, 0.0)
        out += np.where(w[:, None] == 1, np.concatenate([later[:, 1:], np.zeros((n, 1))], axis=1), later)
    elif mode == "cdmo":
        w = np.ones(n, dtype=np.int64)
        first = S * (_col(pp["cdmo.tech_transfer_cost"], n) + ppq * (c_batch + _col(pp["cdmo.fee_per_batch"], n)))
    else:
        w = np.ones(n, dtype=np.int64)
        first = S * ppq * c_batch
    at = np.maximum(u0 - w, 0)
    out[rows[any_], at[any_]] += first[any_]
    return out


def plan_arrays(process: str, params: Mapping[str, object], D, look_ahead: int) -> dict:
    """The table by year of one scenario as ``(n, T)`` arrays (every field of
    :data:`TABLE_FIELDS`), plus ``valid`` (``(n,)``).

    ``params`` holds every key of the process, numbers as scalars or ``(n,)`` arrays (one per
    sample); ``D`` is one demand path ``(T,)`` or one per row ``(n, T)``.
    """
    pp, n = _rows(params, process)
    mode = pp["facility.mode"]
    D = np.atleast_2d(np.asarray(D, dtype=float))
    n = max(n, D.shape[0])
    T = D.shape[1]
    shape = (n, T)
    P = planning_demand(D, look_ahead)
    Nu, Nk = _needed(process, pp, P, shape)
    P, D = np.broadcast_to(P, shape), np.broadcast_to(D, shape)
    u0, u1, any_, live = _service(P)
    I_u = np.maximum.accumulate(Nu, axis=1)
    I_k = np.maximum.accumulate(Nk, axis=1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        q = costs_given_capacity(process, {**pp, DEMAND: D}, I_u, I_k, capital_as_cash=True)
        out = {c: np.where(live, q[c], 0.0) for c in BREAKDOWN}
        S = pp["facility.sites"]
        B_s = np.broadcast_to(q["B_s"], shape)
        out["utilisation"] = np.where(live & (I_u > 0), B_s * q["cycle"] / (np.where(I_u > 0, I_u, 1.0) * q["op_days"]), 0.0)
        out["units"] = np.where(live, S * I_u, 0.0)
        out["suites"] = np.where(live, S * I_k, 0.0)
        out["batches"] = np.where(live, S * B_s, 0.0)
        out["capex"] = _capex(process, pp, q, I_u, I_k, u0, u1, any_) if mode == "dedicated" else np.zeros(shape)
        out["startup"] = _startup(process, mode, pp, q, I_k, u0, u1, any_)
        out["patients"] = D
        out["doses"] = np.broadcast_to(D * pp["demand.doses_per_patient"], shape)
        out["planning_patients"] = P
        out["revenue"] = np.broadcast_to(out["doses"] * pp["commercial.price_per_dose"], shape)
        _finish(out)
    valid = np.broadcast_to(np.all(np.isfinite(out["cost"]), axis=1), (n,))
    out["valid"] = valid
    return out


def _finish(out: dict, extra: np.ndarray | float = 0.0) -> None:
    """``cost`` (categories + capex + start-up + ``extra``) and ``cumulative_cash``."""
    cost = sum(out[c] for c in BREAKDOWN) + out["capex"] + out["startup"] + extra
    out["cost"] = cost
    out["cumulative_cash"] = np.cumsum(out["revenue"] - cost, axis=1)


def summarise(t: Mapping[str, np.ndarray], r) -> dict[str, np.ndarray]:
    """The summary results of a table by year, discounted at ``r`` (scalar or ``(n,)``)."""
    cost = t["cost"]
    n, T = cost.shape
    years = np.arange(1, T + 1, dtype=float)
    disc = (1.0 + np.broadcast_to(np.asarray(r, dtype=float), (n,))[:, None]) ** -years
    npc = (cost * disc).sum(axis=1)
    dd = (t["doses"] * disc).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lev = np.where(dd > 0, npc / np.where(dd > 0, dd, 1.0), np.nan)
    return {
        "npc": npc,
        "levelised_cogs_per_dose": lev,
        "npv_gross_profit": ((t["revenue"] - cost) * disc).sum(axis=1),
        "peak_funding": np.maximum(0.0, (-t["cumulative_cash"]).max(axis=1)),
        "capex_cash": t["capex"].sum(axis=1),
        "startup_cash": t["startup"].sum(axis=1),
    }
