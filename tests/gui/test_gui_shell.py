"""The main window driven as a user would: typing values, refusals, undo, scenarios, results copy.

Expected numbers come from the core (cgtdesk.core.model.evaluate), which has its own
hand-worked tests; here we check that the window shows and applies them.
"""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from cgtdesk.core.errors import DomainError, InputError
from cgtdesk.core.formatting import display_number, parse_number
from cgtdesk.core.model import evaluate
from cgtdesk.gui.models import ParameterModel, ResultsModel

pytestmark = pytest.mark.usefixtures("no_dangling_threads")
Qt = QtCore.Qt


def proxy_index(w, key, column=ParameterModel.VALUE):
    return w.editor.filter.mapFromSource(w.editor.model.index_for_key(key, column))


def type_value(qtbot, w, key, text):
    """Select the value cell of ``key``, type ``text`` and press Enter, as a user does."""
    if not w.isVisible():
        w.show()  # offscreen: nothing appears; an editor opens only in a laid-out view
        qtbot.waitExposed(w)
    ix = proxy_index(w, key)
    w.editor.tree.setCurrentIndex(ix)
    w.editor.tree.scrollTo(ix)
    w.editor.tree.edit(ix)
    editor = w.editor.tree.indexWidget(ix)
    assert isinstance(editor, QtWidgets.QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QtWidgets.QApplication.processEvents()  # the delegate commits on a queued call


def result_cell(w, result_key, scenario_index):
    m = w.results.model()
    row = next(r for r in range(m.rowCount()) if m.result_key(r) == result_key)
    return m.index(row, ResultsModel.FIXED + scenario_index)


def test_parse_number_reads_what_people_type():
    assert parse_number("1,000") == 1000
    assert parse_number(" 2.5e8 ") == 250_000_000
    assert parse_number("95%") == pytest.approx(0.95)
    assert parse_number("0,95") == pytest.approx(0.95)
    assert parse_number("1,000,000") == 1_000_000
    with pytest.raises(InputError, match="expected a number"):
        parse_number("abc")
    with pytest.raises(InputError, match="found nothing"):
        parse_number("  ")
    assert display_number(100_000_000) == "100,000,000"
    assert display_number(0.95) == "0.95"


def test_window_shows_every_scenario_and_result(make_window):
    w = make_window()
    project = w.doc.project
    assert w.scenarios.list.count() == len(project.scenarios)
    assert w.results.model().columnCount() == ResultsModel.FIXED + len(project.scenarios)
    for j, s in enumerate(project.scenarios):
        expected = evaluate(s.process, s.parameters)["cogs_per_dose"]
        assert w.results.model().data(result_cell(w, "cogs_per_dose", j), ResultsModel.RawRole) == pytest.approx(
            expected, rel=1e-12
        )
    # the editor holds the first scenario's parameters, grouped, with units in the project currency
    assert w.editor.model.rowCount() > 3
    assert w.editor.model.headerData(ParameterModel.UNIT, Qt.Orientation.Horizontal) == f"Unit ({project.currency})"
    assert w.windowTitle().startswith(project.title)  # the example's title, not "Untitled"


def test_typing_a_value_updates_results_and_charts(qtbot, make_window):
    w = make_window()
    s = w.doc.project.scenarios[0]
    before_text = w.results.model().data(result_cell(w, "cogs_per_dose", 0))
    with qtbot.waitSignal(w.chartsUpdated, timeout=3000):
        type_value(qtbot, w, "demand.patients_per_year", "1200")
    assert s.parameters["demand.patients_per_year"] == 1200
    params = dict(s.parameters)
    expected = evaluate(s.process, params)["cogs_per_dose"]
    shown = w.results.model().data(result_cell(w, "cogs_per_dose", 0), ResultsModel.RawRole)
    assert shown == pytest.approx(expected, rel=1e-12)
    assert w.results.model().data(result_cell(w, "cogs_per_dose", 0)) != before_text
    assert w.isWindowModified()
    # the changed value is marked (bold) in the editor, the untouched one is not
    assert w.editor.model.data(w.editor.model.index_for_key("demand.patients_per_year"), Qt.ItemDataRole.FontRole).bold()
    assert w.editor.model.data(w.editor.model.index_for_key("demand.doses_per_patient"), Qt.ItemDataRole.FontRole) is None
    data = w.chart_panel.charts["breakdown"].data
    assert data.totals[0] == pytest.approx(expected, rel=1e-9)


def test_only_the_edited_scenario_is_recomputed(make_window, monkeypatch):
    w = make_window()
    for s in w.doc.project.scenarios:
        w.doc.results(s)  # warm the cache
    calls = []
    import cgtdesk.core.model as model

    real = model.evaluate
    monkeypatch.setattr(model, "evaluate", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    w.set_value("demand.patients_per_year", "800")
    for s in w.doc.project.scenarios:
        w.doc.results(s)
    assert len(calls) == 1  # the check of the new value; its results are reused


@pytest.mark.parametrize(
    "text, reason",
    [("1.5", "from 0.01 to 1"), ("abc", "expected a number"), ("-0.2", "from 0.01 to 1")],
)
def test_an_invalid_value_is_refused_and_the_old_value_kept(qtbot, make_window, text, reason):
    w = make_window()
    s = w.doc.project.scenarios[0]
    old = s.parameters["auto.batch_success_rate"]
    shown_before = w.results.model().data(result_cell(w, "cogs_per_dose", 0))
    type_value(qtbot, w, "auto.batch_success_rate", text)
    assert s.parameters["auto.batch_success_rate"] == old
    assert w.editor.inline.isVisibleTo(w) and reason in w.editor.inline.text()
    assert display_number(old) in w.editor.inline.text()  # says which value stays
    assert reason in w.statusBar().currentMessage()
    assert w.doc.undo_stack.count() == 0 and not w.isWindowModified()
    assert w.results.model().data(result_cell(w, "cogs_per_dose", 0)) == shown_before
    # a good value afterwards clears the message
    type_value(qtbot, w, "auto.batch_success_rate", "0.9")
    assert s.parameters["auto.batch_success_rate"] == 0.9
    assert not w.editor.inline.isVisibleTo(w)


def test_a_value_the_model_cannot_use_is_refused_with_the_reason(qtbot, make_window):
    w = make_window()
    idx = next(i for i, s in enumerate(w.doc.project.scenarios) if s.process == "allogeneic")
    w.select_scenario(idx)
    s = w.doc.project.scenarios[idx]
    params = dict(s.parameters, **{"dose.cells_per_dose": 1e11})
    with pytest.raises(DomainError):  # the core says a lot would yield no dose
        evaluate(s.process, params)
    old = s.parameters["dose.cells_per_dose"]
    type_value(qtbot, w, "dose.cells_per_dose", "1e11")
    assert s.parameters["dose.cells_per_dose"] == old
    assert "doses" in w.editor.inline.text() and "at least 1" in w.editor.inline.text()


def test_undo_redo_with_consecutive_edits_merged(qtbot, make_window):
    w = make_window()
    s = w.doc.project.scenarios[0]
    original = s.parameters["demand.patients_per_year"]
    orig_cost = w.results.model().data(result_cell(w, "cogs_per_dose", 0), ResultsModel.RawRole)
    for text in ("600", "700", "800"):
        type_value(qtbot, w, "demand.patients_per_year", text)
    type_value(qtbot, w, "auto.batch_success_rate", "0.9")
    assert w.doc.undo_stack.count() == 2  # three edits of one value are one step
    w.acts["undo"].trigger()
    assert s.parameters["auto.batch_success_rate"] == 0.95
    w.acts["undo"].trigger()
    assert s.parameters["demand.patients_per_year"] == original
    assert w.results.model().data(result_cell(w, "cogs_per_dose", 0), ResultsModel.RawRole) == pytest.approx(orig_cost, rel=1e-12)
    assert not w.isWindowModified()
    w.acts["redo"].trigger()
    assert s.parameters["demand.patients_per_year"] == 800
    assert w.isWindowModified()
    # editing back to the original value by hand leaves nothing to undo for that value
    w.doc.undo_stack.clear()
    type_value(qtbot, w, "demand.patients_per_year", "900")
    type_value(qtbot, w, "demand.patients_per_year", "800")
    assert w.doc.undo_stack.count() == 0


def test_reset_value_to_default(make_window):
    w = make_window()
    w.set_value("demand.patients_per_year", "1234")
    w.editor.tree.setCurrentIndex(proxy_index(w, "demand.patients_per_year"))
    w.acts["reset_value"].trigger()
    from cgtdesk.core.catalogue import catalogue

    assert (
        w.doc.project.scenarios[0].parameters["demand.patients_per_year"]
        == catalogue().parameters["demand.patients_per_year"].default["autologous"]
    )


def test_search_filters_the_editor(make_window):
    w = make_window()
    w.editor.search.setText("success")
    f = w.editor.filter
    shown = []
    for g in range(f.rowCount()):
        parent = f.index(g, 0)
        shown += [f.index(r, 0, parent).data() for r in range(f.rowCount(parent))]
    assert shown == ["Batch success rate"]
    w.editor.search.setText("demand.patients")  # by key
    assert f.rowCount() == 1
    w.editor.search.setText("")
    assert f.rowCount() == w.editor.model.rowCount()


def names(w):
    return [w.scenarios.list.item(i).text() for i in range(w.scenarios.list.count())]


def test_add_duplicate_rename_delete_and_reorder_scenarios(qtbot, make_window, fake_prompts):
    w = make_window()
    n = len(w.doc.project.scenarios)
    fake_prompts.add_answer = ("allogeneic-msc-microcarrier", "MSC, 200 L")
    w.acts["add"].trigger()
    assert names(w)[-1] == "MSC, 200 L" and w.doc.project.scenarios[-1].process == "allogeneic"
    assert w.current_index() == n  # the new scenario is selected and shown in the editor
    assert "MSC, 200 L" in w.editor.title.text()
    assert w.results.model().columnCount() == ResultsModel.FIXED + n + 1

    w.acts["duplicate"].trigger()
    assert names(w)[-1] == "MSC, 200 L (copy)"
    dup = w.doc.project.scenarios[-1]
    assert dup.parameters == w.doc.project.scenarios[-2].parameters and dup is not w.doc.project.scenarios[-2]

    # rename in place, as a double-click edit commits
    item = w.scenarios.list.item(n + 1)
    item.setText("MSC, 200 L, high density")
    assert w.doc.project.scenarios[n + 1].name == "MSC, 200 L, high density"
    # a duplicate name is refused and the old name kept
    item = w.scenarios.list.item(n + 1)
    item.setText("MSC, 200 L")
    assert w.doc.project.scenarios[n + 1].name == "MSC, 200 L, high density"
    assert "already has a scenario" in w.statusBar().currentMessage()

    w.select_scenario(n + 1)
    w.acts["move_up"].trigger()
    assert names(w)[n] == "MSC, 200 L, high density" and w.current_index() == n
    w.acts["move_down"].trigger()
    assert names(w)[n + 1] == "MSC, 200 L, high density"

    w.select_scenario(n + 1)
    w.acts["delete"].trigger()
    assert "MSC, 200 L, high density" not in names(w)
    w.acts["undo"].trigger()
    assert names(w)[n + 1] == "MSC, 200 L, high density"
    # undo everything: back to the example's scenarios
    while w.doc.undo_stack.canUndo():
        w.acts["undo"].trigger()
    assert len(names(w)) == n and not w.isWindowModified()


def test_the_last_scenario_cannot_be_deleted(make_window, fake_prompts):
    from cgtdesk.core.project import Project
    from cgtdesk.core.templates import template

    w = make_window(Project(scenarios=[template("autologous-manual").scenario()]))
    assert not w.acts["delete"].isEnabled()
    w.scenarios.delete()
    assert len(w.doc.project.scenarios) == 1
    assert fake_prompts.errors and "at least one scenario" in fake_prompts.errors[-1][1]


def test_new_project_from_templates_compares_autologous_and_allogeneic(make_window, fake_prompts):
    from cgtdesk.gui.dialogs import NewProjectDialog, NewProjectSpec

    w = make_window()
    fake_prompts.new_answer = NewProjectSpec("Client X", "EUR", list(NewProjectDialog.DEFAULT))
    w.acts["new"].trigger()
    p = w.doc.project
    assert [s.process for s in p.scenarios] == ["autologous", "allogeneic"]
    assert p.title == "Client X" and p.currency == "EUR"
    assert w.selection.pair() == (p.scenarios[0].name, p.scenarios[1].name)
    assert w.results.model().headerData(1, Qt.Orientation.Horizontal) == "Unit"
    assert w.results.model().data(w.results.model().index(0, 1)) == "EUR/dose"
    assert w.editor.model.headerData(ParameterModel.UNIT, Qt.Orientation.Horizontal) == "Unit (EUR)"


def test_new_project_dialog_defaults_to_a_comparison(qtbot):
    from cgtdesk.gui.dialogs import NewProjectDialog

    d = NewProjectDialog()
    qtbot.addWidget(d)
    spec = d.spec()
    assert sorted(spec.templates) == sorted(NewProjectDialog.DEFAULT)


def test_copy_results_as_tab_separated_text_with_headers(qtbot, make_window):
    w = make_window()
    view = w.results
    m = w.results.model()
    sel = view.selectionModel()
    row = next(r for r in range(m.rowCount()) if m.result_key(r) == "cogs_per_dose")
    for c in (ResultsModel.FIXED, ResultsModel.FIXED + 2):
        sel.select(m.index(row, c), QtCore.QItemSelectionModel.SelectionFlag.Select)
    view.setFocus()
    text = view.copy_selection()
    assert QtWidgets.QApplication.clipboard().text() == text
    lines = text.rstrip("\r\n").split("\r\n")
    header = lines[0].split("\t")
    p = w.doc.project
    assert header == ["Result", p.scenarios[0].name, p.scenarios[1].name, p.scenarios[2].name]
    cells = lines[1].split("\t")
    assert cells[0] == "Cost of goods per dose"
    for j in (0, 2):
        expected = evaluate(p.scenarios[j].process, p.scenarios[j].parameters)["cogs_per_dose"]
        assert float(cells[1 + j]) == pytest.approx(expected, rel=1e-12)  # a number Excel reads, not "USD 94,457"
    assert cells[2] == ""  # the unselected cell inside the rectangle stays empty
    whole = view.copy_all()
    assert len(whole.rstrip("\r\n").split("\r\n")) == 1 + m.rowCount()
    assert whole.split("\r\n")[0].split("\t")[:2] == ["Result", "Unit"]


def test_ctrl_c_copies_from_the_results_table(qtbot, make_window):
    w = make_window()
    w.show()
    w.activateWindow()
    qtbot.waitActive(w)
    view = w.results
    view.selectAll()
    view.setFocus()
    QtWidgets.QApplication.clipboard().clear()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QtWidgets.QApplication.clipboard().text().startswith("Result\tUnit\t")


def test_pair_selector_drives_the_crossover_pair(make_window):
    w = make_window()
    p = w.doc.project
    assert w.selection.pair() == (
        next(s.name for s in p.scenarios if s.process == "autologous"),
        next(s.name for s in p.scenarios if s.process == "allogeneic"),
    )
    w.pairs.a.setCurrentIndex(1)
    w.pairs.b.setCurrentIndex(3)
    w.pairs.a.activated.emit(1)
    assert w.selection.pair() == (p.scenarios[1].name, p.scenarios[3].name)
    w.flush_charts()
    assert tuple(w.chart_panel.pair) == w.selection.pair()
    # renaming a scenario of the pair keeps the pair
    w.doc.rename_scenario(1, "Renamed")
    assert w.selection.pair()[0] == "Renamed"
    # a pair picked on the demand chart is the window's pair: the Compare boxes follow
    w.chart_panel.pairChanged.emit(p.scenarios[4].name, p.scenarios[2].name)
    assert w.selection.pair() == (p.scenarios[4].name, p.scenarios[2].name)
    assert (w.pairs.a.currentText(), w.pairs.b.currentText()) == w.selection.pair()


def test_every_action_has_a_shortcut(make_window):
    w = make_window()
    missing = [a.text() for a in w.actions() if a.text() and not a.isSeparator() and a.shortcut().isEmpty()]
    assert missing == []


def test_theme_choice_is_remembered(make_window):
    w = make_window()
    w.acts["dark"].trigger()
    assert w.settings.value("view/theme") == "dark"
    dark_window = QtWidgets.QApplication.palette().color(QtWidgets.QApplication.palette().ColorRole.Window).lightness()
    w2 = make_window()
    assert w2.dark and w2.acts["dark"].isChecked()
    w2.acts["light"].trigger()
    assert QtWidgets.QApplication.palette().color(QtWidgets.QApplication.palette().ColorRole.Window).lightness() > dark_window


def test_about_lists_versions():
    from cgtdesk.gui.dialogs import versions

    v = versions()
    for k in ("CGT Desk", "Python", "Qt", "PySide6", "pyqtgraph", "numpy", "pandas"):
        assert v[k]


def test_monte_carlo_runs_off_the_gui_thread_and_every_view_shows_the_one_run(qtbot, make_window):
    w = make_window()
    w.set_value("demand.patients_per_year", "700")
    view = w.analyses.views["montecarlo"]
    view.samples.setValue(2_000)
    view.seed.setText("7")
    w.acts["run_mc"].trigger()  # F9: the samples and seed set in the Analyses view
    assert w.monte_carlo.is_busy()  # on a worker: the window goes on meanwhile
    with qtbot.waitSignal(w.monte_carlo.finished, timeout=20_000) as blocker:
        pass
    result = blocker.args[0]
    assert result.complete and result.samples == 2_000 and result.seed == 7
    # one run, shown by the Analyses view and the chart panel alike
    assert w.monte_carlo.result is result and view.result is result and w.chart_panel.monte_carlo is result
    assert not w.monte_carlo.is_busy()
    assert "complete" in w.statusBar().currentMessage()


def test_monte_carlo_cancel_stops_at_a_chunk_and_says_so(qtbot, make_window):
    w = make_window()
    w.monte_carlo.run(w.doc.project, samples=400_000, seed=1)
    w.acts["cancel_mc"].trigger()  # Shift+F9
    with qtbot.waitSignal(w.monte_carlo.cancelled, timeout=30_000) as blocker:
        pass
    assert blocker.args[0] is None or not blocker.args[0].complete
    assert w.monte_carlo.result is None and w.chart_panel.monte_carlo is None  # nothing of a cancelled run is shown
    assert "cancelled" in w.statusBar().currentMessage()


def test_presentation_and_deck_from_the_window(qtbot, make_window, fake_prompts, tmp_path):
    w = make_window()
    pw = w.present()
    qtbot.addWidget(pw)
    assert pw.count() >= 4
    pw.close()
    fake_prompts.save_as_answer = str(tmp_path / "deck.pdf")
    assert w.files.export_deck()
    assert (tmp_path / "deck.pdf").read_bytes().startswith(b"%PDF")


def test_window_layout_is_remembered(qtbot, make_window):
    w = make_window()
    w.show()
    qtbot.waitExposed(w)
    w.results_dock.hide()
    w.resize(1300, 820)
    assert w.close()
    assert w.settings.value("window/state") is not None
    w2 = make_window()
    assert w2.results_dock.isHidden()
    w2.acts["reset_layout"].trigger()
    assert not w2.results_dock.isHidden()


def test_chart_menu_exports_the_shown_chart(qtbot, make_window, fake_prompts, tmp_path):
    w = make_window()
    w.show()
    qtbot.waitExposed(w)
    w.flush_charts()
    fake_prompts.save_as_answer = str(tmp_path / "chart.png")
    w.acts["chart_png"].trigger()
    from PySide6 import QtGui

    img = QtGui.QImage(str(tmp_path / "chart.png"))
    assert (img.width(), img.height()) == (1920, 1080)
