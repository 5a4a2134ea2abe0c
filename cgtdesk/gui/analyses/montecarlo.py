"""Monte Carlo: how sure we are that cost of goods stays under the target.

Runs on the window's MonteCarloService (a worker; the window stays responsive, Cancel stops
at the next chunk), whose result the chart panel, the slides and the deck show as well.
A cancelled run shows nothing new: what is on screen stays the last complete run (its
header says which run that is), and the status line says where the cancelled run stopped.
"""

from __future__ import annotations

import math
import textwrap

from PySide6 import QtCore, QtGui, QtWidgets

from cgtdesk import chartdata
from cgtdesk.core.analyses import presets
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import parse_number, percent
from cgtdesk.gui.analyses.base import AnalysisView
from cgtdesk.gui.analyses.common import (
    ANSWER_STYLE,
    STALE_STYLE,
    answer_label,
    chart_over,
    error_label,
    fill_combo,
    fmt_result,
    hbox,
    make_table,
    muted_label,
    result_items,
    set_rows,
    show_error,
)
from cgtdesk.gui.analyses.outside import show_outside, warning_label
from cgtdesk.gui.charts import MonteCarloChart
from cgtdesk.gui.style import GOOD_COLOUR
from cgtdesk.gui.theme import OUT_OF_DATE, out_of_date
from cgtdesk.gui.workers import MonteCarloService

MAX_SAMPLES = 1_000_000
#: results shown (money: drawn by the distribution chart); the run summarises presets.MC_RESULTS
SHOWN_RESULTS = ("cogs_per_dose", "cogs_per_patient", "headroom_per_dose")
SUMMARY_HEADERS = ("Scenario", "Valid runs", "Invalid", "Mean", "SD", "P5", "P10", "P50", "P90", "P95", "P(meets target)")


class MonteCarloView(AnalysisView):
    """``monte_carlo``: the MonteCarloService that runs (``runner``) and holds the result shown."""

    title = "Monte Carlo"
    finishedRun = QtCore.Signal(object)  # a complete MonteCarloResult, after it is shown

    def __init__(self, doc, current=None, parent=None, *, monte_carlo: MonteCarloService | None = None):
        super().__init__(doc, current, parent)
        self._asked = 0  # samples of the run under way
        self.runner = monte_carlo or MonteCarloService(self)
        self.runner.resultChanged.connect(self._result_changed)
        self.runner.progress.connect(self._progress)
        self.runner.finished.connect(self._finished)
        self.runner.cancelled.connect(self._cancelled)
        self.runner.failed.connect(self._failed)
        self.runner.busyChanged.connect(self._busy)

        self.samples = QtWidgets.QSpinBox()
        self.samples.setRange(100, MAX_SAMPLES)
        self.samples.setSingleStep(10_000)
        self.samples.setGroupSeparatorShown(True)
        self.samples.setValue(presets.MC_SAMPLES)
        self.samples.setToolTip(f"Samples per scenario (up to {MAX_SAMPLES:,}); 20,000 gives percentiles to about 1%")
        self.seed = QtWidgets.QLineEdit(str(presets.MC_SEED))
        self.seed.setMaximumWidth(110)
        self.seed.setToolTip("The same seed gives the same numbers")
        self.run_button = QtWidgets.QPushButton("Run")
        self.run_button.setIcon(self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaPlay))
        self.run_button.clicked.connect(lambda: self.run())
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setIcon(self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaStop))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.progress.setMinimumWidth(120)
        self.status = QtWidgets.QLabel("Not run yet: press Run.")
        self.status.setWordWrap(True)
        self.error = error_label()
        self.outside = warning_label()

        self.show_scenario = QtWidgets.QComboBox()
        self.show_scenario.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.show_scenario.setMinimumContentsLength(30)
        self.show_result = QtWidgets.QComboBox()
        fill_combo(self.show_result, result_items(SHOWN_RESULTS), "cogs_per_dose")
        self.show_scenario.activated.connect(self.redraw)
        self.show_result.activated.connect(self.redraw)
        self.header = muted_label()
        self.answer = answer_label()
        self.chart = MonteCarloChart()

        self.summary = make_table(SUMMARY_HEADERS)
        self.compare = QtWidgets.QTableWidget()
        self.compare.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        # sized once per run (fit_pairs), never per cell: 200 scenarios are 40,000 cells
        self.compare.verticalHeader().setDefaultSectionSize(self.compare.fontMetrics().height() + 8)
        self.compare_note = muted_label(
            "Each cell: the probability that the column's scenario (B) is cheaper per dose "
            "than the row's (A), run by run, with shared inputs drawn alike."
        )
        cw = QtWidgets.QWidget()
        cl = QtWidgets.QVBoxLayout(cw)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.compare_note)
        cl.addWidget(self.compare, 1)
        self.sensitivity = make_table(("Parameter", "Key", "Spearman rho", "Higher input gives"))
        self.sens_note = muted_label()
        sw = QtWidgets.QWidget()
        sl = QtWidgets.QVBoxLayout(sw)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.sens_note)
        sl.addWidget(self.sensitivity, 1)
        self.tables = QtWidgets.QTabWidget()
        self.tables.setDocumentMode(True)
        self.tables.addTab(self.summary, "Summary")
        self.tables.addTab(cw, "P(B cheaper than A)")
        self.tables.addTab(sw, "Sensitivity")

        split = chart_over(self.chart, self.tables)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(
            hbox("Samples", self.samples, "  Seed", self.seed, self.run_button, self.cancel_button, self.progress, stretch_at=6)
        )
        lay.addWidget(self.status)
        lay.addWidget(self.error)
        lay.addWidget(self.outside)
        lay.addLayout(hbox("Show", self.show_scenario, self.show_result, None))
        lay.addWidget(self.answer)
        lay.addWidget(self.header)
        lay.addWidget(split, 1)
        self.refresh_choices()
        self.redraw()

    @property
    def result(self):
        """The complete MonteCarloResult shown (never a cancelled one), or None."""
        return self.runner.result

    # ---- doc
    def refresh_choices(self):
        names = [n for n in self.project.names()]
        if self.result is not None:
            names = [s.name for s in self.result.scenarios]
        fill_combo(self.show_scenario, [(n, n) for n in names])

    def follow_scenario(self, name: str):
        if self.show_scenario.findData(name) >= 0:
            fill_combo(
                self.show_scenario,
                [(self.show_scenario.itemData(i), self.show_scenario.itemText(i)) for i in range(self.show_scenario.count())],
                name,
            )
            self.redraw()

    def inputs_changed(self):
        self.redraw()  # a result made before this edit says so, and loses its target line

    def project_loaded(self):
        """The old project's run is no answer about the new one: cancel it and show nothing."""
        self.runner.cancel()
        if self.runner.result is not None:
            self.runner.adopt(None, None)  # the chart panel, the slides and the deck drop it too
        self.status.setText("Not run yet: press Run.")
        self.progress.setValue(0)
        show_error(self.error, "")
        self.refresh_choices()
        self.redraw()

    def is_out_of_date(self) -> bool:
        """Whether the result shown was made before the latest edit of the project."""
        return self.result is not None and not self.runner.is_current(self.project)

    # ---- running
    def run(self, samples: int | None = None, seed: int | None = None):
        """Start a run (a run in progress is cancelled first, and its result dropped)."""
        try:
            n = int(samples if samples is not None else self.samples.value())
            s = int(seed) if seed is not None else int(parse_number(self.seed.text()))
            if not 0 <= s < 2**63:
                raise InputError(f"seed: expected a whole number from 0 to 2^63-1, found {self.seed.text()!r}")
        except (InputError, ValueError, TypeError) as e:
            show_error(self.error, f"Not run: {e}")
            return None
        if samples is not None:
            self.samples.setValue(n)
        if seed is not None:
            self.seed.setText(str(s))
        show_error(self.error, "")
        self._asked = n
        self.progress.setValue(0)
        self.status.setText(f"Running {n:,} samples of {len(self.project.scenarios)} scenario(s), seed {s}...")
        return self.runner.run(self.project, n, s)

    def cancel(self):
        if self.runner.is_busy():
            self.status.setText("Cancelling at the end of the current chunk...")
            self.runner.cancel()

    def _busy(self, busy: bool):
        self.cancel_button.setEnabled(busy)
        self.run_button.setText("Restart" if busy else "Run")

    def _progress(self, done: int, total: int):
        self.progress.setValue(int(100 * done / max(total, 1)))
        self.status.setText(f"Running: {done:,} of {total:,} samples...")

    def _result_changed(self, _result):
        self.refresh_choices()
        self.redraw()

    def _finished(self, result):
        self.progress.setValue(100)
        self.status.setText(f"Done: {result.samples:,} samples of every scenario, seed {result.seed}.")
        self.finishedRun.emit(result)

    def _cancelled(self, partial):
        n = self._asked
        done = getattr(partial, "samples_done", 0) or 0
        shown = " The results below are still those of the last complete run." if self.result is not None else ""
        self.status.setText(f"Cancelled after {done:,} of {n:,} samples: nothing from that run is shown.{shown}")
        self.progress.setValue(0)

    def _failed(self, message: str):
        self.progress.setValue(0)
        self.status.setText("The run stopped.")
        show_error(self.error, message)

    def wait(self, msecs: int = 60_000) -> bool:
        return self.runner.wait(msecs)

    def shutdown(self):
        self.runner.shutdown()

    # ---- showing
    def _update_header(self):
        r = self.result
        if r is None:
            self.header.setText("")
            return
        self.header.setText(f"Run of {r.samples:,} samples per scenario, seed {r.seed}.")

    def redraw(self):
        r = self.result
        self._update_header()
        show_outside(self.outside, self.project.scenarios, self.project.currency)
        if r is None:
            self.chart.update_data(None)
            self.answer.setText("")
            for t in (self.summary, self.sensitivity):
                set_rows(t, [])
            self.compare.setRowCount(0)
            self.compare.setColumnCount(0)
            self.sens_note.setText("")
            return
        cur = self.project.currency
        res = self.show_result.currentData() or "cogs_per_dose"
        name = self.show_scenario.currentData()
        names = [s.name for s in r.scenarios]
        if name not in names:
            name = names[0]
        idx = self.project.names().index(name) if name in self.project.names() else names.index(name)
        stale = self.is_out_of_date()
        data = chartdata.monte_carlo_data(r, name, self.project if name in self.project.names() else None, res)
        if stale:
            data = out_of_date(data)
        self.chart.update_data(data, colour_index=idx)
        by = {s.name: s for s in r.scenarios}
        self.answer.setText(f"{OUT_OF_DATE}." if stale else self.sentence(by[name]))
        self.answer.setStyleSheet(STALE_STYLE if stale else ANSWER_STYLE)
        rows = []
        for s in r.scenarios:
            m = s.summaries[res]
            rows.append(
                [s.name, f"{s.valid_samples:,}", f"{s.invalid_samples:,}"]
                + [fmt_result(res, m[k], cur) for k in ("mean", "sd", "p5", "p10", "p50", "p90", "p95")]
                + [percent(s.p_meets_target, 1)]
            )
        set_rows(self.summary, rows)
        # P(B cheaper than A): rows A, columns B
        self.compare.setUpdatesEnabled(False)
        self.compare.setRowCount(len(names))
        self.compare.setColumnCount(len(names))
        self.compare.setHorizontalHeaderLabels(["B:\n" + "\n".join(textwrap.wrap(n, 18)) for n in names])
        self.compare.setVerticalHeaderLabels([f"A: {n}" for n in names])
        p = {(c.a, c.b): c.p_b_cheaper for c in r.comparisons}
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                text = "-" if a == b else percent(p.get((a, b)), 1)
                item = QtWidgets.QTableWidgetItem(text)
                item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
                if a != b:
                    item.setToolTip(f"P({b} cheaper per dose than {a}) = {text}")
                    v = p.get((a, b))
                    if v is not None and math.isfinite(v):
                        c = QtGui.QColor(GOOD_COLOUR)
                        c.setAlphaF(0.12 + 0.5 * v)
                        item.setBackground(c)
                self.compare.setItem(i, j, item)
        fit_pairs(self.compare)
        self.compare.setUpdatesEnabled(True)
        params = catalogue().parameters
        sens = by[name].sensitivity
        self.sens_note.setText(
            f"{name}: rank correlation (Spearman) of each uncertain input with cost of goods per dose over "
            f"{by[name].sensitivity_samples:,} runs; largest first."
        )
        set_rows(
            self.sensitivity,
            [
                [
                    params[k].label,
                    k,
                    f"{rho:+.3f}" if rho == rho else "n/a",
                    "" if rho != rho else ("higher cost" if rho > 0 else "lower cost"),
                ]
                for k, rho in sens
            ],
            right_from=2,
        )

    def sentence(self, s) -> str:
        """P(meets target) in words for one scenario."""
        if not s.valid_samples:
            return f"{s.name}: no valid run."
        m = s.summaries["cogs_per_dose"]
        cur = self.project.currency
        sens = [k for k, rho in s.sensitivity if rho == rho]
        lead = ""
        if sens:
            lead = f" The input that matters most is {catalogue().parameters[sens[0]].label.lower()}."
        return (
            f"{s.name} stays under its maximum allowable cost of goods in {percent(s.p_meets_target, 1)} of "
            f"{s.valid_samples:,} runs (P10 {fmt_result('cogs_per_dose', m['p10'], cur)}, P50 "
            f"{fmt_result('cogs_per_dose', m['p50'], cur)}, P90 {fmt_result('cogs_per_dose', m['p90'], cur)} per dose).{lead}"
        )


def fit_pairs(table: QtWidgets.QTableWidget, fit_up_to: int = 400) -> None:
    """Columns and header as wide as their text in a small table; a large one (many scenarios)
    gets the width of its widest header at once, without measuring every cell."""
    if table.rowCount() * table.columnCount() <= fit_up_to:
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
        return
    h = table.horizontalHeader()
    fm = h.fontMetrics()
    lines = max((table.horizontalHeaderItem(c).text().count("\n") + 1 for c in range(table.columnCount())), default=1)
    h.setDefaultSectionSize(fm.horizontalAdvance("M" * 16))
    h.setMinimumHeight(lines * fm.height() + 8)
