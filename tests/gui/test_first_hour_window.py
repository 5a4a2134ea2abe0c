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
