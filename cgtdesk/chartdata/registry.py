"""The one list of the app's charts and views.

Every chart has an id (its ``--view`` name and the ``name`` of its widget), a title (its tab in
the chart panel), whether it is a tab of the chart panel and whether it is a slide of the
presentation and the PDF deck, and the :mod:`cgtdesk.chartdata` function that gives its data.
The chart panel's tabs, the slides, the deck, the export menus and the ``--view`` choices of
``main.py`` all read this list; a test checks that they agree with it.

No Qt here (``chartdata`` is plain data): the widgets live in ``cgtdesk.gui.charts`` and name
themselves by these ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cgtdesk import chartdata
from cgtdesk.core import analyses
from cgtdesk.core.errors import InputError


@dataclass
class ChartContext:
    """What one redraw of the charts knows, shared by every chart's data function.

    ``sweeps`` and ``results``: as :func:`chartdata.sweeps` and :func:`chartdata.scenario_results`
    give them; ``scenario``: the selected scenario's name (None in an empty project);
    ``crossover``: the pair's crossover when known; ``locate``: locate it now when not known;
    ``monte_carlo``: a Monte Carlo result to show, or None; ``memo(key, compute)``: the
    caller's cache of per-scenario results (see :class:`cgtdesk.chartdata.board.ChartBoard`).
    """

    project: Any
    demand: Any
    sweeps: dict
    results: dict
    scenario: str | None
    pair: tuple[str, str] | None
    crossover: Any
    locate: bool
    monte_carlo: Any
    memo: Callable[[tuple, Callable[[], Any]], Any]

    def selected(self):
        """The selected scenario object, or None."""
        return self.project.scenario(self.scenario) if self.scenario is not None else None


@dataclass(frozen=True)
class ChartSpec:
    """One chart: ``data`` is the chartdata function that gives its data; ``of(context)`` calls it."""

    id: str
    title: str
    tab: bool
    slide: bool
    data: Callable
    of: Callable[[ChartContext], Any]


# ---------------------------------------------------------------- how each chart asks for its data


def _breakdown(c: ChartContext):
    return chartdata.breakdown_per_dose(c.project, c.results)


def _demand(c: ChartContext):
    return chartdata.demand_curves(
        c.project, demand=c.demand, pair=c.pair, sweeps=c.sweeps, crossover=c.crossover, locate=c.locate, results=c.results
    )


def _capacity(c: ChartContext):
    return chartdata.capacity_curves(c.project, demand=c.demand, selected=c.scenario, sweeps=c.sweeps, results=c.results)


def _waterfall(c: ChartContext):
    s = c.selected()
    return None if s is None else chartdata.waterfall(s, c.project.currency, c.results)


def _tornado_of(scenario, currency: str):
    try:
        return chartdata.tornado_data(analyses.tornado(scenario), currency)
    except InputError:  # a scenario the model refuses has no tornado
        return None


def _tornado(c: ChartContext):
    s = c.selected()
    if s is None:
        return None
    cur = c.project.currency
    return c.memo(("tornado", chartdata.scenario_signature(s), cur), lambda: _tornado_of(s, cur))


def _vein_to_vein(c: ChartContext):
    return chartdata.vein_to_vein(c.project, c.results)


def _montecarlo(c: ChartContext):
    mc = c.monte_carlo
    if mc is None or c.scenario is None or c.scenario not in [m.name for m in mc.scenarios]:
        return None
    return chartdata.monte_carlo_data(mc, c.scenario, c.project)


#: every chart, in tab and slide order
CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("breakdown", "Breakdown", True, True, chartdata.breakdown_per_dose, _breakdown),
    ChartSpec("demand", "Cost vs demand", True, True, chartdata.demand_curves, _demand),
    ChartSpec("capacity", "Capacity", True, True, chartdata.capacity_curves, _capacity),
    ChartSpec("waterfall", "Waterfall", True, True, chartdata.waterfall, _waterfall),
    ChartSpec("tornado", "Tornado", True, True, chartdata.tornado_data, _tornado),
    ChartSpec("montecarlo", "Monte Carlo", True, True, chartdata.monte_carlo_data, _montecarlo),
    ChartSpec("vein-to-vein", "Vein to vein", True, True, chartdata.vein_to_vein, _vein_to_vein),
)

BY_ID = {c.id: c for c in CHARTS}
#: the chart panel's tabs and the slides of the presentation and the deck, in order
TABS = tuple(c.id for c in CHARTS if c.tab)
SLIDES = tuple(c.id for c in CHARTS if c.slide)


def chart(chart_id: str) -> ChartSpec:
    return BY_ID[chart_id]


# ---------------------------------------------------------------- views (--screenshot --view NAME)

#: parts of the main window
WINDOW_VIEWS = ("main", "editor", "results")
#: the presentation (its first slide)
PRESENT_VIEW = "present"
#: views of the Analyses panel: --view name -> the analysis it shows ("analyses": the whole window
#: with the panel open on it; "tornado" and "montecarlo" alone name the chart panel's charts)
ANALYSIS_VIEWS = {
    "analyses": "montecarlo",
    "sweep": "sweep",
    "tornado-analysis": "tornado",
    "montecarlo-analysis": "montecarlo",
    "goalseek": "goalseek",
    "uncertainty": "uncertainty",
}
#: every --view name, in the order the help lists them
VIEWS = (*WINDOW_VIEWS, *(c.id for c in CHARTS), PRESENT_VIEW, *ANALYSIS_VIEWS)
