"""What every chart shares: a title stating the finding, pyqtgraph plots with readable axes,
a legend that never covers the data, a hover read-out, and light/dark/presentation styles."""

from __future__ import annotations

import math
from html import escape

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets  # noqa: F401  (PySide6 before pyqtgraph)

import pyqtgraph as pg  # isort: skip
from cgtdesk.chartdata.common import wrap_words
from cgtdesk.gui.style import ChartStyle, normal_style

pg.setConfigOptions(antialias=True)


def compact(x: float) -> str:
    """1, 10, 100, 1,000, 10k, 100k, 1M: tick labels on log axes."""
    if not math.isfinite(x):
        return ""
    ax = abs(x)
    if ax >= 1e6:
        s = f"{x / 1e6:.3g}M"
    elif ax >= 1e4:
        s = f"{x / 1e3:.3g}k"
    elif ax >= 1:
        s = f"{x:,.0f}" if abs(x - round(x)) < 1e-6 * max(1.0, ax) else f"{x:.3g}"
    else:
        s = f"{x:.2g}"
    return s


class NumberAxis(pg.AxisItem):
    """Plain numbers with thousands separators; on log axes 1, 10, 100, 1,000, 10k ..."""

    def __init__(self, orientation, **kw):
        super().__init__(orientation, **kw)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values, scale, spacing):
        if self.logMode:
            return self.logTickStrings(values, scale, spacing)
        out = []
        for v in values:
            vs = v * scale
            if spacing * scale >= 1 or abs(vs) >= 1000:
                out.append(f"{vs:,.0f}")
            else:
                places = max(0, math.ceil(-math.log10(spacing * scale)))
                out.append(f"{vs:,.{places}f}")
        return out


class LogAxis(NumberAxis):
    """An axis over log10 values drawn on a linear view: ticks at 1, 10, 100 ... (and 2, 5 when
    few decades show), labelled with the real values. (The charts transform their data
    themselves: pyqtgraph's own log mode crashes PySide6 6.10 in multi-plot layouts.)"""

    def tickValues(self, minVal, maxVal, size):
        lo, hi = math.floor(min(minVal, maxVal)), math.ceil(max(minVal, maxVal))
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo > 40:
            return super().tickValues(minVal, maxVal, size)
        decades = [float(d) for d in range(lo, hi + 1) if minVal - 1e-9 <= d <= maxVal + 1e-9]
        step = max(1, math.ceil(len(decades) / max(2, size / 40)))
        major = decades[::step]
        minor = []
        for d in range(lo, hi + 1):
            for k in range(2, 10):
                v = d + math.log10(k)
                if minVal <= v <= maxVal:
                    minor.append(v)
        ticks = [(1.0, major)]
        if step == 1:
            ticks.append((0.3, minor))
        return ticks

    def tickStrings(self, values, scale, spacing):
        few = spacing < 1.0
        out = []
        for v in values:
            x = 10 ** float(v)
            mant = round(x / 10 ** math.floor(float(v) + 1e-9), 6)
            if abs(mant - 1) < 1e-6 or (few and mant in (2.0, 5.0) and self._few_decades()):
                out.append(compact(x))
            else:
                out.append("")
        return out

    def _few_decades(self) -> bool:
        vr = self.range
        return abs(vr[1] - vr[0]) <= 2.2


class CategoryAxis(pg.AxisItem):
    """Bottom axis with one label per bar (bars one unit apart), broken at spaces to fit the
    bar's slot as drawn (never mid-word), at most ``max_lines`` lines; a name cut short shows
    whole in the chart's tooltip and read-out (:meth:`label_at`). The axis grows to hold every line."""

    def __init__(self, orientation="bottom", max_lines: int = 4, **kw):
        self._labels: list[str] = []  # before the base class, which resizes the axis
        self._positions: list[float] = []
        self._font_px = 12
        self._max_lines = max_lines
        self._slot = 0.0
        super().__init__(orientation, **kw)

    def set_categories(self, positions, labels):
        self._positions = list(positions)
        self._labels = list(labels)
        self._apply()

    def set_font_px(self, px: int):
        self._font_px = px
        self._apply()

    def slot_px(self) -> float:
        """Pixels a label may take: the distance between bars, less a gap."""
        vb = self.linkedView()
        if vb is None or vb.width() <= 0:
            return 0.0
        lo, hi = vb.viewRange()[0]
        return 0.92 * vb.width() / max(hi - lo, 1e-9) - 4

    def wrapped(self) -> list[str]:
        slot = self.slot_px()
        if slot <= 0:
            return ["\n".join(wrap_words(s, 16, self._max_lines)) for s in self._labels]
        fm = QtGui.QFontMetrics(font(self._font_px))
        return ["\n".join(wrap_words(s, lambda t: fm.horizontalAdvance(t) <= slot, self._max_lines)) for s in self._labels]

    def label_at(self, scene_pos) -> str | None:
        """The whole label of the bar under ``scene_pos`` when it lies on this axis."""
        vb = self.linkedView()
        if vb is None or not self._labels or not self.sceneBoundingRect().contains(scene_pos):
            return None
        x = vb.mapSceneToView(scene_pos).x()
        k = min(range(len(self._positions)), key=lambda i: abs(self._positions[i] - x))
        return self._labels[k] if abs(self._positions[k] - x) <= 0.5 else None

    def linkedViewChanged(self, view, newRange=None):
        super().linkedViewChanged(view, newRange)
        self._reflow()

    def resizeEvent(self, ev=None):
        super().resizeEvent(ev)
        self._reflow()

    def _reflow(self):
        if self._labels and abs(self.slot_px() - self._slot) > 0.5:
            self._apply()

    def _apply(self):
        self._slot = self.slot_px()
        texts = self.wrapped()
        self.setTicks([list(zip(self._positions, texts, strict=True)), []])
        lines = max([t.count("\n") + 1 for t in texts] or [1])
        height = int(lines * self._font_px * 1.3 + self._font_px * 0.9)
        if self.label.isVisible():
            height += int(self._font_px * 1.6)
        self.setStyle(autoExpandTextSpace=False)
        self.textHeight = int(lines * self._font_px * 1.3)
        if abs(self.height() - height) > 0.5:
            self.setHeight(height)


def pen(colour, width: float, style=QtCore.Qt.PenStyle.SolidLine):
    p = pg.mkPen(colour, width=width)
    p.setStyle(style)
    return p


def font(px: int, bold: bool = False) -> QtGui.QFont:
    f = QtGui.QFont()
    f.setPixelSize(max(6, int(px)))
    f.setBold(bold)
    return f


def line_style(process: str):
    return QtCore.Qt.PenStyle.SolidLine if process == "autologous" else QtCore.Qt.PenStyle.DashLine


def swatch(colour: str, process: str | None = None, bar: bool = False) -> str:
    if bar:
        return f'<span style="color:{colour}">&#9632;</span>'
    mark = "&#9473;&#9473;" if process != "allogeneic" else "&#9549;&#9549;"
    return f'<span style="color:{colour}; font-weight:bold">{mark}</span>'


#: nothing drawn beyond this (a fuzzed input can make a cost 1e300 or inf; Qt must never see that)
LIMIT = 1e15


def drawable(x, default: float = 0.0):
    """Values safe to hand to Qt: non-finite ones replaced by ``default``, the rest clipped."""
    x = np.asarray(x, dtype=float)
    return np.clip(np.where(np.isfinite(x), x, default), -LIMIT, LIMIT)


def ok(v) -> bool:
    try:
        return math.isfinite(float(v)) and abs(float(v)) <= LIMIT
    except (TypeError, ValueError):
        return False


def set_range(plot, x=None, y=None):
    """setXRange/setYRange that never raises on non-finite or empty bounds."""
    for which, r in (("x", x), ("y", y)):
        if r is None:
            continue
        lo, hi = float(r[0]), float(r[1])
        if not (ok(lo) and ok(hi)) or not lo < hi:
            lo, hi = (lo, lo + 1.0) if ok(lo) else (0.0, 1.0)
        (plot.setXRange if which == "x" else plot.setYRange)(lo, hi, padding=0)


def finite_log10(x):
    x = np.asarray(x, dtype=float)
    good = (x > 0) & np.isfinite(x) & (x <= LIMIT)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(good, np.log10(np.where(good, x, 1.0)), np.nan)


class BaseChart(QtWidgets.QWidget):
    """A title line (the finding), a pyqtgraph area, a legend line and a hover read-out."""

    name = "chart"
    hovered = QtCore.Signal(str)

    def __init__(self, parent=None, style: ChartStyle | None = None):
        super().__init__(parent)
        self.style_ = style or normal_style()
        self.data = None
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(2)
        self.header = QtWidgets.QHBoxLayout()
        self.title = QtWidgets.QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.header.addWidget(self.title, 1)
        lay.addLayout(self.header)
        self.graphics = pg.GraphicsLayoutWidget()
        lay.addWidget(self.graphics, 1)
        # in place of the plots when there is nothing to draw: what to do, in words (show_message)
        self.empty_message = QtWidgets.QLabel()
        self.empty_message.setWordWrap(True)
        self.empty_message.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.empty_message.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty_message.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Expanding)
        self.empty_message.hide()
        lay.addWidget(self.empty_message, 1)
        self.legend = QtWidgets.QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        lay.addWidget(self.legend)
        self.readout = QtWidgets.QLabel(" ")
        self.readout.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.readout)
        self.plots: list[pg.PlotItem] = []
        self._texts: list[pg.TextItem] = []
        self._left_titles: dict[int, tuple[str, str | None]] = {}  # id(plot) -> (axis title, widest tick label)
        self.graphics.scene().sigMouseMoved.connect(self._mouse_moved)

    # ---- building blocks
    def add_plot(self, row=0, col=0, bottom=None, left=None) -> pg.PlotItem:
        axes = {"bottom": bottom or NumberAxis("bottom"), "left": left or NumberAxis("left")}
        plot = self.graphics.addPlot(row=row, col=col, axisItems=axes)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.vb.sigResized.connect(lambda *_: self._rewrap_left_title(plot))
        self.plots.append(plot)
        return plot

    # ---- nothing to draw
    def show_message(self, text: str, title: str | None = None):
        """Nothing to draw: ``text`` (what to do) centred where the plots were, no axes at all
        (never bare 0-1 axes), the title ``title`` (``text`` when None) and no legend."""
        self.data = None
        self.graphics.hide()
        self.empty_message.setText(text)
        self.empty_message.show()
        self._style_message()
        self.set_title(text if title is None else title)
        self.legend.setText("")
        self.readout.setText(" ")

    def clear_message(self):
        """The plots back in place of the message (every chart's update calls it before drawing)."""
        if self.empty_message.isVisible() or self.graphics.isHidden():
            self.empty_message.hide()
            self.graphics.show()

    def showing_message(self) -> str:
        """The message shown in place of the plots ('' when the plots show)."""
        return "" if self.empty_message.isHidden() else self.empty_message.text()

    def _style_message(self):
        s = self.style_
        self.empty_message.setFont(font(s.label_px))
        self.empty_message.setStyleSheet(f"color: {s.theme.muted}; padding: {s.label_px}px;")

    def text_item(self, plot, anchor=(0.5, 1.0)) -> pg.TextItem:
        t = pg.TextItem(anchor=anchor)
        plot.addItem(t, ignoreBounds=True)
        self._texts.append(t)
        return t

    def texts_for(self, plot, items: list, n: int, anchor=(0.5, 1.0)) -> list:
        """Reuse text items in place: grow or shrink the list to n."""
        while len(items) < n:
            items.append(self.text_item(plot, anchor))
        while len(items) > n:
            t = items.pop()
            plot.removeItem(t)
            self._texts.remove(t)
        for t in items:
            t.setFont(font(self.style_.value_px))
            t.setColor(self.style_.theme.foreground)
        return items

    def fit_labels(self, items: list, forms: list[tuple[str, ...]], slot: float):
        """Labels side by side, one per slot of ``slot`` pixels: each item takes the first of
        its ``forms`` (widest first, e.g. with and without the currency) that lets every label
        fit, in a smaller font when none does, so that no two labels ever overlap."""
        if not forms:
            return
        px = self.style_.value_px
        sizes = range(px, max(7, int(px * 0.65)) - 1, -1)
        size, form = sizes[-1], len(forms[0]) - 1
        if slot > 0:
            fits = (
                (sz, f)
                for sz in sizes
                for f in range(len(forms[0]))
                if max(QtGui.QFontMetrics(font(sz)).horizontalAdvance(t[f]) for t in forms) <= slot
            )
            size, form = next(fits, (size, form))
        for t, texts in zip(items, forms, strict=True):
            t.setFont(font(size))
            t.setText(texts[form])

    # ---- style
    def set_style(self, style: ChartStyle):
        self.style_ = style
        self.apply_style()
        if self.data is not None:
            self.update_data(self.data)

    def set_theme(self, dark: bool):
        self.set_style(self.style_.with_theme(dark))

    def apply_style(self):
        s = self.style_
        th = s.theme
        self.graphics.setBackground(th.background)
        pal = self.palette()
        pal.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor(th.background))
        pal.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor(th.foreground))
        self.setPalette(pal)
        self.setAutoFillBackground(True)
        self.title.setFont(font(s.title_px, bold=True))
        self.legend.setFont(font(s.font_px))
        self.readout.setFont(font(s.font_px))
        self.readout.setVisible(not s.presentation)
        for plot in self.plots:
            for name in ("left", "bottom"):
                ax = plot.getAxis(name)
                ax.setPen(pg.mkPen(th.foreground, width=max(1.0, s.line_width / 3)))
                ax.setTextPen(pg.mkPen(th.foreground))
                ax.setStyle(tickFont=font(s.font_px), tickTextOffset=max(4, s.font_px // 3), tickLength=-max(5, s.font_px // 2))
                if isinstance(ax, CategoryAxis):
                    ax.set_font_px(s.font_px)
                elif name == "bottom":  # the first and last ticks (10, 10k) keep their labels at the plot's ends
                    ax.setStyle(hideOverlappingLabels=False)
                ax.label.setFont(font(s.label_px))
                ax.setGrid(int(255 * th.grid_alpha) if name == self._grid_axis(plot) else False)
        for t in self._texts:
            t.setFont(font(s.value_px))
            t.setColor(th.foreground)
        self._style_message()

    def _grid_axis(self, plot):
        return "left"

    def set_axis_label(self, plot, which: str, text: str):
        """An axis title; a left one breaks at spaces into as many lines (at most 3) as it needs
        to fit the plot's height, so that it is never clipped at the top of a short chart."""
        widest = None
        if which == "left":
            widest = self._left_titles.get(id(plot), ("", None))[1]
            self._left_titles[id(plot)] = (text, widest)
            text = self._left_title_html(plot, text)
        else:
            text = escape(text)
        ax = plot.getAxis(which)
        ax.setLabel(text, **{"font-size": f"{self.style_.label_px}px", "color": self.style_.theme.foreground})
        ax.label.setFont(font(self.style_.label_px))
        if which == "bottom":
            self.fit_bottom_axis(plot)
        elif widest is not None:
            self.fit_left_axis(plot, widest)

    def left_title_lines(self, plot, text: str) -> list[str]:
        """``text`` broken at spaces to fit the height of ``plot`` (one line before it is laid out)."""
        room = plot.vb.height() if plot.vb is not None else 0.0
        if room <= 0:
            return [text]
        fm = QtGui.QFontMetrics(font(self.style_.label_px))
        return wrap_words(text, lambda t: fm.horizontalAdvance(t) <= room - 4, 3)

    def _left_title_html(self, plot, text: str) -> str:
        return "<br>".join(escape(line) for line in self.left_title_lines(plot, text))

    def _rewrap_left_title(self, plot):
        text, widest = self._left_titles.get(id(plot), ("", None))
        ax = plot.getAxis("left")
        if not text or not ax.label.isVisible():
            return
        html = self._left_title_html(plot, text)
        if html != ax.labelText:
            ax.setLabel(html, **{"font-size": f"{self.style_.label_px}px", "color": self.style_.theme.foreground})
            ax.label.setFont(font(self.style_.label_px))
            if widest is not None:
                self.fit_left_axis(plot, widest)

    def fit_left_axis(self, plot, widest: str):
        """Room for the widest tick label and the axis title, every line of it (pyqtgraph drops
        labels that do not fit)."""
        text, _ = self._left_titles.get(id(plot), ("", None))
        self._left_titles[id(plot)] = (text, widest)
        fm = QtGui.QFontMetrics(font(self.style_.font_px))
        lines = widest.split("\n")
        w = max(fm.horizontalAdvance(t) for t in lines) + max(4, self.style_.font_px // 3) + 8
        ax = plot.getAxis("left")
        if ax.label.isVisible():
            w += int(self.style_.label_px * 1.5) * (ax.labelText.count("<br>") + 1)
        ax.setWidth(int(w))

    def fit_bottom_axis(self, plot):
        """Room under the plot for the tick labels and the axis title."""
        ax = plot.getAxis("bottom")
        if isinstance(ax, CategoryAxis):
            return
        h = int(self.style_.font_px * 1.3) + max(4, self.style_.font_px // 3) + 6
        if ax.label.isVisible():
            h += int(self.style_.label_px * 1.5)
        ax.setHeight(h)

    def set_title(self, text: str):
        self.title.setText(text)

    def set_legend(self, entries: list[tuple[str, str]]):
        """entries: (swatch html, text)."""
        sep = "&nbsp;&nbsp;&nbsp; "
        html = sep.join(f"{sw}&nbsp;{escape(t)}" for sw, t in entries)
        self.legend.setText(html)

    # ---- hover
    def _mouse_moved(self, scene_pos):
        axes = [p.getAxis("bottom") for p in self.plots]
        whole = next((a.label_at(scene_pos) for a in axes if isinstance(a, CategoryAxis) and a.label_at(scene_pos)), None)
        self.graphics.setToolTip(whole or "")  # a bar's name, whole even when its label is cut short
        if whole:
            self.readout.setText(whole)
            return
        for plot in self.plots:
            if plot.sceneBoundingRect().contains(scene_pos) and plot.vb.sceneBoundingRect().contains(scene_pos):
                p = plot.vb.mapSceneToView(scene_pos)
                text = self.hover_text(plot, p.x(), p.y()) if self.data is not None else None
                self.readout.setText(text or " ")
                if text:
                    self.hovered.emit(text)
                return

    def hover_text(self, plot, x: float, y: float) -> str | None:  # pragma: no cover - overridden
        return None

    def update_data(self, data):  # pragma: no cover - overridden
        raise NotImplementedError
