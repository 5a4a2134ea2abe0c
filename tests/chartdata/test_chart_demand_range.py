"""The charts' demand axis defaults to the scenarios' commercial range, snapped to decades."""

import copy
from pathlib import Path

from cgtdesk import chartdata
from cgtdesk.chartdata import board as boards
from cgtdesk.io import load_any

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"


def with_demands(*demands):
    project = load_any(EXAMPLE)
    base = project.scenarios[0]
    project.scenarios = []
    for i, d in enumerate(demands):
        s = copy.deepcopy(base)
        s.name = f"S{i}"
        s.parameters["demand.patients_per_year"] = d
        project.scenarios.append(s)
    project.plan = None
    return project


def test_a_tenth_of_the_lowest_to_ten_times_the_highest_in_decades():
    # 500 -> 50 and 5,000 -> out to the decades 10 and 10,000
    assert chartdata.chart_demand_range(with_demands(500)) == (10.0, 10_000.0)
    # 40 -> 4 -> 1; 2,000 -> 20,000 -> 100,000
    assert chartdata.chart_demand_range(with_demands(40, 2000)) == (1.0, 100_000.0)
    # 100 -> exactly 10; 1,000 -> exactly 10,000
    assert chartdata.chart_demand_range(with_demands(100, 1000)) == (10.0, 10_000.0)


def test_within_one_to_a_million():
    assert chartdata.chart_demand_range(with_demands(1)) == (1.0, 10.0)
    assert chartdata.chart_demand_range(with_demands(300_000)) == (10_000.0, 1_000_000.0)


def test_the_demand_chart_uses_it():
    project = with_demands(40, 2000)
    data = boards.ChartBoard().chart_data(project, None, None, locate=False, charts=["demand", "capacity"])
    assert data["demand"].demand[0] == 1.0 and data["demand"].demand[-1] == 100_000.0
    project = with_demands(500)
    data = boards.ChartBoard().chart_data(project, None, None, locate=False, charts=["demand"])
    assert data["demand"].demand[0] == 10.0 and data["demand"].demand[-1] == 10_000.0
