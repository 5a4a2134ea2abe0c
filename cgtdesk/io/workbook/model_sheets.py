"""The model's sheets: Inputs (the client's cells), Uncertainty (distributions and correlations)
and Results (every result as a formula over Calculations, with the breakdown chart); the
Calculations sheet is :mod:`.calc_sheet`. See docs/workbook.md.
"""

from __future__ import annotations

from cgtdesk.core.catalogue import BREAKDOWN, PROCESS_LABELS
from cgtdesk.core.formatting import display_number
from cgtdesk.core.project import DISTRIBUTIONS
from cgtdesk.io.workbook.book import Book
from cgtdesk.io.workbook.formulas import RESULT_FORMULAS, fill
from cgtdesk.io.workbook.layout import (
    C_KEY_A,
    C_KEY_B,
    C_RHO,
    C_SCENARIO,
    H_GROUP,
    H_KEY,
    H_PARAMETER,
    H_RANGE,
    H_SOURCE,
    H_UNIT,
    KEY_NOTES,
    KEY_PROCESS,
    KEY_SCENARIO_ID,
    SHEET_CALC,
    SHEET_INPUTS,
    SHEET_RESULTS,
    SHEET_UNCERTAINTY,
    U_DIST,
    U_FIELDS,
    U_KEY,
    U_PARAMETER,
    U_SCENARIO,
    U_UNIT,
    cell_ref,
)
from cgtdesk.io.workbook.styles import NAVY, param_kind
from cgtdesk.palette import CATEGORY_COLOURS

# ---------------------------------------------------------------- Inputs


def write_inputs(b: Book) -> None:
    ws, st = b.sheets[SHEET_INPUTS], b.st
    n = len(b.scen)
    c0 = b.input_col0
    c_range, c_source = c0 + n, c0 + n + 1
    b.title(
        ws,
        "Inputs",
        "Blue on pale yellow cells are inputs: change them here. Every other sheet follows. Grey: the parameter does not apply to that scenario's process.",
    )
    hr = b.input_header
    ws.set_row(hr, 30)
    for c, h in enumerate((H_GROUP, H_PARAMETER, H_KEY, H_UNIT)):
        b.wstr(ws, hr, c, h, st("header"))
    for j, s in enumerate(b.scen):  # the one place a scenario is named: every other sheet refers here
        b.wstr(ws, hr, c0 + j, s.name, st("input", "@", align="center", bold=True, text_wrap=True))
    b.wstr(ws, hr, c_range, H_RANGE, st("header"))
    b.wstr(ws, hr, c_source, H_SOURCE, st("header"))
    r = _process_and_notes_rows(b, ws, hr + 1, c_range, c_source)
    prev_group = None
    for key, p in b.cat.parameters.items():
        top = {"top": 1, "top_color": "#8EA9DB"} if prev_group is not None and p.group != prev_group else {}
        prev_group = p.group
        _input_row(b, ws, r, key, p, top, c_range, c_source)
        r += 1
    last = r - 1
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 44)
    ws.set_column(2, 2, 34)
    ws.set_column(3, 3, 17)
    ws.set_column(c0, c0 + n - 1, 19)
    ws.set_column(c_range, c_range, 22)
    ws.set_column(c_source, c_source, 70)
    ws.freeze_panes(hr + 1, c0)
    ws.autofilter(hr, 0, last, c_source)
    ws.repeat_rows(hr)


def _process_and_notes_rows(b: Book, ws, r: int, c_range: int, c_source: int) -> int:
    """The ``process`` and ``notes`` rows from row ``r``; returns the next free row."""
    st, c0 = b.st, b.input_col0
    b.wstr(ws, r, 0, "Scenario", st("muted"))
    b.wstr(ws, r, 1, "Process", st("bold"))
    b.wstr(ws, r, 2, KEY_PROCESS, st("key"))
    for j, s in enumerate(b.scen):
        b.wstr(ws, r, c0 + j, s.process, st("process"))
    b.wstr(ws, r, c_range, "autologous or allogeneic", st("muted"))
    b.wstr(ws, r, c_source, "Set when the scenario was made; the formulas on Calculations are built for it", st("muted"))
    b.input_row[KEY_PROCESS] = r
    r += 1
    b.wstr(ws, r, 0, "Scenario", st("muted"))
    b.wstr(ws, r, 1, "Notes", st("bold"))
    b.wstr(ws, r, 2, KEY_NOTES, st("key"))
    for j, s in enumerate(b.scen):
        b.wstr(ws, r, c0 + j, s.notes, st("note_cell", text_wrap=True, valign="top"))
    lines = max((len(s.notes) // 20 + 1 for s in b.scen), default=1)  # 19-character columns, wrapped
    ws.set_row(r, 15 * min(lines, 6))  # the notes print whole (up to six lines; the cell holds the rest)
    b.wstr(ws, r, c_range, "free text", st("muted"))
    b.input_row[KEY_NOTES] = r
    r += 1
    # hidden: which exported scenario each column is, whatever the client renames it to
    b.wstr(ws, r, 2, KEY_SCENARIO_ID, st("key"))
    for j in range(len(b.scen)):
        b.wstr(ws, r, c0 + j, b.scenario_ids[j], st("muted"))
    ws.set_row(r, None, None, {"hidden": True})
    b.input_row[KEY_SCENARIO_ID] = r
    return r + 1


def _input_row(b: Book, ws, r: int, key: str, p, top: dict, c_range: int, c_source: int) -> None:
    """One parameter's row: labels, a cell per scenario (grey where it does not apply), validation."""
    st, c0 = b.st, b.input_col0
    b.input_row[key] = r
    b.wstr(ws, r, 0, p.group, st("muted", **top))
    b.wstr(ws, r, 1, p.label, st("text", **top))
    b.wstr(ws, r, 2, key, st("key", **top))
    b.wstr(ws, r, 3, p.unit_for(b.cur), st("muted", **top))
    kind = param_kind(p)
    for j, s in enumerate(b.scen):
        c = c0 + j
        if p.applies_to(s.process) and p.is_choice:
            b.wstr(ws, r, c, s.parameters[key], st("input", "@", align="center", **top))
        elif p.applies_to(s.process):
            v = s.parameters[key]
            ws.write_number(r, c, v, st("input", st.nf(kind, v), **top))
        else:
            ws.write_blank(r, c, None, st("na", **top))
    b.wstr(ws, r, c_range, range_words(p), st("muted", **top))
    b.wstr(ws, r, c_source, p.source, st("muted", **top))
    for j, s in enumerate(b.scen):
        if p.applies_to(s.process) and p.is_choice:
            b.choice_cells.append((r, c0 + j, p))  # its list: cells of Calculations (choice_lists)
        elif p.applies_to(s.process):
            ws.data_validation(r, c0 + j, r, c0 + j, _validation(b, p))


def choice_lists(b: Book) -> None:
    """The drop-down of each choice input (``facility.mode``): a range of the labelled choice cells
    on Calculations (never a literal comma list), added once Calculations is laid out."""
    ws = b.sheets[SHEET_INPUTS]
    for r, c, p in b.choice_cells:
        rows = [b.calc_row[f"mode_{m}"] for m in p.choices]
        assert rows == list(range(rows[0], rows[0] + len(rows))), "the choice cells are one column range"
        col = b.calc_col0
        source = f"={SHEET_CALC}!{cell_ref(rows[0], col, absolute=True)}:{cell_ref(rows[-1], col, absolute=True)}"
        ws.data_validation(r, c, r, c, _validation(b, p, source))


def range_words(p) -> str:
    """A valid range as people write it: 0 to 100,000,000 (whole number); dedicated, shared or cdmo."""
    if p.is_choice:
        return ", ".join(p.choices[:-1]) + " or " + p.choices[-1]
    text = f"{display_number(p.min)} to {display_number(p.max)}"
    return text + " (whole number)" if p.integer else text


def _validation(b: Book, p, source: str | None = None) -> dict:
    msg = f"{p.description} Valid: {range_words(p)}."
    if p.is_choice:
        return {
            "validate": "list",
            "source": source,
            "input_title": p.label[:32],
            "input_message": msg[:250],
            "error_title": "Not one of the choices",
            "error_message": f"{p.label}: expected one of {', '.join(p.choices)}."[:250],
            "show_input": False,
        }
    return {
        "validate": "integer" if p.integer else "decimal",
        "criteria": "between",
        "minimum": p.min,
        "maximum": p.max,
        "input_title": p.label[:32],
        "input_message": msg[:250],
        "error_title": "Outside the valid range",
        "error_message": f"{p.label}: expected {'a whole number' if p.integer else 'a number'} from {display_number(p.min)} to {display_number(p.max)} {p.unit_for(b.cur)}."[
            :250
        ],
        "show_input": False,
    }


# ---------------------------------------------------------------- Uncertainty


def write_uncertainty(b: Book) -> None:
    ws, st = b.sheets[SHEET_UNCERTAINTY], b.st
    b.title(
        ws,
        "Uncertainty",
        "Ranges for Monte Carlo and tornado. Fill the fields of the chosen distribution; add rows in the blank lines. Normal is truncated to the valid range; sigma is of ln x.",
    )
    fields = list(U_FIELDS)
    heads = [U_SCENARIO, U_PARAMETER, U_KEY, U_UNIT, U_DIST] + [U_FIELDS[f] for f in fields]
    hr = 3
    for c, h in enumerate(heads):
        b.wstr(ws, hr, c, h, st("header"))
    r = hr + 1
    for j, s in enumerate(b.scen):
        for k, d in s.uncertainty.items():
            _distribution_row(b, ws, r, j, k, d, fields)
            r += 1
    for _ in range(12):  # room for the client's additions
        for c in range(len(heads)):
            if c in (1, 3):
                ws.write_blank(r, c, None, st("muted"))
            else:
                ws.write_blank(r, c, None, st("input_unused" if c >= 5 else "input", "@" if c < 5 else None))
        r += 1
    dist_list = list(DISTRIBUTIONS)
    ws.data_validation(
        hr + 1,
        4,
        r - 1,
        4,
        {
            "validate": "list",
            "source": dist_list,
            "error_title": "Unknown distribution",
            "error_message": "Choose one of " + ", ".join(dist_list),
        },
    )
    ws.data_validation(hr + 1, 0, r - 1, 0, _names_list(b))
    _correlations(b, ws, r + 1, len(heads))
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 2, 34)
    ws.set_column(3, 3, 14)
    ws.set_column(4, 4, 13)
    ws.set_column(5, 5 + len(fields) - 1, 13)
    ws.freeze_panes(hr + 1, 0)


def _names_list(b: Book) -> dict:
    """A drop-down of the scenario names: the Inputs header cells themselves (never a typed
    list, which a comma or a quote in a name would break, and which a rename would leave behind)."""
    first, last = b.name_ref(0), cell_ref(b.input_header, b.input_col0 + len(b.scen) - 1, absolute=True)
    return {
        "validate": "list",
        "source": f"={first}:{last}",
        "error_type": "warning",
        "error_title": "Not a scenario",
        "error_message": "Choose a scenario named in the Inputs header row.",
    }


def _distribution_row(b: Book, ws, r: int, j: int, k: str, d: dict, fields: list[str]) -> None:
    st = b.st
    p = b.cat.parameters[k]
    kind = param_kind(p)
    b.name_cell(ws, r, 0, j, st("input", "@"))
    b.wstr(ws, r, 1, p.label, st("muted"))
    b.wstr(ws, r, 2, k, st("input", "@", font_name="Consolas", font_size=9))
    b.wstr(ws, r, 3, p.unit_for(b.cur), st("muted"))
    b.wstr(ws, r, 4, d["dist"], st("input", "@"))
    used = DISTRIBUTIONS[d["dist"]]
    for i, f in enumerate(fields):
        c = 5 + i
        if f not in used:
            ws.write_blank(r, c, None, st("input_unused"))
            continue
        fk = "general" if f in ("sd", "sigma") and kind != "money" else kind
        if f == "sigma":
            fk = "general"
        ws.write_number(r, c, d[f], st("input", st.nf(fk, d[f])))


def _correlations(b: Book, ws, r: int, width: int) -> None:
    """The correlations table from row ``r`` (title, header, one row per correlation, blank rows)."""
    st = b.st
    b.wstr(
        ws,
        r,
        0,
        "Rank correlations between inputs of one scenario (Iman-Conover); both inputs need a distribution above.",
        st("section"),
    )
    for c in range(1, width):
        ws.write_blank(r, c, None, st("section"))
    r += 1
    for c, h in enumerate((C_SCENARIO, C_KEY_A, C_KEY_B, C_RHO)):
        b.wstr(ws, r, c, h, st("header"))
    r += 1
    first = r
    for j, s in enumerate(b.scen):
        for corr in s.correlations:
            b.name_cell(ws, r, 0, j, st("input", "@"))
            b.wstr(ws, r, 1, corr["a"], st("input", "@", font_name="Consolas", font_size=9))
            b.wstr(ws, r, 2, corr["b"], st("input", "@", font_name="Consolas", font_size=9))
            ws.write_number(r, 3, corr["rho"], st("input", "0.00"))
            r += 1
    for _ in range(6):
        for c in range(4):
            ws.write_blank(r, c, None, st("input", "@" if c < 3 else "0.00"))
        r += 1
    ws.data_validation(first, 0, r - 1, 0, _names_list(b))


# ---------------------------------------------------------------- Results


def write_results(b: Book) -> None:
    ws, st = b.sheets[SHEET_RESULTS], b.st
    n = len(b.scen)
    c0 = b.result_col0
    b.title(
        ws,
        "Results",
        "Every result is a formula over the Calculations sheet. n/a: the result does not apply to that scenario's process.",
    )
    hr = 3
    ws.set_row(hr, 30)
    b.header_row(ws, hr, ("Result", "Key", "Unit"), c0)
    r = hr + 1
    b.wstr(ws, r, 0, "Process", st("bold"))
    b.wstr(ws, r, 1, "process", st("key"))
    for j, s in enumerate(b.scen):
        b.wstr(ws, r, c0 + j, PROCESS_LABELS[s.process], st("process"))
    r += 1
    for key, info in b.cat.results.items():
        _result_row(b, ws, r, key, info)
        r += 1
    per_dose_rows = _breakdown_per_dose(b, ws, r + 1)
    ws.set_column(0, 0, 36)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 15)
    ws.set_column(c0, c0 + n - 1, 19)
    ws.freeze_panes(hr + 1, c0)
    _breakdown_chart(b, ws, hr, per_dose_rows)


def _result_row(b: Book, ws, r: int, key: str, info) -> None:
    st, c0 = b.st, b.result_col0
    b.result_row[key] = r
    headline = key in ("cogs_per_dose", "cogs_per_patient")
    b.wstr(ws, r, 0, ("    " if key.startswith("breakdown.") else "") + info.label, st("bold" if headline else "text"))
    b.wstr(ws, r, 1, key, st("key"))
    b.wstr(ws, r, 2, info.unit_for(b.cur), st("muted"))
    for j, s in enumerate(b.scen):
        c = c0 + j
        t = RESULT_FORMULAS[key].get(s.process)
        value = b.results[j][key]
        if t is None or (value is None and key != "gross_margin"):
            b.wstr(ws, r, c, "n/a", st("na"))
            continue
        kind = "num2" if info.kind == "count" and not float(value).is_integer() else info.kind
        fmt = st("calc_bold" if headline else "calc", st.nf(kind, value))
        b.formula(ws, r, c, fill(t, lambda name, j=j: b.calc_ref(name, j)), value, fmt)


def _breakdown_per_dose(b: Book, ws, r: int) -> dict[str, int]:
    """The breakdown per dose (the chart's data) from row ``r``: category -> its row."""
    st, c0 = b.st, b.result_col0
    b.wstr(ws, r, 0, f"Cost breakdown per dose ({b.cur}/dose)", st("section"))
    for c in range(1, c0 + len(b.scen)):
        ws.write_blank(r, c, None, st("section"))
    r += 1
    per_dose_rows = {}
    for cat_name in BREAKDOWN:
        key = f"breakdown.{cat_name}"
        per_dose_rows[cat_name] = r
        b.wstr(ws, r, 0, b.cat.results[key].label, st("text"))
        b.wstr(ws, r, 1, f"{key}_per_dose", st("key"))
        b.wstr(ws, r, 2, f"{b.cur}/dose", st("muted"))
        for j, _s in enumerate(b.scen):
            value = b.results[j][key] / b.results[j]["calc.Dd"]
            b.formula(ws, r, c0 + j, f"{b.calc_ref(cat_name, j)}/{b.calc_ref('Dd', j)}", value, st("calc", st.money(0)))
        r += 1
    return per_dose_rows


def _breakdown_chart(b: Book, ws, hr: int, per_dose_rows: dict[str, int]) -> None:
    """Stacked column chart of the breakdown per dose, one series per category in its app colour."""
    n, c0 = len(b.scen), b.result_col0
    chart = b.wb.add_chart({"type": "column", "subtype": "stacked"})
    for cat_name in BREAKDOWN:
        rr = per_dose_rows[cat_name]
        chart.add_series(
            {
                "name": [SHEET_RESULTS, rr, 0],
                "categories": [SHEET_RESULTS, hr, c0, hr, c0 + n - 1],
                "values": [SHEET_RESULTS, rr, c0, rr, c0 + n - 1],
                "fill": {"color": CATEGORY_COLOURS[cat_name]},
                "border": {"none": True},
                "gap": 60,
            }
        )
    chart.set_title({"name": "Cost of goods per dose by category", "name_font": {"size": 12, "bold": True, "color": NAVY}})
    chart.set_y_axis(
        {
            "name": f"{b.cur} per dose",
            "num_format": "#,##0",
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            "name_font": {"size": 9, "bold": False},
        }
    )
    chart.set_x_axis({"num_font": {"size": 9}})
    chart.set_legend({"position": "right", "font": {"size": 9}})
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})
    chart.set_size({"width": 760, "height": 420})
    ws.insert_chart(hr, c0 + n + 1, chart, {"x_offset": 10, "y_offset": 0})
