"""A consultant's first hour, the window's part: the title names the project, the result names
stay in sight when the results table scrolls sideways, the layout fits a laptop, the analyses
follow New and Open and say when their numbers are older than the last edit, the dark theme
restyles them, and a machine without a display gets a sentence and exit 2."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from cgtdesk.core.catalogue import catalogue

pytestmark = pytest.mark.usefixtures("no_dangling_threads")
Qt = QtCore.Qt


def test_the_title_names_the_project_not_untitled(make_window, tmp_path, example_path):
    w = make_window()
    title = w.doc.project.title
    assert title and w.windowTitle().startswith(title)
    assert "Untitled" not in w.windowTitle()
    from cgtdesk.io.projectfile import load_project

    w2 = make_window(load_project(example_path), tmp_path / "client.cgtproj")
    assert w2.windowTitle().replace("[*]", "") == f"client.cgtproj - {title} - CGT Desk"


def test_result_names_stay_in_sight_when_the_table_scrolls_sideways(qtbot, make_window):
    w = make_window()
    for _ in range(8):  # many scenarios: the table is wider than its dock
        w.scenarios.duplicate()
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    view = w.results
    bar = view.horizontalScrollBar()
    assert bar.maximum() > 0, "the table should need scrolling sideways with ten scenarios"
    bar.setValue(bar.maximum())
    QtWidgets.QApplication.processEvents()
    header = view.verticalHeader()
    assert header.isVisible() and header.width() > 0
    labels = [catalogue().results[view.model().result_key(r)].label for r in range(view.model().rowCount())]
    assert [view.model().headerData(r, Qt.Orientation.Vertical) for r in range(len(labels))] == labels
    # the header sits left of the scrolled cells, where it was before the scroll
    assert header.geometry().left() < view.viewport().geometry().left()
    # a copy still carries the names in its first column
    text = view.copy_all()
    assert text.splitlines()[1].split("\t")[0] == labels[0]


@pytest.mark.parametrize("size", [(1366, 768), (1440, 900)])
def test_a_laptop_screen_fits_the_toolbar_and_the_analyses(qtbot, make_window, size):
    w = make_window()
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.apply_default_sizes()
    QtWidgets.QApplication.processEvents()
    tb = w.toolbar
    overflow = tb.findChild(QtWidgets.QToolButton, "qt_toolbar_ext_button")
    assert overflow is None or not overflow.isVisible(), "the toolbar hides actions behind its » button"
    for a in tb.actions():
        if a.isVisible() and not a.isSeparator():
            widget = tb.widgetForAction(a)
            assert widget is not None and widget.isVisible() and tb.rect().contains(widget.geometry()), a.iconText()
    assert w.acts["undo"].iconText() == "Undo" and w.acts["redo"].iconText() == "Redo"
    w.set_value("demand.patients_per_year", "600")  # the undo action's text grows; its button does not
    button = tb.widgetForAction(w.acts["undo"])
    assert button.text() == "Undo"
    # the Analyses are a page beside the charts, wide enough for every view without scrolling sideways
    for name in ("sweep", "tornado", "montecarlo", "goalseek", "uncertainty"):
        w.show_analysis(name)
        QtWidgets.QApplication.processEvents()
        assert w.centre.currentWidget() is w.analyses_page
        page = w.analyses_page
        assert page.viewport().width() >= w.analyses.views[name].minimumSizeHint().width(), name
        assert not page.horizontalScrollBar().isVisible(), name
    w.show_charts()
    assert w.centre.currentWidget() is w.chart_panel


# ---------------------------------------------------------------- the analyses follow the project


def _run_monte_carlo(qtbot, w, samples=1_000):
    view = w.show_analysis("montecarlo")
    view.samples.setValue(samples)
    with qtbot.waitSignal(view.runner.finished, timeout=60_000):
        view.run_button.click()
    return view


def _solve(qtbot, w):
    view = w.show_analysis("goalseek")
    with qtbot.waitSignal(view.solved, timeout=60_000):
        view.solve_button.click()
    return view


def _other_project(example_path, tmp_path):
    """The example in euros with other scenario names, saved to a file."""
    from cgtdesk.core.project import Project
    from cgtdesk.io.projectfile import load_project, save_project

    p = load_project(example_path)
    scenarios = [s.copy() for s in p.scenarios[:2]]
    scenarios[0].name, scenarios[1].name = "Client A", "Client B"
    other = Project("Client two", "EUR", scenarios)
    path = tmp_path / "other.cgtproj"
    save_project(other, path)
    return path


def test_open_resets_every_analysis_to_the_new_project(qtbot, make_window, fake_prompts, example_path, tmp_path):
    w = make_window()
    w.show()
    qtbot.waitExposed(w)
    mc = _run_monte_carlo(qtbot, w)
    gs = _solve(qtbot, w)
    assert mc.result is not None and gs.solution is not None and gs.answer.text()
    fake_prompts.open_answer = str(_other_project(example_path, tmp_path))
    w.acts["open"].trigger()
    assert w.doc.project.names() == ["Client A", "Client B"]
    qtbot.wait(300)  # the views' pause after a change
    # Monte Carlo: the old project's run is gone everywhere it was shown
    assert w.monte_carlo.result is None and mc.result is None
    assert mc.summary.rowCount() == 0 and mc.answer.text() == ""
    assert [mc.show_scenario.itemData(i) for i in range(mc.show_scenario.count())] == ["Client A", "Client B"]
    w.flush_charts()
    assert w.chart_panel.charts["montecarlo"].data is None
    # goal seek: no old answer, the new scenarios to ask about
    assert gs.solution is None and gs.answer.text() == "" and not gs.apply_button.isEnabled()
    assert [gs.scenario.itemData(i) for i in range(gs.scenario.count())] == ["Client A", "Client B"]
    # sweep and tornado: the new scenarios, in euros
    sweep = w.show_analysis("sweep")
    QtWidgets.QApplication.processEvents()
    assert sweep.data.scenarios == ["Client A", "Client B"] and sweep.data.currency == "EUR"
    tornado = w.show_analysis("tornado")
    QtWidgets.QApplication.processEvents()
    assert [tornado.scenario.itemData(i) for i in range(tornado.scenario.count())] == ["Client A", "Client B"]
    assert "EUR" in tornado.answer.text()


def test_results_made_before_the_last_edit_say_so_and_lose_the_target_line(qtbot, make_window, monkeypatch):
    from cgtdesk.gui.theme import OUT_OF_DATE
    from cgtdesk.gui.window import main_window

    w = make_window()
    w.show()
    qtbot.waitExposed(w)
    mc = _run_monte_carlo(qtbot, w)
    gs = _solve(qtbot, w)
    w.flush_charts()
    assert mc.chart.data.target is not None and not mc.answer.text().startswith(OUT_OF_DATE)
    assert w.chart_panel.charts["montecarlo"].data.target is not None
    # the price changes: the maximum allowable cost (the target line) moves, the runs do not
    w.set_value("commercial.price_per_dose", "500000")
    qtbot.waitUntil(lambda: mc.answer.text().startswith(OUT_OF_DATE), timeout=3000)
    assert mc.chart.data.target is None and mc.chart.data.p_meets_target is None
    assert mc.chart.data.finding.startswith(OUT_OF_DATE)
    w.flush_charts()
    panel_data = w.chart_panel.charts["montecarlo"].data
    assert panel_data.target is None and panel_data.p_meets_target is None and panel_data.finding.startswith(OUT_OF_DATE)
    qtbot.waitUntil(lambda: gs.answer.text().startswith(OUT_OF_DATE), timeout=3000)
    assert gs.chart.title.text().startswith(OUT_OF_DATE) and not gs.apply_button.isEnabled()
    # the slides never show the old run as their answer
    seen = {}

    class Slides:
        def __init__(self, project, **kw):
            seen.update(kw)

        def start(self):
            pass

        def close(self):
            pass

    monkeypatch.setattr(main_window, "PresentationWindow", Slides)
    w.present()
    assert seen["monte_carlo"] is None
    # run again: up to date, the target line back
    with qtbot.waitSignal(mc.runner.finished, timeout=60_000):
        mc.run_button.click()
    assert not mc.answer.text().startswith(OUT_OF_DATE) and mc.chart.data.target is not None


def test_dark_theme_at_run_time_restyles_the_analysis_text(qtbot, make_window):
    from PySide6 import QtGui

    w = make_window()
    w.show()
    qtbot.waitExposed(w)
    gs = _solve(qtbot, w)
    try:
        w.set_theme(True)
        QtWidgets.QApplication.processEvents()
        background = QtWidgets.QApplication.palette().color(QtGui.QPalette.ColorRole.Window)
        assert background.lightness() < 80
        for label in (gs.answer, gs.detail, w.analyses.views["montecarlo"].compare_note, w.editor.title):
            text = label.palette().color(QtGui.QPalette.ColorRole.WindowText)
            assert text.lightness() - background.lightness() > 90, (label.text()[:40], text.name())
    finally:
        w.set_theme(False)


# ---------------------------------------------------------------- first start, and no display


def test_getting_started_shows_on_the_first_start_only(qtbot, make_window):
    w = make_window()  # settings under tmp_path: a first start
    box = w.first_run_guide()
    assert box is not None and box.isVisible() and not box.isModal()
    assert "Getting started" in box.windowTitle()
    box.close()
    assert w.settings.value("help/guide_shown", False, type=bool)
    assert w.first_run_guide() is None


@pytest.mark.parametrize(
    "env, problem",
    [
        ({}, "neither DISPLAY nor WAYLAND_DISPLAY"),
        ({"QT_QPA_PLATFORM": "xcb"}, "DISPLAY is not set"),
        ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, "DISPLAY is not set"),
        ({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, "WAYLAND_DISPLAY is not set"),
        ({"DISPLAY": ":0"}, None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),
        ({"QT_QPA_PLATFORM": "offscreen"}, None),
        ({"QT_QPA_PLATFORM": "minimal"}, None),
        ({"QT_QPA_PLATFORM": "vnc:size=1366x768"}, None),
    ],
)
def test_display_problem_on_linux(env, problem):
    from cgtdesk.gui.headless import display_problem

    said = display_problem(env, "linux")
    if problem is None:
        assert said is None
    else:
        assert problem in said and "command line" in said
    assert display_problem({}, "win32") is None and display_problem({}, "darwin") is None


def test_the_window_without_a_display_says_so_and_exits_2(tmp_path):
    """The real entry point in a fresh process: one sentence and exit 2, not Qt's abort (134)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["HOME"] = str(tmp_path)  # nothing of the user's settings is touched
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, str(root / "main.py")], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if not sys.platform.startswith("linux"):
        pytest.skip("the check is for Linux")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0] and "Traceback" not in done.stderr
