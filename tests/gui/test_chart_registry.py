"""The chart panel's tabs, the slides, the deck and the --view choices all follow the one registry."""

import pytest

from cgtdesk.chartdata import registry
from cgtdesk.core.analyses import monte_carlo
from cgtdesk.io import load_any


@pytest.fixture(scope="module")
def project(example_path_module):
    return load_any(example_path_module)


@pytest.fixture(scope="module")
def example_path_module():
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"


def test_the_registry_is_consistent():
    ids = [c.id for c in registry.CHARTS]
    assert len(set(ids)) == len(ids)
    assert registry.TABS == tuple(c.id for c in registry.CHARTS if c.tab)
    assert registry.SLIDES == tuple(c.id for c in registry.CHARTS if c.slide)
    assert len(set(registry.VIEWS)) == len(registry.VIEWS)
    for c in registry.CHARTS:
        assert c.data.__module__.startswith("cgtdesk.chartdata") and callable(c.of)


def test_chart_widgets_tabs_and_slides_follow_the_registry(qtbot, project):
    from cgtdesk.gui.charts import CHART_CLASSES, ChartPanel
    from cgtdesk.gui.present import PresentationWindow

    assert set(CHART_CLASSES) == {c.id for c in registry.CHARTS}
    panel = ChartPanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    assert tuple(panel.charts) == registry.TABS
    assert [panel.tabs.tabText(i) for i in range(panel.tabs.count())] == [registry.chart(c).title for c in registry.TABS]
    mc = monte_carlo(project, 1000, 5, results=("cogs_per_dose",))
    w = PresentationWindow(project, monte_carlo=mc)
    qtbot.addWidget(w)
    assert tuple(s.name for s in w.slides) == registry.SLIDES
    assert [w.slides[i].chart.name for i in range(w.count())] == list(registry.SLIDES)


def test_view_choices_are_the_registry():
    from cgtdesk.gui.analyses import VIEW_CLASSES
    from cgtdesk.gui.app import parse_gui_args

    for view in registry.VIEWS:
        assert parse_gui_args(["--screenshot", "x.png", "--view", view]).view == view
    with pytest.raises(SystemExit):
        parse_gui_args(["--screenshot", "x.png", "--view", "no-such-view"])
    assert set(registry.TABS) <= set(registry.VIEWS)
    assert set(registry.ANALYSIS_VIEWS.values()) <= set(VIEW_CLASSES)
