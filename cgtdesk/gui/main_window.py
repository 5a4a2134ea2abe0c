"""The main window: scenarios, the parameter editor, results and charts of one project.

Layout (docks, remembered between sessions): the scenario list on the left, the parameter
editor beside it, the charts in the centre and the results table under them. Every change
goes through the :class:`ProjectDocument` (undoable); the views follow its signals. Charts
are redrawn once per turn of the event loop (a 0 ms single-shot timer coalesces edits), and
only the scenario that changed is recomputed (results are cached per scenario).

Every question to the user goes through ``self.prompts`` (see ``dialogs.py``) so that tests
can answer without a modal dialog.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from cgtdesk.core.catalogue import PROCESS_LABELS, catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.project import Project
from cgtdesk.io import recovery
from cgtdesk.gui.dialogs import OPEN_FILTER, PROJECT_FILTER, WORKBOOK_FILTER, Prompts, about_text
from cgtdesk.gui.document import ProjectDocument
from cgtdesk.gui.models import ParameterFilter, ParameterModel, ResultsModel

Qt = QtCore.Qt
Key = QtGui.QKeySequence
log = logging.getLogger("cgtdesk.gui")

AUTOSAVE_MS = 60_000
MAX_RECENT = 8
SUPPORTED_DROPS = (".cgtproj", ".xlsx")

GUIDE = """<h3>Getting started</h3>
<ol>
<li><b>Scenarios</b> (left): each is one way of making the therapy. <i>Add scenario</i> starts one from a
process template: autologous (one batch per patient, scaled out) or allogeneic (one lot, many doses, scaled up).
Add one of each to compare them.</li>
<li><b>Parameters</b>: select a scenario, then type new values (double-click or F2 on a value).
A bold value with a dot differs from the default. Hover a parameter for its meaning and source.
A value outside its valid range is refused and the reason shown below the table.</li>
<li><b>Results and charts</b> follow every change at once. <i>Compare A vs B</i> in the toolbar picks the pair
whose crossover (the demand where one becomes cheaper) is marked.</li>
<li><b>Share</b>: File &gt; Export workbook writes a live Excel model for a client; File &gt; Import workbook reads
their edited copy back and lists what they changed before applying it.</li>
</ol>
<p>Every change can be undone (Ctrl+Z). Unsaved work is kept in a recovery file every minute.</p>"""


def _std_icon(name: str) -> QtGui.QIcon:
    style = QtWidgets.QApplication.style()
    return style.standardIcon(getattr(QtWidgets.QStyle.StandardPixmap, name))


def _swatch(colour: str, dashed: bool) -> QtGui.QIcon:
    pm = QtGui.QPixmap(28, 16)
    pm.fill(Qt.GlobalColor.transparent)
    p = QtGui.QPainter(pm)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    pen = QtGui.QPen(QtGui.QColor(colour), 3)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.drawLine(2, 8, 26, 8)
    p.end()
    return QtGui.QIcon(pm)


def scenario_colour(index: int) -> str:
    try:
        from cgtdesk.gui.style import scenario_colour as sc

        return sc(index)
    except ImportError:
        return ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442")[index % 7]


class ResultsView(QtWidgets.QTableView):
    """The results table; Ctrl+C copies the selection as tab-separated text with headers."""

    copied = QtCore.Signal(int)  # number of cells

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.horizontalHeader().setHighlightSections(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.copy_action = QtGui.QAction("&Copy", self)
        self.copy_action.setShortcut(Key.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy_selection)
        self.addAction(self.copy_action)
        self.copy_all_action = QtGui.QAction("Copy &all results", self)
        self.copy_all_action.triggered.connect(self.copy_all)

    def keyPressEvent(self, event):
        if event.matches(Key.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)

    def _menu(self, pos):
        m = QtWidgets.QMenu(self)
        m.addAction(self.copy_action)
        m.addAction(self.copy_all_action)
        m.exec(self.viewport().mapToGlobal(pos))

    def copy_selection(self) -> str:
        indexes = self.selectionModel().selectedIndexes()
        if not indexes:
            return self.copy_all()
        return self._put(indexes)

    def copy_all(self) -> str:
        m = self.model()
        return self._put([m.index(r, c) for r in range(m.rowCount()) for c in range(m.columnCount())])

    def _put(self, indexes) -> str:
        text = self.model().tsv(indexes)
        QtWidgets.QApplication.clipboard().setText(text)
        self.copied.emit(len(indexes))
        return text


class ValueDelegate(QtWidgets.QStyledItemDelegate):
    """A plain line editor for a value, starting with the full-precision number selected."""

    def createEditor(self, parent, option, index):
        editor = QtWidgets.QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return editor

    def setEditorData(self, editor, index):
        editor.setText(str(index.data(Qt.ItemDataRole.EditRole)))
        editor.selectAll()


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
        from cgtdesk.gui import appdata

        if project is None:
            from cgtdesk.io.projectfile import load_project
            from cgtdesk.resources import resource

            project = load_project(resource("example.cgtproj"))
        self.settings = settings if settings is not None else appdata.default_settings()
        self.data_dir = Path(data_dir) if data_dir is not None else appdata.data_dir()
        self.recovery_dir = self.data_dir / "recovery"
        self.prompts = prompts if prompts is not None else Prompts()
        self.doc = ProjectDocument(project, Path(path) if path else None, self)
        self._current = project.scenarios[0]
        self._pair: tuple | None = None  # (scenario A, scenario B) objects, None for the default
        self._rebuilding = False
        self.dark = self.settings.value("view/theme", "light") == "dark"

        self.setObjectName("MainWindow")
        self.setDockNestingEnabled(True)
        self.setAcceptDrops(True)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)

        self._build_scenarios()
        self._build_editor()
        self._build_results()
        self._build_charts()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_analyses()
        if getattr(self, "analyses", None) is not None:
            # the Analyses views are wide: scroll them rather than squeeze the charts on a laptop screen
            scroll = QtWidgets.QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
            scroll.setWidget(self.analyses)
            self.analyses_dock.setWidget(scroll)
        self.statusBar().setSizeGripEnabled(True)
        self._status_info = QtWidgets.QLabel()
        self.statusBar().addPermanentWidget(self._status_info)
        self.message.connect(lambda m: self.statusBar().showMessage(m, 8000))

        self._chart_timer = QtCore.QTimer(self)
        self._chart_timer.setSingleShot(True)
        self._chart_timer.setInterval(0)
        self._chart_timer.timeout.connect(self._update_charts)
        self._autosave_timer = QtCore.QTimer(self)
        self._autosave_timer.setInterval(AUTOSAVE_MS)
        self._autosave_timer.timeout.connect(self.autosave_now)
        self._autosave_timer.start()

        d = self.doc
        d.parameterChanged.connect(self._on_parameter_changed)
        d.scenariosChanged.connect(self._on_scenarios_changed)
        d.modifiedChanged.connect(self._update_title)
        d.pathChanged.connect(self._update_title)
        self.undo_group.addStack(d.undo_stack)
        self.undo_group.setActiveStack(d.undo_stack)

        self.resize(1440, 900)
        self._default_state = self.saveState()
        if restore_layout:
            geo = self.settings.value("window/geometry")
            state = self.settings.value("window/state")
            if geo is not None:
                self.restoreGeometry(geo)
            if state is not None:
                self.restoreState(state)
        self._on_scenarios_changed()
        self._fit_results()
        self._update_title()
        if self.chart_panel is not None and hasattr(self.chart_panel, "set_theme"):
            self.chart_panel.set_theme(self.dark)

    # ================================================================ building

    def _dock(self, title: str, name: str, widget, area) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _build_scenarios(self):
        w = QtWidgets.QWidget()
        lay = QtWidgets.QVBoxLayout(w)
        lay.setContentsMargins(4, 4, 4, 4)
        self.scenario_list = QtWidgets.QListWidget()
        self.scenario_list.setIconSize(QtCore.QSize(28, 16))
        self.scenario_list.setSpacing(2)
        self.scenario_list.setWordWrap(True)
        self.scenario_list.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.DoubleClicked | QtWidgets.QAbstractItemView.EditTrigger.EditKeyPressed)
        self.scenario_list.setToolTip("The scenarios of the project. Double-click a name to rename it.")
        self.scenario_list.currentRowChanged.connect(self._on_scenario_selected)
        self.scenario_list.itemChanged.connect(self._on_item_renamed)
        self.scenario_list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        lay.addWidget(self.scenario_list)
        buttons = QtWidgets.QGridLayout()
        self._scenario_buttons = buttons
        lay.addLayout(buttons)
        self.scenario_dock = self._dock("Scenarios", "ScenariosDock", w, Qt.DockWidgetArea.LeftDockWidgetArea)

    def _build_editor(self):
        w = QtWidgets.QWidget()
        lay = QtWidgets.QVBoxLayout(w)
        lay.setContentsMargins(4, 4, 4, 4)
        self.editor_title = QtWidgets.QLabel()
        self.editor_title.setTextFormat(Qt.TextFormat.RichText)
        self.editor_title.setWordWrap(True)
        lay.addWidget(self.editor_title)
        self.search = QtWidgets.QLineEdit()
        self.search.setPlaceholderText("Search parameters by name or key (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        lay.addWidget(self.search)
        self.param_model = ParameterModel(self.doc, self)
        self.param_filter = ParameterFilter(self)
        self.param_filter.setSourceModel(self.param_model)
        self.search.textChanged.connect(self._on_search)
        tree = QtWidgets.QTreeView()
        tree.setModel(self.param_filter)
        tree.setItemDelegateForColumn(ParameterModel.VALUE, ValueDelegate(tree))
        tree.setAlternatingRowColors(True)
        tree.setUniformRowHeights(True)
        tree.setEditTriggers(
            QtWidgets.QAbstractItemView.EditTrigger.DoubleClicked
            | QtWidgets.QAbstractItemView.EditTrigger.EditKeyPressed
            | QtWidgets.QAbstractItemView.EditTrigger.AnyKeyPressed
            | QtWidgets.QAbstractItemView.EditTrigger.SelectedClicked
        )
        tree.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        tree.header().setStretchLastSection(True)
        em = tree.fontMetrics().horizontalAdvance("M")
        tree.setColumnWidth(ParameterModel.LABEL, 21 * em)
        tree.setColumnWidth(ParameterModel.VALUE, 9 * em)
        tree.setColumnWidth(ParameterModel.UNIT, 8 * em)
        tree.setColumnWidth(ParameterModel.RANGE, 9 * em)
        tree.expandAll()
        self.tree = tree
        self.param_model.modelReset.connect(self._after_param_reset)
        self.param_model.refused.connect(self._on_refused)
        self.param_model.accepted.connect(lambda key: self._show_inline(""))
        lay.addWidget(tree, 1)
        self.inline = QtWidgets.QLabel()
        self.inline.setWordWrap(True)
        self.inline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.inline.setStyleSheet("QLabel { color: #B00020; border: 1px solid #D55E00; border-radius: 3px; padding: 4px; }")
        self.inline.hide()
        lay.addWidget(self.inline)
        legend = QtWidgets.QLabel("<b>Bold</b> with a dot: changed from the default. Hover a parameter for its meaning and source.")
        legend.setWordWrap(True)
        legend.setStyleSheet("color: palette(placeholder-text);")
        lay.addWidget(legend)
        self.editor_dock = self._dock("Parameters", "ParametersDock", w, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.splitDockWidget(self.scenario_dock, self.editor_dock, Qt.Orientation.Horizontal)

    def _build_results(self):
        self.results_model = ResultsModel(self.doc, self)
        self.results_view = ResultsView()
        self.results_view.setModel(self.results_model)
        self.results_view.copied.connect(lambda n: self.message.emit(f"Copied {n} cells with headers; paste them into Excel or LibreOffice."))
        self.results_model.modelReset.connect(self._fit_results)
        self.results_dock = self._dock("Results", "ResultsDock", self.results_view, Qt.DockWidgetArea.BottomDockWidgetArea)

    def _build_charts(self):
        self.chart_panel = None
        try:
            from cgtdesk.gui.charts import ChartPanel
        except ImportError as e:  # the charts package not installed in this build
            log.info("charts not available: %s", e)
            placeholder = QtWidgets.QLabel("Charts are not available in this build.")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setCentralWidget(placeholder)
            return
        self.chart_panel = ChartPanel(self)
        self.chart_panel.pairChanged.connect(self._on_chart_pair)
        if hasattr(self.chart_panel, "monteCarloRequested"):
            self.chart_panel.run_monte_carlo_inline = False  # runs off the GUI thread, with progress and cancel
            self.chart_panel.monteCarloRequested.connect(self.run_monte_carlo)
        self.setCentralWidget(self.chart_panel)

    def _build_analyses(self):
        """The Analyses dock (sweep & crossover, tornado, Monte Carlo, goal seek, uncertainty), its menu and shortcuts."""
        self.analyses = None
        try:
            from cgtdesk.gui.analyses import AnalysesPanel
        except ImportError as e:  # not in this build
            log.info("analyses not available: %s", e)
            return
        self.analyses = AnalysesPanel(self.doc, self.current_index, self)
        self.analyses_dock = self._dock("Analyses", "AnalysesDock", self.analyses, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.tabifyDockWidget(self.editor_dock, self.analyses_dock)
        self.editor_dock.raise_()
        self.analyses.set_theme(self.dark)
        self.doc.uncertaintyChanged.connect(self._schedule_charts)  # the tornado chart uses the uncertainty ranges
        self.scenario_list.currentRowChanged.connect(
            lambda row: self.analyses.follow_scenario(self._current.name) if not self._rebuilding and row >= 0 else None)
        mc = self.analyses.views["montecarlo"]
        if self.chart_panel is not None and hasattr(self.chart_panel, "set_monte_carlo"):
            mc.finishedRun.connect(self.chart_panel.set_monte_carlo)
        m = QtWidgets.QMenu("&Analyses", self)
        self.analysis_actions = {}
        for name, text, key, tip in (
            ("sweep", "&Demand sweep and crossover", "Ctrl+1", "From what demand is one scenario cheaper than another"),
            ("tornado", "&Tornado", "Ctrl+2", "Which assumption moves the cost most"),
            ("montecarlo", "&Monte Carlo", "Ctrl+3", "How sure we are that cost of goods stays under the target"),
            ("goalseek", "&Goal seek", "Ctrl+4", "What value of an input meets the target"),
            ("uncertainty", "&Uncertainty of the inputs", "Ctrl+5", "Distributions and correlations of the selected scenario"),
        ):
            a = self._act(text, lambda _=False, n=name: self.show_analysis(n), key, tip)
            self.analysis_actions[name] = a
            m.addAction(a)
            if name == "goalseek":
                m.addSeparator()
        self.act_run_mc = self._act("&Run Monte Carlo", self._run_mc_view, "F9", "Run the Monte Carlo of every scenario (samples and seed as set)")
        self.act_cancel_mc = self._act("&Cancel Monte Carlo", lambda: self.analyses.views["montecarlo"].cancel(), "Shift+F9")
        m.addSeparator()
        m.addActions([self.act_run_mc, self.act_cancel_mc])
        mb = self.menuBar()
        view_menu = next((a for a in mb.actions() if a.text().replace("&", "") == "View"), None)
        if view_menu is not None:
            mb.insertMenu(view_menu, m)
            view_menu.menu().addAction(self.analyses_dock.toggleViewAction())
        else:
            mb.addMenu(m)
        self.analyses_menu = m
        # the parameter editor's context menu: the uncertainty or goal seek of the parameter under the cursor
        self.act_param_uncertainty = self._act("Uncertainty of this parameter...", lambda: self._analyse_parameter("uncertainty"),
                                               "Ctrl+Shift+U", "Edit the distribution of the selected parameter")
        self.act_param_goalseek = self._act("Goal seek on this parameter...", lambda: self._analyse_parameter("goalseek"),
                                            "Ctrl+Shift+G", "Find the value of the selected parameter that meets the target")
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.tree.addActions([self.act_param_uncertainty, self.act_param_goalseek, self.act_reset_value])

    def show_analysis(self, name: str):
        """Bring the Analyses dock forward on one view (sweep, tornado, montecarlo, goalseek, uncertainty)."""
        if self.analyses is None:
            return None
        self.analyses_dock.show()
        self.analyses_dock.raise_()
        view = self.analyses.show_view(name)
        view.follow_scenario(self._current.name)
        return view

    def _run_mc_view(self):
        view = self.show_analysis("montecarlo")
        if view is not None:
            view.run()

    def _analyse_parameter(self, name: str):
        key = self.param_model.key(self.param_filter.mapToSource(self.tree.currentIndex()))
        view = self.show_analysis(name)
        if view is None or key is None:
            return
        if name == "uncertainty":
            view.select_parameter(key)
        else:
            view.set_question(scenario=self._current.name, vary=key)

    def _act(self, text, slot, shortcut=None, tip=None, icon=None, checkable=False) -> QtGui.QAction:
        a = QtGui.QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                a.setShortcuts([Key(s) if isinstance(s, str) else s for s in shortcut])
            else:
                a.setShortcut(shortcut if not isinstance(shortcut, str) else Key(shortcut))
        if tip:
            a.setToolTip(tip)
            a.setStatusTip(tip)
        if icon:
            a.setIcon(_std_icon(icon))
        a.setCheckable(checkable)
        if slot is not None:
            a.triggered.connect(slot)
        self.addAction(a)
        return a

    def _build_actions(self):
        SK = Key.StandardKey
        self.undo_group = QtGui.QUndoGroup(self)
        self.act_new = self._act("&New project...", self.new_project, SK.New, "A new project from process templates", "SP_FileIcon")
        self.act_open = self._act("&Open...", self.open_dialog, SK.Open, "Open a project (.cgtproj) or a workbook (.xlsx)", "SP_DialogOpenButton")
        self.act_save = self._act("&Save", self.save, SK.Save, "Save the project", "SP_DialogSaveButton")
        self.act_save_as = self._act("Save &As...", self.save_as, SK.SaveAs if not Key(SK.SaveAs).isEmpty() else "Ctrl+Shift+S", "Save the project under a new name")
        self.act_import = self._act("&Import workbook...", self.import_dialog, "Ctrl+I", "Read a client's edited workbook and review their changes before applying them")
        self.act_export = self._act("&Export workbook...", self.export_workbook, "Ctrl+E", "Write a live Excel workbook of the project for a client")
        self.act_export_deck = self._act("Export &deck (PDF)...", self.export_deck, "Ctrl+Shift+E", "Every chart on a 16:9 PDF page")
        self.act_quit = self._act("&Quit", self.close, SK.Quit if not Key(SK.Quit).isEmpty() else "Ctrl+Q", "Close CGT Desk")
        self.act_undo = self.undo_group.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(SK.Undo)
        self.act_undo.setIcon(_std_icon("SP_ArrowBack"))
        self.act_redo = self.undo_group.createRedoAction(self, "&Redo")
        redo_keys = list(Key.keyBindings(SK.Redo))
        for extra in ("Ctrl+Shift+Z", "Ctrl+Y"):
            if Key(extra) not in redo_keys:
                redo_keys.append(Key(extra))
        self.act_redo.setShortcuts(redo_keys)
        self.act_redo.setIcon(_std_icon("SP_ArrowForward"))
        self.addActions([self.act_undo, self.act_redo])
        self.act_find = self._act("&Find parameter", self._focus_search, SK.Find, "Search the parameters by name or key")
        self.act_reset_value = self._act("Reset value to &default", self.reset_value, "Ctrl+R", "Put the selected parameter back to its default")
        self.act_copy_results = self._act("&Copy all results", lambda: self.results_view.copy_all(), "Ctrl+Shift+C", "Every result of every scenario as tab-separated text, for Excel")
        self.act_add = self._act("&Add scenario...", self.add_scenario_dialog, "Ctrl+Shift+N", "Add a scenario from a process template", "SP_FileDialogNewFolder")
        self.act_duplicate = self._act("D&uplicate scenario", self.duplicate_scenario, "Ctrl+D", "Copy the selected scenario")
        self.act_rename = self._act("&Rename scenario", self.rename_scenario, "F2", "Rename the selected scenario")
        self.act_rename.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.scenario_list.addAction(self.act_rename)
        self.act_rename_global = self._act("Rename scenario", self.rename_scenario, "Ctrl+F2")
        self.act_delete = self._act("De&lete scenario", self.delete_scenario, "Ctrl+Del", "Delete the selected scenario (undo brings it back)", "SP_TrashIcon")
        self.act_move_up = self._act("Move &up", lambda: self.move_scenario(-1), "Ctrl+Shift+Up", "Move the selected scenario up", "SP_ArrowUp")
        self.act_move_down = self._act("Move do&wn", lambda: self.move_scenario(+1), "Ctrl+Shift+Down", "Move the selected scenario down", "SP_ArrowDown")
        del_key = QtGui.QShortcut(Key(SK.Delete), self.scenario_list, self.delete_scenario)
        del_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        for a in (self.act_add, self.act_duplicate, self.act_rename, self.act_delete, self.act_move_up, self.act_move_down):
            if a is not self.act_rename:
                self.scenario_list.addAction(a)
        self.act_present = self._act("&Presentation", self.present, "F5", "Show the charts full screen as slides")
        self.act_light = self._act("&Light theme", lambda: self.set_theme(False), "Ctrl+Shift+L", checkable=True)
        self.act_dark = self._act("&Dark theme", lambda: self.set_theme(True), "Ctrl+Shift+D", checkable=True)
        group = QtGui.QActionGroup(self)
        group.addAction(self.act_light)
        group.addAction(self.act_dark)
        (self.act_dark if self.dark else self.act_light).setChecked(True)
        self.act_reset_layout = self._act("Reset &layout", self.reset_layout, "Ctrl+Shift+R", "Put the panels back where they started")
        self.act_guide = self._act("&Getting started", self.show_guide, SK.HelpContents, "How to build and compare scenarios")
        self.act_about = self._act("&About CGT Desk", self.show_about, "Shift+F1")
        self.act_chart_png = self._act("Export chart as &PNG (1920x1080)...", lambda: self.export_chart("png", (1920, 1080)), "Ctrl+Alt+P")
        self.act_chart_png4k = self._act("Export chart as PNG (&3840x2160)...", lambda: self.export_chart("png", (3840, 2160)), "Ctrl+Alt+K")
        self.act_chart_svg = self._act("Export chart as &SVG...", lambda: self.export_chart("svg", None), "Ctrl+Alt+S")
        self.act_chart_copy = self._act("&Copy chart", lambda: self.export_chart("copy", None), "Ctrl+Alt+C")

    def _build_menus(self):
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addActions([self.act_new, self.act_open])
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addSeparator()
        m.addActions([self.act_save, self.act_save_as])
        m.addSeparator()
        m.addActions([self.act_import, self.act_export, self.act_export_deck])
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu("&Edit")
        m.addActions([self.act_undo, self.act_redo])
        m.addSeparator()
        m.addActions([self.act_find, self.act_reset_value, self.act_copy_results])
        m = mb.addMenu("&Scenario")
        m.addAction(self.act_add)
        self.template_menu = m.addMenu("Add from &template")
        self._fill_template_menu(self.template_menu)
        m.addActions([self.act_duplicate, self.act_rename_global, self.act_delete])
        m.addSeparator()
        m.addActions([self.act_move_up, self.act_move_down])
        m = mb.addMenu("&Chart")
        m.addActions([self.act_chart_png, self.act_chart_png4k, self.act_chart_svg, self.act_chart_copy])
        m = mb.addMenu("&View")
        m.addAction(self.act_present)
        m.addSeparator()
        m.addActions([self.act_light, self.act_dark])
        m.addSeparator()
        for dock in (self.scenario_dock, self.editor_dock, self.results_dock):
            m.addAction(dock.toggleViewAction())
        m.addAction(self.act_reset_layout)
        m = mb.addMenu("&Help")
        m.addActions([self.act_guide, self.act_about])

        b = self._scenario_buttons
        for i, a in enumerate((self.act_add, self.act_duplicate, self.act_delete, self.act_move_up, self.act_move_down)):
            btn = QtWidgets.QToolButton()
            btn.setDefaultAction(a)
            btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly if a in (self.act_move_up, self.act_move_down) else Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            if a is self.act_add:
                btn.setText("Add...")
            elif a is self.act_duplicate:
                btn.setText("Duplicate")
            elif a is self.act_delete:
                btn.setText("Delete")
            btn.setToolTip(f"{a.toolTip()} ({a.shortcut().toString(Key.SequenceFormat.NativeText)})")
            b.addWidget(btn, i // 3, i % 3)

    def _fill_template_menu(self, menu):
        from cgtdesk.core.templates import templates

        for t in templates().values():
            a = menu.addAction(f"{t.name}  [{t.process}]")
            a.setToolTip(t.description)
            a.triggered.connect(lambda _=False, tid=t.id: self.add_from_template(tid))

    def _build_toolbar(self):
        tb = self.addToolBar("Main")
        tb.setObjectName("MainToolBar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.addActions([self.act_new, self.act_open, self.act_save])
        tb.addSeparator()
        tb.addActions([self.act_undo, self.act_redo])
        tb.addSeparator()
        add_btn = QtWidgets.QToolButton()
        add_btn.setDefaultAction(self.act_add)
        add_btn.setText("Add scenario")
        add_btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        add_btn.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        add_btn.setMenu(self.template_menu)
        tb.addWidget(add_btn)
        tb.addAction(self.act_duplicate)
        tb.addSeparator()
        tb.addActions([self.act_import, self.act_export])
        tb.addSeparator()
        self.pair_a = QtWidgets.QComboBox()
        self.pair_b = QtWidgets.QComboBox()
        for combo in (self.pair_a, self.pair_b):
            combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(20)
            combo.setToolTip("The pair of scenarios compared: the demand at which they swap places is marked on the charts")
            combo.activated.connect(self._on_pair_changed)
        lbl = QtWidgets.QLabel(" Compare ")
        tb.addWidget(lbl)
        tb.addWidget(self.pair_a)
        tb.addWidget(QtWidgets.QLabel(" vs "))
        tb.addWidget(self.pair_b)
        tb.addSeparator()
        tb.addAction(self.act_present)
        self.toolbar = tb
        for a, short in ((self.act_new, "New"), (self.act_open, "Open"), (self.act_save, "Save"), (self.act_duplicate, "Duplicate"),
                         (self.act_import, "Import workbook"), (self.act_export, "Export workbook"), (self.act_present, "Present")):
            a.setIconText(short)

    # ================================================================ views follow the document

    def current_index(self) -> int:
        return self.doc.index_of(self._current)

    def select_scenario(self, index: int) -> None:
        self.scenario_list.setCurrentRow(index)

    def _on_scenarios_changed(self):
        doc = self.doc
        if self.doc.index_of(self._current) < 0:
            old_row = self.scenario_list.currentRow()
            self._current = doc.scenarios[max(0, min(old_row, len(doc.scenarios) - 1))]
        self._rebuilding = True
        try:
            lst = self.scenario_list
            lst.blockSignals(True)
            lst.clear()
            for i, s in enumerate(doc.scenarios):
                item = QtWidgets.QListWidgetItem(_swatch(scenario_colour(i), s.process == "allogeneic"), s.name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                item.setToolTip(f"{s.name}\n{PROCESS_LABELS[s.process]}" + (f"\n\n{s.notes}" if s.notes else ""))
                item.setData(Qt.ItemDataRole.UserRole, PROCESS_LABELS[s.process])
                lst.addItem(item)
            lst.setItemDelegate(_ScenarioDelegate(lst))
            lst.setCurrentRow(self.current_index())
            lst.blockSignals(False)
            self._fill_pair()
        finally:
            self._rebuilding = False
        self.param_model.set_scenario(self.current_index())
        self.param_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, ParameterModel.SOURCE)
        self._update_editor_title()
        self._update_actions()
        self._status_info.setText(f"{len(doc.scenarios)} scenario(s) · {doc.project.currency}  ")
        if getattr(self, "_charts_drawn", False):
            # names may have changed: the charts must not keep a stale pair or scenario for a moment
            self._chart_timer.stop()
            self._update_charts()
        else:
            self._schedule_charts()

    def _on_parameter_changed(self, index: int, key: str):
        self._schedule_charts()

    def _on_scenario_selected(self, row: int):
        if self._rebuilding or row < 0 or row >= len(self.doc.scenarios):
            return
        self._current = self.doc.scenarios[row]
        self.param_model.set_scenario(row)
        self._update_editor_title()
        self._update_actions()
        self._show_inline("")
        if self.chart_panel is not None and hasattr(self.chart_panel, "set_current_scenario"):
            self.chart_panel.set_current_scenario(self._current.name)

    def _update_editor_title(self):
        s = self._current
        self.editor_title.setText(f"Inputs of <b>{_esc(s.name)}</b> &nbsp;<span style='color:gray'>{PROCESS_LABELS[s.process]}</span>")

    def _update_actions(self):
        i, n = self.current_index(), len(self.doc.scenarios)
        self.act_delete.setEnabled(n > 1)
        self.act_move_up.setEnabled(i > 0)
        self.act_move_down.setEnabled(0 <= i < n - 1)

    def _after_param_reset(self):
        self.tree.expandAll()

    def _on_search(self, text):
        self.param_filter.set_text(text)
        self.tree.expandAll()

    def _fit_results(self):
        v = self.results_view
        v.resizeColumnsToContents()
        em = v.fontMetrics().horizontalAdvance("M")
        v.setColumnWidth(0, min(max(v.columnWidth(0), 12 * em), 20 * em))
        v.setColumnWidth(1, min(v.columnWidth(1), 9 * em))
        for c in range(ResultsModel.FIXED, self.results_model.columnCount()):
            v.setColumnWidth(c, min(max(v.columnWidth(c), 9 * em), 13 * em))
        v.horizontalHeader().setMinimumHeight(3 * v.fontMetrics().height() + 6)

    def _update_title(self, *_):
        self.setWindowTitle(f"{self.doc.display_name()}[*] - CGT Desk")
        self.setWindowModified(self.doc.is_modified())

    def _on_refused(self, key: str, reason: str):
        self._show_inline(reason)
        self.message.emit(reason)
        log.info("value refused: %s", reason)

    def _show_inline(self, text: str):
        self.inline.setText(text)
        self.inline.setVisible(bool(text))

    def _focus_search(self):
        self.editor_dock.show()
        self.search.setFocus()
        self.search.selectAll()

    # ---------------------------------------------------------------- pair and charts

    def _default_pair(self):
        sc = self.doc.scenarios
        auto = next((s for s in sc if s.process == "autologous"), None)
        allo = next((s for s in sc if s.process == "allogeneic"), None)
        if auto is not None and allo is not None:
            return auto, allo
        return (sc[0], sc[1]) if len(sc) > 1 else (sc[0], sc[0])

    def pair(self) -> tuple[str, str] | None:
        sc = self.doc.scenarios
        if len(sc) < 2:
            return None
        a, b = self._pair if self._pair and all(self.doc.index_of(s) >= 0 for s in self._pair) else self._default_pair()
        return (a.name, b.name) if a is not b else None

    def _fill_pair(self):
        names = self.doc.project.names()
        pair = self.pair()
        for combo, name in ((self.pair_a, pair[0] if pair else None), (self.pair_b, pair[1] if pair else None)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            if name in names:
                combo.setCurrentIndex(names.index(name))
            combo.setEnabled(len(names) > 1)
            combo.blockSignals(False)

    def _on_pair_changed(self, *_):
        sc = self.doc.scenarios
        a, b = self.pair_a.currentIndex(), self.pair_b.currentIndex()
        if 0 <= a < len(sc) and 0 <= b < len(sc):
            self._pair = (sc[a], sc[b])
            self._schedule_charts()

    def _on_chart_pair(self, a: str, b: str):
        names = self.doc.project.names()
        if a in names and b in names:
            self._pair = (self.doc.project.scenario(a), self.doc.project.scenario(b))
            self._fill_pair()

    def set_pair(self, name_a: str, name_b: str) -> None:
        self._pair = (self.doc.project.scenario(name_a), self.doc.project.scenario(name_b))
        self._fill_pair()
        self._schedule_charts()

    def _schedule_charts(self):
        self._chart_timer.start()

    def _update_charts(self):
        self._charts_drawn = True
        if self.chart_panel is not None:
            try:
                self.chart_panel.current = self._current.name  # the scenario the per-scenario charts show
                self.chart_panel.set_project(self.doc.project, self.pair())
            except InputError as e:
                self.message.emit(f"Charts not updated: {e}")
        self.chartsUpdated.emit()

    def flush_charts(self):
        """Bring the charts up to date now (tests, screenshots)."""
        if self._chart_timer.isActive():
            self._chart_timer.stop()
            self._update_charts()

    # ================================================================ scenario actions

    def _guard(self, fn, *args, title="This change cannot be made"):
        try:
            return fn(*args)
        except InputError as e:
            self.message.emit(str(e))
            self.prompts.error(self, title, str(e)[0].upper() + str(e)[1:] + ".", "")
            return None

    def add_from_template(self, template_id: str, name: str | None = None):
        from cgtdesk.core.templates import template

        t = template(template_id)
        s = t.scenario(self.doc.unique_name(name.strip() if name else t.name))
        i = self._guard(self.doc.add_scenario, s)
        if i is not None:
            self.select_scenario(i)
            self.message.emit(f"Added '{s.name}' ({PROCESS_LABELS[s.process]}) from a template.")
        return i

    def add_scenario_dialog(self):
        answer = self.prompts.add_scenario(self, self.doc.unique_name)
        if answer:
            tid, name = answer
            self.add_from_template(tid, name or None)

    def duplicate_scenario(self):
        i = self._guard(self.doc.duplicate_scenario, self.current_index())
        if i is not None:
            self.select_scenario(i)

    def rename_scenario(self, name: str | None = None):
        if name is None:
            item = self.scenario_list.currentItem()
            if item is not None:
                self.scenario_dock.show()
                self.scenario_list.setFocus()
                self.scenario_list.editItem(item)
            return
        self._guard(self.doc.rename_scenario, self.current_index(), name)

    def _on_item_renamed(self, item):
        if self._rebuilding:
            return
        row = self.scenario_list.row(item)
        s = self.doc.scenarios[row]
        if item.text() == s.name:
            return
        try:
            self.doc.rename_scenario(row, item.text())
        except InputError as e:
            self.message.emit(f"Not renamed: {e}")
            self.scenario_list.blockSignals(True)
            item.setText(s.name)
            self.scenario_list.blockSignals(False)

    def delete_scenario(self):
        gone = self._current
        self._guard(self.doc.delete_scenario, self.current_index())
        if self.doc.index_of(gone) < 0:
            name = gone.name
            self.message.emit(f"Deleted '{name}'. Undo (Ctrl+Z) brings it back.")

    def move_scenario(self, step: int):
        i = self.current_index()
        self.doc.move_scenario(i, i + step)
        self.select_scenario(self.current_index())

    def reset_value(self):
        ix = self.param_filter.mapToSource(self.tree.currentIndex())
        key = self.param_model.key(ix)
        if key is None:
            self.message.emit("Select a parameter first.")
            return
        default = catalogue().parameters[key].default[self._current.process]
        self.param_model.setData(self.param_model.index_for_key(key), default)

    def set_value(self, key: str, text) -> bool:
        """Type ``text`` into the value of ``key`` for the selected scenario (as the editor does)."""
        return self.param_model.setData(self.param_model.index_for_key(key), text)

    # ================================================================ files

    def maybe_save(self) -> bool:
        """True when it is fine to drop the open project (saved, discarded, or unchanged)."""
        if not self.doc.is_modified():
            return True
        answer = self.prompts.ask_save_changes(self, self.doc.display_name())
        if answer == "save":
            return self.save()
        if answer == "discard":
            recovery.remove_recovery(self.recovery_dir, self.doc.path)
            return True
        return False

    def new_project(self):
        if not self.maybe_save():
            return
        spec = self.prompts.new_project(self)
        if not spec:
            return
        from cgtdesk.core.templates import template

        scenarios, names = [], set()
        for tid in spec.templates:
            t = template(tid)
            name, n = t.name, 2
            while name in names:
                name, n = f"{t.name} ({n})", n + 1
            names.add(name)
            scenarios.append(t.scenario(name))
        recovery.remove_recovery(self.recovery_dir, self.doc.path)
        self._load(Project(title=spec.title, currency=spec.currency, scenarios=scenarios), None)
        self.message.emit(f"New project with {len(scenarios)} scenario(s). Edit the parameters; save with Ctrl+S.")

    def open_dialog(self):
        if not self.maybe_save():
            return
        path = self.prompts.open_path(self, "Open a project or workbook", self._last_folder(), OPEN_FILTER)
        if path:
            self.open_file(path, ask=False)

    def open_file(self, path, ask: bool = True) -> bool:
        """Open a .cgtproj (or a workbook, as an unsaved project). False when refused or cancelled."""
        from cgtdesk.io import load_any

        if ask and not self.maybe_save():
            return False
        path = Path(path)
        try:
            project = load_any(path)
        except InputError as e:
            self._file_error("The file could not be opened", e, "Check that it is a CGT Desk project or a workbook exported by CGT Desk; the message names the place to fix.")
            return False
        recovery.remove_recovery(self.recovery_dir, self.doc.path)
        if path.suffix.lower() == ".cgtproj":
            self._load(project, path)
            self._add_recent(path)
        else:
            self._load(project, None, origin=path.name)
            self._add_recent(path)
        self.message.emit(f"Opened {path.name}: {len(project.scenarios)} scenario(s).")
        return True

    def _load(self, project: Project, path, origin=None):
        self._current = project.scenarios[0]
        self._pair = None
        self.doc.load(project, path, origin)
        self.select_scenario(0)
        self._show_inline("")

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self._save_to(self.doc.path)

    def save_as(self) -> bool:
        suggested = str(self.doc.path) if self.doc.path else str(Path(self._last_folder()) / (_safe_name(self.doc.project.title) + ".cgtproj"))
        path = self.prompts.save_path(self, "Save the project as", suggested, PROJECT_FILTER)
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() != ".cgtproj":
            path = path.with_name(path.name + ".cgtproj")
        return self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        from cgtdesk.io.projectfile import save_project

        old = self.doc.path
        try:
            save_project(self.doc.project, path)
        except OSError as e:
            self._file_error("The project was not saved", f"{path}: {e.strerror or e}",
                             "Choose another folder or name (File > Save As), or check that the disk is not full and the file is not read-only. Your work is still open.")
            return False
        recovery.remove_recovery(self.recovery_dir, old)
        recovery.remove_recovery(self.recovery_dir, path)
        self.doc.mark_saved(path)
        self.doc.origin = None
        self._update_title()
        self._add_recent(path)
        self.message.emit(f"Saved {path.name}.")
        log.info("saved %s", path)
        return True

    def import_dialog(self):
        path = self.prompts.open_path(self, "Import a workbook", self._last_folder(), WORKBOOK_FILTER)
        if path:
            self.import_workbook(path)

    def import_workbook(self, path) -> bool:
        """Read a client's workbook, list their changes against the open project, apply when accepted."""
        from cgtdesk.gui.changes import change_rows, summary

        path = Path(path)
        try:
            from cgtdesk.io.workbook import read_workbook
        except ImportError:
            self.prompts.error(self, "Workbooks are not available", "This build of CGT Desk cannot read workbooks.", "")
            return False
        try:
            new = read_workbook(path)
        except InputError as e:
            self._file_error("The workbook could not be imported", e, "Fix the cell named in the message in Excel, save, and import again. Nothing was changed.")
            return False
        changes = change_rows(self.doc.project, new)
        if not changes:
            self.prompts.error(self, "Nothing to import", summary(changes, path.name), "")
            return False
        if not self.prompts.review_changes(self, f"Changes in {path.name}", summary(changes, path.name), changes):
            self.message.emit("Import cancelled; nothing was changed.")
            return False
        self.doc.replace_project(new, f"Import {path.name}")
        self.message.emit(f"Imported {len(changes)} change(s) from {path.name}. Undo (Ctrl+Z) takes them back.")
        log.info("imported %d changes from %s", len(changes), path)
        return True

    def export_workbook(self):
        try:
            from cgtdesk.io.workbook import export_workbook
        except ImportError:
            self.prompts.error(self, "Workbooks are not available", "This build of CGT Desk cannot write workbooks.", "")
            return False
        base = self.doc.path.with_suffix(".xlsx") if self.doc.path else Path(self._last_folder()) / (_safe_name(self.doc.project.title) + ".xlsx")
        path = self.prompts.save_path(self, "Export a workbook", str(base), WORKBOOK_FILTER)
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        try:
            QtWidgets.QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            export_workbook(self.doc.project, path)
        except (InputError, OSError) as e:
            self._file_error("The workbook was not written", e, "Close the file if Excel has it open, or choose another folder, and export again.")
            return False
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        self.message.emit(f"Exported {path.name}: send it to the client; import their copy back with Ctrl+I.")
        return True

    def export_deck(self):
        try:
            from cgtdesk.gui.export import export_deck
        except ImportError:
            self.prompts.error(self, "Not available", "This build of CGT Desk cannot export a deck.", "")
            return False
        base = self.doc.path.with_suffix(".pdf") if self.doc.path else Path(self._last_folder()) / (_safe_name(self.doc.project.title) + ".pdf")
        path = self.prompts.save_path(self, "Export the chart deck", str(base), "PDF documents (*.pdf)")
        if not path:
            return False
        try:
            QtWidgets.QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            pages = export_deck(self.doc.project, path, pair=self.pair(), scenario=self._current.name,
                                monte_carlo=getattr(self.chart_panel, "monte_carlo", None))
        except (InputError, OSError) as e:
            self._file_error("The deck was not written", e, "Choose another folder or name and export again.")
            return False
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        self.message.emit(f"Wrote {Path(path).name}: {pages} page(s).")
        return True

    def export_chart(self, kind: str, size):
        if self.chart_panel is None:
            return False
        try:
            from cgtdesk.gui import export
        except ImportError:
            self.prompts.error(self, "Not available", "This build of CGT Desk cannot export charts.", "")
            return False
        name, chart = self._current_chart()
        if chart is None:
            self.message.emit("Show a chart first.")
            return False
        if kind == "copy":
            export.copy_chart_to_clipboard(chart)
            self.message.emit(f"Copied the {name} chart; paste it into a slide or document.")
            return True
        ext = ".svg" if kind == "svg" else ".png"
        base = Path(self._last_folder()) / f"{_safe_name(self.doc.project.title)}-{name}{ext}"
        path = self.prompts.save_path(self, "Export the chart", str(base), "SVG images (*.svg)" if kind == "svg" else "PNG images (*.png)")
        if not path:
            return False
        try:
            if kind == "svg":
                export.export_chart_svg(chart, path)
            else:
                export.export_chart_png(chart, path, size)
        except (InputError, OSError) as e:
            self._file_error("The chart was not exported", e, "Choose another folder or name and export again.")
            return False
        self.message.emit(f"Exported {Path(path).name}.")
        return True

    def _current_chart(self):
        panel = self.chart_panel
        current = getattr(panel, "current_chart", None)
        if callable(current):
            got = current()
            if got is not None:
                return got
        charts = getattr(panel, "charts", {})
        for name, chart in charts.items():
            if chart.isVisible():
                return name, chart
        return next(iter(charts.items()), (None, None))

    def present(self):
        try:
            from cgtdesk.gui.present import PresentationWindow
        except ImportError:
            self.prompts.error(self, "Not available", "This build of CGT Desk has no presentation mode.", "")
            return None
        screen = None
        try:
            from cgtdesk.gui.present import choose_screen

            if len(QtGui.QGuiApplication.screens()) > 1:
                screen = choose_screen(self)
        except ImportError:
            pass
        mc = getattr(self.chart_panel, "monte_carlo", None)
        self._presentation = PresentationWindow(self.doc.project, pair=self.pair(), screen=screen, scenario=self._current.name,
                                                monte_carlo=mc, dark=self.dark)
        self._presentation.start()
        return self._presentation

    # ---------------------------------------------------------------- long work

    def run_monte_carlo(self, samples: int | None = None, seed: int | None = None):
        """Monte Carlo of every scenario on a worker thread; progress and Cancel in a dialog."""
        from cgtdesk.gui import workers

        try:
            from cgtdesk.gui.charts.panel import DECK_SAMPLES, DECK_SEED
        except ImportError:
            DECK_SAMPLES, DECK_SEED = 20_000, 20_240_601
        if getattr(self, "_mc_job", None) is not None:
            return self._mc_job
        job = workers.MonteCarloJob(self.doc.project, samples or DECK_SAMPLES, DECK_SEED if seed is None else seed)
        dlg = QtWidgets.QProgressDialog(f"Monte Carlo: {job.samples:,} samples of every scenario...", "Cancel", 0, 100, self)
        dlg.setWindowTitle("Monte Carlo")
        dlg.setMinimumDuration(400)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.canceled.connect(job.cancel)
        job.signals.progress.connect(lambda done, total: dlg.setValue(int(100 * done / max(total, 1))))

        def finished(result):
            self._mc_job = None
            dlg.close()
            if self.chart_panel is not None:
                self.chart_panel.set_monte_carlo(result)
            done = "complete" if getattr(result, "complete", True) else "cancelled: partial results shown, marked as such"
            self.message.emit(f"Monte Carlo {done}.")

        def failed(text):
            self._mc_job = None
            dlg.close()
            self.prompts.error(self, "Monte Carlo did not run", text, "Check the uncertainty of the scenarios, then run it again.")

        job.signals.finished.connect(finished)
        job.signals.failed.connect(failed)
        self._mc_job = job
        self._mc_dialog = dlg
        workers.start(job)
        return job

    def _file_error(self, title: str, error, todo: str):
        text = str(error)
        self.message.emit(f"{title}: {text}")
        log.warning("%s: %s", title, text)
        self.prompts.error(self, title, text, todo)

    # ---------------------------------------------------------------- recent files

    def recent_files(self) -> list[str]:
        value = self.settings.value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _add_recent(self, path: Path):
        p = str(Path(path).resolve())
        items = [p] + [x for x in self.recent_files() if x != p]
        self.settings.setValue("files/recent", items[:MAX_RECENT])
        self.settings.setValue("files/folder", str(Path(p).parent))

    def _fill_recent(self):
        m = self.recent_menu
        m.clear()
        files = [f for f in self.recent_files() if Path(f).exists()]
        for i, f in enumerate(files):
            a = m.addAction(f"&{i + 1} {Path(f).name}")
            a.setToolTip(f)
            a.triggered.connect(lambda _=False, f=f: self.open_file(f))
        if not files:
            m.addAction("(no recent files)").setEnabled(False)

    def _last_folder(self) -> str:
        folder = self.settings.value("files/folder", "")
        if folder and Path(str(folder)).is_dir():
            return str(folder)
        return QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())

    # ---------------------------------------------------------------- drag and drop

    @staticmethod
    def _dropped_path(mime: QtCore.QMimeData) -> Path | None:
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile():
                p = Path(url.toLocalFile())
                if p.suffix.lower() in SUPPORTED_DROPS:
                    return p
        return None

    def dragEnterEvent(self, event):
        if self._dropped_path(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        self.dragEnterEvent(event)

    def dropEvent(self, event):
        path = self._dropped_path(event.mimeData())
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        # after the drop returns, so that a dialog does not run inside the drag
        QtCore.QTimer.singleShot(0, lambda: self.handle_drop(path))

    def handle_drop(self, path: Path):
        """A dropped project opens; a dropped workbook is imported over the open project."""
        if path.suffix.lower() == ".xlsx":
            self.import_workbook(path)
        else:
            self.open_file(path)

    # ---------------------------------------------------------------- autosave and recovery

    def autosave_now(self) -> Path | None:
        if not self.doc.is_modified():
            return None
        try:
            return recovery.write_recovery(self.recovery_dir, self.doc.path, self.doc.project)
        except (OSError, ValueError) as e:
            log.warning("autosave failed: %s", e)
            self.message.emit(f"Autosave failed ({e}); save your work with Ctrl+S.")
            return None

    def offer_recovery(self) -> bool:
        """After a crash: offer the recovery file of this project (or of an untitled one)."""
        found = recovery.find_recovery(self.recovery_dir, self.doc.path)
        if found is None:
            return False
        if self.prompts.recover(self, self.doc.display_name(), found.saved_at):
            path = self.doc.path
            self._load(found.project, path)
            self.doc.set_dirty(True)
            self._update_title()
            self.message.emit("Recovered the unsaved work. Save it (Ctrl+S) to keep it.")
            log.info("recovered %s", found.path)
            return True
        try:
            found.path.unlink()
        except OSError:
            pass
        return False

    # ---------------------------------------------------------------- view, settings, close

    def set_theme(self, dark: bool):
        from cgtdesk.gui.theme import apply_theme

        self.dark = dark
        app = QtWidgets.QApplication.instance()
        apply_theme(app, dark)
        self.settings.setValue("view/theme", "dark" if dark else "light")
        (self.act_dark if dark else self.act_light).setChecked(True)
        if self.chart_panel is not None and hasattr(self.chart_panel, "set_theme"):
            self.chart_panel.set_theme(dark)
        if getattr(self, "analyses", None) is not None:
            self.analyses.set_theme(dark)
        self._on_scenarios_changed()

    def reset_layout(self):
        self.restoreState(self._default_state)
        for d in (self.scenario_dock, self.editor_dock, self.results_dock):
            d.show()
        self.apply_default_sizes()

    def apply_default_sizes(self):
        w, h = self.width(), self.height()
        self.resizeDocks([self.scenario_dock, self.editor_dock], [int(w * 0.15), int(w * 0.38)], Qt.Orientation.Horizontal)
        self.resizeDocks([self.results_dock], [int(h * 0.36)], Qt.Orientation.Vertical)

    def show_guide(self):
        box = QtWidgets.QMessageBox(self)
        box.setWindowTitle("Getting started")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(GUIDE)
        box.exec()

    @staticmethod
    def versions() -> dict:
        import platform

        import numpy
        import PySide6

        from cgtdesk import __version__

        out = {"CGT Desk": __version__, "Python": platform.python_version(), "Qt": QtCore.qVersion(), "PySide6": PySide6.__version__}
        try:
            import pyqtgraph

            out["pyqtgraph"] = pyqtgraph.__version__
        except ImportError:
            out["pyqtgraph"] = "not installed"
        out["numpy"] = numpy.__version__
        try:
            import pandas

            out["pandas"] = pandas.__version__
        except ImportError:
            out["pandas"] = "not installed"
        return out

    def show_about(self):
        QtWidgets.QMessageBox.about(self, "About CGT Desk", about_text(self.versions()))

    def save_layout(self):
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())

    def closeEvent(self, event):
        if not self.maybe_save():
            event.ignore()
            return
        self.save_layout()
        self._autosave_timer.stop()
        recovery.remove_recovery(self.recovery_dir, self.doc.path)
        job = getattr(self, "_mc_job", None)
        if job is not None:
            job.cancel()
            QtCore.QThreadPool.globalInstance().waitForDone(5000)
        if getattr(self, "analyses", None) is not None:
            self.analyses.shutdown()  # cancel analyses still running and wait for their workers
        if self.chart_panel is not None and hasattr(self.chart_panel, "shutdown"):
            self.chart_panel.shutdown()  # a crossover search under way
        presentation = getattr(self, "_presentation", None)
        if presentation is not None:
            presentation.close()
        event.accept()

    def showEvent(self, event):
        super().showEvent(event)
        if not getattr(self, "_sized", False):
            self._sized = True
            if self.settings.value("window/state") is None:
                self.apply_default_sizes()


class _ScenarioDelegate(QtWidgets.QStyledItemDelegate):
    """Scenario name with its process on a second, quieter line."""

    def sizeHint(self, option, index):
        s = super().sizeHint(option, index)
        fm = option.fontMetrics
        return QtCore.QSize(s.width(), fm.height() * 3 + 12)

    def paint(self, painter, option, index):
        opt = QtWidgets.QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        process = index.data(Qt.ItemDataRole.UserRole) or ""
        opt.text = ""
        style = opt.widget.style() if opt.widget else QtWidgets.QApplication.style()
        style.drawControl(QtWidgets.QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = style.subElementRect(QtWidgets.QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        selected = bool(opt.state & QtWidgets.QStyle.StateFlag.State_Selected)
        pal = opt.palette
        fg = pal.color(QtGui.QPalette.ColorRole.HighlightedText if selected else QtGui.QPalette.ColorRole.Text)
        painter.save()
        fm = opt.fontMetrics
        top = QtCore.QRect(rect.left(), rect.top() + 4, rect.width() - 2, fm.height() * 2)
        bottom = QtCore.QRect(rect.left(), rect.top() + 4 + fm.height() * 2, rect.width(), fm.height())
        painter.setPen(fg)
        font = QtGui.QFont(opt.font)
        font.setBold(True)
        painter.setFont(font)
        bfm = QtGui.QFontMetrics(font)
        name = index.data() or ""
        if bfm.boundingRect(top, Qt.TextFlag.TextWordWrap, name).height() > top.height():
            # two lines at most: wrap what fits, elide the rest of the second line
            layout_width = top.width()
            words, first = name.split(" "), ""
            while words and bfm.horizontalAdvance((first + " " + words[0]).strip()) <= layout_width:
                first = (first + " " + words.pop(0)).strip()
            name = first + "\n" + bfm.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, layout_width)
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, name)
        painter.setFont(opt.font)
        muted = QtGui.QColor(fg)
        muted.setAlphaF(0.7)
        painter.setPen(muted)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, fm.elidedText(process, Qt.TextElideMode.ElideRight, bottom.width()))
        painter.restore()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _safe_name(title: str) -> str:
    keep = "".join(c if c.isalnum() or c in " -_.,()" else "-" for c in title).strip()
    return keep or "project"

