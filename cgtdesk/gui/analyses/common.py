"""Small pieces shared by the analysis views: combos, tables, number formats, status lines."""

from __future__ import annotations

import math

from PySide6 import QtCore, QtWidgets

from cgtdesk.chartdata.common import lower_first  # noqa: F401 - re-exported for the views
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.formatting import fmt_number, money, percent
from cgtdesk.gui.style import BAD_COLOUR

Qt = QtCore.Qt
ERROR_STYLE = f"QLabel {{ color: #B00020; border: 1px solid {BAD_COLOUR}; border-radius: 3px; padding: 4px; }}"
ANSWER_STYLE = "QLabel { font-size: 15px; font-weight: bold; padding: 4px 2px; }"
#: an answer made before the latest edit: the same size, in the warning colour, framed
STALE_STYLE = (
    f"QLabel {{ font-size: 15px; font-weight: bold; padding: 4px; color: {BAD_COLOUR}; "
    f"border: 1px solid {BAD_COLOUR}; border-radius: 3px; }}"
)


def fmt_result(result: str, x, currency: str = "USD") -> str:
    """A result as people read it: money without decimals, fractions in percent, counts plain."""
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    kind = catalogue().results[result].kind
    if kind == "money":
        return money(float(x), currency)
    if kind == "fraction":
        return percent(float(x), 1)
    return f"{float(x):,.1f}" if abs(float(x)) < 100 else f"{float(x):,.0f}"


def fmt_param(key: str, x, currency: str = "USD", unit: bool = False) -> str:
    """A parameter value (4 significant digits), with its unit when asked."""
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    p = catalogue().parameters[key]
    v = float(x)
    text = f"{int(round(v)):,}" if p.integer or (v.is_integer() and abs(v) < 1e13) else fmt_number(float(f"{v:.4g}"))
    if unit:
        u = p.unit_for(currency)
        if u and u != "fraction":
            text += f" {u}"
    return text


def result_items(keys=None) -> list[tuple[str, str]]:
    res = catalogue().results
    return [(k, res[k].label) for k in (keys or res)]


def fill_combo(combo: QtWidgets.QComboBox, items, want=None) -> None:
    """(data, text) items; keeps the current choice (or ``want``) when it is still there."""
    keep = want if want is not None else combo.currentData()
    combo.blockSignals(True)
    if [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())] != list(items):
        combo.clear()
        for data, text in items:
            combo.addItem(text, data)
    i = combo.findData(keep)
    combo.setCurrentIndex(i if i >= 0 else (0 if combo.count() else -1))
    combo.blockSignals(False)


def make_table(headers, stretch: int | None = 0) -> QtWidgets.QTableWidget:
    t = QtWidgets.QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(list(headers))
    t.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setVisible(False)
    t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 8)
    h = t.horizontalHeader()
    h.setHighlightSections(False)
    h.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        h.setSectionResizeMode(stretch, QtWidgets.QHeaderView.ResizeMode.Stretch)
    return t


def set_rows(table: QtWidgets.QTableWidget, rows, right_from: int = 1, tips=None) -> None:
    """Fill a table with text rows; columns from ``right_from`` on are right-aligned (numbers)."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QtWidgets.QTableWidgetItem(str(text))
            if c >= right_from:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if tips is not None and tips[r]:
                item.setToolTip(tips[r])
            table.setItem(r, c, item)


def table_text(table: QtWidgets.QTableWidget) -> list[list[str]]:
    """The cells of a table as text (tests, copying)."""
    return [
        [table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())] for r in range(table.rowCount())
    ]


def error_label() -> QtWidgets.QLabel:
    lab = QtWidgets.QLabel()
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    lab.setStyleSheet(ERROR_STYLE)
    lab.hide()
    return lab


def answer_label() -> QtWidgets.QLabel:
    lab = QtWidgets.QLabel()
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    lab.setStyleSheet(ANSWER_STYLE)
    return lab


def muted_label(text: str = "") -> QtWidgets.QLabel:
    lab = QtWidgets.QLabel(text)
    lab.setWordWrap(True)
    lab.setStyleSheet("color: palette(placeholder-text);")
    return lab


def show_error(label: QtWidgets.QLabel, text: str) -> None:
    label.setText(text[:1].upper() + text[1:] if text else "")
    label.setVisible(bool(text))


def busy_bar() -> QtWidgets.QProgressBar:
    bar = QtWidgets.QProgressBar()
    bar.setRange(0, 0)
    bar.setMaximumWidth(160)
    bar.setTextVisible(False)
    bar.hide()
    return bar


def chart_over(chart: QtWidgets.QWidget, below: QtWidgets.QWidget) -> QtWidgets.QSplitter:
    """A chart above its table(s), 3:2, neither collapsible: the layout of the result views."""
    split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
    split.addWidget(chart)
    split.addWidget(below)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 2)
    split.setChildrenCollapsible(False)
    return split


def hbox(*widgets, stretch_at: int | None = None, margins=(0, 0, 0, 0)) -> QtWidgets.QHBoxLayout:
    lay = QtWidgets.QHBoxLayout()
    lay.setContentsMargins(*margins)
    for i, w in enumerate(widgets):
        if isinstance(w, str):
            w = QtWidgets.QLabel(w)
        if w is None:
            lay.addStretch(1)
            continue
        lay.addWidget(w, 1 if i == stretch_at else 0)
    return lay
