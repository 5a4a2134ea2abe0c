"""The cost model of docs/model.md (version 2) as one vectorised numpy evaluation.

``evaluate(process, params)`` takes every parameter of the process as a scalar or an array
(arrays broadcast against each other), so the same code serves one scenario, a 1,000-point
demand sweep and a 1,000,000-sample Monte Carlo. Results are named as in docs/model.md, flat:
``breakdown.materials`` ... ``breakdown.royalties``, ``total_annual_cost``, ``cogs_per_dose``...
With ``intermediates=True`` the quantities of the equations are added under ``calc.``
names (:data:`CALC`; the Excel Calculations sheet shows the same ones). ``facility.mode`` is one
string per scenario; Erlang B/C and the service-level rule are in :mod:`cgtdesk.core.capacity`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cgtdesk.core.capacity import service_level_units
from cgtdesk.core.catalogue import BREAKDOWN, PROCESSES, catalogue, describe
from cgtdesk.core.errors import DomainError, InputError
from cgtdesk.core.formatting import fmt_number

EPS = 1e-9

#: inputs that set an allogeneic lot's doses; named when a lot yields no dose
DOSES_PER_LOT_KEYS = (
    "allo.bioreactor_volume_l",
    "allo.harvest_density_cells_per_ml",
    "allo.dsp_yield",
    "dose.cells_per_dose",
    "allo.qc_retain_doses_per_lot",
)


def ceil_(x):
    """ceil(x - 1e-9): an integer step that does not flip on floating-point noise."""
    return np.ceil(np.asarray(x, dtype=float) - EPS)


def floor_(x):
    """floor(x + 1e-9)."""
    return np.floor(np.asarray(x, dtype=float) + EPS)


def crf(r, n):
    """Capital recovery factor r(1+r)^n / ((1+r)^n - 1), and 1/n when r = 0.

    Computed as r / (1 - (1+r)^-n) with log1p/expm1: the same number, but exact for tiny rates
    too, where (1+r)^n rounds to 1 and the textbook form divides by zero (a rate of 1e-17
    gave an infinite capital charge).
    """
    r = np.asarray(r, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = r / -np.expm1(-n * np.log1p(r))
    return np.where(r == 0.0, 1.0 / n, value)


def doses_per_lot(p: Mapping[str, object]):
    """floor_(V * 1000 * density * yield / cells per dose) - QC and retain doses."""
    return (
        floor_(
            np.asarray(p["allo.bioreactor_volume_l"], dtype=float)
            * 1000.0
            * p["allo.harvest_density_cells_per_ml"]
            * p["allo.dsp_yield"]
            / p["dose.cells_per_dose"]
        )
        - p["allo.qc_retain_doses_per_lot"]
    )


def _no_dose_message(p: Mapping[str, object], dpl: float, index: tuple = ()) -> str:
    """``index`` picks the offending element when the inputs are arrays (broadcast together)."""
    shape = np.broadcast_shapes(*(np.shape(p[k]) for k in DOSES_PER_LOT_KEYS))

    def at(k):
        return float(np.broadcast_to(p[k], shape)[index]) if shape else float(p[k])

    parts = ", ".join(f"{k} = {fmt_number(at(k))}" for k in DOSES_PER_LOT_KEYS)
    return (
        f"an allogeneic lot yields {fmt_number(float(dpl))} doses (at least 1 is needed): "
        f"floor(volume x 1000 x density x yield / cells per dose) - retained doses, with {parts}. "
        "Raise the volume, density or yield, or lower the cells per dose or retained doses."
    )


MODES: tuple[str, ...] = ("dedicated", "shared", "cdmo")
MODE_KEY = "facility.mode"


def _mode(params: Mapping[str, object]) -> str:
    mode = params[MODE_KEY]
    if not isinstance(mode, str) or mode not in MODES:
        raise InputError(f"'{MODE_KEY}': expected one string per scenario, one of {', '.join(MODES)}, found {describe(mode)}")
    return mode


def evaluate(process: str, params: Mapping[str, object], *, strict: bool = True, intermediates: bool = False) -> dict:
    """Every result of docs/model.md (version 2) for one process.

    ``params`` must hold every key of the process: numbers as scalars or broadcastable arrays,
    and ``facility.mode`` as one string (never an array). With ``strict`` (the default) an
    invalid scenario raises :class:`DomainError`; without it, invalid elements give NaN results
    and ``result["valid"]`` is the boolean mask of valid elements. With all-scalar inputs
    results are Python floats (None where the model says null).
    """
    if process not in PROCESSES:
        raise InputError(f"unknown process {process!r}: expected one of {', '.join(PROCESSES)}")
    cat = catalogue()
    missing = [k for k in cat.keys_for(process) if k not in params]
    if missing:
        raise InputError(f"{process} model: missing parameters {', '.join(missing)}")
    mode = _mode(params)
    p = {k: np.asarray(params[k], dtype=float) for k in cat.numeric_keys(process)}
    scalar = all(v.ndim == 0 for v in p.values())

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a price of 5e-324 overflows the margin to -inf
        q = _autologous(p) if process == "autologous" else _allogeneic(p, strict)
        _operations(p, q, mode)
        out = _results(p, q)
    valid = q["valid"]
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()), np.shape(valid))
    if not np.all(valid):
        for k, v in out.items():
            out[k] = np.where(valid, v, np.nan)
    if intermediates:
        for k in CALC:
            if k in q:
                out[f"calc.{k}"] = q[k]
    if scalar:
        return {k: _scalar(v) for k, v in out.items()}
    out = {k: np.broadcast_to(np.asarray(v, dtype=float), shape) for k, v in out.items()}
    out["valid"] = np.broadcast_to(valid, shape)
    return out


#: the intermediate quantities reported under ``calc.`` with ``intermediates=True`` (those of
#: the other process are left out). F_op_s is the hands-on operator FTE (its version 1 meaning).
CALC: tuple[str, ...] = (
    "Dd",
    "days",
    "B_s",
    "L_s",
    "a",
    "p_wait",
    "slot_wait_days",
    "doses_per_lot",
    "rate_s",
    "expired_fraction",
    "usable",
    "filled",
    "stored",
    "unit_capex",
    "per_lot_materials",
    "cycle",
    "cap",
    "N_unit_s",
    "N_suite_s",
    "share",
    "F_crew_s",
    "F_op_s",
    "F_qq_s",
    "F_s",
    "E_s",
    "K_s",
    "crf_equipment",
    "crf_building",
    "crf_contract",
)


def _common(p: dict) -> dict:
    D = p["demand.patients_per_year"]
    op_days = p["facility.operating_days_per_year"]
    return {
        "D": D,
        "Dd": D * p["demand.doses_per_patient"],
        "S": p["facility.sites"],
        "op_days": op_days,
        "days": op_days * p["facility.max_utilisation"],
        "valid": np.ones((), dtype=bool),
        "doses_per_lot": np.nan,
        "expired_fraction": np.nan,
        "slot_wait_days": np.nan,
    }


def _autologous(p: dict) -> dict:
    """Autologous (scale-out): batches, devices by utilisation or by a service level, costs."""
    q = _common(p)
    s = p["auto.batch_success_rate"]
    B_s = q["D"] / q["S"] / s
    cycle = p["auto.process_days"] + p["auto.changeover_days"]
    cap = q["days"] / cycle
    by_use = np.where(B_s > 0, np.maximum(1.0, ceil_(B_s / cap)), 0.0)
    sl = p["auto.service_level"]
    a = B_s / q["op_days"] * cycle
    if np.any(sl > 0):
        tau = p["auto.max_wait_days"] / cycle
        c, ec = service_level_units(np.where(sl > 0, a, 0.0), tau, np.where(sl > 0, 1.0 - sl, 1.0))
        N_unit_s = np.where(sl > 0, c, by_use)
        p_wait = np.where(sl > 0, ec, 0.0)
        wait = np.where(c > 0, ec * cycle / np.where(c > 0, c - a, 1.0), 0.0)
        slot_wait = np.where(sl > 0, wait, 0.0)
    else:
        N_unit_s, p_wait, slot_wait = by_use, 0.0 * a, 0.0 * a
    B = q["S"] * B_s
    Dd = q["Dd"]
    q.update(
        B_s=B_s,
        B=B,
        a=a,
        p_wait=p_wait,
        slot_wait_days=slot_wait,
        cycle=cycle,
        cap=cap,
        N_unit_s=N_unit_s,
        u_per_suite=p["auto.devices_per_suite"],
        unit_capex=p["auto.device_capex"],
        E_s=N_unit_s * p["auto.device_capex"],
        h_op=p["auto.operator_hours_per_batch"],
        h_qq=p["auto.qc_qa_hours_per_batch"],
        materials=B * p["auto.consumables_per_batch"],
        vector=B * p["auto.vector_cost_per_batch"],
        qc=B * p["auto.qc_cost_per_batch"],
        logistics=B * p["logistics.inbound_cost_per_batch"] + Dd * p["logistics.outbound_cost_per_dose"],
        vein_to_vein_days=(
            p["auto.collection_to_start_days"]
            + slot_wait
            + p["auto.process_days"]
            + p["auto.qc_release_days"]
            + p["logistics.shipping_days"]
            + (1.0 - s) / s * p["auto.remanufacture_days"]
        ),
    )
    return q


def _allogeneic(p: dict, strict: bool) -> dict:
    """Allogeneic (scale-up): doses per lot, shelf life, lots, bioreactors, costs."""
    q = _common(p)
    V = p["allo.bioreactor_volume_l"]
    dpl = doses_per_lot(p)
    valid = dpl >= 1.0
    if strict and not np.all(valid):
        index = np.unravel_index(np.argmin(valid), np.shape(valid)) if np.ndim(valid) else ()
        raise DomainError(_no_dose_message(p, dpl[index], index), DOSES_PER_LOT_KEYS)
    dpl_ok = np.where(valid, dpl, np.nan)
    Dd, S = q["Dd"], q["S"]
    success = p["allo.lot_success_rate"]
    good = dpl_ok * (1.0 - p["allo.dose_wastage"])
    shelf = p["allo.shelf_life_days"]
    rate_s = Dd / S / 365.0
    expired = np.where((shelf == 0) | (Dd == 0), 0.0, np.maximum(0.0, 1.0 - shelf * rate_s / good))
    usable = good * (1.0 - expired) * success
    L_s = np.where(Dd > 0, np.maximum(1.0, ceil_(Dd / S / usable)), 0.0)
    cycle = p["allo.process_days"] + p["allo.changeover_days"]
    cap = q["days"] / cycle
    N_unit_s = np.where(L_s > 0, np.maximum(1.0, ceil_(L_s / cap)), 0.0)
    unit_capex = p["allo.bioreactor_capex_ref"] * (V / p["allo.bioreactor_ref_volume_l"]) ** p["allo.scale_exponent"]
    L = S * L_s
    filled = L * dpl_ok
    stored = L * success * dpl_ok
    per_lot_materials = (
        p["allo.media_l_per_l"] * V * p["allo.media_cost_per_l"]
        + p["allo.consumables_per_lot"]
        + p["allo.consumables_per_lot_per_l"] * V
        + p["allo.donor_cost_per_lot"]
    )
    q.update(
        valid=valid,
        doses_per_lot=dpl,
        rate_s=rate_s,
        expired_fraction=expired,
        usable=usable,
        B_s=L_s,
        L_s=L_s,
        B=L,
        filled=filled,
        stored=stored,
        cycle=cycle,
        cap=cap,
        N_unit_s=N_unit_s,
        u_per_suite=p["allo.bioreactors_per_suite"],
        unit_capex=unit_capex,
        per_lot_materials=per_lot_materials,
        dsp_capex=p["allo.dsp_fill_capex_per_suite"],
        h_op=p["allo.operator_hours_per_lot"],
        h_qq=p["allo.qc_qa_hours_per_lot"],
        materials=L * per_lot_materials + filled * p["allo.fill_finish_cost_per_dose"],
        vector=L * (p["allo.vector_cost_per_lot"] + p["allo.editing_cost_per_lot"]),
        qc=L * p["allo.qc_cost_per_lot"],
        logistics=stored * p["allo.storage_cost_per_dose"] + Dd * p["logistics.outbound_cost_per_dose"],
        vein_to_vein_days=p["logistics.shipping_days"] + 0.0 * L,
    )
    return q


def costs_given_capacity(process: str, params: Mapping[str, object], N_unit_s, N_suite_s, *, capital_as_cash=False) -> dict:
    """The quantities of the equations and the seven categories (``q["materials"]`` ...) at the
    demand in ``params``, with the units and suites per site given instead of sized (the launch
    plan's installed capacity; docs/model.md, "Launch plan"). Arrays broadcast; never strict.

    With ``capital_as_cash`` the capital is paid as cash elsewhere: ``dedicated`` drops the two
    capital charges (equipment and building), ``cdmo`` the technology transfer charge; ``shared``
    keeps its charges (an allocation).
    """
    cat = catalogue()
    mode = _mode(params)
    p = {k: np.asarray(params[k], dtype=float) for k in cat.numeric_keys(process)}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if process == "autologous":
            q = _autologous({**p, "auto.service_level": np.zeros(())})  # units are given, not sized
        else:
            q = _allogeneic(p, False)
        q["N_unit_s"] = np.asarray(N_unit_s, dtype=float)
        _operations(p, q, mode, N_suite_s=np.asarray(N_suite_s, dtype=float), capital_as_cash=capital_as_cash)
    return q


def _operations(p: dict, q: dict, mode: str, *, N_suite_s=None, capital_as_cash: bool = False) -> None:
    """Suites, share, labour and facility by mode (docs/model.md, "Common quantities").

    ``N_suite_s`` given: the suites are not sized from the units (see :func:`costs_given_capacity`).
    """
    S, B_s, N_unit_s, op_days = q["S"], q["B_s"], q["N_unit_s"], q["op_days"]
    u = q["u_per_suite"]
    if N_suite_s is None:
        N_suite_s = ceil_(N_unit_s / u)
    share = np.where(N_suite_s > 0, B_s * q["cycle"] / np.where(N_suite_s > 0, N_suite_s * u * op_days, 1.0), 0.0)
    E_s = N_unit_s * q["unit_capex"] + N_suite_s * q.get("dsp_capex", 0.0)
    K_s = p["facility.site_capex"] + N_suite_s * p["facility.suite_capex"]
    hours = p["labour.hours_per_fte_year"]
    F_crew_s = ceil_(N_suite_s * p["labour.min_crew_per_suite"] * p["labour.staffed_hours_per_year"] / hours)
    F_op_s = ceil_(B_s * q["h_op"] / hours)
    F_qq_s = ceil_(B_s * q["h_qq"] / hours)
    r = p["finance.discount_rate"]
    crf_eq = crf(r, p["finance.equipment_life_years"])
    crf_bldg = crf(r, p["finance.building_life_years"])
    upkeep = p["facility.maintenance_rate"] + p["facility.insurance_tax_rate"]
    people = p["staff.support_fte_per_suite"] * N_suite_s + p["staff.site_fte"]
    running = p["facility.site_running_cost_year"] + N_suite_s * p["facility.suite_running_cost_year"]
    building = K_s * crf_bldg + K_s * upkeep + running
    if mode == "dedicated":
        F_s = np.maximum(F_crew_s, F_op_s) + F_qq_s + people
        if capital_as_cash:
            facility = S * (E_s * upkeep + K_s * upkeep + running)
        else:
            facility = S * (E_s * crf_eq + E_s * upkeep + building)
        capex = S * (E_s + K_s)
    elif mode == "shared":
        F_s = np.maximum(share * F_crew_s, F_op_s) + F_qq_s + share * people
        facility = S * (E_s * crf_eq + E_s * upkeep + share * building)
        capex = S * (E_s + share * K_s)
    else:  # cdmo
        crf_ct = crf(r, p["cdmo.contract_years"])
        F_s = p["cdmo.oversight_fte"] + 0.0 * B_s
        transfer = 0.0 if capital_as_cash else p["cdmo.tech_transfer_cost"] * crf_ct
        facility = q["B"] * p["cdmo.fee_per_batch"] + S * (p["cdmo.reservation_fee_per_year"] + transfer)
        capex = 0.0 * B_s
        q["crf_contract"] = crf_ct
    q.update(
        N_suite_s=N_suite_s,
        share=share,
        E_s=E_s,
        K_s=K_s,
        F_crew_s=F_crew_s,
        F_op_s=F_op_s,
        F_qq_s=F_qq_s,
        F_s=F_s,
        crf_equipment=crf_eq,
        crf_building=crf_bldg,
        facility=facility,
        capex=capex,
        labour=S * F_s * p["labour.cost_per_fte_year"],
        royalties=q["Dd"] * p["commercial.price_per_dose"] * p["commercial.royalty_rate"],
    )


def _results(p: dict, q: dict) -> dict:
    """The results of docs/model.md, named as in the contract (breakdown flat)."""
    out = {f"breakdown.{c}": q[c] for c in BREAKDOWN}
    total = q["materials"] + q["vector"] + q["labour"] + q["qc"] + q["facility"] + q["logistics"] + q["royalties"]
    D, Dd, S = q["D"], q["Dd"], q["S"]
    price = p["commercial.price_per_dose"]
    cogs_dose = total / Dd
    cogs_patient = total / D
    max_allow = price * (1.0 - p["commercial.target_gross_margin"])
    N_unit_s = q["N_unit_s"]
    response = p["clinical.durable_response_rate"]
    out.update(
        {
            "total_annual_cost": total,
            "cogs_per_dose": cogs_dose,
            "cogs_per_patient": cogs_patient,
            "batches_per_year": q["B"],
            "doses_per_lot": q["doses_per_lot"],
            "expired_fraction": q["expired_fraction"],
            "units": S * N_unit_s,
            "suites": S * q["N_suite_s"],
            "fte": S * q["F_s"],
            "capex_total": q["capex"],
            "utilisation": np.where(
                N_unit_s > 0, q["B_s"] * q["cycle"] / (np.where(N_unit_s > 0, N_unit_s, 1.0) * q["op_days"]), 0.0
            ),
            "slot_wait_days": q["slot_wait_days"],
            "vein_to_vein_days": q["vein_to_vein_days"],
            "max_allowable_cogs_per_dose": max_allow,
            "headroom_per_dose": max_allow - cogs_dose,
            "gross_margin": np.where(price == 0.0, np.nan, (price - cogs_dose) / np.where(price == 0.0, 1.0, price)),
            "cost_per_durable_response": cogs_patient / response,
            "payer_cost_per_durable_response": (price * p["demand.doses_per_patient"] + p["clinical.pathway_cost_per_patient"])
            / response,
        }
    )
    return out


def _scalar(v):
    x = float(np.asarray(v))
    return None if np.isnan(x) else x


def evaluate_scenario(scenario, *, intermediates: bool = False) -> dict:
    """Results of a :class:`cgtdesk.core.project.Scenario` (scalars; raises DomainError)."""
    return evaluate(scenario.process, scenario.parameters, intermediates=intermediates)


def nest_breakdown(results: Mapping[str, object]) -> dict:
    """Results with the seven ``breakdown.*`` entries gathered into one ``breakdown`` object."""
    nested: dict = {"breakdown": {c: results[f"breakdown.{c}"] for c in BREAKDOWN}}
    for k, v in results.items():
        if not k.startswith(("breakdown.", "calc.")) and k != "valid":
            nested[k] = v
    return nested
