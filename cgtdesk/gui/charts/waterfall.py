"""From the price per dose down through each cost category to the margin, against the target."""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtWidgets

import pyqtgraph as pg  # isort: skip
from cgtdesk.chartdata import WaterfallData, headroom_sentence
from cgtdesk.chartdata.common import NO_SCENARIO, no_result_text
from cgtdesk.core.formatting import money, percent
from cgtdesk.gui.charts.base import BaseChart, CategoryAxis, drawable, font, ok, pen, set_range, swatch
from cgtdesk.gui.style import BAD_COLOUR, GOOD_COLOUR, category_colour

BAR_WIDTH = 0.66


def value_label(v: float, kind: str, currency: str) -> tuple[str, str]:
    """A bar's value label with its currency and without: a cost falls (-USD 21,053)."""
    if kind not in ("price", "margin"):
        v = -v if v > 0 else 0.0
    full = money(v, currency)
    return full, full.replace(f"{currency} ", "")


def waterfall_bars(d: WaterfallData):
    """(labels, y0, height, kinds) of the bars: price, one per category (falling), margin."""
    labels = ["Price"] + list(d.labels) + ["Margin"]
    vals = drawable(d.per_dose)
    level = d.price - np.concatenate([[0.0], np.cumsum(vals)])
    y0 = drawable(np.concatenate([[0.0], level[1:], [0.0]]))
    height = drawable(np.concatenate([[d.price], vals, [d.margin]]))
    kinds = ["price"] + list(d.categories) + ["margin"]
    return labels, y0, height, kinds


class WaterfallChart(BaseChart):
    name = "waterfall"

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.axis = CategoryAxis("bottom")
        self.plot = self.add_plot(bottom=self.axis)
        self.plot.setMouseEnabled(x=False, y=False)
        self.bars = pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH)
        self.plot.addItem(self.bars)
        self.steps = pg.PlotDataItem()
        self.plot.addItem(self.steps)
        self.target = pg.InfiniteLine(angle=0, movable=False)
        self.plot.addItem(self.target, ignoreBounds=True)
        # the headroom in words: a wrapped line under the title (a text item in the plot was
        # centred on the bars and lost its ends, the first letter among them, when wider)
        self.headroom = QtWidgets.QLabel()
        self.headroom.setWordWrap(True)
        self.layout().insertWidget(1, self.headroom)
        self.value_labels: list[pg.TextItem] = []
        self._value_texts: list[tuple[str, str]] = []
        self.plot.vb.sigResized.connect(self._fit_value_labels)
        self.apply_style()

    def update_data(self, data: WaterfallData | None):
        if data is None:
            self.headroom.hide()
            self.show_message(NO_SCENARIO)
            return
        if data.problem:
            self.headroom.hide()
            self.show_message(no_result_text({data.scenario: data.problem}), data.finding)
            return
        self.clear_message()
        self.headroom.show()
        self.data = data
        s = self.style_
        labels, y0, height, kinds = waterfall_bars(data)
        n = len(labels)
        x = np.arange(n, dtype=float)
        colours = [s.theme.neutral_bar] + [category_colour(c) for c in data.categories]
        colours.append(GOOD_COLOUR if data.headroom >= 0 else BAD_COLOUR)
        self.bars.setOpts(
            x=x,
            y0=y0,
            height=height,
            width=BAR_WIDTH,
            brushes=[pg.mkBrush(c) for c in colours],
            pen=pg.mkPen(s.theme.background, width=s.px(1)),
        )
        # thin connectors from one bar's end to the next bar's start
        tops = y0 + height
        cx, cy = [], []
        for i in range(n - 1):
            level = y0[i] if 0 < i else tops[i]
            cx += [i + BAR_WIDTH / 2, i + 1 - BAR_WIDTH / 2]
            cy += [level, level]
        self.steps.setData(
            cx, cy, connect="pairs", pen=pen(s.theme.muted, max(1, s.line_width / 2.5), QtCore.Qt.PenStyle.DotLine)
        )
        tm_value = data.target_margin_value
        self.target.setPen(pen(s.theme.foreground, max(1.5, s.line_width * 0.7), QtCore.Qt.PenStyle.DashLine))
        self.target.setPos(tm_value if ok(tm_value) else 0.0)
        labs = self.texts_for(self.plot, self.value_labels, n, anchor=(0.5, 1.0))
        self._value_texts = [value_label(v, k, data.currency) for v, k in zip(height, kinds, strict=True)]
        for i, t in enumerate(labs):
            t.setPos(i, y0[i] + max(height[i], 0))
        self.headroom.setText(headroom_sentence(data))
        self.headroom.setFont(font(s.value_px, bold=True))
        colour = GOOD_COLOUR if data.headroom >= 0 else BAD_COLOUR
        self.headroom.setStyleSheet(f"color: {colour}")
        top = max(float(np.max(y0 + np.maximum(height, 0))), 1.0)
        set_range(self.plot, x=(-0.6, n - 0.4), y=(min(0.0, float(np.min(y0))), top * 1.1))
        self.axis.set_categories(range(n), labels)
        self.set_axis_label(self.plot, "left", f"Per dose ({data.currency}/dose)")
        self.fit_left_axis(self.plot, f"{top * 1.1:,.0f}")
        self._fit_value_labels()
        self.set_title(data.finding)
        self.set_legend(
            [
                (swatch(s.theme.neutral_bar, bar=True), "List price"),
                (
                    swatch(GOOD_COLOUR if data.headroom >= 0 else BAD_COLOUR, bar=True),
                    "Gross margin" + ("" if data.headroom >= 0 else " (below target)"),
                ),
                (
                    "&#9476;&#9476;",
                    f"target margin: {percent(data.target_margin)} of price, {money(tm_value, data.currency)} per dose",
                ),
                ("", f"Scenario: {data.scenario}"),
            ]
        )

    def _fit_value_labels(self, *_):
        self.fit_labels(self.value_labels, self._value_texts, self.axis.slot_px())

    def hover_text(self, plot, x, y):
        d = self.data
        labels, y0, height, kinds = waterfall_bars(d)
        i = int(round(x))
        if not 0 <= i < len(labels) or abs(x - i) > BAR_WIDTH / 2:
            return None
        if kinds[i] == "price":
            return f"{d.scenario}: list price {money(d.price, d.currency)} per dose"
        if kinds[i] == "margin":
            return f"{d.scenario}: margin {money(d.margin, d.currency)} per dose; {headroom_sentence(d)}"
        share = height[i] / d.price if d.price else math.nan
        return f"{d.scenario} - {labels[i]}: {money(height[i], d.currency)} per dose ({percent(share, 1)} of price)"
