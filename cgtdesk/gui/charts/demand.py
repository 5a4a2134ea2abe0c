"""Cost per dose against demand for every scenario, log axes, steps shown, crossover marked."""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtWidgets

import pyqtgraph as pg  # isort: skip
from cgtdesk.chartdata import DemandData
from cgtdesk.chartdata.common import NO_SCENARIO, no_result_text
from cgtdesk.core.formatting import money, patients
from cgtdesk.gui.charts.base import LIMIT, BaseChart, LogAxis, finite_log10, font, line_style, ok, pen, set_range, swatch
from cgtdesk.gui.style import scenario_colour


class DemandChart(BaseChart):
    name = "demand"
    pairChanged = QtCore.Signal(str, str)

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.plot = self.add_plot(bottom=LogAxis("bottom"), left=LogAxis("left"))
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.curves: list[pg.PlotDataItem] = []
        self.markers: list[pg.PlotDataItem] = []
        self.cross_line = pg.InfiniteLine(angle=90, movable=False)
        self.cross_label = pg.TextItem(anchor=(0.0, 0.0))
        self.plot.addItem(self.cross_line, ignoreBounds=True)
        self.plot.addItem(self.cross_label, ignoreBounds=True)
        self.hover_line = pg.InfiniteLine(angle=90, movable=False)
        self.plot.addItem(self.hover_line, ignoreBounds=True)
        self.hover_line.hide()
        # the compared pair (hidden in presentation and export)
        self.combo_a = QtWidgets.QComboBox()
        self.combo_b = QtWidgets.QComboBox()
        for c in (self.combo_a, self.combo_b):
            c.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            c.setMinimumContentsLength(12)
            c.activated.connect(self._pair_chosen)
        self.controls = QtWidgets.QWidget()
        cl = QtWidgets.QHBoxLayout(self.controls)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(QtWidgets.QLabel("Crossover of"))
        cl.addWidget(self.combo_a)
        cl.addWidget(QtWidgets.QLabel("and"))
        cl.addWidget(self.combo_b)
        self.combo_a.setToolTip("Scenario A of the crossover")
        self.combo_b.setToolTip("Scenario B of the crossover: the demand from which B stays cheaper is marked")
        self.layout().insertWidget(1, self.controls)
        self.apply_style()

    def apply_style(self):
        super().apply_style()
        if hasattr(self, "controls"):
            self.controls.setVisible(not self.style_.presentation)
            self.cross_label.setFont(font(self.style_.value_px, bold=True))
            self.cross_label.setColor(self.style_.theme.foreground)
            self.hover_line.setPen(pen(self.style_.theme.muted, self.style_.px(1), QtCore.Qt.PenStyle.DotLine))

    def update_data(self, data: DemandData):
        if not data.scenarios:
            self.show_message(NO_SCENARIO)
            return
        if not any(np.isfinite(v).any() for v in data.values.values()):
            self.show_message(no_result_text(data.problems), data.finding)
            return
        self.clear_message()
        self.data = data
        s = self.style_
        n = len(data.scenarios)
        while len(self.curves) < n:
            c = pg.PlotDataItem()
            m = pg.PlotDataItem()
            self.plot.addItem(c)
            self.plot.addItem(m)
            self.curves.append(c)
            self.markers.append(m)
        while len(self.curves) > n:
            self.plot.removeItem(self.curves.pop())
            self.plot.removeItem(self.markers.pop())
        pair = data.pair or ()
        self._drawn = self._drawn[:n] if hasattr(self, "_drawn") else []
        for i, name in enumerate(data.scenarios):
            colour = scenario_colour(i)
            proc = data.processes[i]
            width = s.line_width * (1.25 if name in pair else 1.0)
            y = data.values[name]
            d0, v0 = data.current[name]
            # an unchanged scenario keeps its items (the board hands back the same arrays): with
            # 200 scenarios an edit redraws one curve, not 200
            drawn = (y, data.demand, colour, width, proc, d0, v0, s)
            if i < len(self._drawn) and all(map(_same, self._drawn[i], drawn)):
                continue
            self._drawn[i : i + 1] = [drawn]
            self.curves[i].setData(
                finite_log10(data.demand), finite_log10(y), pen=pen(colour, width, line_style(proc)), connect="finite"
            )
            if ok(v0) and v0 > 0:
                self.markers[i].setData(
                    [math.log10(d0)],
                    finite_log10([v0]),
                    pen=None,
                    symbol="o",
                    symbolSize=s.marker_size * s.pen_scale,
                    symbolBrush=colour,
                    symbolPen=pg.mkPen(s.theme.background, width=s.px(2)),
                )
            else:
                self.markers[i].setData([], [])
        self.set_axis_label(self.plot, "bottom", "Demand (patients/yr, log scale)")
        self.set_axis_label(self.plot, "left", f"{data.label} ({data.unit}, log)")
        finite = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in data.values.values()] + [np.array([])])
        finite = finite[finite <= LIMIT]
        lx0, lx1 = math.log10(data.demand[0]), math.log10(data.demand[-1])
        ly = (math.log10(finite.min()), math.log10(finite.max())) if finite.size else (0.0, 1.0)
        pad = max(0.05, 0.04 * (ly[1] - ly[0]))
        set_range(self.plot, x=(lx0 - 0.01 * (lx1 - lx0), lx1 + 0.01 * (lx1 - lx0)), y=(ly[0] - pad, ly[1] + pad))
        self.fit_left_axis(self.plot, "100k")
        self._mark_crossover(data)
        self.set_title(data.finding)
        self.set_legend(
            [(swatch(scenario_colour(i), data.processes[i]), nm) for i, nm in enumerate(data.scenarios)]
            + [("&#9679;", "each scenario's own demand")]
        )
        self._fill_pair_combos(data)

    def _mark_crossover(self, data):
        s = self.style_
        x = data.b_cheaper_from
        if data.pair is None or x is None or x <= data.demand[0] * (1 + 1e-12):
            self.cross_line.hide()
            self.cross_label.hide()
            return
        lx = math.log10(x)
        self.cross_line.setPen(pen(s.theme.foreground, max(1.5, s.line_width * 0.6), QtCore.Qt.PenStyle.DashDotLine))
        self.cross_line.setPos(lx)
        self.cross_line.show()
        b = data.pair[1]
        self.cross_label.setText(f"{b} cheaper\nfrom {patients(x)} patients/yr")
        vr = self.plot.vb.viewRange()
        # right of the line when there is room, else left
        right = lx < vr[0][0] + 0.62 * (vr[0][1] - vr[0][0])
        self.cross_label.setAnchor((0.0, 0.0) if right else (1.0, 0.0))
        self.cross_label.setPos(lx, vr[1][1])
        self.cross_label.show()

    def _fill_pair_combos(self, data):
        for combo, want in ((self.combo_a, 0), (self.combo_b, 1)):
            combo.blockSignals(True)
            if [combo.itemText(k) for k in range(combo.count())] != data.scenarios:
                combo.clear()
                combo.addItems(data.scenarios)
            if data.pair:
                combo.setCurrentIndex(data.scenarios.index(data.pair[want]))
            combo.blockSignals(False)

    def _pair_chosen(self, *_):
        a, b = self.combo_a.currentText(), self.combo_b.currentText()
        if a and b and a != b:
            self.pairChanged.emit(a, b)

    def hover_text(self, plot, x, y):
        d = self.data
        dem = 10**x
        i = int(np.clip(np.searchsorted(d.demand, dem), 0, len(d.demand) - 1))
        if i > 0 and abs(math.log10(d.demand[i - 1]) - x) < abs(math.log10(d.demand[i]) - x):
            i -= 1
        self.hover_line.setPos(math.log10(d.demand[i]))
        self.hover_line.show()
        parts = [f"{nm}: {money(float(d.values[nm][i]), d.currency)}" for nm in d.scenarios]
        return f"{d.demand[i]:,.1f} patients/yr - " + "; ".join(parts)


def _same(a, b) -> bool:
    """Whether two things drawn are equal (arrays by value, NaN equal to NaN)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b, equal_nan=True)
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
