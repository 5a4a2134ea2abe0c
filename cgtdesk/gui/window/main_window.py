"""The main window: it composes the docks and controllers of one project.

Layout (docks, remembered between sessions): the scenario list on the left, the parameter
editor beside it, the results table under them; in the centre two pages, the charts and the
Analyses (as wide as the charts: their answers, tables and buttons fit a 1366x768 laptop); the
launch plan tabbed with the parameters. Who does what:

- :class:`~cgtdesk.gui.document.ProjectDocument`: the project; every change is an undoable command.
- :class:`~cgtdesk.gui.selection.Selection`: the current scenario and the compared pair.
- ``scenarios.py``, ``editor.py``, ``results.py``: the docks, following those two.
- ``files.py``: the file workflow; ``actions.py``: the actions, menus and toolbar, as data.
- :class:`~cgtdesk.gui.workers.MonteCarloService`: the one Monte Carlo run of the window, shown
  by the chart panel, the Analyses view, the slides and the deck.

Charts are redrawn once per turn of the event loop (a 0 ms single-shot timer coalesces edits),
and only the scenario that changed is recomputed (results are cached per scenario).

What is not on screen when the window is first shown is built when first needed: the Analyses
page (:attr:`MainWindow.analyses`) when its tab is first chosen, the Launch plan view
(:attr:`MainWindow.plan_view`) when its dock is first shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from cgtdesk.core.errors import InputError
from cgtdesk.core.project import Project
from cgtdesk.gui import appdata, dialogs
from cgtdesk.gui.charts import ChartPanel
from cgtdesk.gui.document import ProjectDocument
from cgtdesk.gui.library import PlatformLibrary
from cgtdesk.gui.present import PresentationWindow, choose_screen  # light: the charts are loaded anyway
from cgtdesk.gui.selection import Selection
from cgtdesk.gui.theme import apply_theme, restyle
from cgtdesk.gui.window import actions
from cgtdesk.gui.window.editor import ParameterEditor
from cgtdesk.gui.window.files import FileController
from cgtdesk.gui.window.results import ResultsView
from cgtdesk.gui.window.scenarios import PairPicker, ScenarioPanel
from cgtdesk.gui.workers import MonteCarloService

Qt = QtCore.Qt
Area = Qt.DockWidgetArea
DOCK_FEATURES = (
    QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
    | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable
    | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetClosable
)


class MainWindow(QtWidgets.QMainWindow):
    #: emitted after the charts were brought up to date (once per batch of edits)
    chartsUpdated = QtCore.Signal()
    #: a message for the user (also shown in the status bar)
    message = QtCore.Signal(str)

    def __init__(
        self,
        project: Project | None = None,
        path: Path | str | None = None,
        *,
        settings: QtCore.QSettings | None = None,
        data_dir: Path | None = None,
        prompts=None,
        restore_layout: bool = True,
    ):
        super().__init__()
        if project is None:
            from cgtdesk.io.projectfile import load_project
            from cgtdesk.resources import resource

            project = load_project(resource("example.cgtproj"))
        self.settings = settings if settings is not None else appdata.default_settings()
        self.data_dir = Path(data_dir) if data_dir is not None else appdata.data_dir()
        self.recovery_dir = self.data_dir / "recovery"
        self.prompts = prompts if prompts is not None else dialogs.Prompts()
        self.doc = ProjectDocument(project, Path(path) if path else None, self)
        self.selection = Selection(self.doc, self)
        self.monte_carlo = MonteCarloService(self)
        self.dark = self.settings.value("view/theme", "light") == "dark"
        self._presentation = None
        self._charts_drawn = False
        self._sized = False  # the default dock sizes are applied when first shown

        self.setObjectName("MainWindow")
        self.setDockNestingEnabled(True)
        self.setCorner(Qt.Corner.BottomLeftCorner, Area.LeftDockWidgetArea)
        self._build_docks()
        self.files = FileController(
            self,
            self.doc,
            self.selection,
            settings=self.settings,
            recovery_dir=self.recovery_dir,
            prompts=self.prompts,
            charts=self.chart_panel,
            monte_carlo=self.monte_carlo,
        )
        self.library = PlatformLibrary(self)  # the template library: Tools menu, New and Add, the editor's marks
        self.editor.use_library(self.library)
        self._build_actions()
        self.statusBar().setSizeGripEnabled(True)
        self._status_info = QtWidgets.QLabel()
        self.statusBar().addPermanentWidget(self._status_info)
        self.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        for source in (self.scenarios, self.editor, self.results, self.files, self.library):
            source.message.connect(self.message)
        self._follow()

        self.resize(1440, 900)
        self._default_state = self.saveState()
        if restore_layout:
            geo, state = self.settings.value("window/geometry"), self.settings.value("window/state")
            if geo is not None:
                self.restoreGeometry(geo)
            if state is not None:
                self.restoreState(state)
        self._scenarios_changed()
        self._update_title()
        self.chart_panel.set_theme(self.dark)
        self.tell_notices()

    # ================================================================ building

    def _dock(self, title: str, name: str, widget, area) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(DOCK_FEATURES)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self):
        doc, sel = self.doc, self.selection
        self.scenarios = ScenarioPanel(doc, sel, self.prompts)
        self.scenario_dock = self._dock("Scenarios", "ScenariosDock", self.scenarios, Area.LeftDockWidgetArea)
        self.editor = ParameterEditor(doc, sel)
        self.editor_dock = self._dock("Parameters", "ParametersDock", self.editor, Area.LeftDockWidgetArea)
        self.splitDockWidget(self.scenario_dock, self.editor_dock, Qt.Orientation.Horizontal)
        self.results = ResultsView(doc)
        self.results_dock = self._dock("Results", "ResultsDock", self.results, Area.BottomDockWidgetArea)
        self.chart_panel = ChartPanel(self, monte_carlo=self.monte_carlo)
        self.chart_panel.pairChanged.connect(sel.set_pair)  # the pair picked on the demand chart
        # the Analyses are a page beside the charts, as wide as they are; on a small screen the
        # page scrolls rather than squeezing its tables. Its panel is built when first shown.
        self._analyses = None
        scroll = self.analyses_page = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.centre = QtWidgets.QTabWidget()
        self.centre.setObjectName("CentreTabs")
        self.centre.setDocumentMode(True)
        self.centre.addTab(self.chart_panel, "Charts")
        self.centre.addTab(scroll, "Analyses")
        self.centre.currentChanged.connect(self._centre_changed)
        self.setCentralWidget(self.centre)
        # the Launch plan, tabbed behind the parameters: its view is built when the dock is first shown
        self._plan_view = None
        self.plan_dock = self._dock("Launch plan", "PlanDock", QtWidgets.QWidget(), Area.LeftDockWidgetArea)
        self.plan_dock.visibilityChanged.connect(self._plan_dock_visible)
        self.tabifyDockWidget(self.editor_dock, self.plan_dock)
        self.editor_dock.raise_()

    @property
    def analyses(self):
        """The Analyses panel (:class:`~cgtdesk.gui.analyses.AnalysesPanel`), built on first use."""
        if self._analyses is None:
            from cgtdesk.gui.analyses import AnalysesPanel

            panel = AnalysesPanel(self.doc, self.selection.index, self, monte_carlo=self.monte_carlo)
            panel.set_theme(self.dark)
            panel.follow_scenario(self.selection.current_name())
            self._analyses = panel
            self.analyses_page.setWidget(panel)
        return self._analyses

    @property
    def plan_view(self):
        """The Launch plan view (:class:`~cgtdesk.gui.plan.view.PlanView`), built on first use."""
        if self._plan_view is None:
            from cgtdesk.gui.plan.view import PlanView

            view = PlanView(self.doc, self.selection)
            view.set_theme(self.dark)
            self._plan_view = view
            self.plan_dock.setWidget(view)
        return self._plan_view

    def _centre_changed(self, index: int):
        if self.centre.widget(index) is self.analyses_page:
            self.analyses  # noqa: B018 (builds the page when first shown)

    def _plan_dock_visible(self, visible: bool):
        if visible:
            self.plan_view  # noqa: B018 (builds the view when the dock is first shown)

    def _build_actions(self):
        self.undo_group = QtGui.QUndoGroup(self)
        self.undo_group.addStack(self.doc.undo_stack)
        self.undo_group.setActiveStack(self.doc.undo_stack)
        made = {"undo": self.undo_group.createUndoAction(self, "&Undo"), "redo": self.undo_group.createRedoAction(self, "&Redo")}
        self.pairs = PairPicker(self.doc, self.selection, self)
        self.acts, menus, self.toolbar = actions.install(self, made, {"pair": self.pairs.widgets()})
        self.acts["dark" if self.dark else "light"].setChecked(True)
        self.scenarios.attach(self.acts, menus["templates"], self.library)
        self.editor.attach([self.acts["param_uncertainty"], self.acts["param_goalseek"], self.acts["reset_value"]])
        self.files.attach(menus["recent"])

    def _follow(self):
        """The window's own part in following the document and the selection: charts, title, status."""
        self._chart_timer = QtCore.QTimer(self)
        self._chart_timer.setSingleShot(True)
        self._chart_timer.setInterval(0)
        self._chart_timer.timeout.connect(self._update_charts)
        d = self.doc
        d.parameterChanged.connect(self._schedule_charts)
        d.uncertaintyChanged.connect(self._schedule_charts)  # the tornado chart uses the uncertainty ranges
        d.scenariosChanged.connect(self._scenarios_changed)
        d.modifiedChanged.connect(self._update_title)
        d.pathChanged.connect(self._update_title)
        d.projectLoaded.connect(self.tell_notices)
        d.projectLoaded.connect(self._update_title)  # another project: its title
        self.selection.current_changed.connect(self._current_changed)
        self.selection.pair_changed.connect(self._schedule_charts)
        svc = self.monte_carlo
        svc.finished.connect(lambda _r: self.message.emit("Monte Carlo complete."))
        svc.cancelled.connect(lambda _r: self.message.emit("Monte Carlo cancelled: the last complete run stays shown."))
        svc.failed.connect(lambda text: self.message.emit(f"Monte Carlo did not run: {text}"))

    # ================================================================ following the document and the selection

    def tell_notices(self):
        """Say once what the project's reader noticed (a version 1 file upgraded to version 2), in
        the status bar and above the parameters; never a modal dialog. The notices are then spent."""
        notices, self.doc.project.notices = list(self.doc.project.notices), []
        text = " ".join(notices)
        self.editor.show_notice(text)
        if text:
            self.statusBar().showMessage(text, 15000)

    def current_index(self) -> int:
        return self.selection.index()

    def select_scenario(self, index: int) -> None:
        self.selection.set_current(index)

    def set_value(self, key: str, text) -> bool:
        """Type ``text`` into the value of ``key`` for the current scenario (as the editor does)."""
        return self.editor.set_value(key, text)

    def _scenarios_changed(self):
        doc = self.doc
        self._status_info.setText(f"{len(doc.scenarios)} scenario(s) · {doc.project.currency}  ")
        if self._charts_drawn:
            # names may have changed: the charts must not keep a stale pair or scenario for a moment
            self._chart_timer.stop()
            self._update_charts()
        else:
            self._schedule_charts()

    def _current_changed(self, name: str):
        if self._analyses is not None:
            self._analyses.follow_scenario(name)
        self._schedule_charts()

    def _update_title(self, *_):
        self.setWindowTitle(window_title(self.doc))
        self.setWindowModified(self.doc.is_modified())

    def _schedule_charts(self, *_):
        self._chart_timer.start()

    def _update_charts(self):
        self._charts_drawn = True
        try:
            self.chart_panel.current = self.selection.current_name()  # the scenario the per-scenario charts show
            self.chart_panel.set_project(self.doc.project, self.selection.pair())
        except InputError as e:
            self.message.emit(f"Charts not updated: {e}")
        self.chartsUpdated.emit()

    def flush_charts(self):
        """Bring the charts up to date now (tests, screenshots)."""
        if self._chart_timer.isActive():
            self._chart_timer.stop()
            self._update_charts()

    # ================================================================ analyses

    def show_analysis(self, name: str):
        """Bring the Analyses page forward on one view (sweep, tornado, montecarlo, goalseek, uncertainty)."""
        self.centre.setCurrentWidget(self.analyses_page)
        view = self.analyses.show_view(name)
        view.follow_scenario(self.selection.current_name())
        return view

    def show_plan(self):
        """Bring the Launch plan dock forward (its editor and charts)."""
        self.plan_dock.show()
        self.plan_dock.raise_()
        return self.plan_view

    def show_charts(self):
        """Bring the charts forward (from the Analyses page)."""
        self.centre.setCurrentWidget(self.chart_panel)

    def analyse_parameter(self, name: str):
        """The uncertainty or the goal seek of the parameter under the cursor in the editor."""
        key = self.editor.current_key()
        view = self.show_analysis(name)
        if key is None:
            return
        if name == "uncertainty":
            view.select_parameter(key)
        else:
            view.set_question(scenario=self.selection.current_name(), vary=key)

    def run_monte_carlo(self):
        """Run the Monte Carlo of every scenario with the samples and seed set in the Analyses view."""
        return self.show_analysis("montecarlo").run()

    def cancel_monte_carlo(self):
        self.analyses.views["montecarlo"].cancel()

    # ================================================================ view

    def present(self):
        screen = choose_screen(self) if len(QtGui.QGuiApplication.screens()) > 1 else None
        self._presentation = PresentationWindow(
            self.doc.project,
            pair=self.selection.pair(),
            screen=screen,
            scenario=self.selection.current_name(),
            # a run made before the latest edit is not the slides' answer: they run their own
            monte_carlo=self.monte_carlo.result if self.monte_carlo.is_current(self.doc.project) else None,
            dark=self.dark,
        )
        self._presentation.start()
        return self._presentation

    def set_theme(self, dark: bool):
        self.dark = dark
        apply_theme(QtWidgets.QApplication.instance(), dark)
        self.settings.setValue("view/theme", "dark" if dark else "light")
        self.acts["dark" if dark else "light"].setChecked(True)
        self.chart_panel.set_theme(dark)
        for built in (self._analyses, self._plan_view):
            if built is not None:
                built.set_theme(dark)
        restyle(self)  # the labels with a style sheet (notices, legends, answers) take the new palette
        self.scenarios.refresh()
        self._scenarios_changed()

    def reset_layout(self):
        self.restoreState(self._default_state)
        for d in (self.scenario_dock, self.editor_dock, self.results_dock):
            d.show()
        self.apply_default_sizes()

    def apply_default_sizes(self):
        w, h = self.width(), self.height()
        self.resizeDocks([self.scenario_dock, self.editor_dock], [int(w * 0.14), int(w * 0.32)], Qt.Orientation.Horizontal)
        self.resizeDocks([self.results_dock], [int(h * 0.3)], Qt.Orientation.Vertical)

    def show_guide(self):
        dialogs.show_guide(self)

    def first_run_guide(self):
        """On the very first start (no ``help/guide_shown`` in the settings), the Getting started
        guide beside the window, not modal; never again after. Returns the box shown, or None."""
        if self.settings.value("help/guide_shown", False, type=bool):
            return None
        self.settings.setValue("help/guide_shown", True)
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Information, "Getting started", dialogs.GUIDE, parent=self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        return box

    def show_about(self):
        dialogs.show_about(self)

    # ================================================================ settings and closing

    def save_layout(self):
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())

    def closeEvent(self, event):
        if not self.files.close():
            event.ignore()
            return
        self.save_layout()
        self.monte_carlo.shutdown()  # a run under way is cancelled and waited for
        if self._analyses is not None:
            self._analyses.shutdown()  # cancel analyses still running and wait for their workers
        self.chart_panel.shutdown()  # a crossover search under way
        if self._presentation is not None:
            self._presentation.close()
        event.accept()

    def showEvent(self, event):
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            if self.settings.value("window/state") is None:
                self.apply_default_sizes()


def window_title(doc) -> str:
    """The file (or the workbook it came from), the project's title and the app: "client.cgtproj[*] -
    Client X, CD19 programme - CGT Desk"; a project never saved shows its title ("Untitled" without one)."""
    title = " ".join((doc.project.title or "").split())
    if doc.path is None and not doc.origin:
        return f"{title or 'Untitled'}[*] - CGT Desk"
    return f"{doc.display_name()}[*] - {title} - CGT Desk" if title else f"{doc.display_name()}[*] - CGT Desk"
