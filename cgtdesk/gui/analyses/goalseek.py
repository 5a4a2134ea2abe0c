"""Goal seek: what value of one input meets a target (e.g. the maximum allowable cost of goods).

``analyses.solve`` scans the input's whole valid range (a second or more on wide ranges), so
it runs on a worker; the answer is stated in words, drawn on the curve it came from, and can
be applied to the scenario (undoable).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtWidgets

import pyqtgraph as pg  # isort: skip
from cgtdesk.chartdata.board import project_signature
from cgtdesk.core import analyses
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import fmt_number, parse_number
from cgtdesk.core.model import evaluate
from cgtdesk.gui.analyses.base import AnalysisView
from cgtdesk.gui.analyses.common import (
    ANSWER_STYLE,
    STALE_STYLE,
    answer_label,
    busy_bar,
    error_label,
    fill_combo,
    fmt_result,
    hbox,
    lower_first,
    muted_label,
    result_items,
    show_error,
)
from cgtdesk.gui.charts.base import BaseChart, font, pen, swatch
from cgtdesk.gui.style import BAD_COLOUR, GOOD_COLOUR, scenario_colour
from cgtdesk.gui.theme import OUT_OF_DATE
from cgtdesk.gui.workers import TaskRunner

MAX_ALLOWABLE = "max_allowable"
#: the input each process starts with (the question of the issue: what batch success rate do we need)
DEFAULT_VARY = {"autologous": "auto.batch_success_rate", "allogeneic": "allo.lot_success_rate"}


def solve_job(scenario, vary, result, target):
    scenario = scenario.copy()

    def run(progress, cancel):
        return analyses.solve(scenario, vary, result, target)

    return run


def _round_toward(x: float, up: bool, digits: int = 4) -> float:
    """``x`` to ``digits`` significant digits, rounded up or down (toward the side that meets)."""
    if x == 0 or not math.isfinite(x):
        return x
    e = math.floor(math.log10(abs(x))) - digits + 1
    f = 10.0**e
    y = (math.ceil(x / f - 1e-9) if up else math.floor(x / f + 1e-9)) * f
    return float(f"{y:.{digits + 2}g}")


def _meets(scenario, key, value, sr) -> bool:
    params = dict(scenario.parameters)
    params[key] = value
    try:
        r = evaluate(scenario.process, params)
    except InputError:
        return False
    y = r[sr.result]
    t = r["max_allowable_cogs_per_dose"] if sr.curve_target is not None else sr.target
    if y is None or t is None:
        return False
    return y <= t if sr.sense == "<=" else y >= t


class GoalSeekChart(BaseChart):
    """The result against the varied input, the target, and the answer marked."""

    name = "goalseek"

    def __init__(self, parent=None, style=None):
        super().__init__(parent, style)
        self.plot = self.add_plot()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.curve = pg.PlotDataItem()
        self.target_curve = pg.PlotDataItem()
        self.base_point = pg.PlotDataItem()
        self.answer_point = pg.PlotDataItem()
        for item in (self.curve, self.target_curve, self.base_point, self.answer_point):
            self.plot.addItem(item)
        self.answer_line = pg.InfiniteLine(angle=90, movable=False)
        self.plot.addItem(self.answer_line, ignoreBounds=True)
        self.answer_label = pg.TextItem(anchor=(0.0, 0.0))
        self.plot.addItem(self.answer_label, ignoreBounds=True)
        self.apply_style()
        self.update_data(None)

    def update_data(self, data):
        """``data``: (SolveResult, shown value or None, currency, colour index) or None."""
        self.data = data
        s = self.style_
        if data is None:
            for item in (self.curve, self.target_curve, self.base_point, self.answer_point):
                item.setData([], [])
            self.answer_line.hide()
            self.answer_label.hide()
            self.set_title("Goal seek: choose an input and a target, then Solve")
            self.legend.setText("")
            return
        sr, shown, cur, ci = data
        p = catalogue().parameters[sr.vary]
        x = np.asarray(sr.curve_x, dtype=float)
        y = np.asarray(sr.curve_y, dtype=float)
        colour = scenario_colour(ci)
        self.curve.setData(x, y, pen=pen(colour, s.line_width), connect="finite")
        t = np.asarray(sr.curve_target, dtype=float) if sr.curve_target is not None else np.full(x.shape, float(sr.target))
        self.target_curve.setData(x, t, pen=pen(BAD_COLOUR, s.line_width, QtCore.Qt.PenStyle.DashLine))
        if math.isfinite(sr.base_value) and math.isfinite(sr.base_result):
            self.base_point.setData(
                [sr.base_value],
                [sr.base_result],
                pen=None,
                symbol="o",
                symbolSize=s.marker_size * 1.2,
                symbolBrush=None,
                symbolPen=pg.mkPen(s.theme.foreground, width=s.px(2)),
            )
        else:
            self.base_point.setData([], [])
        fy = np.concatenate([y[np.isfinite(y)], t[np.isfinite(t)]])
        if fy.size:
            lo, hi = float(fy.min()), float(fy.max())
            # a curve that shoots up (e.g. a success rate near 0) would flatten the rest: show up to 2.5x the target
            refs = [
                abs(v)
                for v in (*t[np.isfinite(t)][:1], *t[np.isfinite(t)][-1:], sr.base_result, sr.achieved or 0.0)
                if v is not None and math.isfinite(v)
            ]
            if refs and hi > 2.5 * max(refs) > lo:
                hi = 2.5 * max(refs)
            if lo > 0 and lo < 0.4 * hi:
                lo = 0.0
            pad = 0.06 * max(hi - lo, abs(hi) * 0.05, 1e-9)
            self.plot.setYRange(lo - pad, hi + pad, padding=0)
        self.plot.setXRange(float(x[0]), float(x[-1]), padding=0.02)
        if sr.reachable and sr.value is not None:
            v = float(shown if shown is not None else sr.value)
            self.answer_line.setPen(pen(GOOD_COLOUR, max(1.5, s.line_width * 0.8), QtCore.Qt.PenStyle.DashDotLine))
            self.answer_line.setPos(v)
            self.answer_line.show()
            self.answer_point.setData(
                [sr.value],
                [sr.achieved],
                pen=None,
                symbol="o",
                symbolSize=s.marker_size * 1.3,
                symbolBrush=GOOD_COLOUR,
                symbolPen=pg.mkPen(s.theme.background, width=s.px(2)),
            )
            self.answer_label.setText(f"{fmt_number(v)}")
            self.answer_label.setFont(font(s.value_px, bold=True))
            self.answer_label.setColor(GOOD_COLOUR)
            vr = self.plot.vb.viewRange()
            right = v < vr[0][0] + 0.7 * (vr[0][1] - vr[0][0])
            self.answer_label.setAnchor((0.0, 0.0) if right else (1.0, 0.0))
            self.answer_label.setPos(v, vr[1][1])
            self.answer_label.show()
        else:
            self.answer_line.hide()
            self.answer_label.hide()
            self.answer_point.setData([], [])
        unit = p.unit_for(cur)
        self.set_axis_label(self.plot, "bottom", f"{p.label}" + (f" ({unit})" if unit else ""))
        ri = catalogue().results[sr.result]
        self.set_axis_label(self.plot, "left", f"{ri.label} ({ri.unit_for(cur)})")
        self.fit_left_axis(self.plot, f"{max(abs(float(np.nanmax(fy))) if fy.size else 1, 1):,.0f}")
        self.set_title(f"{sr.scenario}: {lower_first(ri.label)} against {lower_first(p.label)}")
        target_text = (
            "max allowable COGS per dose" if sr.curve_target is not None else f"target {fmt_result(sr.result, sr.target, cur)}"
        )
        self.set_legend(
            [
                (swatch(colour), ri.label),
                (swatch(BAD_COLOUR, "allogeneic"), target_text),
                (f'<span style="color:{GOOD_COLOUR}">&#9679;</span>', "the answer"),
                ("&#9675;", "today's value"),
            ]
        )

    def hover_text(self, plot, x, y):
        sr, _shown, cur, _ = self.data
        cx = np.asarray(sr.curve_x)
        i = int(np.clip(np.searchsorted(cx, x), 0, cx.size - 1))
        return f"{sr.vary} = {fmt_number(float(f'{cx[i]:.6g}'))}: {fmt_result(sr.result, sr.curve_y[i], cur)}"


class GoalSeekView(AnalysisView):
    title = "Goal seek"
    solved = QtCore.Signal(object)  # the SolveResult shown

    def __init__(self, doc, current=None, parent=None):
        super().__init__(doc, current, parent)
        self.solution = None  # SolveResult shown
        self.shown_value = None  # the value stated (rounded toward the side that meets)
        self._job = None
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._solved)
        self.runner.failed.connect(self._failed)
        self.runner.busyChanged.connect(self._busy)

        self.scenario = QtWidgets.QComboBox()
        self.scenario.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.scenario.setMinimumContentsLength(18)
        self.scenario.activated.connect(self._scenario_chosen)
        self.vary = QtWidgets.QComboBox()
        self.vary.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.vary.setMinimumContentsLength(22)
        self.vary.setToolTip("The input to vary over its valid range")
        self.result = QtWidgets.QComboBox()
        fill_combo(self.result, result_items(), "cogs_per_dose")
        self.target_max = QtWidgets.QRadioButton("Max allowable COGS per dose")
        self.target_max.setToolTip("From the price and the target gross margin of the scenario (recomputed at each trial value)")
        self.target_value = QtWidgets.QRadioButton("Value")
        self.target_max.setChecked(True)
        self.target_text = QtWidgets.QLineEdit()
        self.target_text.setPlaceholderText("e.g. 100,000")
        self.target_text.setMaximumWidth(120)
        self.target_text.textEdited.connect(lambda _t: self.target_value.setChecked(True))
        self.solve_button = QtWidgets.QPushButton("Solve")
        self.solve_button.setDefault(True)
        self.solve_button.clicked.connect(self.solve)
        self.target_text.returnPressed.connect(self.solve)
        self.busy = busy_bar()
        self.apply_button = QtWidgets.QPushButton("Apply to the scenario")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.answer = answer_label()
        self.detail = muted_label()
        self.error = error_label()
        self.chart = GoalSeekChart()

        form = QtWidgets.QGridLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(QtWidgets.QLabel("Scenario"), 0, 0)
        form.addWidget(self.scenario, 0, 1)
        form.addWidget(QtWidgets.QLabel("Vary"), 0, 2)
        form.addWidget(self.vary, 0, 3)
        form.addWidget(QtWidgets.QLabel("Result"), 1, 0)
        form.addWidget(self.result, 1, 1)
        form.addWidget(QtWidgets.QLabel("Target"), 1, 2)
        form.addLayout(hbox(self.target_max, self.target_value, self.target_text, None), 1, 3)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 2)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(form)
        lay.addLayout(hbox(self.solve_button, self.busy, None, self.apply_button))
        lay.addWidget(self.error)
        lay.addWidget(self.answer)
        lay.addWidget(self.detail)
        lay.addWidget(self.chart, 1)
        self.refresh_choices()

    # ---- choices
    def refresh_choices(self):
        self.fill_scenarios(self.scenario)
        self._fill_vary()

    def _fill_vary(self, want=None):
        name = self.scenario.currentData()
        if name not in self.project.names():
            return
        s = self.project.scenario(name)
        params = catalogue().parameters
        keys = catalogue().keys_for(s.process)
        items = [(k, f"{params[k].label} ({params[k].group})") for k in keys]
        keep = want or self.vary.currentData()
        if keep not in keys:
            keep = DEFAULT_VARY.get(s.process, keys[0])
        fill_combo(self.vary, items, keep)

    def _scenario_chosen(self, *_):
        self._fill_vary()

    def follow_scenario(self, name: str):
        if not self.runner.is_busy():
            self.fill_scenarios(self.scenario, name)
            self._fill_vary()

    def set_question(self, scenario: str | None = None, vary: str | None = None, result: str | None = None, target=None):
        """Fill in the question (tests, the parameter editor's menu)."""
        if scenario is not None:
            self.fill_scenarios(self.scenario, scenario)
        self._fill_vary(vary)
        if result is not None:
            fill_combo(self.result, result_items(), result)
        if target is not None:
            if target == MAX_ALLOWABLE:
                self.target_max.setChecked(True)
            else:
                self.target_value.setChecked(True)
                self.target_text.setText(str(target))

    def inputs_changed(self):
        if self.solution is not None and self._job and self._job[0] != project_signature(self.project):
            self._mark_out_of_date()

    def _mark_out_of_date(self):
        """The answer shown was found before the latest edit: say so on it and on the chart, and
        offer no Apply (its value answers the old question)."""
        self.answer.setText(f"{OUT_OF_DATE}. It said: {self.sentence()}")
        self.answer.setStyleSheet(STALE_STYLE)
        self.chart.set_title(f"{OUT_OF_DATE}. {self.chart.title.text().split(OUT_OF_DATE + '. ')[-1]}")
        self.apply_button.setEnabled(False)
        self.apply_button.setText("Apply to the scenario")

    def project_loaded(self):
        """Another project: the old question's answer goes (a search under way is dropped)."""
        self.runner.cancel()
        self.solution, self.shown_value, self._job = None, None, None
        self.chart.update_data(None)
        self.answer.setText("")
        self.answer.setStyleSheet(ANSWER_STYLE)
        self.detail.setText("")
        show_error(self.error, "")
        self.apply_button.setEnabled(False)
        self.apply_button.setText("Apply to the scenario")
        self.refresh_choices()

    # ---- solving
    def target(self):
        if self.target_max.isChecked():
            return MAX_ALLOWABLE
        return float(parse_number(self.target_text.text()))

    def solve(self):
        try:
            target = self.target()
        except InputError as e:
            show_error(self.error, f"Target: {e}")
            return None
        name, vary, result = self.scenario.currentData(), self.vary.currentData(), self.result.currentData()
        if target == MAX_ALLOWABLE and result != "cogs_per_dose":
            show_error(
                self.error,
                "The maximum allowable COGS is a cost per dose: choose the result 'Cost of goods per dose', "
                "or give the target as a value.",
            )
            return None
        show_error(self.error, "")
        self.apply_button.setEnabled(False)
        self.answer.setText(f"Searching the valid range of {catalogue().parameters[vary].label.lower()}...")
        self.detail.setText("")
        self._job = (project_signature(self.project), name)
        return self.runner.start(solve_job(self.project.scenario(name), vary, result, target))

    def _busy(self, busy: bool):
        self.busy.setVisible(busy)
        self.solve_button.setEnabled(True)

    def _failed(self, message: str):
        self.answer.setText("")
        show_error(self.error, message)

    def _solved(self, sr):
        self.solution = sr
        self.shown_value = self._shown_value(sr)
        names = self.project.names()
        ci = names.index(sr.scenario) if sr.scenario in names else 0
        self.chart.update_data((sr, self.shown_value, self.project.currency, ci))
        self.answer.setText(self.sentence())
        self.answer.setStyleSheet(ANSWER_STYLE)
        self.detail.setText(self.details())
        stale = self._job[0] != project_signature(self.project)
        can_apply = (
            sr.reachable
            and self.shown_value is not None
            and sr.scenario in names
            and not stale
            and self.shown_value != sr.base_value
        )
        self.apply_button.setEnabled(bool(can_apply))
        if can_apply:
            p = catalogue().parameters[sr.vary]
            self.apply_button.setText(f"Set {p.label.lower()} to {self._fmt_value(self.shown_value)} in '{sr.scenario}'")
        else:
            self.apply_button.setText("Apply to the scenario")
        if stale:
            self._mark_out_of_date()
        self.solved.emit(sr)

    def _interval(self, sr):
        if sr.value is None:
            return None
        return next((f for f in sr.feasible if f[0] <= sr.value <= f[1]), None)

    def _direction(self, sr) -> str | None:
        """'at least' when the values that meet lie above the answer, 'at most' when below."""
        f = self._interval(sr)
        if f is None or sr.all_meet:
            return None
        lo_end, hi_end = float(sr.curve_x[0]), float(sr.curve_x[-1])
        if sr.value == f[0] and f[0] != lo_end:
            return "at least"
        if sr.value == f[1] and f[1] != hi_end:
            return "at most"
        return None

    def _shown_value(self, sr):
        if not sr.reachable or sr.value is None:
            return None
        p = catalogue().parameters[sr.vary]
        if p.integer:
            return int(round(sr.value))
        way = self._direction(sr)
        if way is None:
            return sr.value
        v = _round_toward(sr.value, up=(way == "at least"))
        v = min(max(v, p.min), p.max)
        scenario = self.project.scenario(sr.scenario) if sr.scenario in self.project.names() else None
        if scenario is None or not _meets(scenario, sr.vary, v, sr):
            return sr.value
        return v

    def _fmt_value(self, v) -> str:
        p = catalogue().parameters[self.solution.vary]
        if p.integer:
            return f"{int(v):,}"
        return fmt_number(v) if abs(v) < 1e7 else f"{v:,.0f}"

    def _target_words(self, sr) -> str:
        cur = self.project.currency
        rel = "under" if sr.sense == "<=" else "above"
        if sr.curve_target is not None:
            return f"to stay {rel} the maximum allowable COGS per dose ({fmt_result(sr.result, sr.target, cur)})"
        return f"to stay {rel} {fmt_result(sr.result, sr.target, cur)}"

    def sentence(self) -> str:
        sr = self.solution
        if sr is None:
            return ""
        p = catalogue().parameters[sr.vary]
        ri = catalogue().results[sr.result]
        what = lower_first(ri.label)
        cur = self.project.currency
        rng = f"{fmt_number(p.min)} to {fmt_number(p.max)}"
        if not sr.reachable:
            y = np.asarray(sr.curve_y, dtype=float)
            best = ""
            if np.isfinite(y).any():
                k = int(np.nanargmin(y) if sr.sense == "<=" else np.nanargmax(y))
                best = (
                    f" The {'lowest' if sr.sense == '<=' else 'highest'} it gets is {fmt_result(sr.result, y[k], cur)}, "
                    f"at {self._fmt_value(float(sr.curve_x[k]))}."
                )
            return (
                f"No {lower_first(p.label)} in its valid range ({rng}) gets {what} "
                f"{self._target_words(sr).replace('to stay ', '')}.{best}"
            )
        if sr.all_meet:
            return (
                f"Every {lower_first(p.label)} in its valid range ({rng}) keeps {what} "
                f"{self._target_words(sr).replace('to stay ', '')}."
            )
        v = self._fmt_value(self.shown_value)
        way = self._direction(sr)
        unit = p.unit_for(cur)
        unit = f" {unit}" if unit and unit != "fraction" else ""
        if way is None:
            return f"The {p.label.lower()} must be {v}{unit} for {what} {self._target_words(sr)}."
        return f"The {p.label.lower()} must be {way} {v}{unit} for {what} {self._target_words(sr)}."

    def details(self) -> str:
        sr = self.solution
        cur = self.project.currency
        parts = [
            f"Today: {self._fmt_value(sr.base_value)} gives {fmt_result(sr.result, sr.base_result, cur)} "
            f"({'meets' if sr.base_meets else 'misses'} the target)."
        ]
        if sr.reachable and sr.achieved is not None:
            parts.append(f"At the answer: {fmt_result(sr.result, sr.achieved, cur)}.")
        if len(sr.feasible) > 1:
            spans = ", ".join(f"{self._fmt_value(a)} to {self._fmt_value(b)}" for a, b in sr.feasible[:4])
            parts.append(f"Values that meet the target: {spans}{' ...' if len(sr.feasible) > 4 else ''}.")
        return " ".join(parts)

    def apply(self) -> bool:
        """Set the answer in the scenario (one undoable step)."""
        sr = self.solution
        if sr is None or self.shown_value is None or sr.scenario not in self.project.names():
            return False
        index = self.project.names().index(sr.scenario)
        try:
            self.doc.set_parameter(index, sr.vary, self.shown_value)
        except InputError as e:
            show_error(self.error, f"Not applied: {e}")
            return False
        self.apply_button.setEnabled(False)
        self._job = (project_signature(self.project), sr.scenario)  # the curve does not depend on today's value
        self.detail.setText(
            f"Applied: {catalogue().parameters[sr.vary].label} = {self._fmt_value(self.shown_value)} "
            f"in '{sr.scenario}'. Undo (Ctrl+Z) takes it back."
        )
        return True

    def wait(self, msecs: int = 60_000) -> bool:
        return self.runner.wait(msecs)

    def shutdown(self):
        self.runner.shutdown()
