"""The PowerPoint deck (cgtdesk.deck): native charts with the app's numbers, the inputs table,
text that stays text in the embedded workbooks, a client's template, and LibreOffice opening it.

Every number a chart holds is checked against the model evaluated here (core.model.evaluate,
analyses.tornado_range, analyses.monte_carlo at the presets, core.analyses.plan.plan for the
launch plan), not against the writer's own data.
"""

import datetime
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Inches

from cgtdesk.chartdata import chart_demand_range, registry
from cgtdesk.chartdata.board import ChartBoard
from cgtdesk.core import analyses
from cgtdesk.core.analyses import presets
from cgtdesk.core.analyses.plan import plan as run_plan
from cgtdesk.core.catalogue import BREAKDOWN, catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.model import evaluate
from cgtdesk.deck import export_pptx
from cgtdesk.deck.kit import CategoryData
from cgtdesk.io.projectfile import load_project
from cgtdesk.palette import HIGH_COLOUR, LOW_COLOUR, category_colour, scenario_colour

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "example.cgtproj"
DAY = datetime.date(2026, 1, 2)
MARK = "CLIENT MASTER MARK"


@pytest.fixture(scope="module")
def project():
    return load_project(EXAMPLE)


@pytest.fixture(scope="module")
def deck(project, tmp_path_factory):
    path = tmp_path_factory.mktemp("deck") / "deck.pptx"
    n = export_pptx(project, path, when=DAY)
    prs = Presentation(str(path))
    assert n == len(prs.slides)
    return path, prs


def chart_slides(prs):
    """chart id -> its slide (the slides after the title, in registry order)."""
    return dict(zip(registry.SLIDES, list(prs.slides)[1 : 1 + len(registry.SLIDES)], strict=True))


#: slides of two charts side by side or stacked (demand above capacity; NPC beside cost per dose)
TWO_CHARTS = ("plan-capacity", "plan-npc")


def slide_charts(slide) -> list:
    return [sh.chart for sh in slide.shapes if sh.has_chart]


def only_chart(slide):
    charts = slide_charts(slide)
    assert len(charts) == 1, f"{len(charts)} charts on {slide.shapes.title.text!r}"
    return charts[0]


def charts_expected() -> int:
    return len(registry.SLIDES) + len(TWO_CHARTS)


def texts(slide) -> list[str]:
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]


def fill_hex(fmt) -> str:
    return "#" + str(fmt.fill.fore_color.rgb)


def per_dose(scenario) -> dict:
    r = evaluate(scenario.process, scenario.parameters)
    doses = scenario.parameters["demand.patients_per_year"] * scenario.parameters["demand.doses_per_patient"]
    return {c: r[f"breakdown.{c}"] / doses for c in BREAKDOWN} | {"cogs": r["cogs_per_dose"]}


def x_values(series) -> list[float]:
    return [float(v.text) for v in series._element.xpath("./c:xVal//c:pt/c:v")]


# ---------------------------------------------------------------- the deck of the example


def test_title_slide_chart_slides_and_inputs(project, deck):
    _path, prs = deck
    slides = list(prs.slides)
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    assert project.title in texts(slides[0])
    assert any("CGT Desk" in t and DAY.isoformat() in t for t in texts(slides[0]))
    data = ChartBoard().chart_data(
        project, charts=registry.SLIDES, monte_carlo=analyses.monte_carlo(project, presets.MC_SAMPLES, presets.MC_SEED)
    )
    for chart_id, slide in chart_slides(prs).items():
        assert slide.shapes.title.text == data[chart_id].finding, chart_id
        assert len(slide_charts(slide)) == (2 if chart_id in TWO_CHARTS else 1), chart_id
        assert not any("not available" in t for t in texts(slide)), chart_id
        foot = [t for t in texts(slide) if t.startswith("Source:")]
        assert len(foot) == 1 and project.title in foot[0] and project.currency in foot[0] and DAY.isoformat() in foot[0]
    tables = [sh.table for s in slides[1 + len(registry.SLIDES) :] for sh in s.shapes if sh.has_table]
    assert tables, "no inputs table"
    names = [t.cell(0, j).text for t in tables for j in range(1, len(t.columns))]
    assert names == project.names()


def test_inputs_table_holds_each_scenarios_inputs(project, deck):
    _path, prs = deck
    tables = [sh.table for s in list(prs.slides)[1 + len(registry.SLIDES) :] for sh in s.shapes if sh.has_table]
    rows = {}
    for t in tables:
        for i in range(len(t.rows)):
            rows.setdefault(t.cell(i, 0).text, []).extend(t.cell(i, j).text for j in range(1, len(t.columns)))
    assert rows["Process"] == [s.process for s in project.scenarios]
    assert rows["Facility mode"] == [s.parameters["facility.mode"] for s in project.scenarios]
    assert rows["List price per dose"] == [f"USD {s.parameters['commercial.price_per_dose']:,.0f}" for s in project.scenarios]
    success = [
        s.parameters["auto.batch_success_rate" if s.process == "autologous" else "allo.lot_success_rate"]
        for s in project.scenarios
    ]
    assert rows["Batch or lot success rate"] == [f"{100 * v:.1f}%" for v in success]


def test_breakdown_series_are_the_categories_per_dose(project, deck):
    chart = only_chart(chart_slides(deck[1])["breakdown"])
    assert chart.chart_type == XL_CHART_TYPE.BAR_STACKED
    plot = chart.plots[0]
    assert list(plot.categories) == list(reversed(project.names()))  # first scenario on top
    labels = [catalogue().results[f"breakdown.{c}"].label for c in BREAKDOWN]
    assert [s.name for s in plot.series] == labels
    expected = {s.name: per_dose(s) for s in project.scenarios}
    for c, series in zip(BREAKDOWN, plot.series, strict=True):
        assert fill_hex(series.format) == category_colour(c)
        got = dict(zip(plot.categories, series.values, strict=True))
        for name in project.names():
            assert got[name] == pytest.approx(expected[name][c], rel=1e-9, abs=1e-9)


def test_demand_series_are_the_scenarios_against_demand(project, deck):
    chart = only_chart(chart_slides(deck[1])["demand"])
    series = list(chart.plots[0].series)
    assert [s.name for s in series] == project.names()
    for i, (scenario, s) in enumerate(zip(project.scenarios, series, strict=True)):
        assert "#" + str(s.format.line.color.rgb) == scenario_colour(i)
        xs, ys = x_values(s), list(s.values)
        assert len(xs) == len(ys) > 100
        lo, hi = chart_demand_range(project)  # the scenarios' commercial range, as the window shows it
        assert xs[0] == pytest.approx(lo) and xs[-1] == pytest.approx(hi)
        for k in (0, len(xs) // 3, len(xs) - 1):
            params = dict(scenario.parameters, **{"demand.patients_per_year": xs[k]})
            assert ys[k] == pytest.approx(evaluate(scenario.process, params)["cogs_per_dose"], rel=1e-9)
    axes = chart._chartSpace.xpath(".//c:scaling/c:logBase/@val")
    assert axes == ["10", "10"]  # both axes logarithmic, as in the app


def test_waterfall_goes_from_price_down_by_each_category(project, deck):
    chart = only_chart(chart_slides(deck[1])["waterfall"])
    s = project.scenarios[0]
    d = per_dose(s)
    offset, above, below = (list(x.values) for x in chart.plots[0].series)
    tops = [o + a for o, a in zip(offset, above, strict=True)]
    price = s.parameters["commercial.price_per_dose"]
    assert tops[0] == pytest.approx(price)
    assert list(chart.plots[0].categories)[1 : 1 + len(BREAKDOWN)] == [
        catalogue().results[f"breakdown.{c}"].label for c in BREAKDOWN
    ]
    heights = above[1 : 1 + len(BREAKDOWN)]
    assert heights == pytest.approx([d[c] for c in BREAKDOWN], rel=1e-9, abs=1e-6)
    assert tops[1 + len(BREAKDOWN)] == pytest.approx(price - d["cogs"], rel=1e-9)  # the gross margin
    assert all(v == 0 for v in below)  # the example's margin is positive: nothing below zero


def test_tornado_bars_are_the_result_at_each_inputs_low_and_high(project, deck):
    chart = only_chart(chart_slides(deck[1])["tornado"])
    s = project.scenarios[0]
    low, high = chart.plots[0].series
    assert fill_hex(low.format) == LOW_COLOUR and fill_hex(high.format) == HIGH_COLOUR
    by_label = {p.label: k for k, p in catalogue().parameters.items() if p.applies_to(s.process)}
    cats = list(chart.plots[0].categories)
    assert len(cats) == 10
    for cat, lo_value, hi_value in zip(cats, low.values, high.values, strict=True):
        key = by_label[cat.rsplit(" (", 1)[0]]
        lo, hi, _ = analyses.tornado_range(s, key)
        at = {v: evaluate(s.process, dict(s.parameters, **{key: v}))["cogs_per_dose"] for v in (lo, hi)}
        assert (lo_value, hi_value) == pytest.approx((at[lo], at[hi]), rel=1e-9)
    base = evaluate(s.process, s.parameters)["cogs_per_dose"]
    crosses = chart._chartSpace.xpath(".//c:catAx/c:crossesAt/@val")
    assert [float(v) for v in crosses] == pytest.approx([base])  # bars grow from the base case


def test_monte_carlo_histogram_is_the_preset_run(project, deck):
    slide = chart_slides(deck[1])["montecarlo"]
    chart = only_chart(slide)
    mc = analyses.monte_carlo(project, presets.MC_SAMPLES, presets.MC_SEED, results=presets.MC_RESULTS)
    counts, _edges = mc.scenarios[0].histogram["cogs_per_dose"]
    total = np.sum([list(s.values) for s in chart.plots[0].series], axis=0)
    assert total.tolist() == pytest.approx(np.asarray(counts, dtype=float).tolist())
    assert fill_hex(chart.plots[0].series[0].format) == scenario_colour(0)
    foot = next(t for t in texts(slide) if t.startswith("Source:"))
    assert f"{presets.MC_SAMPLES:,} samples" in foot and str(presets.MC_SEED) in foot


def test_vein_to_vein_parts_add_up_to_the_models_days(project, deck):
    chart = only_chart(chart_slides(deck[1])["vein-to-vein"])
    plot = chart.plots[0]
    assert list(plot.categories) == list(reversed(project.names()))
    totals = np.sum([list(s.values) for s in plot.series], axis=0)
    got = dict(zip(plot.categories, totals, strict=True))
    for s in project.scenarios:
        r = evaluate(s.process, s.parameters)
        assert got[s.name] == pytest.approx(r["vein_to_vein_days"], rel=1e-9), s.name
        if s.process == "allogeneic":  # off the shelf: shipping only
            assert got[s.name] == pytest.approx(s.parameters["logistics.shipping_days"])


# ---------------------------------------------------------------- the launch plan


@pytest.fixture(scope="module")
def planned(project):
    return run_plan(project)


def by_name(charts) -> dict[str, list]:
    return {s.name: list(s.values) for c in charts for s in c.plots[0].series}


def test_plan_capacity_is_demand_above_installed_capacity_by_year(project, deck, planned):
    charts = slide_charts(chart_slides(deck[1])["plan-capacity"])
    assert len(charts) == 2
    years = [str(int(y)) for y in planned.years]
    assert [list(c.plots[0].categories) for c in charts] == [years, years]
    table = planned.scenarios[0].table  # the first scenario, as the app shows by default
    assert project.scenarios[0].process == "autologous"
    got = by_name(charts)
    assert got["Patients"] == pytest.approx(planned.patients.tolist())
    assert got["Patients"] == pytest.approx(table["patients"].tolist())
    assert got["Planning demand (look-ahead)"] == pytest.approx(table["planning_patients"].tolist())
    assert got["Installed devices"] == pytest.approx(table["units"].tolist())
    assert got["Installed suites"] == pytest.approx(table["suites"].tolist())
    assert [s.name for s in charts[0].plots[0].series] == ["Patients", "Planning demand (look-ahead)"]


def test_plan_cost_stacks_the_seven_categories_capital_and_start_up(deck, planned):
    chart = only_chart(chart_slides(deck[1])["plan-cost"])
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_STACKED
    table = planned.scenarios[0].table
    series = list(chart.plots[0].series)
    assert len(series) == len(BREAKDOWN) + 2
    for c, s in zip(BREAKDOWN, series, strict=False):
        assert s.name == catalogue().results[f"breakdown.{c}"].label
        assert fill_hex(s.format) == category_colour(c)
        assert list(s.values) == pytest.approx(table[c].tolist(), rel=1e-12)
    capex, startup = series[-2:]
    assert capex.name.startswith("Capital") and startup.name.startswith("Start-up")
    assert list(capex.values) == pytest.approx(table["capex"].tolist())
    assert list(startup.values) == pytest.approx(table["startup"].tolist())
    assert len({fill_hex(s.format) for s in series}) == len(series)  # capital and start-up have colours of their own
    stacked = np.sum([list(s.values) for s in series], axis=0)
    assert stacked.tolist() == pytest.approx(table["cost"].tolist(), rel=1e-12)  # nothing left out, nothing twice


def test_plan_cash_is_cumulative_cash_with_the_peak_funding(project, deck, planned):
    slide = chart_slides(deck[1])["plan-cash"]
    chart = only_chart(slide)
    got = by_name([chart])
    assert list(got) == project.names()
    funding = {}
    for i, s in enumerate(planned.scenarios):
        by_hand = np.cumsum(s.table["revenue"] - s.table["cost"])  # cash in less cash out, year after year
        assert got[s.name] == pytest.approx(by_hand.tolist(), rel=1e-9)
        assert got[s.name] == pytest.approx(s.table["cumulative_cash"].tolist(), rel=1e-12)
        assert "#" + str(chart.plots[0].series[i].format.line.color.rgb) == scenario_colour(i)
        funding[s.name] = max(0.0, -float(np.min(by_hand)))
    deepest = max(funding, key=funding.get)
    title = slide.shapes.title.text
    assert f"{deepest} the most, USD {funding[deepest] / 1e6:.0f}M" in title
    labels = chart._chartSpace.xpath(".//c:dLbl//a:t/text()")
    assert labels == ["peak funding", f"USD {funding[deepest] / 1e6:.0f}M"]


def test_plan_npc_and_levelised_cost_side_by_side(project, deck, planned):
    npc_chart, dose_chart = slide_charts(chart_slides(deck[1])["plan-npc"])
    for chart in (npc_chart, dose_chart):
        assert list(chart.plots[0].categories) == list(reversed(project.names()))  # first scenario on top
    npc = list(reversed(list(npc_chart.plots[0].series[0].values)))
    dose = list(reversed(list(dose_chart.plots[0].series[0].values)))
    assert npc == pytest.approx([s.summary["npc"] for s in planned.scenarios], rel=1e-12)
    assert dose == pytest.approx([s.summary["levelised_cogs_per_dose"] for s in planned.scenarios], rel=1e-12)
    for i, point in enumerate(reversed(list(npc_chart.plots[0].series[0].points))):
        assert fill_hex(point.format) == scenario_colour(i)


def test_plan_switch_is_net_present_cost_against_switch_year(deck, planned):
    slide = chart_slides(deck[1])["plan-switch"]
    chart = only_chart(slide)
    sw = planned.switches[0]
    years = [str(int(y)) for y in planned.years]
    assert list(chart.plots[0].categories) == [*years, "never"]
    series = chart.plots[0].series[0]
    assert series.name == f"{sw.source} -> {sw.target}"
    assert list(series.values) == pytest.approx([v for _y, v in sw.by_switch_year], rel=1e-12)
    values = np.array([v for _y, v in sw.by_switch_year])
    best = int(np.argmin(values))  # the cheapest switch year, found here
    assert best < len(years)  # the example: switching beats never switching
    assert f"{sw.source} to {sw.target} in {years[best]} costs the least" in slide.shapes.title.text


def test_plan_footnotes_state_the_plans_years_and_demand(project, deck):
    plan = project.plan
    for chart_id in ("plan-capacity", "plan-cost", "plan-cash", "plan-npc", "plan-switch"):
        foot = next(t for t in texts(chart_slides(deck[1])[chart_id]) if t.startswith("Source:"))
        assert f"launch plan {plan.first_year}-{plan.first_year + plan.years - 1}" in foot, chart_id
        assert f"{plan.demand['peak_patients_per_year']:,} patients/yr" in foot, chart_id


def test_a_forty_year_plan_labels_some_years_and_always_never(project, tmp_path):
    long = project.copy()
    long.plan.years = 40
    export_pptx(long, tmp_path / "long.pptx", when=DAY)
    slides = chart_slides(Presentation(str(tmp_path / "long.pptx")))
    for chart_id in ("plan-capacity", "plan-cost", "plan-cash", "plan-switch"):
        for chart in slide_charts(slides[chart_id]):
            n = len(chart.plots[0].categories)
            assert n == (41 if chart_id == "plan-switch" else 40)
            skip = [int(v) for v in chart._chartSpace.xpath(".//c:catAx/c:tickLblSkip/@val")]
            assert len(skip) == 1 and n / skip[0] <= 16, chart_id  # at most 16 labels
            if chart_id == "plan-switch":
                assert (n - 1) % skip[0] == 0  # the labels land on 'never'
    assert list(slide_charts(slides["plan-switch"])[0].plots[0].categories)[-1] == "never"


def test_without_a_plan_or_a_switch_the_slides_say_how_to_add_one(project, tmp_path):
    bare = project.copy()
    bare.plan = None
    export_pptx(bare, tmp_path / "bare.pptx", when=DAY)
    slides = chart_slides(Presentation(str(tmp_path / "bare.pptx")))
    for chart_id in ("plan-capacity", "plan-cost", "plan-cash", "plan-npc", "plan-switch"):
        assert slide_charts(slides[chart_id]) == []
        assert any(t.startswith("No launch plan yet") for t in texts(slides[chart_id])), chart_id
    no_switch = project.copy()
    no_switch.plan.switches = []
    export_pptx(no_switch, tmp_path / "no-switch.pptx", when=DAY)
    slides = chart_slides(Presentation(str(tmp_path / "no-switch.pptx")))
    assert slide_charts(slides["plan-switch"]) == []
    assert any(t.startswith("No process switch in the launch plan") for t in texts(slides["plan-switch"]))
    assert len(slide_charts(slides["plan-npc"])) == 2


# ---------------------------------------------------------------- text stays text


INJECTION = '=HYPERLINK("http://example.com","click")'


def formulas_in(xlsx: bytes) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    return [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_the_check_sees_a_formula_where_plain_python_pptx_writes_one():
    plain = CategoryChartData()
    plain.categories = [INJECTION]
    plain.add_series(INJECTION, [1.0])
    assert formulas_in(plain.xlsx_blob)  # XlsxWriter's default: a string starting with = is a formula
    safe = CategoryData()
    safe.categories = [INJECTION]
    safe.add_series(INJECTION, [1.0])
    assert formulas_in(safe.xlsx_blob) == []


def test_a_scenario_named_like_a_formula_stays_text_in_every_embedded_workbook(project, tmp_path):
    p = project.copy()
    p.rename_scenario(p.scenarios[0].name, INJECTION)  # the plan's switch follows the name
    path = tmp_path / "inject.pptx"
    export_pptx(p, path, when=DAY)
    prs = Presentation(str(path))
    blobs = [sh.chart.part.chart_workbook.xlsx_part.blob for s in prs.slides for sh in s.shapes if sh.has_chart]
    assert len(blobs) == charts_expected()
    seen = 0
    for blob in blobs:
        assert formulas_in(blob) == []
        wb = openpyxl.load_workbook(io.BytesIO(blob))
        seen += sum(c.value == INJECTION for ws in wb for row in ws.iter_rows() for c in row)
    assert seen >= 4  # the breakdown's category, the demand chart's and the plan's cash series names at least


# ---------------------------------------------------------------- a client's template


def make_template(path: Path) -> None:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    master = prs.slide_masters[0]
    master.name = "Client master"
    scratch = prs.slides.add_slide(prs.slide_layouts[6])  # python-pptx adds text boxes to slides only
    mark = scratch.shapes.add_textbox(Inches(0.2), Inches(7.0), Inches(3), Inches(0.4))
    mark.text_frame.text = MARK
    master.shapes._spTree.append(mark._element)  # moved onto the master: on every slide
    title_only = next(la for la in prs.slide_layouts if la.name == "Title Only")
    title_only.name = "Client heading"  # not a name the writer knows: found by its placeholders
    sample = prs.slides.add_slide(prs.slide_layouts[1])
    sample.shapes.title.text = "The client's sample slide"
    prs.save(str(path))


def test_a_template_gives_its_master_and_layouts_and_loses_its_slides(project, tmp_path, deck):
    template = tmp_path / "client.pptx"
    make_template(template)
    path = tmp_path / "client-deck.pptx"
    n = export_pptx(project, path, template=template, when=DAY)
    prs = Presentation(str(path))
    assert n == len(prs.slides) == len(deck[1].slides)  # the sample slide is gone
    for slide in prs.slides:
        assert slide.slide_layout.slide_master.name == "Client master"
        assert MARK in [sh.text_frame.text for sh in slide.slide_layout.slide_master.shapes if sh.has_text_frame]
        assert "The client's sample slide" not in texts(slide)
    used = [s.slide_layout.name for s in prs.slides]
    assert used[0] == "Title Slide"
    assert set(used[1:]) == {"Client heading"}


def test_a_file_that_is_not_a_template_is_refused_in_words(project, tmp_path):
    bad = tmp_path / "notes.pptx"
    bad.write_text("not a presentation", encoding="utf-8")
    with pytest.raises(InputError, match="not a PowerPoint template"):
        export_pptx(project, tmp_path / "out.pptx", template=bad)
    with pytest.raises(InputError, match="no such PowerPoint template"):
        export_pptx(project, tmp_path / "out.pptx", template=tmp_path / "missing.pptx")
    assert not (tmp_path / "out.pptx").exists()


def test_one_scenario_project_still_makes_every_slide(project, tmp_path):
    p = project.copy()
    p.scenarios = p.scenarios[:1]
    n = export_pptx(p, tmp_path / "one.pptx", when=DAY)
    prs = Presentation(str(tmp_path / "one.pptx"))
    assert n == len(prs.slides) == 1 + len(registry.SLIDES) + 1


# ---------------------------------------------------------------- LibreOffice Impress opens it


@pytest.mark.slow
def test_libreoffice_impress_converts_the_deck_to_pdf(deck, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    path, prs = deck
    r = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    pdf = tmp_path / (path.stem + ".pdf")
    assert pdf.is_file(), r.stdout + r.stderr
    import re

    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))
    assert pages == len(prs.slides)


# ---------------------------------------------------------------- the window and the command line


def test_the_window_exports_the_deck_plain_and_on_a_template(make_window, fake_prompts, tmp_path):
    w = make_window()
    fake_prompts.save_as_answer = str(tmp_path / "window.pptx")
    assert w.files.export_pptx()
    plain = Presentation(str(tmp_path / "window.pptx"))
    assert sum(sh.has_chart for s in plain.slides for sh in s.shapes) == charts_expected()
    make_template(tmp_path / "client.pptx")
    fake_prompts.open_answer = str(tmp_path / "client.pptx")
    fake_prompts.save_as_answer = str(tmp_path / "window-client.pptx")
    assert w.files.export_pptx_template()
    on_template = Presentation(str(tmp_path / "window-client.pptx"))
    assert {s.slide_layout.slide_master.name for s in on_template.slides} == {"Client master"}
    fake_prompts.open_answer = None  # the template dialog cancelled: nothing written
    fake_prompts.save_as_answer = str(tmp_path / "never.pptx")
    assert not w.files.export_pptx_template()
    assert not (tmp_path / "never.pptx").exists()


def test_main_py_export_pptx_with_a_template(tmp_path):
    make_template(tmp_path / "client.pptx")
    out = tmp_path / "cli.pptx"
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            str(EXAMPLE),
            "--export-pptx",
            str(out),
            "--pptx-template",
            str(tmp_path / "client.pptx"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)},
    )
    assert r.returncode == 0, r.stderr
    prs = Presentation(str(out))
    assert {s.slide_layout.slide_master.name for s in prs.slides} == {"Client master"}
    bad = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--export-pptx",
            str(tmp_path / "x.pptx"),
            "--pptx-template",
            str(tmp_path / "none.pptx"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)},
    )
    assert bad.returncode == 2 and "no such PowerPoint template" in bad.stderr and "Traceback" not in bad.stderr
