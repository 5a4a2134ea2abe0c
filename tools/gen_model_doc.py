"""Regenerate the generated parts of docs/model.md (model version 2) from the catalogue and the model.

    python tools/gen_model_doc.py           rewrite every generated block of docs/model.md
    python tools/gen_model_doc.py --check   exit 1 (and say so) when a block has drifted

Generated blocks sit between ``<!-- BEGIN NAME -->`` and ``<!-- END NAME -->`` markers:
PARAMETERS (the parameter table: kind, defaults, range, neutral value, scope, source), RESULTS (the
result names), WORKED-AUTO, WORKED-ALLO and WORKED-MODES (worked numbers for the defaults,
computed by the app's own ``evaluate``), WORKED-PLAN-HAND (the launch plan's hand-worked case)
and WORKED-PLAN-EXAMPLE (the launch plan of ``resources/example.cgtproj``), both computed by the
app's own plan engine. The equations in words around them are hand-written
and left alone. tests/system/test_docs.py fails when the page and this script disagree, and checks the
worked numbers against hand arithmetic.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from cgtdesk.core.analyses.plan import plan  # noqa: E402
from cgtdesk.core.analyses.plan_engine import PLAN_RESULTS, TABLE_FIELDS, plan_arrays, summarise  # noqa: E402
from cgtdesk.core.catalogue import BREAKDOWN, PROCESSES, catalogue  # noqa: E402
from cgtdesk.core.model import evaluate  # noqa: E402
from cgtdesk.io.projectfile import load_project  # noqa: E402

DOC = ROOT / "docs" / "model.md"
BEGIN = "<!-- BEGIN PARAMETERS -->"
END = "<!-- END PARAMETERS -->"
HEADER = (
    "key",
    "label",
    "kind",
    "unit",
    "default autologous / allogeneic",
    "valid range",
    "applies to",
    "neutral",
    "scope",
    "source",
)
#: demand at which the worked numbers are given (the defaults' reference points)
WORKED_DEMAND = {"autologous": 500, "allogeneic": 1000}
#: the launch plan's hand-worked case: allogeneic defaults, r = 0, three years, look-ahead 1
PLAN_HAND = {"process": "allogeneic", "demand": (0.0, 1000.0, 1000.0), "look_ahead": 1, "discount_rate": 0.0}
EXAMPLE = ROOT / "resources" / "example.cgtproj"


def doc_number(x) -> str:
    """A number for the page: 1,500,000 below ten million, 1e+08 above, 0.85 for fractions; text as is."""
    if isinstance(x, str):
        return x
    x = float(x)
    if x.is_integer() and abs(x) < 1e7:
        return f"{int(x):,}"
    if abs(x) >= 1e7:
        return f"{x:.4g}"
    return f"{x:.10g}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _default(p) -> str:
    values = [p.default[pr] for pr in PROCESSES if pr in p.processes]
    if len(values) == 2 and values[0] == values[1]:
        return doc_number(values[0])
    if len(values) == 2:
        return f"{doc_number(values[0])} / {doc_number(values[1])}"
    return doc_number(values[0])


def _range(p) -> str:
    if p.is_choice:
        return p.range_text()
    text = f"{doc_number(p.min)} .. {doc_number(p.max)}"
    return text + " (integer)" if p.integer else text


def _applies(p) -> str:
    return "both" if set(p.processes) == set(PROCESSES) else ", ".join(p.processes)


def parameter_table() -> str:
    """The Markdown table of every catalogue parameter, in catalogue order, grouped."""
    cat = catalogue()
    lines = [
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---" for _ in HEADER) + "|",
    ]
    group = None
    for p in cat.parameters.values():
        if p.group != group:
            group = p.group
            lines.append(f"| **{_cell(group)}** |" + " |" * (len(HEADER) - 1))
        neutral = "-" if p.key not in cat.added_in(2) else ("any" if p.neutral is None else doc_number(p.neutral))
        row = (f"`{p.key}`", p.label, p.kind, p.unit, _default(p), _range(p), _applies(p), neutral, p.scope, p.source)
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines)


def results_table() -> str:
    """The result names of the catalogue with label, unit and kind."""
    lines = ["| result | label | unit | kind |", "|---|---|---|---|"]
    for r in catalogue().results.values():
        lines.append(f"| `{r.key}` | {_cell(r.label)} | {r.unit.replace('{cur}', 'USD')} | {r.kind} |")
    return "\n".join(lines)


def worked(process: str, mode: str = "dedicated") -> dict:
    """The app's results and intermediates for the catalogue defaults at the worked demand."""
    values = catalogue().defaults(process)
    values["demand.patients_per_year"] = WORKED_DEMAND[process]
    values["facility.mode"] = mode
    return evaluate(process, values, intermediates=True)


def _usd(x: float) -> str:
    return f"USD {x:,.0f}"


def _rows(pairs) -> str:
    return "\n".join(["| quantity | value |", "|---|---|"] + [f"| {a} | {b} |" for a, b in pairs])


def _breakdown(r: dict) -> list[tuple[str, str]]:
    return [(f"**{c}** a year", _usd(r[f"breakdown.{c}"])) for c in BREAKDOWN] + [
        ("**total_annual_cost**", _usd(r["total_annual_cost"])),
        ("**cogs_per_patient**", _usd(r["cogs_per_patient"])),
    ]


def worked_autologous() -> str:
    r = worked("autologous")
    c = lambda k: r[f"calc.{k}"]  # noqa: E731
    pairs = [
        ("batches started per site `B_s = 500 / 0.95`", f"{c('B_s'):.4f}"),
        ("offered load `a = B_s / 300 * 10`", f"{c('a'):.4f} devices busy on average"),
        ("devices `N_unit_s` (service level 0.95, wait 2 d)", f"{c('N_unit_s'):.0f}"),
        ("probability of waiting at all `EC(N_unit_s, a)`", f"{c('p_wait'):.4f}"),
        ("mean `slot_wait_days`", f"{c('slot_wait_days'):.4f}"),
        ("suites `N_suite_s = ceil_(24 / 4)`", f"{c('N_suite_s'):.0f}"),
        ("crew `F_crew_s = ceil_(6 * 2 * 3000 / 1700)`", f"{c('F_crew_s'):.0f}"),
        ("hands-on `F_hands_s = ceil_(B_s * 60 / 1700)`", f"{c('F_op_s'):.0f}"),
        ("QC/QA `F_qq_s = ceil_(B_s * 60 / 1700)`", f"{c('F_qq_s'):.0f}"),
        ("staff `F_s = max(22, 19) + 19 + 2 * 6 + 15`", f"{c('F_s'):.0f} FTE"),
        ("equipment `E_s = 24 * 500,000`", _usd(c("E_s"))),
        ("building `K_s = 15M + 6 * 3M`", _usd(c("K_s"))),
        ("`crf(8%, 7)` / `crf(8%, 20)`", f"{c('crf_equipment'):.4f} / {c('crf_building'):.4f}"),
        *_breakdown(r),
        ("`vein_to_vein_days = 2 + slot wait + 9 + 7 + 2 + 0.05/0.95 * 21`", f"{r['vein_to_vein_days']:.3f}"),
        ("`utilisation`", f"{r['utilisation']:.4f}"),
    ]
    return _rows(pairs)


def worked_allogeneic() -> str:
    r = worked("allogeneic")
    c = lambda k: r[f"calc.{k}"]  # noqa: E731
    pairs = [
        ("`doses_per_lot = floor_(20 * 1000 * 2.5e6 * 0.6 / 1e8) - 10`", f"{c('doses_per_lot'):.0f}"),
        ("doses used a day `rate_s = 1000 / 365`", f"{c('rate_s'):.4f}"),
        ("`expired_fraction` (shelf life 730 d)", f"{c('expired_fraction'):.4f}"),
        ("`usable = 290 * 0.9 * (1 - expired) * 0.9`", f"{c('usable'):.4f}"),
        ("lots `L_s = ceil_(1000 / usable)`", f"{c('L_s'):.0f}"),
        ("bioreactors `N_unit_s` (`cap = 255 / 16`)", f"{c('N_unit_s'):.0f}"),
        ("suites `N_suite_s`", f"{c('N_suite_s'):.0f}"),
        ("staff `F_s = max(4, 2) + 2 + 2 * 1 + 15`", f"{c('F_s'):.0f} FTE"),
        ("equipment `E_s = 250,000 * (20/50)^0.6 + 1,500,000`", _usd(c("E_s"))),
        ("doses filled `filled = 5 * 290` / stored `5 * 0.9 * 290`", f"{c('filled'):.0f} / {c('stored'):.0f}"),
        *_breakdown(r),
    ]
    return _rows(pairs)


def worked_modes() -> str:
    lines = ["| process (demand) | mode | FTE | capex_total | facility a year | cogs_per_patient |", "|---|---|---|---|---|---|"]
    for process in PROCESSES:
        for mode in ("dedicated", "shared", "cdmo"):
            r = worked(process, mode)
            lines.append(
                f"| {process} ({WORKED_DEMAND[process]:,}/yr) | {mode} | {r['fte']:.2f} | {_usd(r['capex_total'])} | "
                f"{_usd(r['breakdown.facility'])} | {_usd(r['cogs_per_patient'])} |"
            )
    return "\n".join(lines)


def plan_hand() -> tuple[dict, dict]:
    """The hand-worked launch plan as the app computes it: (table by year, summary), one row."""
    values = catalogue().defaults(PLAN_HAND["process"])
    values["finance.discount_rate"] = PLAN_HAND["discount_rate"]
    arrays = plan_arrays(PLAN_HAND["process"], values, np.array(PLAN_HAND["demand"]), PLAN_HAND["look_ahead"])
    summary = summarise(arrays, PLAN_HAND["discount_rate"])
    return {f: arrays[f][0] for f in TABLE_FIELDS}, {k: float(summary[k][0]) for k in PLAN_RESULTS}


def _plain(x) -> str:
    return f"{x:,.0f}" if abs(x) >= 1 or x == 0 else f"{x:.2f}"


def _summary_value(key: str, x) -> str:
    return "null" if x is None else _usd(x)


def worked_plan_hand() -> str:
    table, summary = plan_hand()
    T = len(PLAN_HAND["demand"])
    lines = ["| field | " + " | ".join(f"year {t}" for t in range(1, T + 1)) + " |", "|---" * (T + 1) + "|"]
    for f in TABLE_FIELDS:
        cells = [f"{v:.4f}" if f == "utilisation" else _plain(v) for v in table[f]]
        lines.append(f"| `{f}` | " + " | ".join(cells) + " |")
    lines += ["", "| summary result | value |", "|---|---|"]
    for k in PLAN_RESULTS:
        lines.append(f"| `{k}` | {_summary_value(k, summary[k])} |")
    return "\n".join(lines)


def example_plan():
    """The launch plan of resources/example.cgtproj as the app computes it."""
    return plan(load_project(EXAMPLE))


def worked_plan_example() -> str:
    result = example_plan()
    lines = ["| scenario | " + " | ".join(f"`{k}`" for k in PLAN_RESULTS) + " |", "|---" * (len(PLAN_RESULTS) + 1) + "|"]
    for s in [*result.scenarios, *(sw.series for sw in result.switches)]:
        lines.append(f"| {_cell(s.name)} | " + " | ".join(_summary_value(k, s.summary[k]) for k in PLAN_RESULTS) + " |")
    for sw in result.switches:
        best = "never switching" if sw.best_year is None else str(sw.best_year)
        npc = dict(sw.by_switch_year)
        never = result.first_year + len(result.years)
        lines += [
            "",
            f"Switch analysis, {_cell(sw.source)} to {_cell(sw.target)}: `best_year` {best}"
            f" (`npc` {_usd(npc[sw.best_year]) if sw.best_year is not None else _usd(npc[never])});"
            f" switching in {sw.year}: {_usd(npc[sw.year])}; never switching: {_usd(npc[never])}.",
        ]
    return "\n".join(lines)


BLOCKS = {
    "PARAMETERS": parameter_table,
    "RESULTS": results_table,
    "WORKED-AUTO": worked_autologous,
    "WORKED-ALLO": worked_allogeneic,
    "WORKED-MODES": worked_modes,
    "WORKED-PLAN-HAND": worked_plan_hand,
    "WORKED-PLAN-EXAMPLE": worked_plan_example,
}


def render(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""
    for name, make in BLOCKS.items():
        begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
        start, stop = text.find(begin), text.find(end)
        if start < 0 or stop < start:
            raise ValueError(f"docs/model.md must hold the markers {begin} and {end}, in that order")
        text = text[: start + len(begin)] + "\n" + make() + "\n" + text[stop:]
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when docs/model.md is out of date")
    args = ap.parse_args(argv)
    current = DOC.read_text(encoding="utf-8")
    fresh = render(current)
    if args.check:
        if fresh != current:
            print("docs/model.md: a generated block is out of date; run python tools/gen_model_doc.py", file=sys.stderr)
            return 1
        return 0
    if fresh != current:
        DOC.write_text(fresh, encoding="utf-8")
        print("docs/model.md: generated blocks regenerated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
