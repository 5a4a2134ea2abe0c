"""The launch plan's chart data: the numbers are plan()'s, the findings say what the numbers say."""

from pathlib import Path

import numpy as np
import pytest

from cgtdesk.chartdata import plan as P
from cgtdesk.chartdata import registry
from cgtdesk.chartdata.board import ChartBoard
from cgtdesk.core.analyses.plan import plan
from cgtdesk.io import load_any

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"


@pytest.fixture(scope="module")
def project():
    return load_any(EXAMPLE)


def test_short_money_by_hand():
    assert P.short_money(41_234_567, "USD") == "USD 41M"
    assert P.short_money(2_636_000, "EUR") == "EUR 2.6M"
    assert P.short_money(1_171_038_251) == "USD 1.2B"
    assert P.short_money(-850_000) == "-USD 850k"
    assert P.short_money(900) == "USD 900"
    assert P.short_money(None) == "n/a"


def test_npc_and_switch_curve_are_plans_numbers(project):
    result = plan(project)
    npc = P.plan_npc(result, project)
    for i, s in enumerate(result.scenarios):
        assert npc.npc[i] == s.summary["npc"]
        assert npc.levelised[i] == s.summary["levelised_cogs_per_dose"]
    sw = P.plan_switch(result, project)
    (curve,) = sw.switches
    assert list(zip(curve.years, curve.npc, strict=True)) == result.switches[0].by_switch_year
    assert curve.best_year == result.switches[0].best_year
    assert curve.years[-1] == 2027 + 15  # never switching, one year after the last
    # the finding's best year is the cheapest point of the curve
    assert curve.npc[list(curve.years).index(curve.best_year)] == pytest.approx(curve.npc.min())
    assert f"in {curve.best_year} costs the least" in sw.finding


def test_capacity_follows_the_s_curve_by_hand(project):
    data = P.plan_capacity(plan(project), project, "Autologous, automated, central")
    # launch 2029, peak 1,500, 5 years to peak: g(x) = 3x^2 - 2x^3 at x = 1/5, 2/5, ...
    assert list(data.patients[:3]) == pytest.approx([0, 0, 1500 * 0.104])
    assert data.patients[3] == pytest.approx(1500 * 0.352)
    assert data.patients[-1] == pytest.approx(1500)
    # planning demand looks one year ahead
    assert data.planning_patients[1] == pytest.approx(1500 * 0.104)
    assert np.all(np.diff(data.units) >= 0)  # capacity is never removed


def test_npc_finding_names_the_cheaper_of_the_pair(project):
    result = plan(project)
    a, b = "Autologous, automated, central", "Allogeneic CAR-T, 50 L bioreactor"
    data = P.plan_npc(result, project, pair=(a, b))
    npc = {s.name: s.summary["npc"] for s in result.scenarios}
    cheap, dear = sorted((a, b), key=npc.get)
    assert data.finding == f"{cheap} costs {P.short_money(npc[dear] - npc[cheap])} less than {dear} over 2027-2041"


def test_cost_stack_adds_up_to_the_years_cost(project):
    data = P.plan_cost(plan(project), project, None)
    assert data.values.sum(axis=0) == pytest.approx(data.cost)  # categories + capex + start-up


def test_no_plan_gives_no_data(project):
    bare = project.copy()
    bare.plan = None
    data = ChartBoard().chart_data(bare, locate=False, charts=registry.PLAN_CHARTS)
    assert data == {cid: None for cid in registry.PLAN_CHARTS}


def test_registry_has_the_plan_slides_and_views():
    assert set(registry.PLAN_CHARTS) <= set(registry.SLIDES)
    assert not set(registry.PLAN_CHARTS) & set(registry.TABS)
    assert registry.PLAN_VIEW in registry.VIEWS and set(registry.PLAN_CHARTS) <= set(registry.VIEWS)


def test_board_data_follow_an_edit(project):
    board = ChartBoard()
    p = project.copy()
    before = board.chart_data(p, locate=False, charts=["plan-npc"])["plan-npc"]
    p.plan.demand["peak_patients_per_year"] = 750
    after = board.chart_data(p, locate=False, charts=["plan-npc"])["plan-npc"]
    assert list(after.npc) == [s.summary["npc"] for s in plan(p).scenarios]
    assert np.all(after.npc < before.npc)  # half the patients cost less
