"""Calculations rows, first half: common quantities, the facility modes, autologous batches with
the service-level device rule, and allogeneic lots with shelf life (docs/model.md, version 2).

The service-level rule searches a window of :data:`SL_WINDOW` candidate device counts from
``MAX(1, ROUNDDOWN(a,0)+1)``: one hidden row per candidate, one per test
``IF(EC(c,a)*EXP(-(c-a)*t/cycle)<=1-service level, c, 1E+99)``, and the devices are the
``MIN`` of the tests. Checks fails when no candidate in the window meets the condition.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from cgtdesk.core.capacity import erlang_c as _erlang_c_app
from cgtdesk.core.model import crf
from cgtdesk.io.workbook.calc_rows import (
    ALLO,
    AUTO,
    NONE_FOUND,
    R,
    Row,
    both,
    ceil_,
    erlang_c,
    floor_,
)

#: candidate device counts the service-level search tries (a larger load needs a wider window;
#: the Checks sheet says when it is too small)
SL_WINDOW = 120

MODE_ROWS = [
    Row(f"mode_{m}", f"Facility mode: {m}", "text", "text", both(m), lambda r, p, m=m: m, "the text of the mode", const=True)
    for m in ("dedicated", "shared", "cdmo")
]


def _crf(rate: str, life: str) -> str:
    return f"IF({{{rate}}}=0,1/{{{life}}},{{{rate}}}*(1+{{{rate}}})^{{{life}}}/((1+{{{rate}}})^{{{life}}}-1))"


COMMON = [
    Row(
        "Dd",
        "Doses delivered per year",
        "doses/yr",
        "num2",
        both("{demand.patients_per_year}*{demand.doses_per_patient}"),
        R("calc.Dd"),
        "Dd = D x doses per patient",
    ),
    Row(
        "days",
        "Plannable days per unit",
        "d/yr",
        "days",
        both("{facility.operating_days_per_year}*{facility.max_utilisation}"),
        R("calc.days"),
        "days = operating days x max utilisation",
    ),
    Row(
        "crf_equipment",
        "Capital recovery factor, equipment",
        "1/yr",
        "factor",
        both(_crf("finance.discount_rate", "finance.equipment_life_years")),
        R("calc.crf_equipment"),
        "crf(r, n) = r(1+r)^n / ((1+r)^n - 1); 1/n when r = 0",
    ),
    Row(
        "crf_building",
        "Capital recovery factor, building",
        "1/yr",
        "factor",
        both(_crf("finance.discount_rate", "finance.building_life_years")),
        R("calc.crf_building"),
        "crf(r, n) = r(1+r)^n / ((1+r)^n - 1); 1/n when r = 0",
    ),
    Row(
        "crf_contract",
        "Capital recovery factor, contract (cdmo)",
        "1/yr",
        "factor",
        both(_crf("finance.discount_rate", "cdmo.contract_years")),
        lambda r, p: float(crf(p["finance.discount_rate"], p["cdmo.contract_years"])),
        "crf(r, contract years): technology transfer recovered over the contract",
    ),
]


def _sl_candidates(r, p) -> list[tuple[float, float]]:
    """(candidate c, its test value) for the window, as the workbook computes them."""
    return _window(r["calc.a"], r["calc.cycle"], p["auto.service_level"], p["auto.max_wait_days"])


@lru_cache(maxsize=64)
def _window(a: float, cycle: float, level: float, wait: float) -> list[tuple[float, float]]:
    c = max(1.0, math.floor(a) + 1.0) + np.arange(SL_WINDOW, dtype=float)
    ok = _erlang_c_app(c, a) * np.exp(-(c - a) * wait / cycle) <= 1.0 - level
    return [(float(ci), float(ci) if oi else 1e99) for ci, oi in zip(c, ok, strict=True)]


def _service_level_rows() -> list[Row]:
    cands, tests = [], []
    for k in range(SL_WINDOW):
        c_t = "MAX(1,ROUNDDOWN({a},0)+1)" if k == 0 else f"{{sl_c{k - 1}}}+1"
        cands.append(
            Row(
                f"sl_c{k}",
                f"Candidate devices {k + 1}",
                "devices",
                "count",
                {AUTO: c_t},
                lambda r, p, k=k: _sl_candidates(r, p)[k][0],
                "the first: MAX(1, ROUNDDOWN(a) + 1); then one more each" if k == 0 else "",
                hidden=True,
            )
        )
        c = f"{{sl_c{k}}}"
        test = f"IF({erlang_c(c, '{a}')}*EXP(-({c}-{{a}})*{{auto.max_wait_days}}/{{cycle}})<=1-{{auto.service_level}},{c},{NONE_FOUND})"
        tests.append(
            Row(
                f"sl_t{k}",
                f"Candidate {k + 1} meets the service level",
                "devices",
                "general",
                {AUTO: test},
                lambda r, p, k=k: _sl_candidates(r, p)[k][1],
                "the candidate if EC(c, a) x exp(-(c - a) x max wait / cycle) <= 1 - service level, else 1E+99" if k == 0 else "",
                hidden=True,
            )
        )
    return cands + tests


AUTOLOGOUS = [
    Row(
        "B_s",
        "Batches started per site",
        "batches/yr",
        "num2",
        {AUTO: "{demand.patients_per_year}/{facility.sites}/{auto.batch_success_rate}"},
        R("calc.B_s"),
        "B_s = D / S / batch success rate",
    ),
    Row(
        "B",
        "Batches started, all sites",
        "batches/yr",
        "num2",
        {AUTO: "{facility.sites}*{B_s}"},
        R("batches_per_year"),
        "B = S x B_s",
    ),
    Row(
        "a",
        "Offered load on the devices",
        "devices",
        "num2",
        {AUTO: "{B_s}/{facility.operating_days_per_year}*{cycle}"},
        R("calc.a"),
        "a = batches per operating day x cycle",
    ),
    Row(
        "N_use",
        "Devices by the utilisation rule",
        "devices",
        "count",
        {AUTO: f"MAX(1,{ceil_('{B_s}/{cap}')})"},
        lambda r, p: max(1.0, math.ceil(r["calc.B_s"] / r["calc.cap"] - 1e-9)),
        "max(1, ceil_(B_s / cap)): used when the service level is 0",
        integer=True,
    ),
    *_service_level_rows(),
    Row(
        "N_sl",
        "Devices by the service-level rule",
        "devices",
        "count",
        {AUTO: f"MIN({{sl_t0}}:{{sl_t{SL_WINDOW - 1}}})"},
        lambda r, p: min(t for _c, t in _sl_candidates(r, p)),
        "the smallest candidate meeting the service level (1E+99: none in the window; see Checks)",
    ),
    Row(
        "p_wait",
        "Probability that a patient waits for a device",
        "fraction",
        "fraction",
        {AUTO: "IF({auto.service_level}=0,0," + erlang_c("{N_unit_s}", "{a}") + ")"},
        R("calc.p_wait"),
        "EC(devices, a) under the service-level rule; 0 under the utilisation rule",
    ),
    Row(
        "slot_wait",
        "Mean wait for a device slot",
        "d",
        "days",
        {AUTO: "IF({auto.service_level}=0,0,{p_wait}*{cycle}/({N_unit_s}-{a}))"},
        R("slot_wait_days"),
        "EC x cycle / (devices - a); 0 under the utilisation rule",
    ),
]

ALLOGENEIC = [
    Row(
        "ml_per_l",
        "Millilitres per litre (unit conversion)",
        "mL/L",
        "count",
        {ALLO: 1000},
        lambda r, p: 1000,
        "constant",
        const=True,
    ),
    Row("days_per_year", "Calendar days per year", "d/yr", "count", {ALLO: 365}, lambda r, p: 365, "constant", const=True),
    Row(
        "dpl",
        "Doses per lot",
        "doses/lot",
        "count",
        {
            ALLO: floor_(
                "{allo.bioreactor_volume_l}*{ml_per_l}*{allo.harvest_density_cells_per_ml}*{allo.dsp_yield}/{dose.cells_per_dose}"
            )
            + "-{allo.qc_retain_doses_per_lot}"
        },
        R("doses_per_lot"),
        "floor_(V x 1000 x density x yield / cells per dose) - retained doses",
        integer=True,
    ),
    Row(
        "rate_s",
        "Doses used per calendar day per site",
        "doses/d",
        "num2",
        {ALLO: "{Dd}/{facility.sites}/{days_per_year}"},
        R("calc.rate_s"),
        "Dd / S / 365",
    ),
    Row(
        "expired",
        "Share of a lot's good doses that expire",
        "fraction",
        "fraction",
        {
            ALLO: "IF(OR({allo.shelf_life_days}=0,{Dd}=0),0,MAX(0,1-{allo.shelf_life_days}*{rate_s}/({dpl}*(1-{allo.dose_wastage}))))"
        },
        R("expired_fraction"),
        "max(0, 1 - shelf life x rate / (doses per lot x (1 - wastage))); 0 without a shelf life",
    ),
    Row(
        "usable",
        "Usable doses per lot started",
        "doses/lot",
        "num2",
        {ALLO: "{dpl}*(1-{allo.dose_wastage})*(1-{expired})*{allo.lot_success_rate}"},
        R("calc.usable"),
        "doses per lot x (1 - wastage) x (1 - expired) x lot success rate",
    ),
    Row(
        "L_s",
        "Lots started per site",
        "lots/yr",
        "count",
        {ALLO: f"MAX(1,{ceil_('{Dd}/{facility.sites}/{usable}')})"},
        R("calc.L_s"),
        "L_s = max(1, ceil_(Dd / S / usable))",
        integer=True,
    ),
    Row(
        "L", "Lots started, all sites", "lots/yr", "count", {ALLO: "{facility.sites}*{L_s}"}, R("batches_per_year"), "L = S x L_s"
    ),
    Row(
        "filled",
        "Doses filled per year",
        "doses/yr",
        "num2",
        {ALLO: "{L}*{dpl}"},
        R("calc.filled"),
        "filled = L x doses per lot (every lot started)",
    ),
    Row(
        "stored",
        "Doses stored per year",
        "doses/yr",
        "num2",
        {ALLO: "{L}*{allo.lot_success_rate}*{dpl}"},
        R("calc.stored"),
        "stored = L x lot success rate x doses per lot",
    ),
    Row(
        "unit_capex",
        "Capex per bioreactor",
        "{cur}/bioreactor",
        "money",
        {ALLO: "{allo.bioreactor_capex_ref}*({allo.bioreactor_volume_l}/{allo.bioreactor_ref_volume_l})^{allo.scale_exponent}"},
        R("calc.unit_capex"),
        "capex at reference x (V / reference volume) ^ exponent",
    ),
    Row(
        "per_lot_materials",
        "Materials per lot (before fill)",
        "{cur}/lot",
        "money",
        {
            ALLO: "{allo.media_l_per_l}*{allo.bioreactor_volume_l}*{allo.media_cost_per_l}+{allo.consumables_per_lot}+{allo.consumables_per_lot_per_l}*{allo.bioreactor_volume_l}+{allo.donor_cost_per_lot}"
        },
        R("calc.per_lot_materials"),
        "media + fixed consumables + volume-scaled consumables + donor",
    ),
]

SECTIONS = [
    ("Common quantities", COMMON),
    ("Facility modes (labels the formulas compare facility.mode with)", MODE_ROWS),
    ("Autologous: batches and devices (scale-out)", AUTOLOGOUS),
    ("Allogeneic: lots and shelf life (scale-up)", ALLOGENEIC),
]
