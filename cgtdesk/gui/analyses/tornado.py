"""Tornado: which assumption moves the result most (one at a time, low and high)."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from cgtdesk import chartdata
from cgtdesk.core import analyses
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.gui.analyses.base import AnalysisView
from cgtdesk.gui.analyses.common import (
    answer_label,
    chart_over,
    error_label,
    fill_combo,
    fmt_param,
    fmt_result,
    hbox,
    make_table,
    muted_label,
    result_items,
    set_rows,
    show_error,
)
from cgtdesk.gui.analyses.outside import show_outside, warning_label
from cgtdesk.gui.charts import TornadoChart

SOURCES = {"default": "-/+20% of base", "fixed": "fixed (no swing)"}
TOP = 10


class TornadoView(AnalysisView):
    title = "Tornado"
    HEADERS = ("Parameter", "Key", "Low", "High", "Result at low", "Result at high", "Swing", "Low/high from")

    def __init__(self, doc, current=None, parent=None):
        super().__init__(doc, current, parent)
        self.scenario = QtWidgets.QComboBox()
        self.scenario.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.scenario.setMinimumContentsLength(18)
        self.result = QtWidgets.QComboBox()
        fill_combo(self.result, result_items(), "cogs_per_dose")
        self.scenario.activated.connect(self.compute)
        self.result.activated.connect(self.compute)
        self.answer = answer_label()
        self.error = error_label()
        self.outside = warning_label()
        self.chart = TornadoChart()  # its line under the title counts the inputs at the default -/+20%
        self.table = make_table(self.HEADERS)
        note = muted_label(
            "Each input at its low and its high value, the others at base. Low/high come from the "
            f"input's uncertainty where it has one, otherwise -/+20% of base; the chart shows the {TOP} largest swings."
        )
        split = chart_over(self.chart, self.table)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(hbox("Scenario", self.scenario, "  Result", self.result, None))
        lay.addWidget(self.answer)
        self.answer.hide()  # the chart's title states the finding; the sentence stays in .answer for copying and tests
        lay.addWidget(self.error)
        lay.addWidget(self.outside)
        lay.addWidget(split, 1)
        lay.addWidget(note)
        self.refresh_choices()
        self._stale = True

    def refresh_choices(self):
        self.fill_scenarios(self.scenario)

    def follow_scenario(self, name: str):
        self.fill_scenarios(self.scenario, name)
        self.inputs_changed()

    def inputs_changed(self):
        # isVisible() stays True while the dock sits behind another tab: redraw only when on screen
        if self.isVisible() and not self.visibleRegion().isEmpty():
            self.compute()
        else:
            self._stale = True

    def project_loaded(self):
        """Another project: its scenarios, and its tornado when next shown (or now, if shown)."""
        self.refresh_choices()
        self.chart.update_data(None)
        self.answer.setText("")
        set_rows(self.table, [])
        self.inputs_changed()

    def showEvent(self, event):
        super().showEvent(event)
        if self._stale:
            self.compute()

    def paintEvent(self, event):
        super().paintEvent(event)
        if self._stale:  # brought to the front after edits
            self._stale = False
            QtCore.QTimer.singleShot(0, self.compute)

    def compute(self):
        """Tornado of the chosen scenario (a millisecond: inline)."""
        self._stale = False
        name = self.scenario.currentData() or self.current_name()
        result = self.result.currentData() or "cogs_per_dose"
        try:
            scenario = self.project.scenario(name)
            show_outside(self.outside, [scenario], self.project.currency)
            tr = analyses.tornado(scenario, result)
        except InputError as e:
            show_error(self.error, str(e))
            self.chart.show_message(f"No result: {e}", f"{name}: no tornado")
            set_rows(self.table, [])
            return
        show_error(self.error, "")
        cur = self.project.currency
        data = chartdata.tornado_data(tr, cur, top=TOP)
        self.chart.update_data(data)
        self.answer.setText(data.finding + f" (base {fmt_result(result, tr.base, cur)}).")
        params = catalogue().parameters
        rows, tips = [], []
        for b in tr.bars:
            rows.append(
                [
                    params[b.key].label,
                    b.key,
                    fmt_param(b.key, b.low),
                    fmt_param(b.key, b.high),
                    fmt_result(result, b.result_low, cur),
                    fmt_result(result, b.result_high, cur),
                    fmt_result(result, b.swing, cur) if b.swing == b.swing else "invalid",
                    SOURCES.get(b.source, f"its {b.source} distribution"),
                ]
            )
            tips.append(b.message or params[b.key].description)
        set_rows(self.table, rows, right_from=2, tips=tips)
