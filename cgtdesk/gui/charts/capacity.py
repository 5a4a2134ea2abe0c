"""Capacity against demand: devices or bioreactors, suites and FTE, as step curves on log axes."""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtWidgets

import pyqtgraph as pg  # isort: skip
from cgtdesk.chartdata import CAPACITY_MEASURES, CapacityData
from cgtdesk.chartdata.common import NO_SCENARIO, no_result_text
from cgtdesk.core.formatting import count
from cgtdesk.gui.charts.base import LIMIT, BaseChart, LogAxis, finite_log10, font, line_style, ok, pen, set_range, swatch
from cgtdesk.gui.style import scenario_colour

TITLES = {"units": "Devices / bioreactors", "suites": "Cleanroom suites", "fte": "Staff (FTE)"}


class CapacityChart(BaseChart):
    name = "capacity"

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.measure_plots: dict[str, pg.PlotItem] = {}
        for row, m in enumerate(CAPACITY_MEASURES):
            p = self.add_plot(row=row, bottom=LogAxis("bottom"), left=LogAxis("left"))
            p.showGrid(x=True, y=True, alpha=0.2)
            if row:
                p.setXLink(self.measure_plots[CAPACITY_MEASURES[0]])
            self.measure_plots[m] = p
        self.names: dict[str, pg.TextItem] = {}
        for m, p in self.measure_plots.items():
            self.names[m] = self.text_item(p, anchor=(0.0, 0.0))
        self.curves: dict[str, list[pg.PlotDataItem]] = {m: [] for m in CAPACITY_MEASURES}
        self.markers: dict[str, list[pg.PlotDataItem]] = {m: [] for m in CAPACITY_MEASURES}
        self.show_all = QtWidgets.QCheckBox("All scenarios")
        self.show_all.setToolTip("Show every scenario, not only the selected one")
        self.show_all.toggled.connect(lambda _on: self.data is not None and self.update_data(self.data))
        self.header.addWidget(self.show_all)
        self.apply_style()

    def apply_style(self):
        super().apply_style()
        if hasattr(self, "show_all"):
            self.show_all.setVisible(not self.style_.presentation)

    def shown(self, data: CapacityData) -> list[str]:
        if self.show_all.isChecked() or data.selected is None:
            return list(data.scenarios)
        return [data.selected]

    def update_data(self, data: CapacityData):
        if not data.scenarios:
            self.show_message(NO_SCENARIO)
            return
        names = self.shown(data)
        if all(nm in data.problems for nm in names):
            self.show_message(no_result_text({nm: data.problems[nm] for nm in names}), data.finding)
            return
        self.clear_message()
        self.data = data
        s = self.style_
        for m in CAPACITY_MEASURES:
            plot = self.measure_plots[m]
            curves, marks = self.curves[m], self.markers[m]
            while len(curves) < len(names):
                c = pg.PlotDataItem()
                mk = pg.PlotDataItem()
                plot.addItem(c)
                plot.addItem(mk)
                curves.append(c)
                marks.append(mk)
            while len(curves) > len(names):
                plot.removeItem(curves.pop())
                plot.removeItem(marks.pop())
            top = 1.0
            for k, name in enumerate(names):
                i = data.scenarios.index(name)
                colour = scenario_colour(i)
                y = data.curves[m][name]
                curves[k].setData(
                    finite_log10(data.demand),
                    finite_log10(y),
                    pen=pen(colour, s.line_width, line_style(data.processes[i])),
                    connect="finite",
                )
                cur = data.current[name]
                v = cur[1 + CAPACITY_MEASURES.index(m)]
                if ok(v) and v > 0:
                    marks[k].setData(
                        [math.log10(cur[0])],
                        finite_log10([v]),
                        pen=None,
                        symbol="o",
                        symbolSize=s.marker_size * s.pen_scale,
                        symbolBrush=colour,
                        symbolPen=pg.mkPen(s.theme.background, width=s.px(2)),
                    )
                else:
                    marks[k].setData([], [])
                fin = y[np.isfinite(y) & (y <= LIMIT)]
                if fin.size:
                    top = max(top, float(fin.max()))
            ytop = (math.log10(top) if top > 1 else 1) * 1.22
            set_range(plot, y=(-0.03 * ytop, ytop * 1.03))
            name = self.names[m]
            name.setText(TITLES[m])
            name.setFont(font(s.label_px, bold=True))
            name.setPos(math.log10(data.demand[0]), ytop)
            self.fit_left_axis(plot, "1,000")
            plot.getAxis("bottom").setStyle(showValues=(m == CAPACITY_MEASURES[-1]))
            if m != CAPACITY_MEASURES[-1]:
                plot.getAxis("bottom").setHeight(max(4, s.font_px // 3))
        last = self.measure_plots[CAPACITY_MEASURES[-1]]
        self.set_axis_label(last, "bottom", "Demand (patients/yr, log scale)")
        lx0, lx1 = math.log10(data.demand[0]), math.log10(data.demand[-1])
        set_range(last, x=(lx0 - 0.01 * (lx1 - lx0), lx1 + 0.01 * (lx1 - lx0)))
        self.set_title(data.finding)
        self.set_legend(
            [(swatch(scenario_colour(data.scenarios.index(nm)), data.processes[data.scenarios.index(nm)]), nm) for nm in names]
            + [("&#9679;", "at the scenario's own demand")]
        )

    def hover_text(self, plot, x, y):
        d = self.data
        dem = 10**x
        i = int(np.clip(np.searchsorted(d.demand, dem), 0, len(d.demand) - 1))
        parts = []
        for name in self.shown(d):
            u, su, f = (d.curves[m][name][i] for m in CAPACITY_MEASURES)
            parts.append(f"{name}: {count(u)} units, {count(su)} suites, {count(f)} FTE")
        return f"{d.demand[i]:,.1f} patients/yr - " + "; ".join(parts)
