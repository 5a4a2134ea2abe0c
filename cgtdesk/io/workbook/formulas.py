"""The model as Excel formulas: every intermediate quantity of docs/model.md as a row of the
Calculations sheet (a formula template per process over other rows' ids and the input keys),
and every result as a formula over those rows.

Templates hold ``{id}`` placeholders (a Calculations row id or a parameter key) that the writer
fills with cell addresses. The only constants in formulas are 0, 1 and the model's 1E-9; the
mL-per-L conversion is a labelled row. Each row also says how to get the app's own value, which
the formula cell carries as its cached result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from cgtdesk.core.catalogue import BREAKDOWN


@dataclass(frozen=True)
class Row:
    """One quantity of the Calculations sheet."""

    id: str
    label: str
    unit: str  # may hold {cur}
    kind: str  # number format kind (see styles.Styles.nf)
    formulas: dict  # process -> template with {id} placeholders (or a number: a constant)
    value: Callable  # (results, params) -> the app's value
    definition: str = ""


def _R(key):
    return lambda r, p: r[key]


AUTO, ALLO = "autologous", "allogeneic"


def _both(t):
    return {AUTO: t, ALLO: t}


#: (section title, rows); link rows to Inputs come first and are generated from the catalogue
CALC_SECTIONS: list[tuple[str, list[Row]]] = [
    (
        "Common quantities",
        [
            Row(
                "Dd",
                "Doses delivered per year",
                "doses/yr",
                "num2",
                _both("{demand.patients_per_year}*{demand.doses_per_patient}"),
                _R("calc.Dd"),
                "Dd = D x doses per patient",
            ),
            Row(
                "days",
                "Plannable days per unit",
                "d/yr",
                "days",
                _both("{facility.operating_days_per_year}*{facility.max_utilisation}"),
                _R("calc.days"),
                "days = operating days x max utilisation",
            ),
            Row(
                "crf_equipment",
                "Capital recovery factor, equipment",
                "1/yr",
                "factor",
                _both(
                    "IF({finance.discount_rate}=0,1/{finance.equipment_life_years},{finance.discount_rate}*(1+{finance.discount_rate})^{finance.equipment_life_years}/((1+{finance.discount_rate})^{finance.equipment_life_years}-1))"
                ),
                _R("calc.crf_equipment"),
                "crf(r, n) = r(1+r)^n / ((1+r)^n - 1); 1/n when r = 0",
            ),
            Row(
                "crf_building",
                "Capital recovery factor, building",
                "1/yr",
                "factor",
                _both(
                    "IF({finance.discount_rate}=0,1/{finance.building_life_years},{finance.discount_rate}*(1+{finance.discount_rate})^{finance.building_life_years}/((1+{finance.discount_rate})^{finance.building_life_years}-1))"
                ),
                _R("calc.crf_building"),
                "crf(r, n) = r(1+r)^n / ((1+r)^n - 1); 1/n when r = 0",
            ),
        ],
    ),
    (
        "Autologous: batches (scale-out)",
        [
            Row(
                "B_s",
                "Batches started per site",
                "batches/yr",
                "num2",
                {AUTO: "{demand.patients_per_year}/{facility.sites}/{auto.batch_success_rate}"},
                _R("calc.B_s"),
                "B_s = D / S / batch success rate",
            ),
            Row(
                "B",
                "Batches started, all sites",
                "batches/yr",
                "num2",
                {AUTO: "{facility.sites}*{B_s}"},
                _R("batches_per_year"),
                "B = S x B_s",
            ),
        ],
    ),
    (
        "Allogeneic: lots (scale-up)",
        [
            Row(
                "ml_per_l",
                "Millilitres per litre (unit conversion)",
                "mL/L",
                "count",
                {ALLO: 1000},
                lambda r, p: 1000,
                "constant",
            ),
            Row(
                "dpl",
                "Doses per lot",
                "doses/lot",
                "count",
                {
                    ALLO: "ROUNDDOWN({allo.bioreactor_volume_l}*{ml_per_l}*{allo.harvest_density_cells_per_ml}*{allo.dsp_yield}/{dose.cells_per_dose}+1E-9,0)-{allo.qc_retain_doses_per_lot}"
                },
                _R("doses_per_lot"),
                "floor_(V x 1000 x density x yield / cells per dose) - retained doses",
            ),
            Row(
                "L_s",
                "Lots started per site",
                "lots/yr",
                "count",
                {ALLO: "ROUNDUP({Dd}/{facility.sites}/({dpl}*(1-{allo.dose_wastage})*{allo.lot_success_rate})-1E-9,0)"},
                _R("calc.L_s"),
                "L_s = ceil_(Dd / S / (doses per lot x (1 - wastage) x lot success rate))",
            ),
            Row(
                "L",
                "Lots started, all sites",
                "lots/yr",
                "count",
                {ALLO: "{facility.sites}*{L_s}"},
                _R("batches_per_year"),
                "L = S x L_s",
            ),
            Row(
                "filled",
                "Doses filled per year",
                "doses/yr",
                "num2",
                {ALLO: "{L}*{allo.lot_success_rate}*{dpl}"},
                _R("calc.filled"),
                "filled = L x lot success rate x doses per lot",
            ),
            Row(
                "unit_capex",
                "Capex per bioreactor",
                "{cur}/bioreactor",
                "money",
                {
                    ALLO: "{allo.bioreactor_capex_ref}*({allo.bioreactor_volume_l}/{allo.bioreactor_ref_volume_l})^{allo.scale_exponent}"
                },
                _R("calc.unit_capex"),
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
                _R("calc.per_lot_materials"),
                "media + fixed consumables + volume-scaled consumables + donor",
            ),
        ],
    ),
    (
        "Capacity per site",
        [
            Row(
                "cycle",
                "Unit occupancy per batch or lot",
                "d",
                "days",
                {AUTO: "{auto.process_days}+{auto.changeover_days}", ALLO: "{allo.process_days}+{allo.changeover_days}"},
                _R("calc.cycle"),
                "cycle = process days + changeover days",
            ),
            Row(
                "cap",
                "Batches or lots per unit per year",
                "per unit/yr",
                "num2",
                _both("{days}/{cycle}"),
                _R("calc.cap"),
                "cap = days / cycle",
            ),
            Row(
                "N_unit_s",
                "Devices or bioreactors per site",
                "units",
                "count",
                {AUTO: "ROUNDUP({B_s}/{cap}-1E-9,0)", ALLO: "ROUNDUP({L_s}/{cap}-1E-9,0)"},
                _R("calc.N_unit_s"),
                "ceil_(batches or lots per site / cap)",
            ),
            Row(
                "N_suite_s",
                "Cleanroom suites per site",
                "suites",
                "count",
                {
                    AUTO: "ROUNDUP({N_unit_s}/{auto.devices_per_suite}-1E-9,0)",
                    ALLO: "ROUNDUP({N_unit_s}/{allo.bioreactors_per_suite}-1E-9,0)",
                },
                _R("calc.N_suite_s"),
                "ceil_(units / units per suite)",
            ),
            Row(
                "F_op_s",
                "Operators per site",
                "FTE",
                "count",
                {
                    AUTO: "ROUNDUP({B_s}*{auto.operator_hours_per_batch}/{labour.hours_per_fte_year}-1E-9,0)",
                    ALLO: "ROUNDUP({L_s}*{allo.operator_hours_per_lot}/{labour.hours_per_fte_year}-1E-9,0)",
                },
                _R("calc.F_op_s"),
                "ceil_(batches or lots x operator hours / hours per FTE)",
            ),
            Row(
                "F_s",
                "Staff per site",
                "FTE",
                "num2",
                _both("{F_op_s}+{staff.support_fte_per_suite}*{N_suite_s}+{staff.site_fte}"),
                _R("calc.F_s"),
                "operators + support per suite x suites + site staff",
            ),
            Row(
                "E_s",
                "Equipment capex per site",
                "{cur}",
                "money",
                {AUTO: "{N_unit_s}*{auto.device_capex}", ALLO: "{N_unit_s}*{unit_capex}"},
                _R("calc.E_s"),
                "units x capex per unit",
            ),
            Row(
                "K_s",
                "Building capex per site",
                "{cur}",
                "money",
                _both("{facility.site_capex}+{N_suite_s}*{facility.suite_capex}"),
                _R("calc.K_s"),
                "site capex + suites x suite capex",
            ),
            Row(
                "utilisation",
                "Utilisation of units",
                "fraction",
                "fraction",
                {
                    AUTO: "{B_s}*{cycle}/({N_unit_s}*{facility.operating_days_per_year})",
                    ALLO: "{L_s}*{cycle}/({N_unit_s}*{facility.operating_days_per_year})",
                },
                _R("utilisation"),
                "batches or lots x cycle / (units x operating days)",
            ),
        ],
    ),
    (
        "Annual cost, all sites",
        [
            Row(
                "materials",
                "Materials",
                "{cur}/yr",
                "money",
                {
                    AUTO: "{B}*{auto.consumables_per_batch}",
                    ALLO: "{L}*{per_lot_materials}+{filled}*{allo.fill_finish_cost_per_dose}",
                },
                _R("breakdown.materials"),
                "autologous: B x consumables; allogeneic: L x materials per lot + filled x fill-finish",
            ),
            Row(
                "vector",
                "Vector and editing",
                "{cur}/yr",
                "money",
                {AUTO: "{B}*{auto.vector_cost_per_batch}", ALLO: "{L}*({allo.vector_cost_per_lot}+{allo.editing_cost_per_lot})"},
                _R("breakdown.vector"),
                "batches or lots x vector (and editing) cost",
            ),
            Row(
                "labour",
                "Labour",
                "{cur}/yr",
                "money",
                _both("{facility.sites}*{F_s}*{labour.cost_per_fte_year}"),
                _R("breakdown.labour"),
                "S x staff per site x cost per FTE",
            ),
            Row(
                "qc",
                "QC release testing",
                "{cur}/yr",
                "money",
                {AUTO: "{B}*{auto.qc_cost_per_batch}", ALLO: "{L}*{allo.qc_cost_per_lot}"},
                _R("breakdown.qc"),
                "batches or lots x QC cost",
            ),
            Row(
                "facility",
                "Facility and capital",
                "{cur}/yr",
                "money",
                _both(
                    "{facility.sites}*({E_s}*{crf_equipment}+{K_s}*{crf_building}+({E_s}+{K_s})*({facility.maintenance_rate}+{facility.insurance_tax_rate})+{facility.site_running_cost_year}+{N_suite_s}*{facility.suite_running_cost_year})"
                ),
                _R("breakdown.facility"),
                "S x (capital charges + maintenance, insurance and taxes + running costs)",
            ),
            Row(
                "logistics",
                "Logistics",
                "{cur}/yr",
                "money",
                {
                    AUTO: "{B}*{logistics.inbound_cost_per_batch}+{Dd}*{logistics.outbound_cost_per_dose}",
                    ALLO: "{filled}*{allo.storage_cost_per_dose}+{Dd}*{logistics.outbound_cost_per_dose}",
                },
                _R("breakdown.logistics"),
                "autologous: inbound per batch + outbound per dose; allogeneic: storage per filled dose + outbound",
            ),
            Row(
                "royalties",
                "Royalties",
                "{cur}/yr",
                "money",
                _both("{Dd}*{commercial.price_per_dose}*{commercial.royalty_rate}"),
                _R("breakdown.royalties"),
                "Dd x price x royalty rate",
            ),
            Row(
                "total",
                "Total annual cost",
                "{cur}/yr",
                "money",
                _both("SUM({materials}:{royalties})"),
                _R("total_annual_cost"),
                "sum of the seven categories",
            ),
        ],
    ),
    (
        "Time and commercial",
        [
            Row(
                "v2v",
                "Vein-to-vein time",
                "d",
                "days",
                {
                    AUTO: "{auto.collection_to_start_days}+{auto.process_days}+{auto.qc_release_days}+{logistics.shipping_days}",
                    ALLO: "{logistics.shipping_days}",
                },
                _R("vein_to_vein_days"),
                "autologous: collection to start + process + QC release + shipping; allogeneic: shipping",
            ),
            Row(
                "max_allowable",
                "Max allowable COGS per dose",
                "{cur}/dose",
                "money",
                _both("{commercial.price_per_dose}*(1-{commercial.target_gross_margin})"),
                _R("max_allowable_cogs_per_dose"),
                "price x (1 - target gross margin)",
            ),
        ],
    ),
]

#: result key -> (formula template over Calculations ids, or None where the result is null)
RESULT_FORMULAS: dict[str, dict] = {
    **{f"breakdown.{c}": _both(f"{{{c}}}") for c in BREAKDOWN},
    "total_annual_cost": _both("{total}"),
    "cogs_per_dose": _both("{total}/{Dd}"),
    "cogs_per_patient": _both("{total}/{demand.patients_per_year}"),
    "batches_per_year": {AUTO: "{B}", ALLO: "{L}"},
    "doses_per_lot": {ALLO: "{dpl}"},
    "units": _both("{facility.sites}*{N_unit_s}"),
    "suites": _both("{facility.sites}*{N_suite_s}"),
    "fte": _both("{facility.sites}*{F_s}"),
    "capex_total": _both("{facility.sites}*({E_s}+{K_s})"),
    "utilisation": _both("{utilisation}"),
    "vein_to_vein_days": _both("{v2v}"),
    "max_allowable_cogs_per_dose": _both("{max_allowable}"),
    "headroom_per_dose": _both("{max_allowable}-{total}/{Dd}"),
    "gross_margin": _both(
        'IF({commercial.price_per_dose}=0,"",({commercial.price_per_dose}-{total}/{Dd})/{commercial.price_per_dose})'
    ),
    "cost_per_durable_response": _both("{total}/{demand.patients_per_year}/{clinical.durable_response_rate}"),
}

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def fill(template: str, address: Callable[[str], str]) -> str:
    """``template`` with every ``{name}`` replaced by ``address(name)``."""
    return _PLACEHOLDER.sub(lambda m: address(m.group(1)), template)


def formula_functions() -> set[str]:
    """Every Excel function name the exported formulas may use (for the whitelist test)."""
    names = set()
    for _, rows in CALC_SECTIONS:
        for row in rows:
            for t in row.formulas.values():
                if isinstance(t, str):
                    names.update(re.findall(r"([A-Z][A-Z0-9.]*)\(", t))
    for forms in RESULT_FORMULAS.values():
        for t in forms.values():
            names.update(re.findall(r"([A-Z][A-Z0-9.]*)\(", t))
    return names
