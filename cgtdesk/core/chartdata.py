"""Plain data for every chart, and the sentence that states each chart's finding.

No Qt here: charts, slides and exports draw what these functions return, and tests compare it
with the model. Every number comes from :mod:`cgtdesk.core.model` (directly or through
:mod:`cgtdesk.core.analyses`); nothing is interpolated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cgtdesk.core import analyses
from cgtdesk.core.analyses import presets
from cgtdesk.core.catalogue import BREAKDOWN, catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import count, money, patients, percent  # noqa: F401  (re-exported for the charts)
from cgtdesk.core.model import evaluate

DEMAND_LO, DEMAND_HI, DEMAND_POINTS = presets.DEMAND_LO, presets.DEMAND_HI, presets.DEMAND_POINTS

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


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


# ---------------------------------------------------------------- evaluation helpers


def scenario_results(project, cache: dict | None = None) -> dict[str, tuple[dict | None, str | None]]:
    """Each scenario's scalar results (or None and why not), to share between the charts of one redraw."""
    out = {}
    for s in project.scenarios:
        key = ("results", scenario_signature(s))
        if cache is not None and key in cache:
            out[s.name] = cache[key]
            continue
        out[s.name] = _safe_results(s)
        if cache is not None:
            cache[key] = out[s.name]
    return out


def _safe_results(scenario, known: dict | None = None) -> tuple[dict | None, str | None]:
    """A scenario's scalar results, or None and the reason it cannot be evaluated."""
    if known is not None and scenario.name in known:
        return known[scenario.name]
    try:
        r = evaluate(scenario.process, scenario.parameters, strict=True)
    except InputError as e:
        return None, str(e)
    return r, None


def demand_grid(lo: float = DEMAND_LO, hi: float = DEMAND_HI, points: int = DEMAND_POINTS) -> np.ndarray:
    return analyses.demand_grid(lo, hi, int(points))


def sweeps(project, demand=None, results: Sequence[str] = ("cogs_per_dose", *CAPACITY_MEASURES), cache: dict | None = None) -> dict:
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
            if cache is not None:
                if len(cache) > 256:
                    cache.clear()
                cache[key] = got
        for r in results:
            out[r][s.name] = got[r]
    return out


def scenario_signature(scenario) -> tuple:
    """Everything a scenario's results depend on (for caches)."""
    return (scenario.name, scenario.process, tuple(sorted(scenario.parameters.items())),
            repr(sorted(scenario.uncertainty.items())), repr(scenario.correlations))


# ---------------------------------------------------------------- breakdown


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
        r, why = _safe_results(s, results)
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
    return _with_finding(data, _breakdown_finding(data))


def _with_finding(data, finding: str):
    object.__setattr__(data, "finding", finding)
    return data


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


# ---------------------------------------------------------------- demand


@dataclass(frozen=True)
class DemandData:
    currency: str
    result: str
    label: str
    unit: str
    demand: np.ndarray
    scenarios: list[str]
    processes: list[str]
    values: dict[str, np.ndarray]
    current: dict[str, tuple[float, float]]  # name -> (its own demand, its value there)
    pair: tuple[str, str] | None
    crossings: list[float]
    b_cheaper_from: float | None
    crossover_pending: bool
    finding: str


def default_pair(project) -> tuple[str, str] | None:
    """The first autologous and the first allogeneic scenario, else the first two."""
    auto = [s.name for s in project.scenarios if s.process == "autologous"]
    allo = [s.name for s in project.scenarios if s.process == "allogeneic"]
    if auto and allo:
        return auto[0], allo[0]
    names = project.names()
    return (names[0], names[1]) if len(names) >= 2 else None


def _valid_pair(project, pair) -> tuple[str, str] | None:
    names = project.names()
    if pair and len(pair) == 2 and pair[0] in names and pair[1] in names and pair[0] != pair[1]:
        return tuple(pair)
    return default_pair(project)


def _current_points(project, results: Sequence[str], known: dict | None = None) -> dict:
    cur: dict = {}
    for s in project.scenarios:
        r, _ = _safe_results(s, known)
        d = float(s.parameters["demand.patients_per_year"])
        cur[s.name] = (d, *[(math.nan if r is None or r[k] is None else float(r[k])) for k in results])
    return cur


def locate_crossover(project, pair, demand, result: str = "cogs_per_dose"):
    """``analyses.crossover`` of the pair over the demand range of the chart (None without a pair)."""
    if not pair:
        return None
    a, b = project.scenario(pair[0]), project.scenario(pair[1])
    return analyses.crossover(a, b, result, float(demand[0]), float(demand[-1]))


def demand_curves(project, result: str = "cogs_per_dose", demand=None, pair=None, sweeps=None,
                  crossover=None, locate: bool = True, results: dict | None = None) -> DemandData:
    """Every scenario's ``result`` against demand, and the crossover of the pair.

    ``crossover``: an ``analyses.crossover`` result of this pair to reuse; without one it is
    located now (``locate``) or left pending (``crossover_pending``), for callers that locate it
    later (the crossover search takes far longer than the curves).
    """
    demand = demand_grid() if demand is None else np.asarray(demand, dtype=float)
    values = sweeps[result] if sweeps is not None else analyses.sweep(project.scenarios, result, demand).values
    pair = _valid_pair(project, pair)
    pending = False
    if pair and crossover is None:
        if locate:
            crossover = locate_crossover(project, pair, demand, result)
        else:
            pending = True
    if crossover is not None and (crossover.a, crossover.b) != tuple(pair or ()):
        raise ValueError(f"crossover of {crossover.a!r} and {crossover.b!r} given for the pair {pair}")
    cur = _current_points(project, [result], results)
    data = DemandData(
        currency=project.currency,
        result=result,
        label=result_label(result),
        unit=result_unit(result, project.currency),
        demand=demand,
        scenarios=project.names(),
        processes=[s.process for s in project.scenarios],
        values=values,
        current={k: (v[0], v[1]) for k, v in cur.items()},
        pair=pair,
        crossings=list(crossover.crossings) if crossover is not None else [],
        b_cheaper_from=crossover.b_cheaper_from if crossover is not None else None,
        crossover_pending=pending,
        finding="",
    )
    return _with_finding(data, _demand_finding(data))


def _demand_finding(d: DemandData) -> str:
    lo, hi = patients(float(d.demand[0])), patients(float(d.demand[-1]))
    what = "cheaper" if d.result == "cogs_per_dose" else f"lower in {_lower_first(d.label)}"
    if d.pair is None:
        return f"{d.label} from {lo} to {hi} patients a year"
    a, b = d.pair
    if d.crossover_pending:
        return f"{d.label} against demand; locating where {b} and {a} cross"
    if d.b_cheaper_from is None:
        fb = d.values[b]
        if np.all(~np.isfinite(fb)):
            return f"{b} cannot be evaluated; {a} shown from {lo} to {hi} patients a year"
        return f"{a} is {what} than {b} up to {hi} patients a year"
    if d.b_cheaper_from <= d.demand[0] * (1 + 1e-12):
        return f"{b} is {what} than {a} at every demand from {lo} to {hi} patients a year"
    return f"{b} is {what} than {a} from {patients(d.b_cheaper_from)} patients a year"


# ---------------------------------------------------------------- capacity


@dataclass(frozen=True)
class CapacityData:
    currency: str
    demand: np.ndarray
    scenarios: list[str]
    processes: list[str]
    curves: dict[str, dict[str, np.ndarray]]  # measure -> scenario -> values
    current: dict[str, tuple[float, float, float, float]]  # name -> (demand, units, suites, fte)
    selected: str | None
    finding: str


def capacity_curves(project, demand=None, selected: str | None = None, sweeps=None, results: dict | None = None) -> CapacityData:
    demand = demand_grid() if demand is None else np.asarray(demand, dtype=float)
    sw = sweeps if sweeps is not None else globals()["sweeps"](project, demand, CAPACITY_MEASURES)
    names = project.names()
    if selected not in names:
        selected = names[0] if names else None
    cur = _current_points(project, CAPACITY_MEASURES, results)
    data = CapacityData(
        currency=project.currency,
        demand=demand,
        scenarios=names,
        processes=[s.process for s in project.scenarios],
        curves={m: sw[m] for m in CAPACITY_MEASURES},
        current=cur,
        selected=selected,
        finding="",
    )
    return _with_finding(data, _capacity_finding(data))


def _capacity_finding(d: CapacityData) -> str:
    if d.selected is None:
        return "No scenario"
    proc = d.processes[d.scenarios.index(d.selected)]
    dem, units, suites, fte = d.current[d.selected]
    if not math.isfinite(units):
        return f"{d.selected} cannot be evaluated"
    return (
        f"{d.selected} needs {count(units)} {unit_word(proc, units)}, {count(suites)} "
        f"suite{'' if suites == 1 else 's'} and {count(fte)} FTE for {patients(dem)} patients a year"
    )


# ---------------------------------------------------------------- waterfall


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
    r, why = _safe_results(scenario, results)
    if r is None:
        nan = math.nan
        data = WaterfallData(currency, scenario.name, scenario.process, price, BREAKDOWN,
                             [category_label(c) for c in BREAKDOWN], np.full(len(BREAKDOWN), nan),
                             nan, nan, tm, price * tm, price * (1 - tm), nan, None, why, "")
        return _with_finding(data, f"{scenario.name} cannot be evaluated: {why}")
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
    return _with_finding(data, _waterfall_finding(data))


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
        return (f"Gross margin {gm} against a target of {percent(d.target_margin)}: "
                f"headroom {money(d.headroom, d.currency)} per dose")
    return (f"Gross margin {gm} against a target of {percent(d.target_margin)}: "
            f"{money(-d.headroom, d.currency)} per dose short of the target")


# ---------------------------------------------------------------- tornado


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
    base: float
    rows: list[TornadoRow]  # largest swing first
    finding: str


def tornado_data(tornado_result, currency: str = "USD", top: int = 10) -> TornadoData:
    """Chart data from an ``analyses.tornado`` result: the ``top`` largest swings."""
    params = catalogue().parameters
    rows = [
        TornadoRow(b.key, params[b.key].label if b.key in params else b.key, float(b.low), float(b.high),
                   float(b.result_low), float(b.result_high), float(b.swing))
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
        base=float(tornado_result.base),
        rows=rows,
        finding="",
    )
    return _with_finding(data, _tornado_finding(data))


def _tornado_finding(d: TornadoData) -> str:
    if not d.rows or d.rows[0].swing <= 0:
        return f"No input moves {_lower_first(d.label)} of {d.scenario}"
    r = d.rows[0]
    lo, hi = sorted((r.result_low, r.result_high))
    fmt = (lambda x: money(x, d.currency)) if catalogue().results[d.result].kind == "money" else count
    return f"{r.label} moves {_lower_first(d.label)} of {d.scenario} most: {fmt(lo)} to {fmt(hi)}"


# ---------------------------------------------------------------- Monte Carlo


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
    )
    return _with_finding(data, _mc_finding(data))


def _mc_finding(d: MonteCarloData) -> str:
    runs = f"{d.samples:,} runs" + ("" if d.complete else " (stopped early)")
    if d.p_meets_target is None or d.target is None:
        return f"{d.scenario}: {_lower_first(d.label)} P10-P90 {money(d.p10, d.currency)} to {money(d.p90, d.currency)} ({runs})"
    return (f"{d.scenario} meets the margin target in {percent(d.p_meets_target)} of {runs}; "
            f"P50 {money(d.p50, d.currency)} per dose")
