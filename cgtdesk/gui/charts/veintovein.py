"""Vein-to-vein time: one stacked horizontal bar per scenario, its parts in the order a patient meets them."""

from __future__ import annotations

import textwrap

import numpy as np

import pyqtgraph as pg  # isort: skip
from cgtdesk.chartdata import VeinToVeinData
from cgtdesk.chartdata.common import NO_SCENARIO, no_result_text
from cgtdesk.chartdata.veintovein import days_text
from cgtdesk.gui.charts.base import BaseChart, NumberAxis, drawable, ok, set_range, swatch

BAR_HEIGHT = 0.62
WRAP = 30


class VeinToVeinChart(BaseChart):
    name = "vein-to-vein"

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.left_axis = NumberAxis("left")
        self.plot = self.add_plot(left=self.left_axis)
        self.plot.setMouseEnabled(x=False, y=False)
        self.bars: dict[str, pg.BarGraphItem] = {}
        self.total_labels: list[pg.TextItem] = []
        self.apply_style()

    def _grid_axis(self, plot):
        return "bottom"

    def update_data(self, data: VeinToVeinData):
        if not data.scenarios:
            self.show_message(NO_SCENARIO)
            return
        if not np.isfinite(data.totals).any():
            self.show_message(no_result_text(data.problems), data.finding)
            return
        self.clear_message()
        self.data = data
        s = self.style_
        n = len(data.scenarios)
        y = np.arange(n, dtype=float)[::-1]  # the first scenario on top
        vals = drawable(data.days)
        left = np.zeros(n)
        for j, part in enumerate(data.parts):
            opts = dict(
                x0=left.copy(),
                y=y,
                width=vals[:, j],
                height=BAR_HEIGHT,
                brush=data.colours[j],
                pen=pg.mkPen(s.theme.background, width=max(1, s.line_width / 3)),
            )
            bar = self.bars.get(part)
            if bar is None:
                bar = pg.BarGraphItem(**opts)
                self.bars[part] = bar
                self.plot.addItem(bar)
            else:
                bar.setOpts(**opts)
            left = left + vals[:, j]
        ticks = [(float(y[i]), "\n".join(textwrap.wrap(name, WRAP))) for i, name in enumerate(data.scenarios)]
        self.left_axis.setTicks([ticks, []])
        widest = max((line for _, t in ticks for line in t.split("\n")), key=len, default="")
        self.fit_left_axis(self.plot, widest + "  ")
        labels = self.texts_for(self.plot, self.total_labels, n, anchor=(0.0, 0.5))
        for i, t in enumerate(labels):
            tot = data.totals[i]
            t.setText(" " + (days_text(tot) if ok(tot) else "cannot be evaluated"))
            t.setPos(float(left[i]), float(y[i]))
        top = float(left.max()) if n and left.max() > 0 else 1.0
        set_range(self.plot, x=(0, top * 1.22), y=(-0.6, max(n, 1) - 0.4))
        self.set_axis_label(self.plot, "bottom", "Days from collection (or order) to infusion")
        self.set_title(data.finding)
        self.set_legend([(swatch(c, bar=True), lab) for c, lab in zip(data.colours, data.labels, strict=True)])

    def hover_text(self, plot, x, yv):
        d = self.data
        n = len(d.scenarios)
        i = n - 1 - int(round(yv))
        if not 0 <= i < n or abs(yv - round(yv)) > BAR_HEIGHT / 2:
            return None
        name = d.scenarios[i]
        if not ok(d.totals[i]):
            return f"{name}: {d.problems.get(name, 'cannot be evaluated')}"
        row = np.nan_to_num(d.days[i])
        j = int(np.searchsorted(np.cumsum(row), x))
        if 0 <= x and j < len(row):
            return f"{name} - {d.labels[j]}: {days_text(row[j])} of {days_text(d.totals[i])}"
        return f"{name}: {days_text(d.totals[i])} vein to vein"
