"""Analysis commands: sweep, crossover, tornado, montecarlo, solve.

Registered by :mod:`cgtdesk.cli.main` (``register(subparsers)``). ``--json`` prints the shapes
that docs/architecture.md lists; without it, a readable table. Bad input exits 2 with one message.
"""

from __future__ import annotations

import math

from cgtdesk.cli.output import EXIT_OK, load, print_csv, print_json, print_table
from cgtdesk.core.analyses.presets import DEMAND_HI, DEMAND_LO, MC_RESULTS, SWEEP_POINTS
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import format_value


def _result(name: str) -> str:
    from cgtdesk.core.analyses import check_result

    return check_result(name)


def _info(result: str):
    from cgtdesk.core.catalogue import catalogue

    return catalogue().results[result]


def _num(x) -> float | None:
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def _fmt(value, result: str, currency: str) -> str:
    return format_value(_num(value), _info(result).kind, currency)


def _plain(x) -> str:
    from cgtdesk.core.formatting import fmt_number

    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return fmt_number(round(float(x), 6) if abs(float(x)) >= 1 else float(f"{float(x):.6g}"))


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
        print(f"B stays below A from {_plain(r.b_cheaper_from)} patients/yr up to {_plain(r.hi)}.")
    return EXIT_OK


# ---------------------------------------------------------------- tornado


def cmd_tornado(args) -> int:
    from cgtdesk.core.analyses import tornado
    from cgtdesk.core.catalogue import catalogue

    result = _result(args.result)
    project = load(args.file)
    s = project.scenario(args.scenario)
    r = tornado(s, result)
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
    cat = catalogue().parameters
    rows = []
    for b in r.bars:
        rows.append(
            [
                cat[b.key].label,
                b.key,
                _plain(b.low),
                _plain(b.high),
                _fmt(b.result_low, result, cur),
                _fmt(b.result_high, result, cur),
                _fmt(b.swing, result, cur) if not b.invalid else "invalid",
                b.source,
            ]
        )
    print_table(["Parameter", "Key", "Low", "High", "Result at low", "Result at high", "Swing", "Range from"], rows)
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
    project = load(args.file)
    r = monte_carlo(project, args.samples, args.seed, results)
    if args.json:
        print_json(
            {
                "samples": r.samples,
                "seed": r.seed,
                "complete": r.complete,
                "scenarios": [
                    {
                        "name": s.name,
                        "invalid_samples": s.invalid_samples,
                        "valid_samples": s.valid_samples,
                        "results": {k: {q: v for q, v in d.items() if q != "n"} for k, d in s.summaries.items()},
                        "p_meets_target": s.p_meets_target,
                        "sensitivity": [{"key": k, "spearman": rho} for k, rho in s.sensitivity],
                        "sensitivity_samples": s.sensitivity_samples,
                    }
                    for s in r.scenarios
                ],
                "comparisons": [{"a": c.a, "b": c.b, "p_b_cheaper": c.p_b_cheaper, "result": r.compare} for c in r.comparisons],
            }
        )
        return EXIT_OK
    cur = project.currency
    print(f"Monte Carlo: {r.samples:,} samples, seed {r.seed}\n")
    for s in r.scenarios:
        print(f"{s.name}: {s.valid_samples:,} valid samples, {s.invalid_samples:,} invalid (left out of the figures)")
        print(f"P(cost of goods per dose <= max allowable) = {_pct(s.p_meets_target)}\n")
        rows = [
            [_info(k).label, *(_fmt(d[q], k, cur) for q in ("mean", "sd", "p5", "p10", "p50", "p90", "p95"))]
            for k, d in s.summaries.items()
        ]
        print_table(["Result", "Mean", "SD", "P5", "P10", "P50", "P90", "P95"], rows)
        print()
        rhos = [[k, f"{rho:+.3f}" if math.isfinite(rho) else "-"] for k, rho in s.sensitivity]
        print_table(["Sensitivity (Spearman, cost of goods per dose)", "rho"], rhos)
        print()
    if r.comparisons:
        print_table(["A", "B", "P(B cheaper than A)"], [[c.a, c.b, _pct(c.p_b_cheaper)] for c in r.comparisons])
    return EXIT_OK


def _pct(p) -> str:
    return "-" if p is None or not math.isfinite(p) else f"{p * 100:.1f}%"


# ---------------------------------------------------------------- goal seek


def cmd_solve(args) -> int:
    from cgtdesk.core.analyses import solve

    result = _result(args.result)
    target = args.target
    if target != "max_allowable":
        try:
            target = float(target)
        except ValueError:
            raise InputError(f"--target: expected a number or max_allowable, found {args.target!r}") from None
        if not math.isfinite(target):
            raise InputError(f"--target: expected a finite number, found {args.target!r}")
    sense = {"le": "<=", "ge": ">=", None: None}[args.sense]
    project = load(args.file)
    s = project.scenario(args.scenario)
    r = solve(s, args.vary, result, target, sense=sense)
    if args.json:
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
            }
        )
        return EXIT_OK
    cur = project.currency
    print(f"Goal seek for '{r.scenario}': {r.vary} so that {r.result} {r.sense} target\n")
    rows = [
        ["Target", _fmt(r.target, result, cur)],
        ["Base value", _plain(r.base_value)],
        ["Result at base", _fmt(r.base_result, result, cur)],
        ["Reachable", "yes" if r.reachable else "no"],
        ["Value", _plain(r.value)],
        ["Result at value", _fmt(r.achieved, result, cur)],
    ]
    print_table(["Goal seek", "Value"], rows)
    print()
    print(r.message[0].upper() + r.message[1:] + ".")
    return EXIT_OK


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
    p.add_argument("--samples", type=int, required=True, metavar="N")
    p.add_argument("--seed", type=int, required=True, metavar="S")
    p.add_argument(
        "--results",
        metavar="R1,R2",
        help="results to summarise (default: cost of goods per dose and per patient, total, margin, headroom)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_montecarlo)

    p = sub.add_parser("solve", help="goal seek: the value of one parameter at which a result meets a target")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--scenario", required=True, metavar="NAME")
    p.add_argument("--vary", required=True, metavar="KEY")
    p.add_argument("--result", default=DEFAULT_RESULT, metavar="R")
    p.add_argument("--target", default="max_allowable", metavar="VALUE|max_allowable", help="a number or max_allowable (default)")
    p.add_argument("--sense", choices=("le", "ge"), help="result <= target (le) or >= target (ge); default by result")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_solve)
