"""The model checked by hand against version 1 (docs/model.md).

Every expected number here is worked out in plain Python (``math.ceil``, ``math.floor``,
the ``**`` operator) straight from the equations of model version 1, step by step, on
scenarios other than the defaults. Nothing below calls cgtdesk to get an expected value.

Version 2 reproduces version 1 when every version 2 key is at its neutral value (the
catalogue's ``neutral`` field), the facility mode is dedicated, and the two changed defaults
are put back (``staff.site_fte`` 25, ``logistics.outbound_cost_per_dose`` 2000), except the
allogeneic fill-finish term, now charged on every lot started: so every scenario below starts
from those values, and :func:`reference` is the version 1 model with that one term switchable.
Version 2 itself is checked against an independent implementation in tests/core/test_model_v2.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.core.errors import DomainError, InputError
from cgtdesk.core.model import ceil_, crf, evaluate, floor_

ROOT = Path(__file__).resolve().parents[2]
REL = 1e-9


# ----------------------------------------------------------------- independent reference


def _catalogue_defaults(process: str) -> dict:
    """Version 1 in version 2: the defaults straight from resources/parameters.json (not through
    cgtdesk), every version 2 key at its neutral value (or its default where any value is
    neutral), and the version 1 defaults of staff.site_fte and logistics.outbound_cost_per_dose."""
    raw = json.loads((ROOT / "resources" / "parameters.json").read_text(encoding="utf-8"))
    out = {}
    for d in raw["parameters"]:
        if process in d["processes"]:
            out[d["key"]] = d["neutral"] if d.get("neutral") is not None else d["default"][process]
    out.update({"staff.site_fte": 25, "logistics.outbound_cost_per_dose": 2000})
    return out


def hceil(x: float) -> int:
    return math.ceil(x - 1e-9)


def hfloor(x: float) -> int:
    return math.floor(x + 1e-9)


def hcrf(r: float, n: float) -> float:
    if r == 0:
        return 1 / n
    g = (1 + r) ** n
    return r * g / (g - 1)


def reference(process: str, p: dict, *, fill_every_lot_started: bool = True) -> dict:
    """Model version 1 re-implemented for one scalar scenario, result names as in the contract.

    ``fill_every_lot_started`` charges the allogeneic fill-finish on every lot started (version
    2) instead of on the lots that succeed (version 1, ``False``); nothing else differs.
    """
    D = p["demand.patients_per_year"]
    Dd = D * p["demand.doses_per_patient"]
    S = p["facility.sites"]
    days = p["facility.operating_days_per_year"] * p["facility.max_utilisation"]
    hours = p["labour.hours_per_fte_year"]
    r = p["finance.discount_rate"]
    if process == "autologous":
        B_s = D / S / p["auto.batch_success_rate"]
        cycle = p["auto.process_days"] + p["auto.changeover_days"]
        cap = days / cycle
        N_unit_s = hceil(B_s / cap)
        N_suite_s = hceil(N_unit_s / p["auto.devices_per_suite"])
        F_op_s = hceil(B_s * p["auto.operator_hours_per_batch"] / hours)
        E_s = N_unit_s * p["auto.device_capex"]
        B = S * B_s
        materials = B * p["auto.consumables_per_batch"]
        vector = B * p["auto.vector_cost_per_batch"]
        qc = B * p["auto.qc_cost_per_batch"]
        logistics = B * p["logistics.inbound_cost_per_batch"] + Dd * p["logistics.outbound_cost_per_dose"]
        v2v = (
            p["auto.collection_to_start_days"] + p["auto.process_days"] + p["auto.qc_release_days"] + p["logistics.shipping_days"]
        )
        utilisation = B_s * cycle / (N_unit_s * p["facility.operating_days_per_year"])
        batches, dpl = B, None
    else:
        V = p["allo.bioreactor_volume_l"]
        dpl = hfloor(V * 1000 * p["allo.harvest_density_cells_per_ml"] * p["allo.dsp_yield"] / p["dose.cells_per_dose"])
        dpl -= p["allo.qc_retain_doses_per_lot"]
        assert dpl >= 1
        L_s = hceil(Dd / S / (dpl * (1 - p["allo.dose_wastage"]) * p["allo.lot_success_rate"]))
        cycle = p["allo.process_days"] + p["allo.changeover_days"]
        cap = days / cycle
        N_unit_s = hceil(L_s / cap)
        N_suite_s = hceil(N_unit_s / p["allo.bioreactors_per_suite"])
        F_op_s = hceil(L_s * p["allo.operator_hours_per_lot"] / hours)
        E_s = N_unit_s * p["allo.bioreactor_capex_ref"] * (V / p["allo.bioreactor_ref_volume_l"]) ** p["allo.scale_exponent"]
        L = S * L_s
        filled = L * p["allo.lot_success_rate"] * dpl
        fill_finish = (L * dpl if fill_every_lot_started else filled) * p["allo.fill_finish_cost_per_dose"]
        materials = (
            L
            * (
                p["allo.media_l_per_l"] * V * p["allo.media_cost_per_l"]
                + p["allo.consumables_per_lot"]
                + p["allo.consumables_per_lot_per_l"] * V
                + p["allo.donor_cost_per_lot"]
            )
            + fill_finish
        )
        vector = L * (p["allo.vector_cost_per_lot"] + p["allo.editing_cost_per_lot"])
        qc = L * p["allo.qc_cost_per_lot"]
        logistics = filled * p["allo.storage_cost_per_dose"] + Dd * p["logistics.outbound_cost_per_dose"]
        v2v = p["logistics.shipping_days"]
        utilisation = L_s * cycle / (N_unit_s * p["facility.operating_days_per_year"])
        batches = L
    F_s = F_op_s + p["staff.support_fte_per_suite"] * N_suite_s + p["staff.site_fte"]
    K_s = p["facility.site_capex"] + N_suite_s * p["facility.suite_capex"]
    facility = S * (
        E_s * hcrf(r, p["finance.equipment_life_years"])
        + K_s * hcrf(r, p["finance.building_life_years"])
        + (E_s + K_s) * (p["facility.maintenance_rate"] + p["facility.insurance_tax_rate"])
        + p["facility.site_running_cost_year"]
        + N_suite_s * p["facility.suite_running_cost_year"]
    )
    labour = S * F_s * p["labour.cost_per_fte_year"]
    price = p["commercial.price_per_dose"]
    royalties = Dd * price * p["commercial.royalty_rate"]
    total = materials + vector + labour + qc + facility + logistics + royalties
    cogs_dose = total / Dd
    max_allow = price * (1 - p["commercial.target_gross_margin"])
    return {
        "breakdown.materials": materials,
        "breakdown.vector": vector,
        "breakdown.labour": labour,
        "breakdown.qc": qc,
        "breakdown.facility": facility,
        "breakdown.logistics": logistics,
        "breakdown.royalties": royalties,
        "total_annual_cost": total,
        "cogs_per_dose": cogs_dose,
        "cogs_per_patient": total / D,
        "batches_per_year": batches,
        "doses_per_lot": dpl,
        "units": S * N_unit_s,
        "suites": S * N_suite_s,
        "fte": S * F_s,
        "capex_total": S * (E_s + K_s),
        "utilisation": utilisation,
        "vein_to_vein_days": v2v,
        "max_allowable_cogs_per_dose": max_allow,
        "headroom_per_dose": max_allow - cogs_dose,
        "gross_margin": None if price == 0 else (price - cogs_dose) / price,
        "cost_per_durable_response": total / D / p["clinical.durable_response_rate"],
    }


def scenario(process: str, **overrides) -> dict:
    p = _catalogue_defaults(process)
    for k, v in overrides.items():
        key = k.replace("__", ".")
        assert key in p, key
        p[key] = v
    return p


def assert_close(got: dict, expected: dict, keys=None) -> None:
    for k in keys or expected:
        e, g = expected[k], got[k]
        if e is None:
            assert g is None, f"{k}: expected null, got {g}"
        else:
            assert g == pytest.approx(e, rel=REL, abs=1e-9), f"{k}: expected {e}, got {g}"


# ----------------------------------------------------------------- helper functions


def test_ceil_and_floor_ignore_floating_point_noise():
    assert float(ceil_(3.0000000001)) == 3.0
    assert float(ceil_(3.0)) == 3.0
    assert float(ceil_(3.000001)) == 4.0
    assert float(ceil_(2.9999999999)) == 3.0
    assert float(ceil_(0.0)) == 0.0
    assert float(floor_(2.9999999999)) == 3.0
    assert float(floor_(3.0)) == 3.0
    assert float(floor_(2.999999)) == 2.0
    assert float(floor_(3.0000000001)) == 3.0
    # the textbook case: 0.1 + 0.2 is 0.30000000000000004, ten of them a hair above 3
    assert float(ceil_((0.1 + 0.2) * 10)) == 3.0
    assert list(ceil_(np.array([0.5, 1.0 + 1e-12, 1.01]))) == [1.0, 1.0, 2.0]


def test_crf_by_hand():
    # r = 8 %, n = 7: 1.08^7 = 1.713824268...; crf = 0.08 * 1.7138 / 0.7138 = 0.192072...
    g = 1.08**7
    assert float(crf(0.08, 7)) == pytest.approx(0.08 * g / (g - 1), rel=REL)
    assert float(crf(0.08, 7)) == pytest.approx(0.1920724, rel=1e-6)
    # zero rate: straight-line, 1/n
    assert float(crf(0.0, 20)) == pytest.approx(1 / 20, rel=REL)
    assert float(crf(0, 7)) == pytest.approx(1 / 7, rel=REL)
    # one year: the whole capital plus one year's interest
    assert float(crf(0.1, 1)) == pytest.approx(1.1, rel=REL)
    # n -> infinity: the interest alone
    assert float(crf(0.05, 1000)) == pytest.approx(0.05, rel=1e-9)
    # vectorised, including r = 0 mixed with r > 0 (no warning, no NaN)
    v = crf(np.array([0.0, 0.1]), np.array([4.0, 1.0]))
    assert v.tolist() == pytest.approx([0.25, 1.1], rel=REL)
    # a tiny rate tends to 1/n
    assert float(crf(1e-7, 10)) == pytest.approx(0.1, rel=1e-6)


# ----------------------------------------------------------------- sanity anchors


def test_autologous_anchor_500_patients():
    res = evaluate("autologous", _catalogue_defaults("autologous") | {"demand.patients_per_year": 500})
    assert res["units"] == 21
    assert res["suites"] == 6
    assert res["fte"] == 56
    assert res["doses_per_lot"] is None
    assert res["cogs_per_patient"] == pytest.approx(94_000, rel=0.01)


def test_allogeneic_anchor_1000_doses():
    res = evaluate("allogeneic", _catalogue_defaults("allogeneic") | {"demand.patients_per_year": 1000})
    assert res["doses_per_lot"] == 290
    assert res["batches_per_year"] == 5
    assert res["cogs_per_dose"] == pytest.approx(12_500, rel=0.01)


def test_version_2_differs_from_version_1_by_the_fill_of_failed_lots_only():
    """At neutral: v2 - v1 = lots x (1 - success) x doses per lot x fill-finish cost, in materials."""
    p = _catalogue_defaults("allogeneic") | {"demand.patients_per_year": 1000}
    v1 = reference("allogeneic", p, fill_every_lot_started=False)
    v2 = evaluate("allogeneic", p)
    # 290 doses a lot, 5 lots (hand-checked in the anchor test), 10% fail: 145 more doses filled
    extra = 5 * (1 - 0.9) * 290 * 300
    assert extra == pytest.approx(43_500, rel=REL)
    assert v2["breakdown.materials"] - v1["breakdown.materials"] == pytest.approx(extra, rel=1e-9)
    assert v2["total_annual_cost"] - v1["total_annual_cost"] == pytest.approx(extra, rel=1e-9)
    for k in v1:
        if not k.startswith(("breakdown.materials", "total", "cogs", "headroom", "gross", "cost_per")):
            assert v2[k] == v1[k] or v2[k] == pytest.approx(v1[k], rel=REL), k
    # autologous at neutral: version 1 exactly
    pa = _catalogue_defaults("autologous") | {"demand.patients_per_year": 700, "facility.sites": 2}
    assert_close(evaluate("autologous", pa), reference("autologous", pa, fill_every_lot_started=False))


def test_default_anchors_match_the_reference_exactly():
    for process, demand in (("autologous", 500), ("allogeneic", 1000)):
        p = _catalogue_defaults(process) | {"demand.patients_per_year": demand}
        assert_close(evaluate(process, p), reference(process, p))


# ----------------------------------------------------------------- hand-worked scenarios


def test_autologous_three_sites_by_hand():
    p = scenario("autologous", demand__patients_per_year=900, facility__sites=3)
    r = evaluate("autologous", p, intermediates=True)
    # per site: 900 / 3 / 0.95 batches started
    B_s = 900 / 3 / 0.95  # 315.789...
    days = 300 * 0.85  # 255 plannable days
    cycle = 9 + 1
    cap = days / cycle  # 25.5 batches per device per year
    N_unit_s = math.ceil(B_s / cap - 1e-9)  # 12.38 -> 13
    assert N_unit_s == 13
    N_suite_s = math.ceil(N_unit_s / 4 - 1e-9)  # 3.25 -> 4
    assert N_suite_s == 4
    F_op_s = math.ceil(B_s * 60 / 1700 - 1e-9)  # 11.15 -> 12
    assert F_op_s == 12
    F_s = F_op_s + 2 * N_suite_s + 25  # 45
    E_s = N_unit_s * 500_000  # 6.5 M
    K_s = 15e6 + N_suite_s * 3e6  # 27 M
    g7, g20 = 1.08**7, 1.08**20
    crf_e, crf_b = 0.08 * g7 / (g7 - 1), 0.08 * g20 / (g20 - 1)
    facility = 3 * (E_s * crf_e + K_s * crf_b + (E_s + K_s) * (0.06 + 0.03) + 1.5e6 + N_suite_s * 400_000)
    B = 3 * B_s
    materials = B * 20_000
    vector = B * 15_000
    qc = B * 12_000
    logistics = B * 3_000 + 900 * 2_000
    labour = 3 * F_s * 120_000
    total = materials + vector + labour + qc + facility + logistics + 0.0
    expected = {
        "breakdown.materials": materials,
        "breakdown.vector": vector,
        "breakdown.labour": labour,
        "breakdown.qc": qc,
        "breakdown.facility": facility,
        "breakdown.logistics": logistics,
        "breakdown.royalties": 0.0,
        "total_annual_cost": total,
        "cogs_per_dose": total / 900,
        "cogs_per_patient": total / 900,
        "batches_per_year": B,
        "doses_per_lot": None,
        "units": 39,
        "suites": 12,
        "fte": 135,
        "capex_total": 3 * (E_s + K_s),
        "utilisation": B_s * cycle / (N_unit_s * 300),
        "vein_to_vein_days": 2 + 9 + 7 + 2,
        "max_allowable_cogs_per_dose": 100_000,
        "headroom_per_dose": 100_000 - total / 900,
        "gross_margin": (400_000 - total / 900) / 400_000,
        "cost_per_durable_response": total / 900 / 0.4,
        "calc.B_s": B_s,
        "calc.cap": cap,
        "calc.N_unit_s": 13,
        "calc.N_suite_s": 4,
        "calc.F_op_s": 12,
        "calc.F_s": 45,
        "calc.E_s": E_s,
        "calc.K_s": K_s,
        "calc.crf_equipment": crf_e,
        "calc.crf_building": crf_b,
    }
    assert_close(r, expected)
    assert_close(r, reference("autologous", p))


def test_zero_discount_rate_is_straight_line():
    p = scenario("autologous", finance__discount_rate=0.0, demand__patients_per_year=500)
    r = evaluate("autologous", p, intermediates=True)
    assert r["calc.crf_equipment"] == pytest.approx(1 / 7, rel=REL)
    assert r["calc.crf_building"] == pytest.approx(1 / 20, rel=REL)
    # defaults at 500 patients: 21 devices, 6 suites (hand-checked in the anchor test)
    E_s = 21 * 500_000  # 10.5 M
    K_s = 15e6 + 6 * 3e6  # 33 M
    facility = E_s / 7 + K_s / 20 + (E_s + K_s) * 0.09 + 1.5e6 + 6 * 400_000
    assert facility == pytest.approx(1.5e6 + 1.65e6 + 3.915e6 + 1.5e6 + 2.4e6, rel=REL)  # 10.965 M
    assert r["breakdown.facility"] == pytest.approx(10_965_000, rel=REL)
    assert_close(r, reference("autologous", p))


def test_allogeneic_several_doses_royalty_and_full_success():
    p = scenario(
        "allogeneic",
        demand__patients_per_year=400,
        demand__doses_per_patient=3,
        commercial__royalty_rate=0.05,
        allo__lot_success_rate=1.0,
        allo__dose_wastage=0.0,
        allo__bioreactor_volume_l=50,
        finance__discount_rate=0.0,
    )
    r = evaluate("allogeneic", p, intermediates=True)
    Dd = 400 * 3  # 1,200 doses
    V = 50
    dpl = math.floor(V * 1000 * 2.5e6 * 0.6 / 1e8 + 1e-9) - 10  # 750 - 10 = 740
    assert dpl == 740
    L_s = math.ceil(Dd / 1 / (dpl * (1 - 0.0) * 1.0) - 1e-9)  # 1.62 -> 2
    assert L_s == 2
    cycle = 14 + 2
    cap = 300 * 0.85 / cycle  # 15.9375 lots per bioreactor per year
    N_unit_s = math.ceil(L_s / cap - 1e-9)  # 1
    N_suite_s = math.ceil(N_unit_s / 2 - 1e-9)  # 1
    F_op_s = math.ceil(L_s * 400 / 1700 - 1e-9)  # 0.47 -> 1
    assert (N_unit_s, N_suite_s, F_op_s) == (1, 1, 1)
    F_s = 1 + 2 * 1 + 25  # 28
    unit_capex = 250_000 * (50 / 50) ** 0.6  # the reference size exactly
    E_s = N_unit_s * unit_capex
    K_s = 15e6 + 3e6
    facility = E_s / 7 + K_s / 20 + (E_s + K_s) * 0.09 + 1.5e6 + 400_000
    L = 1 * L_s
    filled = L * 1.0 * dpl  # 1,480 doses filled
    materials = L * (3 * V * 250 + 25_000 + 200 * V + 15_000) + filled * 300
    vector = L * (60_000 + 30_000)
    qc = L * 50_000
    logistics = filled * 200 + Dd * 2_000
    labour = F_s * 120_000
    royalties = Dd * 250_000 * 0.05  # 15 M
    total = materials + vector + labour + qc + facility + logistics + royalties
    expected = {
        "breakdown.materials": materials,
        "breakdown.vector": vector,
        "breakdown.labour": labour,
        "breakdown.qc": qc,
        "breakdown.facility": facility,
        "breakdown.logistics": logistics,
        "breakdown.royalties": 15_000_000,
        "total_annual_cost": total,
        "cogs_per_dose": total / 1200,
        "cogs_per_patient": total / 400,
        "batches_per_year": 2,
        "doses_per_lot": 740,
        "units": 1,
        "suites": 1,
        "fte": 28,
        "capex_total": E_s + K_s,
        "utilisation": L_s * cycle / (N_unit_s * 300),
        "vein_to_vein_days": 2,
        "max_allowable_cogs_per_dose": 250_000 * 0.25,
        "headroom_per_dose": 62_500 - total / 1200,
        "gross_margin": (250_000 - total / 1200) / 250_000,
        "cost_per_durable_response": total / 400 / 0.25,
        "calc.L_s": 2,
        "calc.filled": 1480,
        "calc.unit_capex": 250_000,
    }
    assert_close(r, expected)
    assert_close(r, reference("allogeneic", p))
    # royalties are the one category that scales with price
    assert r["breakdown.royalties"] / r["total_annual_cost"] > 0.5


def test_autologous_full_success_and_several_doses():
    p = scenario(
        "autologous",
        demand__patients_per_year=255,
        demand__doses_per_patient=2,
        auto__batch_success_rate=1.0,
        commercial__royalty_rate=0.1,
    )
    r = evaluate("autologous", p)
    # 255 batches at 25.5 per device is exactly 10 devices: the step must not flip to 11
    B_s = 255 / 1 / 1.0
    assert B_s / (300 * 0.85 / 10) == pytest.approx(10.0, rel=1e-12)
    assert r["units"] == 10
    assert r["suites"] == math.ceil(10 / 4)  # 3
    assert r["utilisation"] == pytest.approx(255 * 10 / (10 * 300), rel=REL)  # 0.85 exactly: at the cap
    # failed batches: none; doses delivered = 510, every batch gives 2 doses here
    assert r["batches_per_year"] == 255
    assert r["breakdown.logistics"] == pytest.approx(255 * 3_000 + 510 * 2_000, rel=REL)
    assert r["breakdown.royalties"] == pytest.approx(510 * 400_000 * 0.1, rel=REL)
    assert r["cogs_per_patient"] == pytest.approx(2 * r["cogs_per_dose"], rel=REL)
    assert_close(r, reference("autologous", p))


def test_decentralised_autologous_ten_sites():
    p = scenario(
        "autologous",
        demand__patients_per_year=200,
        facility__sites=10,
        staff__site_fte=8,
        facility__site_capex=2e6,
        facility__site_running_cost_year=300_000,
        logistics__inbound_cost_per_batch=500,
        logistics__shipping_days=0.5,
    )
    r = evaluate("autologous", p)
    B_s = 200 / 10 / 0.95  # 21.05 per site
    N_unit_s = math.ceil(B_s / 25.5 - 1e-9)  # 1 device per site
    N_suite_s = 1
    F_op_s = math.ceil(B_s * 60 / 1700 - 1e-9)  # 0.74 -> 1
    assert (N_unit_s, F_op_s) == (1, 1)
    F_s = 1 + 2 * 1 + 8
    E_s, K_s = 500_000, 2e6 + 3e6
    g7, g20 = 1.08**7, 1.08**20
    facility = 10 * (
        E_s * 0.08 * g7 / (g7 - 1) + K_s * 0.08 * g20 / (g20 - 1) + (E_s + K_s) * 0.09 + 300_000 + N_suite_s * 400_000
    )
    assert r["units"] == 10
    assert r["suites"] == 10
    assert r["fte"] == 10 * F_s == 110
    assert r["capex_total"] == pytest.approx(10 * 5.5e6, rel=REL)
    assert r["breakdown.facility"] == pytest.approx(facility, rel=REL)
    assert r["breakdown.labour"] == pytest.approx(110 * 120_000, rel=REL)
    assert r["utilisation"] == pytest.approx(B_s * 10 / 300, rel=REL)
    assert r["vein_to_vein_days"] == pytest.approx(2 + 9 + 7 + 0.5, rel=REL)
    assert r["breakdown.logistics"] == pytest.approx(10 * B_s * 500 + 200 * 2_000, rel=REL)
    assert_close(r, reference("autologous", p))


def test_allogeneic_multi_site_scale_exponent_and_wastage():
    p = scenario(
        "allogeneic",
        demand__patients_per_year=20_000,
        facility__sites=3,
        allo__bioreactor_volume_l=200,
        allo__scale_exponent=0.7,
        allo__dose_wastage=0.2,
        allo__process_days=10,
        allo__changeover_days=1,
        allo__bioreactors_per_suite=3,
    )
    r = evaluate("allogeneic", p, intermediates=True)
    dpl = math.floor(200 * 1000 * 2.5e6 * 0.6 / 1e8 + 1e-9) - 10  # 3000 - 10
    assert dpl == 2990
    L_s = math.ceil(20_000 / 3 / (2990 * 0.8 * 0.9) - 1e-9)  # 3.097 -> 4
    assert L_s == 4
    cap = 255 / 11
    N_unit_s = math.ceil(L_s / cap - 1e-9)  # 1
    unit_capex = 250_000 * (200 / 50) ** 0.7  # 4^0.7 = 2.639...
    assert r["calc.unit_capex"] == pytest.approx(unit_capex, rel=REL)
    assert r["calc.L_s"] == 4
    assert r["batches_per_year"] == 12
    assert r["units"] == 3 * N_unit_s
    assert r["capex_total"] == pytest.approx(3 * (N_unit_s * unit_capex + 15e6 + 3e6), rel=REL)
    stored = 12 * 0.9 * 2990  # version 1 called these "filled"
    assert r["calc.stored"] == pytest.approx(stored, rel=REL)
    assert r["calc.filled"] == pytest.approx(12 * 2990, rel=REL)  # version 2: every lot started is filled
    assert r["breakdown.logistics"] == pytest.approx(stored * 200 + 20_000 * 2_000, rel=REL)
    assert_close(r, reference("allogeneic", p))


def test_price_zero_gives_null_margin():
    p = scenario("allogeneic", commercial__price_per_dose=0)
    r = evaluate("allogeneic", p)
    assert r["gross_margin"] is None
    assert r["max_allowable_cogs_per_dose"] == 0
    assert r["headroom_per_dose"] == pytest.approx(-r["cogs_per_dose"], rel=REL)
    assert_close(r, reference("allogeneic", p))


def test_total_is_the_sum_of_the_breakdown_in_contract_order():
    p = scenario("autologous", commercial__royalty_rate=0.02)
    r = evaluate("autologous", p)
    assert BREAKDOWN == ("materials", "vector", "labour", "qc", "facility", "logistics", "royalties")
    assert [k for k in r if k.startswith("breakdown.")] == [f"breakdown.{c}" for c in BREAKDOWN]
    assert sum(r[f"breakdown.{c}"] for c in BREAKDOWN) == pytest.approx(r["total_annual_cost"], rel=REL)


# ----------------------------------------------------------------- domain errors and inputs


def test_lot_that_yields_no_dose_is_refused_naming_the_inputs():
    # 0.1 L x 1000 x 2.5e6 x 0.6 / 1e8 = 1.5 -> floor 1, minus 10 retained: -9 doses
    p = scenario("allogeneic", allo__bioreactor_volume_l=0.1)
    with pytest.raises(DomainError) as e:
        evaluate("allogeneic", p)
    msg = str(e.value)
    for key in (
        "allo.bioreactor_volume_l",
        "allo.harvest_density_cells_per_ml",
        "allo.dsp_yield",
        "dose.cells_per_dose",
        "allo.qc_retain_doses_per_lot",
    ):
        assert key in msg
        assert key in e.value.keys
    assert "-9" in msg
    assert isinstance(e.value, InputError)


def test_exactly_one_dose_per_lot_is_valid():
    # 1 L x 1000 x 1e6 x 0.5 / 1e8 = 5 cells-worth of doses, minus 4 retained = 1 dose
    p = scenario(
        "allogeneic",
        allo__bioreactor_volume_l=1,
        allo__harvest_density_cells_per_ml=1e6,
        allo__dsp_yield=0.5,
        allo__qc_retain_doses_per_lot=4,
    )
    r = evaluate("allogeneic", p)
    assert r["doses_per_lot"] == 1
    assert_close(r, reference("allogeneic", p))
    with pytest.raises(DomainError):
        evaluate("allogeneic", p | {"allo.qc_retain_doses_per_lot": 5})


def test_non_strict_marks_invalid_elements_nan():
    p = scenario("allogeneic")
    p["allo.bioreactor_volume_l"] = np.array([20.0, 0.1, 50.0])
    r = evaluate("allogeneic", p, strict=False)
    assert r["valid"].tolist() == [True, False, True]
    assert np.isnan(r["cogs_per_dose"][1])
    assert r["doses_per_lot"][[0, 2]].tolist() == [290, 740]
    with pytest.raises(DomainError):
        evaluate("allogeneic", p)


def test_missing_key_and_unknown_process_are_input_errors():
    p = scenario("autologous")
    del p["auto.process_days"]
    with pytest.raises(InputError, match="auto.process_days"):
        evaluate("autologous", p)
    with pytest.raises(InputError, match="unknown process"):
        evaluate("xenogeneic", p)


def test_noise_in_doses_per_lot_does_not_lose_a_dose():
    # 20 x 1000 x 2.5e6 x 0.6 / 1e8 is 300 in exact arithmetic but may round just under it
    x = 20 * 1000 * 2.5e6 * 0.6 / 1e8
    assert abs(x - 300) < 1e-9
    r = evaluate("allogeneic", scenario("allogeneic"))
    assert r["doses_per_lot"] == 290


def test_the_no_dose_message_names_the_offending_element_of_an_array():
    p = scenario("allogeneic")
    p["allo.bioreactor_volume_l"] = np.array([20.0, 50.0, 0.1])
    with pytest.raises(DomainError) as e:
        evaluate("allogeneic", p)
    assert "allo.bioreactor_volume_l = 0.1," in str(e.value)
    assert "-9 doses" in str(e.value)


def test_a_tiny_discount_rate_charges_capital_like_a_zero_rate():
    """(1+r)^n rounds to 1 for r = 1e-17; the charge must still be C/n, not infinite (or NaN at C = 0).

    Found by fuzzing the editor: a rate of 5e-324 with a device capex of 0 made the facility cost NaN.
    """
    from cgtdesk.core.catalogue import catalogue
    from cgtdesk.core.model import crf, evaluate

    for r in (5e-324, 1e-17, 1e-12):
        for n in (1, 7, 20, 50):
            # crf = 1/n * (1 + (n+1) r / 2 + O(r^2)): within 1e-9 of 1/n for these rates
            assert float(crf(r, n)) == pytest.approx(1 / n, rel=1e-9)
    p = catalogue().defaults("autologous")
    p.update({"auto.device_capex": 0})
    zero = evaluate("autologous", {**p, "finance.discount_rate": 0.0})
    for r in (5e-324, 1e-17):
        tiny = evaluate("autologous", {**p, "finance.discount_rate": r})
        assert tiny["breakdown.facility"] == pytest.approx(zero["breakdown.facility"], rel=1e-12)
        assert tiny["cogs_per_dose"] == pytest.approx(zero["cogs_per_dose"], rel=1e-12)


def test_random_scenarios_at_neutral_reproduce_version_1():
    """Version 1 keys drawn at random around their defaults, version 2 keys neutral: version 1."""
    import random

    raw = json.loads((ROOT / "resources" / "parameters.json").read_text(encoding="utf-8"))
    v1_keys = [d for d in raw["parameters"] if "neutral" not in d]
    rng = random.Random(11)
    checked = 0
    for i in range(200):
        process = ("autologous", "allogeneic")[i % 2]
        p = _catalogue_defaults(process)
        for d in v1_keys:
            if process in d["processes"] and d["key"] != "facility.mode":
                base = d["default"][process]
                x = base * math.exp(rng.uniform(-1, 1)) if base else rng.uniform(d["min"], d["min"] + (d["max"] - d["min"]) / 10)
                x = min(max(x, d["min"]), d["max"])
                p[d["key"]] = float(round(x)) if d["integer"] else x
        try:
            expected = reference(process, p)
        except AssertionError:  # a lot that yields no dose
            continue
        assert_close(evaluate(process, p), expected)
        checked += 1
    assert checked > 150
