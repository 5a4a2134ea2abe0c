"""The distribution of a result of one scenario in a Monte Carlo run, with the target line."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cgtdesk.chartdata.common import lower_first, result_label, result_unit, with_finding
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import money, percent
from cgtdesk.core.model import evaluate


@dataclass(frozen=True)
class MonteCarloData:
    currency: str
    scenario: str
    result: str
    label: str
    unit: str
    counts: np.ndarray
    edges: np.ndarray
    p10: float
    p50: float
    p90: float
    mean: float
    target: float | None  # max allowable cost of goods per dose
    p_meets_target: float | None
    samples: int
    invalid: int
    complete: bool
    finding: str
    others: list[str] = field(default_factory=list)
    sampled: bool = True  # False when the scenario has no distribution: every run is the base case


#: what the Monte Carlo view says of a scenario without distributions
NO_DISTRIBUTIONS = "no input has a distribution: add distributions in the Uncertainty editor"


def monte_carlo_data(mc_result, scenario: str | None = None, project=None, result: str = "cogs_per_dose") -> MonteCarloData:
    """Chart data for one scenario of an ``analyses.monte_carlo`` result."""
    by_name = {s.name: s for s in mc_result.scenarios}
    if scenario not in by_name:
        scenario = mc_result.scenarios[0].name
    s = by_name[scenario]
    counts, edges = s.histogram[result]
    summ = s.summaries[result]
    currency = project.currency if project is not None else "USD"
    target = None
    if project is not None and result == "cogs_per_dose":  # the target is a cost of goods per dose
        try:
            r = evaluate(project.scenario(scenario).process, project.scenario(scenario).parameters, strict=False)
            target = r["max_allowable_cogs_per_dose"]
        except InputError:
            target = None
    p_meets = getattr(s, "p_meets_target", None)
    data = MonteCarloData(
        currency=currency,
        scenario=scenario,
        result=result,
        label=result_label(result),
        unit=result_unit(result, currency),
        counts=np.asarray(counts, dtype=float),
        edges=np.asarray(edges, dtype=float),
        p10=float(summ["p10"]),
        p50=float(summ["p50"]),
        p90=float(summ["p90"]),
        mean=float(summ["mean"]),
        target=None if target is None else float(target),
        p_meets_target=None if p_meets is None else float(p_meets),
        samples=int(mc_result.samples),
        invalid=int(s.invalid_samples),
        complete=bool(mc_result.complete),
        finding="",
        others=[n for n in by_name if n != scenario],
        sampled=bool(s.sensitivity),
    )
    return with_finding(data, _mc_finding(data))


def _mc_finding(d: MonteCarloData) -> str:
    if not d.sampled:
        return f"{d.scenario}: {NO_DISTRIBUTIONS}"
    runs = f"{d.samples:,} runs" + ("" if d.complete else " (stopped early)")
    if d.p_meets_target is None or d.target is None:
        return f"{d.scenario}: {lower_first(d.label)} P10-P90 {money(d.p10, d.currency)} to {money(d.p90, d.currency)} ({runs})"
    return (
        f"{d.scenario} meets the margin target in {percent(d.p_meets_target)} of {runs}; P50 {money(d.p50, d.currency)} per dose"
    )
