"""The vocabulary of the Calculations sheet: a row (:class:`Row`), the processes, and the small
formula builders every section uses (the integer steps, the facility-mode switch).

Templates hold ``{id}`` placeholders (a Calculations row id or a parameter key) that the writer
fills with cell addresses (:func:`fill`). The only constants in formulas are 0, 1, the model's
1E-9 and the 1E+99 that marks "no candidate" in the service-level search; every other number
(the mL per L, the days of a calendar year) and every text (the facility modes) is a labelled row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

AUTO, ALLO = "autologous", "allogeneic"

#: "no candidate meets the condition" in the service-level search (docs/workbook.md)
NONE_FOUND = "1E+99"


@dataclass(frozen=True)
class Row:
    """One quantity of the Calculations sheet."""

    id: str
    label: str
    unit: str  # may hold {cur}
    kind: str  # number format kind (see styles.Styles.nf)
    formulas: dict  # process -> template with {id} placeholders (or, with const, the value itself)
    value: Callable  # (results, params) -> the app's value
    definition: str = ""
    const: bool = False  # a labelled constant (a number or a text), written as a value
    hidden: bool = False  # a helper row (grouped and collapsed; the service-level candidates)
    integer: bool = False  # an integer count: Checks compares it with the app's value at export


def R(key):
    """The app's value of a result or ``calc.`` quantity."""
    return lambda r, p: r[key]


def both(t):
    return {AUTO: t, ALLO: t}


def ceil_(x: str) -> str:
    """``ceil_(x) = ceil(x - 1e-9)`` in Excel: ROUNDUP rounds away from zero, so
    ``ROUNDUP(-1E-9,0)`` is -1 and the MAX keeps ``ceil_(0) = 0``."""
    return f"MAX(0,ROUNDUP({x}-1E-9,0))"


def floor_(x: str) -> str:
    return f"ROUNDDOWN({x}+1E-9,0)"


def by_mode(dedicated: str, shared: str, cdmo: str) -> str:
    """The facility-mode switch over the ``facility.mode`` link (the modes are labelled rows)."""
    return f"IF({{facility.mode}}={{mode_cdmo}},{cdmo},IF({{facility.mode}}={{mode_shared}},{shared},{dedicated}))"


def poisson(c: str, a: str, cumulative: bool) -> str:
    return f"POISSON.DIST({c},{a},{'TRUE' if cumulative else 'FALSE'})"


def erlang_c(c: str, a: str) -> str:
    """``EC(c, a)`` with ``EB = pmf / cdf`` (Poisson form): ``c pmf / (cdf (c - a) + a pmf)``."""
    pmf, cdf = poisson(c, a, False), poisson(c, a, True)
    return f"{c}*{pmf}/({cdf}*({c}-{a})+{a}*{pmf})"


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def fill(template: str, address: Callable[[str], str]) -> str:
    """``template`` with every ``{name}`` replaced by ``address(name)``."""
    return _PLACEHOLDER.sub(lambda m: address(m.group(1)), template)


def functions_in(template: str) -> set[str]:
    return set(re.findall(r"([A-Z][A-Z0-9.]*)\(", template))
