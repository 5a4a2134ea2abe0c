"""The Launch plan view: edits are undoable and reach the charts; refused input says why; the
empty state's button adds a plan; --view plan renders."""

import datetime as dt
from pathlib import Path

import pytest

from cgtdesk.core.analyses.plan import plan
from cgtdesk.io import load_any

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"


@pytest.fixture
def view(qtbot):
    from cgtdesk.chartdata.board import ChartBoard
    from cgtdesk.gui.document import ProjectDocument
    from cgtdesk.gui.plan.view import PlanView
    from cgtdesk.gui.selection import Selection

    doc = ProjectDocument(load_any(EXAMPLE))
    v = PlanView(doc, Selection(doc), board=ChartBoard())
    qtbot.addWidget(v)
    v.resize(1200, 800)
    v.show()
    v.redraw()
    return v


def type_into(edit, text):
    edit.setText(text)
    edit.editingFinished.emit()


def test_editing_the_peak_updates_the_charts_and_undo_restores_it(view):
    doc = view.doc
    before = view.charts["plan-npc"].data.npc.copy()
    type_into(view.editor.fields["peak_patients_per_year"], "750")
    view.redraw()
    assert doc.project.plan.demand["peak_patients_per_year"] == 750
    assert view.charts["plan-capacity"].data.patients.max() == pytest.approx(750)
    assert list(view.charts["plan-npc"].data.npc) == [s.summary["npc"] for s in plan(doc.project).scenarios]
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    view.redraw()
    assert doc.project.plan.demand["peak_patients_per_year"] == 1500
    assert list(view.charts["plan-npc"].data.npc) == list(before)
    assert view.editor.fields["peak_patients_per_year"].text() == "1,500"


def test_refused_input_shows_the_cores_reason_and_changes_nothing(view):
    doc = view.doc
    type_into(view.editor.fields["launch_year"], "2050")
    assert "plan.demand.launch_year" in view.editor.error.text() and "2027 to 2041" in view.editor.error.text()
    assert doc.project.plan.demand["launch_year"] == 2029 and doc.undo_stack.count() == 0
    assert view.editor.fields["launch_year"].text() == "2029"
    type_into(view.editor.fields["years"], "abc")
    assert "expected a number" in view.editor.error.text() and doc.project.plan.years == 15


def test_pasting_a_column_from_excel_is_one_undo_step(view):
    doc = view.doc
    view.editor.table_radio.setChecked(True)  # year by year: the S-curve's values, one step
    assert doc.project.plan.demand["patients_per_year"][3] == pytest.approx(1500 * 0.352)
    view.editor.table.setCurrentCell(2, 1)
    assert view.editor.paste("100\r\n200\r\n1,300\r\n")
    path = doc.project.plan.demand["patients_per_year"]
    assert path[:5] == [0, 0, 100, 200, 1300]
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert doc.project.plan.demand["patients_per_year"][2] == pytest.approx(1500 * 0.104)
    assert not view.editor.paste("5\tx")  # a cell that is no number is refused, in words
    assert "'x'" in view.editor.error.text()


def test_switch_year_edit_and_scenario_delete(view):
    doc = view.doc
    item = view.editor.switches.item(0, 2)
    item.setText("2030")
    assert doc.project.plan.switches[0]["year"] == 2030
    view.redraw()
    assert view.charts["plan-switch"].data.switches[0].planned_year == 2030
    names = doc.project.names()
    doc.delete_scenario(names.index("Autologous, manual open process"))
    assert doc.project.plan.switches == []
    doc.undo_stack.undo()  # the scenario and its switch come back together
    assert doc.project.plan.switches[0]["from"] == "Autologous, manual open process"


def test_empty_state_button_adds_the_default_plan(view):
    doc = view.doc
    doc.set_plan(None, "Remove the launch plan")
    view.redraw()
    assert view.stack.currentIndex() == 0
    assert all(view.charts[c].data is None for c in view.charts)
    view.add_button.click()
    view.redraw()
    p = doc.project.plan
    first = dt.date.today().year + 1
    assert (p.first_year, p.years, p.demand["launch_year"], p.demand["years_to_peak"]) == (first, 15, first + 2, 5)
    assert p.demand["peak_patients_per_year"] == doc.project.scenarios[0].parameters["demand.patients_per_year"]
    assert view.stack.currentIndex() == 1 and view.charts["plan-cash"].data is not None
    doc.undo_stack.undo()
    assert doc.project.plan is None


def test_screenshot_views(view):
    from types import SimpleNamespace

    from cgtdesk.gui.plan.view import screenshot_view

    window = SimpleNamespace(doc=view.doc, selection=view.selection, dark=False)
    img = screenshot_view(window, "plan", (1200, 800))
    assert img.width() == 1200
    img = screenshot_view(window, "plan-cost", (960, 540))
    assert (img.width(), img.height()) == (960, 540)


def test_new_project_dialog_offers_a_plan_ticked_by_default(qtbot):
    from cgtdesk.gui.dialogs import NewProjectDialog

    d = NewProjectDialog()
    qtbot.addWidget(d)
    assert d.spec().plan is True
    d.plan.setChecked(False)
    assert d.spec().plan is False


def test_plan_charts_without_a_plan_say_how_to_add_one_instead_of_empty_axes(qtbot):
    from cgtdesk.gui.plan.charts import PlanChart

    chart = PlanChart()
    qtbot.addWidget(chart)
    chart.show_empty()
    assert "plan" in chart.showing_message().lower() and chart.graphics.isHidden()
