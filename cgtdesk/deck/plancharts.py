"""The launch plan's native PowerPoint charts, from :mod:`cgtdesk.chartdata.plan`.

Five slides, as the app's Launch plan view draws them: demand above installed capacity by year
(two charts whose years line up), annual cost by category stacked with capital and start-up as
their own series, cumulative cash of every scenario with each one's peak funding marked, net
present cost beside levelised cost per dose (two charts, one bar per scenario), and the net
present cost of each switch against the year it is made (the last category: never switching),
the cheapest year marked. Money stays in whole currency units in the embedded workbook (the
core's numbers); the axes show millions with the ``#,##0,,`` format.
"""

from __future__ import annotations

import math

import numpy as np
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE, XL_TICK_LABEL_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.util import Emu, Pt

from cgtdesk.chartdata.plan import short_money
from cgtdesk.core.formatting import format_value
from cgtdesk.deck.kit import (
    FONT_PT,
    LINE_PT,
    MONEY,
    CategoryData,
    add_chart,
    axis_title,
    cell,
    fill,
    label_every,
    numbers,
    plot_area,
    rgb,
    style,
)
from cgtdesk.palette import MEASURE_COLOURS, category_colour, scenario_colour

#: money in millions on an axis (the values stay whole currency units)
MILLIONS = "#,##0,,;-#,##0,,"
#: the light theme's colours of the app's plan charts: capital, start-up, planning demand
CAPEX_COLOUR = "#7F7F7F"
STARTUP_COLOUR = "#1A1A1A"
PLANNING_COLOUR = "#555555"
#: fractions of a chart's width left of its plot area (axis labels, title) and right of it (legend)
LEFT, RIGHT = 0.09, 0.24
#: the share of a chart's width a legend of scenario names takes at its right
NAMES = 0.36
#: the label of the last switch year
NEVER = "never"
#: at most about this many year labels on an axis (a 40-year plan: every third year)
YEAR_LABELS = 16


def year_labels(years) -> list[str]:
    return [str(int(y)) for y in years]


def year_ticks(chart, n: int, keep_last: bool = False) -> None:
    """Label every k-th of ``n`` years so that the labels stay level; ``keep_last``: a k that still
    labels the last category (never switching) when one close by does."""
    step = math.ceil(n / YEAR_LABELS)
    if keep_last:
        step = next((k for k in range(step, 2 * step + 1) if (n - 1) % k == 0), step)
    if step > 1:
        label_every(chart.category_axis, step)


def turned(n: int) -> float:
    """The share of a chart's height to leave below the plot for ``n`` year labels: LibreOffice
    turns crowded labels (and ignores the skip PowerPoint honours), so that they need more room."""
    return 0.08 if n > YEAR_LABELS else 0.0


def cost_colour(category: str) -> str:
    if category == "capex":
        return CAPEX_COLOUR
    if category in ("startup", "comparability"):
        return STARTUP_COLOUR
    return category_colour(category)


def split(box, share: float, vertical: bool, gap: int = 0):
    """Two boxes from ``box``: the first takes ``share`` of its height (``vertical``) or width."""
    x, y, cx, cy = (int(v) for v in box)
    if vertical:
        first = int(cy * share)
        return (Emu(x), Emu(y), Emu(cx), Emu(first)), (Emu(x), Emu(y + first + gap), Emu(cx), Emu(cy - first - gap))
    first = int(cx * share)
    return (Emu(x), Emu(y), Emu(first), Emu(cy)), (Emu(x + first + gap), Emu(y), Emu(cx - first - gap), Emu(cy))


def line_chart(
    shapes, box, categories, series, number_format: str, y_title: str, x_title: str | None = "Year", legend: str | None = "bottom"
):
    """Lines over categories: ``series`` holds (name, values, colour, dashed) each; ``legend``:
    "bottom", "right" or None."""
    cd = CategoryData(number_format=number_format)
    cd.categories = categories
    for name, values, _colour, _dashed in series:
        cd.add_series(name, [cell(v) for v in values])
    chart = add_chart(shapes, XL_CHART_TYPE.LINE_MARKERS, box, cd)
    style(chart, legend is not None, XL_LEGEND_POSITION.RIGHT if legend == "right" else XL_LEGEND_POSITION.BOTTOM)
    for s, (_n, _v, colour, dashed) in zip(chart.plots[0].series, series, strict=True):
        s.smooth = False
        s.format.line.color.rgb = rgb(colour)
        s.format.line.width = Pt(LINE_PT)
        s.marker.style = XL_MARKER_STYLE.NONE
        if dashed:
            s.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    va = chart.value_axis
    numbers(va, number_format)
    va.has_major_gridlines = True
    axis_title(va, y_title)
    ca = chart.category_axis
    ca.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # below the plot when values go negative
    ca.tick_labels.font.size = Pt(FONT_PT)
    if x_title:
        axis_title(ca, x_title)
    return chart


def mark(point, colour: str, symbol=XL_MARKER_STYLE.TRIANGLE, size: int = 11, text: str | None = None, where=None):
    """A marker on one point, with a label of ``text`` at ``where`` (below by default) when given."""
    point.marker.style = symbol
    point.marker.size = size
    fill(point.marker.format, colour)
    point.marker.format.line.color.rgb = rgb(colour)
    if text:
        label = point.data_label
        label.has_text_frame = True
        label.text_frame.text = text
        label.position = XL_LABEL_POSITION.BELOW if where is None else where  # ABOVE is 0
        for p in label.text_frame.paragraphs:
            for r in p.runs:
                r.font.size = Pt(FONT_PT)
                r.font.bold = True
                r.font.color.rgb = rgb(colour)


# ---------------------------------------------------------------- demand and installed capacity


def draw_plan_capacity(shapes, box, d, project=None):
    """Patients and planning demand above, installed units and suites below, years aligned."""
    top, bottom = split(box, 0.5, vertical=True)
    years = year_labels(d.years)
    demand = line_chart(
        shapes,
        top,
        years,
        [
            ("Patients", d.patients, scenario_colour(0), False),
            ("Planning demand (look-ahead)", d.planning_patients, PLANNING_COLOUR, True),
        ],
        "#,##0",
        "Patients/yr",
        x_title=None,
        legend="right",
    )
    installed = line_chart(
        shapes,
        bottom,
        years,
        [
            (f"Installed {d.unit_label}", d.units, MEASURE_COLOURS["units"], False),
            ("Installed suites", d.suites, MEASURE_COLOURS["suites"], False),
        ],
        "#,##0",
        "Installed",
        legend="right",
    )
    for chart in (demand, installed):
        year_ticks(chart, len(years))
    extra = 2 * turned(len(years))  # half the height: twice the share
    plot_area(demand, LEFT, 0.05, 1 - LEFT - RIGHT, 0.82 - extra)
    plot_area(installed, LEFT, 0.05, 1 - LEFT - RIGHT, 0.68 - extra)
    return demand, installed


# ---------------------------------------------------------------- annual cost by category


def draw_plan_cost(shapes, box, d, project=None):
    cd = CategoryData(number_format=MONEY)
    cd.categories = year_labels(d.years)
    for label, row in zip(d.labels, d.values, strict=True):
        cd.add_series(label, [cell(v) for v in row])
    chart = add_chart(shapes, XL_CHART_TYPE.COLUMN_STACKED, box, cd)
    style(chart, True, XL_LEGEND_POSITION.RIGHT)
    plot = chart.plots[0]
    plot.gap_width = 40
    plot.overlap = 100
    for series, category in zip(plot.series, d.categories, strict=True):
        fill(series.format, cost_colour(category))
    va = chart.value_axis
    numbers(va, MILLIONS)
    va.has_major_gridlines = True
    axis_title(va, f"Cost ({d.currency} M/yr)")
    ca = chart.category_axis
    ca.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # a residual-value credit goes below zero
    axis_title(ca, "Year")
    year_ticks(chart, len(d.years))
    plot_area(chart, 0.07, 0.04, 0.62, 0.8 - turned(len(d.years)))
    return chart


# ---------------------------------------------------------------- cumulative cash


def draw_plan_cash(shapes, box, d, project=None):
    series = [
        (name, d.cumulative[name], scenario_colour(i), d.processes[i] == "allogeneic") for i, name in enumerate(d.scenarios)
    ]
    chart = line_chart(shapes, box, year_labels(d.years), series, MILLIONS, f"Cumulative cash ({d.currency} M)", legend="right")
    marked = [n for n in d.scenarios if d.peak_year[n] is not None and _finite(d.peak_funding[n])]
    deepest = max(marked, key=lambda n: d.peak_funding[n]) if marked else None
    for i, (name, s) in enumerate(zip(d.scenarios, chart.plots[0].series, strict=True)):
        if name not in marked:
            continue
        k = d.peak_year[name] - int(d.years[0])
        text = f"peak funding\n{short_money(d.peak_funding[name], d.currency)}" if name == deepest else None
        where = XL_LABEL_POSITION.RIGHT if (k + 0.5) / len(d.years) < 0.12 else XL_LABEL_POSITION.BELOW  # off the axis
        mark(s.points[k], scenario_colour(i), text=text, where=where)
    year_ticks(chart, len(d.years))
    plot_area(chart, LEFT, 0.04, 1 - LEFT - NAMES, 0.8 - turned(len(d.years)))
    return chart


def _finite(x) -> bool:
    return x is not None and math.isfinite(x)


# ---------------------------------------------------------------- net present cost and levelised cost


def scenario_bars(shapes, box, d, values, name: str, number_format: str, title: str, labels, names: bool):
    """One horizontal bar per scenario (first on top) in its colour, each labelled with ``labels``."""
    cd = CategoryData(number_format=number_format)
    cd.categories = list(reversed(d.scenarios))  # a bar chart draws its first category at the bottom
    cd.add_series(name, [cell(v) for v in reversed(values.tolist())])
    chart = add_chart(shapes, XL_CHART_TYPE.BAR_CLUSTERED, box, cd)
    style(chart, legend=False)
    plot = chart.plots[0]
    plot.gap_width = 50
    n = len(d.scenarios)
    for k, point in enumerate(plot.series[0].points):
        i = n - 1 - k
        fill(point.format, scenario_colour(i))
        if _finite(values[i]):
            label = point.data_label
            label.has_text_frame = True
            label.text_frame.text = labels[i]
            label.position = XL_LABEL_POSITION.OUTSIDE_END
            for r in label.text_frame.paragraphs[0].runs:
                r.font.size = Pt(FONT_PT)
    va = chart.value_axis
    numbers(va, number_format)
    va.has_major_gridlines = True
    va.minimum_scale = 0
    finite = [float(v) for v in values if _finite(v)]
    if finite and max(finite) > 0:
        va.maximum_scale = max(finite) * 1.35  # room for the labels beside the bars
    axis_title(va, title)
    ca = chart.category_axis
    ca.tick_labels.font.size = Pt(FONT_PT)
    if not names:
        ca.tick_label_position = XL_TICK_LABEL_POSITION.NONE
    return chart


def draw_plan_npc(shapes, box, d, project=None):
    """Net present cost (left, with the scenarios' names) beside levelised cost per dose (right)."""
    left, right = split(box, 0.6, vertical=False)
    npc = scenario_bars(
        shapes,
        left,
        d,
        d.npc,
        f"Net present cost ({d.currency})",
        MILLIONS,
        f"Net present cost over {d.span} ({d.currency} M)",
        [short_money(v, d.currency) for v in d.npc],
        names=True,
    )
    dose = scenario_bars(
        shapes,
        right,
        d,
        d.levelised,
        f"Levelised cost per dose ({d.currency})",
        MONEY,
        f"Levelised cost per dose ({d.currency})",
        [format_value(v, "money", d.currency) if _finite(v) else "" for v in d.levelised],
        names=False,
    )
    plot_area(npc, 0.36, 0.03, 0.6, 0.82)
    plot_area(dose, 0.03, 0.03, 0.92, 0.82)
    return npc, dose


# ---------------------------------------------------------------- the switch analysis


def switch_categories(c) -> list[str]:
    """The switch years, the last one (one year after the plan) labelled as never switching."""
    return [*year_labels(c.years[:-1]), NEVER]


def point_label(word: str, year: int, i: int, n: int) -> str:
    """``best: 2030`` above a point; on two lines at either end of the axis, narrow enough to stay inside the plot."""
    return f"{word}\n{year}" if i in (0, n - 1) else f"{word}: {year}"


def draw_plan_switch(shapes, box, d, project=None):
    first = d.switches[0]
    series = [(c.label, c.npc, scenario_colour(k), False) for k, c in enumerate(d.switches)]
    chart = line_chart(
        shapes,
        box,
        switch_categories(first),
        series,
        MILLIONS,
        f"Net present cost ({d.currency} M)",
        x_title="Switch year (the last: never switching)",
    )
    for k, (c, s) in enumerate(zip(d.switches, chart.plots[0].series, strict=True)):
        colour = scenario_colour(k)
        s.marker.style = XL_MARKER_STYLE.CIRCLE
        s.marker.size = 5
        fill(s.marker.format, colour)
        s.marker.format.line.color.rgb = rgb(colour)
        years = list(c.years)
        best = years.index(c.best_year) if c.best_year is not None and np.isfinite(c.npc[years.index(c.best_year)]) else None
        if best is not None:
            text = point_label("best", c.best_year, best, len(years))
            mark(s.points[best], colour, XL_MARKER_STYLE.DIAMOND, 13, text, XL_LABEL_POSITION.ABOVE)
        if c.planned_year != c.best_year:
            i = years.index(c.planned_year)
            near = best is not None and abs(i - best) < max(3, len(years) / 6)  # below, off the best year's label
            where = XL_LABEL_POSITION.BELOW if near else XL_LABEL_POSITION.ABOVE
            mark(s.points[i], colour, XL_MARKER_STYLE.CIRCLE, 11, point_label("plan", c.planned_year, i, len(years)), where)
    year_ticks(chart, len(first.years), keep_last=True)
    plot_area(chart, LEFT, 0.04, 1 - LEFT - 0.03, 0.7 - turned(len(first.years)))
    return chart


#: chart id -> its drawing function (shapes, box, data, project) -> the chart or the slide's charts
DRAW = {
    "plan-capacity": draw_plan_capacity,
    "plan-cost": draw_plan_cost,
    "plan-cash": draw_plan_cash,
    "plan-npc": draw_plan_npc,
    "plan-switch": draw_plan_switch,
}
