"""What differs between two projects: the list that ``import --against`` prints and the GUI's
import review shows (a client's workbook read back against the project it was made from).

Pure data: no files, no workbook.
"""

from __future__ import annotations

import math

from cgtdesk.core.analyses.plan_engine import demand_path
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.project import Project, Scenario


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _same(a, b) -> bool:
    if _is_number(a) and _is_number(b):
        return a == b or math.isclose(a, b, rel_tol=1e-14, abs_tol=0.0)  # 15 significant digits, as spreadsheets keep
    return a == b


def _change(scenario, key, old, new) -> dict:
    return {"scenario": scenario, "key": key, "old": old, "new": new}


def _parameter_changes(name: str, old: Scenario, new: Scenario) -> list[dict]:
    changes = []
    for key in catalogue().parameters:
        a, b = old.parameters.get(key), new.parameters.get(key)
        if a is None and b is None:
            continue
        if not _same(a, b):
            changes.append(_change(name, key, a, b))
    return changes


def _uncertainty_changes(name: str, old: Scenario, new: Scenario) -> list[dict]:
    changes = []
    for key in sorted(set(old.uncertainty) | set(new.uncertainty)):
        a, b = old.uncertainty.get(key), new.uncertainty.get(key)
        if a is None or b is None or a.keys() != b.keys() or not all(_same(a[f], b[f]) for f in a):
            changes.append(_change(name, f"uncertainty of {key}", a, b))
    return changes


def _correlation_changes(name: str, old: Scenario, new: Scenario) -> list[dict]:
    def corr_set(s):
        return {frozenset((c["a"], c["b"])): c["rho"] for c in s.correlations}

    ca, cb = corr_set(old), corr_set(new)
    changes = []
    for pair in sorted(set(ca) | set(cb), key=lambda p: sorted(p)):
        if pair not in ca or pair not in cb or not _same(ca[pair], cb[pair]):
            changes.append(_change(name, "correlation of " + " and ".join(sorted(pair)), ca.get(pair), cb.get(pair)))
    return changes


def _scenario_changes(name: str, old: Scenario, new: Scenario) -> list[dict]:
    changes = []
    if old.process != new.process:
        changes.append(_change(name, "process", old.process, new.process))
    changes += _parameter_changes(name, old, new)
    changes += _uncertainty_changes(name, old, new)
    changes += _correlation_changes(name, old, new)
    if old.notes != new.notes:
        changes.append(_change(name, "notes", old.notes, new.notes))
    return changes


def _switches_text(plan) -> str:
    return "; ".join(f"{s['from']} -> {s['to']} in {s['year']}" for s in plan.switches) or "none"


def _plan_changes(old, new) -> list[dict]:
    """The launch plan's changes: added or removed, its years and look-ahead, the demand path
    year by year (``plan.patients_per_year[2031]``, whatever form each path is given in), and
    the switches."""
    if old is None and new is None:
        return []
    if old is None or new is None:
        return [_change(None, "plan", "a launch plan" if old else None, "a launch plan" if new else None)]
    changes = []
    for key, a, b in (
        ("plan.first_year", old.first_year, new.first_year),
        ("plan.years", old.years, new.years),
        ("plan.look_ahead_years", old.look_ahead_years, new.look_ahead_years),
    ):
        if a != b:
            changes.append(_change(None, key, a, b))
    da = dict(zip(range(old.first_year, old.first_year + old.years), demand_path(old).tolist(), strict=True))
    db = dict(zip(range(new.first_year, new.first_year + new.years), demand_path(new).tolist(), strict=True))
    for year in sorted(set(da) | set(db)):
        if not _same(da.get(year), db.get(year)):
            changes.append(_change(None, f"plan.patients_per_year[{year}]", da.get(year), db.get(year)))
    if old.switches != new.switches:
        changes.append(_change(None, "plan.switches", _switches_text(old), _switches_text(new)))
    return changes


def _matches(old_by: dict, new_by: dict, renames: dict[str, str]) -> dict[str, str]:
    """New name -> the old scenario's name it is: the same name, a rename known to the caller
    (a workbook's hidden scenario id), else the same name once leading and trailing spaces go."""
    match = {n: n for n in new_by if n in old_by}
    taken = set(match.values())
    for n in new_by:
        if n in match:
            continue
        o = renames.get(n)
        if o is None or o not in old_by or o in taken:
            o = next((o for o in old_by if o not in taken and o not in new_by and o.strip() == n.strip()), None)
        if o is not None and o not in taken:
            match[n] = o
            taken.add(o)
    return match


def _rename_change(new_name: str, old_name: str) -> dict:
    c = _change(new_name, "name", old_name, new_name)
    if old_name.strip() == new_name.strip():
        c["message"] = f"scenario name differs only by spaces: {old_name!r} is now {new_name!r}"
    else:
        c["message"] = f"renamed from {old_name} to {new_name}"
    return c


def diff_projects(old: Project, new: Project, renames: dict[str, str] | None = None) -> dict:
    """What differs from ``old`` to ``new``: inputs (scenario, key, old, new), scenarios renamed,
    added and removed, and project title/currency. Keys absent from a scenario's process are skipped.

    ``renames`` maps a scenario name of ``new`` to the name it had in ``old`` (a workbook knows it
    from its hidden scenario ids); names that differ only by leading or trailing spaces match too.
    A renamed scenario gives a change keyed ``name`` with a ``message`` ("renamed from X to Y"),
    then its inputs are compared with the old scenario's.
    Numbers equal to 15 significant digits (what a spreadsheet keeps) count as the same.
    Returns ``{"added": [names], "removed": [names], "renamed": [{"from", "to"}],
    "changes": [{"scenario", "key", "old", "new"}]}`` (``scenario`` is None for the project's
    title and currency).
    """
    changes = []
    if old.title != new.title:
        changes.append(_change(None, "title", old.title, new.title))
    if old.currency != new.currency:
        changes.append(_change(None, "currency", old.currency, new.currency))
    changes += _plan_changes(old.plan, new.plan)
    old_by = {s.name: s for s in old.scenarios}
    new_by = {s.name: s for s in new.scenarios}
    match = _matches(old_by, new_by, renames or {})
    added = [n for n in new_by if n not in match]
    removed = [n for n in old_by if n not in match.values()]
    renamed = []
    for name, ns in new_by.items():
        o = match.get(name)
        if o is None:
            continue
        if o != name:
            renamed.append({"from": o, "to": name})
            changes.append(_rename_change(name, o))
        changes += _scenario_changes(name, old_by[o], ns)
    return {"added": added, "removed": removed, "renamed": renamed, "changes": changes}
