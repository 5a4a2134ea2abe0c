"""A consultant's first hour, numbers: a base value outside its distribution is marked on the
editor's row, named in the Monte Carlo and tornado views, and editing it offers to move the
distribution with it (one undo step); fractions read and type as percentages; a scenario without
distributions gets a Monte Carlo chart saying what to do; the tornado counts its default ranges."""

from __future__ import annotations

import pytest
from PySide6 import QtCore

pytestmark = pytest.mark.usefixtures("no_dangling_threads")
Qt = QtCore.Qt
KEY = "auto.batch_success_rate"  # the example's first scenario: triangular 0.85 .. 0.99, base 0.95


def _value(w, key):
    m = w.editor.model
    return m.index_for_key(key)


def test_a_base_outside_its_distribution_is_flagged_and_may_move_it(qtbot, make_window, fake_prompts):
    w = make_window()
    w.show()
    s = w.doc.project.scenarios[0]
    fake_prompts.confirm_answer = False
    assert w.editor.set_value(KEY, "50%")
    assert s.parameters[KEY] == pytest.approx(0.5) and s.uncertainty[KEY]["low"] == 0.85  # not moved
    ix = _value(w, KEY)
    tip = ix.siblingAtColumn(0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Outside its distribution" in tip and f"'{s.name}'" in tip and KEY in tip
    assert ix.siblingAtColumn(0).data(Qt.ItemDataRole.DecorationRole) is not None  # the warning mark
    assert ix.data(Qt.ItemDataRole.DisplayRole) == "50%"
    mc = w.show_analysis("montecarlo")
    qtbot.waitUntil(lambda: mc.outside.isVisible())
    assert s.name in mc.outside.text() and KEY in mc.outside.text()
    tornado = w.show_analysis("tornado")
    tornado.compute()
    assert tornado.outside.isVisible() and KEY in tornado.outside.text()
    assert "swing by the default -/+20%" in tornado.chart.warning.text()
    w.doc.undo_stack.undo()
    assert s.parameters[KEY] == pytest.approx(0.95)
    # the prompt moves the distribution: 0.6 sits where 0.95 did (scaled by 0.6 / 0.95)
    fake_prompts.confirm_answer = True
    assert w.editor.set_value(KEY, "60%")
    assert s.parameters[KEY] == pytest.approx(0.6)
    assert s.uncertainty[KEY]["mode"] == pytest.approx(0.6)
    assert s.uncertainty[KEY]["low"] == pytest.approx(0.85 * 0.6 / 0.95)
    assert s.uncertainty[KEY]["high"] == pytest.approx(0.99 * 0.6 / 0.95)
    assert not ix.siblingAtColumn(0).data(Qt.ItemDataRole.DecorationRole)
    w.doc.undo_stack.undo()  # one step takes both back
    assert s.parameters[KEY] == pytest.approx(0.95) and s.uncertainty[KEY]["low"] == 0.85


def test_fractions_type_as_percent_or_decimal(make_window):
    w = make_window()
    s = w.doc.project.scenarios[0]
    assert w.editor.set_value(KEY, "92%") and s.parameters[KEY] == pytest.approx(0.92)
    assert w.editor.set_value(KEY, "0.9") and s.parameters[KEY] == pytest.approx(0.9)
    assert _value(w, KEY).data(Qt.ItemDataRole.DisplayRole) == "90%"
    rng = _value(w, KEY).siblingAtColumn(w.editor.model.RANGE).data(Qt.ItemDataRole.DisplayRole)
    assert rng == "1% to 100%"


def test_a_scenario_without_distributions_says_what_to_do(qtbot, make_window):
    from cgtdesk import chartdata
    from cgtdesk.core.analyses import monte_carlo

    w = make_window()
    project = w.doc.project
    project.scenarios[0].uncertainty.clear()
    project.scenarios[0].correlations.clear()
    r = monte_carlo(project.scenarios[:1], 200, 1)
    data = chartdata.monte_carlo_data(r, project.scenarios[0].name, project)
    assert not data.sampled and "add distributions in the Uncertainty editor" in data.finding
    view = w.show_analysis("montecarlo")
    view.chart.update_data(data)
    assert "add distributions in the Uncertainty editor" in view.chart.showing_message()
    assert view.chart.graphics.isHidden()  # no bare 0-1 axes


def test_the_monte_carlo_and_tornado_slides_footnote_a_base_outside_its_distribution(qtbot, example_path):
    from cgtdesk.gui.present import build_slides
    from cgtdesk.io import load_any

    project = load_any(example_path)
    project.scenarios[0].parameters[KEY] = 0.5
    from cgtdesk.core.analyses import monte_carlo

    slides = {s.name: s for s in build_slides(project, monte_carlo=monte_carlo(project, 200, 1))}
    for name in ("montecarlo", "tornado"):
        assert KEY in slides[name].footer.text() and project.scenarios[0].name in slides[name].footer.text()
    assert all(KEY not in s.footer.text() for n, s in slides.items() if n not in ("montecarlo", "tornado"))
