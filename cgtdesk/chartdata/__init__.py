"""Plain data for every chart, and the sentence that states each chart's finding.

One module per chart family (breakdown, demand, capacity, waterfall, tornado, montecarlo,
veintovein) over
what they share in :mod:`.common`. No Qt here: charts, slides and exports draw what these
functions return, and tests compare it with the model. Numbers are formatted by
:mod:`cgtdesk.core.formatting`. The list of charts is :mod:`.registry`; the caches of computed
chart data, :mod:`.board` (neither is imported here: they import this package).
"""

from __future__ import annotations

from cgtdesk.chartdata.breakdown import BreakdownData, breakdown_per_dose
from cgtdesk.chartdata.capacity import CapacityData, capacity_curves
from cgtdesk.chartdata.common import (
    CAPACITY_MEASURES,
    category_label,
    demand_grid,
    result_label,
    result_unit,
    scenario_results,
    scenario_signature,
    sweeps,
    unit_word,
)
from cgtdesk.chartdata.demand import (
    DemandData,
    chart_demand,
    chart_demand_range,
    default_pair,
    demand_curves,
    locate_crossover,
    valid_pair,
)
from cgtdesk.chartdata.montecarlo import MonteCarloData, monte_carlo_data
from cgtdesk.chartdata.tornado import TornadoData, TornadoRow, tornado_data
from cgtdesk.chartdata.veintovein import VeinToVeinData, vein_to_vein

# the function, bound after its module of the same name was imported (chartdata.waterfall(...) is the function)
from cgtdesk.chartdata.waterfall import WaterfallData, headroom_sentence, waterfall  # isort: skip

__all__ = [
    "CAPACITY_MEASURES",
    "BreakdownData",
    "CapacityData",
    "DemandData",
    "MonteCarloData",
    "TornadoData",
    "TornadoRow",
    "VeinToVeinData",
    "WaterfallData",
    "breakdown_per_dose",
    "capacity_curves",
    "category_label",
    "default_pair",
    "demand_curves",
    "demand_grid",
    "chart_demand",
    "chart_demand_range",
    "headroom_sentence",
    "locate_crossover",
    "monte_carlo_data",
    "result_label",
    "result_unit",
    "scenario_results",
    "scenario_signature",
    "sweeps",
    "tornado_data",
    "unit_word",
    "valid_pair",
    "vein_to_vein",
    "waterfall",
]
