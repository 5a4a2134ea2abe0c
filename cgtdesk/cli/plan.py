"""The launch plan command: ``plan FILE [--scenario NAME] [--json | --csv]``.

``--json`` prints the shape of docs/architecture.md ("plan --json"); ``--csv`` the table by year,
one row per (scenario or switch, year); without either, a readable summary and the table with
the years across. A project without a plan is refused (exit 2) with a sentence saying how to add one.
"""

from __future__ import annotations

from cgtdesk.cli.output import EXIT_OK, load, print_csv, print_json, print_table
from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.core.errors import InputError

#: labels and kinds of the plan's summary results
SUMMARY_LABELS = {
    "npc": ("Net present cost", "money"),
    "levelised_cogs_per_dose": ("Levelised cost of goods per dose", "money"),
    "npv_gross_profit": ("Net present value of gross profit", "money"),
    "peak_funding": ("Peak funding", "money"),
    "capex_cash": ("Capital spent (net of residual value)", "money"),
    "startup_cash": ("Start-up spent", "money"),
}
#: the non-money fields of the table by year
_PLAIN = {"year", "patients", "doses", "planning_patients", "units", "suites", "batches", "utilisation"}
#: the first characters a spreadsheet would read as a formula


def _num(x):
    import math

    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _years_json(series, years) -> list[dict]:
    t = series.table
    rows = []
    for i, year in enumerate(years):
        row: dict = {"year": int(year)}
        for f, v in t.items():
            if f in BREAKDOWN:
                row.setdefault("breakdown", {})[f] = _num(v[i])
            else:
                row[f] = None if v is None else _num(v[i])
        rows.append(row)
    return rows


def plan_json(result) -> dict:
    """The plan as plain JSON data (the ``plan --json`` shape)."""
    return {
        "first_year": result.first_year,
        "years": len(result.years),
        "patients": [float(x) for x in result.patients],
        "scenarios": [
            {"name": s.name, "summary": dict(s.summary), "years": _years_json(s, result.years)} for s in result.scenarios
        ],
        "switches": [
            {
                "from": sw.source,
                "to": sw.target,
                "year": sw.year,
                "summary": dict(sw.series.summary),
                "years": _years_json(sw.series, result.years),
                "by_switch_year": [{"year": y, "npc": _num(v)} for y, v in sw.by_switch_year],
                "best_year": sw.best_year,
            }
            for sw in result.switches
        ],
    }


def _csv(result) -> None:
    from cgtdesk.core.analyses.plan import TABLE_FIELDS

    fields = list(TABLE_FIELDS[:-3]) + ["comparability"] + list(TABLE_FIELDS[-3:])  # every SWITCH_FIELDS one too

    def cell(v, i):
        return "" if v is None or _num(v[i]) is None else repr(float(v[i]))

    rows = []
    for s in [*result.scenarios, *(sw.series for sw in result.switches)]:
        for i, year in enumerate(result.years):
            rows.append([s.name, str(int(year)), *(cell(s.table.get(f), i) for f in fields)])
    print_csv(["scenario", "year", *fields], rows)


def _cell(f: str, v, currency: str) -> str:
    if v is None:
        return "-"
    v = float(v)
    if f == "utilisation":
        return f"{v * 100:.0f}%"
    if f in _PLAIN:
        return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 or abs(v) >= 100 else f"{v:,.1f}"
    return f"{v:,.0f}"


def _readable(result, currency: str, title: str) -> None:
    print(f"{title}: launch plan, {result.years[0]} to {result.years[-1]} ({currency})\n")
    named = [*((s.name, s) for s in result.scenarios), *((sw.series.name, sw.series) for sw in result.switches)]
    rows = [[label, *(_summary_cell(s.summary[k], currency) for _, s in named)] for k, (label, _kind) in SUMMARY_LABELS.items()]
    print_table(["Summary", *(n for n, _ in named)], rows)
    for name, s in named:
        print(f"\n{name} (money in {currency})")
        years = [str(int(y)) for y in result.years]
        rows = [[f, *(_cell(f, None if v is None else v[i], currency) for i in range(len(years)))] for f, v in s.table.items()]
        print_table(["", *years], rows)
    for sw in result.switches:
        best = "never (keep the first process)" if sw.best_year is None else str(sw.best_year)
        print(f"\n{sw.label}: cheapest switch year {best}")
        print_table(["Switch year", "Net present cost"], [[str(y), _summary_cell(v, currency)] for y, v in sw.by_switch_year])


def _summary_cell(v, currency: str) -> str:
    return "-" if v is None else f"{currency} {v:,.0f}"


def cmd_plan(args) -> int:
    from cgtdesk.core.analyses.plan import NO_PLAN, plan

    if args.json and args.csv:
        raise InputError("plan: choose one of --json and --csv")
    project = load(args.file)
    if project.plan is None:
        raise InputError(f"{args.file}: {NO_PLAN}")
    result = plan(project, args.scenario)
    if args.json:
        print_json(plan_json(result))
    elif args.csv:
        _csv(result)
    else:
        _readable(result, project.currency, project.title)
    return EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("plan", help="the launch plan of every scenario and switch: summary and the table by year")
    p.add_argument("file", metavar="FILE", help=".cgtproj project or .xlsx workbook")
    p.add_argument("--scenario", metavar="NAME", help="only this scenario (and the switches naming it)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--csv", action="store_true", help="the table by year as comma-separated values")
    p.set_defaults(func=cmd_plan)
