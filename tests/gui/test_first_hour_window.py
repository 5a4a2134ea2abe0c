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
