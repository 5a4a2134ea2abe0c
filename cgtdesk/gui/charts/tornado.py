"""Tornado: one-at-a-time swings of a result around its base, largest on top."""

from __future__ import annotations

import numpy as np
from PySide6 import QtGui, QtWidgets

import pyqtgraph as pg  # isort: skip
from cgtdesk.chartdata import TornadoData
from cgtdesk.chartdata.common import wrap_words
from cgtdesk.core.formatting import money
from cgtdesk.gui.charts.base import BaseChart, NumberAxis, drawable, font, pen, set_range, swatch
from cgtdesk.gui.style import HIGH_COLOUR, LOW_COLOUR

BAR_HEIGHT = 0.64


class TornadoChart(BaseChart):
    name = "tornado"

    def __init__(self, parent=None, style=None, warn: bool = True):
        """``warn``: show the line counting the inputs that swing by the default -/+20%
        (a view that says so itself passes False)."""
        super().__init__(parent, style)
        self.warn = warn
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
        # how many inputs swing by the default -/+20%: a wrapped line under the title
        self.warning = QtWidgets.QLabel()
        self.warning.setWordWrap(True)
        self.layout().insertWidget(1, self.warning)
        self.plot.vb.sigResized.connect(self._fit_ticks)
        self.apply_style()
        self.show_message("Tornado: waiting for data")

    def _grid_axis(self, plot):
        return "bottom"

    def update_data(self, data: TornadoData | None):
        if data is None:
            self.data = None
            self.low_bars.setOpts(x0=[], y=[], width=[], height=BAR_HEIGHT)
            self.high_bars.setOpts(x0=[], y=[], width=[], height=BAR_HEIGHT)
            self.warning.hide()
            self.show_message("Tornado: waiting for data")
            return
        self.clear_message()
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
        self._fit_ticks()
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
        self.warning.setText(f"\u26a0 {data.warning}" if data.warning else "")
        self.warning.setVisible(self.warn and bool(data.warning))
        self.warning.setFont(font(s.font_px))
        self.set_legend(
            [
                (swatch(LOW_COLOUR, bar=True), "input at its low value"),
                (swatch(HIGH_COLOUR, bar=True), "input at its high value"),
                ("", f"Scenario: {data.scenario}; low/high from its uncertainty or -/+20%"),
            ]
        )

    def _fit_ticks(self, *_):
        """Each bar's input name and its low-to-high range beside it, in as many lines as a
        bar's row holds: the name wrapped at spaces (cut with an ellipsis past its room; the
        read-out names it whole), the range under it when there is room."""
        d = self.data
        if d is None:
            return
        n = max(1, len(d.rows))
        px = self.style_.font_px
        fm = QtGui.QFontMetrics(font(px))
        row_px = self.plot.vb.height() / n if self.plot.vb.height() > 0 else 3 * px * 1.3
        room = max(1, int(row_px / (px * 1.25)))
        width = max(120, min(320, int(self.width() * 0.32)))
        ticks = []
        for k, r in enumerate(d.rows):
            name_lines = wrap_words(r.label, lambda t: fm.horizontalAdvance(t) <= width, max(1, room - 1))
            lines = [*name_lines, r.range_text] if room >= 2 else name_lines[:1]
            ticks.append((float(n - 1 - k), "\n".join(lines)))
        self.left_axis.setTicks([ticks, []])
        widest = max((line for _, t in ticks for line in t.split("\n")), key=fm.horizontalAdvance, default="")
        self.fit_left_axis(self.plot, widest + "  ")

    def hover_text(self, plot, x, yv):
        d = self.data
        n = len(d.rows)
        k = n - 1 - int(round(yv))
        if not 0 <= k < n:
            return None
        r = d.rows[k]
        return (
            f"{r.label}: {r.range_text} gives {money(r.result_low, d.currency)} to "
            f"{money(r.result_high, d.currency)} (swing {money(r.swing, d.currency)})"
        )
