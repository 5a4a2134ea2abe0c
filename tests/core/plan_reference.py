"""An independent plain-Python implementation of the launch plan (docs/model.md, "Launch plan").

Loops and the math module only: no numpy and nothing from cgtdesk. Units and suites are sized by
the independent annual model of :mod:`v2_reference`; the operating cost at installed capacity,
the purchases, replacements, residual values, start-up and switches are written here from the
contract's text, year by year.
"""

from __future__ import annotations

from v2_reference import ceil_, crf, floor_, reference

CATS = ("materials", "vector", "labour", "qc", "facility", "logistics", "royalties")


def demand_path(plan: dict) -> list[float]:
    T = plan["years"]
    d = plan["demand"]
    if "patients_per_year" in d:
        return [float(x) for x in d["patients_per_year"]]
    tL = d["launch_year"] - plan["first_year"] + 1
    out = []
    for t in range(1, T + 1):
        if t < tL:
            out.append(0.0)
        else:
            x = min(1.0, (t - tL + 1) / d["years_to_peak"])
            out.append(d["peak_patients_per_year"] * (3 * x * x - 2 * x * x * x))
    return out


def _process_side(process: str, p: dict, D: float) -> dict:
    """Batches per site, the per-batch costs and the capex of one unit at demand D."""
    S = p["facility.sites"]
    Dd = D * p["demand.doses_per_patient"]
    if process == "autologous":
        B_s = D / S / p["auto.batch_success_rate"]
        B = S * B_s
        return {
            "B_s": B_s,
            "cycle": p["auto.process_days"] + p["auto.changeover_days"],
            "u": p["auto.devices_per_suite"],
            "unit_capex": p["auto.device_capex"],
            "e_suite": 0.0,
            "h_op": p["auto.operator_hours_per_batch"],
            "h_qq": p["auto.qc_qa_hours_per_batch"],
            "materials": B * p["auto.consumables_per_batch"],
            "vector": B * p["auto.vector_cost_per_batch"],
            "qc": B * p["auto.qc_cost_per_batch"],
            "logistics": B * p["logistics.inbound_cost_per_batch"] + Dd * p["logistics.outbound_cost_per_dose"],
            "c_batch": p["auto.consumables_per_batch"] + p["auto.vector_cost_per_batch"] + p["auto.qc_cost_per_batch"],
        }
    V = p["allo.bioreactor_volume_l"]
    dpl = floor_(V * 1000 * p["allo.harvest_density_cells_per_ml"] * p["allo.dsp_yield"] / p["dose.cells_per_dose"])
    dpl -= p["allo.qc_retain_doses_per_lot"]
    w0 = p["allo.dose_wastage"]
    if p["allo.shelf_life_days"] == 0 or Dd == 0:
        expired = 0.0
    else:
        expired = max(0.0, 1 - p["allo.shelf_life_days"] * (Dd / S / 365) / (dpl * (1 - w0)))
    usable = dpl * (1 - w0) * (1 - expired) * p["allo.lot_success_rate"]
    L_s = 0 if Dd == 0 else max(1, ceil_(Dd / S / usable))
    L = S * L_s
    per_lot = (
        p["allo.media_l_per_l"] * V * p["allo.media_cost_per_l"]
        + p["allo.consumables_per_lot"]
        + p["allo.consumables_per_lot_per_l"] * V
        + p["allo.donor_cost_per_lot"]
    )
    return {
        "B_s": L_s,
        "cycle": p["allo.process_days"] + p["allo.changeover_days"],
        "u": p["allo.bioreactors_per_suite"],
        "unit_capex": p["allo.bioreactor_capex_ref"] * (V / p["allo.bioreactor_ref_volume_l"]) ** p["allo.scale_exponent"],
        "e_suite": p["allo.dsp_fill_capex_per_suite"],
        "h_op": p["allo.operator_hours_per_lot"],
        "h_qq": p["allo.qc_qa_hours_per_lot"],
        "materials": L * per_lot + L * dpl * p["allo.fill_finish_cost_per_dose"],
        "vector": L * (p["allo.vector_cost_per_lot"] + p["allo.editing_cost_per_lot"]),
        "qc": L * p["allo.qc_cost_per_lot"],
        "logistics": L * p["allo.lot_success_rate"] * dpl * p["allo.storage_cost_per_dose"]
        + Dd * p["logistics.outbound_cost_per_dose"],
        "c_batch": per_lot
        + dpl * p["allo.fill_finish_cost_per_dose"]
        + p["allo.vector_cost_per_lot"]
        + p["allo.editing_cost_per_lot"]
        + p["allo.qc_cost_per_lot"],
    }


def opex(process: str, p: dict, D: float, Iu: float, Ik: float) -> tuple[dict, dict]:
    """The seven categories at demand D with Iu units and Ik suites per site installed."""
    x = _process_side(process, p, D)
    S = p["facility.sites"]
    mode = p["facility.mode"]
    hours = p["labour.hours_per_fte_year"]
    op_days = p["facility.operating_days_per_year"]
    r = p["finance.discount_rate"]
    upkeep = p["facility.maintenance_rate"] + p["facility.insurance_tax_rate"]
    B_s = x["B_s"]
    E = Iu * x["unit_capex"] + Ik * x["e_suite"]
    K = p["facility.site_capex"] + Ik * p["facility.suite_capex"]
    share = 0.0 if Ik == 0 else B_s * x["cycle"] / (Ik * x["u"] * op_days)
    crew = ceil_(Ik * p["labour.min_crew_per_suite"] * p["labour.staffed_hours_per_year"] / hours)
    hands = ceil_(B_s * x["h_op"] / hours)
    qq = ceil_(B_s * x["h_qq"] / hours)
    support = p["staff.support_fte_per_suite"] * Ik + p["staff.site_fte"]
    running = p["facility.site_running_cost_year"] + Ik * p["facility.suite_running_cost_year"]
    if mode == "dedicated":
        F = max(crew, hands) + qq + support
        facility = S * ((E + K) * upkeep + running)
    elif mode == "shared":
        F = max(share * crew, hands) + qq + share * support
        cb = crf(r, p["finance.building_life_years"])
        facility = S * (E * crf(r, p["finance.equipment_life_years"]) + E * upkeep + share * (K * cb + K * upkeep + running))
    else:
        F = p["cdmo.oversight_fte"]
        facility = S * B_s * p["cdmo.fee_per_batch"] + S * p["cdmo.reservation_fee_per_year"]
    Dd = D * p["demand.doses_per_patient"]
    cats = {
        "materials": x["materials"],
        "vector": x["vector"],
        "labour": S * F * p["labour.cost_per_fte_year"],
        "qc": x["qc"],
        "facility": facility,
        "logistics": x["logistics"],
        "royalties": Dd * p["commercial.price_per_dose"] * p["commercial.royalty_rate"],
    }
    return cats, x


def scenario_plan(process: str, p: dict, D: list[float], k: int) -> dict:
    """The table by year (lists, one value per year) of one scenario on the path D."""
    T = len(D)
    P = [max(D[t : min(T, t + k + 1)]) for t in range(T)]
    rows = {f: [0.0] * T for f in ("units", "suites", "batches", "utilisation", "capex", "startup", *CATS)}
    rows["patients"] = list(D)
    rows["doses"] = [d * p["demand.doses_per_patient"] for d in D]
    rows["planning_patients"] = P
    rows["revenue"] = [dd * p["commercial.price_per_dose"] for dd in rows["doses"]]
    served = [t for t in range(T) if P[t] > 0]
    if served:
        _serve(process, p, D, P, served[0], served[-1], rows)
    rows["cost"] = [sum(rows[c][t] for c in CATS) + rows["capex"][t] + rows["startup"][t] for t in range(T)]
    _cash(rows)
    return rows


def _cash(rows: dict) -> None:
    cum, out = 0.0, []
    for rev, cost in zip(rows["revenue"], rows["cost"], strict=True):
        cum += rev - cost
        out.append(cum)
    rows["cumulative_cash"] = out


def _serve(process, p, D, P, u0, u1, rows) -> None:
    T = len(D)
    S = p["facility.sites"]
    mode = p["facility.mode"]
    Iu = Ik = 0
    new_u, new_k, inst_k = [0] * T, [0] * T, [0] * T
    for t in range(T):
        nu, nk = Iu, Ik
        if P[t] > 0:
            r = reference(process, {**p, "demand.patients_per_year": P[t]})
            nu, nk = max(Iu, round(r["units"] / S)), max(Ik, round(r["suites"] / S))
        new_u[t], new_k[t] = nu - Iu, nk - Ik
        Iu, Ik = nu, nk
        inst_k[t] = Ik
        if u0 <= t <= u1:
            cats, x = opex(process, p, D[t], Iu, Ik)
            for c in CATS:
                rows[c][t] = cats[c]
            rows["units"][t] = S * Iu
            rows["suites"][t] = S * Ik
            rows["batches"][t] = S * x["B_s"]
            rows["utilisation"][t] = 0.0 if Iu == 0 else x["B_s"] * x["cycle"] / (Iu * p["facility.operating_days_per_year"])
    x = _process_side(process, p, 0.0)
    if mode == "dedicated":
        _dedicated_cash(p, x, u0, u1, new_u, new_k, rows)
        w = min(1, p["plan.facility_lead_years"])
        rate, suite = p["plan.startup_cost_rate"], p["facility.suite_capex"]
        first = S * (rate * (p["facility.site_capex"] + inst_k[u0] * suite) + p["plan.ppq_batches"] * x["c_batch"])
        rows["startup"][max(0, u0 - w)] += first
        for t in range(u0 + 1, u1 + 1):
            rows["startup"][max(0, t - w)] += S * rate * new_k[t] * suite
    elif mode == "cdmo":
        rows["startup"][max(0, u0 - 1)] += S * (
            p["cdmo.tech_transfer_cost"] + p["plan.ppq_batches"] * (x["c_batch"] + p["cdmo.fee_per_batch"])
        )
    else:
        rows["startup"][max(0, u0 - 1)] += S * p["plan.ppq_batches"] * x["c_batch"]


def _dedicated_cash(p, x, u0, u1, new_u, new_k, rows) -> None:
    """Purchases (first and again), each paid lead years before service, and the residual credit."""
    S = p["facility.sites"]
    n_b = ceil_(p["finance.building_life_years"])
    n_e = ceil_(p["finance.equipment_life_years"])
    Lf, Le = p["plan.facility_lead_years"], p["plan.equipment_lead_years"]
    assets = [(S * p["facility.site_capex"], u0, n_b, Lf)]
    for t in range(len(new_u)):
        if new_k[t]:
            assets.append((S * new_k[t] * p["facility.suite_capex"], t, n_b, Lf))
        if new_u[t] or new_k[t]:
            assets.append((S * (new_u[t] * x["unit_capex"] + new_k[t] * x["e_suite"]), t, n_e, Le))
    for amount, s, n, lead in assets:
        v = s
        while v <= u1:
            rows["capex"][max(0, v - lead)] += amount
            rows["capex"][u1] -= amount * max(0, v + n - 1 - u1) / n
            v += n


def summary(rows: dict, r: float) -> dict:
    T = len(rows["cost"])
    npc = sum(rows["cost"][t] / (1 + r) ** (t + 1) for t in range(T))
    dd = sum(rows["doses"][t] / (1 + r) ** (t + 1) for t in range(T))
    return {
        "npc": npc,
        "levelised_cogs_per_dose": None if dd == 0 else npc / dd,
        "npv_gross_profit": sum((rows["revenue"][t] - rows["cost"][t]) / (1 + r) ** (t + 1) for t in range(T)),
        "peak_funding": max(0.0, max(-c for c in rows["cumulative_cash"])),
        "capex_cash": sum(rows["capex"]),
        "startup_cash": sum(rows["startup"]),
    }


def switch_series(pa: str, a: dict, pb: str, b: dict, D: list[float], k: int, y: int) -> dict:
    """The switch from scenario a to b in year index y (1-based; T+1: never)."""
    T = len(D)
    Da = [D[t] if t + 1 < y else 0.0 for t in range(T)]
    Db = [D[t] if t + 1 >= y else 0.0 for t in range(T)]
    ra, rb = scenario_plan(pa, a, Da, k), scenario_plan(pb, b, Db, k)
    rows = {f: [ra[f][t] + rb[f][t] for t in range(T)] for f in ("doses", "capex", "startup", "revenue", *CATS)}
    rows["patients"] = list(D)
    if pa == pb:
        for f in ("units", "suites", "batches"):
            rows[f] = [ra[f][t] + rb[f][t] for t in range(T)]
    rows["comparability"] = [0.0] * T
    if any(v > 0 for v in Da) and any(v > 0 for v in Db):
        rows["comparability"][y - 2] = b["plan.comparability_cost"]
    rows["cost"] = [
        sum(rows[c][t] for c in CATS) + rows["capex"][t] + rows["startup"][t] + rows["comparability"][t] for t in range(T)
    ]
    _cash(rows)
    return rows


def switch_analysis(pa: str, a: dict, pb: str, b: dict, D: list[float], k: int, first_year: int) -> tuple[list, int | None]:
    T = len(D)
    npcs = [summary(switch_series(pa, a, pb, b, D, k, y), a["finance.discount_rate"])["npc"] for y in range(1, T + 2)]
    lowest = min(npcs)
    best = next(i for i, v in enumerate(npcs) if abs(v - lowest) <= 1e-12 * abs(lowest))
    best_year = first_year + best if any(d > 0 for d in D[best:]) else None
    return [(first_year + i, v) for i, v in enumerate(npcs)], best_year
