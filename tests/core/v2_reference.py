"""An independent plain-Python implementation of the cost model, version 2 (docs/model.md).

Written from the contract's equations with the math module and loops only: no numpy and
nothing from cgtdesk. One scalar scenario at a time. Erlang B by its recursion from k = 0,
the service level found by trying c = 1, 2, ... upward.
"""

from __future__ import annotations

import math


def ceil_(x: float) -> int:
    return math.ceil(x - 1e-9)


def floor_(x: float) -> int:
    return math.floor(x + 1e-9)


def crf(r: float, n: float) -> float:
    if r == 0:
        return 1.0 / n
    g = (1.0 + r) ** n
    if g == 1.0:  # (1+r)^n rounds to 1 for a tiny rate: the limit 1/n (plus r/2 terms)
        return 1.0 / n + r * (n + 1) / (2 * n)
    return r * g / (g - 1.0)


def erlang_b(c: int, a: float) -> float:
    eb = 1.0
    for k in range(1, c + 1):
        eb = a * eb / (k + a * eb)
    return eb


def erlang_c(c: int, a: float) -> float:
    eb = erlang_b(c, a)
    return c * eb / (c - a * (1.0 - eb))


def service_level_devices(a: float, t: float, cycle: float, level: float) -> tuple[int, float]:
    """Smallest c >= 1, c > a with EC(c, a) exp(-(c - a) t / cycle) <= 1 - level; and EC there."""
    if a == 0:
        return 0, 0.0
    c = 1
    eb = a / (1.0 + a)  # EB(1, a)
    while True:
        if c > a:
            ec = c * eb / (c - a * (1.0 - eb))
            if ec * math.exp(-(c - a) * t / cycle) <= 1.0 - level:
                return c, ec
        c += 1
        eb = a * eb / (c + a * eb)


def reference(process: str, p: dict) -> dict:
    D = p["demand.patients_per_year"]
    Dd = D * p["demand.doses_per_patient"]
    S = p["facility.sites"]
    days = p["facility.operating_days_per_year"] * p["facility.max_utilisation"]
    op_days = p["facility.operating_days_per_year"]
    hours = p["labour.hours_per_fte_year"]
    r = p["finance.discount_rate"]
    upkeep = p["facility.maintenance_rate"] + p["facility.insurance_tax_rate"]
    mode = p["facility.mode"]
    out: dict = {}
    if process == "autologous":
        s = p["auto.batch_success_rate"]
        B_s = D / S / s
        cycle = p["auto.process_days"] + p["auto.changeover_days"]
        u_per_suite = p["auto.devices_per_suite"]
        if B_s == 0:
            N_unit_s, wait = 0, 0.0
        elif p["auto.service_level"] == 0:
            N_unit_s = max(1, ceil_(B_s / (days / cycle)))
            wait = 0.0
        else:
            lam = B_s / op_days
            a = lam * cycle
            N_unit_s, ec = service_level_devices(a, p["auto.max_wait_days"], cycle, p["auto.service_level"])
            wait = ec * cycle / (N_unit_s - a)
        h_op = p["auto.operator_hours_per_batch"]
        h_qq = p["auto.qc_qa_hours_per_batch"]
        E_s = N_unit_s * p["auto.device_capex"]
        B = S * B_s
        materials = B * p["auto.consumables_per_batch"]
        vector = B * p["auto.vector_cost_per_batch"]
        qc = B * p["auto.qc_cost_per_batch"]
        logistics = B * p["logistics.inbound_cost_per_batch"] + Dd * p["logistics.outbound_cost_per_dose"]
        v2v = (
            p["auto.collection_to_start_days"]
            + wait
            + p["auto.process_days"]
            + p["auto.qc_release_days"]
            + p["logistics.shipping_days"]
            + (1 - s) / s * p["auto.remanufacture_days"]
        )
        out.update(doses_per_lot=None, expired_fraction=None, slot_wait_days=wait)
    else:
        V = p["allo.bioreactor_volume_l"]
        u_per_suite = p["allo.bioreactors_per_suite"]
        dpl = floor_(V * 1000 * p["allo.harvest_density_cells_per_ml"] * p["allo.dsp_yield"] / p["dose.cells_per_dose"])
        dpl -= p["allo.qc_retain_doses_per_lot"]
        if dpl < 1:
            raise ValueError("no dose")
        w0 = p["allo.dose_wastage"]
        rate_s = Dd / S / 365
        if p["allo.shelf_life_days"] == 0 or Dd == 0:
            expired = 0.0
        else:
            expired = max(0.0, 1 - p["allo.shelf_life_days"] * rate_s / (dpl * (1 - w0)))
        usable = dpl * (1 - w0) * (1 - expired) * p["allo.lot_success_rate"]
        L_s = 0 if Dd == 0 else max(1, ceil_(Dd / S / usable))
        B_s = L_s
        cycle = p["allo.process_days"] + p["allo.changeover_days"]
        N_unit_s = 0 if L_s == 0 else max(1, ceil_(L_s / (days / cycle)))
        h_op = p["allo.operator_hours_per_lot"]
        h_qq = p["allo.qc_qa_hours_per_lot"]
        N_suite_pre = ceil_(N_unit_s / u_per_suite)
        E_s = (
            N_unit_s * p["allo.bioreactor_capex_ref"] * (V / p["allo.bioreactor_ref_volume_l"]) ** p["allo.scale_exponent"]
            + N_suite_pre * p["allo.dsp_fill_capex_per_suite"]
        )
        L = S * L_s
        filled = L * dpl
        stored = L * p["allo.lot_success_rate"] * dpl
        materials = (
            L
            * (
                p["allo.media_l_per_l"] * V * p["allo.media_cost_per_l"]
                + p["allo.consumables_per_lot"]
                + p["allo.consumables_per_lot_per_l"] * V
                + p["allo.donor_cost_per_lot"]
            )
            + filled * p["allo.fill_finish_cost_per_dose"]
        )
        vector = L * (p["allo.vector_cost_per_lot"] + p["allo.editing_cost_per_lot"])
        qc = L * p["allo.qc_cost_per_lot"]
        logistics = stored * p["allo.storage_cost_per_dose"] + Dd * p["logistics.outbound_cost_per_dose"]
        v2v = p["logistics.shipping_days"]
        B = L
        out.update(doses_per_lot=dpl, expired_fraction=expired, slot_wait_days=None)
    N_suite_s = ceil_(N_unit_s / u_per_suite)
    share = 0.0 if N_suite_s == 0 else B_s * cycle / (N_suite_s * u_per_suite * op_days)
    K_s = p["facility.site_capex"] + N_suite_s * p["facility.suite_capex"]
    F_crew = ceil_(N_suite_s * p["labour.min_crew_per_suite"] * p["labour.staffed_hours_per_year"] / hours)
    F_hands = ceil_(B_s * h_op / hours)
    F_qq = ceil_(B_s * h_qq / hours)
    support = p["staff.support_fte_per_suite"] * N_suite_s + p["staff.site_fte"]
    ce = crf(r, p["finance.equipment_life_years"])
    cb = crf(r, p["finance.building_life_years"])
    if mode == "dedicated":
        F_s = max(F_crew, F_hands) + F_qq + support
        facility = S * (
            E_s * ce
            + K_s * cb
            + (E_s + K_s) * upkeep
            + p["facility.site_running_cost_year"]
            + N_suite_s * p["facility.suite_running_cost_year"]
        )
        capex = S * (E_s + K_s)
    elif mode == "shared":
        F_s = max(share * F_crew, F_hands) + F_qq + share * support
        facility = S * (
            E_s * ce
            + E_s * upkeep
            + share
            * (K_s * cb + K_s * upkeep + p["facility.site_running_cost_year"] + N_suite_s * p["facility.suite_running_cost_year"])
        )
        capex = S * (E_s + share * K_s)
    else:
        F_s = p["cdmo.oversight_fte"]
        facility = B * p["cdmo.fee_per_batch"] + S * (
            p["cdmo.reservation_fee_per_year"] + p["cdmo.tech_transfer_cost"] * crf(r, p["cdmo.contract_years"])
        )
        capex = 0.0
    labour = S * F_s * p["labour.cost_per_fte_year"]
    price = p["commercial.price_per_dose"]
    royalties = Dd * price * p["commercial.royalty_rate"]
    total = materials + vector + labour + qc + facility + logistics + royalties
    cogs_dose = total / Dd
    cogs_patient = total / D
    max_allow = price * (1 - p["commercial.target_gross_margin"])
    out.update(
        {
            "breakdown.materials": materials,
            "breakdown.vector": vector,
            "breakdown.labour": labour,
            "breakdown.qc": qc,
            "breakdown.facility": facility,
            "breakdown.logistics": logistics,
            "breakdown.royalties": royalties,
            "total_annual_cost": total,
            "cogs_per_dose": cogs_dose,
            "cogs_per_patient": cogs_patient,
            "batches_per_year": B,
            "units": S * N_unit_s,
            "suites": S * N_suite_s,
            "fte": S * F_s,
            "capex_total": capex,
            "utilisation": 0.0 if N_unit_s == 0 else B_s * cycle / (N_unit_s * op_days),
            "vein_to_vein_days": v2v,
            "max_allowable_cogs_per_dose": max_allow,
            "headroom_per_dose": max_allow - cogs_dose,
            "gross_margin": None if price == 0 else (price - cogs_dose) / price,
            "cost_per_durable_response": cogs_patient / p["clinical.durable_response_rate"],
            "payer_cost_per_durable_response": (price * p["demand.doses_per_patient"] + p["clinical.pathway_cost_per_patient"])
            / p["clinical.durable_response_rate"],
        }
    )
    return out
