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

from cgtdesk.core.formatting import fmt_number, range_words
from cgtdesk.resources import resource

PROCESSES: tuple[str, ...] = ("autologous", "allogeneic")
PROCESS_LABELS = {"autologous": "Autologous (scale-out)", "allogeneic": "Allogeneic (scale-up)"}
BREAKDOWN: tuple[str, ...] = ("materials", "vector", "labour", "qc", "facility", "logistics", "royalties")
#: number kinds, declared per parameter and per result (the formatter dispatches on them;
#: nothing guesses a kind from a unit string)
KINDS: tuple[str, ...] = ("money", "fraction", "count", "days", "number", "choice")
#: the one kind whose values are text from a list, not numbers (never sampled, swung or sought)
CHOICE = "choice"
#: what a value describes: ``platform`` (how a manufacturing platform works: process, facility,
#: labour, logistics, finance, contract manufacturing, launch plan; shareable between clients
#: in a template) or ``product`` (what one product is: demand, dose, price, clinical response;
#: never leaves a project)
SCOPES: tuple[str, ...] = ("platform", "product")
#: the key prefixes of product values; every other key is a platform value
PRODUCT_PREFIXES: tuple[str, ...] = ("demand.", "dose.", "commercial.", "clinical.")


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    group: str
    unit: str
    kind: str  # one of KINDS
    default: dict  # process -> default value (a string for a choice)
    min: float | None  # None for a choice
    max: float | None
    integer: bool
    processes: tuple[str, ...]
    description: str
    source: str
    choices: tuple[str, ...] = ()  # the allowed strings of a choice, in display order
    neutral: object = None  # model version 2 keys: the value that leaves version 1 results unchanged (None: any)
    version: int = 1  # the model version that added the key
    scope: str = "platform"  # one of SCOPES: a platform value may go into a template, a product value never

    @property
    def is_platform(self) -> bool:
        return self.scope == "platform"

    def applies_to(self, process: str) -> bool:
        return process in self.processes

    @property
    def is_choice(self) -> bool:
        """A choice (text from ``choices``, e.g. ``facility.mode``), not a number: never sampled,
        swung or sought by an analysis."""
        return self.kind == CHOICE

    def unit_for(self, currency: str = "USD") -> str:
        """The unit with the project's currency label in place of USD."""
        return self.unit.replace("USD", currency)

    def range_text(self) -> str:
        if self.is_choice:
            return ", ".join(self.choices)
        return range_words(self.min, self.max, self.kind, self.integer)

    def check(self, value) -> str | None:
        """Why ``value`` is not acceptable for this parameter, or None when it is."""
        if self.is_choice:
            if isinstance(value, str) and value in self.choices:
                return None
            return f"one of {', '.join(self.choices)}, found {describe(value)}"
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

    def defaults(self, process: str) -> dict[str, float | str]:
        """Every key of the process at its default (``facility.mode`` as its string)."""
        return {k: p.default[process] for k, p in self.parameters.items() if p.applies_to(process)}

    def numeric_keys(self, process: str) -> list[str]:
        """The keys of the process that hold numbers: the ones an analysis may sample, swing or
        seek (every key but the choices such as ``facility.mode``)."""
        return [k for k, p in self.parameters.items() if p.applies_to(process) and not p.is_choice]

    def choice_keys(self, process: str) -> list[str]:
        """The keys of the process whose values are text from a list (``facility.mode``)."""
        return [k for k, p in self.parameters.items() if p.applies_to(process) and p.is_choice]

    def neutral(self, process: str) -> dict[str, float | str]:
        """The defaults with every model version 2 key at its neutral value (see docs/model.md):
        version 1 results, but for the two changed defaults and the allogeneic fill-finish term."""
        values = self.defaults(process)
        for k, p in self.parameters.items():
            if p.applies_to(process) and p.neutral is not None:
                values[k] = p.neutral
        return values

    def added_in(self, version: int) -> list[str]:
        """The keys added by a model version (2: the keys a version 1 file lacks)."""
        return [k for k, p in self.parameters.items() if p.version == version]

    def platform_keys(self, process: str) -> list[str]:
        """The keys of the process that describe the platform (the ones a template may hold)."""
        return [k for k, p in self.parameters.items() if p.applies_to(process) and p.is_platform]

    def product_keys(self, process: str) -> list[str]:
        """The keys of the process that describe one product (never written into a template)."""
        return [k for k, p in self.parameters.items() if p.applies_to(process) and not p.is_platform]

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
    problems = [
        f"result {k}: kind {r.kind!r} is not one of {', '.join(KINDS)}" for k, r in results.items() if r.kind not in KINDS
    ]
    for key, p in params.items():
        if not p.processes or any(pr not in PROCESSES for pr in p.processes):
            problems.append(f"{key}: processes {p.processes}")
        if p.is_choice:
            if not p.choices or any(not isinstance(c, str) for c in p.choices):
                problems.append(f"{key}: a choice needs a list of choices")
        elif not p.min <= p.max:
            problems.append(f"{key}: min {p.min} > max {p.max}")
        elif p.choices:
            problems.append(f"{key}: choices given for a {p.kind} parameter")
        if p.neutral is not None and p.check(p.neutral) is not None:
            problems.append(f"{key}: neutral value is not valid: expected {p.check(p.neutral)}")
        for pr in p.processes:
            if pr not in p.default:
                problems.append(f"{key}: no default for {pr}")
            elif p.check(p.default[pr]) is not None:
                problems.append(f"{key}: default for {pr} is not valid: expected {p.check(p.default[pr])}")
        expected_scope = "product" if key.startswith(PRODUCT_PREFIXES) else "platform"
        if p.scope != expected_scope:
            problems.append(f"{key}: scope {p.scope!r}, expected {expected_scope!r}")
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
            choices=tuple(d.get("choices", ())),
            neutral=d.get("neutral"),
            version=int(d.get("version", 1)),
            scope=d.get("scope"),
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
