"""Numbers as people write and read them: the one formatter and the one parser of the app.

Every view (the command line's tables, the GUI's editor and results table, chart findings,
error messages, the workbook's text cells) formats numbers through this module, so a number
reads the same wherever it appears. Formatting dispatches on a declared number kind (the
``kind`` of every parameter and result in the catalogue, ``catalogue.KINDS``), never on a
unit string.

No Qt, no catalogue: this module depends on nothing of the app but its error type.
"""

from __future__ import annotations

import math

from cgtdesk.core.errors import InputError


def _finite(x) -> bool:
    return x is not None and math.isfinite(x)


# ---------------------------------------------------------------- plain numbers


def fmt_number(x) -> str:
    """A number as a person would write it: 0.95, 500, 1e+08."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x) if abs(x) < 1e7 else f"{x:g}"
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e7:
        return str(int(x))
    return f"{x:.10g}"


def display_number(value) -> str:
    """A parameter value as shown in the editor: 500, 1,200, 0.95, 1e+08."""
    if value is None:
        return ""
    v = float(value)
    if v.is_integer() and abs(v) < 1e13:
        return f"{int(v):,}"
    if abs(v) >= 1e7:
        return f"{v:.6g}"
    return fmt_number(v)


# ---------------------------------------------------------------- chart findings


def money(x: float | None, currency: str = "USD") -> str:
    """USD 94,457 (no decimals: these are costs per dose, thousands of a currency)."""
    if not _finite(x):
        return "n/a"
    sign = "-" if x < 0 else ""
    return f"{sign}{currency} {abs(x):,.0f}"


def count(x: float | None) -> str:
    """21, 1,250, 2.5: whole counts plain, fractional ones to one decimal below 100."""
    if not _finite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 or abs(x) >= 100 else f"{x:,.1f}"


def patients(x: float) -> str:
    """A demand as people say it: 97 (whole patients, rounded up: from 96.4 a year means 97)."""
    n = math.ceil(x - 1e-9) if x >= 1 else x
    return f"{n:,.0f}" if x >= 1 else f"{x:.2g}"


def percent(x: float | None, digits: int = 0) -> str:
    """0.843 as 84% (or 84.3% with ``digits=1``)."""
    if not _finite(x):
        return "n/a"
    return f"{100 * x:.{digits}f}%"


# ---------------------------------------------------------------- tables


def format_value(value, kind: str, currency: str = "USD") -> str:
    """A value of a declared kind as a table shows it: USD 94,457; 84.3%; 21; 20.0 d; dedicated."""
    if isinstance(value, str):  # a choice
        return value
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if kind == "money":
        return f"{currency} {value:,.0f}"
    if kind == "fraction":
        return f"{value * 100:.1f}%"
    if kind == "days":
        return f"{value:,.1f} d"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


# ---------------------------------------------------------------- parsing


def parse_number(text: str, *, fraction: bool = False):
    """A number typed by a person: '1,000', '2.5e8', ' 95 ', and '95%' for a fraction.

    Raises InputError saying what was expected when the text is not a number.
    """
    t = str(text).strip().replace("\u00a0", "").replace(" ", "").replace("_", "")
    percent_sign = t.endswith("%")
    if percent_sign:
        t = t[:-1]
    if "," in t and "." not in t and t.count(",") == 1 and len(t.split(",")[1]) not in (0, 3):
        t = t.replace(",", ".")  # a decimal comma: 0,95
    else:
        t = t.replace(",", "")
    try:
        value = float(t)
    except ValueError:
        shown = str(text).strip()
        why = f"expected a number such as 0.95, 500 or 1e8, found {shown!r}" if shown else "expected a number, found nothing"
        raise InputError(why) from None
    if percent_sign:
        value /= 100.0
    if value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value
