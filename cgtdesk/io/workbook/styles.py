"""How the workbook looks: fonts, fills, tab colours, sheet protection and number formats.

Inputs are blue on pale yellow and unlocked; links green; calculations black; cells that do not
apply to a scenario's process grey (docs/workbook.md). Chart colours are not here: they come
from :mod:`cgtdesk.palette`, the one palette of the app, the slides and the workbook.
"""

from __future__ import annotations

import re

import xlsxwriter

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

FONT = "Calibri"
NAVY = "#1F3864"
INPUT_FONT = "#0000FF"
INPUT_FILL = "#FFF2CC"
LINK_FONT = "#00703C"
NA_FILL = "#EDEDED"
SECTION_FILL = "#D9E1F2"
GRID = "#BFBFBF"
OK_FILL, OK_FONT = "#C6EFCE", "#006100"
BAD_FILL, BAD_FONT = "#FFC7CE", "#9C0006"
TAB = {
    SHEET_COVER: NAVY,
    SHEET_INPUTS: "#FFC000",
    SHEET_UNCERTAINTY: "#FFD966",
    SHEET_CALC: "#A6A6A6",
    SHEET_RESULTS: "#70AD47",
    SHEET_SWEEP: "#5B9BD5",
    SHEET_MC: "#5B9BD5",
    SHEET_TORNADO: "#5B9BD5",
    SHEET_CHECKS: "#C00000",
    SHEET_CHANGES: "#FFC000",
}
#: what a protected sheet still lets the client do
PROTECT = {
    "format_columns": True,
    "format_rows": True,
    "insert_rows": True,
    "insert_columns": True,
    "autofilter": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}
FRACTION_UNITS = ("fraction", "fraction of price", "fraction of capex/yr", "1/yr")
DAY_UNITS = ("d", "d/yr")
SCI_UNITS = ("cells", "cells/mL")

#: number format by kind (the "_in" kinds and "general" depend on the value shown)
_FIXED_FORMATS = {
    "fraction": "0.0%",
    "fraction_in": "0.0#%",
    "days": '#,##0.0 "d"',
    "days_in": '#,##0.0# "d"',
    "count": "#,##0",
    "sci": "0.00E+00",
    "factor": "0.000000",
    "num2": "#,##0.00",
}


def currency_literal(currency: str) -> str:
    """The currency label made safe inside a number format's quoted text."""
    return re.sub(r'["\\]', "", currency)[:12] or "USD"


class Styles:
    """Formats created on demand and shared (XlsxWriter wants one object per distinct look)."""

    BASES = {
        "text": {},
        "muted": {"font_color": "#595959"},
        "key": {"font_name": "Consolas", "font_size": 9, "font_color": "#404040"},
        "title": {"bold": True, "font_size": 16, "font_color": NAVY},
        "subtitle": {"italic": True, "font_color": "#595959"},
        "header": {
            "bold": True,
            "font_color": "#FFFFFF",
            "bg_color": NAVY,
            "border": 1,
            "border_color": NAVY,
            "valign": "vcenter",
            "text_wrap": True,
        },
        "section": {"bold": True, "bg_color": SECTION_FILL, "font_color": NAVY},
        "input": {"font_color": INPUT_FONT, "bg_color": INPUT_FILL, "border": 1, "border_color": GRID, "locked": False},
        "input_unused": {"font_color": INPUT_FONT, "bg_color": NA_FILL, "border": 1, "border_color": GRID, "locked": False},
        "calc": {"border": 1, "border_color": "#D9D9D9"},
        "calc_bold": {"bold": True, "border": 1, "border_color": "#D9D9D9"},
        "link": {"font_color": LINK_FONT, "border": 1, "border_color": "#D9D9D9"},
        "na": {"bg_color": NA_FILL, "font_color": "#808080", "border": 1, "border_color": "#D9D9D9", "align": "center"},
        "value": {"border": 1, "border_color": "#D9D9D9"},
        "bold": {"bold": True},
        "bad_text": {"bold": True, "font_color": BAD_FONT},
        "process": {"bold": True, "font_color": NAVY, "border": 1, "border_color": "#D9D9D9", "align": "center"},
        "check": {"border": 1, "border_color": "#D9D9D9", "align": "center"},
        "check_bold": {"bold": True, "border": 2, "border_color": NAVY, "align": "center"},
        "big": {"bold": True, "font_size": 20, "font_color": NAVY},
        "wrap": {"text_wrap": True, "valign": "top"},
        "note_cell": {
            "font_color": INPUT_FONT,
            "bg_color": INPUT_FILL,
            "border": 1,
            "border_color": GRID,
            "locked": False,
            "text_wrap": False,
        },
    }

    def __init__(self, wb: xlsxwriter.Workbook, currency: str):
        self.wb = wb
        self.cur = currency_literal(currency)
        self._cache: dict = {}

    def __call__(self, base: str, num_format: str | None = None, **extra):
        key = (base, num_format, tuple(sorted(extra.items())))
        fmt = self._cache.get(key)
        if fmt is None:
            props = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
            props.update(self.BASES[base])
            props.update(extra)
            if num_format:
                props["num_format"] = num_format
            fmt = self._cache[key] = self.wb.add_format(props)
        return fmt

    # number formats by kind
    def money(self, value=None) -> str:
        dec = "" if value is None or float(value).is_integer() else ".00"
        return f'"{self.cur} "#,##0{dec};("{self.cur} "#,##0{dec})'

    def nf(self, kind: str, value=None) -> str:
        if kind == "money":
            return self.money(None)
        if kind == "money_in":
            return self.money(value)
        if kind in _FIXED_FORMATS:
            return _FIXED_FORMATS[kind]
        # general number, as typed
        if value is not None and float(value).is_integer():
            return "#,##0"
        return "#,##0.0###"


def param_kind(p) -> str:
    """The number format kind of an input cell of parameter ``p``."""
    if "USD" in p.unit:
        return "money_in"
    if p.unit in FRACTION_UNITS:
        return "fraction_in"
    if p.unit in DAY_UNITS:
        return "days_in"
    if p.unit in SCI_UNITS:
        return "sci"
    if p.integer:
        return "count"
    return "general"
