"""Monte Carlo: histogram of cost of goods per dose, the target line, P10/P50/P90."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore

import pyqtgraph as pg  # isort: skip
from cgtdesk.chartdata import MonteCarloData
from cgtdesk.core.formatting import money, percent
from cgtdesk.gui.charts.base import BaseChart, drawable, font, ok, pen, set_range, swatch
from cgtdesk.gui.style import BAD_COLOUR, scenario_colour


class MonteCarloChart(BaseChart):
    name = "montecarlo"

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.plot = self.add_plot()
        self.plot.setMouseEnabled(x=False, y=False)
        self.hist = pg.BarGraphItem(x0=[], x1=[], height=[])
        self.plot.addItem(self.hist)
        self.target = pg.InfiniteLine(angle=90, movable=False)
        self.plot.addItem(self.target, ignoreBounds=True)
        self.target_label = pg.TextItem(anchor=(0.0, 0.0))
        self.plot.addItem(self.target_label, ignoreBounds=True)
        self.pct_lines = [pg.InfiniteLine(angle=90, movable=False) for _ in range(3)]
        self.pct_labels = [pg.TextItem(anchor=(0.0, 0.0)) for _ in range(3)]
        for ln, lb in zip(self.pct_lines, self.pct_labels, strict=True):
            self.plot.addItem(ln, ignoreBounds=True)
            self.plot.addItem(lb, ignoreBounds=True)
        self.colour_index = 0
        self.apply_style()
        self.update_data(None)

    def update_data(self, data: MonteCarloData | None, colour_index: int | None = None):
        s = self.style_
        if colour_index is not None:
            self.colour_index = colour_index
        if data is None or not data.sampled:
            self.hist.setOpts(x0=[], x1=[], height=[])
            self.show_message(
                "No run yet: press Run in the Monte Carlo tab (F9)"
                if data is None
                else f"'{data.scenario}' has no distributions: add distributions in the Uncertainty editor",
                "Monte Carlo: no run yet" if data is None else data.finding,
            )
            return
        self.clear_message()
        self.data = data
        colour = scenario_colour(self.colour_index)
        edges = drawable(data.edges)
        self.hist.setOpts(
            x0=edges[:-1],
            x1=edges[1:],
            height=drawable(data.counts),
            brush=colour,
            pen=pg.mkPen(s.theme.background, width=s.px(1)),
        )
        top = float(data.counts.max()) if data.counts.size else 1.0
        lo = float(edges[0]) if edges.size else 0.0
        hi = float(edges[-1]) if edges.size else 1.0
        xs = [lo, hi]
        if data.target is not None and ok(data.target):
            self.target.setPen(pen(BAD_COLOUR, s.line_width))
            self.target.setPos(data.target)
            self.target.show()
            self.target_label.hide()  # said in the legend: never over the bars
            xs.append(data.target)
        else:
            self.target.hide()
            self.target_label.hide()
        x0, x1 = min(xs), max(xs)
        span = max(x1 - x0, abs(x1) * 0.01, 1.0)
        x0, x1 = x0 - 0.04 * span, x1 + 0.04 * span
        set_range(self.plot, x=(x0, x1), y=(0, top * 1.25))
        self._percentiles(data, top)
        self.set_axis_label(self.plot, "bottom", f"{data.label} ({data.unit})")
        self.set_axis_label(self.plot, "left", "Runs")
        self.fit_left_axis(self.plot, f"{top * 1.25:,.0f}")
        self.set_title(data.finding)
        entries = [
            (
                swatch(colour, bar=True),
                f"{data.scenario}: {data.samples:,} runs"
                + (f", {data.invalid:,} invalid" if data.invalid else "")
                + ("" if data.complete else " (stopped early)"),
            ),
            (
                "&#9476;&#9476;",
                f"P10 {money(data.p10, data.currency)}, P50 {money(data.p50, data.currency)},"
                f" P90 {money(data.p90, data.currency)}",
            ),
        ]
        if data.target is not None:
            entries.append(
                (
                    swatch(BAD_COLOUR),
                    f"max allowable {money(data.target, data.currency)} (target margin):"
                    f" P(meets target) {percent(data.p_meets_target)}",
                )
            )
        self.set_legend(entries)

    def _percentiles(self, data: MonteCarloData, top: float) -> None:
        """P10, P50, P90 as dashed lines tagged with their names (the values are in the legend);
        each tag sits on the side of its line away from the target line, so never across it."""
        s = self.style_
        target = data.target if data.target is not None and ok(data.target) else None
        for k, (name, v) in enumerate((("P10", data.p10), ("P50", data.p50), ("P90", data.p90))):
            ln, lb = self.pct_lines[k], self.pct_labels[k]
            ln.setPen(pen(s.theme.foreground, max(1.5, s.line_width * 0.5), QtCore.Qt.PenStyle.DashLine))
            v = float(drawable(v))
            ln.setPos(v)
            left = v < target if target is not None else k == 0
            lb.setAnchor((1.0, 0.0) if left else (0.0, 0.0))
            lb.setText(f"{name} " if left else f" {name}")
            lb.setFont(font(s.value_px))
            lb.setColor(s.theme.foreground)
            lb.setPos(v, top * (1.25 - 0.08 * k))  # staggered: neighbours never overlap
            ln.show()
            lb.show()

    def hover_text(self, plot, x, y):
        d = self.data
        i = int(np.searchsorted(d.edges, x)) - 1
        if not 0 <= i < len(d.counts):
            return None
        total = d.counts.sum()
        below = d.counts[: i + 1].sum() / total if total else 0
        return (
            f"{money(d.edges[i], d.currency)} - {money(d.edges[i + 1], d.currency)}: {int(d.counts[i]):,} runs; "
            f"{percent(below)} of runs at or below {money(d.edges[i + 1], d.currency)}"
        )
