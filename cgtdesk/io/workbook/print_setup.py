"""How each sheet prints (docs/workbook.md, "Printing"): landscape on A4 (Letter prints alike),
fitted to the page width, header rows repeated on every page, and never smaller than
:data:`MIN_SCALE` (text of 9 pt and up stays at least 7 pt): a sheet too wide for that prints
on as many pages across as it needs, its label columns repeated on each.
"""

from __future__ import annotations

import math

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

#: printable width of a landscape page in pixels at 100% (Letter, the narrower: 11 in less the
#: 0.4 in margins, at 96 px per inch)
PRINTABLE_PX = int((11 - 0.8) * 96)
MIN_SCALE = 0.8
_DEFAULT_COL_PX = 64
#: sheet -> (header row to repeat or None, (first, last) label columns repeated across pages)
_LAYOUT = {
    SHEET_INPUTS: (3, (1, 1)),
    SHEET_UNCERTAINTY: (3, (0, 0)),
    SHEET_CALC: (3, (0, 0)),
    SHEET_RESULTS: (3, (0, 0)),
    SHEET_SWEEP: (3, (0, 0)),
    SHEET_MC: (3, (0, 0)),
    SHEET_TORNADO: (None, (0, 0)),
    SHEET_CHECKS: (4, (0, 0)),
    SHEET_CHANGES: (5, (0, 1)),
}


def _col_px(ws, c: int) -> int:
    info = ws.col_info.get(c)
    if info is None:
        return _DEFAULT_COL_PX
    if info.hidden:
        return 0
    return _DEFAULT_COL_PX if info.width is None else int(info.width)


def used_width_px(ws) -> int:
    """The printed width of the sheet at 100%: its visible columns and its charts."""
    last = ws.dim_colmax if ws.dim_colmax is not None else 0
    width = sum(_col_px(ws, c) for c in range(last + 1))
    for row in ws.charts:
        _r, col, chart, x_offset = row[0], row[1], row[2], row[3]
        right = sum(_col_px(ws, c) for c in range(col)) + (x_offset or 0) + int(chart.width * row[5])
        width = max(width, right)
    return width


def pages_across(width_px: int) -> int:
    """Pages across so that the scale stays at least MIN_SCALE."""
    return max(1, math.ceil(width_px * MIN_SCALE / PRINTABLE_PX))


def apply(ws) -> None:
    """The print setup of a visible sheet (called once every cell and chart is written)."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if ws.name == SHEET_COVER:
        ws.fit_to_pages(1, 1)
        return
    header, (c1, c2) = _LAYOUT.get(ws.name, (None, (0, 0)))
    pages = pages_across(used_width_px(ws))
    ws.fit_to_pages(pages, 0)
    if header is not None:
        ws.repeat_rows(header)
    if pages > 1:
        ws.repeat_columns(c1, c2)
    if not ws.print_area_range and ws.dim_rowmax is not None:
        ws.print_area(0, 0, ws.dim_rowmax + _chart_rows(ws), max(ws.dim_colmax or 0, _chart_cols(ws)))


def _chart_rows(ws) -> int:
    """Rows a chart reaches below the last cell (at 20 px a row)."""
    extra = 0
    for row in ws.charts:
        bottom = row[0] + math.ceil(row[2].height * row[6] / 20)
        extra = max(extra, bottom - (ws.dim_rowmax or 0))
    return extra


def _chart_cols(ws) -> int:
    last = 0
    for row in ws.charts:
        px, c = row[3] + int(row[2].width * row[5]), row[1]
        while px > 0:
            px -= _col_px(ws, c) or _DEFAULT_COL_PX
            c += 1
        last = max(last, c)
    return last
