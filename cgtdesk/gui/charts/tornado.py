"""Tornado: one-at-a-time swings of a result around its base, largest on top."""

from __future__ import annotations

import textwrap

import numpy as np

import pyqtgraph as pg  # isort: skip
from cgtdesk.chartdata import TornadoData
from cgtdesk.core.formatting import fmt_number, money
from cgtdesk.gui.charts.base import BaseChart, NumberAxis, drawable, font, pen, set_range, swatch
from cgtdesk.gui.style import HIGH_COLOUR, LOW_COLOUR

BAR_HEIGHT = 0.64


def _short(x: float) -> str:
    return fmt_number(float(f"{x:.4g}"))


class TornadoChart(BaseChart):
    name = "tornado"

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.left_axis = NumberAxis("left")
        self.plot = self.add_plot(left=self.left_axis)
        self.plot.setMouseEnabled(x=False, y=False)
        self.low_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=BAR_HEIGHT)
        self.high_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=BAR_HEIGHT)
        self.plot.addItem(self.low_bars)
        self.plot.addItem(self.high_bars)
        self.base_line = pg.InfiniteLine(angle=90, movable=False)
        self.plot.addItem(self.base_line, ignoreBounds=True)
        self.value_labels: list[pg.TextItem] = []
        self.empty = pg.TextItem(anchor=(0.5, 0.5))
        self.plot.addItem(self.empty, ignoreBounds=True)
        self.apply_style()
        self.show_message("Tornado: waiting for data")

    def _grid_axis(self, plot):
        return "bottom"

    def show_message(self, text: str):
        self.empty.setText(text)
        self.empty.setFont(font(self.style_.label_px))
        self.empty.setColor(self.style_.theme.muted)
        self.empty.setPos(0.5, 0.5)
        self.plot.setXRange(0, 1)
        self.plot.setYRange(0, 1)
        self.empty.show()
        self.set_title(text)

    def update_data(self, data: TornadoData | None):
        if data is None:
            self.data = None
            self.low_bars.setOpts(x0=[], y=[], width=[], height=BAR_HEIGHT)
            self.high_bars.setOpts(x0=[], y=[], width=[], height=BAR_HEIGHT)
            self.show_message("Tornado: waiting for data")
            return
        self.empty.hide()
        self.data = data
        s = self.style_
        rows = data.rows
        n = len(rows)
        y = np.arange(n, dtype=float)[::-1]  # largest swing on top
        base = float(drawable(data.base))
        lo = drawable([r.result_low for r in rows], base)
        hi = drawable([r.result_high for r in rows], base)
        bp = pg.mkPen(s.theme.background, width=s.px(1))
        self.low_bars.setOpts(x0=np.full(n, base), y=y, width=lo - base, height=BAR_HEIGHT, brush=LOW_COLOUR, pen=bp)
        self.high_bars.setOpts(x0=np.full(n, base), y=y, width=hi - base, height=BAR_HEIGHT, brush=HIGH_COLOUR, pen=bp)
        self.base_line.setPen(pen(s.theme.foreground, max(1.5, s.line_width * 0.6)))
        self.base_line.setPos(base)
        wrap = 36
        ticks = [
            (float(y[k]), "\n".join(textwrap.wrap(r.label, wrap)) + f"\n{_short(r.low)} to {_short(r.high)}")
            for k, r in enumerate(rows)
        ]
        self.left_axis.setTicks([ticks, []])
        widest = max((line for _, t in ticks for line in t.split("\n")), key=len, default="")
        self.fit_left_axis(self.plot, widest + "  ")
        labels = self.texts_for(self.plot, self.value_labels, 2 * n, anchor=(0.0, 0.5))
        is_money = data.kind == "money"
        fmt = (lambda v: money(v, data.currency)) if is_money else (lambda v: f"{v:,.3g}")
        for k in range(n):
            for j, v in enumerate((lo[k], hi[k])):
                t = labels[2 * k + j]
                t.setText(fmt(v))
                t.setAnchor((0.0, 0.5) if v >= base else (1.0, 0.5))
                t.setPos(v, y[k])
        allv = np.concatenate([lo, hi, [base]])
        span = max(float(allv.max() - allv.min()), abs(base) * 0.05, 1e-9)
        set_range(self.plot, x=(float(allv.min()) - 0.3 * span, float(allv.max()) + 0.3 * span), y=(-0.6, max(n, 1) - 0.4))
        self.set_axis_label(self.plot, "bottom", f"{data.label} ({data.unit}); base {fmt(data.base)}")
        self.set_title(data.finding)
        self.set_legend(
            [
                (swatch(LOW_COLOUR, bar=True), "input at its low value"),
                (swatch(HIGH_COLOUR, bar=True), "input at its high value"),
                ("", f"Scenario: {data.scenario}; low/high from its uncertainty or -/+20%"),
            ]
        )

    def hover_text(self, plot, x, yv):
        d = self.data
        n = len(d.rows)
        k = n - 1 - int(round(yv))
        if not 0 <= k < n:
            return None
        r = d.rows[k]
        return (
            f"{r.label}: {_short(r.low)} gives {money(r.result_low, d.currency)}, {_short(r.high)} gives "
            f"{money(r.result_high, d.currency)} (swing {money(r.swing, d.currency)})"
        )
