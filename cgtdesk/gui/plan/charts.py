"""The launch plan's charts (pyqtgraph): demand and capacity, annual cost, cumulative cash, net
present cost side by side, and the switch analysis. Each draws the plain data of
:mod:`cgtdesk.chartdata.plan` and computes nothing; ``update_data(None)`` shows how to add a plan.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore

import pyqtgraph as pg  # isort: skip
from cgtdesk.chartdata.plan import NO_PLAN_TEXT, short_money
from cgtdesk.core.formatting import count, money, patients
from cgtdesk.gui.charts.base import BaseChart, NumberAxis, drawable, font, line_style, ok, pen, set_range, swatch
from cgtdesk.gui.style import MEASURE_COLOURS, category_colour, scenario_colour

MILLION = 1e6


class YearAxis(NumberAxis):
    """Calendar years, whole, without a thousands separator; ``never`` labels one year as never switching."""

    never: float | None = None

    def tickValues(self, minVal, maxVal, size):
        span = max(1.0, maxVal - minVal)
        step = max(1, int(np.ceil(span / max(2.0, size / 48))))
        first = int(np.ceil(minVal))
        major = [float(v) for v in range(first, int(np.floor(maxVal)) + 1, step)]
        if self.never is not None and minVal <= self.never <= maxVal:  # "never" always shows
            major = [v for v in major if abs(v - self.never) >= step] + [float(self.never)]
        return [(float(step), major), (1.0, [])]

    def tickStrings(self, values, scale, spacing):
        return ["never" if self.never is not None and abs(v - self.never) < 1e-6 else f"{v:.0f}" for v in values]


def _edges(years) -> np.ndarray:
    """Step edges around each year: y - 0.5 .. last + 0.5."""
    y = np.asarray(years, dtype=float)
    return np.append(y - 0.5, y[-1] + 0.5) if y.size else np.array([0.0, 1.0])


class PlanChart(BaseChart):
    """A plan chart with one plot, an empty-state message and reusable curves."""

    empty_text = NO_PLAN_TEXT

    def __init__(self, parent=None, style=None, *, left=None):
        super().__init__(parent, style)
        self.year_axis = YearAxis("bottom")
        self.plot = self.add_plot(bottom=self.year_axis, left=left)
        self.plot.setMouseEnabled(x=False, y=False)
        self.items: list = []

    def clear_items(self):
        for it in self.items:
            self.plot.removeItem(it)
        self.items = []

    def add(self, item, ignore_bounds: bool = False):
        self.plot.addItem(item, ignoreBounds=ignore_bounds)
        self.items.append(item)
        return item

    def label(self, text: str, x: float, y: float, anchor=(0.5, 1.0), colour=None, bold=False):
        t = pg.TextItem(text, anchor=anchor, color=colour or self.style_.theme.foreground)
        t.setFont(font(self.style_.value_px, bold=bold))
        t.setPos(x, y)
        return self.add(t, ignore_bounds=True)

    def show_empty(self, text: str | None = None):
        """No plan (or no switch): what to do, in place of the plot (never bare 0-1 axes)."""
        self.clear_items()
        self.show_message(text or self.empty_text)

    def start(self, data):
        self.data = data
        self.clear_message()
        self.clear_items()
        self.year_axis.never = None

    def year_range(self, years, label: bool = True):
        set_range(self.plot, x=(float(years[0]) - 0.6, float(years[-1]) + 0.6))
        if label:
            self.set_axis_label(self.plot, "bottom", "Year")


class PlanCapacityChart(PlanChart):
    """Patients and planning demand (top), installed units and suites (bottom), as steps by year."""

    name = "plan-capacity"

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.cap_plot = self.add_plot(row=1, bottom=YearAxis("bottom"))
        self.cap_plot.setMouseEnabled(x=False, y=False)
        self.cap_plot.setXLink(self.plot)
        self.cap_items: list = []
        self.apply_style()
        self.show_empty()

    def update_data(self, data):
        if data is None:
            for it in self.cap_items:
                self.cap_plot.removeItem(it)
            self.cap_items = []
            self.show_empty()
            return
        self.start(data)
        for it in self.cap_items:
            self.cap_plot.removeItem(it)
        s = self.style_
        x = _edges(data.years)
        demand_colour, plan_colour = scenario_colour(0), s.theme.muted
        self.add(pg.PlotDataItem(x, drawable(data.patients), stepMode="center", pen=pen(demand_colour, s.line_width)))
        dash = pen(plan_colour, s.line_width * 0.8, QtCore.Qt.PenStyle.DashLine)
        self.add(pg.PlotDataItem(x, drawable(data.planning_patients), stepMode="center", pen=dash))
        self.cap_items = []
        for key, values in (("units", data.units), ("suites", data.suites)):
            item = pg.PlotDataItem(x, drawable(values), stepMode="center", pen=pen(MEASURE_COLOURS[key], s.line_width))
            self.cap_plot.addItem(item)
            self.cap_items.append(item)
        top = max(1.0, float(np.nanmax(drawable(data.planning_patients))))
        set_range(self.plot, y=(0, top * 1.1))
        ctop = max(1.0, float(np.nanmax(drawable(np.concatenate([data.units, data.suites])))))
        set_range(self.cap_plot, y=(0, ctop * 1.15))
        self.year_range(data.years, label=False)
        self.plot.getAxis("bottom").setStyle(showValues=False)
        self.plot.getAxis("bottom").setHeight(max(4, s.font_px // 3))
        self.set_axis_label(self.plot, "left", "Patients/yr")
        self.set_axis_label(self.cap_plot, "left", "Installed")
        self.set_axis_label(self.cap_plot, "bottom", "Year")
        widest = f"{max(top, ctop) * 1.15:,.0f}"
        self.fit_left_axis(self.plot, widest)
        self.fit_left_axis(self.cap_plot, widest)
        self.set_title(data.finding)
        self.set_legend(
            [
                (swatch(demand_colour), "patients"),
                (swatch(plan_colour, "allogeneic"), "planning demand (look-ahead)"),
                (swatch(MEASURE_COLOURS["units"]), data.unit_label),
                (swatch(MEASURE_COLOURS["suites"]), "suites"),
            ]
        )

    def hover_text(self, plot, x, y):
        d = self.data
        i = int(round(x - d.years[0]))
        if not 0 <= i < len(d.years):
            return None
        return (
            f"{int(d.years[i])}: {patients(d.patients[i]) if d.patients[i] > 0 else 0} patients "
            f"(planning {patients(d.planning_patients[i]) if d.planning_patients[i] > 0 else 0}); "
            f"{count(d.units[i])} {d.unit_label}, {count(d.suites[i])} suites"
        )


class PlanCostChart(PlanChart):
    """Annual cost by category, stacked; capital and start-up on top (a residual credit below zero)."""

    name = "plan-cost"

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.apply_style()
        self.show_empty()

    def colour(self, category: str) -> str:
        if category == "capex":
            return self.style_.theme.neutral_bar
        if category == "startup":
            return self.style_.theme.foreground
        return category_colour(category)

    def update_data(self, data):
        if data is None:
            self.show_empty()
            return
        self.start(data)
        s = self.style_
        x = np.asarray(data.years, dtype=float)
        values = drawable(data.values) / MILLION
        up = np.zeros(x.size)
        down = np.zeros(x.size)
        edge = pg.mkPen(s.theme.background, width=max(1, s.line_width / 4))
        for cat, row in zip(data.categories, values, strict=True):
            pos, neg = np.maximum(row, 0), np.minimum(row, 0)
            brush = self.colour(cat)
            if pos.any():
                self.add(pg.BarGraphItem(x=x, height=pos, y0=up.copy(), width=0.72, brush=brush, pen=edge))
            if neg.any():
                self.add(pg.BarGraphItem(x=x, height=neg, y0=down.copy(), width=0.72, brush=brush, pen=edge))
            up, down = up + pos, down + neg
        top = max(1e-6, float(up.max()) if up.size else 1.0)
        bottom = min(0.0, float(down.min()) if down.size else 0.0)
        self.add(pg.InfiniteLine(pos=0, angle=0, pen=pen(s.theme.foreground, max(1.0, s.line_width / 3))), True)
        set_range(self.plot, y=(bottom * 1.1 if bottom < 0 else 0, top * 1.1))
        self.year_range(data.years)
        self.set_axis_label(self.plot, "left", f"Cost ({data.currency} M/yr)")
        self.fit_left_axis(self.plot, f"{-max(top, -bottom) * 1.1:,.0f}")
        self.set_title(data.finding)
        self.set_legend([(swatch(self.colour(c), bar=True), lab) for c, lab in zip(data.categories, data.labels, strict=True)])

    def hover_text(self, plot, x, y):
        d = self.data
        i = int(round(x - d.years[0]))
        if not 0 <= i < len(d.years):
            return None
        parts = [f"{lab} {short_money(v, d.currency)}" for lab, v in zip(d.labels, d.values[:, i], strict=True) if v]
        return f"{int(d.years[i])}: total {money(d.cost[i], d.currency)}" + (" - " + ", ".join(parts) if parts else "")


class PlanCashChart(PlanChart):
    """Cumulative cash of every scenario by year; each one's peak funding marked."""

    name = "plan-cash"

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.apply_style()
        self.show_empty()

    def update_data(self, data):
        if data is None:
            self.show_empty()
            return
        self.start(data)
        s = self.style_
        x = np.asarray(data.years, dtype=float)
        lo, hi = 0.0, 0.0
        for i, name in enumerate(data.scenarios):
            colour = scenario_colour(i)
            y = drawable(data.cumulative[name]) / MILLION
            lo, hi = min(lo, float(y.min())), max(hi, float(y.max()))
            self.add(pg.PlotDataItem(x, y, pen=pen(colour, s.line_width, line_style(data.processes[i]))))
            year = data.peak_year[name]
            if year is not None:
                self.add(
                    pg.ScatterPlotItem(
                        [year],
                        [-data.peak_funding[name] / MILLION],
                        symbol="t",
                        size=s.marker_size * 1.6 * s.pen_scale,
                        brush=colour,
                        pen=pg.mkPen(s.theme.background, width=s.px(1.5)),
                    )
                )
        self.add(pg.InfiniteLine(pos=0, angle=0, pen=pen(s.theme.muted, max(1.0, s.line_width / 3))), True)
        self._label_extremes(data)
        pad = 0.08 * (hi - lo or 1.0)
        set_range(self.plot, y=(lo - pad, hi + pad))
        self.year_range(data.years)
        self.set_axis_label(self.plot, "left", f"Cash ({data.currency} M)")
        self.fit_left_axis(self.plot, f"{-max(abs(lo), abs(hi)):,.0f}")
        self.set_title(data.finding)
        self.set_legend(
            [(swatch(scenario_colour(i), data.processes[i]), n) for i, n in enumerate(data.scenarios)]
            + [("&#9660;", "peak funding (lowest cumulative cash)")]
        )

    def _label_extremes(self, data):
        marked = [n for n in data.scenarios if data.peak_year[n] is not None and ok(data.peak_funding[n])]
        if not marked:
            return
        deepest = max(marked, key=lambda n: data.peak_funding[n])
        i = data.scenarios.index(deepest)
        self.label(
            f"peak funding {short_money(data.peak_funding[deepest], data.currency)}",
            data.peak_year[deepest] + 0.3,
            -data.peak_funding[deepest] / MILLION,
            anchor=(0.0, 0.5),
            colour=scenario_colour(i),
            bold=True,
        )

    def hover_text(self, plot, x, y):
        d = self.data
        i = int(round(x - d.years[0]))
        if not 0 <= i < len(d.years):
            return None
        parts = [f"{n} {short_money(d.cumulative[n][i], d.currency)}" for n in d.scenarios]
        return f"{int(d.years[i])}: " + "; ".join(parts)


class PlanNpcChart(BaseChart):
    """Net present cost (left) and levelised cost per dose (right), one bar per scenario."""

    name = "plan-npc"

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.names_axis = pg.AxisItem("left")
        self.npc_plot = self.add_plot(row=0, col=0, left=self.names_axis)
        self.dose_plot = self.add_plot(row=0, col=1, left=pg.AxisItem("left"))
        for p in self.plots:
            p.setMouseEnabled(x=False, y=False)
            p.invertY(True)
        self.dose_plot.setYLink(self.npc_plot)
        self.dose_plot.hideAxis("left")
        self.items: list = []
        self.apply_style()
        self.update_data(None)

    def _grid_axis(self, plot):
        return None  # the bars carry their values

    def update_data(self, data):
        for plot, it in self.items:
            plot.removeItem(it)
        self.items = []
        self.data = data
        if data is None:
            self.names_axis.setTicks([[], []])
            self.set_title(NO_PLAN_TEXT)
            self.set_legend([])
            return
        s = self.style_
        n = len(data.scenarios)
        y = np.arange(n, dtype=float)
        self.names_axis.setTicks([list(zip(y, data.scenarios, strict=True)), []])
        for plot, values, title, fmt in (
            (self.npc_plot, data.npc / MILLION, f"NPC, {data.currency} M", "npc"),
            (self.dose_plot, data.levelised, f"{data.currency}/dose", "dose"),
        ):
            v = drawable(values)
            brushes = [scenario_colour(i) for i in range(n)]
            bar = pg.BarGraphItem(x0=np.zeros(n), y=y, height=0.62, width=v, brushes=brushes, pen=None)
            plot.addItem(bar)
            self.items.append((plot, bar))
            top = max(1e-6, float(v.max()) if n else 1.0)
            for i in range(n):
                raw = values[i]
                text = (
                    "cannot be evaluated"
                    if not ok(raw)
                    else (short_money(raw * MILLION, data.currency) if fmt == "npc" else money(raw, data.currency))
                )
                t = pg.TextItem(text, anchor=(0.0, 0.5), color=s.theme.foreground)
                t.setFont(font(s.value_px))
                t.setPos(v[i] + 0.01 * top, i)
                plot.addItem(t, ignoreBounds=True)
                self.items.append((plot, t))
            set_range(plot, x=(0, top * 1.6))
            self.set_axis_label(plot, "bottom", title)
        set_range(self.npc_plot, y=(-0.6, n - 0.4))
        self.fit_left_axis(self.npc_plot, max(data.scenarios, key=len) if n else "")
        self.set_title(data.finding)
        self.set_legend(
            [
                (
                    "",
                    f"Left: net present cost over {data.span}; right: levelised cost per dose (net present cost over discounted doses)",
                )
            ]
        )

    def hover_text(self, plot, x, y):
        d = self.data
        i = int(round(y))
        if not 0 <= i < len(d.scenarios):
            return None
        return (
            f"{d.scenarios[i]}: net present cost {money(d.npc[i], d.currency)}, "
            f"levelised {money(d.levelised[i], d.currency)} per dose"
        )


class PlanSwitchChart(PlanChart):
    """Net present cost of each switch against the year it is made; the best year marked."""

    name = "plan-switch"
    empty_text = "No process switch in the launch plan: add one under Switches in the Launch plan view."

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.apply_style()
        self.show_empty()

    def update_data(self, data):
        if data is None:
            self.show_empty()
            return
        self.start(data)
        s = self.style_
        self.year_axis.never = data.last_year + 1
        lo, hi = np.inf, -np.inf
        legend = []
        for k, c in enumerate(data.switches):
            colour = scenario_colour(k)
            y = drawable(c.npc) / MILLION
            lo, hi = min(lo, float(y.min())), max(hi, float(y.max()))
            self.add(
                pg.PlotDataItem(
                    c.years,
                    y,
                    pen=pen(colour, s.line_width),
                    symbol="o",
                    symbolSize=s.marker_size * 0.7 * s.pen_scale,
                    symbolBrush=colour,
                    symbolPen=None,
                )
            )
            legend.append((swatch(colour), c.label))
            planned = list(c.years).index(c.planned_year)
            self.add(
                pg.ScatterPlotItem(
                    [c.planned_year],
                    [y[planned]],
                    symbol="o",
                    size=s.marker_size * 1.8 * s.pen_scale,
                    brush=None,
                    pen=pg.mkPen(colour, width=s.px(2)),
                )
            )
            if c.best_year is not None:
                b = list(c.years).index(c.best_year)
                self.add(
                    pg.ScatterPlotItem(
                        [c.best_year],
                        [y[b]],
                        symbol="star",
                        size=s.marker_size * 2.2 * s.pen_scale,
                        brush=colour,
                        pen=pg.mkPen(s.theme.background, width=s.px(1)),
                    )
                )
                self.label(f"best: {c.best_year}", c.best_year, y[b], anchor=(0.0, 1.2), colour=colour, bold=True)
        pad = 0.1 * (hi - lo or 1.0)
        set_range(self.plot, y=(lo - pad, hi + pad))
        set_range(self.plot, x=(data.switches[0].years[0] - 0.6, data.last_year + 1.6))
        self.set_axis_label(self.plot, "bottom", "Switch year")
        self.set_axis_label(self.plot, "left", f"NPC ({data.currency} M)")
        self.fit_left_axis(self.plot, f"{hi + pad:,.0f}")
        self.set_title(data.finding)
        self.set_legend(legend + [("&#9733;", "cheapest switch year"), ("&#9675;", "the plan's switch year")])

    def hover_text(self, plot, x, y):
        d = self.data
        c = d.switches[0]
        i = int(round(x - c.years[0]))
        if not 0 <= i < len(c.years):
            return None
        when = "never switching" if i == len(c.years) - 1 else f"switching in {int(c.years[i])}"
        return "; ".join(f"{sw.label}, {when}: {money(sw.npc[i], d.currency)}" for sw in d.switches)


#: the plan's chart widgets by id
PLAN_CHART_CLASSES = {cls.name: cls for cls in (PlanCapacityChart, PlanCostChart, PlanCashChart, PlanNpcChart, PlanSwitchChart)}
