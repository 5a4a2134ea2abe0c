"""MODEL.md as one vectorised numpy evaluation.

``evaluate(process, params)`` takes every parameter of the process as a scalar or an array
(arrays broadcast against each other), so the same code serves one scenario, a 1,000-point
demand sweep and a 1,000,000-sample Monte Carlo. Results are named as in MODEL.md, flat:
``breakdown.materials`` ... ``breakdown.royalties``, ``total_annual_cost``, ``cogs_per_dose``...
With ``intermediates=True`` the quantities of MODEL.md's equations are added under ``calc.``
names (the Excel Calculations sheet shows the same ones).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cgtdesk.core.catalogue import BREAKDOWN, PROCESSES, catalogue
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


def evaluate(process: str, params: Mapping[str, object], *, strict: bool = True, intermediates: bool = False) -> dict:
    """Every result of MODEL.md for one process.

    ``params`` must hold every key of the process (scalars or broadcastable arrays). With
    ``strict`` (the default) an invalid scenario raises :class:`DomainError`; without it, invalid
    elements give NaN results and ``result["valid"]`` is the boolean mask of valid elements.
    With all-scalar inputs results are Python floats (None where MODEL.md says null).
    """
    if process not in PROCESSES:
        raise InputError(f"unknown process {process!r}: expected one of {', '.join(PROCESSES)}")
    missing = [k for k in catalogue().keys_for(process) if k not in params]
    if missing:
        raise InputError(f"{process} model: missing parameters {', '.join(missing)}")
    p = {k: np.asarray(params[k], dtype=float) for k in catalogue().keys_for(process)}
    scalar = all(v.ndim == 0 for v in p.values())

    D = p["demand.patients_per_year"]
    Dd = D * p["demand.doses_per_patient"]
    S = p["facility.sites"]
    op_days = p["facility.operating_days_per_year"]
    days = op_days * p["facility.max_utilisation"]
    hours = p["labour.hours_per_fte_year"]
    r = p["finance.discount_rate"]
    out: dict = {}
    calc: dict = {"Dd": Dd, "days": days}

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a price of 5e-324 overflows the margin to -inf
        if process == "autologous":
            B_s = D / S / p["auto.batch_success_rate"]
            cycle = p["auto.process_days"] + p["auto.changeover_days"]
            cap = days / cycle
            N_unit_s = ceil_(B_s / cap)
            N_suite_s = ceil_(N_unit_s / p["auto.devices_per_suite"])
            F_op_s = ceil_(B_s * p["auto.operator_hours_per_batch"] / hours)
            E_s = N_unit_s * p["auto.device_capex"]
            B = S * B_s
            materials = B * p["auto.consumables_per_batch"]
            vector = B * p["auto.vector_cost_per_batch"]
            qc = B * p["auto.qc_cost_per_batch"]
            logistics = B * p["logistics.inbound_cost_per_batch"] + Dd * p["logistics.outbound_cost_per_dose"]
            v2v = (
                p["auto.collection_to_start_days"]
                + p["auto.process_days"]
                + p["auto.qc_release_days"]
                + p["logistics.shipping_days"]
            )
            utilisation = B_s * cycle / (N_unit_s * op_days)
            batches = B
            dpl = np.full(np.shape(B), np.nan)
            valid = np.ones(np.shape(B), dtype=bool)
            calc.update(B_s=B_s)
        else:
            V = p["allo.bioreactor_volume_l"]
            dpl = doses_per_lot(p)
            valid = dpl >= 1.0
            if strict and not np.all(valid):
                index = np.unravel_index(np.argmin(valid), np.shape(valid)) if np.ndim(valid) else ()
                raise DomainError(_no_dose_message(p, dpl[index], index), DOSES_PER_LOT_KEYS)
            dpl_ok = np.where(valid, dpl, np.nan)
            success = p["allo.lot_success_rate"]
            L_s = ceil_(Dd / S / (dpl_ok * (1.0 - p["allo.dose_wastage"]) * success))
            cycle = p["allo.process_days"] + p["allo.changeover_days"]
            cap = days / cycle
            N_unit_s = ceil_(L_s / cap)
            N_suite_s = ceil_(N_unit_s / p["allo.bioreactors_per_suite"])
            F_op_s = ceil_(L_s * p["allo.operator_hours_per_lot"] / hours)
            unit_capex = p["allo.bioreactor_capex_ref"] * (V / p["allo.bioreactor_ref_volume_l"]) ** p["allo.scale_exponent"]
            E_s = N_unit_s * unit_capex
            L = S * L_s
            filled = L * success * dpl_ok
            per_lot_materials = (
                p["allo.media_l_per_l"] * V * p["allo.media_cost_per_l"]
                + p["allo.consumables_per_lot"]
                + p["allo.consumables_per_lot_per_l"] * V
                + p["allo.donor_cost_per_lot"]
            )
            materials = L * per_lot_materials + filled * p["allo.fill_finish_cost_per_dose"]
            vector = L * (p["allo.vector_cost_per_lot"] + p["allo.editing_cost_per_lot"])
            qc = L * p["allo.qc_cost_per_lot"]
            logistics = filled * p["allo.storage_cost_per_dose"] + Dd * p["logistics.outbound_cost_per_dose"]
            v2v = p["logistics.shipping_days"] + 0.0 * L
            utilisation = L_s * cycle / (N_unit_s * op_days)
            batches = L
            calc.update(L_s=L_s, filled=filled, unit_capex=unit_capex, per_lot_materials=per_lot_materials)

        F_s = F_op_s + p["staff.support_fte_per_suite"] * N_suite_s + p["staff.site_fte"]
        K_s = p["facility.site_capex"] + N_suite_s * p["facility.suite_capex"]
        crf_eq = crf(r, p["finance.equipment_life_years"])
        crf_bldg = crf(r, p["finance.building_life_years"])
        facility = S * (
            E_s * crf_eq
            + K_s * crf_bldg
            + (E_s + K_s) * (p["facility.maintenance_rate"] + p["facility.insurance_tax_rate"])
            + p["facility.site_running_cost_year"]
            + N_suite_s * p["facility.suite_running_cost_year"]
        )
        labour = S * F_s * p["labour.cost_per_fte_year"]
        price = p["commercial.price_per_dose"]
        royalties = Dd * price * p["commercial.royalty_rate"]

        cats = dict(zip(BREAKDOWN, (materials, vector, labour, qc, facility, logistics, royalties), strict=True))
        total = materials + vector + labour + qc + facility + logistics + royalties
        cogs_dose = total / Dd
        cogs_patient = total / D
        max_allow = price * (1.0 - p["commercial.target_gross_margin"])
        gross_margin = np.where(price == 0.0, np.nan, (price - cogs_dose) / np.where(price == 0.0, 1.0, price))

        for name, value in cats.items():
            out[f"breakdown.{name}"] = value
        out["total_annual_cost"] = total
        out["cogs_per_dose"] = cogs_dose
        out["cogs_per_patient"] = cogs_patient
        out["batches_per_year"] = batches
        out["doses_per_lot"] = dpl
        out["units"] = S * N_unit_s
        out["suites"] = S * N_suite_s
        out["fte"] = S * F_s
        out["capex_total"] = S * (E_s + K_s)
        out["utilisation"] = utilisation
        out["vein_to_vein_days"] = v2v
        out["max_allowable_cogs_per_dose"] = max_allow
        out["headroom_per_dose"] = max_allow - cogs_dose
        out["gross_margin"] = gross_margin
        out["cost_per_durable_response"] = cogs_patient / p["clinical.durable_response_rate"]

    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()), np.shape(valid))
    if not np.all(valid):
        for k, v in out.items():
            out[k] = np.where(valid, v, np.nan)
    if intermediates:
        calc.update(
            cycle=cycle, cap=cap, N_unit_s=N_unit_s, N_suite_s=N_suite_s, F_op_s=F_op_s, F_s=F_s,
            E_s=E_s, K_s=K_s, crf_equipment=crf_eq, crf_building=crf_bldg,
        )
        for k, v in calc.items():
            out[f"calc.{k}"] = v
    if scalar:
        return {k: _scalar(v) for k, v in out.items()}
    out = {k: np.broadcast_to(np.asarray(v, dtype=float), shape) for k, v in out.items()}
    out["valid"] = np.broadcast_to(valid, shape)
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
