"""The chart panel builds and draws a tab's chart when it is first shown or looked up, and keeps every
chart built so far up to date: the first paint draws the chart on top alone."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from cgtdesk.chartdata import registry  # noqa: E402
from cgtdesk.core.model import evaluate  # noqa: E402
from cgtdesk.io import load_any  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"


@pytest.fixture
def panel(qtbot):
    from cgtdesk.gui.charts import ChartPanel

    p = ChartPanel()
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.set_project(load_any(EXAMPLE))
    p.show()
    qtbot.waitExposed(p)
    return p


def test_only_the_chart_on_top_is_built_at_first(panel):
    assert list(panel._built) == [registry.TABS[0]]
    assert panel.current_chart()[0] == registry.TABS[0]
    assert [panel.tabs.tabText(i) for i in range(panel.tabs.count())] == [registry.chart(c).title for c in registry.TABS]
    assert panel.charts["breakdown"].data is not None


def test_a_tab_is_built_and_drawn_when_shown(panel):
    index = registry.TABS.index("waterfall")
    panel.tabs.setCurrentIndex(index)
    chart = panel.tabs.currentWidget()
    assert chart is panel.charts["waterfall"] and chart.name == "waterfall"
    name = panel.project.names()[0]
    assert chart.data.scenario == name
    r = evaluate(panel.project.scenario(name).process, panel.project.scenario(name).parameters)
    assert chart.data.cogs == pytest.approx(r["cogs_per_dose"], rel=1e-12)


def test_a_built_chart_follows_later_edits_and_the_scenario(panel):
    chart = panel.charts["waterfall"]  # built by the lookup, though not on top
    assert panel.tabs.currentIndex() == 0
    other = panel.project.names()[2]
    panel.set_current_scenario(other)
    assert chart.data.scenario == other
    assert chart is panel.charts["waterfall"]
    with pytest.raises(KeyError):
        panel.chart("plan-cash")  # a chart of the Launch plan view, not a tab
    assert panel.charts.get("plan-cash") is None
