"""Native PowerPoint charts from the app's chart data: data embedded, editable in PowerPoint.

One function per chart of :mod:`cgtdesk.chartdata.registry` (:data:`DRAW`, by chart id) adds a
chart (or, for a slide of two panels, its charts) to a slide inside a box and returns it. The
series are the ones the app shows (scenarios, cost categories, capacity measures, low/high
inputs), in the app's palette (:mod:`cgtdesk.palette`), with the same numbers: nothing is
computed here but the offsets that let stacked bars float (the waterfall). The launch plan's
charts are in :mod:`.plancharts`; the building blocks in :mod:`.kit`.
"""

from __future__ import annotations

import math

import numpy as np
from pptx.enum.chart import XL_CHART_TYPE, XL_TICK_LABEL_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.util import Pt

from cgtdesk.chartdata import CAPACITY_MEASURES, unit_word
from cgtdesk.core.formatting import format_value
from cgtdesk.deck import plancharts
from cgtdesk.deck.kit import (
    FONT_PT,
    GREY,
    LINE_PT,
    MONEY,
    CategoryData,
    XyData,
    add_chart,
    axis_title,
    cell,
    fill,
    label_every,
    log_scale,
    no_fill,
    numbers,
    rgb,
    style,
)
from cgtdesk.palette import BAD_COLOUR, HIGH_COLOUR, LOW_COLOUR, MEASURE_COLOURS, OKABE_ITO, category_colour, scenario_colour

# ---------------------------------------------------------------- stacked bars by scenario


def stacked_by_scenario(shapes, box, scenarios, labels, colours, matrix, number_format: str, title: str):
    """Horizontal stacked bars, one bar per scenario (first on top), one series per part."""
    cd = CategoryData(number_format=number_format)
    cd.categories = list(reversed(scenarios))  # a bar chart draws its first category at the bottom
    for j, label in enumerate(labels):
        cd.add_series(label, [cell(v) for v in reversed(matrix[:, j].tolist())])
    chart = add_chart(shapes, XL_CHART_TYPE.BAR_STACKED, box, cd)
    style(chart)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.overlap = 100
    for series, colour in zip(plot.series, colours, strict=True):
        fill(series.format, colour)
    numbers(chart.value_axis, "#,##0")
    chart.value_axis.has_major_gridlines = True
    axis_title(chart.value_axis, title)
    chart.category_axis.tick_labels.font.size = Pt(FONT_PT)
    return chart


def draw_breakdown(shapes, box, d, project=None):
    colours = [category_colour(c) for c in d.categories]
    return stacked_by_scenario(shapes, box, d.scenarios, d.labels, colours, d.per_dose, MONEY, f"Cost per dose ({d.currency})")


def draw_veintovein(shapes, box, d, project=None):
    return stacked_by_scenario(shapes, box, d.scenarios, d.labels, d.colours, d.days, "#,##0.0", "Days, vein to vein")


# ---------------------------------------------------------------- curves against demand (log axes)


def xy_lines(shapes, box, series: list[tuple[str, np.ndarray, np.ndarray, str, bool]], x_title: str, y_title: str):
    """Lines on log-log axes: (name, x, y, colour, dashed) per series; points not drawable on a log
    axis (not finite, not positive, past :data:`LIMIT`) are left out, as the app leaves them out."""
    cd = XyData(number_format="#,##0.##")
    for name, xs, ys, _colour, _dashed in series:
        s = cd.add_series(name)
        for x, y in zip(xs, ys, strict=True):
            if cell(y) is not None and y > 0:
                s.add_data_point(float(x), float(y))
    chart = add_chart(shapes, XL_CHART_TYPE.XY_SCATTER_LINES_NO_MARKERS, box, cd)
    style(chart)
    for s, (_n, _x, _y, colour, dashed) in zip(chart.plots[0].series, series, strict=True):
        s.smooth = False
        s.format.line.color.rgb = rgb(colour)
        s.format.line.width = Pt(LINE_PT)
        if dashed:
            s.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    for axis in (chart.category_axis, chart.value_axis):  # an XY chart's two value axes
        log_scale(axis)
        numbers(axis, "#,##0")
        axis.has_major_gridlines = True
        axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    axis_title(chart.category_axis, x_title)
    axis_title(chart.value_axis, y_title)
    return chart


def draw_demand(shapes, box, d, project=None):
    series = [
        (name, d.demand, np.asarray(d.values[name], dtype=float), scenario_colour(i), d.processes[i] == "allogeneic")
        for i, name in enumerate(d.scenarios)
    ]
    return xy_lines(shapes, box, series, "Demand (patients/yr, log scale)", f"{d.label} ({d.unit}, log scale)")


def capacity_names(process: str) -> dict[str, str]:
    return {"units": unit_word(process).capitalize(), "suites": "Suites", "fte": "FTE"}


def draw_capacity(shapes, box, d, project=None):
    if d.selected is None:
        return None
    i = d.scenarios.index(d.selected)
    names = capacity_names(d.processes[i])
    series = [
        (names[m], d.demand, np.asarray(d.curves[m][d.selected], dtype=float), MEASURE_COLOURS[m], False)
        for m in CAPACITY_MEASURES
    ]
    return xy_lines(shapes, box, series, "Demand (patients/yr, log scale)", f"Needed by {d.selected} (log scale)")


# ---------------------------------------------------------------- waterfall (floating stacked columns)


def waterfall_steps(d) -> list[tuple[str, float, float, str]]:
    """(label, bottom, top, colour) of every bar: the price, each cost down from it, the margin, the target margin."""
    colour = OKABE_ITO["black"]
    steps = [("List price", 0.0, d.price, colour)]
    level = d.price
    for label, cat, v in zip(d.labels, d.categories, d.per_dose, strict=True):
        steps.append((label, level - float(v), level, category_colour(cat)))
        level -= float(v)
    steps.append(("Gross margin", min(0.0, d.margin), max(0.0, d.margin), BAD_COLOUR if d.margin < 0 else colour))
    steps.append(("Target margin", 0.0, d.target_margin_value, GREY))
    return steps


def floating(bottom: float, top: float) -> tuple[float, float, float]:
    """(offset, above zero, below zero) that stack into a bar from ``bottom`` to ``top``."""
    if bottom >= 0:
        return bottom, top - bottom, 0.0
    if top <= 0:
        return top, 0.0, bottom - top
    return 0.0, top, bottom


def draw_waterfall(shapes, box, d, project=None):
    if d.problem:
        return None
    steps = waterfall_steps(d)
    parts = [floating(b, t) for _label, b, t, _c in steps]
    cd = CategoryData(number_format=MONEY)
    cd.categories = [s[0] for s in steps]
    cd.add_series("Offset", [p[0] for p in parts])
    cd.add_series(f"Per dose ({d.currency})", [p[1] for p in parts])
    cd.add_series(f"Per dose below zero ({d.currency})", [p[2] for p in parts])
    chart = add_chart(shapes, XL_CHART_TYPE.COLUMN_STACKED, box, cd)
    style(chart, legend=False)
    plot = chart.plots[0]
    plot.gap_width = 40
    plot.overlap = 100
    offset, above, below = plot.series
    no_fill(offset.format)
    for series in (above, below):
        for k, (_label, _b, _t, colour) in enumerate(steps):
            fill(series.points[k].format, colour)
    numbers(chart.value_axis, MONEY)
    chart.value_axis.has_major_gridlines = True
    axis_title(chart.value_axis, f"Per dose ({d.currency})")
    chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    return chart


# ---------------------------------------------------------------- tornado (bars from the base)


def tornado_label(row, kind: str, currency: str) -> str:
    lo, hi = format_value(row.low, kind, currency), format_value(row.high, kind, currency)
    return f"{row.label} ({lo} to {hi})"


def draw_tornado(shapes, box, d, project=None):
    if not d.rows:
        return None
    from cgtdesk.core.catalogue import catalogue

    params = catalogue().parameters
    rows = list(reversed(d.rows))  # largest swing on top
    fmt = MONEY if d.kind == "money" else "#,##0.##"
    cd = CategoryData(number_format=fmt)
    cd.categories = [tornado_label(r, params[r.key].kind if r.key in params else "number", d.currency) for r in rows]
    cd.add_series("Input at its low value", [cell(r.result_low) for r in rows])
    cd.add_series("Input at its high value", [cell(r.result_high) for r in rows])
    chart = add_chart(shapes, XL_CHART_TYPE.BAR_CLUSTERED, box, cd)
    style(chart)
    plot = chart.plots[0]
    plot.gap_width = 50
    plot.overlap = 100
    fill(plot.series[0].format, LOW_COLOUR)
    fill(plot.series[1].format, HIGH_COLOUR)
    va = chart.value_axis
    va.crosses_at = d.base  # bars grow from the base case, as in the app
    numbers(va, fmt)
    va.has_major_gridlines = True
    base = format_value(d.base, d.kind, d.currency)
    axis_title(va, f"{d.label} ({d.unit}); base {base}")
    chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    chart.category_axis.tick_labels.font.size = Pt(FONT_PT - 1)
    return chart


# ---------------------------------------------------------------- Monte Carlo histogram


def draw_montecarlo(shapes, box, d, project=None):
    centres = (d.edges[:-1] + d.edges[1:]) / 2
    cd = CategoryData(number_format="#,##0")
    cd.categories = [round(float(c)) for c in centres]
    cd.categories.number_format = "#,##0"
    names = project.names() if project is not None else []
    colour = scenario_colour(names.index(d.scenario) if d.scenario in names else 0)
    if d.target is not None and math.isfinite(d.target):
        under = [float(n) if c <= d.target else 0.0 for c, n in zip(centres, d.counts, strict=True)]
        over = [float(n) if c > d.target else 0.0 for c, n in zip(centres, d.counts, strict=True)]
        cd.add_series(f"Runs at or under the max allowable {format_value(d.target, 'money', d.currency)}", under)
        cd.add_series("Runs over it", over)
        colours = [colour, BAD_COLOUR]
    else:
        cd.add_series("Runs", [float(n) for n in d.counts])
        colours = [colour]
    chart = add_chart(shapes, XL_CHART_TYPE.COLUMN_STACKED, box, cd)
    style(chart)
    plot = chart.plots[0]
    plot.gap_width = 8
    plot.overlap = 100
    for s, c in zip(plot.series, colours, strict=True):
        fill(s.format, c)
    numbers(chart.value_axis, "#,##0")
    chart.value_axis.has_major_gridlines = True
    axis_title(chart.value_axis, "Runs")
    numbers(chart.category_axis, MONEY)
    label_every(chart.category_axis, max(1, math.ceil(len(centres) / 10)))
    axis_title(chart.category_axis, f"{d.label} ({d.unit}), centre of each bin")
    return chart


#: chart id -> its drawing function (shapes, box, data, project) -> the chart, or None (nothing to draw)
DRAW = {
    "breakdown": draw_breakdown,
    "demand": draw_demand,
    "capacity": draw_capacity,
    "waterfall": draw_waterfall,
    "tornado": draw_tornado,
    "montecarlo": draw_montecarlo,
    "vein-to-vein": draw_veintovein,
    **plancharts.DRAW,
}
