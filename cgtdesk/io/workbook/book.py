"""The workbook being written: the XlsxWriter workbook, the project and its results, the styles,
and where each sheet put things (so that later sheets can refer to earlier cells).

The sheet writers (:mod:`~cgtdesk.io.workbook.model_sheets`,
:mod:`~cgtdesk.io.workbook.analysis_sheets`, :mod:`~cgtdesk.io.workbook.front_sheets`) are
functions of a :class:`Book`; :mod:`~cgtdesk.io.workbook.writer` calls them in order.
"""

from __future__ import annotations

import datetime as _dt
import io
import math

import numpy as np
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from cgtdesk import APP_NAME, __version__
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.model import evaluate_scenario
from cgtdesk.core.project import Project
from cgtdesk.io.workbook import print_setup, provenance
from cgtdesk.io.workbook.layout import (
    EXPORT_INPUT_COL0,
    EXPORT_INPUT_HEADER,
    SHEET_CALC,
    SHEET_INPUTS,
    SHEET_RESULTS,
    cell_ref,
    excel_text,
)
from cgtdesk.io.workbook.styles import PROTECT, TAB, Styles


class _Worksheet(Worksheet):
    """Numbers written with Python's shortest round-trip repr (XlsxWriter uses 16 digits),
    so a value read back from the workbook is the very float that was written."""

    def _xml_number_element(self, number, attributes=[]) -> None:  # noqa: B006 (signature of the base)
        attr = "".join(f' {k}="{self._escape_attributes(v)}"' for k, v in attributes)
        self.fh.write(f"<c{attr}><v>{_num_text(number)}</v></c>")


def _num_text(x) -> str:
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


class _Workbook(xlsxwriter.Workbook):
    worksheet_class = _Worksheet


class Book:
    """Shared state of one export. Sheets are added in tab order by :meth:`sheet`."""

    def __init__(self, project: Project, now: _dt.datetime | None = None):
        self.project = project
        self.cat = catalogue()
        self.scen = project.scenarios
        self.now = now or _dt.datetime.now().astimezone()
        self.results = [evaluate_scenario(s, intermediates=True) for s in self.scen]
        self.buf = io.BytesIO()
        self.wb = _Workbook(
            self.buf,
            {
                "in_memory": True,
                # no future-function scan (about a hundred regular expressions per formula): the
                # one function newer than Excel 2007 used here, POISSON.DIST, is written with its
                # _xlfn. prefix by formula()
                "use_future_functions": False,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.wb.set_properties(
            {
                "title": project.title[:250],
                "subject": "Cost of goods model",
                "author": APP_NAME,
                "comments": f"Exported by {APP_NAME} {__version__}",
            }
        )
        self.st = Styles(self.wb, project.currency)
        self.cur = project.currency
        self.sheets: dict[str, Worksheet] = {}
        # where things are, filled as sheets are laid out
        self.input_row: dict[str, int] = {}  # key -> row on Inputs
        self.choice_cells: list[tuple] = []  # (row, col, parameter) of each choice input on Inputs
        self.input_col0 = EXPORT_INPUT_COL0  # first scenario column on Inputs
        self.input_header = EXPORT_INPUT_HEADER  # the header row on Inputs: the one place a scenario is named
        self.calc_row: dict[str, int] = {}  # id or key -> row on Calculations
        self.calc_col0 = 3
        self.result_row: dict[str, int] = {}
        self.result_col0 = 3
        self.link_span: tuple[int, int] = (0, 0)  # first and last input link rows on Calculations
        self.rowcheck_span: tuple[int, int, int] = (0, 0, 0)  # first row, last row, column of the row checks
        self.minmax_cols: tuple[int, int, int] = (0, 0, 0)  # Min, Max, Whole number columns on Calculations
        self.all_links: tuple[int, int] = (0, 0)  # every input link row on Calculations (numbers, then choices)
        self.snap_col0 = 0  # first "At export" column on Calculations (values at export, one per scenario)
        self.checks_master: str | None = None
        self.scenario_ids = provenance.scenario_ids(project)
        self.mc_name_row0 = 0  # first scenario row of the MonteCarlo summaries (the chart's series names)

    # -------- sheets and cells
    def sheet(self, name: str, tab: str | None = None) -> Worksheet:
        """A new sheet laid out for reading and printing (tab colour ``tab``, else the sheet's own)."""
        ws = self.wb.add_worksheet(name)
        ws.set_tab_color(tab or TAB[name])
        ws.hide_gridlines(2)
        ws.set_zoom(100)
        ws.set_default_row(15)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer(f"&L&8{APP_NAME}: &A&R&8Page &P of &N")
        self.sheets[name] = ws
        return ws

    def has(self, name: str) -> bool:
        return name in self.sheets

    def close(self) -> bytes:
        """Write the hidden identity sheet, protect every sheet (no password), close the workbook
        and return its bytes."""
        provenance.write_identity(self)
        for ws in self.wb.worksheets():
            if not ws.hidden:
                print_setup.apply(ws)
            ws.protect("", PROTECT)
        self.wb.close()
        return self.buf.getvalue()

    def title(self, ws, text: str, subtitle: str) -> None:
        ws.set_row(0, 24)
        ws.write_string(0, 0, text, self.st("title"))
        ws.write_string(1, 0, subtitle, self.st("subtitle"))

    def section(self, ws, r, title, last_col) -> None:
        self.wstr(ws, r, 0, title, self.st("section"))
        for c in range(1, last_col + 1):
            ws.write_blank(r, c, None, self.st("section"))

    def header_row(self, ws, r: int, first: tuple[str, ...], c0: int) -> None:
        """Fixed header cells from column 0, then one centred header per scenario from ``c0``
        (a formula over the Inputs header, so a rename there follows everywhere)."""
        for c, h in enumerate(first):
            self.wstr(ws, r, c, h, self.st("header"))
        for j in range(len(self.scen)):
            self.name_cell(ws, r, c0 + j, j, self.st("header", align="center"))

    # -------- scenario names: typed once, on the Inputs header row
    def name_ref(self, j: int) -> str:
        """The Inputs header cell of scenario ``j`` (absolute: sorting rows never moves it)."""
        return f"{SHEET_INPUTS}!{cell_ref(self.input_header, self.input_col0 + j, absolute=True)}"

    def name_cell(self, ws, r: int, c: int, j: int, fmt, prefix: str = "", suffix: str = "") -> None:
        """``prefix``, scenario ``j``'s name and ``suffix`` as a formula over the Inputs header
        (cached: the name at export)."""
        parts = [excel_text(prefix)] if prefix else []
        parts.append(self.name_ref(j))
        if suffix:
            parts.append(excel_text(suffix))
        self.formula(ws, r, c, "&".join(parts), prefix + self.scen[j].name + suffix, fmt)

    def unit(self, unit: str) -> str:
        return unit.replace("{cur}", self.cur).replace("USD", self.cur)

    def wstr(self, ws, r, c, text, fmt=None):
        ws.write_string(r, c, str(text), fmt)

    def formula(self, ws, r, c, formula: str, value, fmt):
        """A formula cell carrying the app's ``value`` as its cached result."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            value = ""
        elif isinstance(value, (np.floating, np.integer)):
            value = value.item()
        ws.write_formula(r, c, "=" + formula.replace("POISSON.DIST(", "_xlfn.POISSON.DIST("), fmt, value)

    def num(self, ws, r, c, v, fmt) -> None:
        """A number, or a blank cell for None, NaN and infinities."""
        if v is None or not math.isfinite(float(v)):
            ws.write_blank(r, c, None, fmt)
        else:
            ws.write_number(r, c, float(v), fmt)

    # -------- references to cells already laid out
    def input_ref(self, key: str, j: int) -> str:
        return f"{SHEET_INPUTS}!{cell_ref(self.input_row[key], self.input_col0 + j)}"

    def calc_ref(self, name: str, j: int) -> str:
        return f"{SHEET_CALC}!{cell_ref(self.calc_row[name], self.calc_col0 + j)}"

    def snap_ref(self, name: str, j: int) -> str:
        """The value at export of a Calculations row (an input or an integer count)."""
        return f"{SHEET_CALC}!{cell_ref(self.calc_row[name], self.snap_col0 + j)}"

    def result_ref(self, key: str, j: int) -> str:
        return f"{SHEET_RESULTS}!{cell_ref(self.result_row[key], self.result_col0 + j)}"
