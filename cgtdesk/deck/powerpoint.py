"""The PowerPoint deck of a project: a title slide, one slide per chart, the key inputs.

:func:`export_pptx` writes, on the client's template when one is given (see
:mod:`cgtdesk.deck.layout`):

- a title slide: the project's title, its scenarios and currency, the app's version and the date;
- one slide per chart of :data:`cgtdesk.chartdata.registry.SLIDES`, in that order: the chart's
  finding as the title, a native chart with its data embedded (:mod:`cgtdesk.deck.charts`), and a
  footnote with the source and the assumptions behind it (the Monte Carlo run of
  :mod:`cgtdesk.core.analyses.presets`, the demand range, the tornado's swings);
- the key inputs of every scenario as a native table (six scenarios a slide).

The numbers are those of the app's charts: the same :class:`cgtdesk.chartdata.board.ChartBoard`
data, for the given pair and scenario, and the preset Monte Carlo run unless one is given.
"""

from __future__ import annotations

import datetime as _dt
import io
import zipfile
from pathlib import Path

from pptx.exc import PackageNotFoundError

from cgtdesk import APP_NAME, __version__
from cgtdesk.chartdata import registry
from cgtdesk.chartdata.board import ChartBoard
from cgtdesk.chartdata.plan import NO_PLAN_TEXT, PLAN_CHARTS, plan_of
from cgtdesk.core import analyses
from cgtdesk.core.analyses import presets
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import format_value, patients
from cgtdesk.deck import charts, layout
from cgtdesk.io.atomic import atomic_write_bytes

#: scenarios per slide of the key inputs table
INPUT_COLUMNS = 6
#: the key inputs: (row label, the key of each process); the process and uncertain inputs are added
KEY_INPUTS: tuple[tuple[str, dict[str, str]], ...] = tuple(
    (label, {"autologous": auto, "allogeneic": allo})
    for label, auto, allo in (
        ("Facility mode", "facility.mode", "facility.mode"),
        ("Patients treated per year", "demand.patients_per_year", "demand.patients_per_year"),
        ("Doses per patient", "demand.doses_per_patient", "demand.doses_per_patient"),
        ("List price per dose", "commercial.price_per_dose", "commercial.price_per_dose"),
        ("Target gross margin", "commercial.target_gross_margin", "commercial.target_gross_margin"),
        ("Royalties and licences (of price)", "commercial.royalty_rate", "commercial.royalty_rate"),
        ("Manufacturing sites", "facility.sites", "facility.sites"),
        ("Batch or lot success rate", "auto.batch_success_rate", "allo.lot_success_rate"),
        ("Days per batch or lot", "auto.process_days", "allo.process_days"),
        ("Fully loaded cost per FTE", "labour.cost_per_fte_year", "labour.cost_per_fte_year"),
    )
)


def export_pptx(
    project,
    path,
    pair=None,
    *,
    scenario: str | None = None,
    monte_carlo=None,
    template=None,
    board: ChartBoard | None = None,
    when: _dt.date | None = None,
) -> int:
    """Write the deck of ``project`` to ``path`` (.pptx); returns the number of slides.

    ``pair``: the demand chart's (A, B) (default pair when None); ``scenario``: the one the
    per-scenario charts show (the first when None); ``monte_carlo``: a Monte Carlo result of
    ``project`` (the preset run is made when None); ``template``: a client's .pptx whose master
    and layouts the slides use; ``when``: the date in the footnotes (today). Raises InputError
    for a template that cannot be read or a file that cannot be written.
    """
    data = deck_data(project, pair, scenario, monte_carlo, board)
    deck = layout.open_deck(_checked_template(template))
    stamp = f"{APP_NAME} {__version__}, {(when or _dt.date.today()).isoformat()}"
    title_slide(deck, project, stamp)
    for chart_id in registry.SLIDES:
        chart_slide(deck, project, chart_id, data.get(chart_id), stamp)
    inputs_slides(deck, project, stamp)
    buf = io.BytesIO()
    deck.prs.save(buf)
    try:
        atomic_write_bytes(Path(path), buf.getvalue())
    except OSError as e:
        raise InputError(f"{path}: could not write the PowerPoint file ({e.strerror or e})") from None
    return len(deck.prs.slides)


def deck_data(project, pair=None, scenario=None, monte_carlo=None, board: ChartBoard | None = None) -> dict:
    """The data of every slide's chart, as the app's chart panel gives it (chart id -> data or None)."""
    if monte_carlo is None and "montecarlo" in registry.SLIDES:
        monte_carlo = preset_monte_carlo(project)
    board = board or ChartBoard()
    return board.chart_data(project, pair, scenario, monte_carlo, charts=registry.SLIDES)


def preset_monte_carlo(project):
    """The Monte Carlo run every view shows (the presets), or None when the project has none to run."""
    try:
        return analyses.monte_carlo(project, presets.MC_SAMPLES, presets.MC_SEED, results=presets.MC_RESULTS)
    except InputError:
        return None


def _checked_template(template):
    if template is None:
        return None
    p = Path(template)
    if not p.is_file():
        raise InputError(f"{p}: no such PowerPoint template")
    try:
        from pptx import Presentation

        Presentation(str(p))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise InputError(f"{p}: not a PowerPoint template (.pptx or .potx saved as .pptx): {e}") from None
    return p


# ---------------------------------------------------------------- slides


def title_slide(deck, project, stamp: str) -> None:
    slide = deck.prs.slides.add_slide(deck.title_layout)
    title = layout.placeholder(slide, layout.TITLE_TYPES)
    sub = layout.placeholder(slide, layout.SUBTITLE_TYPES)
    if title is None:
        title = slide.shapes.add_textbox(layout.MARGIN, deck.height // 3, deck.width - 2 * layout.MARGIN, layout.Inches(1.4))
    if sub is None:
        sub = slide.shapes.add_textbox(
            layout.MARGIN, deck.height // 2 + layout.Inches(0.3), deck.width - 2 * layout.MARGIN, layout.Inches(1.4)
        )
    if deck.own:  # the default template's boxes are laid out for 4:3: widen them (all four set, or python-pptx zeroes the rest)
        for shape in (title, sub):
            top, height = int(shape.top), int(shape.height)
            shape.left, shape.top, shape.width, shape.height = layout.MARGIN, top, deck.width - 2 * layout.MARGIN, height
    layout.set_text(title.text_frame, project.title)
    title.text_frame.word_wrap = True
    title.text_frame.auto_size = layout.MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
    n = len(project.scenarios)
    lines = [f"{n} scenario{'' if n == 1 else 's'} in {project.currency}: cost of goods, capacity and margin", stamp]
    layout.set_text(sub.text_frame, "\n".join(lines))
    sub.text_frame.word_wrap = True
    layout.drop_unused_placeholders(slide, keep=[title, sub])


def chart_slide(deck, project, chart_id: str, data, stamp: str) -> None:
    spec = registry.chart(chart_id)
    finding = getattr(data, "finding", "") or f"{spec.title}: nothing to show"
    slide, top = layout.add_slide(deck, finding)
    slide.name = spec.title
    box = layout.content_box(deck, top)
    draw = charts.DRAW.get(chart_id)
    chart = None if data is None or draw is None else draw(slide.shapes, box, data, project)
    if chart is None:
        layout.add_note(slide, box, _nothing_to_show(chart_id, data, project))
    layout.add_footnote(slide, deck, footnote(project, chart_id, data, stamp))


def _nothing_to_show(chart_id: str, data, project=None) -> str:
    if data is None and chart_id == "montecarlo":
        return "No Monte Carlo run: no scenario could be sampled."
    if data is None and chart_id in PLAN_CHARTS:
        return _no_plan_chart(chart_id, project)
    if data is not None and getattr(data, "problem", None):
        return f"Cannot be evaluated: {data.problem}"
    if chart_id not in charts.DRAW:
        return f"The {registry.chart(chart_id).title} chart is not available in PowerPoint yet; see the app."
    return "Nothing to show for this project."


def footnote(project, chart_id: str, data, stamp: str) -> str:
    """Source and assumptions: the project, its currency, what the chart rests on, the app and the date."""
    parts = [f"Source: {project.title} ({project.currency})"]
    grid = getattr(data, "demand", None)  # the range the chart shows (the scenarios' commercial range)
    lo, hi, n = (grid[0], grid[-1], len(grid)) if grid is not None and len(grid) else (presets.DEMAND_LO, presets.DEMAND_HI, 0)
    demand = f"demand {patients(float(lo))} to {patients(float(hi))} patients/yr" + (f" ({n} points, log-spaced)" if n else "")
    if chart_id == "demand":
        parts.append(demand)
        if data is not None and data.pair:
            parts.append(f"compared: {data.pair[0]} and {data.pair[1]}")
    elif chart_id == "capacity":
        parts.append(demand)
    elif chart_id == "tornado":
        spread = f"{presets.TORNADO_DEFAULT_SPREAD:.0%}"
        parts.append(f"one input at a time over its uncertainty range, else +/-{spread} of its value")
    elif chart_id == "montecarlo":
        parts.append(f"Monte Carlo, {presets.MC_SAMPLES:,} samples, seed {presets.MC_SEED}")
        if data is not None:
            parts.append(
                f"P10 {format_value(data.p10, 'money', data.currency)}, P50 {format_value(data.p50, 'money', data.currency)}, "
                f"P90 {format_value(data.p90, 'money', data.currency)}"
            )
    elif chart_id in ("breakdown", "waterfall", "vein-to-vein"):
        parts.append("each scenario at its own demand")
    elif chart_id in PLAN_CHARTS and project.plan is not None:
        parts.append(plan_assumptions(project.plan))
    problems = getattr(data, "problems", None) or {}
    if problems:
        parts.append("cannot be evaluated: " + ", ".join(problems))
    return "; ".join(parts) + f". {stamp}."


def plan_assumptions(plan) -> str:
    """The launch plan behind the plan's slides, in words: its years, its demand and its look-ahead."""
    last = plan.first_year + plan.years - 1
    d = plan.demand
    if "patients_per_year" in d:
        demand = f"demand as entered, up to {patients(max(d['patients_per_year'], default=0))} patients/yr"
    else:
        demand = (
            f"demand from {d['launch_year']} rising to {patients(d['peak_patients_per_year'])} patients/yr "
            f"over {d['years_to_peak']} years"
        )
    k = plan.look_ahead_years
    ahead = (
        f"the largest demand of this year and the next {k}"
        if k > 1
        else ("the largest demand of this year and the next" if k else "this year's demand")
    )
    return (
        f"launch plan {plan.first_year}-{last}, {demand}; capacity planned for {ahead}; "
        "costs discounted at each scenario's discount rate"
    )


def _no_plan_chart(chart_id: str, project) -> str:
    """Why a slide of the launch plan has no chart: no plan, a plan the model refuses, or no switch."""
    if project is None or project.plan is None:
        return NO_PLAN_TEXT
    _result, why = plan_of(project)
    if why:
        return f"Cannot be evaluated: {why}"
    if chart_id == "plan-switch":
        return "No process switch in the launch plan: add one under Switches in the Launch plan view."
    return "Nothing to show for this project."


def key_input_rows(project, scenarios) -> list[list[str]]:
    """The table of key inputs: a header (Input, then the scenarios' names), one row per input."""
    params = catalogue().parameters
    rows = [["Input", *[s.name for s in scenarios]], ["Process", *[s.process for s in scenarios]]]
    for label, keys in KEY_INPUTS:
        row = [label]
        for s in scenarios:
            key = keys[s.process]
            p = params[key]
            value = s.parameters.get(key)
            row.append(format_value(value, p.kind, project.currency))
        rows.append(row)
    rows.append(["Uncertain inputs (Monte Carlo)", *[str(len(s.uncertainty)) for s in scenarios]])
    return rows


def inputs_slides(deck, project, stamp: str) -> None:
    scenarios = project.scenarios
    n = max(1, -(-len(scenarios) // INPUT_COLUMNS))  # slides, with the scenarios shared evenly between them
    per = -(-len(scenarios) // n) if scenarios else 1
    chunks = [scenarios[i : i + per] for i in range(0, len(scenarios), per)] or [[]]
    for k, chunk in enumerate(chunks):
        more = f" ({k + 1} of {len(chunks)})" if len(chunks) > 1 else ""
        slide, top = layout.add_slide(deck, f"Key inputs of every scenario{more}")
        slide.name = "Key inputs"
        box = layout.content_box(deck, top)
        layout.add_table(slide, box, key_input_rows(project, chunk), first_col_share=0.26)
        layout.add_footnote(
            slide,
            deck,
            f"Source: {project.title} ({project.currency}); every input is in the project file and the workbook. {stamp}.",
        )
