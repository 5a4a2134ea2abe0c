"""Analysis commands: sweep, crossover, tornado, montecarlo, solve.

Registered by :mod:`cgtdesk.cli.main` (``register(subparsers)``). ``--json`` prints the shapes
that docs/architecture.md lists; without it, a readable table. Bad input exits 2 with one message.
tornado, montecarlo and solve also take the launch plan's results (npc, levelised_cogs_per_dose,
npv_gross_profit, peak_funding; solve also switch_saving): a project without a plan asking for
one exits 2 with the sentence saying how to add a plan.
"""

from __future__ import annotations

import math

from cgtdesk.cli.output import EXIT_OK, load, print_csv, print_json, print_table, warn_outside
from cgtdesk.core.analyses.presets import DEMAND_HI, DEMAND_LO, MC_RESULTS, MC_SAMPLES, MC_SEED, SWEEP_POINTS
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import format_value, patients


def _result(name: str, *, switch: bool = False) -> str:
    """An annual result, or a launch-plan result (whether the project has a plan is checked once loaded)."""
    from cgtdesk.core.analyses.plan import PLAN_ANALYSIS_RESULTS, SWITCH_SAVING, check_analysis_result

    if name in PLAN_ANALYSIS_RESULTS or (switch and name == SWITCH_SAVING):
        return name
    return check_analysis_result(name, None, switch=switch)


def _need_plan(result: str, project) -> None:
    """A plan result of a project without a plan: exit 2 with the sentence saying how to add one."""
    from cgtdesk.core.analyses.plan import NO_PLAN, is_plan_result

    if is_plan_result(result) and project.plan is None:
        raise InputError(NO_PLAN)


def _info(result: str):
    from cgtdesk.core.analyses.plan import result_info

    return result_info(result)


def _num(x) -> float | None:
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def _fmt(value, result: str, currency: str) -> str:
    return format_value(_num(value), _info(result).kind, currency)


def _plain(x) -> str:
    """A demand or an input as people read it: 75.2, 453,314, 0.0123 (three significant figures,
    whole numbers from 100 up)."""
    from cgtdesk.core.formatting import sig

    return sig(_num(x))


def _input(key: str, x, currency: str) -> str:
    """An input value in the number style of its kind: 92.2%, USD 15,000, 75.2."""
    from cgtdesk.core.catalogue import catalogue
    from cgtdesk.core.formatting import fraction_text, money

    kind = catalogue().parameters[key].kind
    if _num(x) is None:
        return "-"
    if kind == "fraction":
        return fraction_text(float(f"{x:.3g}"))
    return money(x, currency) if kind == "money" else _plain(x)


def _label(key: str) -> str:
    from cgtdesk.core.catalogue import catalogue

    p = catalogue().parameters.get(key)
    return p.label if p is not None else key


# ---------------------------------------------------------------- sweep


def cmd_sweep(args) -> int:
    from cgtdesk.core.analyses import demand_grid, sweep

    result = _result(args.result)
    if args.points < 2 or args.points > 1_000_000:
        raise InputError(f"--points: expected a whole number from 2 to 1,000,000, found {args.points}")
    project = load(args.file)
    grid = demand_grid(args.lo, args.hi, args.points)
    r = sweep(project.scenarios, result, grid)
    if args.json:
        print_json(
            {
                "result": result,
                "unit": _info(result).unit_for(project.currency),
                "demand": r.demand,
                "scenarios": [{"name": n, "values": v} for n, v in r.values.items()],
            }
        )
    elif args.csv:
        rows = (
            [repr(float(d)), *("" if math.isnan(v[i]) else repr(float(v[i])) for v in r.values.values())]
            for i, d in enumerate(r.demand)
        )
        print_csv(["demand.patients_per_year", *r.values], rows)
    else:
        info = _info(result)
        print(f"{info.label} ({info.unit_for(project.currency)}) against demand (patients/yr)\n")
        cur = project.currency
        rows = [[_plain(d), *(_fmt(float(v[i]), result, cur) for v in r.values.values())] for i, d in enumerate(r.demand)]
        print_table(["Patients/yr", *r.values], rows)
    return EXIT_OK


# ---------------------------------------------------------------- crossover


def cmd_crossover(args) -> int:
    from cgtdesk.core.analyses import crossover

    result = _result(args.result)
    project = load(args.file)
    a, b = project.scenario(args.a), project.scenario(args.b)
    if a.name == b.name:
        raise InputError(f"crossover: expected two different scenarios, found '{a.name}' twice")
    r = crossover(a, b, result, args.lo, args.hi)
    if args.json:
        print_json(
            {
                "a": r.a,
                "b": r.b,
                "result": r.result,
                "crossings": r.crossings,
                "b_cheaper_from": r.b_cheaper_from,
                "from": r.lo,
                "to": r.hi,
                "message": r.message,
            }
        )
        return EXIT_OK
    print(f"{_info(result).label}: '{r.b}' (B) against '{r.a}' (A), demand {_plain(r.lo)} to {_plain(r.hi)} patients/yr\n")
    if r.crossings:
        print_table(["Crossing", "Patients/yr"], [[str(i + 1), _plain(x)] for i, x in enumerate(r.crossings)])
    else:
        print("No crossing in the range.")
    print()
    if r.b_cheaper_from is None:
        print(f"B is not below A at {_plain(r.hi)} patients/yr.")
    else:
        # as the charts say it: whole patients, rounded up (from 44.05 a year means 45)
        print(f"B stays below A from {patients(r.b_cheaper_from)} patients/yr up to {_plain(r.hi)}.")
    return EXIT_OK


# ---------------------------------------------------------------- tornado


def cmd_tornado(args) -> int:
    from cgtdesk.core.analyses import tornado

    result = _result(args.result)
    project = load(args.file)
    _need_plan(result, project)
    s = project.scenario(args.scenario)
    warn_outside([s], project.currency)
    r = tornado(s, result, plan=project.plan)
    if args.json:
        print_json(
            {
                "scenario": r.scenario,
                "result": r.result,
                "base": r.base,
                "bars": [
                    {
                        "key": b.key,
                        "low": b.low,
                        "high": b.high,
                        "result_low": b.result_low,
                        "result_high": b.result_high,
                        "swing": b.swing,
                        "source": b.source,
                        "invalid": b.invalid,
                    }
                    for b in r.bars
                ],
            }
        )
        return EXIT_OK
    cur = project.currency
    print(f"Tornado of {_info(result).label} for '{r.scenario}': base {_fmt(r.base, result, cur)}\n")
    rows = []
    for b in r.bars:
        rows.append(
            [
                _label(b.key),
                _input(b.key, b.low, cur),
                _input(b.key, b.high, cur),
                _fmt(b.result_low, result, cur),
                _fmt(b.result_high, result, cur),
                _fmt(b.swing, result, cur) if not b.invalid else "invalid",
                "default +/-20%" if b.source == "default" else b.source,
            ]
        )
    print_table(["Parameter", "Low", "High", "Result at low", "Result at high", "Swing", "Range from"], rows)
    defaults = sum(b.source == "default" for b in r.bars)
    if defaults:
        print(f"\n{defaults} of {len(r.bars)} inputs have no distribution: they swing by the default +/-20% of base.")
    return EXIT_OK


# ---------------------------------------------------------------- Monte Carlo


def cmd_montecarlo(args) -> int:
    from cgtdesk.core.analyses import MC_MAX_SAMPLES, monte_carlo

    if not 1 <= args.samples <= MC_MAX_SAMPLES:
        raise InputError(f"--samples: expected a whole number from 1 to {MC_MAX_SAMPLES:,}, found {args.samples}")
    if not 0 <= args.seed < 2**63:
        raise InputError(f"--seed: expected a whole number from 0 to 2^63-1, found {args.seed}")
    results = MC_RESULTS
    if args.results:
        results = tuple(_result(x.strip()) for x in args.results.split(",") if x.strip())
        if not results:
            raise InputError("--results: expected a comma-separated list of result names")
    compare = _result(args.compare)
    project = load(args.file)
    for name in (*results, compare):
        _need_plan(name, project)
    warnings = warn_outside(project.scenarios, project.currency, quiet=args.json)
    r = monte_carlo(project, args.samples, args.seed, results, compare=compare)
    planned = any(_is_plan(name) for name in (*results, compare))
    if args.json:
        print_json({**_mc_json(r, planned), "warnings": warnings})
        return EXIT_OK
    cur = project.currency
    print(f"Monte Carlo: {r.samples:,} samples, seed {r.seed}\n")
    for s in r.scenarios:
        _mc_scenario(s, cur, planned)
    if r.comparisons:
        _mc_pairs(r)
    return EXIT_OK


def _mc_scenario(s, cur: str, planned: bool) -> None:
    print(f"{s.name}: {s.valid_samples:,} valid samples, {s.invalid_samples:,} invalid (left out of the figures)")
    print(f"P(cost of goods per dose <= max allowable) = {_pct(s.p_meets_target)}")
    if planned:
        print(f"P(levelised cost of goods per dose of the launch plan <= max allowable) = {_pct(s.p_plan_meets_target)}")
    print()
    rows = [
        [_info(k).label, *(_fmt(d[q], k, cur) for q in ("mean", "sd", "p5", "p10", "p50", "p90", "p95"))]
        for k, d in s.summaries.items()
    ]
    print_table(["Result", "Mean", "SD", "P5", "P10", "P50", "P90", "P95"], rows)
    print()
    if s.sensitivity:
        rhos = [[_label(k), f"{rho:+.3f}" if math.isfinite(rho) else "-"] for k, rho in s.sensitivity]
        print_table(["Sensitivity (Spearman, cost of goods per dose)", "rho"], rhos)
    else:
        print("No input has a distribution: add distributions in the Uncertainty editor (or the project file).")
    print()


def _mc_pairs(r) -> None:
    """Each pair once: P(B cheaper than A) and P(A cheaper than B) on one row."""
    if r.compare != "cogs_per_dose":
        print(f"Compared on: {_info(r.compare).label}")
    by_pair = {(c.a, c.b): c.p_b_cheaper for c in r.comparisons}
    names = list(dict.fromkeys(c.a for c in r.comparisons))
    rows = [
        [a, b, _pct(by_pair[(a, b)]), _pct(by_pair[(b, a)])]
        for i, a in enumerate(names)
        for b in names[i + 1 :]
        if (a, b) in by_pair and (b, a) in by_pair
    ]
    print_table(["A", "B", "P(B cheaper than A)", "P(A cheaper than B)"], rows)


def _is_plan(name: str) -> bool:
    from cgtdesk.core.analyses.plan import is_plan_result

    return is_plan_result(name)


def _mc_json(r, planned: bool) -> dict:
    """``montecarlo --json``; ``p_plan_meets_target`` is there when a launch-plan result was asked."""
    scenarios = []
    for s in r.scenarios:
        d = {
            "name": s.name,
            "invalid_samples": s.invalid_samples,
            "valid_samples": s.valid_samples,
            "results": {k: {q: v for q, v in d.items() if q != "n"} for k, d in s.summaries.items()},
            "p_meets_target": s.p_meets_target,
            "sensitivity": [{"key": k, "spearman": rho} for k, rho in s.sensitivity],
            "sensitivity_samples": s.sensitivity_samples,
        }
        if planned:
            d["p_plan_meets_target"] = s.p_plan_meets_target
        scenarios.append(d)
    return {
        "samples": r.samples,
        "seed": r.seed,
        "complete": r.complete,
        "scenarios": scenarios,
        "comparisons": [{"a": c.a, "b": c.b, "p_b_cheaper": c.p_b_cheaper, "result": r.compare} for c in r.comparisons],
    }


def _pct(p) -> str:
    return "-" if p is None or not math.isfinite(p) else f"{p * 100:.1f}%"


# ---------------------------------------------------------------- goal seek


def _switch(args, project, result: str):
    """The scenario whose parameter varies and the switch (``switch_saving`` only)."""
    given = [
        o
        for o, v in (("--switch-from", args.switch_from), ("--switch-to", args.switch_to), ("--switch-year", args.switch_year))
        if v is not None
    ]
    if result != "switch_saving":
        if given:
            raise InputError(f"{given[0]}: a switch is given only with --result switch_saving")
        if args.scenario is None:
            raise InputError("--scenario: expected the name of the scenario whose parameter varies")
        return project.scenario(args.scenario), None
    if len(given) < 3:
        raise InputError("--result switch_saving: expected --switch-from NAME --switch-to NAME --switch-year YEAR")
    source, target = project.scenario(args.switch_from), project.scenario(args.switch_to)
    s = project.scenario(args.scenario) if args.scenario is not None else target
    return s, (source, target, args.switch_year)


def cmd_solve(args) -> int:
    from cgtdesk.core.analyses import solve

    result = _result(args.result, switch=True)
    target = args.target
    if target is not None and target != "max_allowable":
        try:
            target = float(target)
        except ValueError:
            raise InputError(f"--target: expected a number or max_allowable, found {args.target!r}") from None
        if not math.isfinite(target):
            raise InputError(f"--target: expected a finite number, found {args.target!r}")
    sense = {"le": "<=", "ge": ">=", None: None}[args.sense]
    project = load(args.file)
    _need_plan(result, project)
    s, switch = _switch(args, project, result)
    r = solve(s, args.vary, result, target, sense=sense, plan=project.plan, switch=switch)
    if args.json:
        extra = {} if r.switch is None else {"switch": {"from": r.switch[0], "to": r.switch[1], "year": r.switch[2]}}
        print_json(
            {
                "scenario": r.scenario,
                "vary": r.vary,
                "result": r.result,
                "target": r.target,
                "reachable": r.reachable,
                "value": r.value,
                "achieved": r.achieved,
                "sense": r.sense,
                "all_meet": r.all_meet,
                "base_value": r.base_value,
                "base_result": r.base_result,
                "base_meets": r.base_meets,
                "feasible": [list(f) for f in r.feasible],
                "message": r.message,
                **extra,
            }
        )
        return EXIT_OK
    cur = project.currency
    label, rel = _info(result).label, "at most" if r.sense == "<=" else "at least"
    print(f"Goal seek for '{r.scenario}': {_label(r.vary)} so that {label} is {rel} the target\n")
    rows = [
        ["Target", _fmt(r.target, result, cur)],
        ["Base value", _input(r.vary, r.base_value, cur)],
        ["Result at base", _fmt(r.base_result, result, cur)],
        ["Reachable", "yes" if r.reachable else "no"],
        ["Value", _input(r.vary, r.value, cur)],
        ["Result at value", _fmt(r.achieved, result, cur)],
    ]
    print_table(["Goal seek", "Value"], rows)
    print()
    print(_solve_sentence(r, label, rel, cur))
    return EXIT_OK


def _solve_sentence(r, label: str, rel: str, cur: str) -> str:
    """The answer in words, with labels and the number style of the table."""
    vary, target = _label(r.vary), _fmt(r.target, r.result, cur)
    if not r.reachable:
        return f"No value of {vary} in its valid range gives {label.lower()} {rel} {target}."
    if r.all_meet:
        return f"{label} is {rel} {target} over the whole valid range of {vary}; the end closest to the target is {_input(r.vary, r.value, cur)}."
    v = _input(r.vary, r.value, cur)
    near = [(lo, hi) for lo, hi in r.feasible if lo - 1e-9 * (1 + abs(lo)) <= r.value <= hi + 1e-9 * (1 + abs(hi))]
    side = next(("or more" if abs(r.value - lo) <= abs(r.value - hi) else "or less" for lo, hi in near), "")
    return (
        f"{label} is {rel} {target} with {vary} at {v} {side} "
        f"(base {_input(r.vary, r.base_value, cur)} gives {_fmt(r.base_result, r.result, cur)})."
    )


# ---------------------------------------------------------------- registration


def register(sub) -> None:
    from cgtdesk.core.analyses import DEFAULT_RESULT

    lo, hi = f"{DEMAND_LO:.0f}", f"{DEMAND_HI:.0f}"  # the demand range in help text: 1 and 100000
    p = sub.add_parser("sweep", help="a result against demand for every scenario")
    p.add_argument("file", metavar="FILE", help=".cgtproj project or .xlsx workbook")
    p.add_argument("--result", default=DEFAULT_RESULT, metavar="R", help=f"result name (default {DEFAULT_RESULT})")
    p.add_argument(
        "--from", dest="lo", type=float, default=DEMAND_LO, metavar="A", help=f"lowest demand, patients/yr (default {lo})"
    )
    p.add_argument("--to", dest="hi", type=float, default=DEMAND_HI, metavar="B", help=f"highest demand (default {hi})")
    p.add_argument("--points", type=int, default=SWEEP_POINTS, metavar="N", help=f"log-spaced points (default {SWEEP_POINTS})")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="machine-readable output")
    g.add_argument("--csv", action="store_true", help="CSV on standard output")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("crossover", help="demands where scenario B and scenario A swap order")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--a", required=True, metavar="NAME", help="scenario A")
    p.add_argument("--b", required=True, metavar="NAME", help="scenario B")
    p.add_argument("--result", default=DEFAULT_RESULT, metavar="R")
    p.add_argument("--from", dest="lo", type=float, default=DEMAND_LO, metavar="A", help=f"lowest demand (default {lo})")
    p.add_argument("--to", dest="hi", type=float, default=DEMAND_HI, metavar="B", help=f"highest demand (default {hi})")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_crossover)

    p = sub.add_parser("tornado", help="one-at-a-time swings, sorted")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--scenario", required=True, metavar="NAME")
    p.add_argument("--result", default=DEFAULT_RESULT, metavar="R")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tornado)

    p = sub.add_parser("montecarlo", help="distributions, target probability, B-beats-A probability, sensitivity")
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--samples", type=int, default=MC_SAMPLES, metavar="N", help=f"samples (default {MC_SAMPLES:,}, as in the window)"
    )
    p.add_argument("--seed", type=int, default=MC_SEED, metavar="S", help=f"random seed (default {MC_SEED}, as in the window)")
    p.add_argument(
        "--results",
        metavar="R1,R2",
        help="results to summarise (default: cost of goods per dose and per patient, total, margin, headroom; "
        "launch plan: npc, levelised_cogs_per_dose, npv_gross_profit, peak_funding)",
    )
    p.add_argument(
        "--compare",
        default=DEFAULT_RESULT,
        metavar="R",
        help=f"result of P(B below A) (default {DEFAULT_RESULT}; npc: the plans)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_montecarlo)

    p = sub.add_parser("solve", help="goal seek: the value of one parameter at which a result meets a target")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--scenario", metavar="NAME", help="the scenario whose parameter varies (switch_saving: default --switch-to)")
    p.add_argument("--vary", required=True, metavar="KEY")
    p.add_argument("--result", default=DEFAULT_RESULT, metavar="R", help="a result, a launch-plan result or switch_saving")
    p.add_argument(
        "--target",
        metavar="VALUE|max_allowable",
        help="a number or max_allowable (default; switch_saving: 0, the switch breaks even)",
    )
    p.add_argument("--switch-from", metavar="NAME", help="switch_saving: the scenario switched from")
    p.add_argument("--switch-to", metavar="NAME", help="switch_saving: the scenario switched to")
    p.add_argument("--switch-year", type=int, metavar="YEAR", help="switch_saving: the calendar year of the switch")
    p.add_argument("--sense", choices=("le", "ge"), help="result <= target (le) or >= target (ge); default by result")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_solve)
