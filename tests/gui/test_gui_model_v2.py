"""The window on model version 2: the facility mode's combo box, the greyed keys of the mode and
the sizing rule, the vein-to-vein chart, the labour read-out of the breakdown and the notice of
a version 1 file. Expected numbers are worked by hand (or by an Erlang C written here)."""

from __future__ import annotations

import json
import math

import pytest
from PySide6 import QtCore, QtWidgets

from cgtdesk import chartdata
from cgtdesk.chartdata import registry
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.project import Project, new_scenario
from cgtdesk.gui.models import ParameterModel
from cgtdesk.io.projectfile import load_project

pytestmark = pytest.mark.usefixtures("no_dangling_threads")
Qt = QtCore.Qt
CDMO = 5  # the example's 6th scenario, "Autologous, contract manufacturer (CDMO)"


def greyed(w, key) -> bool:
    ix = w.editor.model.index_for_key(key, ParameterModel.LABEL)
    return w.editor.model.data(ix, Qt.ItemDataRole.ForegroundRole) is not None


def tooltip(w, key) -> str:
    return w.editor.model.data(w.editor.model.index_for_key(key), Qt.ItemDataRole.ToolTipRole)


def test_the_mode_combo_changes_the_mode_and_undo_restores_it(qtbot, make_window):
    w = make_window()
    w.show()
    qtbot.waitExposed(w)
    w.select_scenario(0)
    ix = w.editor.filter.mapFromSource(w.editor.model.index_for_key("facility.mode"))
    w.editor.tree.setCurrentIndex(ix)
    w.editor.tree.scrollTo(ix)
    w.editor.tree.edit(ix)
    combo = w.editor.tree.indexWidget(ix)
    assert isinstance(combo, QtWidgets.QComboBox)
    assert [combo.itemData(i) for i in range(combo.count())] == ["dedicated", "shared", "cdmo"]
    assert all(" - " in combo.itemText(i) for i in range(combo.count()))  # each with its description
    assert combo.currentData() == "dedicated"
    k = combo.findData("cdmo")
    combo.setCurrentIndex(k)
    combo.activated.emit(k)
    QtWidgets.QApplication.processEvents()
    s = w.doc.scenarios[0]
    assert s.parameters["facility.mode"] == "cdmo"
    assert greyed(w, "facility.site_capex") and not greyed(w, "cdmo.fee_per_batch")
    w.doc.undo_stack.undo()
    assert s.parameters["facility.mode"] == "dedicated"
    assert not greyed(w, "facility.site_capex") and greyed(w, "cdmo.fee_per_batch")
    w.doc.undo_stack.redo()
    assert s.parameters["facility.mode"] == "cdmo"


def test_greyed_keys_and_their_reasons_follow_the_mode_and_the_rule(qtbot, make_window):
    w = make_window()
    w.select_scenario(0)  # autologous, dedicated, service level 0.95
    assert greyed(w, "facility.max_utilisation") and "service-level rule" in tooltip(w, "facility.max_utilisation")
    assert not greyed(w, "auto.max_wait_days")
    assert greyed(w, "cdmo.oversight_fte") and "only in cdmo mode" in tooltip(w, "cdmo.oversight_fte")
    for key in ("facility.site_capex", "staff.site_fte", "auto.device_capex", "labour.min_crew_per_suite"):
        assert not greyed(w, key)
    # the utilisation rule: the maximum wait is what goes unused
    assert w.set_value("auto.service_level", "0")
    assert not greyed(w, "facility.max_utilisation")
    assert greyed(w, "auto.max_wait_days") and "utilisation rule" in tooltip(w, "auto.max_wait_days")
    # the CDMO scenario: the contract replaces building, equipment and staff; its own keys are used
    w.select_scenario(CDMO)
    for key in (
        "facility.site_capex",
        "facility.suite_running_cost_year",
        "facility.maintenance_rate",
        "staff.site_fte",
        "staff.support_fte_per_suite",
        "labour.min_crew_per_suite",
        "auto.operator_hours_per_batch",
        "auto.qc_qa_hours_per_batch",
        "auto.device_capex",
        "finance.equipment_life_years",
    ):
        assert greyed(w, key), key
        assert "cdmo mode" in tooltip(w, key)
    for key in ("cdmo.fee_per_batch", "labour.cost_per_fte_year", "auto.consumables_per_batch", "finance.discount_rate"):
        assert not greyed(w, key), key
    # greyed rows stay editable
    ix = w.editor.model.index_for_key("facility.site_capex")
    assert w.editor.model.flags(ix) & Qt.ItemFlag.ItemIsEditable
    assert w.set_value("facility.site_capex", "2e7")
    # an allogeneic scenario never greys the maximum utilisation (its bioreactors use it)
    w.select_scenario(2)
    assert not greyed(w, "facility.max_utilisation")


def erlang_c(c: int, a: float) -> float:
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1 - b))


def test_vein_to_vein_parts_sum_to_the_result_and_one_by_hand(example_path):
    project = load_project(example_path)
    d = chartdata.vein_to_vein(project)
    res = chartdata.scenario_results(project)
    for i, s in enumerate(project.scenarios):
        assert d.days[i].sum() == pytest.approx(res[s.name][0]["vein_to_vein_days"], rel=1e-12)
    # the first scenario at the defaults: 2 + wait + 9 + 7 + 2 + (0.05 / 0.95) * 21 days; the wait
    # by Erlang C: 526.3 batches a year on 300 days, cycle 10 d, a = 17.54, the fewest devices
    # c > a with EC(c, a) * exp(-(c - a) * 2 / 10) <= 0.05
    a = 500 / 0.95 / 300 * 10
    c = math.floor(a) + 1
    while erlang_c(c, a) * math.exp(-(c - a) * 2 / 10) > 0.05:
        c += 1
    wait = erlang_c(c, a) * 10 / (c - a)
    assert list(d.days[0]) == pytest.approx([2, wait, 9, 7, 2, 0.05 / 0.95 * 21], rel=1e-12)
    # allogeneic: off the shelf, shipping only (2 days)
    assert list(d.days[2]) == [0, 0, 0, 0, 2, 0]
    # the utilisation rule has no wait: 2 + 9 + 7 + 2 + 21/19 = 21.105 days
    p = Project(scenarios=[new_scenario("U", "autologous", {"auto.service_level": 0})])
    u = chartdata.vein_to_vein(p)
    assert u.days[0, 1] == 0 and u.totals[0] == pytest.approx(20 + 21 / 19, rel=1e-12)
    # the CDMO scenario takes longest (3 + 13 days of its own before shipping): the finding says so
    assert d.finding.startswith("Autologous, contract manufacturer (CDMO) takes longest")
    assert "QC release the largest part (13 days)" in d.finding and "off the shelf" in d.finding


def test_the_vein_to_vein_chart_is_a_tab_a_slide_and_a_view(qtbot, make_window):
    from cgtdesk.gui.headless import render_view
    from cgtdesk.gui.present import PresentationWindow

    cid = "vein-to-vein"
    assert cid in registry.TABS and cid in registry.SLIDES and cid in registry.VIEWS
    w = make_window()
    w.flush_charts()
    chart = w.chart_panel.charts[cid]
    assert chart.data is not None and chart.title.text() == chart.data.finding
    titles = [w.chart_panel.tabs.tabText(i) for i in range(w.chart_panel.tabs.count())]
    assert "Vein to vein" in titles
    p = PresentationWindow(w.doc.project)
    qtbot.addWidget(p)
    assert cid in [s.name for s in p.slides]
    assert not render_view(w, cid).isNull()


def test_the_breakdown_read_out_of_labour_names_its_parts(qtbot, make_window):
    w = make_window()
    w.flush_charts()
    chart = w.chart_panel.charts["breakdown"]
    d = chart.data
    j = d.categories.index("labour")
    y = float(d.per_dose[0, :j].sum() + d.per_dose[0, j] / 2)  # the middle of the first bar's labour
    text = chart.hover_text(chart.plot, 0.0, y)
    # the defaults at 500 patients: 6 suites; crew ceil(6*2*3000/1700) = 22, hands-on and QC/QA
    # ceil(526.3*60/1700) = 19 each, site and support 15 + 2*6 = 27: max(22, 19) + 19 + 27 = 68
    assert "Labour" in text
    assert "68 FTE" in text and "crew 22" in text and "hands-on 19" in text and "QC/QA 19" in text
    assert "site and support staff 27" in text


def _v1_file(example_path, tmp_path):
    data = json.loads(example_path.read_text(encoding="utf-8"))
    data["format_version"] = 1
    data.pop("plan", None)
    added = set(catalogue().added_in(2))
    for s in data["scenarios"]:
        s["parameters"] = {k: v for k, v in s["parameters"].items() if k not in added}
        s["uncertainty"] = {k: v for k, v in s.get("uncertainty", {}).items() if k not in added}
        s["correlations"] = [c for c in s.get("correlations", []) if c["a"] not in added and c["b"] not in added]
    path = tmp_path / "old.cgtproj"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_version_1_project_says_once_that_it_was_upgraded(qtbot, make_window, example_path, tmp_path, fake_prompts):
    old = _v1_file(example_path, tmp_path)
    w = make_window(load_project(old), old)
    assert not w.editor.notice_frame.isHidden()
    assert "format version 1" in w.editor.notice.text()
    assert "format version 1" in w.statusBar().currentMessage()
    assert w.doc.project.notices == []  # spent: said once
    w.tell_notices()
    assert w.editor.notice_frame.isHidden()
    # another project loaded in the window (as Open does): a version 2 one says nothing, the old one again
    w.doc.load(load_project(example_path), example_path)
    assert w.editor.notice_frame.isHidden()
    w.doc.load(load_project(old), old)
    assert "format version 1" in w.editor.notice.text() and not w.editor.notice_frame.isHidden()
    assert "format version 1" in w.statusBar().currentMessage()
    assert fake_prompts.errors == [] and QtWidgets.QApplication.activeModalWidget() is None


def test_the_results_table_shows_the_version_2_results(make_window):
    w = make_window()
    m = w.results.model()
    rows = {m.result_key(r): r for r in range(m.rowCount())}
    for key in ("expired_fraction", "slot_wait_days", "payer_cost_per_durable_response"):
        assert key in rows
    col = 2  # the first scenario (autologous): no expired fraction, a slot wait
    assert m.data(m.index(rows["expired_fraction"], col)) == "-"
    assert m.data(m.index(rows["slot_wait_days"], col)).endswith(" d")
    # the payer's view by hand: (400,000 * 1 + 50,000) / 0.4 = 1,125,000
    assert m.data(m.index(rows["payer_cost_per_durable_response"], col)) == "USD 1,125,000"
    assert m.data(m.index(rows["slot_wait_days"], col + 2)) == "-"  # allogeneic: none
