"""The sheets a client reads first: Cover (title, scenarios, legend, how to edit and send back,
the state of the checks) and Checks (each check 0 when it holds, and the master check).
See docs/workbook.md.
"""

from __future__ import annotations

from cgtdesk import APP_NAME, __version__
from cgtdesk.core.catalogue import PROCESS_LABELS
from cgtdesk.io.workbook.book import Book
from cgtdesk.io.workbook.calc_rows import NONE_FOUND
from cgtdesk.io.workbook.formulas import ALLO, AUTO, CALC_SECTIONS
from cgtdesk.io.workbook.layout import (
    COVER_CURRENCY,
    COVER_FORMAT,
    COVER_TITLE,
    KEY_PROCESS,
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
    WORKBOOK_FORMAT_VERSION,
    cell_ref,
    col_letter,
)
from cgtdesk.io.workbook.styles import BAD_FILL, BAD_FONT, FONT, OK_FILL, OK_FONT

# ---------------------------------------------------------------- Checks


def write_checks(b: Book) -> None:
    ws, st = b.sheets[SHEET_CHECKS], b.st
    n = len(b.scen)
    c0 = 2
    c_all = c0 + n
    b.title(ws, "Checks", "Each check is 0 when it holds. The master check at the bottom is 0 when every check holds.")
    b.wstr(ws, 2, 0, "Tolerance (relative)", st("muted"))
    ws.write_number(2, 1, 1e-9, st("value", "0.0E+00", align="left"))
    tol = "$B$3"
    hr = 4
    ws.set_row(hr, 30)
    b.wstr(ws, hr, 0, "Check", st("header"))
    b.wstr(ws, hr, 1, "What it tests", st("header"))
    for j in range(n):
        b.name_cell(ws, hr, c0 + j, j, st("header", align="center"))
    b.wstr(ws, hr, c_all, "All scenarios", st("header", align="center"))
    r = hr + 1
    lo, hi = b.link_span
    c_min, c_max, c_int = b.minmax_cols
    C = SHEET_CALC

    def col_range(col_idx, absolute=False):
        L = col_letter(col_idx)
        d = "$" if absolute else ""
        return f"{C}!{d}{L}{d}{lo + 1}:{d}{L}{d}{hi + 1}"

    rows_first = r

    def add(label, what, per_scenario):
        nonlocal r
        b.wstr(ws, r, 0, label, st("text"))
        b.wstr(ws, r, 1, what, st("muted"))
        for j, s in enumerate(b.scen):
            f = per_scenario(j, s)
            if f is None:
                b.wstr(ws, r, c0 + j, "n/a", st("na"))
            else:
                b.formula(ws, r, c0 + j, _never_an_error(f), 0, st("check", "0"))
        b.formula(ws, r, c_all, _never_an_error(f"SUM({cell_ref(r, c0)}:{cell_ref(r, c0 + n - 1)})"), 0, st("check", "0"))
        r += 1

    def in_range(j, s):
        v = col_range(b.calc_col0 + j)
        mn, mx, wh = col_range(c_min, True), col_range(c_max, True), col_range(c_int, True)
        return f'SUMPRODUCT(({v}<>"")*((({v}<{mn})+({v}>{mx})+({wh}=1)*({v}<>ROUND({v},0)))>0))'

    add(
        "Inputs within their valid ranges", "number of inputs outside their valid range or not whole where they must be", in_range
    )
    add(
        "Process as built",
        "the process on Inputs is the one the Calculations formulas were built for",
        lambda j, s: f"IF({b.input_ref(KEY_PROCESS, j)}={b.calc_ref('process', j)},0,1)",
    )
    add(
        "Breakdown sums to total",
        "the seven cost categories add up to the total annual cost",
        lambda j, s: (
            f"IF(ABS(SUM({b.result_ref('breakdown.materials', j)}:{cell_ref(b.result_row['breakdown.royalties'], b.result_col0 + j)})-{b.result_ref('total_annual_cost', j)})<={tol}*ABS({b.result_ref('total_annual_cost', j)}),0,1)"
        ),
    )
    add(
        "Cost per dose x doses = total",
        "cost of goods per dose times doses delivered equals the total annual cost",
        lambda j, s: (
            f"IF(ABS({b.result_ref('cogs_per_dose', j)}*{b.calc_ref('Dd', j)}-{b.result_ref('total_annual_cost', j)})<={tol}*ABS({b.result_ref('total_annual_cost', j)}),0,1)"
        ),
    )
    add(
        "Capacity covers demand",
        "units per site x batches or lots per unit >= batches or lots started per site (service-level rule: devices > offered load)",
        lambda j, s: _capacity_check(b, j, s, tol),
    )
    add(
        "Suites hold the units",
        "suites x units per suite >= units",
        lambda j, s: (
            f"IF({b.calc_ref('N_suite_s', j)}*{b.calc_ref('auto.devices_per_suite' if s.process == AUTO else 'allo.bioreactors_per_suite', j)}>={b.calc_ref('N_unit_s', j)},0,1)"
        ),
    )
    add(
        "A lot yields at least one dose",
        "allogeneic: doses per lot >= 1",
        lambda j, s: f"IF({b.calc_ref('dpl', j)}>=1,0,1)" if s.process == ALLO else None,
    )
    add(
        "Facility mode is one of the list",
        "facility.mode on Inputs reads dedicated, shared or cdmo",
        lambda j, s: (
            f"IF(OR({b.calc_ref('facility.mode', j)}={b.calc_ref('mode_dedicated', j)},{b.calc_ref('facility.mode', j)}={b.calc_ref('mode_shared', j)},{b.calc_ref('facility.mode', j)}={b.calc_ref('mode_cdmo', j)}),0,1)"
        ),
    )
    add(
        "Service-level window large enough",
        "autologous: a candidate in the helper window meets the service level (else widen the window: see docs/workbook.md)",
        lambda j, s: (
            f"IF({b.calc_ref('auto.service_level', j)}=0,0,IF({b.calc_ref('N_sl', j)}<{NONE_FOUND},0,1))"
            if s.process == AUTO
            else None
        ),
    )
    for row in integer_rows():
        add(
            f"{row.label}: as the app's",
            f"{row.id} equals the app's value at export (applies while no input has changed since export)",
            lambda j, s, row=row: (
                f"IF({b.calc_ref('changed', j)}>0,0,IF({b.calc_ref(row.id, j)}={b.snap_ref(row.id, j)},0,1))"
                if s.process in row.formulas
                else None
            ),
        )
    # input rows in place: one figure for the workbook
    b.wstr(ws, r, 0, "Input rows in place", st("text"))
    b.wstr(
        ws,
        r,
        1,
        "each input on Calculations still reads the Inputs row of its key (rows sorted on Inputs break this)",
        st("muted"),
    )
    for j in range(n):
        ws.write_blank(r, c0 + j, None, st("na"))
    _lo, _hi, c_rc = b.rowcheck_span
    b.formula(
        ws, r, c_all, _never_an_error(f"SUM({C}!{col_letter(c_rc)}{_lo + 1}:{col_letter(c_rc)}{_hi + 1})"), 0, st("check", "0")
    )
    r += 2
    b.wstr(ws, r, 0, "Master check", st("bold"))
    b.wstr(ws, r, 1, "0 when every check above holds, 1 when any fails", st("muted"))
    b.formula(
        ws, r, c_all, _never_an_error(f"SUM({cell_ref(rows_first, c_all)}:{cell_ref(r - 2, c_all)})"), 0, st("check_bold", "0")
    )
    b.checks_master = f"{SHEET_CHECKS}!{cell_ref(r, c_all)}"
    _style_checks(b, ws, (rows_first, c0, r, c_all), hr)


def _never_an_error(f: str) -> str:
    """A check as 0 (holds) or 1 (fails), whatever the client did: an error value (a deleted
    row, text in a number cell) counts as a failure, never shows as #REF! or #VALUE!."""
    return f"IFERROR(IF(({f})=0,0,1),1)"


def _style_checks(b: Book, ws, rng: tuple, hr: int) -> None:
    """Green for a check that holds, red for one that fails or reads an error; widths; panes."""
    rows_first, c0, _r, c_all = rng
    green = b.wb.add_format({"bg_color": OK_FILL, "font_color": OK_FONT})
    red = b.wb.add_format({"bg_color": BAD_FILL, "font_color": BAD_FONT})
    ws.conditional_format(
        *rng,
        {
            "type": "formula",
            "criteria": f"=AND(ISNUMBER({cell_ref(rows_first, c0)}),{cell_ref(rows_first, c0)}=0)",
            "format": green,
        },
    )
    ws.conditional_format(
        *rng,
        {
            "type": "formula",
            "criteria": f"=AND(ISNUMBER({cell_ref(rows_first, c0)}),{cell_ref(rows_first, c0)}<>0)",
            "format": red,
        },
    )
    ws.conditional_format(*rng, {"type": "formula", "criteria": f"=ISERROR({cell_ref(rows_first, c0)})", "format": red})
    ws.set_column(0, 0, 52)
    ws.set_column(1, 1, 80)
    ws.set_column(c0, c_all, 19)
    ws.freeze_panes(hr + 1, c0)


def _capacity_check(b: Book, j: int, s, tol: str) -> str:
    if s.process == ALLO:
        return f"IF({b.calc_ref('N_unit_s', j)}*{b.calc_ref('cap', j)}>={b.calc_ref('L_s', j)}*(1-{tol}),0,1)"
    by_use = f"IF({b.calc_ref('N_unit_s', j)}*{b.calc_ref('cap', j)}>={b.calc_ref('B_s', j)}*(1-{tol}),0,1)"
    by_level = f"IF({b.calc_ref('N_unit_s', j)}>{b.calc_ref('a', j)},0,1)"
    return f"IF({b.calc_ref('auto.service_level', j)}=0,{by_use},{by_level})"


def integer_rows():
    """The integer counts of Calculations (units, suites, FTE parts, lots, doses per lot)."""
    return [row for _title, rows in CALC_SECTIONS for row in rows if row.integer]


# ---------------------------------------------------------------- Cover


def write_cover(b: Book) -> None:
    ws, st = b.sheets[SHEET_COVER], b.st
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 3)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 34)
    ws.set_column(3, 3, 90)
    b.wstr(ws, 1, 1, f"{APP_NAME}  |  cost of goods model for cell and gene therapy manufacturing", st("subtitle"))
    ws.set_row(2, 30)
    r = 4
    lab = st("bold")
    b.wstr(ws, r, 1, COVER_TITLE, lab)
    ws.merge_range(r, 2, r, 3, b.project.title, st("input", "@"))
    title_cell = cell_ref(r, 2)
    b.formula(ws, 2, 1, f"{title_cell}", b.project.title, st("big"))
    r += 1
    b.wstr(ws, r, 1, COVER_CURRENCY, lab)
    b.wstr(ws, r, 2, b.project.currency, st("input", "@"))
    b.wstr(ws, r, 3, "a label only: no conversion; number formats show the currency at export", st("muted"))
    r += 1
    b.wstr(ws, r, 1, "Exported", lab)
    b.wstr(ws, r, 2, b.now.strftime("%Y-%m-%d %H:%M %Z").strip(), st("text"))
    r += 1
    b.wstr(ws, r, 1, "Exported by", lab)
    b.wstr(ws, r, 2, f"{APP_NAME} {__version__}", st("text"))
    r += 1
    b.wstr(ws, r, 1, COVER_FORMAT, lab)
    ws.write_number(r, 2, WORKBOOK_FORMAT_VERSION, st("text", "0", align="left"))
    r += 1
    b.wstr(ws, r, 1, "Model checks", lab)
    ok_text, bad_text = "All checks hold", "A check fails: see the Checks sheet"
    # always words: an error in the master cell reads as a failing check
    b.formula(ws, r, 2, f'IFERROR(IF({b.checks_master}=0,"{ok_text}","{bad_text}"),"{bad_text}")', ok_text, st("bold"))
    green = b.wb.add_format({"bg_color": OK_FILL, "font_color": OK_FONT, "bold": True})
    red = b.wb.add_format({"bg_color": BAD_FILL, "font_color": BAD_FONT, "bold": True})
    ws.conditional_format(r, 2, r, 2, {"type": "cell", "criteria": "==", "value": f'"{ok_text}"', "format": green})
    ws.conditional_format(r, 2, r, 2, {"type": "cell", "criteria": "!=", "value": f'"{ok_text}"', "format": red})
    r += 2
    # scenarios
    b.wstr(ws, r, 1, "Scenarios", st("section"))
    ws.write_blank(r, 2, None, st("section"))
    ws.write_blank(r, 3, None, st("section"))
    r += 1
    for c, h in enumerate(("Scenario", "Process", "Notes")):
        b.wstr(ws, r, 1 + c, h, st("header"))
    r += 1
    for j, s in enumerate(b.scen):
        b.name_cell(ws, r, 1, j, st("value"))
        b.wstr(ws, r, 2, PROCESS_LABELS[s.process], st("value"))
        b.wstr(ws, r, 3, s.notes, st("value", text_wrap=True))
        if len(s.notes) > 95:
            ws.set_row(r, 15 * min(6, 1 + len(s.notes) // 95))
        r += 1
    r += 1
    # legend
    b.wstr(ws, r, 1, "Colour legend", st("section"))
    ws.write_blank(r, 2, None, st("section"))
    ws.write_blank(r, 3, None, st("section"))
    r += 1
    legend = [
        (st("input", "#,##0"), 1234, "Input: blue on pale yellow, unlocked. Change these."),
        (st("link", "#,##0"), 1234, "Link: green, a value brought over from another sheet (a formula)."),
        (st("calc", "#,##0"), 1234, "Calculation: black, a live formula. Do not overwrite."),
        (st("na"), "n/a", "Grey: does not apply to that scenario's process (autologous or allogeneic)."),
        (
            b.wb.add_format(
                {
                    "font_name": FONT,
                    "font_size": 10,
                    "bg_color": OK_FILL,
                    "font_color": OK_FONT,
                    "align": "center",
                    "border": 1,
                    "border_color": "#D9D9D9",
                }
            ),
            0,
            "Check: 0 on green when it holds, red when it fails.",
        ),
    ]
    for fmt, sample, text in legend:
        if isinstance(sample, str):
            b.wstr(ws, r, 2, sample, fmt)
        else:
            ws.write_number(r, 2, sample, fmt)
        b.wstr(ws, r, 3, text, st("text"))
        r += 1
    r += 1
    b.wstr(ws, r, 1, "How to edit and send back", st("section"))
    ws.write_blank(r, 2, None, st("section"))
    ws.write_blank(r, 3, None, st("section"))
    r += 1
    steps = [
        "Change the blue-on-yellow cells on the Inputs sheet (and, for ranges, on the Uncertainty sheet). Each input shows its unit, valid range and source; values outside the range are refused.",
        "Calculations, Results and Checks follow as you type. Sweep holds values computed at export; the consultant refreshes it when reading the workbook back.",
        "You may add notes, new columns, rows and sheets, and insert rows. Keep the Key column and the scenario names in the Inputs header row: the app reads inputs by them.",
        "Keep the Master check at 0 (see the Checks sheet). Sheets are protected without a password only to prevent accidental overwrites.",
        "Save as an Excel workbook (.xlsx, not .xlsm or .xls) and send the file back to your consultant.",
    ]
    for i, text in enumerate(steps, 1):
        b.wstr(ws, r, 1, f"{i}.", st("text", align="right"))
        ws.merge_range(r, 2, r, 3, text, st("wrap"))
        ws.set_row(r, 28)
        r += 1
    r += 1
    b.wstr(ws, r, 1, "Sheets", st("section"))
    ws.write_blank(r, 2, None, st("section"))
    ws.write_blank(r, 3, None, st("section"))
    r += 1
    sheets = [
        (SHEET_INPUTS, "every parameter, one column per scenario, with unit, valid range and source"),
        (SHEET_UNCERTAINTY, "distributions and rank correlations of inputs, for Monte Carlo and tornado"),
        (SHEET_CALC, "every intermediate quantity of the model as a live formula"),
        (SHEET_RESULTS, "every result as a formula, with a chart of the cost breakdown per dose"),
        (SHEET_SWEEP, "cost of goods per dose against demand (values at export), with a chart"),
    ]
    if b.has(SHEET_MC):
        sheets += [
            (SHEET_MC, "Monte Carlo summaries (values at export)"),
            (SHEET_TORNADO, "one-at-a-time sensitivity (values at export)"),
        ]
    sheets.append((SHEET_CHANGES, "which inputs differ from their values at export (live), and how many"))
    sheets.append((SHEET_CHECKS, "integrity checks, 0 when they hold, and the master check"))
    for name, text in sheets:
        ws.write_url(r, 1, f"internal:'{name}'!A1", string=name, cell_format=st("text", font_color="#0563C1", underline=1))
        b.wstr(ws, r, 2, text, st("text"))
        r += 1
    ws.set_landscape()
    ws.fit_to_pages(1, 1)
