"""Process templates: platform defaults a scenario starts from (``resources/templates/*.json``).

A template names its process and overrides some catalogue defaults, each override with the
source of its value (or marked as an estimate). Every other value is the catalogue default.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.project import Scenario, check_value
from cgtdesk.resources import resource


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    process: str
    description: str
    overrides: dict  # key -> value
    sources: dict  # key -> source of the override

    def values(self) -> dict:
        v = catalogue().defaults(self.process)
        v.update(self.overrides)
        return v

    def source(self, key: str) -> str:
        return self.sources.get(key) or catalogue().parameters[key].source

    def scenario(self, name: str | None = None) -> Scenario:
        return Scenario(name=name or self.name, process=self.process, parameters=self.values(), notes=self.description)


@lru_cache(maxsize=1)
def templates() -> dict[str, Template]:
    out = {}
    for path in sorted(resource("templates").glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        overrides, sources = {}, {}
        for key, spec in d["parameters"].items():
            p = catalogue().parameters[key]
            if not p.applies_to(d["process"]):
                raise RuntimeError(f"template {path.name}: {key} does not apply to {d['process']}")
            overrides[key] = check_value(key, spec["value"], f"template {path.name}")
            sources[key] = spec["source"]
        out[d["id"]] = Template(d["id"], d["name"], d["process"], d["description"], overrides, sources)
    return out


def template(name: str) -> Template:
    t = templates()
    if name in t:
        return t[name]
    for tpl in t.values():
        if tpl.name.lower() == name.lower():
            return tpl
    raise InputError(f"no template named {name!r}; expected one of {', '.join(t)}")
