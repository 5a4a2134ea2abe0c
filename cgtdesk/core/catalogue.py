"""The parameter catalogue: the one place a parameter is described.

Read from ``resources/parameters.json`` and ``resources/results.json`` and checked at load.
The GUI editor, validation, the Excel Inputs sheet, Monte Carlo and docs/model.md all come
from here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache

from cgtdesk.core.formatting import fmt_number
from cgtdesk.resources import resource

PROCESSES: tuple[str, ...] = ("autologous", "allogeneic")
PROCESS_LABELS = {"autologous": "Autologous (scale-out)", "allogeneic": "Allogeneic (scale-up)"}
BREAKDOWN: tuple[str, ...] = ("materials", "vector", "labour", "qc", "facility", "logistics", "royalties")
#: number kinds, declared per parameter and per result (the formatter dispatches on them;
#: nothing guesses a kind from a unit string)
KINDS: tuple[str, ...] = ("money", "fraction", "count", "days", "number", "choice")


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    group: str
    unit: str
    kind: str  # one of KINDS
    default: dict  # process -> default value
    min: float
    max: float
    integer: bool
    processes: tuple[str, ...]
    description: str
    source: str

    def applies_to(self, process: str) -> bool:
        return process in self.processes

    def unit_for(self, currency: str = "USD") -> str:
        """The unit with the project's currency label in place of USD."""
        return self.unit.replace("USD", currency)

    def range_text(self) -> str:
        text = f"{fmt_number(self.min)} .. {fmt_number(self.max)}"
        return text + " (integer)" if self.integer else text

    def check(self, value) -> str | None:
        """Why ``value`` is not acceptable for this parameter, or None when it is."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"a number, found {describe(value)}"
        if not math.isfinite(value):
            return f"a finite number, found {value}"
        if value < self.min or value > self.max:
            return f"a number from {fmt_number(self.min)} to {fmt_number(self.max)}, found {fmt_number(value)}"
        if self.integer and value != int(value):
            return f"a whole number, found {fmt_number(value)}"
        return None


@dataclass(frozen=True)
class ResultInfo:
    key: str
    label: str
    unit: str
    kind: str  # money, fraction, count, days

    def unit_for(self, currency: str = "USD") -> str:
        return self.unit.replace("{cur}", currency)


@dataclass(frozen=True)
class Catalogue:
    parameters: dict  # key -> Parameter, catalogue order
    results: dict  # key -> ResultInfo, display order

    def keys_for(self, process: str) -> list[str]:
        return [k for k, p in self.parameters.items() if p.applies_to(process)]

    def defaults(self, process: str) -> dict[str, float]:
        return {k: p.default[process] for k, p in self.parameters.items() if p.applies_to(process)}

    def groups(self) -> list[str]:
        seen: list[str] = []
        for p in self.parameters.values():
            if p.group not in seen:
                seen.append(p.group)
        return seen


def describe(value) -> str:
    """What was found, for an error message."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return repr(value)


def _check_catalogue(params: dict, results: dict) -> None:
    problems = [f"result {k}: kind {r.kind!r} is not one of {', '.join(KINDS)}" for k, r in results.items() if r.kind not in KINDS]
    for key, p in params.items():
        if not p.processes or any(pr not in PROCESSES for pr in p.processes):
            problems.append(f"{key}: processes {p.processes}")
        if not p.min <= p.max:
            problems.append(f"{key}: min {p.min} > max {p.max}")
        for pr in p.processes:
            if pr not in p.default:
                problems.append(f"{key}: no default for {pr}")
            elif p.check(p.default[pr]) is not None:
                problems.append(f"{key}: default for {pr} is not valid: expected {p.check(p.default[pr])}")
        if p.kind not in KINDS:
            problems.append(f"{key}: kind {p.kind!r} is not one of {', '.join(KINDS)}")
        if not (p.label and p.unit and p.group and p.description and p.source):
            problems.append(f"{key}: label, unit, group, description and source are required")
    if problems:
        raise RuntimeError("the parameter catalogue is broken: " + "; ".join(problems))


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    raw = json.loads(resource("parameters.json").read_text(encoding="utf-8"))
    params = {}
    for d in raw["parameters"]:
        params[d["key"]] = Parameter(
            key=d["key"],
            label=d["label"],
            group=d["group"],
            unit=d["unit"],
            kind=d["kind"],
            default=dict(d["default"]),
            min=d["min"],
            max=d["max"],
            integer=bool(d["integer"]),
            processes=tuple(d["processes"]),
            description=d["description"],
            source=d["source"],
        )
    rraw = json.loads(resource("results.json").read_text(encoding="utf-8"))
    results = {d["key"]: ResultInfo(d["key"], d["label"], d["unit"], d["kind"]) for d in rraw["results"]}
    _check_catalogue(params, results)
    return Catalogue(params, results)


def parameter(key: str) -> Parameter:
    return catalogue().parameters[key]


def result_keys() -> list[str]:
    """Every result name, flat (``breakdown.materials`` ...), in display order."""
    return list(catalogue().results)
