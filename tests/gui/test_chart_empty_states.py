"""Charts with nothing to draw say what to do, in words, with no bare axes; a left axis title
breaks into lines to fit a short chart; Monte Carlo percentile tags never cross the target line."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6 import QtGui  # noqa: E402

from cgtdesk import chartdata  # noqa: E402
from cgtdesk.chartdata.common import NO_SCENARIO, no_result_text  # noqa: E402
from cgtdesk.core.project import Project, new_scenario  # noqa: E402
from cgtdesk.gui.charts import BreakdownChart, CapacityChart, DemandChart, VeinToVeinChart, WaterfallChart  # noqa: E402
from cgtdesk.gui.charts.base import font  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"
# a 0.01 L bioreactor yields fewer doses than it retains: the model refuses it
TINY = {"allo.bioreactor_volume_l": 0.01}


def _bad_project():
    return Project(scenarios=[new_scenario("Tiny", "allogeneic", TINY)])


def test_no_result_text_names_the_reason():
    assert no_result_text({"A": "too small"}) == "No result: too small"
    assert no_result_text({"A": "x", "B": "y"}) == "No result: 'A': x; 'B': y"


@pytest.mark.parametrize(
    ("chart_class", "data_of"),
    [
        (BreakdownChart, lambda p: chartdata.breakdown_per_dose(p)),
        (DemandChart, lambda p: chartdata.demand_curves(p, demand=chartdata.demand_grid(10, 1000, 20))),
        (CapacityChart, lambda p: chartdata.capacity_curves(p, demand=chartdata.demand_grid(10, 1000, 20))),
        (VeinToVeinChart, lambda p: chartdata.vein_to_vein(p)),
        (WaterfallChart, lambda p: chartdata.waterfall(p.scenarios[0])),
    ],
)
def test_a_scenario_without_result_says_why_and_shows_no_axes(qtbot, chart_class, data_of):
    chart = chart_class()
    qtbot.addWidget(chart)
    chart.resize(700, 400)
    chart.update_data(data_of(_bad_project()))
    text = chart.showing_message()
    assert text.startswith("No result: ") and "lot yields" in text  # the model's own reason
    assert chart.graphics.isHidden()
    # a valid project brings the plots back
    good = Project(scenarios=[new_scenario("Auto", "autologous"), new_scenario("Allo", "allogeneic")])
    chart.update_data(data_of(good))
    assert chart.showing_message() == "" and not chart.graphics.isHidden()


def test_no_scenario_says_how_to_add_one(qtbot):
    chart = WaterfallChart()
    qtbot.addWidget(chart)
    chart.update_data(None)
    assert chart.showing_message() == NO_SCENARIO and "Add scenario" in NO_SCENARIO
    breakdown = BreakdownChart()
    qtbot.addWidget(breakdown)
    breakdown.update_data(chartdata.breakdown_per_dose(Project(scenarios=[])))
    assert breakdown.showing_message() == NO_SCENARIO


def test_one_scenario_asks_for_a_second_to_compare():
    d = chartdata.demand_curves(
        Project(scenarios=[new_scenario("Auto", "autologous")]), demand=chartdata.demand_grid(10, 1000, 20)
    )
    assert d.pair is None and "add a second scenario to compare" in d.finding


def test_left_axis_title_breaks_to_fit_a_short_chart(qtbot):
    chart = DemandChart()
    qtbot.addWidget(chart)
    chart.resize(600, 260)
    chart.show()
    p = Project(scenarios=[new_scenario("Auto", "autologous"), new_scenario("Allo", "allogeneic")])
    chart.update_data(chartdata.demand_curves(p, demand=chartdata.demand_grid(10, 1000, 20)))
    qtbot.waitUntil(lambda: chart.plot.vb.height() > 0)
    chart.update_data(chart.data)
    ax = chart.plot.getAxis("left")
    lines = ax.labelText.split("<br>")
    fm = QtGui.QFontMetrics(font(chart.style_.label_px))
    title = "Cost of goods per dose (USD/dose, log)"
    assert " ".join(lines) == title
    if fm.horizontalAdvance(title) > chart.plot.vb.height():  # too long for one line here: broken
        assert len(lines) > 1
    assert all(fm.horizontalAdvance(line) <= chart.plot.vb.height() for line in lines)


def test_deck_footnote_reads_the_demand_range_from_the_chart():
    from cgtdesk.deck.powerpoint import footnote

    p = Project(title="T", scenarios=[new_scenario("Auto", "autologous"), new_scenario("Allo", "allogeneic")])
    d = chartdata.demand_curves(p, demand=chartdata.demand_grid(10, 10_000, 31))
    text = footnote(p, "demand", d, "2025-01-01")
    assert "demand 10 to 10,000 patients/yr (31 points, log-spaced)" in text and "100,000" not in text


def test_editor_value_and_unit_columns_hold_their_widest_text(qtbot):
    from PySide6.QtCore import Qt

    from cgtdesk.gui.document import ProjectDocument as Document
    from cgtdesk.gui.window.editor import ParameterModel, ParameterTree
    from cgtdesk.io import load_any

    doc = Document(load_any(EXAMPLE))
    model = ParameterModel(doc)
    tree = ParameterTree()
    qtbot.addWidget(tree)
    tree.setModel(model)
    tree.resize(380, 500)
    tree.fit_value_columns()
    bold = QtGui.QFont(tree.font())
    bold.setBold(True)
    fm = QtGui.QFontMetrics(bold)
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        for r in range(model.rowCount(group)):
            value = str(model.index(r, ParameterModel.VALUE, group).data(Qt.ItemDataRole.DisplayRole))
            unit = str(model.index(r, ParameterModel.UNIT, group).data(Qt.ItemDataRole.DisplayRole))
            assert fm.horizontalAdvance(value) < tree.columnWidth(ParameterModel.VALUE)
            assert tree.fontMetrics().horizontalAdvance(unit) < tree.columnWidth(ParameterModel.UNIT)
