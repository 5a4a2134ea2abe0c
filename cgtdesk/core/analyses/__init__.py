"""The analyses of the model (docs/model.md, "Analyses"): demand sweep, crossover, tornado, goal
seek and Monte Carlo, one module each, over what they share in :mod:`.common` and the presets
(demand range, Monte Carlo run, tornado spread) declared once in :mod:`.presets`.

Every function is pure (no Qt), vectorised over :func:`cgtdesk.core.model.evaluate`, and returns
frozen dataclasses of plain data (numpy arrays, floats, lists) that charts, the workbook and the
command line draw or print. Use it as ``from cgtdesk.core import analyses; analyses.sweep(...)``.
"""

from __future__ import annotations

from cgtdesk.core.analyses import presets
from cgtdesk.core.analyses.common import DEFAULT_RESULT, DEMAND_KEY, check_result, result_names
from cgtdesk.core.analyses.crossover import CrossoverResult, crossover
from cgtdesk.core.analyses.goalseek import AT_LEAST_RESULTS, SolveResult, solve
from cgtdesk.core.analyses.montecarlo import (
    MC_BLOCK,
    MC_MAX_SAMPLES,
    MC_SENSITIVITY_SAMPLES,
    PERCENTILES,
    Comparison,
    MonteCarloResult,
    ScenarioMC,
    monte_carlo,
    spearman,
)
from cgtdesk.core.analyses.sweep import SweepResult, demand_grid, sweep
from cgtdesk.core.analyses.tornado import TornadoBar, TornadoResult, tornado, tornado_range

__all__ = [
    "AT_LEAST_RESULTS",
    "DEFAULT_RESULT",
    "DEMAND_KEY",
    "MC_BLOCK",
    "MC_MAX_SAMPLES",
    "MC_SENSITIVITY_SAMPLES",
    "PERCENTILES",
    "Comparison",
    "CrossoverResult",
    "MonteCarloResult",
    "ScenarioMC",
    "SolveResult",
    "SweepResult",
    "TornadoBar",
    "TornadoResult",
    "check_result",
    "crossover",
    "demand_grid",
    "monte_carlo",
    "presets",
    "result_names",
    "solve",
    "spearman",
    "sweep",
    "tornado",
    "tornado_range",
]
