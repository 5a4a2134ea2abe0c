"""Demand sweep and crossover: every scenario's result against demand, where A and B swap places."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from cgtdesk import chartdata
from cgtdesk.chartdata.board import project_signature
from cgtdesk.core import analyses
from cgtdesk.core.analyses import presets
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import display_number, parse_number, patients
from cgtdesk.gui.analyses.base import AnalysisView
from cgtdesk.gui.analyses.common import (
    answer_label,
    busy_bar,
    error_label,
    fill_combo,
    hbox,
    result_items,
    show_error,
)
from cgtdesk.gui.charts import DemandChart
from cgtdesk.gui.workers import TaskRunner

POINTS = presets.DEMAND_POINTS


def crossover_job(a, b, result: str, lo: float, hi: float):
    """The crossover of copies of A and B, and which way each crossing goes (worker thread)."""

    def run(progress, cancel):
        xo = analyses.crossover(a, b, result, lo, hi)
        ways = []
        if xo.crossings:
            d = np.asarray(xo.crossings, dtype=float)
            sw = analyses.sweep([a, b], result, d)
            ways = [bool(v) for v in (sw.values[b.name] < sw.values[a.name])]
        return xo, ways

    return run


class SweepView(AnalysisView):
    title = "Demand && crossover"

    def __init__(self, doc, current=None, parent=None):
        super().__init__(doc, current, parent)
        self.pair: tuple[str, str] | None = None
        self.data = None  # DemandData shown
        self.crossover = None  # CrossoverResult shown (None while located)
        self.ways: list[bool] = []
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._crossover_done)
        self.runner.failed.connect(lambda m: show_error(self.error, m))
        self.runner.busyChanged.connect(lambda b: self.busy.setVisible(b))

        self.result = QtWidgets.QComboBox()
        fill_combo(self.result, result_items(), "cogs_per_dose")
        self.result.setToolTip("The result drawn against demand")
        self.lo = QtWidgets.QLineEdit(display_number(presets.DEMAND_LO))
        self.hi = QtWidgets.QLineEdit(display_number(presets.DEMAND_HI))
        for e in (self.lo, self.hi):
            e.setMaximumWidth(90)
            e.editingFinished.connect(self.compute)
        self.result.activated.connect(self.compute)
        self.busy = busy_bar()
        self.busy.setToolTip("Locating where the two scenarios cross")
        self.chart = DemandChart()
        self.chart.pairChanged.connect(self._pair_chosen)
        self.answer = answer_label()
        self.crossings = QtWidgets.QLabel()
        self.crossings.setWordWrap(True)
        self.error = error_label()

        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(hbox("Result", self.result, "  Demand from", self.lo, "to", self.hi, "patients/yr", None, self.busy))
        lay.addWidget(self.answer)
        lay.addWidget(self.error)
        lay.addWidget(self.chart, 1)
        lay.addWidget(self.crossings)
        self._shown_signature = None

    # ---- doc
    def inputs_changed(self):
        # isVisible() stays True while the Analyses page sits behind the Charts tab; a
        # sweep and a crossover search there on every edit cost more than every chart together
        if self.isVisible() and not self.visibleRegion().isEmpty():
            self.compute()
        else:
            self._shown_signature = None  # compute when shown

    def project_loaded(self):
        """Another project: its default pair and its curves (nothing of the old one stays drawn)."""
        self.runner.cancel()
        self.pair, self.data, self.crossover, self.ways = None, None, None, []
        self.compute()

    def showEvent(self, event):
        super().showEvent(event)
        if self._shown_signature != project_signature(self.project):
            self.compute()

    def paintEvent(self, event):
        super().paintEvent(event)
        if self._shown_signature is None:  # brought to the front (its dock tab chosen) after edits
            self._shown_signature = project_signature(self.project)  # once: compute() sets it again
            QtCore.QTimer.singleShot(0, self.compute)

    def set_pair(self, a: str, b: str):
        self.pair = (a, b)
        self.compute()

    def _pair_chosen(self, a: str, b: str):
        self.set_pair(a, b)

    # ---- work
    def demand(self) -> np.ndarray:
        lo = float(parse_number(self.lo.text()))
        hi = float(parse_number(self.hi.text()))
        return analyses.demand_grid(lo, hi, POINTS)

    def compute(self):
        """Curves now (fast); the crossover of the pair on a worker."""
        project = self.project
        result = self.result.currentData() or "cogs_per_dose"
        try:
            demand = self.demand()
        except InputError as e:
            show_error(self.error, f"demand range: {e}" if not str(e).startswith("demand") else str(e))
            return
        show_error(self.error, "")
        names = project.names()
        if not (self.pair and self.pair[0] in names and self.pair[1] in names and self.pair[0] != self.pair[1]):
            self.pair = chartdata.default_pair(project)
        self._shown_signature = project_signature(project)
        self.crossover, self.ways = None, []
        self.data = chartdata.demand_curves(project, result, demand, self.pair, locate=False)
        self._sweeps = {result: self.data.values}
        self.chart.update_data(self.data)
        if self.pair is None:
            self.answer.setText(self.data.finding)
            self.crossings.setText("Add a second scenario to compare two of them.")
            return
        self.answer.show()
        self.answer.setText(f"Locating where {self.pair[1]} and {self.pair[0]} cross...")
        self.crossings.setText("")
        a, b = project.scenario(self.pair[0]).copy(), project.scenario(self.pair[1]).copy()
        self._job = (self._shown_signature, result, self.pair, demand)
        self.runner.start(crossover_job(a, b, result, float(demand[0]), float(demand[-1])))

    def _crossover_done(self, payload):
        sig, result, pair, demand = self._job
        if sig != project_signature(self.project):
            return  # the project changed meanwhile: a new search is on its way
        xo, ways = payload
        self.crossover, self.ways = xo, ways
        self.data = chartdata.demand_curves(self.project, result, demand, pair, sweeps=self._sweeps, crossover=xo)
        self.chart.update_data(self.data)
        self.answer.setText("")  # the chart's title states the finding
        self.answer.hide()
        self.crossings.setText(self.crossings_text())

    def sentence(self) -> str:
        d = self.data
        if d is None:
            return ""
        return d.finding + "."

    def crossings_text(self) -> str:
        xo, d = self.crossover, self.data
        if xo is None or d is None:
            return ""
        a, b = xo.a, xo.b
        if not xo.crossings:
            return f"No crossing of {b} and {a} between {patients(xo.lo)} and {patients(xo.hi)} patients/yr."
        parts = []
        for x, below in zip(xo.crossings, self.ways, strict=False):
            word = "becomes cheaper than" if d.result == "cogs_per_dose" else "drops below"
            if not below:
                word = "becomes dearer than" if d.result == "cogs_per_dose" else "rises above"
            parts.append(f"{x:,.4g} patients/yr: {b} {word} {a}")
        head = f"Crossings ({len(xo.crossings)}): "
        return head + "; ".join(parts) + "."

    def shutdown(self):
        self.runner.shutdown()
