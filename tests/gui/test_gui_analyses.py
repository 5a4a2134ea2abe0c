"""The analysis views driven as a user would: Monte Carlo run and cancel on a worker, tornado,
goal seek (answer, apply, undo), sweep & crossover, and the uncertainty editor (undoable).

The numbers shown are checked against the core analyses (which have their own hand-worked and
brute-force tests) and, where cheap, against the model directly.
"""

from __future__ import annotations

import pytest
from PySide6 import QtCore

from cgtdesk.core import analyses
from cgtdesk.core.analyses.presets import MC_RESULTS
from cgtdesk.core.formatting import money, patients, percent
from cgtdesk.core.model import evaluate
from cgtdesk.core.project import Project
from cgtdesk.gui.analyses import MonteCarloView
from cgtdesk.gui.analyses.common import fmt_result, table_text
from cgtdesk.io.projectfile import load_project

pytestmark = pytest.mark.usefixtures("no_dangling_threads")


@pytest.fixture
def project(example_path):
    return load_project(example_path)


@pytest.fixture
def small_project(project):
    """One autologous and one allogeneic scenario (a Monte Carlo chunk takes half as long)."""
    return Project(project.title, project.currency, [project.scenarios[0], project.scenarios[2]])


def test_monte_carlo_view_shows_the_core_numbers_for_the_same_seed(qtbot, make_window, project):
    w = make_window(project)
    view = w.show_analysis("montecarlo")
    view.samples.setValue(3_000)
    view.seed.setText("4242")
    with qtbot.waitSignal(view.runner.finished, timeout=60_000):
        view.run_button.click()
    expected = analyses.monte_carlo(project, 3_000, 4242, results=MC_RESULTS)
    r = view.result
    assert r.complete and r.samples == 3_000 and r.seed == 4242
    rows = table_text(view.summary)
    assert [row[0] for row in rows] == project.names()
    for row, s in zip(rows, expected.scenarios, strict=True):
        m = s.summaries["cogs_per_dose"]
        assert row[1] == f"{s.valid_samples:,}" and row[2] == f"{s.invalid_samples:,}"
        assert row[3:10] == [money(m[k]) for k in ("mean", "sd", "p5", "p10", "p50", "p90", "p95")]
        assert row[10] == percent(s.p_meets_target, 1)
    # P(B cheaper than A): row A, column B
    names = project.names()
    for c in expected.comparisons:
        i, j = names.index(c.a), names.index(c.b)
        assert view.compare.item(i, j).text() == percent(c.p_b_cheaper, 1)
    sens = table_text(view.sensitivity)
    assert [row[1] for row in sens] == [k for k, _ in expected.scenarios[0].sensitivity]
    assert sens[0][2] == f"{expected.scenarios[0].sensitivity[0][1]:+.3f}"
    # the chart shows the histogram of the selected scenario with the target and P10/P50/P90
    d = view.chart.data
    assert d.complete and d.scenario == names[0]
    assert d.p50 == pytest.approx(expected.scenarios[0].summaries["cogs_per_dose"]["p50"])
    assert d.target == pytest.approx(
        evaluate(project.scenarios[0].process, project.scenarios[0].parameters)["max_allowable_cogs_per_dose"]
    )
    assert "of 3,000 runs" in view.answer.text()
    # and the chart panel's Monte Carlo tab got the same run
    if w.chart_panel is not None:
        assert w.chart_panel.monte_carlo is r


def test_cancelled_run_shows_nothing_and_its_worker_stops(qtbot, make_window, small_project):
    w = make_window(small_project)
    view: MonteCarloView = w.show_analysis("montecarlo")
    view.samples.setValue(1_000_000)
    with qtbot.waitSignal(view.runner.progress, timeout=60_000):
        view.run()
    assert view.cancel_button.isEnabled()
    with qtbot.waitSignal(view.runner.cancelled, timeout=60_000) as got:
        view.cancel_button.click()
    partial = got.args[0]
    assert not partial.complete and partial.samples_done < 1_000_000
    assert view.result is None and view.chart.data is None  # nothing half-computed shown as a result
    assert view.summary.rowCount() == 0 and view.compare.rowCount() == 0
    assert f"Cancelled after {partial.samples_done:,} of 1,000,000 samples" in view.status.text()
    assert not view.runner.is_busy() and not view.cancel_button.isEnabled()
    assert QtCore.QThreadPool.globalInstance().waitForDone(10_000)


def test_a_new_run_replaces_the_one_running(qtbot, make_window, small_project):
    w = make_window(small_project)
    view = w.show_analysis("montecarlo")
    with qtbot.waitSignal(view.runner.progress, timeout=60_000):
        view.run(samples=1_000_000, seed=1)
    with qtbot.waitSignal(view.runner.finished, timeout=60_000) as got:
        view.run(samples=2_000, seed=2)
    assert got.args[0].samples == 2_000 and view.result.samples == 2_000
    assert view.runner.wait(30_000)
    QtCore.QCoreApplication.processEvents()
    assert view.result.samples == 2_000  # the superseded run never lands


def test_tornado_table_matches_the_core(qtbot, make_window, project):
    w = make_window(project)
    view = w.show_analysis("tornado")
    name = project.scenarios[2].name
    view.follow_scenario(name)
    view.compute()
    expected = analyses.tornado(project.scenario(name))
    rows = table_text(view.table)
    assert [r[1] for r in rows] == [b.key for b in expected.bars]
    for r, b in zip(rows, expected.bars, strict=True):
        assert r[4:7] == [fmt_result("cogs_per_dose", v) for v in (b.result_low, b.result_high, b.swing)]
    top = expected.bars[0]
    assert view.chart.data.rows[0].key == top.key
    # the largest swing, checked against the model itself
    p = dict(project.scenario(name).parameters)
    lo, hi = dict(p), dict(p)
    lo[top.key], hi[top.key] = top.low, top.high
    proc = project.scenario(name).process
    assert abs(evaluate(proc, hi)["cogs_per_dose"] - evaluate(proc, lo)["cogs_per_dose"]) == pytest.approx(top.swing, rel=1e-12)


def test_goal_seek_answer_apply_and_undo(qtbot, make_window, project):
    w = make_window(project)
    view = w.show_analysis("goalseek")
    s = project.scenarios[0]
    view.set_question(scenario=s.name, vary="auto.batch_success_rate", result="cogs_per_dose", target="max_allowable")
    with qtbot.waitSignal(view.runner.finished, timeout=60_000):
        view.solve_button.click()
    expected = analyses.solve(s, "auto.batch_success_rate", "cogs_per_dose", "max_allowable")
    assert view.solution.value == pytest.approx(expected.value, rel=1e-12)
    shown = view.shown_value
    assert expected.value <= shown < expected.value + 1e-3  # rounded up: "at least"
    assert "must be at least" in view.answer.text() and "batch success rate" in view.answer.text()
    # independent check of the stated value on the model: it meets the target, a bit less does not
    for v, ok in ((shown, True), (expected.value - 1e-4, False)):
        r = evaluate(s.process, {**s.parameters, "auto.batch_success_rate": v})
        assert (r["cogs_per_dose"] <= r["max_allowable_cogs_per_dose"]) is ok
    assert view.chart.data[0] is view.solution and view.apply_button.isEnabled()
    view.apply_button.click()
    assert w.doc.project.scenarios[0].parameters["auto.batch_success_rate"] == shown
    assert w.doc.is_modified()
    w.doc.undo_stack.undo()
    assert w.doc.project.scenarios[0].parameters["auto.batch_success_rate"] == 0.95
    w.doc.undo_stack.redo()
    assert w.doc.project.scenarios[0].parameters["auto.batch_success_rate"] == shown


def test_goal_seek_says_plainly_when_no_value_meets_the_target(qtbot, make_window, project):
    w = make_window(project)
    view = w.show_analysis("goalseek")
    view.set_question(scenario=project.scenarios[0].name, vary="auto.qc_cost_per_batch", target="1,000")
    with qtbot.waitSignal(view.runner.finished, timeout=60_000):
        view.solve()
    assert not view.solution.reachable
    # the label as a sentence: its first letter lowered, acronyms (QC) kept
    assert view.answer.text().startswith("No QC release tests and their consumables per batch in its valid range")
    assert not view.apply_button.isEnabled()


def test_sweep_view_states_the_crossover(qtbot, make_window, project):
    w = make_window(project)
    view = w.show_analysis("sweep")
    a, b = project.scenarios[0], project.scenarios[2]
    with qtbot.waitSignal(view.runner.finished, timeout=60_000):
        view.set_pair(a.name, b.name)
    xo = analyses.crossover(a, b, "cogs_per_dose", 1.0, 1e5)
    assert view.crossover.b_cheaper_from == pytest.approx(xo.b_cheaper_from, rel=1e-9)
    assert view.chart.data.b_cheaper_from == pytest.approx(xo.b_cheaper_from, rel=1e-9)
    assert f"{b.name} is cheaper than {a.name} from {patients(xo.b_cheaper_from)} patients a year" in view.chart.title.text()
    assert f"{b.name} becomes cheaper than {a.name}" in view.crossings.text()
    # one less patient than the stated demand: A is still cheaper there (the sentence is right)
    n = int(patients(xo.b_cheaper_from).replace(",", ""))
    ra = evaluate(a.process, {**a.parameters, "demand.patients_per_year": n - 1})["cogs_per_dose"]
    rb = evaluate(b.process, {**b.parameters, "demand.patients_per_year": n - 1})["cogs_per_dose"]
    assert ra < rb


def test_uncertainty_editor_sets_refuses_and_undoes(qtbot, make_window, project):
    w = make_window(project)
    ed = w.show_analysis("uncertainty")
    doc = w.doc
    s = doc.project.scenarios[0]
    key = "auto.consumables_per_batch"
    before = dict(s.uncertainty[key])
    ed.select_parameter(key)
    ed.set_kind("triangular")
    for f, v in (("low", "15,000"), ("mode", "18000"), ("high", "30000")):
        ed.field_edits[f].setText(v)
    assert ed.apply()
    assert s.uncertainty[key] == {"dist": "triangular", "low": 15000, "mode": 18000, "high": 30000}
    assert doc.is_modified()
    assert ed.samples is not None and 15000 <= ed.samples.min() and ed.samples.max() <= 30000
    # refused in place: mode above high; nothing changed, nothing pushed
    n = doc.undo_stack.count()
    ed.field_edits["mode"].setText("40000")
    ed._validate()
    assert not ed.apply_button.isEnabled()
    assert not ed.apply()
    assert "low <= mode <= high" in ed.reason.text() and not ed.reason.isHidden()
    assert doc.undo_stack.count() == n and s.uncertainty[key]["mode"] == 18000
    ed.field_edits["mode"].setText("abc")
    assert not ed.apply() and "expected a number" in ed.reason.text()
    # undo / redo
    doc.undo_stack.undo()
    assert s.uncertainty[key] == before
    doc.undo_stack.redo()
    assert s.uncertainty[key]["dist"] == "triangular"


def test_uncertainty_correlations_and_removal_are_one_undoable_step(qtbot, make_window, project):
    w = make_window(project)
    ed = w.show_analysis("uncertainty")
    doc = w.doc
    s = doc.project.scenarios[0]
    corr_before = [dict(c) for c in s.correlations]
    assert corr_before and corr_before[0]["a"] == "auto.batch_success_rate"
    assert not ed.set_correlation("auto.batch_success_rate", "labour.cost_per_fte_year", "1.5")
    assert "strictly between -1 and 1" in ed.corr_reason.text() and s.correlations == corr_before
    assert ed.set_correlation("auto.batch_success_rate", "labour.cost_per_fte_year", "0.2")
    assert {"a": "auto.batch_success_rate", "b": "labour.cost_per_fte_year", "rho": 0.2} in s.correlations
    # removing a distribution takes its correlations with it, in one step
    ed.select_parameter("auto.batch_success_rate")
    assert ed.remove()
    assert "auto.batch_success_rate" not in s.uncertainty
    assert all("auto.batch_success_rate" not in (c["a"], c["b"]) for c in s.correlations)
    doc.undo_stack.undo()
    assert "auto.batch_success_rate" in s.uncertainty and len(s.correlations) == 2
    doc.undo_stack.undo()
    assert s.correlations == corr_before


def test_parameter_context_menu_opens_the_analyses(qtbot, make_window, project):
    w = make_window(project)
    ix = w.editor.filter.mapFromSource(w.editor.model.index_for_key("auto.vector_cost_per_batch", 0))
    w.editor.tree.setCurrentIndex(ix)
    assert w.acts["param_uncertainty"] in w.editor.tree.actions()
    w.acts["param_uncertainty"].trigger()
    assert w.analyses.currentWidget() is w.analyses.views["uncertainty"]
    assert w.analyses.views["uncertainty"].key() == "auto.vector_cost_per_batch"
    w.acts["param_goalseek"].trigger()
    gs = w.analyses.views["goalseek"]
    assert w.analyses.currentWidget() is gs and gs.vary.currentData() == "auto.vector_cost_per_batch"


def test_screenshot_views_render_after_running(qtbot, make_window, project):
    from cgtdesk.chartdata.registry import VIEWS
    from cgtdesk.gui.headless import render_view

    assert {"sweep", "tornado-analysis", "montecarlo-analysis", "goalseek", "uncertainty", "analyses"} <= set(VIEWS)
    w = make_window(project)
    w.resize(1440, 900)
    w.show()
    qtbot.waitExposed(w)
    image = render_view(w, "tornado-analysis").toImage()
    assert image.width() > 600 and image.height() > 400
    colours = {image.pixel(x, y) for x in range(0, image.width(), 23) for y in range(0, image.height(), 23)}
    assert len(colours) > 8  # a drawn chart and table, not a blank widget
    assert w.analyses.views["tornado"].table.rowCount() == len(analyses.tornado(project.scenarios[0]).bars)


def test_analysis_charts_export_as_pictures(qtbot, make_window, project, tmp_path):
    w = make_window(project)
    view = w.show_analysis("goalseek")
    view.set_question(scenario=project.scenarios[2].name, vary="allo.vector_cost_per_lot", target="max_allowable")
    with qtbot.waitSignal(view.runner.finished, timeout=60_000):
        view.solve()
    assert view.solution.reachable and "at most" in view.answer.text()  # the highest vector cost allowed
    assert w.analyses.export_chart(view.chart, tmp_path / "goalseek.png")
    assert (tmp_path / "goalseek.png").stat().st_size > 1000
    tornado = w.show_analysis("tornado")
    tornado.compute()
    img = w.analyses.copy_chart(tornado.chart)
    assert (img.width(), img.height()) == (1920, 1080)
