"""The Changes sheet: which inputs differ from the export, live (docs/workbook.md, "Changes").

Hidden, grouped columns hold one row per (scenario, input that applies): the scenario's name (a
formula over the Inputs header), the input's label and key, its value at export (a constant) and
now (a reference to its Inputs cell), a changed flag and a running count of the flags. The visible
part is the count and the list: the k-th changed input is the row where the running count first
reaches k (``INDEX``/``MATCH``), so the list follows every edit with no macro and no array formula.
The analysis sheets (Sweep, MonteCarlo, Tornado) show a banner over :func:`stale_banner` while
the count is above 0: their values are the export's.
"""

from __future__ import annotations

from cgtdesk.io.workbook.book import Book
from cgtdesk.io.workbook.layout import SHEET_CHANGES, SHEET_INPUTS, cell_ref, col_letter, excel_text

#: rows of the visible list (more changes than this: a line says how many more)
LIST_ROWS = 40
_HR = 5  # the list's header row
_COUNT = (3, 2)  # the count cell: C4
#: the count of changed inputs, for other sheets
CHANGED_COUNT = f"{SHEET_CHANGES}!{cell_ref(*_COUNT, absolute=True)}"
_HELP = 9  # first hidden helper column
_HEADS = ("#", "Scenario", "Parameter", "Key", "At export", "Now", "Cell at export")
_HELP_HEADS = ("Scenario", "Parameter", "Key", "At export", "Now", "Changed", "Running count", "Cell")


def write_changes(b: Book) -> None:
    ws, st = b.sheets[SHEET_CHANGES], b.st
    b.title(
        ws,
        "Changes since export",
        "Inputs on the Inputs sheet that differ from their values at export, live. Sweep, MonteCarlo and Tornado hold the export's values: they say so when this count is above 0.",
    )
    items = [(j, key, p) for j, s in enumerate(b.scen) for key, p in b.cat.parameters.items() if p.applies_to(s.process)]
    first, last = _HR + 1, _HR + len(items)
    flags, running = _col_range(_HELP + 5, first, last), _col_range(_HELP + 6, first, last)
    b.wstr(ws, 3, 0, "Inputs changed since export", st("bold"))
    b.formula(ws, *_COUNT, f"SUM({flags})", 0, st("check_bold", "0"))
    ws.conditional_format(*_COUNT, *_COUNT, {"type": "cell", "criteria": ">", "value": 0, "format": b.st("bad_text")})
    for c, h in enumerate(_HEADS):
        b.wstr(ws, _HR, c, h, st("header"))
    for c, h in enumerate(_HELP_HEADS):
        b.wstr(ws, _HR, _HELP + c, h, st("header"))
    for i, (j, key, p) in enumerate(items):
        _helper_row(b, ws, first + i, j, key, p)
    shown = min(LIST_ROWS, len(items))
    count = cell_ref(*_COUNT, absolute=True)
    for k in range(1, shown + 1):
        r = _HR + k
        ws.write_number(r, 0, k, st("muted", "0"))
        at = f"MATCH($A{r + 1},{running},0)"
        for c in range(1, len(_HEADS)):
            src = _col_range(_HELP + _SOURCE[c], first, last)
            b.formula(ws, r, c, f'IF($A{r + 1}>{count},"",INDEX({src},{at}))', "", st("value", "General"))
    more = _HR + shown + 1
    b.formula(
        ws,
        more,
        1,
        f'IF({count}>{shown},"and "&({count}-{shown})&{excel_text(" more: see the Running count column (expand the grouped columns)")},"")',
        "",
        st("muted"),
    )
    widths = (5, 30, 44, 34, 16, 16, 14)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.set_column(_HELP, _HELP + len(_HELP_HEADS) - 1, 16, None, {"level": 1, "hidden": True})
    ws.freeze_panes(_HR + 1, 0)
    ws.repeat_rows(_HR)
    ws.print_area(0, 0, more, len(_HEADS) - 1)


#: visible list column -> helper column offset it shows
_SOURCE = {1: 0, 2: 1, 3: 2, 4: 3, 5: 4, 6: 7}


def _col_range(c: int, first: int, last: int) -> str:
    L = col_letter(c)
    return f"${L}${first + 1}:${L}${last + 1}"


def _helper_row(b: Book, ws, r: int, j: int, key: str, p) -> None:
    st, h = b.st, _HELP
    v = b.scen[j].parameters[key]
    b.name_cell(ws, r, h, j, st("value"))
    b.wstr(ws, r, h + 1, p.label, st("value"))
    b.wstr(ws, r, h + 2, key, st("key"))
    now = b.input_ref(key, j)
    if isinstance(v, str):
        b.wstr(ws, r, h + 3, v, st("value"))
    else:
        ws.write_number(r, h + 3, v, st("value", "General"))
    b.formula(ws, r, h + 4, now, v, st("link", "General"))
    then, cur = cell_ref(r, h + 3), cell_ref(r, h + 4)
    # changed unless the same kind (number or text) and equal; an error value counts as changed
    b.formula(ws, r, h + 5, f"IFERROR(IF(AND(ISNUMBER({cur})=ISNUMBER({then}),{cur}={then}),0,1),1)", 0, st("value", "0"))
    above = f"{cell_ref(r - 1, h + 6)}+" if r > _HR + 1 else ""
    b.formula(ws, r, h + 6, f"{above}{cell_ref(r, h + 5)}", 0, st("value", "0"))
    b.wstr(ws, r, h + 7, f"{SHEET_INPUTS}!{cell_ref(b.input_row[key], b.input_col0 + j)}", st("value"))


def stale_banner(b: Book, ws, row: int = 2, last_col: int = 8) -> None:
    """A live line on an analysis sheet: empty while no input has changed since export, else says
    the values below are the export's (the count on the Changes sheet)."""
    text = excel_text(
        " input(s) changed since export: the values below are the export's, not yours. See the Changes sheet; ask for a refresh."
    )
    b.formula(ws, row, 0, f'IF({CHANGED_COUNT}>0,{excel_text("Out of date: ")}&{CHANGED_COUNT}&{text},"")', "", b.st("bad_text"))
