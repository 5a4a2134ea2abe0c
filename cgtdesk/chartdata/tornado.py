"""The largest one-at-a-time swings of a tornado analysis, and which input moves the result most."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cgtdesk.chartdata.common import lower_first, result_label, result_unit, with_finding
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.formatting import count, money


@dataclass(frozen=True)
class TornadoRow:
    key: str
    label: str
    low: float
    high: float
    result_low: float
    result_high: float
    swing: float


@dataclass(frozen=True)
class TornadoData:
    currency: str
    scenario: str
    result: str
    label: str
    unit: str
    kind: str  # the result's declared number kind (money, fraction, count, days, number)
    base: float
    rows: list[TornadoRow]  # largest swing first
    finding: str


def tornado_data(tornado_result, currency: str = "USD", top: int = 10) -> TornadoData:
    """Chart data from an ``analyses.tornado`` result: the ``top`` largest swings."""
    params = catalogue().parameters
    rows = [
        TornadoRow(
            b.key,
            params[b.key].label if b.key in params else b.key,
            float(b.low),
            float(b.high),
            float(b.result_low),
            float(b.result_high),
            float(b.swing),
        )
        for b in tornado_result.bars
    ]
    rows = [r for r in rows if math.isfinite(r.swing)][:top]
    res = tornado_result.result
    data = TornadoData(
        currency=currency,
        scenario=tornado_result.scenario,
        result=res,
        label=result_label(res),
        unit=result_unit(res, currency),
        kind=catalogue().results[res].kind,
        base=float(tornado_result.base),
        rows=rows,
        finding="",
    )
    return with_finding(data, _tornado_finding(data))


def _tornado_finding(d: TornadoData) -> str:
    if not d.rows or d.rows[0].swing <= 0:
        return f"No input moves {lower_first(d.label)} of {d.scenario}"
    r = d.rows[0]
    lo, hi = sorted((r.result_low, r.result_high))
    fmt = (lambda x: money(x, d.currency)) if d.kind == "money" else count
    return f"{r.label} moves {lower_first(d.label)} of {d.scenario} most: {fmt(lo)} to {fmt(hi)}"
