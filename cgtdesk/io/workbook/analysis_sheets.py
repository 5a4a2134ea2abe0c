"""The analysis sheets: Sweep (cost per dose against demand), MonteCarlo and Tornado. They hold
values computed at export (not formulas), each with a native chart. See docs/workbook.md.
"""

from __future__ import annotations

import math

import numpy as np

from cgtdesk.core import analyses
from cgtdesk.core.analyses import presets
from cgtdesk.core.model import evaluate
from cgtdesk.io.workbook.book import Book
from cgtdesk.io.workbook.changes_sheet import stale_banner
from cgtdesk.io.workbook.layout import SHEET_MC, SHEET_SWEEP, SHEET_TORNADO
from cgtdesk.io.workbook.styles import NAVY, param_kind
from cgtdesk.palette import HIGH_COLOUR, LOW_COLOUR, scenario_colour

MC_SUMMARIES = ("mean", "sd", "p5", "p10", "p50", "p90", "p95")
MC_HEADS = (
    "Scenario",
    "Mean",
    "SD",
    "P5",
    "P10",
    "P50",
    "P90",
    "P95",
    "P(COGS <= max allowable)",
    "Valid samples",
    "Invalid samples",
)
TORNADO_BARS = 10
TORNADO_HEADS = (
    "Parameter",
    "Key",
    "Low input",
    "High input",
    "Result at low",
    "Result at high",
    "Swing",
    "Low - base",
    "High - base",
)


# ---------------------------------------------------------------- Sweep


def write_sweep(b: Book) -> None:
    ws, st = b.sheets[SHEET_SWEEP], b.st
    n = len(b.scen)
    demand = np.asarray(
        analyses.demand_grid(presets.WORKBOOK_SWEEP_LO, presets.WORKBOOK_SWEEP_HI, presets.WORKBOOK_SWEEP_POINTS), dtype=float
    )
    values = {}
    for s in b.scen:
        params = dict(s.parameters)
        params["demand.patients_per_year"] = demand
        values[s.name] = np.asarray(evaluate(s.process, params, strict=False)["cogs_per_dose"], dtype=float)
    b.title(
        ws,
        "Sweep: cost of goods per dose against demand",
        "Values computed by CGT Desk at export, every point evaluated (the steps are real capacity steps). Other inputs as on the Inputs sheet at export. Blank: no valid result.",
    )
    stale_banner(b, ws)
    hr = 3
    ws.set_row(hr, 30)
    b.wstr(ws, hr, 0, "Patients per year", st("header"))
    for j in range(n):
        b.name_cell(ws, hr, 1 + j, j, st("header", align="center"), suffix=f" ({b.cur}/dose)")
    money = st("value", st.money(0))
    for i, d in enumerate(demand):
        r = hr + 1 + i
        ws.write_number(r, 0, float(d), st("value", "#,##0"))
        for j, s in enumerate(b.scen):
            b.num(ws, r, 1 + j, values[s.name][i], money)
    last = hr + len(demand)
    ws.set_column(0, 0, 16)
    ws.set_column(1, n, 22)
    ws.freeze_panes(hr + 1, 1)
    chart = b.wb.add_chart({"type": "scatter", "subtype": "straight"})
    for j in range(n):
        chart.add_series(
            {
                "name": [SHEET_SWEEP, hr, 1 + j],
                "categories": [SHEET_SWEEP, hr + 1, 0, last, 0],
                "values": [SHEET_SWEEP, hr + 1, 1 + j, last, 1 + j],
                "line": {"color": scenario_colour(j), "width": 2.0},
                "marker": {"type": "none"},
            }
        )
    chart.set_title({"name": "Cost of goods per dose against demand", "name_font": {"size": 12, "bold": True, "color": NAVY}})
    chart.set_x_axis(
        {
            "name": "Patients per year (log scale)",
            "log_base": 10,
            "min": presets.WORKBOOK_SWEEP_LO,
            "max": presets.WORKBOOK_SWEEP_HI,
            "num_format": "#,##0",
            "major_gridlines": {"visible": True, "line": {"color": "#E7E6E6"}},
            "name_font": {"size": 9, "bold": False},
            "crossing": "min",
        }
    )
    chart.set_y_axis(
        {
            "name": f"{b.cur} per dose (log scale)",
            "log_base": 10,
            "num_format": "#,##0",
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            "name_font": {"size": 9, "bold": False},
            "crossing": "min",
        }
    )
    chart.set_legend({"position": "bottom", "font": {"size": 9}})
    chart.set_size({"width": 820, "height": 460})
    ws.insert_chart(hr, n + 2, chart, {"x_offset": 10})


# ---------------------------------------------------------------- Monte Carlo


def write_montecarlo(b: Book) -> None:
    ws, st = b.sheets[SHEET_MC], b.st
    n = len(b.scen)
    # the app's run (the Analyses view, the slides and the deck show the same figures)
    mc = analyses.monte_carlo(b.project, presets.MC_SAMPLES, presets.MC_SEED, results=presets.MC_RESULTS)
    b.title(
        ws,
        "Monte Carlo: cost of goods per dose",
        f"Values computed by CGT Desk at export: {presets.MC_SAMPLES:,} samples, seed {presets.MC_SEED}, distributions and rank correlations from the Uncertainty sheet "
        "(inputs without one stay at their value). Samples that make a scenario invalid are counted, not used.",
    )
    stale_banner(b, ws)
    hr = 3
    ws.set_row(hr, 30)
    for c, h in enumerate(MC_HEADS):
        b.wstr(ws, hr, c, h, st("header", align="center") if c else st("header"))
    by_name = {m.name: m for m in mc.scenarios}
    r = _mc_summaries(b, ws, hr + 1, by_name)
    width = max(n + 1, len(MC_HEADS))
    r = _mc_comparisons(b, ws, r + 1, mc, width)
    r = _mc_sensitivity(b, ws, r + 1, by_name, width)
    _mc_distribution(b, ws, r + 1, hr, by_name)
    ws.set_column(0, 0, 34)
    ws.set_column(1, max(len(MC_HEADS), 2 * n) - 1, 15)
    ws.set_column(8, 8, 16)
    ws.freeze_panes(hr + 1, 1)


def _mc_summaries(b: Book, ws, r: int, by_name: dict) -> int:
    st = b.st
    money = st("value", st.money(0))
    b.mc_name_row0 = r
    for j, s in enumerate(b.scen):
        m = by_name[s.name]
        summ = m.summaries.get("cogs_per_dose", {})
        b.name_cell(ws, r, 0, j, st("value"))
        for c, f in enumerate(MC_SUMMARIES, start=1):
            b.num(ws, r, c, summ.get(f), money)
        b.num(ws, r, 8, m.p_meets_target, st("value", "0.0%"))
        ws.write_number(r, 9, int(m.valid_samples), st("value", "#,##0"))
        ws.write_number(r, 10, int(m.invalid_samples), st("value", "#,##0"))
        r += 1
    return r


def _mc_comparisons(b: Book, ws, r: int, mc, width: int) -> int:
    """The probability that the column scenario is cheaper than the row scenario."""
    st = b.st
    b.section(ws, r, "P(column scenario cheaper per dose than row scenario)", width - 1)
    r += 1
    ws.set_row(r, 48)  # names wrap on up to three lines: printed whole
    b.wstr(ws, r, 0, "A \\ B", st("header"))
    for j in range(len(b.scen)):
        b.name_cell(ws, r, 1 + j, j, st("header", align="center"))
    pb = {(cmp.a, cmp.b): cmp.p_b_cheaper for cmp in mc.comparisons}
    r += 1
    for i, a in enumerate(b.scen):
        b.name_cell(ws, r, 0, i, st("value"))
        for j, s in enumerate(b.scen):
            if a.name == s.name:
                ws.write_blank(r, 1 + j, None, st("na"))
            else:
                b.num(ws, r, 1 + j, pb.get((a.name, s.name)), st("value", "0.0%"))
        r += 1
    return r


def _mc_sensitivity(b: Book, ws, r: int, by_name: dict, width: int) -> int:
    st = b.st
    b.section(ws, r, "Sensitivity: Spearman rank correlation of each uncertain input with the cost per dose", width - 1)
    r += 1
    b.wstr(ws, r, 0, "Scenario", st("header"))
    ws.merge_range(r, 1, r, 3, "Parameter", st("header"))
    ws.merge_range(r, 4, r, 6, "Key", st("header"))
    b.wstr(ws, r, 7, "Rank correlation", st("header"))
    r += 1
    for j, s in enumerate(b.scen):
        for key, rho in by_name[s.name].sensitivity[:10]:
            b.name_cell(ws, r, 0, j, st("value"))
            ws.merge_range(r, 1, r, 3, b.cat.parameters[key].label, st("value"))
            ws.merge_range(r, 4, r, 6, key, st("key"))
            b.num(ws, r, 7, rho, st("value", "0.00"))
            r += 1
    return r


def _mc_distribution(b: Book, ws, r: int, chart_row: int, by_name: dict) -> None:
    """The distribution table (share of samples per bin, two columns per scenario) and its chart."""
    st = b.st
    money = st("value", st.money(0))
    b.section(
        ws,
        r,
        f"Distribution of the cost per dose (share of valid samples per bin; bin centres in {b.cur}/dose)",
        2 * len(b.scen) - 1,
    )
    r += 1
    ws.set_row(r, 30)
    for j in range(len(b.scen)):
        b.name_cell(ws, r, 2 * j, j, st("header"), suffix=f": {b.cur}/dose")
        b.wstr(ws, r, 2 * j + 1, "share", st("header"))
    r += 1
    chart = b.wb.add_chart({"type": "scatter", "subtype": "straight"})
    for j, s in enumerate(b.scen):
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
        chart.add_series(
            {
                "name": [SHEET_MC, b.mc_name_row0 + j, 0],  # a cell: a name is never parsed as a reference
                "categories": [SHEET_MC, r, 2 * j, r + len(centres) - 1, 2 * j],
                "values": [SHEET_MC, r, 2 * j + 1, r + len(centres) - 1, 2 * j + 1],
                "line": {"color": scenario_colour(j), "width": 2.0},
                "marker": {"type": "none"},
            }
        )
    chart.set_title(
        {"name": "Monte Carlo: distribution of the cost per dose", "name_font": {"size": 12, "bold": True, "color": NAVY}}
    )
    chart.set_x_axis(
        {
            "name": f"{b.cur} per dose (log scale)",
            "log_base": 10,
            "num_format": "#,##0",
            "name_font": {"size": 9, "bold": False},
            "crossing": "min",
        }
    )
    chart.set_y_axis(
        {
            "name": "Share of samples",
            "num_format": "0%",
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            "name_font": {"size": 9, "bold": False},
        }
    )
    chart.set_legend({"position": "bottom", "font": {"size": 9}})
    chart.set_size({"width": 820, "height": 440})
    ws.insert_chart(chart_row, len(MC_HEADS) + 1, chart, {"x_offset": 10})


# ---------------------------------------------------------------- Tornado


def write_tornado(b: Book) -> None:
    ws, st = b.sheets[SHEET_TORNADO], b.st
    b.title(
        ws,
        "Tornado: cost of goods per dose, one input at a time",
        "Values computed by CGT Desk at export. Each input moved to its low and high value (from the Uncertainty sheet, else -/+20%), the others at base; the ten largest swings per scenario.",
    )
    stale_banner(b, ws)
    r = 3
    breaks = []
    for j, s in enumerate(b.scen):
        if j:
            breaks.append(r)  # each scenario's block and chart on a page of its own
        t = analyses.tornado(s, "cogs_per_dose")
        bars = [bar for bar in t.bars if not bar.invalid and math.isfinite(bar.swing)][:TORNADO_BARS]
        b.section(ws, r, "", len(TORNADO_HEADS) - 1)
        b.name_cell(ws, r, 0, j, st("section"), suffix=f": base {b.cur} {t.base:,.0f} per dose")
        title_cell = r
        r += 1
        hr = r
        for c, h in enumerate(TORNADO_HEADS):
            b.wstr(ws, r, c, h, st("header"))
        r += 1
        first = r
        for bar in bars:
            _tornado_row(b, ws, r, bar, t.base)
            r += 1
        height = max(220, 40 + 22 * (len(bars) + 3))
        if bars:
            _tornado_chart(b, ws, (hr, first, r - 1), title_cell, height)
        r = max(r, hr + int(height / 20) + 1) + 1
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 8, 15)
    ws.set_h_pagebreaks(breaks)


def _tornado_row(b: Book, ws, r: int, bar, base: float) -> None:
    st = b.st
    money = st("value", st.money(0))
    p = b.cat.parameters[bar.key]
    kind = param_kind(p)
    b.wstr(ws, r, 0, p.label, st("value"))
    b.wstr(ws, r, 1, bar.key, st("key"))
    b.num(ws, r, 2, bar.low, st("value", st.nf(kind, bar.low)))
    b.num(ws, r, 3, bar.high, st("value", st.nf(kind, bar.high)))
    b.num(ws, r, 4, bar.result_low, money)
    b.num(ws, r, 5, bar.result_high, money)
    b.num(ws, r, 6, bar.swing, money)
    b.num(ws, r, 7, bar.result_low - base, money)
    b.num(ws, r, 8, bar.result_high - base, money)


def _tornado_chart(b: Book, ws, rows: tuple[int, int, int], title_row: int, height: int) -> None:
    """The bars of rows ``first`` .. ``last``, titled by the cell at ``title_row`` (the scenario's
    name and base: a cell, so a name is never parsed as a reference)."""
    hr, first, last = rows
    chart = b.wb.add_chart({"type": "bar"})
    for c, series, color in ((7, "Input at low", LOW_COLOUR), (8, "Input at high", HIGH_COLOUR)):
        chart.add_series(
            {
                "name": series,
                "categories": [SHEET_TORNADO, first, 0, last, 0],
                "values": [SHEET_TORNADO, first, c, last, c],
                "fill": {"color": color},
                "border": {"none": True},
                "overlap": 100,
                "gap": 40,
            }
        )
    chart.set_title({"name": [SHEET_TORNADO, title_row, 0], "name_font": {"size": 11, "bold": True, "color": NAVY}})
    chart.set_x_axis(
        {"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}, "num_font": {"size": 8}}
    )
    chart.set_y_axis({"reverse": True, "num_font": {"size": 8}, "label_position": "low"})
    chart.set_legend({"position": "bottom", "font": {"size": 8}})
    chart.set_size({"width": 620, "height": height})
    ws.insert_chart(hr - 1, len(TORNADO_HEADS) + 1, chart, {"x_offset": 10})
