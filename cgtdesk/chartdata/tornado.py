"""The largest one-at-a-time swings of a tornado analysis, and which input moves the result most."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cgtdesk.chartdata.common import lower_first, result_label, result_unit, with_finding
from cgtdesk.core.analyses import presets
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.formatting import count, fraction_text, money, percent


@dataclass(frozen=True)
class TornadoRow:
    key: str
    label: str
    low: float
    high: float
    result_low: float
    result_high: float
    swing: float
    range_text: str = ""  # the input's low to high as the table shows them: USD 95,330 to USD 144,700
    source: str = "default"  # where low/high come from: "default" (-/+20% of base) or a distribution


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
    inputs: int = 0  # inputs swung in all (the chart shows the largest)
    defaults: int = 0  # of those, how many swing by the default -/+20% (no distribution)
    warning: str = ""  # says so when any do


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
            f"{input_text(b.key, b.low, currency)} to {input_text(b.key, b.high, currency)}",
            b.source,
        )
        for b in tornado_result.bars
    ]
    defaults = sum(b.source == "default" for b in tornado_result.bars)
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
        inputs=len(tornado_result.bars),
        defaults=defaults,
        warning=default_warning(defaults, len(tornado_result.bars)),
    )
    return with_finding(data, _tornado_finding(data))


def input_text(key: str, x: float, currency: str = "USD") -> str:
    """An input's value rounded as the tornado table shows it (4 significant figures), in the
    number style of its kind: USD 95,330; 92.2%; 8,435; 7.2."""
    p = catalogue().parameters.get(key)
    if not math.isfinite(x):
        return "n/a"
    kind = p.kind if p is not None else "number"
    if kind == "fraction":
        return fraction_text(float(f"{x:.3g}"))
    v = float(f"{x:.4g}")
    if kind == "money":
        return money(v, currency)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.10g}"


def default_warning(defaults: int, inputs: int) -> str:
    """The line that says how many inputs swing by the default -/+20% ('' when none)."""
    if not defaults:
        return ""
    spread = percent(presets.TORNADO_DEFAULT_SPREAD)
    return (
        f"{defaults} of {inputs} inputs have no distribution and swing by the default -/+{spread} of base: "
        "give them ranges in the Uncertainty editor for a truer tornado"
    )


def _tornado_finding(d: TornadoData) -> str:
    if not d.rows or d.rows[0].swing <= 0:
        return f"No input moves {lower_first(d.label)} of {d.scenario}"
    r = d.rows[0]
    lo, hi = sorted((r.result_low, r.result_high))
    fmt = (lambda x: money(x, d.currency)) if d.kind == "money" else count
    return f"{r.label} moves {lower_first(d.label)} of {d.scenario} most: {fmt(lo)} to {fmt(hi)}"
