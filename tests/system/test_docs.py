"""docs/model.md stays true to the catalogue and the model (version 2)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cgtdesk.core.catalogue import catalogue

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "model.md"


def _gen():
    spec = importlib.util.spec_from_file_location("gen_model_doc", ROOT / "tools" / "gen_model_doc.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def gen():
    return _gen()


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _split(doc: str, gen) -> tuple[str, str]:
    """(the hand-written text, the generated parameter table)."""
    start, end = doc.index(gen.BEGIN), doc.index(gen.END)
    return doc[:start] + doc[end:], doc[start + len(gen.BEGIN) : end]


def test_the_parameter_table_is_current(gen, doc):
    assert doc.count(gen.BEGIN) == 1 and doc.count(gen.END) == 1
    assert gen.render(doc) == doc, "docs/model.md is out of date: run python tools/gen_model_doc.py"


def test_a_drifted_table_is_detected_and_repaired(gen, doc):
    drifted = doc.replace("| 0.95 |", "| 0.96 |", 1)
    assert drifted != doc
    assert gen.render(drifted) != drifted
    assert gen.render(drifted) == doc


def test_the_table_has_one_row_per_parameter_with_ten_columns(gen, doc):
    _, table = _split(doc, gen)
    rows = [r for r in table.strip().splitlines() if r.startswith("| `")]
    assert len(rows) == len(catalogue().parameters)
    header = table.strip().splitlines()[0]
    assert [c.strip() for c in header.strip("|").split("|")] == list(gen.HEADER)
    for row, (key, p) in zip(rows, catalogue().parameters.items(), strict=True):
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row.strip().strip("|"))]
        assert len(cells) == 10, row
        assert cells[8] == p.scope
        assert cells[0] == f"`{key}`"
        assert cells[1] == p.label.replace("|", "\\|")
        assert cells[2] == p.kind
        assert cells[3] == p.unit
        assert cells[6] in ("both", "autologous", "allogeneic")
        if key in catalogue().added_in(2):
            assert cells[7] == ("any" if p.neutral is None else gen.doc_number(p.neutral)), key
        else:
            assert cells[7] == "-", key


def test_defaults_are_shown_per_process(gen):
    table = gen.parameter_table()
    assert "| `commercial.price_per_dose` | List price per dose | money | USD/dose | 400,000 / 250,000 |" in table
    assert "| `facility.mode` | Facility mode | choice | - | dedicated | dedicated, shared, cdmo | both | dedicated |" in table
    assert "| 1 .. 1,000 (integer) |" in table  # facility.sites
    row = next(r for r in table.splitlines() if r.startswith("| `auto.batch_success_rate`"))
    assert "| 0.95 |" in row and "| autologous |" in row


def test_every_catalogue_key_and_result_key_appears(doc):
    for key in catalogue().parameters:
        assert f"`{key}`" in doc, key
    for key in catalogue().results:
        assert f"`{key}`" in doc, key


def test_every_parameter_the_model_reads_is_explained_in_the_equations(gen, doc):
    hand, _ = _split(doc, gen)
    source = (ROOT / "cgtdesk" / "core" / "model.py").read_text(encoding="utf-8")
    used = set(re.findall(r'p\["([a-z_]+\.[a-z_]+)"\]', source))
    assert len(used) > 40
    for key in used:
        assert key in hand, f"{key} is used by the model but not in the hand-written equations of docs/model.md"


def test_the_page_covers_its_sections(doc):
    for heading in (
        "## What the model is for",
        "## Two ways to make a therapy",
        "## Two helper functions",
        "### Facility modes",
        "## Autologous: scale-out",
        "## Allogeneic: scale-up",
        "## The three modes side by side",
        "## Results",
        "## Launch plan",
        "### Switching process after launch",
        "### Design choices",
        "## Neutral values",
        "## Analyses",
        "## Parameters",
    ):
        assert heading in doc
    for phrase in (
        "ceil_(x) = ceil(x - 1e-9)",
        "floor_(x) = floor(x + 1e-9)",
        "crf = 1/n",
        "Monte Carlo",
        "Tornado",
        "Crossover",
        "Goal seek",
        "The service-level rule",
        "EC(c, a)",
        "`dedicated`",
        "`shared`",
        "`cdmo`",
    ):
        assert phrase in doc
    for outside in ("MODEL.md", "DESIGN.md", "SOURCES.md"):  # files outside this repository
        assert outside not in doc


def test_the_worked_numbers_match_hand_arithmetic(gen, doc):
    """Autologous defaults at 500 patients/yr and allogeneic at 1,000 doses/yr, by hand."""
    import math

    hours, crf7, crf20, upkeep = 1700, 0.08 / (1 - 1.08**-7), 0.08 / (1 - 1.08**-20), 0.09
    B = 500 / 0.95
    a = B / 300 * 10

    def eb(c, a):
        e = 1.0
        for k in range(1, c + 1):
            e = a * e / (k + a * e)
        return e

    def ec(c, a):
        return c * eb(c, a) / (c - a * (1 - eb(c, a)))

    N = next(c for c in range(1, 100) if c > a and ec(c, a) * math.exp(-(c - a) * 2 / 10) <= 0.05)
    assert N == 24
    suites = math.ceil(N / 4)
    F = max(math.ceil(suites * 2 * 3000 / hours), math.ceil(B * 60 / hours)) + math.ceil(B * 60 / hours) + 2 * suites + 15
    assert F == 68
    E, K = N * 500_000, 15e6 + suites * 3e6
    facility = E * crf7 + K * crf20 + (E + K) * upkeep + 1.5e6 + suites * 400_000
    total = B * (20_000 + 15_000 + 12_000 + 3_000) + 500 * 2_000 + F * 120_000 + facility
    r = gen.worked("autologous")
    assert r["calc.N_unit_s"] == N and r["fte"] == F
    assert r["breakdown.facility"] == pytest.approx(facility, rel=1e-9)
    assert r["total_annual_cost"] == pytest.approx(total, rel=1e-9)
    assert f"| **cogs_per_patient** | USD {total / 500:,.0f} |" in doc
    assert f"| staff `F_s = max(22, 19) + 19 + 2 * 6 + 15` | {F} FTE |" in doc
    assert r["slot_wait_days"] == pytest.approx(ec(N, a) * 10 / (N - a), rel=1e-9)

    # allogeneic, 1,000 doses a year: 290 doses a lot, 5 lots, one bioreactor in one suite
    dpl = math.floor(20 * 1000 * 2.5e6 * 0.6 / 1e8) - 10
    lots = math.ceil(1000 / (dpl * 0.9 * 0.9))
    assert (dpl, lots) == (290, 5)
    E = 250_000 * (20 / 50) ** 0.6 + 1.5e6
    K = 15e6 + 3e6
    F = max(math.ceil(2 * 3000 / hours), math.ceil(lots * 400 / hours)) + math.ceil(lots * 400 / hours) + 2 + 15
    total = (
        lots * (3 * 20 * 250 + 25_000 + 200 * 20 + 15_000)
        + lots * dpl * 300
        + lots * 90_000
        + lots * 50_000
        + lots * 0.9 * dpl * 200
        + 1000 * 500
        + F * 120_000
        + E * crf7
        + K * crf20
        + (E + K) * upkeep
        + 1.5e6
        + 400_000
    )
    r = gen.worked("allogeneic")
    assert r["fte"] == F == 23
    assert r["total_annual_cost"] == pytest.approx(total, rel=1e-9)
    assert f"| **total_annual_cost** | USD {total:,.0f} |" in doc


def test_the_launch_plan_section_states_its_equations_and_design_choices(doc):
    section = doc[doc.index("## Launch plan") : doc.index("## Neutral values")]
    for phrase in (
        "g(x) = 3x^2 - 2x^3",
        "P_t = max(D_t, D_(t+1), ..., D_min(T, t+k))",
        "running maximum",
        "n_b = ceil_(finance.building_life_years)",
        "C_j * max(0, v_j + n_j - 1 - u1) / n_j",
        "w = min(1, Lf)",
        "plan.comparability_cost",
        "best_year",
        "Fractional asset lives are rounded up for replacement",
        "replaced at the end of their life even during years without demand",
        "capacity is paid for before the planning",
    ):
        assert phrase in section, phrase
    for key in ("npc", "levelised_cogs_per_dose", "npv_gross_profit", "peak_funding", "capex_cash", "startup_cash"):
        assert f"| `{key}` |" in section, key


def test_the_hand_worked_launch_plan_matches_hand_arithmetic(gen, doc):
    """Allogeneic defaults, r = 0, D = (0, 1000, 1000), look-ahead 1: every figure by hand."""
    assert gen.PLAN_HAND == {"process": "allogeneic", "demand": (0.0, 1000.0, 1000.0), "look_ahead": 1, "discount_rate": 0.0}
    E = 250_000 * (20 / 50) ** 0.6 + 1.5e6  # one bioreactor and one suite's downstream/fill equipment
    K = 15e6 + 3e6  # the site and one suite
    facility = (E + K) * (0.06 + 0.03) + 1.5e6 + 400_000  # no capital charge: capital is cash
    lots, dpl = 5, 290
    opex_year1 = (4 + 2 + 15) * 120_000 + facility  # no batch: crew, support and site staff only
    opex = lots * (15_000 + 25_000 + 4_000 + 15_000) + lots * dpl * 300  # materials
    opex += lots * (60_000 + 30_000) + 23 * 120_000 + lots * 50_000 + facility  # vector, labour, qc
    opex += lots * 0.9 * dpl * 200 + 1000 * 500  # storage and outbound logistics
    c_batch = 3 * 20 * 250 + 25_000 + 200 * 20 + 15_000 + dpl * 300 + 60_000 + 30_000 + 50_000
    startup = 0.1 * (15e6 + 3e6) + 3 * c_batch  # due in year 0, paid in year 1
    residual = K * (1 + 20 - 1 - 3) / 20 + E * (1 + 7 - 1 - 3) / 7
    cost = [opex_year1 + E + K + startup, opex, opex - residual]
    revenue = [0, 250e6, 250e6]
    npc = sum(cost)  # r = 0
    table, summary = gen.plan_hand()
    assert c_batch == 286_000 and startup == 2_658_000
    assert list(table["cost"]) == pytest.approx(cost, rel=1e-12)
    assert list(table["revenue"]) == pytest.approx(revenue)
    assert summary["npc"] == pytest.approx(npc, rel=1e-12)
    assert summary["levelised_cogs_per_dose"] == pytest.approx(npc / 2000, rel=1e-12)
    assert summary["peak_funding"] == pytest.approx(cost[0], rel=1e-12)
    assert summary["npv_gross_profit"] == pytest.approx(sum(revenue) - npc, rel=1e-12)
    assert summary["capex_cash"] == pytest.approx(E + K - residual, rel=1e-12)
    # the figures the page states in words and in its generated table
    for figure in (cost[0], opex, cost[2], npc, npc / 2000, E + K - residual, startup, residual - K * 17 / 20):
        assert f"{figure:,.0f}" in doc, figure
    assert f"| `npc` | USD {npc:,.0f} |" in doc
    assert f"| `peak_funding` | USD {cost[0]:,.0f} |" in doc


def test_the_example_plan_is_the_app_s_answer(gen, doc):
    result = gen.example_plan()
    assert len(result.scenarios) >= 2 and result.switches
    for s in result.scenarios:
        assert f"| {s.name} | USD {s.summary['npc']:,.0f} | USD {s.summary['levelised_cogs_per_dose']:,.0f} |" in doc
    sw = result.switches[0]
    assert f"`best_year` {sw.best_year}" in doc


def test_the_mode_table_is_the_app_s_answer(gen, doc):
    for process in ("autologous", "allogeneic"):
        for mode in ("dedicated", "shared", "cdmo"):
            r = gen.worked(process, mode)
            assert f"| {mode} | {r['fte']:.2f} | USD {r['capex_total']:,.0f} |" in doc


def test_check_mode_of_the_generator():
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_model_doc.py"), "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr


def test_the_readme_project_example_loads_and_its_commands_exist():
    from cgtdesk.cli.main import command_names
    from cgtdesk.io.projectfile import parse_project_text

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", readme, flags=re.S)
    project_blocks = [b for b in blocks if '"format_version": 2,\n' in b]  # the format the app writes
    assert project_blocks, "README.md lost its project file example"
    project = parse_project_text(project_blocks[0], "README.md")
    s = project.scenarios[0]
    assert s.correlations and s.uncertainty
    assert s.parameters["auto.batch_success_rate"] == 0.95
    for cmd in ("compute", "templates", "new"):
        assert f"`{cmd} " in readme
        assert cmd in command_names()


def test_the_readme_s_example_findings_are_the_app_s_current_numbers():
    """The figures README.md quotes from the example project: the crossover of the compared pair
    (the demand chart's range, whole patients rounded up), the waterfall's headroom and the goal
    seek's batch success rate (four significant digits, rounded toward the side that meets)."""
    import math

    from cgtdesk.chartdata.demand import chart_demand_range, default_pair
    from cgtdesk.core import analyses
    from cgtdesk.core.model import evaluate
    from cgtdesk.io.projectfile import load_project

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    project = load_project(ROOT / "resources" / "example.cgtproj")
    a, b = (project.scenario(n) for n in default_pair(project))
    assert (a.name, b.name) == ("Autologous, automated, central", "Allogeneic CAR-T, 20 L bioreactor")
    lo, hi = chart_demand_range(project)
    cross = analyses.crossover(a, b, "cogs_per_dose", lo, hi)
    whole = math.ceil(cross.b_cheaper_from - 1e-9)
    sentence = f"{b.name} is cheaper than {a.name} from {whole} patients a year"
    assert readme.count(sentence) == 2, sentence
    assert f"crossing at {cross.b_cheaper_from:.2f} patients a year" in readme

    r = evaluate(a.process, a.parameters)
    assert r["headroom_per_dose"] > 0
    assert f"{a.name} meets the 75% margin target with USD {r['headroom_per_dose']:,.0f} headroom per dose" in readme

    sr = analyses.solve(a, "auto.batch_success_rate")
    assert sr.reachable and 0.1 <= sr.value < 1
    shown = math.ceil(sr.value * 1e4 - 1e-9) / 1e4
    assert f"The batch success rate must be at least {shown:.4f} for cost of goods per dose" in readme
