"""What the workbook reader sees in a cell: text, numbers, what to say a cell holds in a message,
and a sheet's rows with ``Sheet!A1`` references (docs/workbook.md, "What import refuses")."""

from __future__ import annotations

import datetime as _dt
import difflib
import math

from cgtdesk.core.catalogue import describe
from cgtdesk.core.formatting import fmt_number
from cgtdesk.io.workbook.layout import EXCEL_ERRORS, cell_ref


def text_of(v) -> str:
    """A header or label cell as text ('' for empty)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return str(v).upper()
    if isinstance(v, (int, float)):
        return fmt_number(v)
    return str(v).strip()


def found(v) -> str:
    """What a cell holds, for an error message."""
    if v is None:
        return "an empty cell"
    if isinstance(v, str) and v.strip() in EXCEL_ERRORS:
        return f"the error value {v.strip()}"
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return f"a date or time ({v})"
    return describe(v)


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_finite_number(v) -> bool:
    return is_number(v) and math.isfinite(v)


def blank(v) -> bool:
    return v is None or text_of(v) == ""


def hint(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def notes_text(nv) -> str:
    if nv is None:
        return ""
    if isinstance(nv, str):
        return nv
    if is_number(nv):
        return fmt_number(nv)
    return str(nv)


def same_to_15_digits(a: float, b: float) -> bool:
    """True when ``a`` and ``b`` agree to 15 significant digits (what a spreadsheet keeps)."""
    return format(float(a), ".15g") == format(float(b), ".15g")


class Rows:
    """A sheet's values (tuples indexed from 0) and its name, for cell references."""

    def __init__(self, name: str, rows: list[tuple]):
        self.name = name
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def cell(self, i: int | None, c: int | None):
        if c is None or i is None or i >= len(self.rows):
            return None
        r = self.rows[i]
        return r[c] if c < len(r) else None

    def ref(self, i: int, c: int) -> str:
        return f"{self.name}!{cell_ref(i, c)}"
