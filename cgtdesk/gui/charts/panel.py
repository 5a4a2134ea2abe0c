"""ChartPanel: the charts of the registry that are tabs, updated in place after each edit.

The data comes from a :class:`~cgtdesk.chartdata.board.ChartBoard` (shared with the slides and
the deck); the Monte Carlo shown is the result of a :class:`~cgtdesk.gui.workers.MonteCarloService`
(the window's, so the Analyses view, the slides and the deck show the same run).
"""

from __future__ import annotations

import time

from PySide6 import QtCore, QtWidgets

from cgtdesk import chartdata
from cgtdesk.chartdata import board as boards
from cgtdesk.chartdata import registry
from cgtdesk.chartdata.common import no_result_text, safe_results
from cgtdesk.core.analyses import presets
from cgtdesk.gui.charts.breakdown import BreakdownChart
from cgtdesk.gui.charts.capacity import CapacityChart
from cgtdesk.gui.charts.demand import DemandChart
from cgtdesk.gui.charts.montecarlo import MonteCarloChart
from cgtdesk.gui.charts.tornado import TornadoChart
from cgtdesk.gui.charts.veintovein import VeinToVeinChart
from cgtdesk.gui.charts.waterfall import WaterfallChart
from cgtdesk.gui.plan.charts import PLAN_CHART_CLASSES
from cgtdesk.gui.style import ChartStyle, normal_style
from cgtdesk.gui.theme import out_of_date
from cgtdesk.gui.workers import MonteCarloService, TaskRunner

#: the widget of each chart of the registry, by its id (each class names itself)
CHART_CLASSES = {
    cls.name: cls
    for cls in (BreakdownChart, DemandChart, CapacityChart, WaterfallChart, TornadoChart, MonteCarloChart, VeinToVeinChart)
} | PLAN_CHART_CLASSES


class ChartPanel(QtWidgets.QWidget):
    """Tabs of the charts. ``set_project`` after every edit redraws them in place.

    ``board``: where the chart data comes from (default: the shared board); ``monte_carlo``: the
    MonteCarloService whose result the Monte Carlo tab shows and whose run its button starts
    (default: one of the panel's own).
    """

    pairChanged = QtCore.Signal(str, str)

    def __init__(
        self,
        parent=None,
        style: ChartStyle | None = None,
        *,
        board: boards.ChartBoard | None = None,
        monte_carlo: MonteCarloService | None = None,
    ):
        super().__init__(parent)
        self.style_ = style or normal_style()
        self.board = board or boards.shared()
        self.mc_service = monte_carlo or MonteCarloService(self)
        self.project = None
        self.pair: tuple[str, str] | None = None
        self.current: str | None = None
        self.last_update_ms = 0.0
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        lay.addWidget(self.tabs)
        self.charts: dict[str, QtWidgets.QWidget] = {}
        for spec in registry.CHARTS:
            if spec.tab:
                chart = CHART_CLASSES[spec.id](style=self.style_)
                self.charts[spec.id] = chart
                self.tabs.addTab(chart, spec.title)
        self.charts["demand"].pairChanged.connect(self._pair_chosen)
        self._build_mc_button()
        self._xo_timer = QtCore.QTimer(self)
        self._xo_timer.setSingleShot(True)
        self._xo_timer.setInterval(250)
        self._xo_timer.timeout.connect(self._locate_pending_crossover)
        # the search runs on the thread pool, so typing never waits for it
        self._xo_runner = TaskRunner(self)
        self._xo_runner.finished.connect(self._crossover_located)

    def _build_mc_button(self):
        self.mc_button = QtWidgets.QPushButton()
        self.mc_button.setToolTip("Sample every scenario's uncertainty with a fixed seed")
        self.mc_button.clicked.connect(self.run_monte_carlo)
        self.charts["montecarlo"].header.addWidget(self.mc_button)
        svc = self.mc_service
        svc.resultChanged.connect(self._monte_carlo_changed)
        svc.busyChanged.connect(self._mc_busy)
        svc.progress.connect(lambda done, total: self.mc_button.setText(f"Running Monte Carlo: {100 * done // max(total, 1)}%"))
        svc.failed.connect(lambda message: self.charts["montecarlo"].set_title(f"Monte Carlo did not run: {message}"))
        self._mc_busy(svc.is_busy())

    # ---- API
    @property
    def monte_carlo(self):
        """The Monte Carlo result shown (the service's), or None."""
        return self.mc_service.result

    def set_project(self, project, pair=None):
        """Redraw every chart for ``project`` (in place). ``pair``: (A, B) for the crossover;
        None keeps the pair chosen before when both scenarios still exist."""
        t0 = time.perf_counter()
        self.project = project
        names = project.names()
        if pair is not None:
            self.pair = tuple(pair)
        if not (self.pair and self.pair[0] in names and self.pair[1] in names and self.pair[0] != self.pair[1]):
            self.pair = chartdata.default_pair(project)
        self.current = boards.pick_scenario(project, self.current)
        self._redraw()
        self.last_update_ms = (time.perf_counter() - t0) * 1000

    def set_current_scenario(self, name: str):
        """The scenario the waterfall, capacity, tornado and Monte Carlo charts show."""
        self.current = name
        if self.project is not None:
            self.current = boards.pick_scenario(self.project, name)
            self._redraw()

    def set_theme(self, dark: bool):
        self.style_ = self.style_.with_theme(dark)
        for chart in self.charts.values():
            chart.set_style(self.style_)

    def set_monte_carlo(self, result):
        """Show a Monte Carlo result of the current project (made elsewhere) in the Monte Carlo tab."""
        self.mc_service.adopt(result, self.project)

    def run_monte_carlo(self):
        """Start the preset Monte Carlo of the project (on the service's worker)."""
        if self.project is not None:
            self.mc_service.run(self.project)

    def current_chart(self):
        """(id, widget) of the chart on top."""
        chart = self.tabs.currentWidget()
        return chart.name, chart

    def crossover_pending(self) -> bool:
        return self._xo_timer.isActive() or self._xo_runner.is_busy()

    def locate_crossover_now(self):
        """Locate a pending crossover at once, in this thread (tests, exports, screenshots)."""
        if self.crossover_pending():
            self._xo_timer.stop()
            self._xo_runner.cancel()  # a search under way is not waited for; its answer is dropped
            if self.project is not None and self.pair:
                self.board.crossover(self.project, self.pair, chartdata.chart_demand(self.project))
                self._redraw()

    def shutdown(self, msecs: int = 10_000) -> bool:
        """Stop locating crossovers and wait for a search under way (closing the window)."""
        self._xo_timer.stop()
        return self._xo_runner.shutdown(msecs)

    # ---- internals
    def _redraw(self):
        project = self.project
        demand = chartdata.chart_demand(self.project)
        cached = self.board.known_crossover(project, self.pair, demand)
        data = self.board.chart_data(
            project, self.pair, self.current, self.monte_carlo, crossover=cached, locate=False, demand=demand, charts=self.charts
        )
        if data["demand"].crossover_pending:
            # the crossover search takes longer than every chart together: locate it once typing pauses
            self._xo_timer.start()
        if data["montecarlo"] is not None and not self.mc_service.is_current(project):
            # made before the latest edit: said plainly, and never the new target line with the old P(meets target)
            data["montecarlo"] = out_of_date(data["montecarlo"])
        idx = project.names().index(self.current) if self.current in project.names() else 0
        for name, chart in self.charts.items():
            if name == "montecarlo":
                chart.update_data(data[name], colour_index=idx)
            elif name == "tornado" and data[name] is None and self.current in project.names():
                _r, why = safe_results(project.scenario(self.current))  # a scenario the model refuses
                chart.show_message(no_result_text({self.current: why or "no tornado"}), f"{self.current}: no tornado")
            else:
                chart.update_data(data[name])

    def _monte_carlo_changed(self, _result):
        if self.project is not None:
            self._redraw()

    def _mc_busy(self, busy: bool):
        self.mc_button.setEnabled(not busy)
        if not busy:
            self.mc_button.setText(f"Run Monte Carlo ({presets.MC_SAMPLES:,} samples)")

    def _locate_pending_crossover(self):
        """Start the search for the pair's crossover on a worker (a newer search replaces an older one)."""
        if self.project is None or not self.pair:
            return
        demand = chartdata.chart_demand(self.project)
        if self.board.known_crossover(self.project, self.pair, demand) is not None:
            self._redraw()
            return
        key = self.board.crossover_key(self.project, self.pair, demand)
        project, pair = self.project.copy(), tuple(self.pair)  # the worker never sees what the GUI edits

        def search(progress, cancel):
            return key, chartdata.locate_crossover(project, pair, demand)

        self._xo_runner.start(search)

    def _crossover_located(self, found):
        key, result = found
        self.board.store_crossover(key, result)
        if self.project is not None:
            self._redraw()  # shows it when the inputs are still those searched; else a new search is scheduled

    def _pair_chosen(self, a: str, b: str):
        self.pair = (a, b)
        self.pairChanged.emit(a, b)
        if self.project is not None:
            self._redraw()
            self.locate_crossover_now()
