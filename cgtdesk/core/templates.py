"""Platform templates: what a manufacturing platform does, carried from one client to the next.

A template names its process and holds platform values only (parameters of scope
``platform`` in the catalogue: process, facility, labour, logistics, finance, contract
manufacturing, launch plan), each with the source of its value, and optionally their
uncertainty. Product values (``demand.*``, ``dose.*``, ``commercial.*``, ``clinical.*``) never go
into a template: a scenario made from one takes the catalogue defaults for them.

Two kinds share the :class:`Template` type:

- the bundled process templates (``resources/templates/*.json``), converted at load; a bundled
  template may carry the product values of the worked example it was calibrated on
  (``example``, e.g. the MSC dose), which a scenario made from it takes too;
- template files (``.cgttemplate``, UTF-8 JSON, ``format_version`` 1), validated here by
  :func:`template_from_dict` (one message naming the field, nothing loaded in part) and read,
  written and collected into a :class:`Library` by :mod:`cgtdesk.io.templatefile`.

A scenario remembers the template it came from as ``{"id", "version"}``; :func:`template_updates`
lists what a newer version of that template in the library would change.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from dataclasses import dataclass, field
from functools import lru_cache

from cgtdesk.core.catalogue import PROCESSES, catalogue, describe
from cgtdesk.core.errors import InputError
from cgtdesk.core.project import Project, Scenario, check_distribution, check_value
from cgtdesk.resources import resource

#: the format version of a template file
TEMPLATE_FORMAT = 1
FIELDS = (
    "format_version",
    "id",
    "name",
    "process",
    "description",
    "author",
    "date",
    "version",
    "parameters",
    "sources",
    "uncertainty",
)
REQUIRED = ("format_version", "id", "name", "process", "version", "parameters", "sources")
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MAX_VERSION = 1_000_000
#: where a template came from: shipped with the app, the user's library, another folder, a file
ORIGINS = ("bundled", "library", "folder", "file")


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    process: str
    description: str = ""
    parameters: dict = field(default_factory=dict)  # platform key -> value (partial: the rest are defaults)
    sources: dict = field(default_factory=dict)  # key -> source of its value
    uncertainty: dict = field(default_factory=dict)  # platform key -> distribution
    author: str = ""
    date: str = ""  # ISO date, YYYY-MM-DD (may be empty)
    version: int = 1
    example: dict = field(default_factory=dict)  # bundled only: product values of the worked example
    origin: str = field(default="bundled", compare=False)  # one of ORIGINS
    path: str | None = field(default=None, compare=False)  # the file it was read from

    @property
    def overrides(self) -> dict:
        """Every value the template sets: its platform values and its example's product values."""
        return {**self.example, **self.parameters}

    @property
    def where(self) -> str:
        """Where it came from, in words: ``bundled`` or the file's path."""
        return self.path or self.origin

    def values(self) -> dict:
        """Every key of the process: the catalogue defaults, then the template's values."""
        v = catalogue().defaults(self.process)
        v.update(self.overrides)
        return v

    def source(self, key: str) -> str:
        return self.sources.get(key) or catalogue().parameters[key].source

    def ref(self) -> dict:
        """What a scenario made from this template remembers of it."""
        return {"id": self.id, "version": self.version}

    def scenario(self, name: str | None = None) -> Scenario:
        """A new scenario: the template's platform values (and a bundled example's product
        values), every other key at its catalogue default, the template's uncertainty."""
        return Scenario(
            name=name or self.name,
            process=self.process,
            parameters=self.values(),
            uncertainty={k: dict(d) for k, d in self.uncertainty.items()},
            notes=self.description,
            template=self.ref(),
        )

    def to_dict(self) -> dict:
        """The template file's content (platform values only: a bundled example is left out)."""
        order = catalogue().platform_keys(self.process)
        params = {k: self.parameters[k] for k in order if k in self.parameters}
        return {
            "format_version": TEMPLATE_FORMAT,
            "id": self.id,
            "name": self.name,
            "process": self.process,
            "description": self.description,
            "author": self.author,
            "date": self.date,
            "version": self.version,
            "parameters": params,
            "sources": {k: self.sources[k] for k in params if k in self.sources},
            "uncertainty": {k: dict(self.uncertainty[k]) for k in order if k in self.uncertainty},
        }


def platform_values(template: Template) -> dict:
    """Every platform key of the template's process at the template's value (the catalogue
    default where it sets none): what "changed from the platform" compares a scenario with."""
    cat = catalogue()
    values = {k: cat.parameters[k].default[template.process] for k in cat.platform_keys(template.process)}
    values.update(template.parameters)
    return values


# ---------------------------------------------------------------- validation


def _fail(where: str, expected: str) -> InputError:
    return InputError(f"{where}: expected {expected}")


def _text(d: dict, name: str, where: str, *, required=False, limit=10_000) -> str:
    if name not in d:
        if required:
            raise _fail(where, f"a field '{name}'")
        return ""
    v = d[name]
    if not isinstance(v, str):
        raise _fail(f"{where}, '{name}'", f"text, found {describe(v)}")
    if required and not v.strip():
        raise _fail(f"{where}, '{name}'", "a non-empty text")
    if len(v) > limit:
        raise _fail(f"{where}, '{name}'", f"at most {limit} characters, found {len(v)}")
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        raise _fail(f"{where}, '{name}'", "text without invalid characters (a lone surrogate)") from None
    return v


def _version(v, where: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v) or not 1 <= v <= MAX_VERSION:
        raise _fail(f"{where}, 'version'", f"a whole number from 1 to {MAX_VERSION:,}, found {describe(v)}")
    return int(v)


def _date(v: str, where: str) -> str:
    if v:
        try:
            datetime.date.fromisoformat(v)
        except ValueError:
            raise _fail(f"{where}, 'date'", f"a date written YYYY-MM-DD, found {describe(v)}") from None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            raise _fail(f"{where}, 'date'", f"a date written YYYY-MM-DD, found {describe(v)}")
    return v


def check_platform_key(key, process: str, where: str) -> None:
    """InputError unless ``key`` is a platform parameter of ``process``."""
    cat = catalogue()
    if not isinstance(key, str) or key not in cat.parameters:
        import difflib

        close = difflib.get_close_matches(str(key), list(cat.parameters), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise InputError(f"{where}: unknown parameter '{key}'; expected a platform key of the parameter catalogue{hint}")
    p = cat.parameters[key]
    if not p.is_platform:
        raise InputError(f"{where}: {key} is a product value; templates hold platform values only")
    if not p.applies_to(process):
        raise InputError(f"{where}: parameter '{key}' belongs to {p.processes[0]} scenarios, not to this {process} template")


def _object(d: dict, name: str, where: str) -> dict:
    v = d.get(name, {})
    if not isinstance(v, dict):
        raise _fail(f"{where}, '{name}'", f"an object, found {describe(v)}")
    return v


def _parameters(d: dict, process: str, where: str) -> dict:
    out = {}
    for key, v in _object(d, "parameters", where).items():
        check_platform_key(key, process, f"{where}, 'parameters'")
        out[key] = check_value(key, v, f"{where}, 'parameters'")
    return out


def _sources(d: dict, params: dict, where: str) -> dict:
    raw = _object(d, "sources", where)
    out = {}
    for key, text in raw.items():
        if key not in params:
            raise _fail(f"{where}, 'sources'", f"a source for a key of 'parameters' only, found '{key}', which it does not set")
        if not isinstance(text, str) or not text.strip():
            raise _fail(f"{where}, 'sources', '{key}'", f"a non-empty text, found {describe(text)}")
        out[key] = text
    missing = [k for k in params if k not in out]
    if missing:
        raise _fail(f"{where}, 'sources'", f"a source for every value of 'parameters', found none for '{missing[0]}'")
    return out


def _uncertainty(d: dict, process: str, where: str) -> dict:
    out = {}
    for key, dist in _object(d, "uncertainty", where).items():
        check_platform_key(key, process, f"{where}, 'uncertainty'")
        out[key] = check_distribution(key, dist, where)
    return out


def template_from_dict(d, where: str = "template", *, origin: str = "file", path: str | None = None) -> Template:
    """A validated template from a template file's content; InputError naming the field
    otherwise (``where`` starts every message, usually the file's name). All or nothing."""
    if not isinstance(d, dict):
        raise _fail(where, f"a template object, found {describe(d)}")
    if "format_version" not in d:
        raise _fail(f"{where}, 'format_version'", f"{TEMPLATE_FORMAT}, found nothing (is this a CGT Desk template?)")
    v = d["format_version"]
    if isinstance(v, bool) or v != TEMPLATE_FORMAT:
        raise _fail(f"{where}, 'format_version'", f"{TEMPLATE_FORMAT}, found {describe(v)} (a newer or unknown format)")
    extra = sorted(set(d) - set(FIELDS))
    if extra:
        raise _fail(where, f"the fields {', '.join(FIELDS)}; found unknown field(s) {', '.join(map(str, extra))}")
    missing = [f for f in REQUIRED if f not in d]
    if missing:
        raise _fail(where, f"a field '{missing[0]}'")
    tid = d["id"]
    if not isinstance(tid, str) or not ID_PATTERN.fullmatch(tid):
        raise _fail(f"{where}, 'id'", f"an identifier of letters, digits, '.', '_' and '-' (a uuid), found {describe(tid)}")
    name = _text(d, "name", where, required=True, limit=200)
    process = d["process"]
    if process not in PROCESSES:
        raise _fail(f"{where}, 'process'", f"one of {', '.join(PROCESSES)}, found {describe(process)}")
    params = _parameters(d, process, where)
    return Template(
        id=tid,
        name=name,
        process=process,
        description=_text(d, "description", where),
        parameters=params,
        sources=_sources(d, params, where),
        uncertainty=_uncertainty(d, process, where),
        author=_text(d, "author", where, limit=200),
        date=_date(_text(d, "date", where, limit=10), where),
        version=_version(d["version"], where),
        origin=origin,
        path=path,
    )


# ---------------------------------------------------------------- bundled templates


def _bundled(raw: dict, name: str) -> Template:
    cat = catalogue()
    platform, example, sources = {}, {}, {}
    for key, spec in raw["parameters"].items():
        p = cat.parameters[key]
        if not p.applies_to(raw["process"]):
            raise RuntimeError(f"template {name}: {key} does not apply to {raw['process']}")
        value = check_value(key, spec["value"], f"template {name}")
        (platform if p.is_platform else example)[key] = value
        sources[key] = spec["source"]
    return Template(
        id=raw["id"],
        name=raw["name"],
        process=raw["process"],
        description=raw["description"],
        parameters=platform,
        sources=sources,
        author="CGT Desk",
        version=1,
        example=example,
        origin="bundled",
    )


@lru_cache(maxsize=1)
def templates() -> dict[str, Template]:
    """The bundled process templates, by id."""
    out = {}
    for path in sorted(resource("templates").glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        out[raw["id"]] = _bundled(raw, path.name)
    return out


def _match(items, name: str):
    for t in items:
        if t.id == name:
            return t
    for t in items:
        if t.name.lower() == name.lower():
            return t
    return None


def template(name: str) -> Template:
    """A bundled template by id or by name (any case)."""
    t = _match(templates().values(), name)
    if t is None:
        raise InputError(f"no template named {name!r}; expected one of {', '.join(templates())}")
    return t


# ---------------------------------------------------------------- the library


@dataclass
class Library:
    """Every template found: the bundled ones, then the user's library folder, then other
    folders (a shared drive), every version of each. ``problems`` holds one message per file
    that was skipped because it is not a valid template."""

    entries: list[Template] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def latest(self) -> dict[str, Template]:
        """The newest version of every id (the first found of equal versions), in listing order."""
        out: dict[str, Template] = {}
        for t in self.entries:
            if t.id not in out or t.version > out[t.id].version:
                out[t.id] = t
        return out

    def versions(self, template_id: str) -> list[int]:
        return sorted({t.version for t in self.entries if t.id == template_id})

    def get(self, template_id: str, version: int | None = None) -> Template | None:
        """A given version of a template, or its newest one; None when the library has none."""
        if version is None:
            return self.latest().get(template_id)
        return next((t for t in self.entries if t.id == template_id and t.version == version), None)

    def find(self, name: str) -> Template:
        """The newest version of the template with this id or name (any case); InputError otherwise."""
        t = _match(self.latest().values(), name)
        if t is None:
            names = ", ".join(t.id for t in self.latest().values())
            raise InputError(f"no template named {name!r}; expected one of {names}, or a .cgttemplate file")
        return t


def bundled_library() -> Library:
    return Library(list(templates().values()))


# ---------------------------------------------------------------- from a scenario


@dataclass(frozen=True)
class TemplateExport:
    """A scenario turned into a platform template: the template, and the product keys that were
    left out of it (every one of them: a product value never leaves the project)."""

    template: Template
    left_out: tuple[str, ...]

    @property
    def message(self) -> str:
        kept = len(self.template.parameters)
        return (
            f"template '{self.template.name}' (version {self.template.version}) holds the {kept} platform values "
            f"of the {self.template.process} process; the {len(self.left_out)} product values "
            f"({', '.join(self.left_out)}) were left out: a template holds platform values only"
        )


def template_from_scenario(
    scenario: Scenario,
    name: str,
    author: str = "",
    *,
    description: str = "",
    version: int = 1,
    template_id: str | None = None,
    date: str | None = None,
    sources: dict | None = None,
) -> TemplateExport:
    """Save a scenario as a platform template: every platform value of its process and the
    uncertainty of platform keys; no product value, no correlation, no notes.

    A value equal to the catalogue default keeps the catalogue's source; any other value gets
    ``sources[key]`` or a note that the author set it. The result is validated as a file would be.
    """
    cat = catalogue()
    process = scenario.process
    date = date if date is not None else datetime.date.today().isoformat()
    params, srcs = {}, {}
    for key in cat.platform_keys(process):
        value = scenario.parameters.get(key, cat.parameters[key].default[process])
        params[key] = value
        if sources and key in sources:
            srcs[key] = sources[key]
        elif value == cat.parameters[key].default[process]:
            srcs[key] = cat.parameters[key].source
        else:
            srcs[key] = f"set by {author or 'the author'} ({date or 'undated'})"
    raw = {
        "format_version": TEMPLATE_FORMAT,
        "id": template_id or str(uuid.uuid4()),
        "name": name,
        "process": process,
        "description": description,
        "author": author,
        "date": date,
        "version": version,
        "parameters": params,
        "sources": srcs,
        "uncertainty": {k: dict(d) for k, d in scenario.uncertainty.items() if cat.parameters[k].is_platform},
    }
    t = template_from_dict(raw, f"template '{name}'", origin="file")
    return TemplateExport(t, tuple(cat.product_keys(process)))


# ---------------------------------------------------------------- provenance and updates


def check_template_ref(value, where: str) -> dict:
    """A scenario's ``template`` field: ``{"id": ..., "version": ...}``; InputError otherwise."""
    if not isinstance(value, dict):
        raise _fail(f"{where}, 'template'", f'an object {{"id": .., "version": ..}}, found {describe(value)}')
    extra = sorted(set(value) - {"id", "version"})
    if extra:
        raise _fail(f"{where}, 'template'", f"only the fields id, version; found {', '.join(map(str, extra))}")
    tid = value.get("id")
    if not isinstance(tid, str) or not ID_PATTERN.fullmatch(tid):
        raise _fail(f"{where}, 'template', 'id'", f"a template id, found {describe(tid)}")
    return {"id": tid, "version": _version(value.get("version"), f"{where}, 'template'")}


@dataclass(frozen=True)
class ValueUpdate:
    key: str
    current: object  # the scenario's value now
    was: object  # the value of the template version the scenario came from (None: not in the library)
    new: object  # the newer version's value

    @property
    def edited(self) -> bool:
        """Whether the scenario's value differs from its template's (a local change that an
        update would overwrite)."""
        return self.was is not None and self.current != self.was


@dataclass(frozen=True)
class TemplateUpdate:
    scenario: str
    template_id: str
    name: str
    from_version: int
    to_version: int
    changes: tuple[ValueUpdate, ...]


def template_updates(project: Project, library: Library) -> list[TemplateUpdate]:
    """Per scenario made from a template of which the library holds a newer version: the
    platform values that applying the newer version would change (scenario value differs from
    the newer version's value), with the value of the version it came from. Scenarios without a
    template, or already on the newest version, are left out."""
    out = []
    for s in project.scenarios:
        ref = s.template
        if not ref:
            continue
        newest = library.get(ref["id"])
        if newest is None or newest.version <= ref["version"] or newest.process != s.process:
            continue
        old = library.get(ref["id"], ref["version"])
        was = platform_values(old) if old is not None else {}
        new = platform_values(newest)
        changes = tuple(ValueUpdate(k, s.parameters[k], was.get(k), v) for k, v in new.items() if s.parameters.get(k) != v)
        out.append(TemplateUpdate(s.name, newest.id, newest.name, ref["version"], newest.version, changes))
    return out
