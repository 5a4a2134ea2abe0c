"""Writing the workbook a consultant sends to a client (docs/workbook.md), with XlsxWriter.

Inputs are blue on pale yellow and unlocked; everything else is protected (no password).
``Calculations`` holds every intermediate quantity of the model as a live formula over
``Inputs``; ``Results`` every result as a formula over ``Calculations``. Every formula cell
carries the app's own value as its cached result, so a preview shows the numbers before any
recalculation. Analysis sheets hold values. The reader (:mod:`cgtdesk.io.workbook.reader`)
agrees with this layout through :mod:`cgtdesk.io.workbook.layout`.
"""

from __future__ import annotations

import datetime as _dt
import os

from cgtdesk.core.project import Project
from cgtdesk.io.atomic import atomic_write_bytes
from cgtdesk.io.workbook import analysis_sheets, calc_sheet, changes_sheet, front_sheets, model_sheets, plan_sheets
from cgtdesk.io.workbook.book import Book
from cgtdesk.io.workbook.layout import (
    SHEET_CALC,
    SHEET_CHANGES,
    SHEET_CHECKS,
    SHEET_COVER,
    SHEET_INPUTS,
    SHEET_MC,
    SHEET_RESULTS,
    SHEET_SWEEP,
    SHEET_TORNADO,
    SHEET_UNCERTAINTY,
)


def workbook_bytes(project: Project, *, now: _dt.datetime | None = None, analyses: bool = True) -> bytes:
    """The workbook of ``project`` as bytes (raises DomainError for a scenario that cannot be
    computed). ``analyses=False`` leaves out the MonteCarlo and Tornado sheets."""
    b = Book(project, now)
    # tab order
    for name in (SHEET_COVER, SHEET_INPUTS, SHEET_UNCERTAINTY, SHEET_CALC, SHEET_RESULTS):
        b.sheet(name)
    plan_sheets.add_sheets(b)
    b.sheet(SHEET_SWEEP)
    if analyses:
        b.sheet(SHEET_MC)
        b.sheet(SHEET_TORNADO)
    b.sheet(SHEET_CHANGES)
    b.sheet(SHEET_CHECKS)
    # writing order: a sheet refers only to cells of sheets written before it
    model_sheets.write_inputs(b)
    model_sheets.write_uncertainty(b)
    calc_sheet.write_calculations(b)
    model_sheets.choice_lists(b)
    model_sheets.write_results(b)
    plan_sheets.write_plan(b)
    analysis_sheets.write_sweep(b)
    if analyses:
        analysis_sheets.write_montecarlo(b)
        analysis_sheets.write_tornado(b)
    changes_sheet.write_changes(b)
    front_sheets.write_checks(b)
    front_sheets.write_cover(b)
    b.sheets[SHEET_COVER].activate()
    return b.close()


def export_workbook(project: Project, path: str | os.PathLike, *, now: _dt.datetime | None = None, analyses: bool = True) -> None:
    """Write the workbook of ``project`` to ``path`` atomically."""
    atomic_write_bytes(path, workbook_bytes(project, now=now, analyses=analyses))
