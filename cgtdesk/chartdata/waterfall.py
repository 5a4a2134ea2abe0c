"""The path from price to cost of goods and margin of one scenario, against the target margin."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cgtdesk.chartdata.common import category_label, safe_results, with_finding
from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.core.formatting import money, percent


@dataclass(frozen=True)
class WaterfallData:
    currency: str
    scenario: str
    process: str
    price: float
    categories: tuple[str, ...]
    labels: list[str]
    per_dose: np.ndarray  # the seven categories per dose
    cogs: float
    margin: float  # price - cogs, per dose
    target_margin: float  # fraction
    target_margin_value: float  # price * target, per dose
    max_allowable: float
    headroom: float
    gross_margin: float | None
    problem: str | None
    finding: str


def waterfall(scenario, currency: str = "USD", results: dict | None = None) -> WaterfallData:
    p = scenario.parameters
    price = float(p["commercial.price_per_dose"])
    tm = float(p["commercial.target_gross_margin"])
    r, why = safe_results(scenario, results)
    if r is None:
        nan = math.nan
        data = WaterfallData(
            currency,
            scenario.name,
            scenario.process,
            price,
            BREAKDOWN,
            [category_label(c) for c in BREAKDOWN],
            np.full(len(BREAKDOWN), nan),
            nan,
            nan,
            tm,
            price * tm,
            price * (1 - tm),
            nan,
            None,
            why,
            "",
        )
        return with_finding(data, f"{scenario.name} cannot be evaluated: {why}")
    dd = p["demand.patients_per_year"] * p["demand.doses_per_patient"]
    per_dose = np.array([r[f"breakdown.{c}"] / dd for c in BREAKDOWN], dtype=float)
    data = WaterfallData(
        currency=currency,
        scenario=scenario.name,
        process=scenario.process,
        price=price,
        categories=BREAKDOWN,
        labels=[category_label(c) for c in BREAKDOWN],
        per_dose=per_dose,
        cogs=float(r["cogs_per_dose"]),
        margin=price - float(r["cogs_per_dose"]),
        target_margin=tm,
        target_margin_value=price * tm,
        max_allowable=float(r["max_allowable_cogs_per_dose"]),
        headroom=float(r["headroom_per_dose"]),
        gross_margin=r["gross_margin"],
        problem=None,
        finding="",
    )
    return with_finding(data, _waterfall_finding(data))


def _waterfall_finding(d: WaterfallData) -> str:
    target = percent(d.target_margin)
    if d.headroom >= 0:
        return f"{d.scenario} meets the {target} margin target with {money(d.headroom, d.currency)} headroom per dose"
    return f"{d.scenario} misses the {target} margin target by {money(-d.headroom, d.currency)} per dose"


def headroom_sentence(d: WaterfallData) -> str:
    """The headroom in words, for the chart itself."""
    if d.problem:
        return d.problem
    gm = "n/a" if d.gross_margin is None else percent(d.gross_margin, 1)
    if d.headroom >= 0:
        return (
            f"Gross margin {gm} against a target of {percent(d.target_margin)}: headroom {money(d.headroom, d.currency)} per dose"
        )
    return (
        f"Gross margin {gm} against a target of {percent(d.target_margin)}: "
        f"{money(-d.headroom, d.currency)} per dose short of the target"
    )
