"""Cost of goods per dose, stacked by the seven categories, one bar per scenario."""

from __future__ import annotations

import math

import numpy as np

import pyqtgraph as pg  # isort: skip
from cgtdesk.chartdata import BreakdownData
from cgtdesk.chartdata.common import NO_SCENARIO, no_result_text
from cgtdesk.core.formatting import money
from cgtdesk.gui.charts.base import BaseChart, CategoryAxis, drawable, ok, set_range, swatch
from cgtdesk.gui.style import category_colour

BAR_WIDTH = 0.62


class BreakdownChart(BaseChart):
    name = "breakdown"

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.axis = CategoryAxis("bottom")
        self.plot = self.add_plot(bottom=self.axis)
        self.plot.setMouseEnabled(x=False, y=False)
        self.bars: dict[str, pg.BarGraphItem] = {}
        self.total_labels: list[pg.TextItem] = []
        self._total_texts: list[tuple[str, str]] = []
        self.plot.vb.sigResized.connect(self._fit_totals)
        self.apply_style()

    def update_data(self, data: BreakdownData):
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
        x = np.arange(n, dtype=float)
        vals = drawable(data.per_dose)
        bottom = np.zeros(n)
        for j, cat in enumerate(data.categories):
            bar = self.bars.get(cat)
            opts = dict(
                x=x,
                height=vals[:, j],
                y0=bottom.copy(),
                width=BAR_WIDTH,
                brush=category_colour(cat),
                pen=pg.mkPen(s.theme.background, width=max(1, s.line_width / 3)),
            )
            if bar is None:
                bar = pg.BarGraphItem(**opts)
                self.bars[cat] = bar
                self.plot.addItem(bar)
            else:
                bar.setOpts(**opts)
            bottom = bottom + vals[:, j]
        labels = self.texts_for(self.plot, self.total_labels, n, anchor=(0.5, 1.0))
        self._total_texts = []
        for i, t in enumerate(labels):
            tot = data.totals[i]
            full = money(tot, data.currency) if ok(tot) else "cannot be evaluated"
            self._total_texts.append((full, full.replace(f"{data.currency} ", "") if ok(tot) else "n/a"))
            t.setPos(i, tot if ok(tot) else 0)
        self.axis.set_categories(range(n), data.scenarios)
        self.set_axis_label(self.plot, "left", f"Cost of goods per dose ({data.currency}/dose)")
        tops = bottom[np.isfinite(bottom)]
        top = float(tops.max()) if tops.size and tops.max() > 0 else 1.0
        set_range(self.plot, x=(-0.6, n - 0.4), y=(0, top * 1.12))
        self.fit_left_axis(self.plot, f"{top * 1.12:,.0f}")
        self._fit_totals()
        self.set_title(data.finding)
        self.set_legend(
            [(swatch(category_colour(c), bar=True), lab) for c, lab in zip(data.categories, data.labels, strict=True)]
        )

    def _fit_totals(self, *_):
        self.fit_labels(self.total_labels, self._total_texts, self.axis.slot_px())

    def hover_text(self, plot, x, y):
        d = self.data
        i = int(round(x))
        if not 0 <= i < len(d.scenarios) or abs(x - i) > BAR_WIDTH / 2:
            return None
        row = np.nan_to_num(d.per_dose[i])
        cum = np.cumsum(row)
        j = int(np.searchsorted(cum, y))
        tot = d.totals[i]
        if not math.isfinite(tot):
            return f"{d.scenarios[i]}: {d.problems.get(d.scenarios[i], 'cannot be evaluated')}"
        if 0 <= y and j < len(row):
            share = row[j] / tot if tot else 0
            text = (
                f"{d.scenarios[i]} - {d.labels[j]}: {money(row[j], d.currency)} per dose "
                f"({share:.0%} of {money(tot, d.currency)})"
            )
            if d.categories[j] == "labour" and i < len(d.labour_notes) and d.labour_notes[i]:
                text += f"; {d.labour_notes[i]}"
            return text
        return f"{d.scenarios[i]}: {money(tot, d.currency)} per dose"
