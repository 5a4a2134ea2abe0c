"""Vein-to-vein time of every scenario, split into its parts, and its finding.

An autologous patient waits for collection to start, a device slot, the process, QC release,
shipping and, on average, the re-manufacture of failed batches: ``(1 - s) / s`` failures per
patient, each adding ``auto.remanufacture_days`` (docs/model.md, "Autologous"). The parts add
up to the model's ``vein_to_vein_days``. An allogeneic dose is off the shelf: shipping only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cgtdesk.chartdata.common import lower_first, safe_results, with_finding
from cgtdesk.palette import OKABE_ITO

#: the parts of vein-to-vein, in the order a patient meets them
PARTS: tuple[str, ...] = ("collection", "slot_wait", "process", "qc_release", "shipping", "remanufacture")
PART_LABELS = {
    "collection": "Collection to start",
    "slot_wait": "Wait for a device slot",
    "process": "Manufacture",
    "qc_release": "QC release",
    "shipping": "Shipping",
    "remanufacture": "Expected re-manufacture",
}
PART_COLOURS = {
    "collection": OKABE_ITO["sky_blue"],
    "slot_wait": OKABE_ITO["vermillion"],
    "process": OKABE_ITO["blue"],
    "qc_release": OKABE_ITO["bluish_green"],
    "shipping": OKABE_ITO["yellow"],
    "remanufacture": OKABE_ITO["reddish_purple"],
}


@dataclass(frozen=True)
class VeinToVeinData:
    scenarios: list[str]
    processes: list[str]
    parts: tuple[str, ...]
    labels: list[str]
    colours: list[str]
    days: np.ndarray  # (scenarios, parts); NaN for a scenario that cannot be evaluated
    totals: np.ndarray  # vein_to_vein_days per scenario (the model's result)
    problems: dict[str, str]
    finding: str


def autologous_parts(p, slot_wait_days: float) -> list[float]:
    """The days of each part, in :data:`PARTS` order, for autologous parameters ``p``."""
    s = p["auto.batch_success_rate"]
    return [
        float(p["auto.collection_to_start_days"]),
        float(slot_wait_days),
        float(p["auto.process_days"]),
        float(p["auto.qc_release_days"]),
        float(p["logistics.shipping_days"]),
        float((1.0 - s) / s * p["auto.remanufacture_days"]),
    ]


def allogeneic_parts(p) -> list[float]:
    """Off the shelf: shipping only."""
    return [0.0, 0.0, 0.0, 0.0, float(p["logistics.shipping_days"]), 0.0]


def vein_to_vein(project, results: dict | None = None) -> VeinToVeinData:
    """The parts of every scenario's vein-to-vein time (days) and the sentence of its finding."""
    names, procs, rows, totals, problems = [], [], [], [], {}
    for s in project.scenarios:
        names.append(s.name)
        procs.append(s.process)
        r, why = safe_results(s, results)
        if r is None:
            problems[s.name] = why
            rows.append([math.nan] * len(PARTS))
            totals.append(math.nan)
            continue
        if s.process == "autologous":
            rows.append(autologous_parts(s.parameters, r["slot_wait_days"] or 0.0))
        else:
            rows.append(allogeneic_parts(s.parameters))
        totals.append(float(r["vein_to_vein_days"]))
    data = VeinToVeinData(
        scenarios=names,
        processes=procs,
        parts=PARTS,
        labels=[PART_LABELS[k] for k in PARTS],
        colours=[PART_COLOURS[k] for k in PARTS],
        days=np.array(rows, dtype=float).reshape(len(names), len(PARTS)),
        totals=np.array(totals, dtype=float),
        problems=problems,
        finding="",
    )
    return with_finding(data, _finding(data))


def days_text(x: float) -> str:
    """12 days, 0.3 days, 1 day."""
    text = f"{x:,.0f}" if x >= 10 or abs(x - round(x)) < 0.05 else f"{x:,.1f}"
    return f"{text} day" if text == "1" else f"{text} days"


def _finding(d: VeinToVeinData) -> str:
    auto = [i for i, pr in enumerate(d.processes) if pr == "autologous" and np.isfinite(d.totals[i])]
    allo = [i for i, pr in enumerate(d.processes) if pr == "allogeneic" and np.isfinite(d.totals[i])]
    tail = ""
    if allo:
        ship = sorted({float(d.totals[i]) for i in allo})
        ship_text = days_text(ship[0]) if len(ship) == 1 else f"{days_text(ship[0])} to {days_text(ship[-1])}"
        tail = f"; allogeneic doses are off the shelf ({ship_text}, shipping only)"
    if not auto:
        return ("No autologous scenario" + tail) if allo else "No scenario can be evaluated"
    longest = max(auto, key=lambda i: d.totals[i])
    j = int(np.argmax(d.days[longest]))
    lead = (
        f"{d.scenarios[longest]} takes longest vein to vein: {days_text(d.totals[longest])}, "
        f"{lower_first(d.labels[j])} the largest part ({days_text(d.days[longest, j])})"
    )
    return lead + tail
