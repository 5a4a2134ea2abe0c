"""ChartPanel: the charts of the registry that are tabs, updated in place after each edit.

A tab's chart is built, and its data computed, the first time it is shown or looked up in
``ChartPanel.charts``; from then on every redraw updates it in place. So the first paint builds
and draws the chart on top alone.

The data comes from a :class:`~cgtdesk.chartdata.board.ChartBoard` (shared with the slides and
the deck); the Monte Carlo shown is the result of a :class:`~cgtdesk.gui.workers.MonteCarloService`
(the window's, so the Analyses view, the slides and the deck show the same run).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping

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


class _Charts(Mapping):
    """The panel's chart widgets by id: looking one up builds it (and draws it) on first use."""

    def __init__(self, panel: ChartPanel):
        self._panel = panel

    def __getitem__(self, chart_id: str) -> QtWidgets.QWidget:
        return self._panel.chart(chart_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._panel.tab_ids)

    def __len__(self) -> int:
        return len(self._panel.tab_ids)


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
        #: the ids of the tabs, in order; ``charts``: their widgets (built on first use)
        self.tab_ids = registry.TABS
        self.charts = _Charts(self)
        self._built: dict[str, QtWidgets.QWidget] = {}
        for chart_id in self.tab_ids:  # a page stands in for each chart until the chart is built
            self.tabs.addTab(QtWidgets.QWidget(), registry.chart(chart_id).title)
        self._build_mc_button()
        self.chart(self.tab_ids[self.tabs.currentIndex()])
        self.tabs.currentChanged.connect(self._tab_shown)
        self._xo_timer = QtCore.QTimer(self)
        self._xo_timer.setSingleShot(True)
        self._xo_timer.setInterval(250)
        self._xo_timer.timeout.connect(self._locate_pending_crossover)
        # the search runs on the thread pool, so typing never waits for it
        self._xo_runner = TaskRunner(self)
        self._xo_runner.finished.connect(self._crossover_located)

    def _build_mc_button(self):
        """The Monte Carlo tab's run button (placed in the chart's header when the chart is built)."""
        self.mc_button = QtWidgets.QPushButton()
        self.mc_button.setToolTip("Sample every scenario's uncertainty with a fixed seed")
        self.mc_button.clicked.connect(self.run_monte_carlo)
        svc = self.mc_service
        svc.resultChanged.connect(self._monte_carlo_changed)
        svc.busyChanged.connect(self._mc_busy)
        svc.progress.connect(lambda done, total: self.mc_button.setText(f"Running Monte Carlo: {100 * done // max(total, 1)}%"))
        svc.failed.connect(lambda message: self.charts["montecarlo"].set_title(f"Monte Carlo did not run: {message}"))
        self._mc_busy(svc.is_busy())

    def _build(self, chart_id: str) -> QtWidgets.QWidget:
        """Build a tab's chart and put it in place of the page standing in for it."""
        chart = CHART_CLASSES[chart_id](style=self.style_)
        self._built[chart_id] = chart
        if chart_id == "demand":
            chart.pairChanged.connect(self._pair_chosen)
        elif chart_id == "montecarlo":
            chart.header.addWidget(self.mc_button)
        index = self.tab_ids.index(chart_id)
        current = self.tabs.currentIndex()
        blocked = self.tabs.blockSignals(True)  # the tab on top does not change
        try:
            stand_in = self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, chart, registry.chart(chart_id).title)
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.blockSignals(blocked)
        stand_in.setParent(None)
        return chart

    # ---- API
    def chart(self, chart_id: str) -> QtWidgets.QWidget:
        """The widget of a tab's chart, built and drawn on first use (KeyError: not a tab)."""
        chart = self._built.get(chart_id)
        if chart is None:
            if chart_id not in self.tab_ids:
                raise KeyError(chart_id)
            chart = self._build(chart_id)
            if self.project is not None:
                self._draw([chart_id])
        return chart

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
        for chart in self._built.values():
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
    def _tab_shown(self, index: int):
        if 0 <= index < len(self.tab_ids):
            self.chart(self.tab_ids[index])

    def _redraw(self):
        """Redraw every chart built so far (the others are drawn when first shown)."""
        project = self.project
        demand = chartdata.chart_demand(project)
        if self.pair and self.board.known_crossover(project, self.pair, demand) is None:
            # the crossover search takes longer than every chart together: locate it once typing pauses
            self._xo_timer.start()
        self._draw(list(self._built), demand)

    def _draw(self, ids: list[str], demand=None):
        """Compute the data of the charts ``ids`` (only theirs) and draw them."""
        project = self.project
        demand = chartdata.chart_demand(project) if demand is None else demand
        cached = self.board.known_crossover(project, self.pair, demand)
        data = self.board.chart_data(
            project, self.pair, self.current, self.monte_carlo, crossover=cached, locate=False, demand=demand, charts=ids
        )
        if data.get("montecarlo") is not None and not self.mc_service.is_current(project):
            # made before the latest edit: said plainly, and never the new target line with the old P(meets target)
            data["montecarlo"] = out_of_date(data["montecarlo"])
        idx = project.names().index(self.current) if self.current in project.names() else 0
        for name in ids:
            chart = self._built[name]
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
