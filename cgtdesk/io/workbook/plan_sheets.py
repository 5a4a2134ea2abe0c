"""The launch plan in the workbook (docs/workbook.md, "Plan"): the ``Plan`` sheet, years across
the columns, and ``PlanSummary``, laid out like ``Results``.

The Plan sheet's row keyed ``plan.patients_per_year`` holds the demand path as input cells a
client may edit; :mod:`cgtdesk.io.workbook.plan_reader` reads it back (with the plan's own
inputs and switches, keyed in the same ``Key`` column). Every cell of the blocks per scenario
and per switch, and of PlanSummary, is a live formula over the demand row and the scenario's
column of the Calculations sheet (the rows: :mod:`cgtdesk.io.workbook.plan_formulas`), carrying
the app's value as its cached result. A switch's block holds two hidden sub-blocks, the source
scenario on the demand before the switch year and the target on the demand from it, and sums them.
"""

from __future__ import annotations

import numpy as np

from cgtdesk.core.analyses.plan import PLAN_RESULTS, plan
from cgtdesk.core.analyses.plan_engine import TABLE_FIELDS, demand_path, plan_arrays
from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.io.workbook.book import Book
from cgtdesk.io.workbook.calc_rows import AUTO, fill
from cgtdesk.io.workbook.calc_volume import SL_WINDOW
from cgtdesk.io.workbook.layout import H_KEY, SHEET_PLAN, SHEET_PLAN_SUMMARY, cell_ref, excel_text
from cgtdesk.io.workbook.plan_formulas import Spec, scenario_specs, scenario_values, switch_specs

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
KEY_YEAR_NUMBER = "year_number"
KEY_OFFSETS = "sl_offset"


def add_sheets(b: Book) -> None:
    """The two plan sheets, after Results in tab order (none without a plan); as
    :meth:`Book.sheet` does, with the plan's tab colour."""
    if b.project.plan is None:
        return
    for name in (SHEET_PLAN, SHEET_PLAN_SUMMARY):
        b.sheet(name, tab=TAB_PLAN)


def write_plan(b: Book) -> None:
    """The Plan and PlanSummary sheets (nothing when the project holds no plan)."""
    if b.project.plan is None:
        return
    result = plan(b.project)
    sheet = _Sheet(b, result)
    sheet.write()
    _write_summary(b, sheet.summary_refs)


class _Ctx:
    """Where a block's names are: its rows and scalars, its sub-blocks (``A.``, ``B.``), its
    parent's rows, the sheet's rows and the scenario's Calculations column."""

    def __init__(self, sheet, j=None, parent=None):
        self.sheet, self.j, self.parent = sheet, j, parent
        self.rows: dict = {}
        self.scalars: dict = {}
        self.subs: dict = {}

    def local(self, name: str, c: int) -> str | None:
        s = self.sheet
        for pre, ctx in self.subs.items():
            if name.startswith(pre + "."):
                return ctx.ref(name[len(pre) + 1 :], c)
        name = _ALIAS.get(name, name)
        for pre, dc in (("prev_", -1), ("next_", 1)):
            if name.startswith(pre) and name[len(pre) :] in self.rows:
                return cell_ref(self.rows[name[len(pre) :]], c + dc)
        if name.startswith("rng_"):
            r = self.rows.get(name[4:])
            if r is not None:
                return f"{cell_ref(r, C0, True)}:{cell_ref(r, s.last, True)}"
        if name in self.rows:
            return cell_ref(self.rows[name], c)
        if name in self.scalars:
            return cell_ref(self.scalars[name], C0, True)
        return None

    def ref(self, name: str, c: int) -> str:
        ctx = self
        while ctx is not None:
            got = ctx.local(name, c)
            if got is not None:
                return got
            ctx = ctx.parent
        s = self.sheet
        name = _ALIAS.get(name, name)
        if name.startswith("rng_") and name[4:] in s.rows:
            r = s.rows[name[4:]]
            return f"{cell_ref(r, C0, True)}:{cell_ref(r, s.last + (s.window - s.T if name == 'rng_off' else 0), True)}"
        if name in s.rows:
            return cell_ref(s.rows[name], c)
        if self.j is None:
            raise KeyError(name)
        return s.b.calc_ref(name, self.j)


_ALIAS = {"P": "planning_patients", "Dd": "doses"}


class _Sheet:
    def __init__(self, b: Book, result):
        self.b, self.result = b, result
        self.ws, self.st, self.p = b.sheets[SHEET_PLAN], b.st, b.project.plan
        self.T = self.p.years
        self.last = C0 + self.T - 1
        self.window = SL_WINDOW
        self.rows: dict = {}  # sheet rows: t, D (the demand row), off
        self.summary_refs: list = []  # per series: name cell formula parts and the rows the summary needs
        self.D = demand_path(self.p)
        self.k = self.p.look_ahead_years

    def write(self) -> None:
        b, ws, st, p = self.b, self.ws, self.st, self.p
        note = (
            "The demand row (blue on pale yellow) is the plan's input: edit it and send the workbook back; the app reads it. "
            "Every block below and the PlanSummary sheet are live formulas over the demand row, the Calculations and Inputs sheets. "
            "The plan's own inputs above the years (first year, look-ahead, switches) are fixed at export."
        )
        if "patients_per_year" not in p.demand:
            note += " The demand path was computed from the S-curve shown; editing the row turns the plan into an explicit path."
        b.title(ws, "Launch plan", note)
        r = self._inputs(3)
        hr = r + 1
        self.header = hr
        for c, h in enumerate(("Quantity", H_KEY, "Unit")):
            b.wstr(ws, hr, c, h, st("header"))
        for i, y in enumerate(self.result.years):
            ws.write_number(hr, C0 + i, int(y), st("header", "0", align="center"))
        r = hr + 1
        self._label(r, "Patients per year (demand, every scenario)", KEY_DEMAND, "patients/yr", "bold")
        for i, v in enumerate(self.result.patients):
            ws.write_number(r, C0 + i, float(v), st("input", "#,##0.0###"))
        ws.data_validation(r, C0, r, self.last, {"validate": "decimal", "criteria": ">=", "value": 0})
        self.rows["D"] = self.rows["Dsheet"] = r
        r += 1
        self._label(r, "Year number (1 in the first year)", KEY_YEAR_NUMBER, "", "muted")
        first = cell_ref(self.first_year_row, C0, True)
        for i in range(self.T):
            b.formula(ws, r, C0 + i, f"{cell_ref(hr, C0 + i)}-{first}+1", i + 1, st("calc", "0"))
        self.rows["t"] = r
        r += 1
        if any(s.process == AUTO for s in b.scen):
            self._label(r, "Service-level candidates: offsets from the first candidate", KEY_OFFSETS, "devices", "muted")
            for i in range(self.window):
                ws.write_number(r, C0 + i, i, st("value", "0"))
            ws.set_row(r, None, None, {"level": 1, "hidden": True})
            self.rows["off"] = r
            r += 1
        r += 1
        for j, s in enumerate(b.scen):
            r = self._scenario(r, j, s, self.result.scenarios[j])
        for sw in self.result.switches:
            r = self._switch(r, sw)
        ws.set_column(0, 0, 44)
        ws.set_column(1, 1, 26)
        ws.set_column(2, 2, 14)
        ws.set_column(C0, self.last, 14)
        ws.freeze_panes(hr + 1, C0)

    def _inputs(self, r: int) -> int:
        b, ws, st, p = self.b, self.ws, self.st, self.p
        for c, h in enumerate(("Plan input", H_KEY, "Unit")):
            b.wstr(ws, r, c, h, st("header"))
        ws.write_string(r, C0, "Value", st("header"))
        r += 1
        values = {"plan.first_year": p.first_year, "plan.years": p.years, "plan.look_ahead_years": p.look_ahead_years}
        if "patients_per_year" not in p.demand:
            d = p.demand
            values.update({f"plan.{k}": d[k] for k in ("launch_year", "peak_patients_per_year", "years_to_peak")})
        for key, v in values.items():
            label, unit = PLAN_KEYS[key]
            self._label(r, label, key, unit, "text")
            ws.write_number(r, C0, v, st("value", "0" if float(v).is_integer() else "#,##0.0###"))
            if key == "plan.first_year":
                self.first_year_row = r
            r += 1
        self.switch_rows = []
        names = [s.name for s in b.scen]
        for sw in p.switches:
            self._label(r, "Switch: from, to, calendar year", KEY_SWITCH, "scenario, scenario, year", "text")
            b.name_cell(ws, r, C0, names.index(sw["from"]), st("calc", align="center"))
            b.name_cell(ws, r, C0 + 1, names.index(sw["to"]), st("calc", align="center"))
            ws.write_number(r, C0 + 2, sw["year"], st("value", "0"))
            self.switch_rows.append(r)
            r += 1
        return r

    def _label(self, r, label, key, unit, style) -> None:
        b = self.b
        b.wstr(self.ws, r, 0, label, self.st(style))
        b.wstr(self.ws, r, 1, key, self.st("key"))
        b.wstr(self.ws, r, 2, b.unit(unit), self.st("muted"))

    # -------- blocks
    def _rows(self, ctx: _Ctx, r: int, specs, values: dict, *, hide_all: bool = False, show=()) -> int:
        """Lay out ``specs`` from row ``r`` (registering each in ``ctx``), then write them."""
        placed = []
        for sp in specs:
            (ctx.scalars if sp.scalar else ctx.rows)[sp.id] = r
            placed.append((sp, r))
            r += 1
        for sp, rr in placed:
            self._write_row(ctx, sp, rr, values, hidden=hide_all or (sp.hidden and sp.id not in show))
        return r

    def _write_row(self, ctx: _Ctx, sp: Spec, r: int, values: dict, hidden: bool) -> None:
        ws, st = self.ws, self.st
        label, unit, kind = FIELD_ROWS.get(sp.id, (sp.label, sp.unit, sp.kind))
        self._label(r, label, sp.id, unit, "bold" if sp.id in ("cost", "cumulative_cash") else ("muted" if sp.hidden else "text"))
        if hidden:
            ws.set_row(r, None, None, {"level": 1, "hidden": True})
        cols = [C0] if sp.scalar else range(C0, self.last + 1)
        for c in cols:
            i = c - C0
            if sp.id == "planning_patients":
                D = ctx.ref("D", c)
                end = ctx.ref("D", min(self.last, c + self.k))
                f = f"MAX({D}:{end})" if end != D else f"MAX({D})"
            else:
                t = sp.first if (i == 0 and sp.first) else (sp.last if (c == self.last and sp.last) else sp.formula)
                f = fill(t, lambda name, c=c: ctx.ref(name, c))
            v = values[sp.id]
            v = float(v) if sp.scalar else float(v[i])
            self.b.formula(
                ws, r, c, f, v, st("calc_bold" if sp.id in ("cost",) else "calc", st.nf("general" if abs(v) >= 1e99 else kind, v))
            )

    def _scenario(self, r: int, j: int, s, series) -> int:
        self.b.section(self.ws, r, "", self.last)
        self.b.name_cell(self.ws, r, 0, j, self.st("section"))
        ctx = _Ctx(self, j)
        values = scenario_values(s, self.D, self.k, series.table)
        specs = [Spec("patients", "", "", "", "{D}", hidden=False), *scenario_specs(s.process)]
        r = self._rows(ctx, r + 1, specs, values)
        self.summary_refs.append((("scenario", j), ctx, series))
        return r + 1

    def _switch(self, r: int, sw) -> int:
        b, ws = self.b, self.ws
        names = [s.name for s in b.scen]
        ja, jb = names.index(sw.source), names.index(sw.target)
        A, B = b.scen[ja], b.scen[jb]
        i = self.result.switches.index(sw)
        b.section(ws, r, "", self.last)
        self._switch_name(r, 0, ja, jb, i)
        r += 1
        ctx = _Ctx(self)
        ctx.scalars["y"] = r
        y_cell = cell_ref(self.switch_rows[i], C0 + 2, True)
        first = cell_ref(self.first_year_row, C0, True)
        y = sw.year - self.p.first_year + 1
        self._label(r, "Switch year (year number)", "switch_year", "", "muted")
        b.formula(ws, r, C0, f"{y_cell}-{first}+1", y, self.st("calc", "0"))
        ws.set_row(r, None, None, {"level": 1, "hidden": True})
        r += 1
        t = np.arange(1, self.T + 1)
        for pre, jj, scen, mask in (("A", ja, A, t < y), ("B", jb, B, t >= y)):
            sub = _Ctx(self, jj, parent=ctx)
            ctx.subs[pre] = sub
            Dm = np.where(mask, self.D, 0.0)
            arrays = plan_arrays(scen.process, scen.parameters, Dm, self.k)
            table = {f: arrays[f][0] for f in TABLE_FIELDS}
            values = scenario_values(scen, Dm, self.k, table)
            op = "<" if pre == "A" else ">="
            d = Spec(
                "D",
                f"Demand {'before' if pre == 'A' else 'from'} the switch ({scen.name})",
                "patients/yr",
                "num2",
                f"IF({{t}}{op}{{y}},{{Dsheet}},0)",
            )
            values["D"] = Dm
            r = self._rows(sub, r, [d, *scenario_specs(scen.process)], values, hide_all=True)
        ctx.subs_j = (ja, jb)
        vals = {f: v for f, v in sw.series.table.items() if v is not None}
        vals["discount_factor"] = (1.0 + A.parameters["finance.discount_rate"]) ** -t.astype(float)
        specs = [Spec("patients", "", "", "", "{D}", hidden=False), *switch_specs(A.process == B.process)]
        r = self._rows(ctx, r, specs, vals)
        self.summary_refs.append((("switch", i), ctx, sw.series))
        return r + 1

    def _switch_name(self, r: int, c: int, ja: int, jb: int, i: int, ws=None, fmt=None) -> None:
        b = self.b
        ws = ws or self.ws
        y = cell_ref(self.switch_rows[i], C0 + 2, True)
        sw = self.result.switches[i]
        f = f"{b.name_ref(ja)}&{excel_text(' -> ')}&{b.name_ref(jb)}&{excel_text(' in ')}&{SHEET_PLAN}!{y}"
        b.formula(ws, r, c, f, sw.label, fmt or self.st("section"))


def _write_summary(b: Book, refs) -> None:
    ws, st = b.sheets[SHEET_PLAN_SUMMARY], b.st
    b.title(ws, "Launch plan: summary", "Each scenario's and each switch's plan results: formulas over the Plan sheet.")
    hr = 3
    ws.set_row(hr, 30)
    for c, h in enumerate(SUMMARY_HEADERS):
        b.wstr(ws, hr, c, h, st("header"))
    hfmt = st("header", align="center")
    for col, ((kind, idx), ctx, _series) in enumerate(refs):
        if kind == "scenario":
            b.name_cell(ws, hr, C0 + col, idx, hfmt)
        else:
            ja, jb = ctx.subs_j
            ctx.sheet._switch_name(hr, C0 + col, ja, jb, idx, ws=ws, fmt=hfmt)
    for i, key in enumerate(PLAN_RESULTS):
        r = hr + 1 + i
        label, unit, kind = SUMMARY_ROWS[key]
        b.wstr(ws, r, 0, label, st("text"))
        b.wstr(ws, r, 1, key, st("key"))
        b.wstr(ws, r, 2, b.unit(unit), st("muted"))
        for col, (_k, ctx, series) in enumerate(refs):

            def rng(name, ctx=ctx):
                return f"{SHEET_PLAN}!" + ctx.ref("rng_" + name, C0)

            f = {
                "npc": f"SUMPRODUCT({rng('cost')},{rng('discount_factor')})",
                "levelised_cogs_per_dose": (
                    f"IF(SUMPRODUCT({rng('doses')},{rng('discount_factor')})>0,"
                    f'SUMPRODUCT({rng("cost")},{rng("discount_factor")})/SUMPRODUCT({rng("doses")},{rng("discount_factor")}),"")'
                ),
                "npv_gross_profit": f"SUMPRODUCT({rng('revenue')},{rng('discount_factor')})-SUMPRODUCT({rng('cost')},{rng('discount_factor')})",
                "peak_funding": f"MAX(0,-MIN({rng('cumulative_cash')}))",
                "capex_cash": f"SUM({rng('capex')})",
                "startup_cash": f"SUM({rng('startup')})",
            }[key]
            v = series.summary[key]
            b.formula(ws, r, C0 + col, f, v, st("calc", st.nf(kind, v)) if v is not None else st("na"))
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 2, 12)
    ws.set_column(C0, C0 + len(refs) - 1, 22)
    ws.freeze_panes(hr + 1, C0)
