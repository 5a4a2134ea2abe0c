"""The main window's actions, declared as data, and the one function that builds them.

Each :class:`ActionSpec` says what an action is called, its shortcuts, its tip, its icon and
which method of the window (or of one of its controllers) it calls. :data:`MENUS` and
:data:`TOOLBAR` lay the actions out. :func:`install` turns the three tables into QActions
(every one added to the window, so that its shortcut works wherever the focus is, but for
the few whose key means something else elsewhere: those work only in the widget that holds them), the menu bar
and the toolbar. The README's table of keys lists the same shortcuts.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from PySide6 import QtCore, QtGui, QtWidgets

Qt = QtCore.Qt
Key = QtGui.QKeySequence
SK = Key.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    """One action of the window.

    ``slot``: the dotted name of what it calls, from the window (``"files.save"``), with ``args``;
    None for an action made elsewhere (undo and redo come from the undo group).
    ``shortcuts``: key sequences ("Ctrl+D") or standard keys (the platform's first binding, or all
    of them with ``all_bindings``); ``fallback`` when the standard keys have none on this platform.
    """

    id: str
    text: str
    slot: str | None
    shortcuts: tuple = ()
    tip: str = ""
    icon: str | None = None  # a QStyle standard pixmap name
    icon_text: str | None = None  # the shorter label on the toolbar
    args: tuple = ()
    fallback: str | None = None
    all_bindings: bool = False
    checkable: bool = False
    group: str | None = None  # checkable actions of one group exclude each other
    #: the shortcut works only in (and under) the widget its owner adds the action to, never
    #: window-wide: the action is not added to the window
    widget_shortcut: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    # ---- files
    ActionSpec(
        "new", "&New project...", "files.new_project", (SK.New,), "A new project from process templates", "SP_FileIcon", "New"
    ),
    ActionSpec(
        "open",
        "&Open...",
        "files.open_dialog",
        (SK.Open,),
        "Open a project (.cgtproj) or a workbook (.xlsx)",
        "SP_DialogOpenButton",
        "Open",
    ),
    ActionSpec("save", "&Save", "files.save", (SK.Save,), "Save the project", "SP_DialogSaveButton", "Save"),
    ActionSpec(
        "save_as", "Save &As...", "files.save_as", (SK.SaveAs,), "Save the project under a new name", fallback="Ctrl+Shift+S"
    ),
    ActionSpec(
        "import",
        "&Import workbook...",
        "files.import_dialog",
        ("Ctrl+I",),
        "Read a client's edited workbook and review their changes before applying them",
        icon_text="Import",
    ),
    ActionSpec(
        "export",
        "&Export workbook...",
        "files.export_workbook",
        ("Ctrl+E",),
        "Write a live Excel workbook of the project for a client",
        icon_text="Export",
    ),
    ActionSpec("export_deck", "Export &deck (PDF)...", "files.export_deck", ("Ctrl+Shift+E",), "Every chart on a 16:9 PDF page"),
    ActionSpec(
        "export_pptx",
        "Export deck (&PowerPoint)...",
        "files.export_pptx",
        ("Ctrl+Shift+P",),
        "Every chart as a native, editable PowerPoint chart, with the key inputs",
    ),
    ActionSpec(
        "export_pptx_template",
        "Export deck (PowerPoint, client's &template)...",
        "files.export_pptx_template",
        ("Ctrl+Alt+Shift+P",),
        "The PowerPoint deck on a client's template: its slide master, layouts, fonts and colours",
    ),
    # Ctrl+Q everywhere (Qt shows it as Cmd+Q on macOS): the platform's standard Quit key is the
    # Exit key under Qt's generic bindings, which most Linux desktops get
    ActionSpec("quit", "&Quit", "close", ("Ctrl+Q",), "Close CGT Desk"),
    # ---- edit
    # the menu says what undo/redo would undo; the toolbar only "Undo"/"Redo"
    ActionSpec("undo", "&Undo", None, (SK.Undo,), icon="SP_ArrowBack", icon_text="Undo"),
    ActionSpec(
        "redo", "&Redo", None, (SK.Redo, "Ctrl+Shift+Z", "Ctrl+Y"), icon="SP_ArrowForward", icon_text="Redo", all_bindings=True
    ),
    ActionSpec("find", "&Find parameter", "editor.focus_search", (SK.Find,), "Search the parameters by name or key"),
    ActionSpec(
        "reset_value",
        "Reset value to &platform",
        "editor.reset_value",
        ("Ctrl+R",),
        "Put the selected parameter back to its platform's value (its template's; the default without one)",
    ),
    ActionSpec(
        "copy_results",
        "&Copy all results",
        "results.copy_all",
        ("Ctrl+Shift+C",),
        "Every result of every scenario as tab-separated text, for Excel",
    ),
    # ---- scenarios
    ActionSpec(
        "add",
        "&Add scenario...",
        "scenarios.add_dialog",
        ("Ctrl+Shift+N",),
        "Add a scenario from a process template",
        "SP_FileDialogNewFolder",
    ),
    ActionSpec(
        "duplicate",
        "D&uplicate scenario",
        "scenarios.duplicate",
        ("Ctrl+D",),
        "Copy the selected scenario",
        icon_text="Duplicate",
    ),
    # F2 renames in the scenario list only (in the parameter table F2 edits the value, as in Excel);
    # Ctrl+F2 and the menu rename from anywhere: both open the name's in-place editor in the list
    ActionSpec(
        "rename",
        "&Rename scenario",
        "scenarios.rename",
        ("F2",),
        "Rename the selected scenario (F2 in the list)",
        widget_shortcut=True,
    ),
    ActionSpec("rename_global", "&Rename scenario", "scenarios.rename", ("Ctrl+F2",), "Rename the selected scenario"),
    ActionSpec(
        "delete",
        "De&lete scenario",
        "scenarios.delete",
        ("Ctrl+Del",),
        "Delete the selected scenario (undo brings it back)",
        "SP_TrashIcon",
    ),
    ActionSpec(
        "move_up", "Move &up", "scenarios.move", ("Ctrl+Shift+Up",), "Move the selected scenario up", "SP_ArrowUp", args=(-1,)
    ),
    ActionSpec(
        "move_down",
        "Move do&wn",
        "scenarios.move",
        ("Ctrl+Shift+Down",),
        "Move the selected scenario down",
        "SP_ArrowDown",
        args=(+1,),
    ),
    # ---- charts
    ActionSpec(
        "chart_png", "Export chart as &PNG (1920x1080)...", "files.export_chart", ("Ctrl+Alt+P",), args=("png", (1920, 1080))
    ),
    ActionSpec(
        "chart_png4k", "Export chart as PNG (&3840x2160)...", "files.export_chart", ("Ctrl+Alt+K",), args=("png", (3840, 2160))
    ),
    ActionSpec("chart_svg", "Export chart as &SVG...", "files.export_chart", ("Ctrl+Alt+S",), args=("svg", None)),
    ActionSpec("chart_copy", "&Copy chart", "files.export_chart", ("Ctrl+Alt+C",), args=("copy", None)),
    # ---- analyses
    ActionSpec(
        "show_sweep",
        "&Demand sweep and crossover",
        "show_analysis",
        ("Ctrl+1",),
        "From what demand is one scenario cheaper than another",
        args=("sweep",),
    ),
    ActionSpec(
        "show_tornado", "&Tornado", "show_analysis", ("Ctrl+2",), "Which assumption moves the cost most", args=("tornado",)
    ),
    ActionSpec(
        "show_montecarlo",
        "&Monte Carlo",
        "show_analysis",
        ("Ctrl+3",),
        "How sure we are that cost of goods stays under the target",
        args=("montecarlo",),
    ),
    ActionSpec(
        "show_goalseek", "&Goal seek", "show_analysis", ("Ctrl+4",), "What value of an input meets the target", args=("goalseek",)
    ),
    ActionSpec(
        "show_uncertainty",
        "&Uncertainty of the inputs",
        "show_analysis",
        ("Ctrl+5",),
        "Distributions and correlations of the selected scenario",
        args=("uncertainty",),
    ),
    ActionSpec(
        "show_plan",
        "&Launch plan",
        "show_plan",
        ("Ctrl+6",),
        "The launch plan: demand, capacity, cost and cash of every scenario year by year",
    ),
    ActionSpec("show_charts", "C&harts", "show_charts", ("Ctrl+0",), "Back to the charts from the Analyses"),
    ActionSpec(
        "run_mc",
        "&Run Monte Carlo",
        "run_monte_carlo",
        ("F9",),
        "Run the Monte Carlo of every scenario (samples and seed as set)",
    ),
    ActionSpec("cancel_mc", "&Cancel Monte Carlo", "cancel_monte_carlo", ("Shift+F9",)),
    ActionSpec(
        "param_uncertainty",
        "Uncertainty of this parameter...",
        "analyse_parameter",
        ("Ctrl+Shift+U",),
        "Edit the distribution of the selected parameter",
        args=("uncertainty",),
    ),
    ActionSpec(
        "param_goalseek",
        "Goal seek on this parameter...",
        "analyse_parameter",
        ("Ctrl+Shift+G",),
        "Find the value of the selected parameter that meets the target",
        args=("goalseek",),
    ),
    # ---- tools: the platform library
    ActionSpec(
        "library",
        "Platform &library...",
        "library.show",
        ("Ctrl+Shift+B",),
        "Platform templates: bundled, your library and added folders; import, export, delete",
    ),
    ActionSpec(
        "save_template",
        "&Save scenario as platform template...",
        "library.save_scenario",
        ("Ctrl+Shift+T",),
        "The platform values of the selected scenario, into your library (product values stay in the project)",
    ),
    ActionSpec(
        "template_updates",
        "Template &updates...",
        "library.review_updates",
        ("Ctrl+Alt+U",),
        "Take the values of newer versions of the scenarios' templates (one undo step)",
    ),
    # ---- view and help
    ActionSpec("present", "&Presentation", "present", ("F5",), "Show the charts full screen as slides", icon_text="Present"),
    ActionSpec("light", "&Light theme", "set_theme", ("Ctrl+Shift+L",), args=(False,), checkable=True, group="theme"),
    ActionSpec("dark", "&Dark theme", "set_theme", ("Ctrl+Shift+D",), args=(True,), checkable=True, group="theme"),
    ActionSpec("reset_layout", "Reset &layout", "reset_layout", ("Ctrl+Shift+R",), "Put the panels back where they started"),
    ActionSpec("guide", "&Getting started", "show_guide", (SK.HelpContents,), "How to build and compare scenarios"),
    ActionSpec("about", "&About CGT Desk", "show_about", ("Shift+F1",)),
)

#: submenus (filled by their owners: the file workflow lists recent files, the scenarios the templates)
SUBMENUS = {"recent": "Open &recent", "templates": "Add from &template"}

#: the menu bar: action ids, "-" a separator, "menu:ID" a submenu, "dock:ATTR" the window's dock's toggle
MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "&File",
        (
            "new",
            "open",
            "menu:recent",
            "-",
            "save",
            "save_as",
            "-",
            "import",
            "export",
            "export_deck",
            "export_pptx",
            "export_pptx_template",
            "-",
            "quit",
        ),
    ),
    ("&Edit", ("undo", "redo", "-", "find", "reset_value", "copy_results")),
    ("&Scenario", ("add", "menu:templates", "duplicate", "rename_global", "delete", "-", "move_up", "move_down")),
    ("&Chart", ("chart_png", "chart_png4k", "chart_svg", "chart_copy")),
    (
        "&Analyses",
        (
            "show_sweep",
            "show_tornado",
            "show_montecarlo",
            "show_goalseek",
            "-",
            "show_uncertainty",
            "-",
            "run_mc",
            "cancel_mc",
            "-",
            "show_charts",
        ),
    ),
    (
        "&View",
        (
            "present",
            "show_plan",
            "-",
            "light",
            "dark",
            "-",
            "dock:scenario_dock",
            "dock:editor_dock",
            "dock:results_dock",
            "reset_layout",
            "dock:plan_dock",
        ),
    ),
    ("&Tools", ("library", "save_template", "template_updates")),
    ("&Help", ("guide", "about")),
)

#: the toolbar: action ids, "-" a separator, "popup:ID>MENU" a button with a drop-down submenu,
#: "widgets:NAME" widgets the window provides
TOOLBAR: tuple[str, ...] = (
    "new",
    "open",
    "save",
    "-",
    "undo",
    "redo",
    "-",
    "popup:add>templates",
    "duplicate",
    "-",
    "import",
    "export",
    "-",
    "widgets:pair",
    "-",
    "present",
)


def std_icon(name: str) -> QtGui.QIcon:
    return QtWidgets.QApplication.style().standardIcon(getattr(QtWidgets.QStyle.StandardPixmap, name))


def key_sequences(spec: ActionSpec) -> list[QtGui.QKeySequence]:
    """The spec's shortcuts, without duplicates."""
    keys: list[QtGui.QKeySequence] = []
    for s in spec.shortcuts:
        if isinstance(s, SK):
            bindings = Key.keyBindings(s) if spec.all_bindings else [Key(s)]
        else:
            bindings = [Key(s)]
        for k in bindings:
            if not k.isEmpty() and k not in keys:
                keys.append(k)
    if not keys and spec.fallback:
        keys.append(Key(spec.fallback))
    return keys


def build_action(window, spec: ActionSpec, made: QtGui.QAction | None = None) -> QtGui.QAction:
    """The QAction of ``spec`` (``made``: one created elsewhere, given the spec's keys and icon)."""
    a = made if made is not None else QtGui.QAction(spec.text, window)
    a.setShortcuts(key_sequences(spec))
    if spec.widget_shortcut:
        a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    if spec.tip:
        a.setToolTip(spec.tip)
        a.setStatusTip(spec.tip)
    if spec.icon:
        a.setIcon(std_icon(spec.icon))
    if spec.icon_text:
        a.setIconText(spec.icon_text)
    a.setCheckable(spec.checkable)
    if spec.slot is not None:
        target, args = attrgetter(spec.slot)(window), spec.args
        # the slot gets the spec's args and never the signal's ``checked`` flag (a rename to "False")
        a.triggered.connect(lambda *_signal: target(*args))
    if not spec.widget_shortcut:
        window.addAction(a)
    return a


def _fill_menu(window, menu: QtWidgets.QMenu, entries, acts, menus) -> None:
    for entry in entries:
        if entry == "-":
            menu.addSeparator()
        elif entry.startswith("menu:"):
            name = entry[5:]
            menus[name] = menu.addMenu(SUBMENUS[name])
        elif entry.startswith("dock:"):
            menu.addAction(getattr(window, entry[5:]).toggleViewAction())
        else:
            menu.addAction(acts[entry])


def _fill_toolbar(tb: QtWidgets.QToolBar, acts, menus, widgets) -> None:
    for entry in TOOLBAR:
        if entry == "-":
            tb.addSeparator()
        elif entry.startswith("widgets:"):
            for w in widgets[entry[8:]]:
                tb.addWidget(w)
        elif entry.startswith("popup:"):
            action, menu = entry[6:].split(">")
            btn = QtWidgets.QToolButton()
            btn.setDefaultAction(acts[action])
            btn.setText(acts[action].iconText())
            btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            btn.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.MenuButtonPopup)
            btn.setMenu(menus[menu])
            tb.addWidget(btn)
        else:
            tb.addAction(acts[entry])


def install(window, made: dict[str, QtGui.QAction], widgets: dict[str, list[QtWidgets.QWidget]]):
    """Build every action, the menu bar and the toolbar of ``window``.

    ``made``: actions created elsewhere, by id (undo, redo); ``widgets``: what the toolbar's
    "widgets:NAME" entries hold. Returns (actions by id, submenus by id, the toolbar).
    """
    acts = {spec.id: build_action(window, spec, made.get(spec.id)) for spec in ACTIONS}
    groups: dict[str, QtGui.QActionGroup] = {}
    for spec in ACTIONS:
        if spec.group:
            groups.setdefault(spec.group, QtGui.QActionGroup(window)).addAction(acts[spec.id])
    menus: dict[str, QtWidgets.QMenu] = {}
    for title, entries in MENUS:
        _fill_menu(window, window.menuBar().addMenu(title), entries, acts, menus)
    tb = window.addToolBar("Main")
    tb.setObjectName("MainToolBar")
    tb.setMovable(False)
    tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    _fill_toolbar(tb, acts, menus, widgets)
    return acts, menus, tb
