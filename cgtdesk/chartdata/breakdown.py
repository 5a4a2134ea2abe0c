"""The cost breakdown per dose of every scenario (stacked bars) and its finding."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cgtdesk.chartdata.common import category_label, safe_results, with_finding
from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import count, money
from cgtdesk.core.model import evaluate


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
    labour_notes: tuple[str, ...] = ()  # per scenario: what the labour FTE is made of ('' when unknown)


def breakdown_per_dose(project, results: dict | None = None, notes=None) -> BreakdownData:
    """``results``: the scenarios' results when known; ``notes(scenario)``: its labour note
    (default :func:`labour_note`; the chart board passes one that remembers it per inputs)."""
    notes_of = labour_note if notes is None else notes
    names, procs, rows, totals, problems, notes = [], [], [], [], {}, []
    for s in project.scenarios:
        names.append(s.name)
        procs.append(s.process)
        r, why = safe_results(s, results)
        notes.append("" if r is None else notes_of(s))
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
        labour_notes=tuple(notes),
    )
    return with_finding(data, _breakdown_finding(data))


def labour_parts(scenario) -> dict[str, float]:
    """The labour FTE of a scenario (every site) by part: ``crew`` (F_crew), ``hands_on``
    (F_op), ``qc_qa`` (F_qq), ``staff`` (site and support staff, by the share in shared mode;
    the sponsor's oversight in cdmo mode) and ``fte``, the result (docs/model.md, "Common
    quantities")."""
    p = scenario.parameters
    raw = evaluate(scenario.process, p, intermediates=True)

    def q(key: str) -> float:  # a quantity the model could not give (None) reads as NaN, never a crash
        v = raw[key]
        return math.nan if v is None else float(v)

    sites = p["facility.sites"]
    mode = p["facility.mode"]
    people = p["staff.support_fte_per_suite"] * q("calc.N_suite_s") + p["staff.site_fte"]
    if mode == "cdmo":
        staff = p["cdmo.oversight_fte"]
    else:
        staff = q("calc.share") * people if mode == "shared" else people
    crew = q("calc.F_crew_s") * (q("calc.share") if mode == "shared" else 1.0)
    return {
        "crew": sites * crew,
        "hands_on": sites * q("calc.F_op_s"),
        "qc_qa": sites * q("calc.F_qq_s"),
        "staff": sites * staff,
        "fte": q("fte"),
    }


def labour_note(scenario) -> str:
    """The labour FTE in words: crew, hands-on, QC/QA and site/support staff (or the oversight)."""
    try:
        f = labour_parts(scenario)
    except InputError:
        return ""
    if scenario.parameters["facility.mode"] == "cdmo":
        return f"{count(f['fte'])} FTE: the sponsor's oversight (the contract manufacturer's staff are in its fee)"
    crew = "crew (by the share)" if scenario.parameters["facility.mode"] == "shared" else "crew"
    return (
        f"{count(f['fte'])} FTE = the larger of {crew} {count(f['crew'])} and hands-on {count(f['hands_on'])}, "
        f"+ QC/QA {count(f['qc_qa'])} + site and support staff {count(f['staff'])}"
    )


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
