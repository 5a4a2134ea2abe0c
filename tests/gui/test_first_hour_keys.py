"""A new consultant's first keys, pressed as they would press them (qtbot key presses on the
widget that has the focus): F2 renames the selected scenario to what they type; Ctrl+F, a
search, Enter, a number and Enter change that value; Ctrl+S saves both. The README's table of
keys promises exactly this.

Offscreen in CI; once by hand under a real X server as well:
``xvfb-run -a env QT_QPA_PLATFORM=xcb .venv/bin/python -m pytest tests/gui/test_first_hour_keys.py``.
"""

from __future__ import annotations

import json
import shutil

import pytest
from PySide6 import QtCore, QtWidgets

from cgtdesk.gui.models import ParameterModel

pytestmark = pytest.mark.usefixtures("no_dangling_threads")
Qt = QtCore.Qt
CTRL = Qt.KeyboardModifier.ControlModifier


def focused():
    return QtWidgets.QApplication.focusWidget()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    """One key on whatever has the focus, then let queued work (a delegate's commit) run."""
    widget = focused()
    assert widget is not None, "nothing has the keyboard focus"
    qtbot.keyClick(widget, key, modifier)
    QtWidgets.QApplication.processEvents()


def type_text(qtbot, text):
    """Each character to whatever has the focus then (the first may open an editor)."""
    for ch in text:
        qtbot.keyClicks(focused(), ch)
        QtWidgets.QApplication.processEvents()


@pytest.fixture
def window(make_window, tmp_path, example_path):
    path = tmp_path / "client.cgtproj"
    shutil.copy(example_path, path)
    from cgtdesk.io.projectfile import load_project

    w = make_window(load_project(path), path)
    w.show()
    w.activateWindow()
    w.raise_()
    return w


def wait_focus(qtbot, widget):
    widget.setFocus(Qt.FocusReason.MouseFocusReason)  # where the user clicked
    qtbot.waitUntil(lambda: focused() is widget, timeout=3000)


def test_f2_in_the_scenario_list_renames_the_selected_scenario(qtbot, window):
    w = window
    qtbot.waitExposed(w)
    w.select_scenario(1)
    old = w.doc.scenarios[1].name
    wait_focus(qtbot, w.scenarios.list)
    press(qtbot, Qt.Key.Key_F2)
    editor = focused()
    assert isinstance(editor, QtWidgets.QLineEdit), "F2 opens the name's in-place editor"
    assert editor.text() == old  # nothing renamed yet: no "False"
    assert w.doc.scenarios[1].name == old
    editor.selectAll()
    type_text(qtbot, "Allo, 200-dose lots")
    press(qtbot, Qt.Key.Key_Return)
    assert w.doc.scenarios[1].name == "Allo, 200-dose lots"
    assert w.scenarios.list.item(1).text() == "Allo, 200-dose lots"
    press(qtbot, Qt.Key.Key_Z, CTRL)  # undo brings the old name back
    assert w.doc.scenarios[1].name == old


@pytest.mark.parametrize("how", ["ctrl+f2", "menu"])
def test_ctrl_f2_and_the_menu_open_the_editor_from_anywhere(qtbot, window, how):
    w = window
    qtbot.waitExposed(w)
    old = w.doc.scenarios[0].name
    wait_focus(qtbot, w.editor.tree)
    if how == "ctrl+f2":
        press(qtbot, Qt.Key.Key_F2, CTRL)
    else:
        w.acts["rename_global"].trigger()  # Scenario > Rename scenario
        QtWidgets.QApplication.processEvents()
    editor = focused()
    assert isinstance(editor, QtWidgets.QLineEdit) and editor.parent().parent() is w.scenarios.list
    assert editor.text() == old and w.doc.scenarios[0].name == old
    press(qtbot, Qt.Key.Key_Escape)
    assert w.doc.scenarios[0].name == old


def test_f2_in_the_parameter_table_edits_the_value_not_the_scenario_name(qtbot, window):
    w = window
    qtbot.waitExposed(w)
    tree = w.editor.tree
    key = "demand.patients_per_year"
    label_cell = w.editor.filter.mapFromSource(w.editor.model.index_for_key(key, ParameterModel.LABEL))
    tree.setCurrentIndex(label_cell)  # a click on the parameter's name selects its row
    wait_focus(qtbot, tree)
    press(qtbot, Qt.Key.Key_F2)
    editor = focused()
    assert isinstance(editor, QtWidgets.QLineEdit) and editor.parent().parent() is tree
    assert w.scenarios.list.state() != QtWidgets.QAbstractItemView.State.EditingState
    editor.selectAll()
    type_text(qtbot, "640")
    press(qtbot, Qt.Key.Key_Return)
    assert w.doc.scenarios[0].parameters[key] == 640


def test_typing_on_a_selected_row_starts_editing_its_value(qtbot, window):
    w = window
    qtbot.waitExposed(w)
    tree = w.editor.tree
    key = "demand.patients_per_year"
    tree.setCurrentIndex(w.editor.filter.mapFromSource(w.editor.model.index_for_key(key, ParameterModel.LABEL)))
    wait_focus(qtbot, tree)
    type_text(qtbot, "750")  # the first key opens the editor and goes into it
    press(qtbot, Qt.Key.Key_Return)
    assert w.doc.scenarios[0].parameters[key] == 750


def test_search_down_up_enter_and_tab_go_to_values(qtbot, window):
    w = window
    qtbot.waitExposed(w)
    wait_focus(qtbot, w.scenarios.list)
    press(qtbot, Qt.Key.Key_F, CTRL)
    assert focused() is w.editor.search
    type_text(qtbot, "success")  # two parameters of the autologous scenario at most; one here
    matches = [w.editor.model.key(w.editor.filter.mapToSource(i)) for i in w.editor.matches()]
    assert matches and all("success" in k for k in matches)
    w.editor.search.selectAll()
    type_text(qtbot, "cost")  # many matches: Down and Up walk them, the focus stays in the box
    matches = w.editor.matches()
    assert len(matches) >= 3
    tree = w.editor.tree
    assert tree.currentIndex() == matches[0]
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Down)
    assert tree.currentIndex() == matches[2] and focused() is w.editor.search
    press(qtbot, Qt.Key.Key_Up)
    assert tree.currentIndex() == matches[1]
    press(qtbot, Qt.Key.Key_Tab)  # Tab lands on the value of the current match, not a group header
    assert focused() is tree
    assert tree.currentIndex() == matches[1] and tree.currentIndex().column() == ParameterModel.VALUE
    assert w.editor.current_key() is not None


def test_ctrl_f_search_enter_number_enter_then_ctrl_s_saves_both(qtbot, window, tmp_path):
    w = window
    qtbot.waitExposed(w)
    path = w.doc.path
    # F2 on the selected scenario, a new name, Enter
    w.select_scenario(0)
    wait_focus(qtbot, w.scenarios.list)
    press(qtbot, Qt.Key.Key_F2)
    focused().selectAll()
    type_text(qtbot, "Auto, client's case")
    press(qtbot, Qt.Key.Key_Return)
    # Ctrl+F, a search, Enter opens the first match's value; a number and Enter change it
    press(qtbot, Qt.Key.Key_F, CTRL)
    type_text(qtbot, "batch success")
    press(qtbot, Qt.Key.Key_Return)
    editor = focused()
    assert isinstance(editor, QtWidgets.QLineEdit) and editor is not w.editor.search
    assert editor.text() == "95%"  # the example's value as a percentage, whole, selected for typing over (0.9 or 90% both type)
    type_text(qtbot, "0.9")
    press(qtbot, Qt.Key.Key_Return)
    assert w.doc.scenarios[0].parameters["auto.batch_success_rate"] == 0.9
    assert w.isWindowModified()
    # Ctrl+S writes both to the file
    press(qtbot, Qt.Key.Key_S, CTRL)
    assert not w.isWindowModified()
    saved = json.loads(path.read_text(encoding="utf-8"))
    first = saved["scenarios"][0]
    assert first["name"] == "Auto, client's case"
    assert first["parameters"]["auto.batch_success_rate"] == 0.9
