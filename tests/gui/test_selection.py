"""The Selection: the one owner of the current scenario and the compared pair, valid whatever
happens to the project (renames, reorders, deletes and their undo, another project loaded)."""

from __future__ import annotations

import pytest

from cgtdesk.core.project import Project
from cgtdesk.core.templates import template
from cgtdesk.gui.document import ProjectDocument
from cgtdesk.gui.selection import Selection
from cgtdesk.io.projectfile import load_project

AUTO_CENTRAL = "Autologous, automated, central"
AUTO_DECENTRAL = "Autologous, decentralised (4 sites)"
ALLO_20 = "Allogeneic CAR-T, 20 L bioreactor"
ALLO_50 = "Allogeneic CAR-T, 50 L bioreactor"
AUTO_MANUAL = "Autologous, manual open process"
AUTO_CDMO = "Autologous, contract manufacturer (CDMO)"


@pytest.fixture
def sel(qapp, example_path):
    doc = ProjectDocument(load_project(example_path))
    s = Selection(doc)
    s.seen = []
    s.current_changed.connect(lambda name: s.seen.append(("current", name)))
    s.pair_changed.connect(lambda a, b: s.seen.append(("pair", a, b)))
    yield s
    doc.deleteLater()


def test_starts_on_the_first_scenario_and_the_first_autologous_vs_allogeneic_pair(sel):
    assert sel.current_name() == AUTO_CENTRAL and sel.index() == 0
    # the example lists autologous, autologous, allogeneic, ...: the default pair is the 1st against the 3rd
    assert sel.pair() == (AUTO_CENTRAL, ALLO_20)


def test_choosing_announces_once(sel):
    sel.set_current(3)
    sel.set_current(ALLO_50)  # the same one again, by name: nothing new
    assert sel.current_name() == ALLO_50 and sel.index() == 3
    sel.set_pair(AUTO_DECENTRAL, ALLO_50)
    assert sel.seen == [("current", ALLO_50), ("pair", AUTO_DECENTRAL, ALLO_50)]


def test_a_rename_or_a_move_keeps_the_selection(sel):
    sel.set_current(1)
    sel.set_pair(AUTO_DECENTRAL, ALLO_50)
    sel.seen.clear()
    sel.doc.rename_scenario(1, "Renamed")
    assert sel.current_name() == "Renamed" and sel.pair() == ("Renamed", ALLO_50)
    assert sel.seen == [("current", "Renamed"), ("pair", "Renamed", ALLO_50)]
    sel.seen.clear()
    sel.doc.move_scenario(1, 4)
    assert sel.current_name() == "Renamed" and sel.index() == 4
    assert sel.seen == []  # the same scenario, the same pair: only its place changed


def test_deleting_the_current_scenario_selects_its_neighbour_and_undo_brings_the_pair_back(sel):
    sel.set_current(3)
    sel.set_pair(AUTO_MANUAL, ALLO_50)
    sel.seen.clear()
    sel.doc.delete_scenario(3)
    # the scenario now at the deleted one's place (the 4th) is current; the pair lost B: the default pair
    assert sel.current_name() == AUTO_MANUAL and sel.pair() == (AUTO_CENTRAL, ALLO_20)
    assert sel.seen == [("current", AUTO_MANUAL), ("pair", AUTO_CENTRAL, ALLO_20)]
    sel.doc.undo_stack.undo()
    assert sel.pair() == (AUTO_MANUAL, ALLO_50)
    assert sel.current_name() == AUTO_MANUAL  # the selection does not jump back by itself


def test_deleting_the_last_scenario_in_the_list_selects_the_one_before(sel):
    # the example lists six scenarios: central, decentralised, allogeneic 20 L, allogeneic 50 L,
    # manual, CDMO; the last one (the 6th, index 5) is the CDMO one, the manual one before it
    assert len(sel.doc.scenarios) == 6
    sel.set_current(5)
    assert sel.current_name() == AUTO_CDMO
    sel.seen.clear()
    sel.doc.delete_scenario(5)
    assert sel.current_name() == AUTO_MANUAL and sel.index() == 4
    assert [s.name for s in sel.doc.scenarios][-1] == AUTO_MANUAL
    assert sel.seen == [("current", AUTO_MANUAL)]  # the default pair (1st vs 3rd) is untouched


def test_another_project_starts_on_its_first_scenario_and_its_default_pair(sel):
    sel.set_current(4)
    sel.set_pair(AUTO_DECENTRAL, ALLO_50)
    sel.seen.clear()
    allo, auto = template("allogeneic-cart-bioreactor").scenario("B"), template("autologous-manual").scenario("A")
    sel.doc.load(Project(scenarios=[allo, auto]))
    assert sel.current_name() == "B" and sel.index() == 0
    assert sel.pair() == ("A", "B")  # autologous first, whatever the order in the project
    assert sel.seen == [("current", "B"), ("pair", "A", "B")]


def test_one_scenario_has_no_pair(sel):
    sel.doc.load(Project(scenarios=[template("autologous-manual").scenario("Only")]))
    assert sel.pair() is None
    assert sel.seen[-1] == ("pair", "", "")
    two = Project(scenarios=[template("autologous-manual").scenario("A"), template("autologous-manual").scenario("A2")])
    sel.doc.load(two)
    sel.set_pair("A", "A")  # the same scenario on both sides is no comparison
    assert sel.pair() is None
