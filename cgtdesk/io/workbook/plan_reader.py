"""Reading the launch plan back from a workbook's Plan sheet (docs/workbook.md, "Plan").

The plan's rows are found by the ``Key`` column wherever they are: the plan's own inputs
(``plan.first_year``, ``plan.look_ahead_years``, the S-curve's three), one ``plan.switch`` row
per switch (from, to, calendar year) and the demand row ``plan.patients_per_year`` under the
header row of calendar years. A demand row equal to the S-curve shown (to 1e-12 relative) reads
back as the S-curve; any other path reads back as an explicit list. The result is a ``plan``
block as in a project file, validated with the project by
:func:`cgtdesk.core.project.project_from_dict`.
"""

from __future__ import annotations

import math

import numpy as np

from cgtdesk.core.analyses.plan_engine import demand_path
from cgtdesk.core.errors import InputError
from cgtdesk.core.project import Plan
from cgtdesk.io.workbook.import_report import names_without_values
from cgtdesk.io.workbook.layout import H_KEY, SHEET_PLAN

KEY_DEMAND = "plan.patients_per_year"
KEY_SWITCH = "plan.switch"
_SCALARS = (
    "plan.first_year",
    "plan.years",
    "plan.look_ahead_years",
    "plan.launch_year",
    "plan.peak_patients_per_year",
    "plan.years_to_peak",
)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _text(v) -> str:
    return v.strip() if isinstance(v, str) else ""


def read_plan(reader) -> dict | None:
    """The ``plan`` block of the workbook read by ``reader`` (a ``reader._Reader``), or None
    when it has no Plan sheet."""
    name = reader.sheet_name(SHEET_PLAN)
    if name is None:
        return None
    # switch cells are formulas over the Inputs header: without saved values, resolved by scenario id
    return _PlanSheet(reader, names_without_values(reader, name)).read()


class _PlanSheet:
    def __init__(self, reader, rows):
        self.reader = reader
        self.rows = rows
        self.fail = reader.fail

    def read(self) -> dict | None:
        key_col, keyed = self.keyed_rows()
        if KEY_DEMAND not in keyed:
            return None
        demand_row = keyed[KEY_DEMAND][0]
        years = self.years(demand_row, key_col)
        values = {k: self.scalar(keyed[k][0], key_col, k) for k in _SCALARS if k in keyed}
        first = years[0][1]
        path = [self.demand(demand_row, c, y) for c, y in years]
        block = {
            "first_year": first,
            "years": len(years),
            "demand": self.demand_block(first, path, values),
            "look_ahead_years": values.get("plan.look_ahead_years", 1),
            "switches": [self.switch(i, key_col) for i in keyed.get(KEY_SWITCH, [])],
        }
        return block

    def keyed_rows(self) -> tuple[int, dict]:
        """The Key column (the one holding ``plan.patients_per_year``) and key -> rows."""
        for row in self.rows.rows:
            for c, v in enumerate(row):
                if _text(v) == KEY_DEMAND:
                    keyed: dict = {}
                    for i2, row2 in enumerate(self.rows.rows):
                        k = _text(row2[c]) if c < len(row2) else ""
                        if k.startswith("plan."):
                            keyed.setdefault(k, []).append(i2)
                    for k, found in keyed.items():
                        if len(found) > 1 and k != KEY_SWITCH:
                            raise self.fail(
                                f"{self.rows.ref(found[1], c)}: the key '{k}' appears twice (also in row {found[0] + 1}); expected it once"
                            )
                    return c, keyed
        return -1, {}

    def years(self, demand_row: int, key_col: int) -> list[tuple[int, int]]:
        """(column, calendar year) of the header row above the demand row: the nearest row above
        whose Key cell reads ``Key``."""
        for i in range(demand_row - 1, -1, -1):
            if _text(self.rows.cell(i, key_col)).lower() == H_KEY.lower():
                out = []
                for c, v in enumerate(self.rows.rows[i]):
                    if c > key_col and _is_number(v) and float(v).is_integer():
                        out.append((c, int(v)))
                if not out:
                    raise self.fail(
                        f"{self.rows.ref(i, key_col)}: a header row without calendar years; expected one year per column"
                    )
                for (_c1, y1), (c2, y2) in zip(out, out[1:], strict=False):
                    if y2 != y1 + 1:
                        raise self.fail(
                            f"{self.rows.ref(i, c2)}: expected the year {y1 + 1} after {y1}, found {y2}; the plan's years follow one another"
                        )
                return out
        raise self.fail(
            f"{self.rows.ref(demand_row, key_col)}: no header row with '{H_KEY}' and the calendar years above the demand row"
        )

    def scalar(self, i: int, key_col: int, key: str):
        c = key_col + 2  # Key, Unit, then the value
        v = self.rows.cell(i, c)
        if not _is_number(v):
            raise self.fail(f"{self.rows.ref(i, c)}, launch plan, '{key}': expected a number, found {v!r}")
        return int(v) if float(v).is_integer() and key != "plan.peak_patients_per_year" else v

    def demand(self, i: int, c: int, year: int) -> float:
        v = self.rows.cell(i, c)
        if not _is_number(v):
            formula = self.reader.formula_at(self.rows.name, i, c) if v is None else None
            found = f"a formula ({formula[:80]}) with no saved value" if formula else ("an empty cell" if v is None else repr(v))
            raise InputError(
                f"{self.reader.name}: {self.rows.ref(i, c)}, launch plan, patients in {year}: expected a number, found {found}"
            )
        return int(v) if isinstance(v, int) else float(v)

    def demand_block(self, first: int, path: list, values: dict) -> dict:
        keys = ("plan.launch_year", "plan.peak_patients_per_year", "plan.years_to_peak")
        if all(k in values for k in keys):
            d = {k.removeprefix("plan."): values[k] for k in keys}
            try:
                curve = demand_path(Plan(first, len(path), d))
            except (ValueError, TypeError, ZeroDivisionError):
                curve = None
            got = np.asarray(path, dtype=float)
            if curve is not None and np.allclose(got, curve, rtol=1e-12, atol=0.0):
                return d
        return {"patients_per_year": path}

    def switch(self, i: int, key_col: int) -> dict:
        c = key_col + 2
        a, b, y = (self.rows.cell(i, c + k) for k in range(3))
        if not (_text(a) and _text(b) and _is_number(y)):
            raise self.fail(
                f"{self.rows.ref(i, c)}: a switch row: expected the scenario switched from, the one switched to and the calendar year"
            )
        return {"from": a, "to": b, "year": int(y) if float(y).is_integer() else y}
