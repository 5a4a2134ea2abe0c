"""Projects and scenarios, and their strict validation.

``project_from_dict`` is the one gate every reader (project files, workbooks, the GUI)
passes through: it refuses bad input with one :class:`InputError` naming the scenario, the
key, what was expected and what was found, and it never returns half a project.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from cgtdesk.core.catalogue import PROCESSES, catalogue, describe, fmt_number
from cgtdesk.core.errors import DomainError, InputError

FORMAT_VERSION = 2
#: format versions a project file may hold; older ones are read and saved as FORMAT_VERSION
READABLE_VERSIONS = (1, 2)
MAX_SCENARIOS = 200
MAX_TEXT = 10_000

#: distribution name -> its fields, in order
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "pert": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
}


@dataclass
class Scenario:
    name: str
    process: str
    parameters: dict[str, float | str]  # every key of the process (facility.mode a string)
    uncertainty: dict[str, dict] = field(default_factory=dict)
    correlations: list[dict] = field(default_factory=list)
    notes: str = ""
    template: dict | None = None  # {"id", "version"} of the platform template it came from (core/templates.py)

    def copy(self) -> Scenario:
        return copy.deepcopy(self)

    def to_dict(self) -> dict:
        keys = catalogue().keys_for(self.process)
        d = {
            "name": self.name,
            "process": self.process,
            "parameters": {k: self.parameters[k] for k in keys},
            "uncertainty": {k: dict(v) for k, v in self.uncertainty.items()},
            "correlations": [dict(c) for c in self.correlations],
            "notes": self.notes,
        }
        if self.template is not None:
            d["template"] = dict(self.template)
        return d


@dataclass
class Plan:
    """A launch plan (docs/model.md, "Launch plan"): calendar years ``first_year`` ..
    ``first_year + years - 1``, one demand path for every scenario, and process switches.

    ``demand`` is ``{"patients_per_year": [...]}`` (``years`` numbers) or the S-curve
    ``{"launch_year", "peak_patients_per_year", "years_to_peak"}``; ``switches`` are
    ``{"from": name, "to": name, "year": calendar year}``.
    """

    first_year: int
    years: int
    demand: dict
    look_ahead_years: int = 1
    switches: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        demand = dict(self.demand)
        if "patients_per_year" in demand:
            demand["patients_per_year"] = list(demand["patients_per_year"])
        return {
            "first_year": self.first_year,
            "years": self.years,
            "demand": demand,
            "look_ahead_years": self.look_ahead_years,
            "switches": [dict(s) for s in self.switches],
        }


@dataclass
class Project:
    """A project. ``notices`` holds what the reader should tell the user once, in words, on
    opening (e.g. that a version 1 file took the version 2 defaults); the core never prints
    them: the command line writes them on stderr, the GUI shows them in the window. They are
    not saved."""

    title: str = "Untitled project"
    currency: str = "USD"
    scenarios: list[Scenario] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    plan: Plan | None = None

    def scenario(self, name: str) -> Scenario:
        for s in self.scenarios:
            if s.name == name:
                return s
        names = ", ".join(repr(s.name) for s in self.scenarios)
        raise InputError(f"no scenario named {name!r}; the project has {names}")

    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    def copy(self) -> Project:
        return copy.deepcopy(self)

    def rename_scenario(self, old: str, new: str) -> None:
        """Rename a scenario and every plan switch that names it (the name is not checked here)."""
        self.scenario(old).name = new
        for sw in self.plan.switches if self.plan else ():
            for end in ("from", "to"):
                if sw[end] == old:
                    sw[end] = new

    def to_dict(self) -> dict:
        d = {
            "format_version": FORMAT_VERSION,
            "title": self.title,
            "currency": self.currency,
            "scenarios": [s.to_dict() for s in self.scenarios],
        }
        if self.plan is not None:
            d["plan"] = self.plan.to_dict()
        return d


def new_scenario(name: str, process: str, parameters: dict | None = None, **kw) -> Scenario:
    """A scenario holding the catalogue defaults of its process, overridden by ``parameters``."""
    values = catalogue().defaults(process)
    values.update(parameters or {})
    return Scenario(name=name, process=process, parameters=values, **kw)


# ---------------------------------------------------------------- validation


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _fail(where: str, expected: str) -> InputError:
    return InputError(f"{where}: expected {expected}")


def check_value(key: str, value, where: str):
    """The value as int or float if the catalogue accepts it for ``key``; else InputError."""
    p = catalogue().parameters[key]
    why = p.check(value)
    if why is not None:
        raise InputError(f"{where}, parameter '{key}' ({p.label}): expected {why}")
    if p.is_choice:
        return value
    if p.integer:
        return int(value)
    return float(value) if isinstance(value, float) else value


def _text(value, where: str, *, allow_empty=True, limit=MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise _fail(where, f"text, found {describe(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _fail(where, "text, found text holding an invalid character (a lone surrogate such as \\ud800)") from None
    if not allow_empty and not value.strip():
        raise _fail(where, "a non-empty text")
    if len(value) > limit:
        raise _fail(where, f"at most {limit} characters, found {len(value)}")
    return value


def check_distribution(key: str, dist, where: str) -> dict:
    """Validate one distribution of ``key``; returns a clean copy."""
    p = catalogue().parameters[key]
    here = f"{where}, uncertainty of '{key}'"
    if p.is_choice:
        raise _fail(
            here,
            f"no distribution: '{key}' ({p.label}) is a choice of {', '.join(p.choices)}, not a number, "
            "so it is never sampled; compare the choices as separate scenarios instead",
        )
    if not isinstance(dist, dict):
        raise _fail(
            here, f'an object such as {{"dist": "triangular", "low": .., "mode": .., "high": ..}}, found {describe(dist)}'
        )
    kind = dist.get("dist")
    if not isinstance(kind, str) or kind not in DISTRIBUTIONS:
        raise _fail(here, f"'dist' to be one of {', '.join(DISTRIBUTIONS)}, found {describe(kind)}")
    fields = DISTRIBUTIONS[kind]
    extra = sorted(set(dist) - set(fields) - {"dist"})
    if extra:
        raise _fail(here, f"only the fields {', '.join(fields)} for a {kind} distribution, found {', '.join(map(str, extra))}")
    out = {"dist": kind}
    for f in fields:
        if f not in dist:
            raise _fail(here, f"a field '{f}' for a {kind} distribution")
        v = dist[f]
        if not _is_number(v) or not math.isfinite(v):
            raise _fail(f"{here}, field '{f}'", f"a finite number, found {describe(v)}")
        out[f] = v
    _check_shape(p, out, here)
    return out


def _check_shape(p, out: dict, here: str) -> None:
    """The fields of a distribution inside the valid range of ``p``, and in a sensible order."""
    kind = out["dist"]
    rng = f"the valid range {fmt_number(p.min)} .. {fmt_number(p.max)}"

    def inside(*names):
        for n in names:
            if not p.min <= out[n] <= p.max:
                raise _fail(f"{here}, field '{n}'", f"a value within {rng}, found {fmt_number(out[n])}")

    def positive(name: str, what: str):
        if not out[name] > 0:
            raise _fail(f"{here}, field '{name}'", f"{what} above 0, found {fmt_number(out[name])}")

    if kind == "fixed":
        inside("value")
    elif kind == "uniform":
        inside("low", "high")
        if not out["low"] < out["high"]:
            raise _fail(here, f"low < high, found low {fmt_number(out['low'])} and high {fmt_number(out['high'])}")
    elif kind in ("triangular", "pert"):
        inside("low", "mode", "high")
        if not (out["low"] <= out["mode"] <= out["high"] and out["low"] < out["high"]):
            raise _fail(
                here,
                f"low <= mode <= high with low < high, found low {fmt_number(out['low'])}, "
                f"mode {fmt_number(out['mode'])}, high {fmt_number(out['high'])}",
            )
    elif kind == "normal":
        inside("mean")
        positive("sd", "a standard deviation")
    elif kind == "lognormal":
        inside("median")
        positive("median", "a median")
        positive("sigma", "a sigma (of ln x)")


def check_correlations(corrs, uncertainty: dict, process: str, where: str) -> list[dict]:
    if not isinstance(corrs, list):
        raise _fail(f"{where}, 'correlations'", f"a list, found {describe(corrs)}")
    keys = catalogue().keys_for(process)
    out, seen = [], set()
    for i, c in enumerate(corrs):
        here = f"{where}, correlation {i + 1}"
        if not isinstance(c, dict):
            raise _fail(here, f'an object {{"a": key, "b": key, "rho": number}}, found {describe(c)}')
        extra = sorted(set(c) - {"a", "b", "rho"})
        if extra:
            raise _fail(here, f"only the fields a, b, rho, found {', '.join(map(str, extra))}")
        for f in ("a", "b"):
            k = c.get(f)
            if not isinstance(k, str) or k not in keys:
                raise _fail(f"{here}, field '{f}'", f"a parameter key of the {process} process, found {describe(k)}")
            if k not in uncertainty or uncertainty[k]["dist"] == "fixed":
                raise _fail(
                    f"{here}, field '{f}'", f"a parameter with an uncertainty distribution (not fixed), found '{k}' without one"
                )
        if c["a"] == c["b"]:
            raise _fail(here, f"two different parameters, found '{c['a']}' twice")
        rho = c.get("rho")
        if not _is_number(rho) or not math.isfinite(rho) or not -1 < rho < 1:
            raise _fail(
                f"{here}, field 'rho'",
                f"a rank correlation strictly between -1 and 1, found {describe(rho) if not _is_number(rho) else fmt_number(rho)}",
            )
        pair = frozenset((c["a"], c["b"]))
        if pair in seen:
            raise _fail(here, f"each pair of parameters once, found '{c['a']}' and '{c['b']}' again")
        seen.add(pair)
        out.append({"a": c["a"], "b": c["b"], "rho": float(rho)})
    if out:
        names = sorted({c["a"] for c in out} | {c["b"] for c in out})
        idx = {k: i for i, k in enumerate(names)}
        m = np.eye(len(names))
        for c in out:
            m[idx[c["a"]], idx[c["b"]]] = m[idx[c["b"]], idx[c["a"]]] = c["rho"]
        if np.linalg.eigvalsh(m).min() <= 1e-10:
            raise _fail(
                f"{where}, 'correlations'",
                "a consistent set of correlations (the matrix must be positive definite); these cannot hold together",
            )
    return out


def scenario_from_dict(d, index: int, *, where_prefix: str = "") -> Scenario:
    where = f"{where_prefix}scenario {index + 1}"
    if not isinstance(d, dict):
        raise _fail(where, f"an object, found {describe(d)}")
    extra = sorted(set(d) - {"name", "process", "parameters", "uncertainty", "correlations", "notes", "template"})
    if extra:
        raise _fail(
            where,
            f"the fields name, process, parameters, uncertainty, correlations, notes, template; found unknown field(s) {', '.join(extra)}",
        )
    if "name" not in d:
        raise _fail(where, "a 'name'")
    name = _text(d["name"], f"{where}, 'name'", allow_empty=False, limit=200)
    where = f"{where_prefix}scenario '{name}'"
    process = d.get("process")
    if process not in PROCESSES:
        raise _fail(f"{where}, 'process'", f"one of {', '.join(PROCESSES)}, found {describe(process)}")
    params = d.get("parameters", {})
    if not isinstance(params, dict):
        raise _fail(f"{where}, 'parameters'", f"an object of key: number, found {describe(params)}")
    cat = catalogue()
    values = cat.defaults(process)
    for key, v in params.items():
        if key not in cat.parameters:
            raise InputError(f"{where}: unknown parameter '{key}'; expected a key of the parameter catalogue{_suggest(key)}")
        if not cat.parameters[key].applies_to(process):
            other = cat.parameters[key].processes[0]
            raise InputError(f"{where}: parameter '{key}' belongs to {other} scenarios, not to this {process} one")
        values[key] = check_value(key, v, where)
    unc_raw = d.get("uncertainty", {})
    if not isinstance(unc_raw, dict):
        raise _fail(f"{where}, 'uncertainty'", f"an object of key: distribution, found {describe(unc_raw)}")
    uncertainty = {}
    for key, dist in unc_raw.items():
        if key in cat.parameters and not cat.parameters[key].applies_to(process):
            other = cat.parameters[key].processes[0]
            raise InputError(f"{where}, uncertainty: parameter '{key}' belongs to {other} scenarios, not to this {process} one")
        if key not in cat.parameters:
            raise InputError(f"{where}, uncertainty: '{key}' is not a parameter of the {process} process{_suggest(key)}")
        uncertainty[key] = check_distribution(key, dist, where)
    correlations = check_correlations(d.get("correlations", []), uncertainty, process, where)
    notes = _text(d.get("notes", ""), f"{where}, 'notes'")
    return Scenario(name, process, values, uncertainty, correlations, notes, _template_ref(d, where))


def _template_ref(d: dict, where: str) -> dict | None:
    """The scenario's optional ``template`` field, validated (core/templates.py)."""
    from cgtdesk.core.templates import check_template_ref  # templates imports this module

    return check_template_ref(d["template"], where) if "template" in d else None


def _suggest(key) -> str:
    import difflib

    close = difflib.get_close_matches(str(key), list(catalogue().parameters), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_scenario_domain(s: Scenario, where_prefix: str = "") -> None:
    """Raise DomainError naming the scenario when its inputs together make no sense."""
    from cgtdesk.core.model import evaluate

    try:
        evaluate(s.process, s.parameters)
    except DomainError as e:
        raise DomainError(f"{where_prefix}scenario '{s.name}': {e}", e.keys) from None


def project_from_dict(d, *, where_prefix: str = "") -> Project:
    """Validate a project as read from a file; all or nothing."""
    if not isinstance(d, dict):
        raise InputError(f"{where_prefix}expected a project object, found {describe(d)}")
    if "format_version" not in d:
        raise InputError(
            f"{where_prefix}'format_version': expected {FORMAT_VERSION}, found nothing (is this a CGT Desk project?)"
        )
    v = d["format_version"]
    if not _is_number(v) or v not in READABLE_VERSIONS:
        expected = " or ".join(map(str, READABLE_VERSIONS))
        raise InputError(
            f"{where_prefix}'format_version': expected {expected}, found {describe(v) if not _is_number(v) else fmt_number(v)} (a newer or unknown format)"
        )
    extra = sorted(set(d) - {"format_version", "title", "currency", "scenarios", "plan"})
    if extra:
        raise InputError(
            f"{where_prefix}expected the fields format_version, title, currency, scenarios, plan; found unknown field(s) {', '.join(extra)}"
        )
    title = _text(d.get("title", "Untitled project"), f"{where_prefix}'title'", limit=500)
    currency = _text(d.get("currency", "USD"), f"{where_prefix}'currency'", allow_empty=False, limit=12).strip()
    scen = d.get("scenarios")
    if not isinstance(scen, list) or not scen:
        raise InputError(
            f"{where_prefix}'scenarios': expected a list of at least one scenario, found {describe(scen) if not isinstance(scen, list) else 'an empty list'}"
        )
    if len(scen) > MAX_SCENARIOS:
        raise InputError(f"{where_prefix}'scenarios': expected at most {MAX_SCENARIOS} scenarios, found {len(scen)}")
    scenarios, names = [], set()
    for i, s in enumerate(scen):
        sc = scenario_from_dict(s, i, where_prefix=where_prefix)
        if sc.name in names:
            raise InputError(
                f"{where_prefix}scenario {i + 1}: the name '{sc.name}' is used twice; expected unique scenario names"
            )
        names.add(sc.name)
        scenarios.append(sc)
    for sc in scenarios:
        check_scenario_domain(sc, where_prefix)
    plan = plan_from_dict(d["plan"], [sc.name for sc in scenarios], where_prefix) if "plan" in d else None
    notices = [upgrade_notice(scen)] if v < FORMAT_VERSION else []
    return Project(title=title, currency=currency, scenarios=scenarios, notices=notices, plan=plan)


# ---------------------------------------------------------------- the launch plan

PLAN_FIELDS = ("first_year", "years", "demand", "look_ahead_years", "switches")
SCURVE_FIELDS = ("launch_year", "peak_patients_per_year", "years_to_peak")
SWITCH_FIELDS = ("from", "to", "year")
DEMAND_KEY = "demand.patients_per_year"


def _whole(value, where: str, lo: int, hi: int) -> int:
    """A whole number from ``lo`` to ``hi`` (an integral float such as 2027.0 is accepted)."""
    if not _is_number(value) or not math.isfinite(value) or value != int(value) or not lo <= value <= hi:
        found = describe(value) if not _is_number(value) else fmt_number(value)
        raise _fail(where, f"a whole number from {lo} to {hi}, found {found}")
    return int(value)


def _patients(value, where: str, *, zero_ok: bool):
    """A number of patients per year: within the range of demand.patients_per_year (or 0)."""
    p = catalogue().parameters[DEMAND_KEY]
    ok = _is_number(value) and math.isfinite(value) and ((zero_ok and value == 0) or p.min <= value <= p.max)
    if not ok:
        found = describe(value) if not _is_number(value) else fmt_number(value)
        zero = "0 or " if zero_ok else ""
        raise _fail(where, f"{zero}a number of patients per year from {fmt_number(p.min)} to {fmt_number(p.max)}, found {found}")
    return value


def _fields(d, where: str, allowed: tuple[str, ...], required: tuple[str, ...], shape: str) -> None:
    if not isinstance(d, dict):
        raise _fail(where, f"an object {shape}, found {describe(d)}")
    extra = sorted(set(d) - set(allowed), key=str)
    if extra:
        raise _fail(where, f"only the fields {', '.join(allowed)}; found unknown field(s) {', '.join(map(str, extra))}")
    for f in required:
        if f not in d:
            raise _fail(where, f"a field '{f}'")


def _plan_demand(d, first_year: int, years: int, where: str) -> dict:
    here = f"{where}.demand"
    if isinstance(d, dict) and "patients_per_year" in d:
        _fields(d, here, ("patients_per_year",), (), '{"patients_per_year": [...]}')
        path = d["patients_per_year"]
        if not isinstance(path, list) or len(path) != years:
            found = f"{len(path)}" if isinstance(path, list) else describe(path)
            raise _fail(f"{here}.patients_per_year", f"a list of {years} numbers (one per plan year), found {found}")
        return {"patients_per_year": [_patients(v, f"{here}.patients_per_year[{i}]", zero_ok=True) for i, v in enumerate(path)]}
    shape = '{"launch_year", "peak_patients_per_year", "years_to_peak"} or {"patients_per_year": [...]}'
    _fields(d, here, SCURVE_FIELDS, SCURVE_FIELDS, shape)
    launch = _whole(d["launch_year"], f"{here}.launch_year", 1900, 2200)
    last = first_year + years - 1
    if not first_year <= launch <= last:
        raise _fail(f"{here}.launch_year", f"a year within the plan, {first_year} to {last}, found {launch}")
    peak = _patients(d["peak_patients_per_year"], f"{here}.peak_patients_per_year", zero_ok=False)
    ramp = _whole(d["years_to_peak"], f"{here}.years_to_peak", 1, 40)
    return {"launch_year": launch, "peak_patients_per_year": peak, "years_to_peak": ramp}


def _plan_switches(raw, names: list[str], first_year: int, years: int, where: str) -> list[dict]:
    if not isinstance(raw, list):
        raise _fail(f"{where}.switches", f"a list of switches, found {describe(raw)}")
    out = []
    last = first_year + years - 1
    for i, sw in enumerate(raw):
        here = f"{where}.switches[{i}]"
        _fields(sw, here, SWITCH_FIELDS, SWITCH_FIELDS, '{"from": scenario, "to": scenario, "year": calendar year}')
        for end in ("from", "to"):
            if not isinstance(sw[end], str) or sw[end] not in names:
                raise _fail(f"{here}.{end}", f"the name of a scenario of the project, found {describe(sw[end])}")
        if sw["from"] == sw["to"]:
            raise _fail(here, f"two different scenarios, found '{sw['from']}' twice")
        year = _whole(sw["year"], f"{here}.year", 1900, 2200)
        if not first_year <= year <= last:
            raise _fail(f"{here}.year", f"a year within the plan, {first_year} to {last}, found {year}")
        out.append({"from": sw["from"], "to": sw["to"], "year": year})
    return out


def plan_from_dict(d, names: list[str], where_prefix: str = "") -> Plan:
    """Validate a project's ``plan`` block; ``names`` are the project's scenario names."""
    where = f"{where_prefix}plan"
    _fields(d, where, PLAN_FIELDS, ("first_year", "years", "demand"), '{"first_year", "years", "demand", ...}')
    first = _whole(d["first_year"], f"{where}.first_year", 1900, 2200)
    years = _whole(d["years"], f"{where}.years", 1, 40)
    demand = _plan_demand(d["demand"], first, years, where)
    look = _whole(d.get("look_ahead_years", 1), f"{where}.look_ahead_years", 0, 10)
    switches = _plan_switches(d.get("switches", []), names, first, years, where)
    return Plan(first_year=first, years=years, demand=demand, look_ahead_years=look, switches=switches)


def upgrade_notice(raw_scenarios: list) -> str:
    """The one notice for a version 1 file: which version 2 keys took their defaults."""
    given = set()
    for s in raw_scenarios:
        given |= set(s.get("parameters", {}))
    added = [k for k in catalogue().added_in(FORMAT_VERSION) if k not in given]
    shown = ", ".join(added[:6]) + (f" and {len(added) - 6} more" if len(added) > 6 else "")
    return (
        f"This project was saved in format version 1, before model version 2. The keys it lacks "
        f"({shown}) take the version 2 defaults, so its results differ from the older app's; "
        f"it will be saved in format version {FORMAT_VERSION}."
    )
