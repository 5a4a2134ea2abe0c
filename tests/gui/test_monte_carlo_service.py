"""The one Monte Carlo path of the GUI: a MonteCarloService run on the thread pool, its result
shown by the chart panel and the Analyses view alike."""

import pytest

from cgtdesk.core.analyses import monte_carlo, presets
from cgtdesk.io import load_any

pytestmark = pytest.mark.usefixtures("no_dangling_threads")


@pytest.fixture
def project(example_path):
    return load_any(example_path)


def test_a_run_is_the_core_monte_carlo_of_a_copy(qtbot, project):
    from cgtdesk.gui.workers import MonteCarloService

    svc = MonteCarloService()
    as_run = project.copy()
    changed = []
    svc.resultChanged.connect(changed.append)
    with qtbot.waitSignal(svc.finished, timeout=60_000) as got:
        svc.run(project, 2_000, 11)
        project.scenarios[0].parameters["demand.patients_per_year"] = 900  # editing goes on meanwhile
    r = got.args[0]
    assert svc.result is r and changed == [r]
    assert r.complete and r.samples == 2_000 and r.seed == 11 and r.results == presets.MC_RESULTS
    expected = monte_carlo(as_run, 2_000, 11, results=presets.MC_RESULTS)
    for s, want in zip(r.scenarios, expected.scenarios, strict=True):
        assert s.summaries["cogs_per_dose"] == want.summaries["cogs_per_dose"]
        assert s.p_meets_target == want.p_meets_target
    assert svc.is_current(as_run)
    assert not svc.is_current(project)  # edited after the run started
    assert svc.shutdown()


def test_a_cancelled_run_keeps_the_last_complete_result(qtbot, project):
    from cgtdesk.gui.workers import MonteCarloService

    svc = MonteCarloService()
    first = svc.run_now(project, 1_000, 3)
    assert svc.result is first and svc.is_current(project)
    with qtbot.waitSignal(svc.cancelled, timeout=60_000) as got:
        svc.run(project, 1_000_000, 3)
        svc.cancel()
    partial = got.args[0]
    assert partial is None or not partial.complete
    assert svc.result is first
    assert svc.shutdown()


def test_the_chart_panel_and_the_analyses_view_show_one_run(qtbot, project):
    from cgtdesk.gui.analyses.montecarlo import MonteCarloView
    from cgtdesk.gui.charts import ChartPanel
    from cgtdesk.gui.document import ProjectDocument
    from cgtdesk.gui.workers import MonteCarloService

    svc = MonteCarloService()
    panel = ChartPanel(monte_carlo=svc)
    qtbot.addWidget(panel)
    panel.set_project(project)
    doc = ProjectDocument(project.copy())
    view = MonteCarloView(doc, monte_carlo=svc)
    qtbot.addWidget(view)
    assert panel.mc_button.text() == f"Run Monte Carlo ({presets.MC_SAMPLES:,} samples)"
    with qtbot.waitSignal(svc.finished, timeout=60_000):
        panel.mc_button.click()  # the panel's button runs the preset run on the service
    r = svc.result
    assert (r.samples, r.seed) == (presets.MC_SAMPLES, presets.MC_SEED)
    assert panel.monte_carlo is r and view.result is r
    assert panel.charts["montecarlo"].data.samples == presets.MC_SAMPLES
    assert view.chart.data.samples == presets.MC_SAMPLES
    assert "made before your last edit" not in panel.charts["montecarlo"].title.text()
    edited = project.copy()
    edited.scenarios[0].parameters["auto.qc_cost_per_batch"] = 24_000
    panel.set_project(edited)
    assert panel.charts["montecarlo"].title.text().startswith("Out of date: made before your last edit")
    assert svc.shutdown()
