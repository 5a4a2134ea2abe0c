"""The Excel workbook a consultant sends to a client (DESIGN.md, "Excel workbook").

Written with XlsxWriter. Inputs are blue on pale yellow and unlocked; everything else is
protected (no password). ``Calculations`` holds every intermediate quantity of MODEL.md as a
live formula over ``Inputs``; ``Results`` holds every result as a formula over
``Calculations``. Every formula cell carries the app's own value as its cached result, so a
preview shows the numbers before any recalculation. Analysis sheets hold values.

The cell layout here and the reader in :mod:`cgtdesk.io.workbook_in` agree through
:mod:`cgtdesk.io.workbook_common`.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from cgtdesk import APP_NAME, __version__
from cgtdesk.core.catalogue import BREAKDOWN, PROCESS_LABELS, catalogue
from cgtdesk.core.formatting import fmt_number
from cgtdesk.core.model import evaluate, evaluate_scenario
from cgtdesk.core.project import DISTRIBUTIONS, Project, Scenario
from cgtdesk.io.atomic import atomic_write_bytes
from cgtdesk.io.workbook_common import (
    C_KEY_A,
    C_KEY_B,
    C_RHO,
    C_SCENARIO,
    COVER_CURRENCY,
    COVER_FORMAT,
    COVER_TITLE,
    H_GROUP,
    H_KEY,
    H_PARAMETER,
    H_RANGE,
    H_SOURCE,
    H_UNIT,
    KEY_NOTES,
    KEY_PROCESS,
    SHEET_CALC,
    SHEET_CHECKS,
    SHEET_COVER,
    SHEET_INPUTS,
    SHEET_MC,
    SHEET_RESULTS,
    SHEET_SWEEP,
    SHEET_TORNADO,
    SHEET_UNCERTAINTY,
    U_DIST,
    U_FIELDS,
    U_KEY,
    U_PARAMETER,
    U_SCENARIO,
    U_UNIT,
    WORKBOOK_FORMAT_VERSION,
    cell_ref,
    col_letter,
)

# ---------------------------------------------------------------- look

FONT = "Calibri"
NAVY = "#1F3864"
INPUT_FONT = "#0000FF"
INPUT_FILL = "#FFF2CC"
LINK_FONT = "#00703C"
NA_FILL = "#EDEDED"
SECTION_FILL = "#D9E1F2"
GRID = "#BFBFBF"
OK_FILL, OK_FONT = "#C6EFCE", "#006100"
BAD_FILL, BAD_FONT = "#FFC7CE", "#9C0006"
#: Okabe-Ito, colour-blind safe, one per breakdown category
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
TAB = {
    SHEET_COVER: NAVY,
    SHEET_INPUTS: "#FFC000",
    SHEET_UNCERTAINTY: "#FFD966",
    SHEET_CALC: "#A6A6A6",
    SHEET_RESULTS: "#70AD47",
    SHEET_SWEEP: "#5B9BD5",
    SHEET_MC: "#5B9BD5",
    SHEET_TORNADO: "#5B9BD5",
    SHEET_CHECKS: "#C00000",
}
#: what a protected sheet still lets the client do
PROTECT = {
    "format_columns": True,
    "format_rows": True,
    "insert_rows": True,
    "insert_columns": True,
    "autofilter": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}
FRACTION_UNITS = ("fraction", "fraction of price", "fraction of capex/yr", "1/yr")
DAY_UNITS = ("d", "d/yr")
SCI_UNITS = ("cells", "cells/mL")
SWEEP_POINTS = 61  # 10 per decade from 10 to 1e5 patients/yr
SWEEP_LO, SWEEP_HI = 10.0, 1e5
MC_SAMPLES, MC_SEED = 10_000, 1
TORNADO_BARS = 10


class _Worksheet(Worksheet):
    """Numbers written with Python's shortest round-trip repr (XlsxWriter uses 16 digits),
    so a value read back from the workbook is the very float that was written."""

    def _xml_number_element(self, number, attributes=[]) -> None:  # noqa: B006 (signature of the base)
        attr = "".join(f' {k}="{self._escape_attributes(v)}"' for k, v in attributes)
        self.fh.write(f"<c{attr}><v>{_num_text(number)}</v></c>")


def _num_text(x) -> str:
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


class _Workbook(xlsxwriter.Workbook):
    worksheet_class = _Worksheet


def _currency_literal(currency: str) -> str:
    """The currency label made safe inside a number format's quoted text."""
    return re.sub(r'["\\]', "", currency)[:12] or "USD"


class _Styles:
    """Formats created on demand and shared (XlsxWriter wants one object per distinct look)."""

    BASES = {
        "text": {},
        "muted": {"font_color": "#595959"},
        "key": {"font_name": "Consolas", "font_size": 9, "font_color": "#404040"},
        "title": {"bold": True, "font_size": 16, "font_color": NAVY},
        "subtitle": {"italic": True, "font_color": "#595959"},
        "header": {"bold": True, "font_color": "#FFFFFF", "bg_color": NAVY, "border": 1, "border_color": NAVY, "valign": "vcenter", "text_wrap": True},
        "section": {"bold": True, "bg_color": SECTION_FILL, "font_color": NAVY},
        "input": {"font_color": INPUT_FONT, "bg_color": INPUT_FILL, "border": 1, "border_color": GRID, "locked": False},
        "input_unused": {"font_color": INPUT_FONT, "bg_color": NA_FILL, "border": 1, "border_color": GRID, "locked": False},
        "calc": {"border": 1, "border_color": "#D9D9D9"},
        "calc_bold": {"bold": True, "border": 1, "border_color": "#D9D9D9"},
        "link": {"font_color": LINK_FONT, "border": 1, "border_color": "#D9D9D9"},
        "na": {"bg_color": NA_FILL, "font_color": "#808080", "border": 1, "border_color": "#D9D9D9", "align": "center"},
        "value": {"border": 1, "border_color": "#D9D9D9"},
        "bold": {"bold": True},
        "process": {"bold": True, "font_color": NAVY, "border": 1, "border_color": "#D9D9D9", "align": "center"},
        "check": {"border": 1, "border_color": "#D9D9D9", "align": "center"},
        "check_bold": {"bold": True, "border": 2, "border_color": NAVY, "align": "center"},
        "big": {"bold": True, "font_size": 20, "font_color": NAVY},
        "wrap": {"text_wrap": True, "valign": "top"},
        "note_cell": {"font_color": INPUT_FONT, "bg_color": INPUT_FILL, "border": 1, "border_color": GRID, "locked": False, "text_wrap": False},
    }

    def __init__(self, wb: xlsxwriter.Workbook, currency: str):
        self.wb = wb
        self.cur = _currency_literal(currency)
        self._cache: dict = {}

    def __call__(self, base: str, num_format: str | None = None, **extra):
        key = (base, num_format, tuple(sorted(extra.items())))
        fmt = self._cache.get(key)
        if fmt is None:
            props = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
            props.update(self.BASES[base])
            props.update(extra)
            if num_format:
                props["num_format"] = num_format
            fmt = self._cache[key] = self.wb.add_format(props)
        return fmt

    # number formats by kind
    def money(self, value=None) -> str:
        dec = "" if value is None or float(value).is_integer() else ".00"
        return f'"{self.cur} "#,##0{dec};-"{self.cur} "#,##0{dec}'

    def nf(self, kind: str, value=None) -> str:
        if kind == "money":
            return self.money(None)
        if kind == "money_in":
            return self.money(value)
        if kind == "fraction":
            return "0.0%"
        if kind == "fraction_in":
            return "0.0#%"
        if kind == "days":
            return '#,##0.0 "d"'
        if kind == "days_in":
            return '#,##0.0# "d"'
        if kind == "count":
            return "#,##0"
        if kind == "sci":
            return "0.00E+00"
        if kind == "factor":
            return "0.000000"
        if kind == "num2":
            return "#,##0.00"
        # general number, as typed
        if value is not None and float(value).is_integer():
            return "#,##0"
        return "#,##0.0###"


def _param_kind(p) -> str:
    if "USD" in p.unit:
        return "money_in"
    if p.unit in FRACTION_UNITS:
        return "fraction_in"
    if p.unit in DAY_UNITS:
        return "days_in"
    if p.unit in SCI_UNITS:
        return "sci"
    if p.integer:
        return "count"
    return "general"


# ---------------------------------------------------------------- the Calculations sheet, as data


@dataclass(frozen=True)
class _Row:
    id: str
    label: str
    unit: str  # may hold {cur}
    kind: str  # number format kind
    formulas: dict  # process -> template with {id} placeholders (or a number: a constant)
    value: Callable  # (results, params) -> the app's value
    definition: str = ""


def _R(key):
    return lambda r, p: r[key]


def _P(key):
    return lambda r, p: p[key]


AUTO, ALLO = "autologous", "allogeneic"
BOTH = (AUTO, ALLO)
CEIL = "ROUNDUP({x}-1E-9,0)"


def _both(t):
    return {AUTO: t, ALLO: t}


#: (section title, rows); link rows to Inputs come first and are generated from the catalogue
CALC_SECTIONS: list[tuple[str, list[_Row]]] = [
    (
        "Common quantities",
        [
            _Row("Dd", "Doses delivered per year", "doses/yr", "num2", _both("{demand.patients_per_year}*{demand.doses_per_patient}"), _R("calc.Dd"), "Dd = D x doses per patient"),
            _Row("days", "Plannable days per unit", "d/yr", "days", _both("{facility.operating_days_per_year}*{facility.max_utilisation}"), _R("calc.days"), "days = operating days x max utilisation"),
            _Row(
                "crf_equipment", "Capital recovery factor, equipment", "1/yr", "factor",
                _both("IF({finance.discount_rate}=0,1/{finance.equipment_life_years},{finance.discount_rate}*(1+{finance.discount_rate})^{finance.equipment_life_years}/((1+{finance.discount_rate})^{finance.equipment_life_years}-1))"),
                _R("calc.crf_equipment"), "crf(r, n) = r(1+r)^n / ((1+r)^n - 1); 1/n when r = 0",
            ),
            _Row(
                "crf_building", "Capital recovery factor, building", "1/yr", "factor",
                _both("IF({finance.discount_rate}=0,1/{finance.building_life_years},{finance.discount_rate}*(1+{finance.discount_rate})^{finance.building_life_years}/((1+{finance.discount_rate})^{finance.building_life_years}-1))"),
                _R("calc.crf_building"), "crf(r, n) = r(1+r)^n / ((1+r)^n - 1); 1/n when r = 0",
            ),
        ],
    ),
    (
        "Autologous: batches (scale-out)",
        [
            _Row("B_s", "Batches started per site", "batches/yr", "num2", {AUTO: "{demand.patients_per_year}/{facility.sites}/{auto.batch_success_rate}"}, _R("calc.B_s"), "B_s = D / S / batch success rate"),
            _Row("B", "Batches started, all sites", "batches/yr", "num2", {AUTO: "{facility.sites}*{B_s}"}, _R("batches_per_year"), "B = S x B_s"),
        ],
    ),
    (
        "Allogeneic: lots (scale-up)",
        [
            _Row("ml_per_l", "Millilitres per litre (unit conversion)", "mL/L", "count", {ALLO: 1000}, lambda r, p: 1000, "constant"),
            _Row(
                "dpl", "Doses per lot", "doses/lot", "count",
                {ALLO: "ROUNDDOWN({allo.bioreactor_volume_l}*{ml_per_l}*{allo.harvest_density_cells_per_ml}*{allo.dsp_yield}/{dose.cells_per_dose}+1E-9,0)-{allo.qc_retain_doses_per_lot}"},
                _R("doses_per_lot"), "floor_(V x 1000 x density x yield / cells per dose) - retained doses",
            ),
            _Row(
                "L_s", "Lots started per site", "lots/yr", "count",
                {ALLO: "ROUNDUP({Dd}/{facility.sites}/({dpl}*(1-{allo.dose_wastage})*{allo.lot_success_rate})-1E-9,0)"},
                _R("calc.L_s"), "L_s = ceil_(Dd / S / (doses per lot x (1 - wastage) x lot success rate))",
            ),
            _Row("L", "Lots started, all sites", "lots/yr", "count", {ALLO: "{facility.sites}*{L_s}"}, _R("batches_per_year"), "L = S x L_s"),
            _Row("filled", "Doses filled per year", "doses/yr", "num2", {ALLO: "{L}*{allo.lot_success_rate}*{dpl}"}, _R("calc.filled"), "filled = L x lot success rate x doses per lot"),
            _Row(
                "unit_capex", "Capex per bioreactor", "{cur}/bioreactor", "money",
                {ALLO: "{allo.bioreactor_capex_ref}*({allo.bioreactor_volume_l}/{allo.bioreactor_ref_volume_l})^{allo.scale_exponent}"},
                _R("calc.unit_capex"), "capex at reference x (V / reference volume) ^ exponent",
            ),
            _Row(
                "per_lot_materials", "Materials per lot (before fill)", "{cur}/lot", "money",
                {ALLO: "{allo.media_l_per_l}*{allo.bioreactor_volume_l}*{allo.media_cost_per_l}+{allo.consumables_per_lot}+{allo.consumables_per_lot_per_l}*{allo.bioreactor_volume_l}+{allo.donor_cost_per_lot}"},
                _R("calc.per_lot_materials"), "media + fixed consumables + volume-scaled consumables + donor",
            ),
        ],
    ),
    (
        "Capacity per site",
        [
            _Row("cycle", "Unit occupancy per batch or lot", "d", "days", {AUTO: "{auto.process_days}+{auto.changeover_days}", ALLO: "{allo.process_days}+{allo.changeover_days}"}, _R("calc.cycle"), "cycle = process days + changeover days"),
            _Row("cap", "Batches or lots per unit per year", "per unit/yr", "num2", _both("{days}/{cycle}"), _R("calc.cap"), "cap = days / cycle"),
            _Row("N_unit_s", "Devices or bioreactors per site", "units", "count", {AUTO: "ROUNDUP({B_s}/{cap}-1E-9,0)", ALLO: "ROUNDUP({L_s}/{cap}-1E-9,0)"}, _R("calc.N_unit_s"), "ceil_(batches or lots per site / cap)"),
            _Row(
                "N_suite_s", "Cleanroom suites per site", "suites", "count",
                {AUTO: "ROUNDUP({N_unit_s}/{auto.devices_per_suite}-1E-9,0)", ALLO: "ROUNDUP({N_unit_s}/{allo.bioreactors_per_suite}-1E-9,0)"},
                _R("calc.N_suite_s"), "ceil_(units / units per suite)",
            ),
            _Row(
                "F_op_s", "Operators per site", "FTE", "count",
                {AUTO: "ROUNDUP({B_s}*{auto.operator_hours_per_batch}/{labour.hours_per_fte_year}-1E-9,0)", ALLO: "ROUNDUP({L_s}*{allo.operator_hours_per_lot}/{labour.hours_per_fte_year}-1E-9,0)"},
                _R("calc.F_op_s"), "ceil_(batches or lots x operator hours / hours per FTE)",
            ),
            _Row("F_s", "Staff per site", "FTE", "num2", _both("{F_op_s}+{staff.support_fte_per_suite}*{N_suite_s}+{staff.site_fte}"), _R("calc.F_s"), "operators + support per suite x suites + site staff"),
            _Row("E_s", "Equipment capex per site", "{cur}", "money", {AUTO: "{N_unit_s}*{auto.device_capex}", ALLO: "{N_unit_s}*{unit_capex}"}, _R("calc.E_s"), "units x capex per unit"),
            _Row("K_s", "Building capex per site", "{cur}", "money", _both("{facility.site_capex}+{N_suite_s}*{facility.suite_capex}"), _R("calc.K_s"), "site capex + suites x suite capex"),
            _Row(
                "utilisation", "Utilisation of units", "fraction", "fraction",
                {AUTO: "{B_s}*{cycle}/({N_unit_s}*{facility.operating_days_per_year})", ALLO: "{L_s}*{cycle}/({N_unit_s}*{facility.operating_days_per_year})"},
                _R("utilisation"), "batches or lots x cycle / (units x operating days)",
            ),
        ],
    ),
    (
        "Annual cost, all sites",
        [
            _Row("materials", "Materials", "{cur}/yr", "money", {AUTO: "{B}*{auto.consumables_per_batch}", ALLO: "{L}*{per_lot_materials}+{filled}*{allo.fill_finish_cost_per_dose}"}, _R("breakdown.materials"), "autologous: B x consumables; allogeneic: L x materials per lot + filled x fill-finish"),
            _Row("vector", "Vector and editing", "{cur}/yr", "money", {AUTO: "{B}*{auto.vector_cost_per_batch}", ALLO: "{L}*({allo.vector_cost_per_lot}+{allo.editing_cost_per_lot})"}, _R("breakdown.vector"), "batches or lots x vector (and editing) cost"),
            _Row("labour", "Labour", "{cur}/yr", "money", _both("{facility.sites}*{F_s}*{labour.cost_per_fte_year}"), _R("breakdown.labour"), "S x staff per site x cost per FTE"),
            _Row("qc", "QC release testing", "{cur}/yr", "money", {AUTO: "{B}*{auto.qc_cost_per_batch}", ALLO: "{L}*{allo.qc_cost_per_lot}"}, _R("breakdown.qc"), "batches or lots x QC cost"),
            _Row(
                "facility", "Facility and capital", "{cur}/yr", "money",
                _both("{facility.sites}*({E_s}*{crf_equipment}+{K_s}*{crf_building}+({E_s}+{K_s})*({facility.maintenance_rate}+{facility.insurance_tax_rate})+{facility.site_running_cost_year}+{N_suite_s}*{facility.suite_running_cost_year})"),
                _R("breakdown.facility"), "S x (capital charges + maintenance, insurance and taxes + running costs)",
            ),
            _Row("logistics", "Logistics", "{cur}/yr", "money", {AUTO: "{B}*{logistics.inbound_cost_per_batch}+{Dd}*{logistics.outbound_cost_per_dose}", ALLO: "{filled}*{allo.storage_cost_per_dose}+{Dd}*{logistics.outbound_cost_per_dose}"}, _R("breakdown.logistics"), "autologous: inbound per batch + outbound per dose; allogeneic: storage per filled dose + outbound"),
            _Row("royalties", "Royalties", "{cur}/yr", "money", _both("{Dd}*{commercial.price_per_dose}*{commercial.royalty_rate}"), _R("breakdown.royalties"), "Dd x price x royalty rate"),
            _Row("total", "Total annual cost", "{cur}/yr", "money", _both("SUM({materials}:{royalties})"), _R("total_annual_cost"), "sum of the seven categories"),
        ],
    ),
    (
        "Time and commercial",
        [
            _Row("v2v", "Vein-to-vein time", "d", "days", {AUTO: "{auto.collection_to_start_days}+{auto.process_days}+{auto.qc_release_days}+{logistics.shipping_days}", ALLO: "{logistics.shipping_days}"}, _R("vein_to_vein_days"), "autologous: collection to start + process + QC release + shipping; allogeneic: shipping"),
            _Row("max_allowable", "Max allowable COGS per dose", "{cur}/dose", "money", _both("{commercial.price_per_dose}*(1-{commercial.target_gross_margin})"), _R("max_allowable_cogs_per_dose"), "price x (1 - target gross margin)"),
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
    "gross_margin": _both('IF({commercial.price_per_dose}=0,"",({commercial.price_per_dose}-{total}/{Dd})/{commercial.price_per_dose})'),
    "cost_per_durable_response": _both("{total}/{demand.patients_per_year}/{clinical.durable_response_rate}"),
}

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def _fill(template: str, address: Callable[[str], str]) -> str:
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


# ---------------------------------------------------------------- the writer


class _Export:
    def __init__(self, project: Project, now: _dt.datetime | None, analyses: bool):
        self.project = project
        self.cat = catalogue()
        self.scen = project.scenarios
        self.now = now or _dt.datetime.now().astimezone()
        self.analyses = analyses
        self.results = [evaluate_scenario(s, intermediates=True) for s in self.scen]
        self.buf = io.BytesIO()
        self.wb = _Workbook(self.buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False})
        self.wb.set_properties({"title": project.title[:250], "subject": "Cost of goods model", "author": APP_NAME, "comments": f"Exported by {APP_NAME} {__version__}"})
        self.st = _Styles(self.wb, project.currency)
        self.cur = project.currency
        # where things are, filled as sheets are laid out
        self.input_row: dict[str, int] = {}  # key -> row on Inputs
        self.input_col0 = 4  # first scenario column on Inputs
        self.calc_row: dict[str, int] = {}  # id or key -> row on Calculations
        self.calc_col0 = 3
        self.result_row: dict[str, int] = {}
        self.result_col0 = 3
        self.checks_master: str | None = None
        self.master_value = 0

    # -------- helpers
    def sheet(self, name: str):
        ws = self.wb.add_worksheet(name)
        ws.set_tab_color(TAB[name])
        ws.hide_gridlines(2)
        ws.set_zoom(100)
        ws.set_default_row(15)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer(f"&L&8{APP_NAME}: &A&R&8Page &P of &N")
        return ws

    def title(self, ws, text: str, subtitle: str) -> None:
        ws.set_row(0, 24)
        ws.write_string(0, 0, text, self.st("title"))
        ws.write_string(1, 0, subtitle, self.st("subtitle"))

    def unit(self, unit: str) -> str:
        return unit.replace("{cur}", self.cur).replace("USD", self.cur)

    def wstr(self, ws, r, c, text, fmt=None):
        ws.write_string(r, c, str(text), fmt)

    def formula(self, ws, r, c, formula: str, value, fmt):
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            value = ""
        elif isinstance(value, (np.floating, np.integer)):
            value = value.item()
        ws.write_formula(r, c, "=" + formula, fmt, value)

    # -------- sheets
    def build(self) -> bytes:
        self.ws_cover = self.sheet(SHEET_COVER)
        self.ws_inputs = self.sheet(SHEET_INPUTS)
        self.ws_unc = self.sheet(SHEET_UNCERTAINTY)
        self.ws_calc = self.sheet(SHEET_CALC)
        self.ws_results = self.sheet(SHEET_RESULTS)
        self.ws_sweep = self.sheet(SHEET_SWEEP)
        analysis = _analysis_module() if self.analyses else None
        self.ws_mc = self.sheet(SHEET_MC) if analysis else None
        self.ws_tornado = self.sheet(SHEET_TORNADO) if analysis else None
        self.ws_checks = self.sheet(SHEET_CHECKS)
        self.write_inputs()
        self.write_uncertainty()
        self.write_calculations()
        self.write_results()
        self.write_sweep(analysis)
        if analysis:
            self.write_montecarlo(analysis)
            self.write_tornado(analysis)
        self.write_checks()
        self.write_cover()
        self.ws_cover.activate()
        for ws in self.wb.worksheets():
            ws.protect("", PROTECT)
        self.wb.close()
        return self.buf.getvalue()

    # ---- Inputs
    def write_inputs(self) -> None:
        ws, st, cat = self.ws_inputs, self.st, self.cat
        n = len(self.scen)
        c0 = self.input_col0
        c_range, c_source = c0 + n, c0 + n + 1
        self.title(ws, "Inputs", "Blue on pale yellow cells are inputs: change them here. Every other sheet follows. Grey: the parameter does not apply to that scenario's process.")
        hr = 3
        ws.set_row(hr, 30)
        for c, h in enumerate((H_GROUP, H_PARAMETER, H_KEY, H_UNIT)):
            self.wstr(ws, hr, c, h, st("header"))
        for j, s in enumerate(self.scen):
            self.wstr(ws, hr, c0 + j, s.name, st("header", align="center"))
        self.wstr(ws, hr, c_range, H_RANGE, st("header"))
        self.wstr(ws, hr, c_source, H_SOURCE, st("header"))
        # process and notes rows
        r = hr + 1
        self.wstr(ws, r, 0, "Scenario", st("muted"))
        self.wstr(ws, r, 1, "Process", st("bold"))
        self.wstr(ws, r, 2, KEY_PROCESS, st("key"))
        for j, s in enumerate(self.scen):
            self.wstr(ws, r, c0 + j, s.process, st("process"))
        self.wstr(ws, r, c_range, "autologous or allogeneic", st("muted"))
        self.wstr(ws, r, c_source, "Set when the scenario was made; the formulas on Calculations are built for it", st("muted"))
        self.input_row[KEY_PROCESS] = r
        r += 1
        self.wstr(ws, r, 0, "Scenario", st("muted"))
        self.wstr(ws, r, 1, "Notes", st("bold"))
        self.wstr(ws, r, 2, KEY_NOTES, st("key"))
        for j, s in enumerate(self.scen):
            self.wstr(ws, r, c0 + j, s.notes, st("note_cell"))
        self.wstr(ws, r, c_range, "free text", st("muted"))
        self.input_row[KEY_NOTES] = r
        r += 1
        first_param_row = r
        prev_group = None
        for key, p in cat.parameters.items():
            top = {"top": 1, "top_color": "#8EA9DB"} if prev_group is not None and p.group != prev_group else {}
            prev_group = p.group
            self.input_row[key] = r
            self.wstr(ws, r, 0, p.group, st("muted", **top))
            self.wstr(ws, r, 1, p.label, st("text", **top))
            self.wstr(ws, r, 2, key, st("key", **top))
            self.wstr(ws, r, 3, p.unit_for(self.cur), st("muted", **top))
            kind = _param_kind(p)
            for j, s in enumerate(self.scen):
                c = c0 + j
                if p.applies_to(s.process):
                    v = s.parameters[key]
                    ws.write_number(r, c, v, st("input", st.nf(kind, v), **top))
                else:
                    ws.write_blank(r, c, None, st("na", **top))
            self.wstr(ws, r, c_range, p.range_text(), st("muted", **top))
            self.wstr(ws, r, c_source, p.source, st("muted", **top))
            # validation on the row's applicable cells
            for j, s in enumerate(self.scen):
                if p.applies_to(s.process):
                    msg = f"{p.description} Valid: {p.range_text()}."
                    ws.data_validation(
                        r, c0 + j, r, c0 + j,
                        {
                            "validate": "integer" if p.integer else "decimal",
                            "criteria": "between",
                            "minimum": p.min,
                            "maximum": p.max,
                            "input_title": p.label[:32],
                            "input_message": msg[:250],
                            "error_title": "Outside the valid range",
                            "error_message": f"{p.label}: expected {'a whole number' if p.integer else 'a number'} from {fmt_number(p.min)} to {fmt_number(p.max)} {p.unit_for(self.cur)}."[:250],
                            "show_input": False,
                        },
                    )
            r += 1
        last = r - 1
        ws.set_column(0, 0, 18)
        ws.set_column(1, 1, 44)
        ws.set_column(2, 2, 34)
        ws.set_column(3, 3, 17)
        ws.set_column(c0, c0 + n - 1, 19)
        ws.set_column(c_range, c_range, 22)
        ws.set_column(c_source, c_source, 70)
        ws.freeze_panes(hr + 1, c0)
        ws.autofilter(hr, 0, last, c_source)
        ws.repeat_rows(hr)
        self.input_rows_span = (first_param_row, last)

    def input_ref(self, key: str, j: int) -> str:
        return f"{SHEET_INPUTS}!{cell_ref(self.input_row[key], self.input_col0 + j)}"

    # ---- Uncertainty
    def write_uncertainty(self) -> None:
        ws, st, cat = self.ws_unc, self.st, self.cat
        self.title(ws, "Uncertainty", "Ranges for Monte Carlo and tornado. Fill the fields of the chosen distribution; add rows in the blank lines. Normal is truncated to the valid range; sigma is of ln x.")
        fields = list(U_FIELDS)
        heads = [U_SCENARIO, U_PARAMETER, U_KEY, U_UNIT, U_DIST] + [U_FIELDS[f] for f in fields]
        hr = 3
        for c, h in enumerate(heads):
            self.wstr(ws, hr, c, h, st("header"))
        r = hr + 1
        rows = [(s, k, d) for s in self.scen for k, d in s.uncertainty.items()]
        dist_list = list(DISTRIBUTIONS)
        for s, k, d in rows:
            p = cat.parameters[k]
            kind = _param_kind(p)
            self.wstr(ws, r, 0, s.name, st("input", "@"))
            self.wstr(ws, r, 1, p.label, st("muted"))
            self.wstr(ws, r, 2, k, st("input", "@", font_name="Consolas", font_size=9))
            self.wstr(ws, r, 3, p.unit_for(self.cur), st("muted"))
            self.wstr(ws, r, 4, d["dist"], st("input", "@"))
            used = DISTRIBUTIONS[d["dist"]]
            for i, f in enumerate(fields):
                c = 5 + i
                if f in used:
                    fk = "general" if f in ("sd", "sigma") and kind != "money" else kind
                    if f == "sigma":
                        fk = "general"
                    ws.write_number(r, c, d[f], st("input", st.nf(fk, d[f])))
                else:
                    ws.write_blank(r, c, None, st("input_unused"))
            r += 1
        for _ in range(12):  # room for the client's additions
            for c in range(len(heads)):
                if c in (1, 3):
                    ws.write_blank(r, c, None, st("muted"))
                else:
                    ws.write_blank(r, c, None, st("input_unused" if c >= 5 else "input", "@" if c < 5 else None))
            r += 1
        ws.data_validation(hr + 1, 4, r - 1, 4, {"validate": "list", "source": dist_list, "error_title": "Unknown distribution", "error_message": "Choose one of " + ", ".join(dist_list)})
        names = [s.name for s in self.scen]
        if sum(len(x) + 1 for x in names) < 250 and not any("," in x for x in names):
            ws.data_validation(hr + 1, 0, r - 1, 0, {"validate": "list", "source": names, "error_type": "warning"})
        # correlations
        r += 1
        self.wstr(ws, r, 0, "Rank correlations between inputs of one scenario (Iman-Conover); both inputs need a distribution above.", st("section"))
        for c in range(1, len(heads)):
            ws.write_blank(r, c, None, st("section"))
        r += 1
        for c, h in enumerate((C_SCENARIO, C_KEY_A, C_KEY_B, C_RHO)):
            self.wstr(ws, r, c, h, st("header"))
        r += 1
        for s in self.scen:
            for corr in s.correlations:
                self.wstr(ws, r, 0, s.name, st("input", "@"))
                self.wstr(ws, r, 1, corr["a"], st("input", "@", font_name="Consolas", font_size=9))
                self.wstr(ws, r, 2, corr["b"], st("input", "@", font_name="Consolas", font_size=9))
                ws.write_number(r, 3, corr["rho"], st("input", "0.00"))
                r += 1
        for _ in range(6):
            for c in range(4):
                ws.write_blank(r, c, None, st("input", "@" if c < 3 else "0.00"))
            r += 1
        ws.set_column(0, 0, 30)
        ws.set_column(1, 1, 36)
        ws.set_column(2, 2, 34)
        ws.set_column(3, 3, 14)
        ws.set_column(4, 4, 13)
        ws.set_column(5, 5 + len(fields) - 1, 13)
        ws.freeze_panes(hr + 1, 0)

    # ---- Calculations
    def write_calculations(self) -> None:
        ws, st, cat = self.ws_calc, self.st, self.cat
        n = len(self.scen)
        c0 = self.calc_col0
        c_def, c_min, c_max, c_int, c_rowchk = c0 + n, c0 + n + 1, c0 + n + 2, c0 + n + 3, c0 + n + 4
        self.title(ws, "Calculations", "Every quantity of the model as a live formula (black); green cells bring the inputs over from the Inputs sheet. Per-site quantities are for one site; all sites are built alike.")
        hr = 3
        ws.set_row(hr, 30)
        for c, h in enumerate(("Quantity", "Name", "Unit")):
            self.wstr(ws, hr, c, h, st("header"))
        for j, s in enumerate(self.scen):
            self.wstr(ws, hr, c0 + j, s.name, st("header", align="center"))
        for c, h in ((c_def, "Definition"), (c_min, "Min"), (c_max, "Max"), (c_int, "Whole number"), (c_rowchk, "Row check")):
            self.wstr(ws, hr, c, h, st("header"))
        r = hr + 1
        self.wstr(ws, r, 0, "Formulas built for process", st("bold"))
        self.wstr(ws, r, 1, "process", st("key"))
        for j, s in enumerate(self.scen):
            self.wstr(ws, r, c0 + j, s.process, st("process"))
        self.wstr(ws, r, c_def, "Checks compare this with the process row on Inputs", st("muted"))
        self.calc_row["process"] = r
        r += 2
        # input links, in catalogue order
        self.section(ws, r, "Inputs (from the Inputs sheet)", c_rowchk)
        r += 1
        self.link_span = (r, r + len(cat.parameters) - 1)
        for key, p in cat.parameters.items():
            self.calc_row[key] = r
            self.wstr(ws, r, 0, p.label, st("text"))
            self.wstr(ws, r, 1, key, st("key"))
            self.wstr(ws, r, 2, p.unit_for(self.cur), st("muted"))
            kind = _param_kind(p)
            for j, s in enumerate(self.scen):
                c = c0 + j
                if p.applies_to(s.process):
                    v = s.parameters[key]
                    self.formula(ws, r, c, self.input_ref(key, j), v, st("link", st.nf(kind, v)))
                else:
                    ws.write_blank(r, c, None, st("na"))
            self.wstr(ws, r, c_def, "Inputs", st("muted"))
            ws.write_number(r, c_min, p.min, st("value", "General"))
            ws.write_number(r, c_max, p.max, st("value", "General"))
            ws.write_number(r, c_int, 1 if p.integer else 0, st("value", "0"))
            self.formula(ws, r, c_rowchk, f'IF({SHEET_INPUTS}!$C${self.input_row[key] + 1}=$B${r + 1},0,1)', 0, st("check"))
            r += 1
        self.rowcheck_span = (self.link_span[0], r - 1, c_rowchk)
        self.minmax_cols = (c_min, c_max, c_int)
        for title, rows in CALC_SECTIONS:
            r += 1
            self.section(ws, r, title, c_rowchk)
            r += 1
            for row in rows:
                self.calc_row[row.id] = r
                r += 1
        # second pass: formulas (rows may refer to rows further down)
        for _title, rows in CALC_SECTIONS:
            for row in rows:
                rr = self.calc_row[row.id]
                bold = row.id in ("total",)
                self.wstr(ws, rr, 0, row.label, st("bold" if bold else "text"))
                self.wstr(ws, rr, 1, row.id, st("key"))
                self.wstr(ws, rr, 2, self.unit(row.unit), st("muted"))
                self.wstr(ws, rr, c_def, row.definition, st("muted"))
                for j, s in enumerate(self.scen):
                    c = c0 + j
                    t = row.formulas.get(s.process)
                    if t is None:
                        ws.write_blank(rr, c, None, st("na"))
                        continue
                    value = row.value(self.results[j], s.parameters)
                    fmt = st("calc_bold" if bold else "calc", st.nf(row.kind, value))
                    if isinstance(t, (int, float)):
                        ws.write_number(rr, c, t, fmt)
                    else:
                        self.formula(ws, rr, c, _fill(t, lambda name, c=c: cell_ref(self.calc_row[name], c)), value, fmt)
        ws.set_column(0, 0, 40)
        ws.set_column(1, 1, 30)
        ws.set_column(2, 2, 16)
        ws.set_column(c0, c0 + n - 1, 19)
        ws.set_column(c_def, c_def, 70)
        ws.set_column(c_min, c_max, 14)
        ws.set_column(c_int, c_int, 10)
        ws.set_column(c_rowchk, c_rowchk, 10)
        ws.freeze_panes(hr + 1, c0)

    def section(self, ws, r, title, last_col) -> None:
        self.wstr(ws, r, 0, title, self.st("section"))
        for c in range(1, last_col + 1):
            ws.write_blank(r, c, None, self.st("section"))

    def calc_ref(self, name: str, j: int) -> str:
        return f"{SHEET_CALC}!{cell_ref(self.calc_row[name], self.calc_col0 + j)}"

    # ---- Results
    def write_results(self) -> None:
        ws, st, cat = self.ws_results, self.st, self.cat
        n = len(self.scen)
        c0 = self.result_col0
        self.title(ws, "Results", "Every result is a formula over the Calculations sheet. n/a: the result does not apply to that scenario's process.")
        hr = 3
        ws.set_row(hr, 30)
        for c, h in enumerate(("Result", "Key", "Unit")):
            self.wstr(ws, hr, c, h, st("header"))
        for j, s in enumerate(self.scen):
            self.wstr(ws, hr, c0 + j, s.name, st("header", align="center"))
        r = hr + 1
        self.wstr(ws, r, 0, "Process", st("bold"))
        self.wstr(ws, r, 1, "process", st("key"))
        for j, s in enumerate(self.scen):
            self.wstr(ws, r, c0 + j, PROCESS_LABELS[s.process], st("process"))
        r += 1
        for key, info in cat.results.items():
            self.result_row[key] = r
            headline = key in ("cogs_per_dose", "cogs_per_patient")
            self.wstr(ws, r, 0, ("    " if key.startswith("breakdown.") else "") + info.label, st("bold" if headline else "text"))
            self.wstr(ws, r, 1, key, st("key"))
            self.wstr(ws, r, 2, info.unit_for(self.cur), st("muted"))
            for j, s in enumerate(self.scen):
                c = c0 + j
                t = RESULT_FORMULAS[key].get(s.process)
                value = self.results[j][key]
                if t is None or (value is None and key != "gross_margin"):
                    self.wstr(ws, r, c, "n/a", st("na"))
                    continue
                kind = "num2" if info.kind == "count" and not float(value).is_integer() else info.kind
                fmt = st("calc_bold" if headline else "calc", st.nf(kind, value))
                self.formula(ws, r, c, _fill(t, lambda name, j=j: self.calc_ref(name, j)), value, fmt)
            r += 1
        last_result_row = r - 1
        # breakdown per dose, for the chart
        r += 1
        self.wstr(ws, r, 0, f"Cost breakdown per dose ({self.cur}/dose)", st("section"))
        for c in range(1, c0 + n):
            ws.write_blank(r, c, None, st("section"))
        r += 1
        per_dose_rows = {}
        for cat_name in BREAKDOWN:
            key = f"breakdown.{cat_name}"
            per_dose_rows[cat_name] = r
            self.wstr(ws, r, 0, cat.results[key].label, st("text"))
            self.wstr(ws, r, 1, f"{key}_per_dose", st("key"))
            self.wstr(ws, r, 2, f"{self.cur}/dose", st("muted"))
            for j, _s in enumerate(self.scen):
                value = self.results[j][key] / self.results[j]["calc.Dd"]
                self.formula(ws, r, c0 + j, f"{self.calc_ref(cat_name, j)}/{self.calc_ref('Dd', j)}", value, st("calc", st.money(0)))
            r += 1
        ws.set_column(0, 0, 36)
        ws.set_column(1, 1, 30)
        ws.set_column(2, 2, 15)
        ws.set_column(c0, c0 + n - 1, 19)
        ws.freeze_panes(hr + 1, c0)
        # stacked column chart of the breakdown per dose
        chart = self.wb.add_chart({"type": "column", "subtype": "stacked"})
        for i, cat_name in enumerate(BREAKDOWN):
            rr = per_dose_rows[cat_name]
            chart.add_series(
                {
                    "name": [SHEET_RESULTS, rr, 0],
                    "categories": [SHEET_RESULTS, hr, c0, hr, c0 + n - 1],
                    "values": [SHEET_RESULTS, rr, c0, rr, c0 + n - 1],
                    "fill": {"color": PALETTE[i]},
                    "border": {"none": True},
                    "gap": 60,
                }
            )
        chart.set_title({"name": "Cost of goods per dose by category", "name_font": {"size": 12, "bold": True, "color": NAVY}})
        chart.set_y_axis({"name": f"{self.cur} per dose", "num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}, "name_font": {"size": 9, "bold": False}})
        chart.set_x_axis({"num_font": {"size": 9}})
        chart.set_legend({"position": "right", "font": {"size": 9}})
        chart.set_chartarea({"border": {"color": "#BFBFBF"}})
        chart.set_size({"width": 760, "height": 420})
        ws.insert_chart(hr, c0 + n + 1, chart, {"x_offset": 10, "y_offset": 0})
        self.results_span = (hr + 2, last_result_row)

    def result_ref(self, key: str, j: int, absolute=False) -> str:
        return f"{SHEET_RESULTS}!{cell_ref(self.result_row[key], self.result_col0 + j)}"

    # ---- Sweep
    def write_sweep(self, analysis) -> None:
        ws, st = self.ws_sweep, self.st
        n = len(self.scen)
        if analysis is not None and hasattr(analysis, "demand_grid"):
            demand = np.asarray(analysis.demand_grid(SWEEP_LO, SWEEP_HI, SWEEP_POINTS), dtype=float)
        else:
            demand = np.logspace(math.log10(SWEEP_LO), math.log10(SWEEP_HI), SWEEP_POINTS)
        values = {}
        for s in self.scen:
            params = dict(s.parameters)
            params["demand.patients_per_year"] = demand
            values[s.name] = np.asarray(evaluate(s.process, params, strict=False)["cogs_per_dose"], dtype=float)
        self.title(ws, "Sweep: cost of goods per dose against demand", "Values computed by CGT Desk at export, every point evaluated (the steps are real capacity steps). Other inputs as on the Inputs sheet at export. Blank: no valid result.")
        hr = 3
        ws.set_row(hr, 30)
        self.wstr(ws, hr, 0, "Patients per year", st("header"))
        for j, s in enumerate(self.scen):
            self.wstr(ws, hr, 1 + j, f"{s.name} ({self.cur}/dose)", st("header", align="center"))
        money = st("value", st.money(0))
        for i, d in enumerate(demand):
            r = hr + 1 + i
            ws.write_number(r, 0, float(d), st("value", "#,##0"))
            for j, s in enumerate(self.scen):
                v = values[s.name][i]
                if math.isfinite(v):
                    ws.write_number(r, 1 + j, float(v), money)
                else:
                    ws.write_blank(r, 1 + j, None, money)
        last = hr + len(demand)
        ws.set_column(0, 0, 16)
        ws.set_column(1, n, 22)
        ws.freeze_panes(hr + 1, 1)
        chart = self.wb.add_chart({"type": "scatter", "subtype": "straight"})
        for j in range(n):
            chart.add_series(
                {
                    "name": [SHEET_SWEEP, hr, 1 + j],
                    "categories": [SHEET_SWEEP, hr + 1, 0, last, 0],
                    "values": [SHEET_SWEEP, hr + 1, 1 + j, last, 1 + j],
                    "line": {"color": PALETTE[j % len(PALETTE)], "width": 2.0},
                    "marker": {"type": "none"},
                }
            )
        chart.set_title({"name": "Cost of goods per dose against demand", "name_font": {"size": 12, "bold": True, "color": NAVY}})
        chart.set_x_axis({"name": "Patients per year (log scale)", "log_base": 10, "min": SWEEP_LO, "max": SWEEP_HI, "num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#E7E6E6"}}, "name_font": {"size": 9, "bold": False}, "crossing": "min"})
        chart.set_y_axis({"name": f"{self.cur} per dose (log scale)", "log_base": 10, "num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}, "name_font": {"size": 9, "bold": False}, "crossing": "min"})
        chart.set_legend({"position": "bottom", "font": {"size": 9}})
        chart.set_size({"width": 820, "height": 460})
        ws.insert_chart(hr, n + 2, chart, {"x_offset": 10})

    # ---- analyses (values from cgtdesk.core.analysis)
    def write_montecarlo(self, analysis) -> None:
        ws, st = self.ws_mc, self.st
        n = len(self.scen)
        mc = analysis.monte_carlo(self.scen, MC_SAMPLES, MC_SEED, results=("cogs_per_dose",))
        self.title(
            ws, "Monte Carlo: cost of goods per dose",
            f"Values computed by CGT Desk at export: {MC_SAMPLES:,} samples, seed {MC_SEED}, distributions and rank correlations from the Uncertainty sheet "
            "(inputs without one stay at their value). Samples that make a scenario invalid are counted, not used.",
        )
        money = st("value", st.money(0))
        hr = 3
        ws.set_row(hr, 30)
        heads = ["Scenario", "Mean", "SD", "P5", "P10", "P50", "P90", "P95", "P(COGS <= max allowable)", "Valid samples", "Invalid samples"]
        for c, h in enumerate(heads):
            self.wstr(ws, hr, c, h, st("header", align="center") if c else st("header"))
        r = hr + 1
        by_name = {m.name: m for m in mc.scenarios}
        for s in self.scen:
            m = by_name[s.name]
            summ = m.summaries.get("cogs_per_dose", {})
            self.wstr(ws, r, 0, s.name, st("value"))
            for c, f in enumerate(("mean", "sd", "p5", "p10", "p50", "p90", "p95"), start=1):
                self._num(ws, r, c, summ.get(f), money)
            self._num(ws, r, 8, m.p_meets_target, st("value", "0.0%"))
            ws.write_number(r, 9, int(m.valid_samples), st("value", "#,##0"))
            ws.write_number(r, 10, int(m.invalid_samples), st("value", "#,##0"))
            r += 1
        # probability that B is cheaper than A
        r += 1
        self.wstr(ws, r, 0, "P(column scenario cheaper per dose than row scenario)", st("section"))
        for c in range(1, max(n + 1, len(heads))):
            ws.write_blank(r, c, None, st("section"))
        r += 1
        ws.set_row(r, 30)
        self.wstr(ws, r, 0, "A \\ B", st("header"))
        for j, s in enumerate(self.scen):
            self.wstr(ws, r, 1 + j, s.name, st("header", align="center"))
        pb = {(cmp.a, cmp.b): cmp.p_b_cheaper for cmp in mc.comparisons}
        r += 1
        for a in self.scen:
            self.wstr(ws, r, 0, a.name, st("value"))
            for j, b in enumerate(self.scen):
                if a.name == b.name:
                    ws.write_blank(r, 1 + j, None, st("na"))
                else:
                    self._num(ws, r, 1 + j, pb.get((a.name, b.name)), st("value", "0.0%"))
            r += 1
        # sensitivity
        r += 1
        self.wstr(ws, r, 0, "Sensitivity: Spearman rank correlation of each uncertain input with the cost per dose", st("section"))
        for c in range(1, max(n + 1, len(heads))):
            ws.write_blank(r, c, None, st("section"))
        r += 1
        self.wstr(ws, r, 0, "Scenario", st("header"))
        ws.merge_range(r, 1, r, 3, "Parameter", st("header"))
        ws.merge_range(r, 4, r, 6, "Key", st("header"))
        self.wstr(ws, r, 7, "Rank correlation", st("header"))
        r += 1
        for s in self.scen:
            for key, rho in by_name[s.name].sensitivity[:10]:
                self.wstr(ws, r, 0, s.name, st("value"))
                ws.merge_range(r, 1, r, 3, self.cat.parameters[key].label, st("value"))
                ws.merge_range(r, 4, r, 6, key, st("key"))
                self._num(ws, r, 7, rho, st("value", "0.00"))
                r += 1
        # distribution table (share of samples per bin) and chart
        r += 1
        self.wstr(ws, r, 0, f"Distribution of the cost per dose (share of valid samples per bin; bin centres in {self.cur}/dose)", st("section"))
        for c in range(1, 2 * n):
            ws.write_blank(r, c, None, st("section"))
        r += 1
        dist_hr = r
        ws.set_row(r, 30)
        for j, s in enumerate(self.scen):
            self.wstr(ws, r, 2 * j, f"{s.name}: {self.cur}/dose", st("header"))
            self.wstr(ws, r, 2 * j + 1, "share", st("header"))
        r += 1
        chart = self.wb.add_chart({"type": "scatter", "subtype": "straight"})
        longest = 0
        for j, s in enumerate(self.scen):
            counts, edges = by_name[s.name].histogram.get("cogs_per_dose", ([], []))
            counts = np.asarray(counts, dtype=float)
            edges = np.asarray(edges, dtype=float)
            total = counts.sum()
            if total <= 0 or len(edges) != len(counts) + 1:
                continue
            centres = (edges[:-1] + edges[1:]) / 2
            for i, (x, y) in enumerate(zip(centres, counts / total, strict=True)):
                ws.write_number(r + i, 2 * j, float(x), money)
                ws.write_number(r + i, 2 * j + 1, float(y), st("value", "0.0%"))
            longest = max(longest, len(centres))
            chart.add_series(
                {
                    "name": s.name,
                    "categories": [SHEET_MC, r, 2 * j, r + len(centres) - 1, 2 * j],
                    "values": [SHEET_MC, r, 2 * j + 1, r + len(centres) - 1, 2 * j + 1],
                    "line": {"color": PALETTE[j % len(PALETTE)], "width": 2.0},
                    "marker": {"type": "none"},
                }
            )
        chart.set_title({"name": "Monte Carlo: distribution of the cost per dose", "name_font": {"size": 12, "bold": True, "color": NAVY}})
        chart.set_x_axis({"name": f"{self.cur} per dose (log scale)", "log_base": 10, "num_format": "#,##0", "name_font": {"size": 9, "bold": False}, "crossing": "min"})
        chart.set_y_axis({"name": "Share of samples", "num_format": "0%", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}, "name_font": {"size": 9, "bold": False}})
        chart.set_legend({"position": "bottom", "font": {"size": 9}})
        chart.set_size({"width": 820, "height": 440})
        ws.insert_chart(hr, len(heads) + 1, chart, {"x_offset": 10})
        ws.set_column(0, 0, 34)
        ws.set_column(1, max(len(heads), 2 * n) - 1, 15)
        ws.set_column(8, 8, 16)
        ws.freeze_panes(hr + 1, 1)
        del dist_hr, longest

    def write_tornado(self, analysis) -> None:
        ws, st = self.ws_tornado, self.st
        self.title(
            ws, "Tornado: cost of goods per dose, one input at a time",
            "Values computed by CGT Desk at export. Each input moved to its low and high value (from the Uncertainty sheet, else -/+20%), the others at base; the ten largest swings per scenario.",
        )
        money = st("value", st.money(0))
        r = 3
        heads = ["Parameter", "Key", "Low input", "High input", "Result at low", "Result at high", "Swing", "Low - base", "High - base"]
        for s in self.scen:
            t = analysis.tornado(s, "cogs_per_dose")
            bars = [b for b in t.bars if not b.invalid and math.isfinite(b.swing)][:TORNADO_BARS]
            self.wstr(ws, r, 0, f"{s.name}: base {self.cur} {t.base:,.0f} per dose", st("section"))
            for c in range(1, len(heads)):
                ws.write_blank(r, c, None, st("section"))
            r += 1
            hr = r
            for c, h in enumerate(heads):
                self.wstr(ws, r, c, h, st("header"))
            r += 1
            first = r
            for b in bars:
                p = self.cat.parameters[b.key]
                kind = _param_kind(p)
                self.wstr(ws, r, 0, p.label, st("value"))
                self.wstr(ws, r, 1, b.key, st("key"))
                self._num(ws, r, 2, b.low, st("value", st.nf(kind, b.low)))
                self._num(ws, r, 3, b.high, st("value", st.nf(kind, b.high)))
                self._num(ws, r, 4, b.result_low, money)
                self._num(ws, r, 5, b.result_high, money)
                self._num(ws, r, 6, b.swing, money)
                self._num(ws, r, 7, b.result_low - t.base, money)
                self._num(ws, r, 8, b.result_high - t.base, money)
                r += 1
            if bars:
                chart = self.wb.add_chart({"type": "bar"})
                for c, name, color in ((7, "Input at low", PALETTE[0]), (8, "Input at high", PALETTE[5])):
                    chart.add_series(
                        {
                            "name": name,
                            "categories": [SHEET_TORNADO, first, 0, r - 1, 0],
                            "values": [SHEET_TORNADO, first, c, r - 1, c],
                            "fill": {"color": color},
                            "border": {"none": True},
                            "overlap": 100,
                            "gap": 40,
                        }
                    )
                chart.set_title({"name": f"{s.name}: change in {self.cur} per dose", "name_font": {"size": 11, "bold": True, "color": NAVY}})
                chart.set_x_axis({"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}, "num_font": {"size": 8}})
                chart.set_y_axis({"reverse": True, "num_font": {"size": 8}, "label_position": "low"})
                chart.set_legend({"position": "bottom", "font": {"size": 8}})
                chart.set_size({"width": 620, "height": max(220, 40 + 22 * (len(bars) + 3))})
                ws.insert_chart(hr - 1, len(heads) + 1, chart, {"x_offset": 10})
            r = max(r, hr + int(max(220, 40 + 22 * (len(bars) + 3)) / 20) + 1) + 1
        ws.set_column(0, 0, 40)
        ws.set_column(1, 1, 30)
        ws.set_column(2, 8, 15)

    def _num(self, ws, r, c, v, fmt) -> None:
        if v is None or not math.isfinite(float(v)):
            ws.write_blank(r, c, None, fmt)
        else:
            ws.write_number(r, c, float(v), fmt)

    # ---- Checks
    def write_checks(self) -> None:
        ws, st = self.ws_checks, self.st
        n = len(self.scen)
        c0 = 2
        c_all = c0 + n
        self.title(ws, "Checks", "Each check is 0 when it holds. The master check at the bottom is 0 when every check holds.")
        self.wstr(ws, 2, 0, "Tolerance (relative)", st("muted"))
        ws.write_number(2, 1, 1e-9, st("value", "0.0E+00", align="left"))
        tol = "$B$3"
        hr = 4
        ws.set_row(hr, 30)
        self.wstr(ws, hr, 0, "Check", st("header"))
        self.wstr(ws, hr, 1, "What it tests", st("header"))
        for j, s in enumerate(self.scen):
            self.wstr(ws, hr, c0 + j, s.name, st("header", align="center"))
        self.wstr(ws, hr, c_all, "All scenarios", st("header", align="center"))
        r = hr + 1
        lo, hi = self.link_span
        c_min, c_max, c_int = self.minmax_cols
        C = SHEET_CALC

        def col_range(col_idx, absolute=False):
            L = col_letter(col_idx)
            d = "$" if absolute else ""
            return f"{C}!{d}{L}{d}{lo + 1}:{d}{L}{d}{hi + 1}"

        checks = []
        rows_first = r

        def add(label, what, per_scenario):
            nonlocal r
            self.wstr(ws, r, 0, label, st("text"))
            self.wstr(ws, r, 1, what, st("muted"))
            for j, s in enumerate(self.scen):
                f = per_scenario(j, s)
                if f is None:
                    self.wstr(ws, r, c0 + j, "n/a", st("na"))
                else:
                    self.formula(ws, r, c0 + j, f, 0, st("check", "0"))
            self.formula(ws, r, c_all, f"SUM({cell_ref(r, c0)}:{cell_ref(r, c0 + n - 1)})", 0, st("check", "0"))
            checks.append(r)
            r += 1

        def in_range(j, s):
            v = col_range(self.calc_col0 + j)
            mn, mx, wh = col_range(c_min, True), col_range(c_max, True), col_range(c_int, True)
            return f'SUMPRODUCT(({v}<>"")*((({v}<{mn})+({v}>{mx})+({wh}=1)*({v}<>ROUND({v},0)))>0))'

        add("Inputs within their valid ranges", "number of inputs outside their valid range or not whole where they must be", in_range)
        add("Process as built", "the process on Inputs is the one the Calculations formulas were built for",
            lambda j, s: f"IF({self.input_ref(KEY_PROCESS, j)}={self.calc_ref('process', j)},0,1)")
        add("Breakdown sums to total", "the seven cost categories add up to the total annual cost",
            lambda j, s: f"IF(ABS(SUM({self.result_ref('breakdown.materials', j)}:{cell_ref(self.result_row['breakdown.royalties'], self.result_col0 + j)})-{self.result_ref('total_annual_cost', j)})<={tol}*ABS({self.result_ref('total_annual_cost', j)}),0,1)")
        add("Cost per dose x doses = total", "cost of goods per dose times doses delivered equals the total annual cost",
            lambda j, s: f"IF(ABS({self.result_ref('cogs_per_dose', j)}*{self.calc_ref('Dd', j)}-{self.result_ref('total_annual_cost', j)})<={tol}*ABS({self.result_ref('total_annual_cost', j)}),0,1)")
        add("Capacity covers demand", "units per site x batches or lots per unit >= batches or lots started per site",
            lambda j, s: f"IF({self.calc_ref('N_unit_s', j)}*{self.calc_ref('cap', j)}>={self.calc_ref('B_s' if s.process == AUTO else 'L_s', j)}*(1-{tol}),0,1)")
        add("Suites hold the units", "suites x units per suite >= units",
            lambda j, s: f"IF({self.calc_ref('N_suite_s', j)}*{self.calc_ref('auto.devices_per_suite' if s.process == AUTO else 'allo.bioreactors_per_suite', j)}>={self.calc_ref('N_unit_s', j)},0,1)")
        add("A lot yields at least one dose", "allogeneic: doses per lot >= 1",
            lambda j, s: f"IF({self.calc_ref('dpl', j)}>=1,0,1)" if s.process == ALLO else None)
        # input rows in place: one figure for the workbook
        self.wstr(ws, r, 0, "Input rows in place", st("text"))
        self.wstr(ws, r, 1, "each input on Calculations still reads the Inputs row of its key (rows sorted on Inputs break this)", st("muted"))
        for j in range(n):
            ws.write_blank(r, c0 + j, None, st("na"))
        _lo, _hi, c_rc = self.rowcheck_span
        self.formula(ws, r, c_all, f"SUM({C}!{col_letter(c_rc)}{_lo + 1}:{col_letter(c_rc)}{_hi + 1})", 0, st("check", "0"))
        checks.append(r)
        r += 2
        self.wstr(ws, r, 0, "Master check", st("bold"))
        self.wstr(ws, r, 1, "sum of every check above: 0 when all hold", st("muted"))
        self.formula(ws, r, c_all, f"SUM({cell_ref(rows_first, c_all)}:{cell_ref(r - 2, c_all)})", 0, st("check_bold", "0"))
        self.checks_master = f"{SHEET_CHECKS}!{cell_ref(r, c_all, )}"
        green = self.wb.add_format({"bg_color": OK_FILL, "font_color": OK_FONT})
        red = self.wb.add_format({"bg_color": BAD_FILL, "font_color": BAD_FONT})
        rng = (rows_first, c0, r, c_all)
        ws.conditional_format(*rng, {"type": "formula", "criteria": f"=AND(ISNUMBER({cell_ref(rows_first, c0)}),{cell_ref(rows_first, c0)}=0)", "format": green})
        ws.conditional_format(*rng, {"type": "formula", "criteria": f"=AND(ISNUMBER({cell_ref(rows_first, c0)}),{cell_ref(rows_first, c0)}<>0)", "format": red})
        ws.conditional_format(*rng, {"type": "formula", "criteria": f"=ISERROR({cell_ref(rows_first, c0)})", "format": red})
        ws.set_column(0, 0, 32)
        ws.set_column(1, 1, 70)
        ws.set_column(c0, c_all, 19)
        ws.freeze_panes(hr + 1, c0)

    # ---- Cover
    def write_cover(self) -> None:
        ws, st = self.ws_cover, self.st
        ws.hide_gridlines(2)
        ws.set_column(0, 0, 3)
        ws.set_column(1, 1, 30)
        ws.set_column(2, 2, 34)
        ws.set_column(3, 3, 90)
        self.wstr(ws, 1, 1, f"{APP_NAME}  |  cost of goods model for cell and gene therapy manufacturing", st("subtitle"))
        ws.set_row(2, 30)
        r = 4
        lab = st("bold")
        self.wstr(ws, r, 1, COVER_TITLE, lab)
        ws.merge_range(r, 2, r, 3, self.project.title, st("input", "@"))
        title_cell = cell_ref(r, 2)
        self.formula(ws, 2, 1, f"{title_cell}", self.project.title, st("big"))
        r += 1
        self.wstr(ws, r, 1, COVER_CURRENCY, lab)
        self.wstr(ws, r, 2, self.project.currency, st("input", "@"))
        self.wstr(ws, r, 3, "a label only: no conversion; number formats show the currency at export", st("muted"))
        r += 1
        self.wstr(ws, r, 1, "Exported", lab)
        self.wstr(ws, r, 2, self.now.strftime("%Y-%m-%d %H:%M %Z").strip(), st("text"))
        r += 1
        self.wstr(ws, r, 1, "Exported by", lab)
        self.wstr(ws, r, 2, f"{APP_NAME} {__version__}", st("text"))
        r += 1
        self.wstr(ws, r, 1, COVER_FORMAT, lab)
        ws.write_number(r, 2, WORKBOOK_FORMAT_VERSION, st("text", "0", align="left"))
        r += 1
        self.wstr(ws, r, 1, "Model checks", lab)
        ok_text, bad_text = "All checks hold", "A check fails: see the Checks sheet"
        self.formula(ws, r, 2, f'IF({self.checks_master}=0,"{ok_text}","{bad_text}")', ok_text, st("bold"))
        green = self.wb.add_format({"bg_color": OK_FILL, "font_color": OK_FONT, "bold": True})
        red = self.wb.add_format({"bg_color": BAD_FILL, "font_color": BAD_FONT, "bold": True})
        ws.conditional_format(r, 2, r, 2, {"type": "cell", "criteria": "==", "value": f'"{ok_text}"', "format": green})
        ws.conditional_format(r, 2, r, 2, {"type": "cell", "criteria": "!=", "value": f'"{ok_text}"', "format": red})
        r += 2
        # scenarios
        self.wstr(ws, r, 1, "Scenarios", st("section"))
        ws.write_blank(r, 2, None, st("section"))
        ws.write_blank(r, 3, None, st("section"))
        r += 1
        for c, h in enumerate(("Scenario", "Process", "Notes")):
            self.wstr(ws, r, 1 + c, h, st("header"))
        r += 1
        for s in self.scen:
            self.wstr(ws, r, 1, s.name, st("value"))
            self.wstr(ws, r, 2, PROCESS_LABELS[s.process], st("value"))
            self.wstr(ws, r, 3, s.notes, st("value", text_wrap=True))
            if len(s.notes) > 95:
                ws.set_row(r, 15 * min(6, 1 + len(s.notes) // 95))
            r += 1
        r += 1
        # legend
        self.wstr(ws, r, 1, "Colour legend", st("section"))
        ws.write_blank(r, 2, None, st("section"))
        ws.write_blank(r, 3, None, st("section"))
        r += 1
        legend = [
            (st("input", "#,##0"), 1234, "Input: blue on pale yellow, unlocked. Change these."),
            (st("link", "#,##0"), 1234, "Link: green, a value brought over from another sheet (a formula)."),
            (st("calc", "#,##0"), 1234, "Calculation: black, a live formula. Do not overwrite."),
            (st("na"), "n/a", "Grey: does not apply to that scenario's process (autologous or allogeneic)."),
            (self.wb.add_format({"font_name": FONT, "font_size": 10, "bg_color": OK_FILL, "font_color": OK_FONT, "align": "center", "border": 1, "border_color": "#D9D9D9"}), 0, "Check: 0 on green when it holds, red when it fails."),
        ]
        for fmt, sample, text in legend:
            if isinstance(sample, str):
                self.wstr(ws, r, 2, sample, fmt)
            else:
                ws.write_number(r, 2, sample, fmt)
            self.wstr(ws, r, 3, text, st("text"))
            r += 1
        r += 1
        self.wstr(ws, r, 1, "How to edit and send back", st("section"))
        ws.write_blank(r, 2, None, st("section"))
        ws.write_blank(r, 3, None, st("section"))
        r += 1
        steps = [
            "Change the blue-on-yellow cells on the Inputs sheet (and, for ranges, on the Uncertainty sheet). Each input shows its unit, valid range and source; values outside the range are refused.",
            "Calculations, Results and Checks follow as you type. Sweep holds values computed at export; the consultant refreshes it when reading the workbook back.",
            "You may add notes, new columns, rows and sheets, and insert rows. Keep the Key column and the scenario names in the Inputs header row: the app reads inputs by them.",
            "Keep the Master check at 0 (see the Checks sheet). Sheets are protected without a password only to prevent accidental overwrites.",
            "Save as an Excel workbook (.xlsx, not .xlsm or .xls) and send the file back to your consultant.",
        ]
        for i, text in enumerate(steps, 1):
            self.wstr(ws, r, 1, f"{i}.", st("text", align="right"))
            ws.merge_range(r, 2, r, 3, text, st("wrap"))
            ws.set_row(r, 28)
            r += 1
        r += 1
        self.wstr(ws, r, 1, "Sheets", st("section"))
        ws.write_blank(r, 2, None, st("section"))
        ws.write_blank(r, 3, None, st("section"))
        r += 1
        sheets = [
            (SHEET_INPUTS, "every parameter, one column per scenario, with unit, valid range and source"),
            (SHEET_UNCERTAINTY, "distributions and rank correlations of inputs, for Monte Carlo and tornado"),
            (SHEET_CALC, "every intermediate quantity of the model as a live formula"),
            (SHEET_RESULTS, "every result as a formula, with a chart of the cost breakdown per dose"),
            (SHEET_SWEEP, "cost of goods per dose against demand (values at export), with a chart"),
        ]
        if self.ws_mc is not None:
            sheets += [(SHEET_MC, "Monte Carlo summaries (values at export)"), (SHEET_TORNADO, "one-at-a-time sensitivity (values at export)")]
        sheets.append((SHEET_CHECKS, "integrity checks, 0 when they hold, and the master check"))
        for name, text in sheets:
            ws.write_url(r, 1, f"internal:'{name}'!A1", string=name, cell_format=st("text", font_color="#0563C1", underline=1))
            self.wstr(ws, r, 2, text, st("text"))
            r += 1
        ws.set_landscape()
        ws.fit_to_pages(1, 1)


def _analysis_module():
    """cgtdesk.core.analysis when it offers what the analysis sheets need, else None."""
    try:
        from cgtdesk.core import analysis
    except ImportError:
        return None
    needed = ("monte_carlo", "tornado")
    return analysis if all(hasattr(analysis, n) for n in needed) else None


def workbook_bytes(project: Project, *, now: _dt.datetime | None = None, analyses: bool = True) -> bytes:
    """The workbook of ``project`` as bytes (raises DomainError for a scenario that cannot be computed)."""
    return _Export(project, now, analyses).build()


def export_workbook(project: Project, path: str | os.PathLike, *, now: _dt.datetime | None = None, analyses: bool = True) -> None:
    """Write the workbook of ``project`` to ``path`` atomically."""
    atomic_write_bytes(path, workbook_bytes(project, now=now, analyses=analyses))


__all__ = ["export_workbook", "workbook_bytes", "formula_functions", "Scenario"]
