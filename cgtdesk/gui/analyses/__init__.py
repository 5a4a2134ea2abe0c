"""The analyses of the app, in one tabbed panel: demand sweep & crossover, tornado, Monte Carlo,
goal seek, and the uncertainty editor they draw on.

Each answers one of the client's questions with a chart and a sentence:
- from what demand does allogeneic beat autologous (``sweep``),
- which assumption matters most (``tornado``),
- how sure are we that cost of goods stays under the target (``montecarlo``),
- what batch success rate / vector cost / lot size hits the target margin (``goalseek``).
"""

from __future__ import annotations

import time

from PySide6 import QtCore, QtWidgets

from cgtdesk.chartdata.registry import ANALYSIS_VIEWS, BY_ID
from cgtdesk.gui import export
from cgtdesk.gui.analyses.goalseek import GoalSeekView
from cgtdesk.gui.analyses.montecarlo import MonteCarloView
from cgtdesk.gui.analyses.sweep import SweepView
from cgtdesk.gui.analyses.tornado import TornadoView
from cgtdesk.gui.charts.base import BaseChart
from cgtdesk.gui.theme import restyle
from cgtdesk.gui.uncertainty_editor import UncertaintyEditor
from cgtdesk.gui.workers import MonteCarloService

VIEW_CLASSES = {
    "sweep": SweepView,
    "tornado": TornadoView,
    "montecarlo": MonteCarloView,
    "goalseek": GoalSeekView,
    "uncertainty": UncertaintyEditor,
}


class AnalysesPanel(QtWidgets.QTabWidget):
    """Tabs of the analysis views over one ProjectDocument. ``current()``: the selected scenario index.
    ``monte_carlo``: the MonteCarloService the Monte Carlo view runs and shows (default: its own)."""

    def __init__(self, doc, current=None, parent=None, *, monte_carlo: MonteCarloService | None = None):
        super().__init__(parent)
        self.setDocumentMode(True)
        self.views = {}
        for name, cls in VIEW_CLASSES.items():
            view = cls(doc, current, monte_carlo=monte_carlo) if cls is MonteCarloView else cls(doc, current)
            self.views[name] = view
            self.addTab(view, cls.title)
        for view in self.views.values():
            for chart in view.findChildren(BaseChart):
                chart.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)
                chart.customContextMenuRequested.connect(lambda pos, c=chart: self._chart_menu(c, pos))

    def set_theme(self, dark: bool):
        """Light or dark charts; the widgets follow the application palette, those with a style
        sheet (answers, notes, errors) too."""
        restyle(self)
        for view in self.views.values():
            for chart in view.findChildren(BaseChart):
                chart.set_theme(dark)
            view.set_theme(dark)

    # ---- charts out: the answer as a picture for a slide or a report
    def chart_image(self, chart, size=(1920, 1080)):
        """The chart as an image: a presentation-styled slide for the registry's charts, else as shown."""
        if chart.name in BY_ID:
            return export.chart_image(chart, size)
        return chart.grab().toImage()

    def copy_chart(self, chart):
        img = self.chart_image(chart)
        QtWidgets.QApplication.clipboard().setImage(img)
        self._say("Copied the chart; paste it into a slide or document.")
        return img

    def export_chart(self, chart, path=None) -> bool:
        win = self.window()
        if path is None:
            prompts = getattr(win, "prompts", None)
            if prompts is None:
                return False
            path = prompts.save_path(win, "Export the chart", f"{chart.name}.png", "PNG images (*.png)")
            if not path:
                return False
        ok = self.chart_image(chart).save(str(path))
        self._say(f"Exported {path}." if ok else f"Could not write {path}: choose another folder or name.")
        return ok

    def _chart_menu(self, chart, pos):
        if chart.data is None:
            return
        m = QtWidgets.QMenu(chart)
        m.addAction("Copy chart", lambda: self.copy_chart(chart))
        m.addAction("Export chart as PNG...", lambda: self.export_chart(chart))
        m.exec(chart.mapToGlobal(pos))

    def _say(self, text: str):
        msg = getattr(self.window(), "message", None)
        if msg is not None:
            msg.emit(text)

    def show_view(self, name: str):
        view = self.views[name]
        self.setCurrentWidget(view)
        return view

    def follow_scenario(self, name: str):
        for view in self.views.values():
            view.follow_scenario(name)

    def busy(self) -> bool:
        return any(getattr(v, "runner", None) is not None and v.runner.is_busy() for v in self.views.values())

    def shutdown(self):
        for view in self.views.values():
            view.shutdown()


__all__ = ["AnalysesPanel", "GoalSeekView", "MonteCarloView", "SweepView", "TornadoView", "UncertaintyEditor", "VIEW_CLASSES"]


def settle(view, timeout_s: float = 120.0) -> None:
    """Process events until the view's background job has delivered its result (screenshots, scripts)."""
    runner = getattr(view, "runner", None)
    deadline = time.monotonic() + timeout_s
    app = QtWidgets.QApplication.instance()
    while runner is not None and runner.is_busy() and time.monotonic() < deadline:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)
    for _ in range(3):
        app.processEvents()


def screenshot_view(window, name: str):
    """The image of one analysis after running it (a quick 20,000-sample Monte Carlo), as the
    window's Analyses page shows it at the window's size."""
    view = window.show_analysis(ANALYSIS_VIEWS[name])
    app = QtWidgets.QApplication.instance()
    app.processEvents()
    if isinstance(view, MonteCarloView):
        view.run()
    elif isinstance(view, GoalSeekView):
        view.solve()
    elif isinstance(view, SweepView):
        view.compute()
    elif isinstance(view, TornadoView):
        view.compute()
    elif isinstance(view, UncertaintyEditor):
        s = window.doc.project.scenarios[window.current_index()]
        keys = [k for k in s.uncertainty]
        if keys:
            view.select_parameter(keys[0])
    settle(view)
    window.flush_charts()
    if name == "analyses":
        app.processEvents()
        return window.grab()
    for _ in range(3):
        app.processEvents()
    return window.analyses_page.grab()
