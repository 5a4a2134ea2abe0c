"""The cost breakdown per dose of every scenario (stacked bars) and its finding."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cgtdesk.chartdata.common import category_label, safe_results, with_finding
from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.core.formatting import money


@dataclass(frozen=True)
class BreakdownData:
    currency: str
    scenarios: list[str]
    processes: list[str]
    categories: tuple[str, ...]
    labels: list[str]
    per_dose: np.ndarray  # (scenarios, categories), NaN for a scenario that cannot be evaluated
    totals: np.ndarray  # cogs_per_dose per scenario
    problems: dict[str, str]
    finding: str


def breakdown_per_dose(project, results: dict | None = None) -> BreakdownData:
    names, procs, rows, totals, problems = [], [], [], [], {}
    for s in project.scenarios:
        names.append(s.name)
        procs.append(s.process)
        r, why = safe_results(s, results)
        if r is None:
            problems[s.name] = why
            rows.append([math.nan] * len(BREAKDOWN))
            totals.append(math.nan)
            continue
        dd = s.parameters["demand.patients_per_year"] * s.parameters["demand.doses_per_patient"]
        rows.append([r[f"breakdown.{c}"] / dd for c in BREAKDOWN])
        totals.append(r["cogs_per_dose"])
    per_dose = np.array(rows, dtype=float).reshape(len(names), len(BREAKDOWN))
    data = BreakdownData(
        currency=project.currency,
        scenarios=names,
        processes=procs,
        categories=BREAKDOWN,
        labels=[category_label(c) for c in BREAKDOWN],
        per_dose=per_dose,
        totals=np.array(totals, dtype=float),
        problems=problems,
        finding="",
    )
    return with_finding(data, _breakdown_finding(data))


def _breakdown_finding(d: BreakdownData) -> str:
    ok = [i for i in range(len(d.scenarios)) if np.isfinite(d.totals[i])]
    if not ok:
        return "No scenario can be evaluated"
    largest = [int(np.argmax(d.per_dose[i])) for i in ok]
    if len(ok) == 1:
        i = ok[0]
        c = largest[0]
        return (
            f"{d.labels[c]} is the largest cost of {d.scenarios[i]}: "
            f"{money(d.per_dose[i, c], d.currency)} of {money(d.totals[i], d.currency)} per dose"
        )
    cheapest = min(ok, key=lambda i: d.totals[i])
    counts = np.bincount(largest, minlength=len(d.categories))
    top = int(np.argmax(counts))
    lead = f"{d.labels[top]} is the largest cost in {counts[top]} of {len(ok)} scenarios"
    if counts[top] == len(ok):
        lead = f"{d.labels[top]} is the largest cost in every scenario"
    return f"{lead}; {d.scenarios[cheapest]} is cheapest at {money(d.totals[cheapest], d.currency)} per dose"
