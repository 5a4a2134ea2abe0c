"""The launch plan a new project or the "Add a launch plan" button starts from (no Qt here)."""

from __future__ import annotations

import datetime as _dt

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.project import DEMAND_KEY, Plan, plan_from_dict

#: years in a default plan; launch this many years after its first year; years to reach the peak
DEFAULT_YEARS = 15
DEFAULT_LAUNCH_AFTER = 2
DEFAULT_YEARS_TO_PEAK = 5


def default_plan(scenarios, today: _dt.date | None = None) -> Plan:
    """First year next calendar year, 15 years, launch two years later, 5 years to the peak; the
    peak is the first scenario's demand (the catalogue default without a scenario), no switch."""
    first = (today or _dt.date.today()).year + 1
    p = catalogue().parameters[DEMAND_KEY]
    peak = float(scenarios[0].parameters[DEMAND_KEY]) if scenarios else float(p.default["autologous"])
    peak = min(max(peak, p.min), p.max)
    d = {
        "first_year": first,
        "years": DEFAULT_YEARS,
        "demand": {
            "launch_year": first + DEFAULT_LAUNCH_AFTER,
            "peak_patients_per_year": peak,
            "years_to_peak": DEFAULT_YEARS_TO_PEAK,
        },
        "look_ahead_years": 1,
        "switches": [],
    }
    return plan_from_dict(d, [s.name for s in scenarios])
