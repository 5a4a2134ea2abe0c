"""The workbook's analysis sheets show the runs the app shows: the MonteCarlo sheet holds the
figures of the app's Monte Carlo (cgtdesk.core.analyses.presets: MC_SAMPLES, MC_SEED, the run
of the Analyses view, the slides and the deck), the Sweep sheet the workbook's preset demand range."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from cgtdesk.core import analyses
from cgtdesk.core.analyses import presets
from cgtdesk.io.projectfile import load_project
from cgtdesk.io.workbook import workbook_bytes

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"
SUMMARY_COLUMNS = {"Mean": "mean", "SD": "sd", "P5": "p5", "P10": "p10", "P50": "p50", "P90": "p90", "P95": "p95"}


@pytest.fixture(scope="module")
def sheets():
    project = load_project(EXAMPLE)
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(project)), data_only=True)
    # the app's run (cgtdesk.gui.workers.monte_carlo_of: what the Analyses view, slides and deck show)
    mc = analyses.monte_carlo(project, presets.MC_SAMPLES, presets.MC_SEED, results=presets.MC_RESULTS)
    return project, wb, mc


def _table(ws, first_cell: str) -> tuple[list, list[tuple]]:
    """The header row that starts with ``first_cell`` and the rows under it up to a blank first cell."""
    rows = list(ws.iter_rows(values_only=True))
    i = next(i for i, r in enumerate(rows) if r and r[0] == first_cell)
    body = []
    for r in rows[i + 1 :]:
        if r[0] is None:
            break
        body.append(r)
    return list(rows[i]), body


def test_montecarlo_sheet_holds_the_apps_run(sheets):
    project, wb, mc = sheets
    ws = wb["MonteCarlo"]
    head, body = _table(ws, "Scenario")
    by_name = {m.name: m for m in mc.scenarios}
    assert [r[0] for r in body] == project.names()
    for r in body:
        m = by_name[r[0]]
        summ = m.summaries["cogs_per_dose"]
        for label, field in SUMMARY_COLUMNS.items():
            assert r[head.index(label)] == pytest.approx(summ[field], rel=1e-15), (r[0], label)
        assert r[head.index("P(COGS <= max allowable)")] == pytest.approx(m.p_meets_target, rel=1e-15)
        assert r[head.index("Valid samples")] == m.valid_samples
        assert r[head.index("Invalid samples")] == m.invalid_samples
        assert m.valid_samples + m.invalid_samples == presets.MC_SAMPLES
    assert f"{presets.MC_SAMPLES:,} samples, seed {presets.MC_SEED}" in ws["A2"].value


def test_montecarlo_comparisons_are_the_apps(sheets):
    project, wb, mc = sheets
    head, body = _table(wb["MonteCarlo"], "A \\ B")
    pb = {(c.a, c.b): c.p_b_cheaper for c in mc.comparisons}
    checked = 0
    for r in body:
        for j, b in enumerate(head[1:], start=1):
            if b is None or b == r[0] or (r[0], b) not in pb:
                continue
            assert r[j] == pytest.approx(pb[(r[0], b)], rel=1e-15), (r[0], b)
            checked += 1
    n = len(project.scenarios)
    assert checked == n * (n - 1)


def test_sweep_sheet_spans_the_workbook_preset(sheets):
    _, wb, _ = sheets
    _, body = _table(wb["Sweep"], "Patients per year")
    demand = np.array([r[0] for r in body], dtype=float)
    assert len(demand) == presets.WORKBOOK_SWEEP_POINTS
    assert demand[0] == presets.WORKBOOK_SWEEP_LO and demand[-1] == presets.WORKBOOK_SWEEP_HI
    ratios = demand[1:] / demand[:-1]  # log-spaced: one ratio throughout
    assert np.allclose(
        ratios, (presets.WORKBOOK_SWEEP_HI / presets.WORKBOOK_SWEEP_LO) ** (1 / (presets.WORKBOOK_SWEEP_POINTS - 1)), rtol=1e-12
    )
