"""What every chart's data shares: labels, each scenario's results (or why there are none),
the demand grid and sweeps of the charts, the signature a cache keys on, and the pair of
scenarios the demand chart compares.

No Qt here: charts, slides and exports draw what this package returns, and tests compare it
with the model. Every number comes from :mod:`cgtdesk.core.model` (directly or through
:mod:`cgtdesk.core.analyses`); nothing is interpolated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from cgtdesk.core import analyses
from cgtdesk.core.analyses import presets
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.model import evaluate

CAPACITY_MEASURES = ("units", "suites", "fte")


# ---------------------------------------------------------------- labels


def category_label(category: str) -> str:
    return catalogue().results[f"breakdown.{category}"].label


def result_label(result: str) -> str:
    return catalogue().results[result].label


def result_unit(result: str, currency: str) -> str:
    return catalogue().results[result].unit_for(currency)


def unit_word(process: str, n: float = 2) -> str:
    word = "device" if process == "autologous" else "bioreactor"
    return word if n == 1 else word + "s"


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


ELLIPSIS = "\u2026"


def wrap_words(text: str, fits: int | Callable[[str], bool], max_lines: int | None = None) -> list[str]:
    """``text`` in lines broken only at spaces, each line fitting (``fits``: a width in
    characters, or a test of a line such as a pixel measure). A word that fits no line alone
    is cut with an ellipsis (never split over two lines: "Materia ls"); past ``max_lines`` the
    last line kept ends in an ellipsis. Whoever draws an elided label also shows it whole
    (tooltip, read-out)."""
    ok = (lambda line: len(line) <= fits) if isinstance(fits, int) else fits
    lines: list[str] = []
    for word in text.split():
        if lines and ok(f"{lines[-1]} {word}"):
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word if ok(word) else _elide(word, ok))
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _elide(lines[-1] + ELLIPSIS, ok)
    return lines or [""]


def _elide(text: str, ok: Callable[[str], bool]) -> str:
    """``text`` cut to fit with an ellipsis (at least one character kept)."""
    base = text.rstrip(ELLIPSIS)
    if text == base and ok(text):
        return text
    for k in range(len(base), 0, -1):
        cut = base[:k].rstrip(" ,;:-") + ELLIPSIS
        if ok(cut):
            return cut
    return base[:1] + ELLIPSIS


# ---------------------------------------------------------------- results, sweeps, caches


def scenario_results(project, cache: dict | None = None) -> dict[str, tuple[dict | None, str | None]]:
    """Each scenario's scalar results (or None and why not), to share between the charts of one redraw."""
    out = {}
    for s in project.scenarios:
        key = ("results", scenario_signature(s))
        if cache is not None and key in cache:
            out[s.name] = cache[key]
            continue
        out[s.name] = safe_results(s)
        if cache is not None:
            cache[key] = out[s.name]
    return out


def safe_results(scenario, known: dict | None = None) -> tuple[dict | None, str | None]:
    """A scenario's scalar results, or None and the reason it cannot be evaluated."""
    if known is not None and scenario.name in known:
        return known[scenario.name]
    try:
        r = evaluate(scenario.process, scenario.parameters, strict=True)
    except InputError as e:
        return None, str(e)
    return r, None


def demand_grid(lo: float = presets.DEMAND_LO, hi: float = presets.DEMAND_HI, points: int = presets.DEMAND_POINTS) -> np.ndarray:
    """The demand axis of the charts: ``points`` demands evenly spaced in log (the presets by default)."""
    return analyses.demand_grid(lo, hi, int(points))


def sweeps(
    project, demand=None, results: Sequence[str] = ("cogs_per_dose", *CAPACITY_MEASURES), cache: dict | None = None
) -> dict:
    """result -> scenario name -> values at every demand (``analyses.sweep``; NaN where invalid).

    ``cache``: a dict kept by the caller between redraws; a scenario whose inputs did not change
    since the last call is not evaluated again (an edit touches one scenario of several).
    """
    demand = demand_grid() if demand is None else np.asarray(demand, dtype=float)
    out: dict = {r: {} for r in results}
    for s in project.scenarios:
        key = (scenario_signature(s), float(demand[0]), float(demand[-1]), len(demand), tuple(results))
        got = cache.get(key) if cache is not None else None
        if got is None:
            got = {r: analyses.sweep([s], r, demand).values[s.name] for r in results}
            if cache is not None:  # bounded by its owner (the board keeps the current scenarios' entries)
                cache[key] = got
        for r in results:
            out[r][s.name] = got[r]
    return out


def scenario_signature(scenario) -> tuple:
    """Everything a scenario's results depend on (for caches)."""
    return (
        scenario.name,
        scenario.process,
        tuple(sorted(scenario.parameters.items())),
        repr(sorted(scenario.uncertainty.items())),
        repr(scenario.correlations),
    )


def current_points(project, results: Sequence[str], known: dict | None = None) -> dict:
    """name -> (its own demand, then each of ``results`` there; NaN when it cannot be evaluated)."""
    cur: dict = {}
    for s in project.scenarios:
        r, _ = safe_results(s, known)
        d = float(s.parameters["demand.patients_per_year"])
        cur[s.name] = (d, *[(math.nan if r is None or r[k] is None else float(r[k])) for k in results])
    return cur


def with_finding(data, finding: str):
    """``data`` (a frozen dataclass) with its ``finding`` sentence set."""
    object.__setattr__(data, "finding", finding)
    return data


# ---------------------------------------------------------------- empty states

#: what a chart says in a project without scenarios
NO_SCENARIO = "No scenario: add one with Scenario > Add scenario"


def no_result_text(problems: dict[str, str]) -> str:
    """What a chart says when none of its scenarios has a result: 'No result: <reason>' (each
    scenario named before its reason when there are several)."""
    if not problems:
        return "No result"
    if len(problems) == 1:
        return f"No result: {next(iter(problems.values()))}"
    return "No result: " + "; ".join(f"'{name}': {why}" for name, why in problems.items())
