"""Calculations rows, second half: capacity per site, share, labour (crews, hands-on and QC/QA
time), capex and the annual cost by category under the three facility modes, then vein-to-vein
time and the commercial figures (docs/model.md, version 2)."""

from __future__ import annotations

from cgtdesk.io.workbook.calc_rows import ALLO, AUTO, R, Row, both, by_mode, ceil_

_UNITS_PER_SUITE = {AUTO: "{auto.devices_per_suite}", ALLO: "{allo.bioreactors_per_suite}"}
_STARTED_S = {AUTO: "{B_s}", ALLO: "{L_s}"}
_STARTED = {AUTO: "{B}", ALLO: "{L}"}
_UPKEEP = "({facility.maintenance_rate}+{facility.insurance_tax_rate})"


def _per_process(f) -> dict:
    return {pr: f(pr) for pr in (AUTO, ALLO)}


_FTE_DEDICATED = "MAX({F_crew_s},{F_op_s})+{F_qq_s}+{staff.support_fte_per_suite}*{N_suite_s}+{staff.site_fte}"
_FTE_SHARED = "MAX({share}*{F_crew_s},{F_op_s})+{F_qq_s}+{share}*({staff.support_fte_per_suite}*{N_suite_s}+{staff.site_fte})"
_BUILDING = (
    "{K_s}*{crf_building}+{K_s}*" + _UPKEEP + "+{facility.site_running_cost_year}+{N_suite_s}*{facility.suite_running_cost_year}"
)


def _facility(pr: str) -> str:
    dedicated = "{facility.sites}*({E_s}*{crf_equipment}+{E_s}*" + _UPKEEP + "+" + _BUILDING + ")"
    shared = "{facility.sites}*({E_s}*{crf_equipment}+{E_s}*" + _UPKEEP + "+{share}*(" + _BUILDING + "))"
    cdmo = (
        _STARTED[pr]
        + "*{cdmo.fee_per_batch}+{facility.sites}*({cdmo.reservation_fee_per_year}+{cdmo.tech_transfer_cost}*{crf_contract})"
    )
    return by_mode(dedicated, shared, cdmo)


CAPACITY = [
    Row(
        "cycle",
        "Unit occupancy per batch or lot",
        "d",
        "days",
        {AUTO: "{auto.process_days}+{auto.changeover_days}", ALLO: "{allo.process_days}+{allo.changeover_days}"},
        R("calc.cycle"),
        "cycle = process days + changeover days",
    ),
    Row(
        "cap",
        "Batches or lots per unit per year",
        "per unit/yr",
        "num2",
        both("{days}/{cycle}"),
        R("calc.cap"),
        "cap = days / cycle",
    ),
    Row(
        "N_unit_s",
        "Devices or bioreactors per site",
        "units",
        "count",
        {AUTO: "IF({auto.service_level}=0,{N_use},{N_sl})", ALLO: f"MAX(1,{ceil_('{L_s}/{cap}')})"},
        R("calc.N_unit_s"),
        "autologous: by the utilisation rule when the service level is 0, else by the service level; allogeneic: max(1, ceil_(L_s / cap))",
        integer=True,
    ),
    Row(
        "N_suite_s",
        "Cleanroom suites per site",
        "suites",
        "count",
        _per_process(lambda pr: ceil_("{N_unit_s}/" + _UNITS_PER_SUITE[pr])),
        R("calc.N_suite_s"),
        "ceil_(units / units per suite)",
        integer=True,
    ),
    Row(
        "share",
        "Share of the suites' capacity used",
        "fraction",
        "fraction",
        _per_process(
            lambda pr: (
                "IF({N_suite_s}=0,0,"
                + _STARTED_S[pr]
                + "*{cycle}/({N_suite_s}*"
                + _UNITS_PER_SUITE[pr]
                + "*{facility.operating_days_per_year}))"
            )
        ),
        R("calc.share"),
        "batches or lots x cycle / (suites x units per suite x operating days); used in shared mode",
    ),
    Row(
        "F_crew_s",
        "Crew: operators present while suites are staffed",
        "FTE",
        "count",
        both(ceil_("{N_suite_s}*{labour.min_crew_per_suite}*{labour.staffed_hours_per_year}/{labour.hours_per_fte_year}")),
        R("calc.F_crew_s"),
        "ceil_(suites x minimum crew x staffed hours / hours per FTE)",
        integer=True,
    ),
    Row(
        "F_op_s",
        "Hands-on operators",
        "FTE",
        "count",
        {
            AUTO: ceil_("{B_s}*{auto.operator_hours_per_batch}/{labour.hours_per_fte_year}"),
            ALLO: ceil_("{L_s}*{allo.operator_hours_per_lot}/{labour.hours_per_fte_year}"),
        },
        R("calc.F_op_s"),
        "ceil_(batches or lots x operator hours / hours per FTE)",
        integer=True,
    ),
    Row(
        "F_qq_s",
        "QC analysts, QA review and QP release",
        "FTE",
        "count",
        {
            AUTO: ceil_("{B_s}*{auto.qc_qa_hours_per_batch}/{labour.hours_per_fte_year}"),
            ALLO: ceil_("{L_s}*{allo.qc_qa_hours_per_lot}/{labour.hours_per_fte_year}"),
        },
        R("calc.F_qq_s"),
        "ceil_(batches or lots x QC/QA hours / hours per FTE)",
        integer=True,
    ),
    Row(
        "F_s",
        "Staff per site",
        "FTE",
        "num2",
        both(by_mode(_FTE_DEDICATED, _FTE_SHARED, "{cdmo.oversight_fte}")),
        R("calc.F_s"),
        "dedicated: max(crew, hands-on) + QC/QA + support + site staff; shared: the crew, support and site staff by the share; cdmo: oversight",
    ),
    Row(
        "E_s",
        "Equipment capex per site",
        "{cur}",
        "money",
        {AUTO: "{N_unit_s}*{auto.device_capex}", ALLO: "{N_unit_s}*{unit_capex}+{N_suite_s}*{allo.dsp_fill_capex_per_suite}"},
        R("calc.E_s"),
        "units x capex per unit (allogeneic: + suites x downstream and fill equipment)",
    ),
    Row(
        "K_s",
        "Building capex per site",
        "{cur}",
        "money",
        both("{facility.site_capex}+{N_suite_s}*{facility.suite_capex}"),
        R("calc.K_s"),
        "site capex + suites x suite capex",
    ),
    Row(
        "capex",
        "Capex, all sites",
        "{cur}",
        "money",
        both(by_mode("{facility.sites}*({E_s}+{K_s})", "{facility.sites}*({E_s}+{share}*{K_s})", "0")),
        R("capex_total"),
        "dedicated: S x (E_s + K_s); shared: S x (E_s + share x K_s); cdmo: 0",
    ),
    Row(
        "utilisation",
        "Utilisation of units",
        "fraction",
        "fraction",
        _per_process(lambda pr: _STARTED_S[pr] + "*{cycle}/({N_unit_s}*{facility.operating_days_per_year})"),
        R("utilisation"),
        "batches or lots x cycle / (units x operating days)",
    ),
]

COSTS = [
    Row(
        "materials",
        "Materials",
        "{cur}/yr",
        "money",
        {AUTO: "{B}*{auto.consumables_per_batch}", ALLO: "{L}*{per_lot_materials}+{filled}*{allo.fill_finish_cost_per_dose}"},
        R("breakdown.materials"),
        "autologous: B x consumables; allogeneic: L x materials per lot + filled x fill-finish",
    ),
    Row(
        "vector",
        "Vector and editing",
        "{cur}/yr",
        "money",
        {AUTO: "{B}*{auto.vector_cost_per_batch}", ALLO: "{L}*({allo.vector_cost_per_lot}+{allo.editing_cost_per_lot})"},
        R("breakdown.vector"),
        "batches or lots x vector (and editing) cost",
    ),
    Row(
        "labour",
        "Labour",
        "{cur}/yr",
        "money",
        both("{facility.sites}*{F_s}*{labour.cost_per_fte_year}"),
        R("breakdown.labour"),
        "S x staff per site x cost per FTE",
    ),
    Row(
        "qc",
        "QC release testing",
        "{cur}/yr",
        "money",
        {AUTO: "{B}*{auto.qc_cost_per_batch}", ALLO: "{L}*{allo.qc_cost_per_lot}"},
        R("breakdown.qc"),
        "batches or lots x QC cost",
    ),
    Row(
        "facility",
        "Facility and capital",
        "{cur}/yr",
        "money",
        _per_process(_facility),
        R("breakdown.facility"),
        "dedicated: S x (capital charges + upkeep + running); shared: own equipment, the building by the share; cdmo: fees + reservation + technology transfer x crf",
    ),
    Row(
        "logistics",
        "Logistics",
        "{cur}/yr",
        "money",
        {
            AUTO: "{B}*{logistics.inbound_cost_per_batch}+{Dd}*{logistics.outbound_cost_per_dose}",
            ALLO: "{stored}*{allo.storage_cost_per_dose}+{Dd}*{logistics.outbound_cost_per_dose}",
        },
        R("breakdown.logistics"),
        "autologous: inbound per batch + outbound per dose; allogeneic: storage per stored dose + outbound",
    ),
    Row(
        "royalties",
        "Royalties",
        "{cur}/yr",
        "money",
        both("{Dd}*{commercial.price_per_dose}*{commercial.royalty_rate}"),
        R("breakdown.royalties"),
        "Dd x price x royalty rate",
    ),
    Row(
        "total",
        "Total annual cost",
        "{cur}/yr",
        "money",
        both("SUM({materials}:{royalties})"),
        R("total_annual_cost"),
        "sum of the seven categories",
    ),
]

TIME = [
    Row(
        "v2v",
        "Vein-to-vein time",
        "d",
        "days",
        {
            AUTO: "{auto.collection_to_start_days}+{slot_wait}+{auto.process_days}+{auto.qc_release_days}+{logistics.shipping_days}+(1-{auto.batch_success_rate})/{auto.batch_success_rate}*{auto.remanufacture_days}",
            ALLO: "{logistics.shipping_days}",
        },
        R("vein_to_vein_days"),
        "autologous: collection to start + slot wait + process + QC release + shipping + (1 - s)/s x re-manufacture; allogeneic: shipping",
    ),
    Row(
        "max_allowable",
        "Max allowable COGS per dose",
        "{cur}/dose",
        "money",
        both("{commercial.price_per_dose}*(1-{commercial.target_gross_margin})"),
        R("max_allowable_cogs_per_dose"),
        "price x (1 - target gross margin)",
    ),
]

SECTIONS = [
    ("Capacity, labour and capex per site", CAPACITY),
    ("Annual cost, all sites", COSTS),
    ("Time and commercial", TIME),
]
