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


def plain(x: float) -> str:
    """A number with thousands separators and no needless digits: 100,000,000; 0.5; 2.5e-05."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 1e15 or abs(x) < 1e-4:
        return f"{x:.6g}"
    whole, _, frac = f"{x:.10g}".partition(".")
    return f"{int(whole):,}.{frac}" if whole.lstrip("-").isdigit() and "e" not in frac else f"{x:.10g}"


def sig(x, digits: int = 3) -> str:
    """A figure rounded to ``digits`` significant figures for reading: 75.2, 0.0123, 453,314
    (a figure of ``digits`` whole digits or more is shown whole, with separators)."""
    if not _finite(x):
        return "-"
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) >= 10 ** (digits - 1):
        return f"{round(x):,}"
    text = f"{x:.{digits}g}"
    if "e" in text:
        return text
    return text.rstrip("0").rstrip(".") if "." in text else text


def fraction_text(x) -> str:
    """A fraction as a percentage, up to two decimals, no trailing zeros: 75%, 92.5%, 0.25%."""
    if not _finite(x):
        return "-"
    text = f"{100 * float(x):.2f}".rstrip("0").rstrip(".")
    return f"{'0' if text in ('', '-0') else text}%"


def display_input(value, kind: str) -> str:
    """A parameter value as the editor shows it: a fraction as a percentage (75%), other
    numbers with separators (1,200; 0.95); a choice as it is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == "fraction":
        return fraction_text(value)
    return display_number(value)


def range_words(lo, hi, kind: str = "number", integer: bool = False) -> str:
    """A valid range in words: '0 to 100,000,000', '1% to 100%', '1 to 1,000 (whole numbers)'."""
    one = fraction_text if kind == "fraction" else plain
    text = f"{one(lo)} to {one(hi)}"
    return f"{text} (whole numbers)" if integer else text


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
    """USD 94,457 (no decimals: these are costs per dose, thousands of a currency); a negative
    figure by one rule everywhere: -USD 13,329."""
    if not _finite(x):
        return "n/a"
    sign = "-" if round(x) < 0 else ""
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
        return money(value, currency)
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


#: how a spreadsheet recognises the start of a formula in a cell it imports (OWASP: CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell of CSV or tab-separated text that another program will read: numbers as they are,
    and a text that starts like a formula (``=HYPERLINK(...)``, ``+1``, ``@SUM``) with a leading
    ``'`` so that a spreadsheet shows it as text instead of running it."""
    if value is None:
        return ""
    text = str(value)
    if not text.startswith(FORMULA_START):
        return text
    if text.startswith("-"):
        try:
            float(text)  # a negative number (the app writes them so) stays a number
        except ValueError:
            return "'" + text
        return text
    return "'" + text  # the app never writes a number with a leading +
