"""Charts of a project (pyqtgraph): breakdown, cost vs demand, capacity, waterfall, tornado, Monte
Carlo, vein to vein.

Each chart is a QWidget named by its id in :mod:`cgtdesk.chartdata.registry`, with
``update_data(data)`` taking the plain data of :mod:`cgtdesk.chartdata`; :class:`ChartPanel`
holds the registry's tabs and redraws them in place.
"""

from PySide6 import QtWidgets  # noqa: F401  (PySide6 before pyqtgraph)

from cgtdesk.gui.charts.base import BaseChart
from cgtdesk.gui.charts.breakdown import BreakdownChart
from cgtdesk.gui.charts.capacity import CapacityChart
from cgtdesk.gui.charts.demand import DemandChart
from cgtdesk.gui.charts.montecarlo import MonteCarloChart
from cgtdesk.gui.charts.panel import CHART_CLASSES, ChartPanel
from cgtdesk.gui.charts.tornado import TornadoChart
from cgtdesk.gui.charts.veintovein import VeinToVeinChart
from cgtdesk.gui.charts.waterfall import WaterfallChart

__all__ = [
    "BaseChart",
    "BreakdownChart",
    "CapacityChart",
    "ChartPanel",
    "CHART_CLASSES",
    "DemandChart",
    "MonteCarloChart",
    "TornadoChart",
    "VeinToVeinChart",
    "WaterfallChart",
]
