"""The chart-data board: the one owner of computed chart data between redraws.

Drawing every chart after an edit must stay quick, and one edit touches one scenario of
several; the slides and the deck show the same data as the chart panel. So the sweeps, the
scalar results and the tornado of each scenario are kept by the scenario's inputs, and the
crossover of a pair (a search that takes longer than every chart together) by the pair's
inputs. The chart panel, the slides and the deck all ask a board for their data; the panel
locates a pending crossover on a worker and hands the answer back with
:meth:`ChartBoard.store_crossover`.

No Qt here.
"""

from __future__ import annotations

import functools

from cgtdesk import chartdata
from cgtdesk.chartdata import registry

#: bounds of the caches: past ``MAX_ENTRIES`` (plus a few entries per scenario of the project
#: shown) the entries of scenarios no longer in the project are dropped, never those of the
#: current ones, so that a project of 200 scenarios keeps every unchanged scenario's data
MAX_ENTRIES = 512
PER_SCENARIO = 4
MAX_CROSSOVERS = 128


def project_signature(project) -> tuple:
    """Everything the charts of ``project`` depend on (tells a stale result from a current one)."""
    return (project.currency, tuple(chartdata.scenario_signature(s) for s in project.scenarios))


def pick_scenario(project, name: str | None) -> str | None:
    """``name`` when the project holds it, else its first scenario (None when it has none)."""
    names = project.names()
    if name in names:
        return name
    return names[0] if names else None


class ChartBoard:
    """Caches of chart data by scenario inputs (sweeps, results, tornado) and of crossovers by pair."""

    def __init__(self):
        self._cache: dict = {}
        self._crossovers: dict = {}

    # ---- crossovers
    @staticmethod
    def crossover_key(project, pair, demand) -> tuple:
        a, b = project.scenario(pair[0]), project.scenario(pair[1])
        return (chartdata.scenario_signature(a), chartdata.scenario_signature(b), float(demand[0]), float(demand[-1]))

    def known_crossover(self, project, pair, demand):
        """The crossover of the pair if it was located before for the same inputs, else None."""
        if not pair:
            return None
        return self._crossovers.get(self.crossover_key(project, pair, demand))

    def crossover(self, project, pair, demand):
        """The crossover of the pair (``chartdata.locate_crossover``), located once per set of inputs."""
        if not pair:
            return None
        key = self.crossover_key(project, pair, demand)
        if key not in self._crossovers:
            self.store_crossover(key, chartdata.locate_crossover(project, pair, demand))
        return self._crossovers[key]

    def store_crossover(self, key: tuple, result) -> None:
        """Keep a crossover located elsewhere (a worker) under the key it was asked for."""
        if len(self._crossovers) > MAX_CROSSOVERS:
            self._crossovers.clear()
        self._crossovers[key] = result

    # ---- chart data
    def _bound(self, project) -> None:
        """Keep the cache within its bound: first drop what belongs to no scenario of ``project``
        (an edit's older inputs), and only if that is not enough, everything."""
        limit = MAX_ENTRIES + PER_SCENARIO * len(project.scenarios)
        if len(self._cache) <= limit:
            return
        live = {chartdata.scenario_signature(s) for s in project.scenarios}
        self._cache = {k: v for k, v in self._cache.items() if _mentions(k, live)}
        if len(self._cache) > limit:
            self._cache.clear()

    def memo(self, key: tuple, compute):
        """``compute()`` once per key (keys hold the scenario's inputs, so an edit misses)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def chart_data(
        self,
        project,
        pair=None,
        scenario: str | None = None,
        monte_carlo=None,
        *,
        crossover=None,
        locate: bool = True,
        demand=None,
        charts=None,
    ) -> dict:
        """The data of every chart (id -> data, None where a chart has nothing to show).

        ``pair``: the crossover's (A, B), the default pair when not valid; ``scenario``: the one the
        per-scenario charts show (default: the first); ``monte_carlo``: a Monte Carlo result to show;
        ``crossover``: the pair's crossover when the caller has it, else it is located now
        (``locate``) or left pending; ``charts``: ids to compute (default: every chart).
        """
        self._bound(project)
        demand = chartdata.chart_demand(project) if demand is None else demand
        if crossover is None and locate:
            crossover = self.crossover(project, chartdata.valid_pair(project, pair), demand)
        ctx = registry.ChartContext(
            project=project,
            demand=demand,
            sweeps=chartdata.sweeps(project, demand, cache=self._cache),
            results=chartdata.scenario_results(project, self._cache),
            scenario=pick_scenario(project, scenario),
            pair=pair,
            crossover=crossover,
            locate=locate,
            monte_carlo=monte_carlo,
            memo=self.memo,
        )
        specs = registry.CHARTS if charts is None else [registry.chart(c) for c in charts]
        return {spec.id: spec.of(ctx) for spec in specs}


def _mentions(key: tuple, signatures: set) -> bool:
    """Whether a cache key holds one of ``signatures`` (keys hold a scenario signature as an item)."""
    return any(isinstance(part, tuple) and part in signatures for part in key)


@functools.cache
def shared() -> ChartBoard:
    """The board of this process: the chart panel, the slides and the deck share its caches."""
    return ChartBoard()
