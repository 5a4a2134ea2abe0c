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
from cgtdesk.chartdata import plan as plan_charts
from cgtdesk.chartdata.breakdown import labour_note
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
    def note(s):  # an evaluation per scenario: remembered by its inputs, as the sweeps are
        return c.memo(("labour", chartdata.scenario_signature(s)), lambda: labour_note(s))

    return chartdata.breakdown_per_dose(c.project, c.results, notes=note)


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


def _plan_result(c: ChartContext):
    """The project's launch plan, run once per set of inputs (None without a plan or when it cannot run)."""
    sig = plan_charts.plan_signature(c.project)
    if sig is None:
        return None
    return c.memo(("plan", sig), lambda: plan_charts.plan_of(c.project)[0])


def _plan_capacity(c: ChartContext):
    return plan_charts.plan_capacity(_plan_result(c), c.project, c.scenario)


def _plan_cost(c: ChartContext):
    return plan_charts.plan_cost(_plan_result(c), c.project, c.scenario)


def _plan_cash(c: ChartContext):
    return plan_charts.plan_cash(_plan_result(c), c.project)


def _plan_npc(c: ChartContext):
    return plan_charts.plan_npc(_plan_result(c), c.project, chartdata.valid_pair(c.project, c.pair))


def _plan_switch(c: ChartContext):
    return plan_charts.plan_switch(_plan_result(c), c.project)


#: every chart, in tab and slide order
CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("breakdown", "Breakdown", True, True, chartdata.breakdown_per_dose, _breakdown),
    ChartSpec("demand", "Cost vs demand", True, True, chartdata.demand_curves, _demand),
    ChartSpec("capacity", "Capacity", True, True, chartdata.capacity_curves, _capacity),
    ChartSpec("waterfall", "Waterfall", True, True, chartdata.waterfall, _waterfall),
    ChartSpec("tornado", "Tornado", True, True, chartdata.tornado_data, _tornado),
    ChartSpec("montecarlo", "Monte Carlo", True, True, chartdata.monte_carlo_data, _montecarlo),
    ChartSpec("vein-to-vein", "Vein to vein", True, True, chartdata.vein_to_vein, _vein_to_vein),
    # the launch plan: slides, and charts of the Launch plan view (not tabs of the chart panel)
    ChartSpec("plan-capacity", "Plan: demand and capacity", False, True, plan_charts.plan_capacity, _plan_capacity),
    ChartSpec("plan-cost", "Plan: annual cost", False, True, plan_charts.plan_cost, _plan_cost),
    ChartSpec("plan-cash", "Plan: cumulative cash", False, True, plan_charts.plan_cash, _plan_cash),
    ChartSpec("plan-npc", "Plan: net present cost", False, True, plan_charts.plan_npc, _plan_npc),
    ChartSpec("plan-switch", "Plan: switch year", False, True, plan_charts.plan_switch, _plan_switch),
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
#: the Launch plan view (its editor and charts); its charts alone are the ids of PLAN_CHARTS
PLAN_VIEW = "plan"
PLAN_CHARTS = plan_charts.PLAN_CHARTS
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
VIEWS = (*WINDOW_VIEWS, *(c.id for c in CHARTS), PRESENT_VIEW, *ANALYSIS_VIEWS, PLAN_VIEW)
