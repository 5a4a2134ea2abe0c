"""The launch plan in the workbook (docs/workbook.md, "Plan"): the ``Plan`` sheet, years across
the columns, and ``PlanSummary``, laid out like ``Results``.

The Plan sheet's row keyed ``plan.patients_per_year`` holds the demand path as input cells a
client may edit; :mod:`cgtdesk.io.workbook.plan_reader` reads it back (with the plan's own
inputs and switches, keyed in the same ``Key`` column). The blocks per scenario and per switch,
and PlanSummary, hold the app's values at export.
"""

from __future__ import annotations

import numpy as np

from cgtdesk import APP_NAME
from cgtdesk.core.analyses.plan import PLAN_RESULTS, SWITCH_FIELDS, TABLE_FIELDS, plan
from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.io.workbook.book import Book
from cgtdesk.io.workbook.layout import H_KEY, SHEET_PLAN, SHEET_PLAN_SUMMARY

#: the plan's own inputs shown above the years (key -> label, unit)
PLAN_KEYS = {
    "plan.first_year": ("First calendar year of the plan", "year"),
    "plan.years": ("Years in the plan", "years"),
    "plan.look_ahead_years": ("Look-ahead: capacity is sized for the largest demand this many years ahead", "years"),
    "plan.launch_year": ("S-curve: launch year", "year"),
    "plan.peak_patients_per_year": ("S-curve: peak demand", "patients/yr"),
    "plan.years_to_peak": ("S-curve: years to peak", "years"),
}
KEY_DEMAND = "plan.patients_per_year"
KEY_SWITCH = "plan.switch"
KEY_YEAR = "plan.year"
SUMMARY_HEADERS = ("Result", H_KEY, "Unit")
#: plan result -> (label, unit, number format kind)
SUMMARY_ROWS = {
    "npc": ("Net present cost", "{cur}", "money"),
    "levelised_cogs_per_dose": ("Levelised cost of goods per dose", "{cur}/dose", "money"),
    "npv_gross_profit": ("Net present value of gross profit", "{cur}", "money"),
    "peak_funding": ("Peak funding need", "{cur}", "money"),
    "capex_cash": ("Capital spent (net of the residual value)", "{cur}", "money"),
    "startup_cash": ("Start-up spent", "{cur}", "money"),
}
#: table field -> (label, unit, kind)
FIELD_ROWS = {
    "patients": ("Patients", "patients/yr", "num2"),
    "doses": ("Doses delivered", "doses/yr", "num2"),
    "planning_patients": ("Planning demand (largest over the look-ahead)", "patients/yr", "num2"),
    "units": ("Units installed, all sites", "units", "count"),
    "suites": ("Suites installed, all sites", "suites", "count"),
    "batches": ("Batches or lots started", "per yr", "num2"),
    "utilisation": ("Utilisation of installed units", "fraction", "fraction"),
    **{c: (c.capitalize(), "{cur}/yr", "money") for c in BREAKDOWN},
    "capex": ("Capital spent (cash; residual value credited in the last year)", "{cur}", "money"),
    "startup": ("Start-up: commissioning, validation, PPQ batches", "{cur}", "money"),
    "comparability": ("Comparability package of the switch", "{cur}", "money"),
    "cost": ("Cost", "{cur}", "money"),
    "revenue": ("Revenue", "{cur}", "money"),
    "cumulative_cash": ("Cumulative cash (revenue - cost)", "{cur}", "money"),
    "discount_factor": ("Discount factor, end of year", "factor", "factor"),
}
C0 = 3  # first year column
TAB_PLAN = "#548235"


def add_sheets(b: Book) -> None:
    """The two plan sheets, after Results in tab order (none without a plan); as
    :meth:`Book.sheet` does, with the plan's tab colour."""
    if b.project.plan is None:
        return
    for name in (SHEET_PLAN, SHEET_PLAN_SUMMARY):
        ws = b.wb.add_worksheet(name)
        ws.set_tab_color(TAB_PLAN)
        ws.hide_gridlines(2)
        ws.set_default_row(15)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer(f"&L&8{APP_NAME}: &A&R&8Page &P of &N")
        b.sheets[name] = ws


def write_plan(b: Book) -> None:
    """The Plan and PlanSummary sheets (nothing when the project holds no plan)."""
    if b.project.plan is None:
        return
    result = plan(b.project)
    series = [s for s in result.scenarios] + [sw.series for sw in result.switches]
    rates = [s.parameters["finance.discount_rate"] for s in b.scen]
    rates += [b.project.scenario(sw.source).parameters["finance.discount_rate"] for sw in result.switches]
    _write_plan_sheet(b, result, series, rates)
    _write_summary(b, series)


def _write_plan_sheet(b: Book, result, series, rates) -> None:
    ws, st, p = b.sheets[SHEET_PLAN], b.st, b.project.plan
    T = p.years
    last = C0 + T - 1
    scurve = "patients_per_year" not in p.demand
    note = (
        "The demand row (blue on pale yellow) is the plan's input: edit it and send the workbook back; the app reads it. "
        "The blocks below and the PlanSummary sheet hold the app's values at export: they do not follow an edit until the workbook is imported."
    )
    if scurve:
        note += " The demand path was computed from the S-curve shown; editing the row turns the plan into an explicit path."
    b.title(ws, "Launch plan", note)
    r = 3
    b.header_row(ws, r, ("Plan input", H_KEY, "Unit"), C0)
    ws.write_string(r, C0, "Value", st("header"))
    r += 1
    values = {"plan.first_year": p.first_year, "plan.years": p.years, "plan.look_ahead_years": p.look_ahead_years}
    if scurve:
        d = p.demand
        values.update({f"plan.{k}": d[k] for k in ("launch_year", "peak_patients_per_year", "years_to_peak")})
    for key, v in values.items():
        label, unit = PLAN_KEYS[key]
        b.wstr(ws, r, 0, label, st("text"))
        b.wstr(ws, r, 1, key, st("key"))
        b.wstr(ws, r, 2, unit, st("muted"))
        ws.write_number(r, C0, v, st("value", "0" if float(v).is_integer() else "#,##0.0###"))
        r += 1
    for sw in p.switches:
        b.wstr(ws, r, 0, "Switch: from, to, calendar year", st("text"))
        b.wstr(ws, r, 1, KEY_SWITCH, st("key"))
        b.wstr(ws, r, 2, "scenario, scenario, year", st("muted"))
        b.wstr(ws, r, C0, sw["from"], st("value"))
        b.wstr(ws, r, C0 + 1, sw["to"], st("value"))
        ws.write_number(r, C0 + 2, sw["year"], st("value", "0"))
        r += 1
    r += 1
    hr = r
    for c, h in enumerate(("Quantity", H_KEY, "Unit")):
        b.wstr(ws, hr, c, h, st("header"))
    for i, y in enumerate(result.years):
        ws.write_number(hr, C0 + i, int(y), st("header", "0", align="center"))
    r += 1
    b.wstr(ws, r, 0, "Patients per year (demand, every scenario)", st("bold"))
    b.wstr(ws, r, 1, KEY_DEMAND, st("key"))
    b.wstr(ws, r, 2, "patients/yr", st("muted"))
    for i, v in enumerate(result.patients):
        ws.write_number(r, C0 + i, float(v), st("input", "#,##0.0###"))
    ws.data_validation(r, C0, r, last, {"validate": "decimal", "criteria": ">=", "value": 0})
    r += 2
    for s, rate in zip(series, rates, strict=True):
        r = _block(b, ws, r, s, rate, last)
    ws.set_column(0, 0, 44)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 2, 14)
    ws.set_column(C0, last, 14)
    ws.freeze_panes(hr + 1, C0)


def _block(b: Book, ws, r: int, s, rate: float, last: int) -> int:
    """One scenario's (or switch's) table by year, values at export; returns the next free row."""
    st = b.st
    b.section(ws, r, f"{s.name} (values at export)", last)
    r += 1
    fields = [f for f in (TABLE_FIELDS if "planning_patients" in s.table else SWITCH_FIELDS) if s.table.get(f) is not None]
    T = len(s.table["patients"])
    disc = (1.0 + rate) ** -np.arange(1, T + 1, dtype=float)
    for f in [*fields, "discount_factor"]:
        label, unit, kind = FIELD_ROWS[f]
        vals = disc if f == "discount_factor" else s.table[f]
        b.wstr(ws, r, 0, label, st("bold" if f in ("cost", "cumulative_cash") else "text"))
        b.wstr(ws, r, 1, f, st("key"))
        b.wstr(ws, r, 2, b.unit(unit), st("muted"))
        for i, v in enumerate(vals):
            b.num(ws, r, C0 + i, float(v), st("value", st.nf(kind, float(v))))
        r += 1
    return r + 1


def _write_summary(b: Book, series) -> None:
    ws, st = b.sheets[SHEET_PLAN_SUMMARY], b.st
    b.title(ws, "Launch plan: summary", "Each scenario's and each switch's plan results, values at export (see the Plan sheet).")
    hr = 3
    ws.set_row(hr, 30)
    for c, h in enumerate(SUMMARY_HEADERS):
        b.wstr(ws, hr, c, h, st("header"))
    for j, s in enumerate(series):
        b.wstr(ws, hr, C0 + j, s.name, st("header", align="center"))
    for i, key in enumerate(PLAN_RESULTS):
        r = hr + 1 + i
        label, unit, kind = SUMMARY_ROWS[key]
        b.wstr(ws, r, 0, label, st("text"))
        b.wstr(ws, r, 1, key, st("key"))
        b.wstr(ws, r, 2, b.unit(unit), st("muted"))
        for j, s in enumerate(series):
            v = s.summary[key]
            if v is None:
                b.wstr(ws, r, C0 + j, "n/a", st("na"))
            else:
                b.num(ws, r, C0 + j, v, st("value", st.nf(kind, v)))
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 2, 12)
    ws.set_column(C0, C0 + len(series) - 1, 22)
    ws.freeze_panes(hr + 1, C0)
