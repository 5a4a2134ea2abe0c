"""The chart-data board: every chart of the registry, caches keyed on the inputs, crossovers kept."""

import math

import pytest

from cgtdesk import chartdata
from cgtdesk.chartdata import board as boards
from cgtdesk.chartdata import registry
from cgtdesk.core.model import evaluate
from cgtdesk.io import load_any


@pytest.fixture
def project(example_path):
    return load_any(example_path)


def cogs(scenario, demand=None):
    p = dict(scenario.parameters)
    if demand is not None:
        p["demand.patients_per_year"] = float(demand)
    return evaluate(scenario.process, p)["cogs_per_dose"]


def test_every_chart_of_the_registry_and_the_model_numbers(project):
    b = boards.ChartBoard()
    data = b.chart_data(project, locate=False)
    assert list(data) == [c.id for c in registry.CHARTS]
    assert data["montecarlo"] is None  # no run given
    for i, s in enumerate(project.scenarios):
        assert data["breakdown"].totals[i] == pytest.approx(cogs(s), rel=1e-12)
    first = project.scenarios[0]
    assert data["waterfall"].scenario == first.name and data["capacity"].selected == first.name
    assert data["tornado"].scenario == first.name
    assert data["demand"].crossover_pending
    only = b.chart_data(project, scenario=project.names()[2], locate=False, charts=("waterfall",))
    assert list(only) == ["waterfall"] and only["waterfall"].scenario == project.names()[2]


def test_unchanged_scenarios_are_not_evaluated_again(project):
    b = boards.ChartBoard()
    before = b.chart_data(project, locate=False)
    edited = project.copy()
    edited.scenarios[1].parameters["commercial.price_per_dose"] = 123_456.0  # cost of goods unchanged, inputs not
    after = b.chart_data(edited, locate=False)
    names = project.names()
    # the same arrays (from the cache) for the scenarios not edited, new ones for the edited one
    for n in names[:1] + names[2:]:
        assert after["demand"].values[n] is before["demand"].values[n]
    assert after["demand"].values[names[1]] is not before["demand"].values[names[1]]
    assert after["tornado"] is before["tornado"]  # the first scenario's tornado, kept


def test_the_crossover_is_located_once_and_kept_by_the_pair_inputs(project):
    b = boards.ChartBoard()
    grid = chartdata.chart_demand(project)  # the charts default to the commercial range
    pair = (project.names()[0], project.names()[2])
    assert b.known_crossover(project, pair, grid) is None
    data = b.chart_data(project, pair=pair)
    found = b.known_crossover(project, pair, grid)
    assert found is not None and data["demand"].b_cheaper_from == found.b_cheaper_from
    x = found.b_cheaper_from
    a, bb = (project.scenario(n) for n in pair)
    assert math.isfinite(x)
    for dem in (x * (1 + 1e-6), 10 * x):  # B cheaper from there on
        assert cogs(bb, dem) < cogs(a, dem)
    assert cogs(bb, x * (1 - 1e-3)) >= cogs(a, x * (1 - 1e-3))  # and not just below
    # an edit of the pair misses; a result stored under its key is found again
    edited = project.copy()
    edited.scenarios[0].parameters["auto.vector_cost_per_batch"] = 30_000
    assert b.known_crossover(edited, pair, grid) is None
    key = b.crossover_key(edited, pair, grid)
    b.store_crossover(key, found)
    assert b.known_crossover(edited, pair, grid) is found


def test_signature_and_scenario_choice(project):
    edited = project.copy()
    assert boards.project_signature(edited) == boards.project_signature(project)
    edited.scenarios[0].parameters["demand.patients_per_year"] = 501
    assert boards.project_signature(edited) != boards.project_signature(project)
    assert boards.pick_scenario(project, project.names()[1]) == project.names()[1]
    assert boards.pick_scenario(project, "no such scenario") == project.names()[0]
    assert boards.shared() is boards.shared()
