"""ChartPanel: every chart of a project in tabs, updated in place after each edit."""

from __future__ import annotations

import time

from PySide6 import QtCore, QtGui, QtWidgets

from cgtdesk import chartdata
from cgtdesk.core import analyses
from cgtdesk.core.errors import InputError
from cgtdesk.gui.charts.breakdown import BreakdownChart
from cgtdesk.gui.charts.capacity import CapacityChart
from cgtdesk.gui.charts.demand import DemandChart
from cgtdesk.gui.charts.montecarlo import MonteCarloChart
from cgtdesk.gui.charts.tornado import TornadoChart
from cgtdesk.gui.charts.waterfall import WaterfallChart
from cgtdesk.gui.style import ChartStyle, normal_style
from cgtdesk.gui.workers import TaskRunner

CHART_CLASSES = {
    "breakdown": BreakdownChart,
    "demand": DemandChart,
    "capacity": CapacityChart,
    "waterfall": WaterfallChart,
    "tornado": TornadoChart,
    "montecarlo": MonteCarloChart,
}
TAB_TITLES = {
    "breakdown": "Breakdown",
    "demand": "Cost vs demand",
    "capacity": "Capacity",
    "waterfall": "Waterfall",
    "tornado": "Tornado",
    "montecarlo": "Monte Carlo",
}

#: the deck's Monte Carlo run: enough samples for smooth histograms, a fixed seed for a repeatable deck
DECK_SAMPLES = 20_000
DECK_SEED = 20_240_601


_signature = chartdata.scenario_signature


def project_signature(project) -> tuple:
    return (project.currency, tuple(_signature(s) for s in project.scenarios))


#: crossovers located so far (the search takes far longer than drawing every chart), by the pair's inputs
_CROSSOVERS: dict = {}


def _crossover_key(project, pair, demand):
    a, b = project.scenario(pair[0]), project.scenario(pair[1])
    return (_signature(a), _signature(b), float(demand[0]), float(demand[-1]))


def known_crossover(project, pair, demand):
    """The crossover of the pair if it was located before for the same inputs, else None."""
    if not pair:
        return None
    return _CROSSOVERS.get(_crossover_key(project, pair, demand))


def cached_crossover(project, pair, demand):
    """``analysis.crossover`` of the pair, located once per set of inputs."""
    if not pair:
        return None
    key = _crossover_key(project, pair, demand)
    if key not in _CROSSOVERS:
        if len(_CROSSOVERS) > 128:
            _CROSSOVERS.clear()
        _CROSSOVERS[key] = chartdata.locate_crossover(project, pair, demand)
    return _CROSSOVERS[key]


def pick_scenario(project, name: str | None) -> str | None:
    names = project.names()
    if name in names:
        return name
    return names[0] if names else None


def chart_data(project, pair=None, scenario: str | None = None, monte_carlo=None, *, crossover=None,
               locate: bool = True, demand=None, cache: dict | None = None) -> dict:
    """Data of every chart of the project (``monte_carlo``: an analysis.monte_carlo result, or None).
    ``cache``: a dict kept between redraws so that unchanged scenarios are not evaluated again."""
    demand = chartdata.demand_grid() if demand is None else demand
    sw = chartdata.sweeps(project, demand, cache=cache)
    res = chartdata.scenario_results(project, cache)
    scenario = pick_scenario(project, scenario)
    if crossover is None and locate:
        crossover = cached_crossover(project, chartdata.valid_pair(project, pair), demand)
    out = {
        "breakdown": chartdata.breakdown_per_dose(project, res),
        "demand": chartdata.demand_curves(project, demand=demand, pair=pair, sweeps=sw, crossover=crossover, locate=locate,
                                          results=res),
        "capacity": chartdata.capacity_curves(project, demand=demand, selected=scenario, sweeps=sw, results=res),
        "waterfall": None,
        "tornado": None,
        "montecarlo": None,
    }
    if scenario is not None:
        s = project.scenario(scenario)
        out["waterfall"] = chartdata.waterfall(s, project.currency, res)
        key = ("tornado", _signature(s), project.currency)
        if cache is not None and key in cache:
            out["tornado"] = cache[key]
        else:
            try:
                out["tornado"] = chartdata.tornado_data(analyses.tornado(s), project.currency)
            except InputError:
                out["tornado"] = None
            if cache is not None:
                cache[key] = out["tornado"]
        if monte_carlo is not None and scenario in [m.name for m in monte_carlo.scenarios]:
            out["montecarlo"] = chartdata.monte_carlo_data(monte_carlo, scenario, project)
    return out


def deck_monte_carlo(project):
    """The seeded Monte Carlo run the slides and the deck show."""
    return analyses.monte_carlo(project, DECK_SAMPLES, DECK_SEED, results=("cogs_per_dose",))


class ChartPanel(QtWidgets.QWidget):
    """Tabs of the six charts. ``set_project`` after every edit redraws them in place."""

    pairChanged = QtCore.Signal(str, str)
    monteCarloRequested = QtCore.Signal()

    def __init__(self, parent=None, style: ChartStyle | None = None):
        super().__init__(parent)
        self.style_ = style or normal_style()
        self.project = None
        self.pair: tuple[str, str] | None = None
        self.current: str | None = None
        self.monte_carlo = None
        self._mc_signature = None
        self.run_monte_carlo_inline = True  # the MC tab's button runs DECK_SAMPLES here unless a caller takes over
        self.last_update_ms = 0.0
        self._cache: dict = {}  # per-scenario sweeps, results and tornado, by the scenario's inputs
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        lay.addWidget(self.tabs)
        self.charts: dict[str, QtWidgets.QWidget] = {}
        for name, cls in CHART_CLASSES.items():
            chart = cls(style=self.style_)
            self.charts[name] = chart
            self.tabs.addTab(chart, TAB_TITLES[name])
        self.charts["demand"].pairChanged.connect(self._pair_chosen)
        mc = self.charts["montecarlo"]
        self.mc_button = QtWidgets.QPushButton(f"Run Monte Carlo ({DECK_SAMPLES:,} samples)")
        self.mc_button.setToolTip("Sample every scenario's uncertainty with a fixed seed")
        self.mc_button.clicked.connect(self._mc_clicked)
        mc.header.addWidget(self.mc_button)
        self._xo_timer = QtCore.QTimer(self)
        self._xo_timer.setSingleShot(True)
        self._xo_timer.setInterval(250)
        self._xo_timer.timeout.connect(self._locate_pending_crossover)
        # the search runs on the thread pool, so typing never waits for it
        self._xo_runner = TaskRunner(self)
        self._xo_runner.finished.connect(self._crossover_located)

    # ---- API
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
        self.current = pick_scenario(project, self.current)
        self._redraw()
        self.last_update_ms = (time.perf_counter() - t0) * 1000

    def set_current_scenario(self, name: str):
        """The scenario the waterfall, capacity, tornado and Monte Carlo charts show."""
        self.current = name
        if self.project is not None:
            self.current = pick_scenario(self.project, name)
            self._redraw()

    def set_theme(self, dark: bool):
        self.style_ = self.style_.with_theme(dark)
        for chart in self.charts.values():
            chart.set_style(self.style_)

    def set_monte_carlo(self, result):
        """Show an ``analysis.monte_carlo`` result (for the current project) in the Monte Carlo tab."""
        self.monte_carlo = result
        self._mc_signature = project_signature(self.project) if self.project is not None else None
        if self.project is not None:
            self._redraw()

    def crossover_pending(self) -> bool:
        return self._xo_timer.isActive() or self._xo_runner.is_busy()

    def locate_crossover_now(self):
        """Locate a pending crossover at once, in this thread (tests, exports, screenshots)."""
        if self.crossover_pending():
            self._xo_timer.stop()
            self._xo_runner.cancel()  # a search under way is not waited for; its answer is dropped
            if self.project is not None and self.pair:
                cached_crossover(self.project, self.pair, chartdata.demand_grid())
                self._redraw()

    def shutdown(self, msecs: int = 10_000) -> bool:
        """Stop locating crossovers and wait for a search under way (closing the window)."""
        self._xo_timer.stop()
        return self._xo_runner.shutdown(msecs)

    # ---- internals
    def _redraw(self):
        project = self.project
        demand = chartdata.demand_grid()
        cached = known_crossover(project, self.pair, demand)
        mc = self.monte_carlo if self.monte_carlo is not None else None
        if len(self._cache) > 512:
            self._cache.clear()
        data = chart_data(project, self.pair, self.current, mc, crossover=cached, locate=False, demand=demand,
                          cache=self._cache)
        if data["demand"].crossover_pending:
            # the crossover search takes longer than every chart together: locate it once typing pauses
            self._xo_timer.start()
        if data["montecarlo"] is not None and self._mc_signature != project_signature(project):
            object.__setattr__(data["montecarlo"], "finding",
                               data["montecarlo"].finding + " (run before the latest edits: run again)")
        idx = project.names().index(self.current) if self.current in project.names() else 0
        for name, chart in self.charts.items():
            if name == "montecarlo":
                chart.update_data(data[name], colour_index=idx)
            else:
                chart.update_data(data[name])

    def _locate_pending_crossover(self):
        """Start the search for the pair's crossover on a worker (a newer search replaces an older one)."""
        if self.project is None or not self.pair:
            return
        demand = chartdata.demand_grid()
        if known_crossover(self.project, self.pair, demand) is not None:
            self._redraw()
            return
        key = _crossover_key(self.project, self.pair, demand)
        project, pair = self.project.copy(), tuple(self.pair)  # the worker never sees what the GUI edits

        def search(progress, cancel):
            return key, chartdata.locate_crossover(project, pair, demand)

        self._xo_runner.start(search)

    def _crossover_located(self, found):
        key, result = found
        if len(_CROSSOVERS) > 128:
            _CROSSOVERS.clear()
        _CROSSOVERS[key] = result
        if self.project is not None:
            self._redraw()  # shows it when the inputs are still those searched; else a new search is scheduled

    def _pair_chosen(self, a: str, b: str):
        self.pair = (a, b)
        self.pairChanged.emit(a, b)
        if self.project is not None:
            self._redraw()
            self.locate_crossover_now()

    def _mc_clicked(self):
        self.monteCarloRequested.emit()
        if self.run_monte_carlo_inline and self.project is not None:
            QtWidgets.QApplication.setOverrideCursor(QtGui.QCursor(QtCore.Qt.CursorShape.WaitCursor))
            try:
                self.set_monte_carlo(deck_monte_carlo(self.project))
            finally:
                QtWidgets.QApplication.restoreOverrideCursor()
