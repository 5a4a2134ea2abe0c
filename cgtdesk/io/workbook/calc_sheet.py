"""The Calculations sheet: every input brought over from Inputs, then every quantity of the model
(:data:`~cgtdesk.io.workbook.formulas.CALC_SECTIONS`) as a live formula, one column per
scenario, then the check columns and, grouped and collapsed, the values at export (the inputs as
exported and the app's integer counts, which the Checks sheet compares with). See docs/workbook.md.
"""

from __future__ import annotations

from cgtdesk.io.workbook.book import Book
from cgtdesk.io.workbook.formulas import CALC_SECTIONS, fill
from cgtdesk.io.workbook.layout import SHEET_CALC, SHEET_INPUTS, cell_ref, col_letter
from cgtdesk.io.workbook.styles import param_kind


def write_calculations(b: Book) -> None:
    ws, st = b.sheets[SHEET_CALC], b.st
    n = len(b.scen)
    c0 = b.calc_col0
    c_def, c_min, c_max, c_int, c_rowchk = c0 + n, c0 + n + 1, c0 + n + 2, c0 + n + 3, c0 + n + 4
    b.snap_col0 = c_rowchk + 1
    b.title(
        ws,
        "Calculations",
        "Every quantity of the model as a live formula (black); green cells bring the inputs over from the Inputs sheet. Per-site quantities are for one site; all sites are built alike.",
    )
    hr = 3
    ws.set_row(hr, 30)
    b.header_row(ws, hr, ("Quantity", "Name", "Unit"), c0)
    for c, h in ((c_def, "Definition"), (c_min, "Min"), (c_max, "Max"), (c_int, "Whole number"), (c_rowchk, "Row check")):
        b.wstr(ws, hr, c, h, st("header"))
    for j in range(n):
        b.name_cell(ws, hr, b.snap_col0 + j, j, st("header", align="center"), prefix="At export: ")
    r = hr + 1
    b.wstr(ws, r, 0, "Formulas built for process", st("bold"))
    b.wstr(ws, r, 1, "process", st("key"))
    for j, s in enumerate(b.scen):
        b.wstr(ws, r, c0 + j, s.process, st("process"))
    b.wstr(ws, r, c_def, "Checks compare this with the process row on Inputs", st("muted"))
    b.calc_row["process"] = r
    r += 2
    b.section(ws, r, "Inputs (from the Inputs sheet)", c_rowchk)
    r = _input_links(b, ws, r + 1, c_def)
    r = _changed_row(b, ws, r, c_def)
    for title, rows in CALC_SECTIONS:
        r += 1
        b.section(ws, r, title, c_rowchk)
        r += 1
        for row in rows:
            b.calc_row[row.id] = r
            if row.hidden:
                ws.set_row(r, None, None, {"level": 1, "hidden": True})
            r += 1
    # second pass: formulas (rows may refer to rows further down)
    for _title, rows in CALC_SECTIONS:
        for row in rows:
            _calc_row(b, ws, row, c_def)
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 16)
    ws.set_column(c0, c0 + n - 1, 19)
    ws.set_column(c_def, c_def, 70)
    ws.set_column(c_min, c_max, 14)
    ws.set_column(c_int, c_int, 10)
    ws.set_column(c_rowchk, c_rowchk, 10)
    ws.set_column(b.snap_col0, b.snap_col0 + n - 1, 19, None, {"level": 1, "hidden": True})
    ws.freeze_panes(hr + 1, c0)


def _input_links(b: Book, ws, r: int, c_def: int) -> int:
    """Every input brought over from Inputs with its Min, Max, Whole number and Row check columns
    after ``c_def``, numbers first (the range check's span), then the choices (``facility.mode``);
    returns the next free row."""
    st, c0 = b.st, b.calc_col0
    c_rowchk = c_def + 4
    params = b.cat.parameters
    numeric = [k for k, p in params.items() if not p.is_choice]
    choices = [k for k, p in params.items() if p.is_choice]
    first = r
    b.link_span = (r, r + len(numeric) - 1)
    for key in numeric + choices:
        p = params[key]
        b.calc_row[key] = r
        b.wstr(ws, r, 0, p.label, st("text"))
        b.wstr(ws, r, 1, key, st("key"))
        b.wstr(ws, r, 2, p.unit_for(b.cur), st("muted"))
        kind = param_kind(p)
        for j, s in enumerate(b.scen):
            c = c0 + j
            if p.applies_to(s.process):
                v = s.parameters[key]
                fmt = st("link", align="center") if p.is_choice else st("link", st.nf(kind, v))
                b.formula(ws, r, c, b.input_ref(key, j), v, fmt)
                _snapshot(b, ws, r, j, v)
            else:
                ws.write_blank(r, c, None, st("na"))
                ws.write_blank(r, b.snap_col0 + j, None, st("na"))
        b.wstr(ws, r, c_def, "Inputs", st("muted"))
        _min_max(b, ws, r, c_def, p)
        b.formula(ws, r, c_rowchk, f"IF({SHEET_INPUTS}!$C${b.input_row[key] + 1}=$B${r + 1},0,1)", 0, st("check"))
        r += 1
    b.all_links = (first, r - 1)
    b.rowcheck_span = (first, r - 1, c_rowchk)
    b.minmax_cols = (c_def + 1, c_def + 2, c_def + 3)
    return r


def _min_max(b: Book, ws, r: int, c_def: int, p) -> None:
    st = b.st
    if p.is_choice:
        b.wstr(ws, r, c_def + 1, ", ".join(p.choices), st("muted"))
        ws.write_blank(r, c_def + 2, None, st("value"))
        ws.write_number(r, c_def + 3, 0, st("value", "0"))
        return
    ws.write_number(r, c_def + 1, p.min, st("value", "General"))
    ws.write_number(r, c_def + 2, p.max, st("value", "General"))
    ws.write_number(r, c_def + 3, 1 if p.integer else 0, st("value", "0"))


def _snapshot(b: Book, ws, r: int, j: int, v) -> None:
    """The value at export in scenario ``j``'s snapshot column (a plain value, never a formula)."""
    fmt = b.st("value", "General")
    if isinstance(v, str):
        b.wstr(ws, r, b.snap_col0 + j, v, fmt)
    else:
        b.num(ws, r, b.snap_col0 + j, v, fmt)


def _changed_row(b: Book, ws, r: int, c_def: int) -> int:
    """How many inputs differ from their values at export (the count checks apply while 0)."""
    st, c0 = b.st, b.calc_col0
    lo, hi = b.all_links
    b.calc_row["changed"] = r
    b.wstr(ws, r, 0, "Inputs changed since export", st("bold"))
    b.wstr(ws, r, 1, "changed", st("key"))
    b.wstr(ws, r, 2, "inputs", st("muted"))
    for j in range(len(b.scen)):
        now = f"{col_letter(c0 + j)}{lo + 1}:{col_letter(c0 + j)}{hi + 1}"
        then = f"{col_letter(b.snap_col0 + j)}{lo + 1}:{col_letter(b.snap_col0 + j)}{hi + 1}"
        b.formula(ws, r, c0 + j, f"SUMPRODUCT(({now}<>{then})*1)", 0, st("calc", "0"))
    b.wstr(ws, r, c_def, "inputs that differ from the values at export (grouped columns on the right)", st("muted"))
    return r + 1


def _calc_row(b: Book, ws, row, c_def: int) -> None:
    st, c0 = b.st, b.calc_col0
    rr = b.calc_row[row.id]
    bold = row.id in ("total",)
    b.wstr(ws, rr, 0, row.label, st("bold" if bold else "text"))
    b.wstr(ws, rr, 1, row.id, st("key"))
    b.wstr(ws, rr, 2, b.unit(row.unit), st("muted"))
    b.wstr(ws, rr, c_def, row.definition, st("muted"))
    for j, s in enumerate(b.scen):
        c = c0 + j
        t = row.formulas.get(s.process)
        if t is None:
            ws.write_blank(rr, c, None, st("na"))
            continue
        value = row.value(b.results[j], s.parameters)
        if row.const:
            if isinstance(t, str):
                b.wstr(ws, rr, c, t, st("value", "@", align="center"))
            else:
                ws.write_number(rr, c, t, st("value", st.nf(row.kind, t)))
            continue
        kind = "general" if value is not None and value >= 1e99 else row.kind
        fmt = st("calc_bold" if bold else "calc", st.nf(kind, value))
        b.formula(ws, rr, c, fill(t, lambda name, c=c: cell_ref(b.calc_row[name], c)), value, fmt)
        if row.integer:
            _snapshot(b, ws, rr, j, value)
