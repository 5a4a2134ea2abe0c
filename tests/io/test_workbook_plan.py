"""The launch plan in the workbook: the Plan sheet's demand row as inputs, read back (an edited
row becomes an explicit path, listed by the diff year by year), and PlanSummary holding each
scenario's and switch's plan results."""

from __future__ import annotations

import random
import re

import openpyxl
import pytest
from test_workbook_roundtrip import col_letter, patch_cell, random_scenario

from cgtdesk.core.analyses.plan import plan
from cgtdesk.core.diff import diff_projects
from cgtdesk.core.model import evaluate
from cgtdesk.core.project import Project, plan_from_dict
from cgtdesk.io.projectfile import load_project
from cgtdesk.io.workbook import export_workbook, read_workbook


def _demand_cells(path):
    """calendar year -> (row, column) of the demand row, found by the Key column and header."""
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb["Plan"].iter_rows(values_only=True))
    wb.close()
    i = next(i for i, r in enumerate(rows) if "plan.patients_per_year" in r)
    kc = rows[i].index("plan.patients_per_year")
    h = max(j for j in range(i) if rows[j][kc] == "Key")
    return {y: (i + 1, c + 1) for c, y in enumerate(rows[h]) if c > kc and isinstance(y, int)}


def _edit(path, out, edits):
    """A copy of the workbook with Plan cells {(row, col): number or text} replaced in its XML
    (a stand-in for a client's spreadsheet program); xlsxwriter writes sheet parts in tab order."""
    wb = openpyxl.load_workbook(path, read_only=True)
    part = f"xl/worksheets/sheet{wb.sheetnames.index('Plan') + 1}.xml"
    wb.close()
    data = path.read_bytes()
    for (r, c), v in edits.items():
        ref = f"{col_letter(c)}{r}"
        xml = f'<c r="{ref}"><v>{v}</v></c>' if not isinstance(v, str) else f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
        data = patch_cell(data, part, ref, xml)
    out.write_bytes(data)
    return out


def test_example_plan_round_trips_as_its_s_curve(example_path, tmp_path):
    project = load_project(example_path)
    assert project.plan is not None and "launch_year" in project.plan.demand
    out = tmp_path / "example.xlsx"
    export_workbook(project, out, analyses=False)
    back = read_workbook(out)
    assert back.plan == project.plan
    assert diff_projects(project, back)["changes"] == []


def test_explicit_path_round_trips_and_no_plan_means_no_sheet(example_path, tmp_path):
    project = load_project(example_path)
    project.plan = plan_from_dict(
        {"first_year": 2030, "years": 4, "demand": {"patients_per_year": [0, 12.5, 400, 0]}, "look_ahead_years": 2},
        project.names(),
    )
    out = tmp_path / "explicit.xlsx"
    export_workbook(project, out, analyses=False)
    assert read_workbook(out).plan == project.plan
    project.plan = None
    export_workbook(project, out, analyses=False)
    wb = openpyxl.load_workbook(out, read_only=True)
    assert "Plan" not in wb.sheetnames and "PlanSummary" not in wb.sheetnames
    wb.close()
    assert read_workbook(out).plan is None


def test_client_edits_the_demand_row(example_path, tmp_path):
    project = load_project(example_path)
    project.plan = plan_from_dict(
        {"first_year": 2029, "years": 5, "demand": {"patients_per_year": [0, 100, 250, 400, 400]}}, project.names()
    )
    out = tmp_path / "sent.xlsx"
    export_workbook(project, out, analyses=False)
    cells = _demand_cells(out)
    assert sorted(cells) == [2029, 2030, 2031, 2032, 2033]
    wb = openpyxl.load_workbook(out)
    ws = wb["Plan"]
    assert ws.cell(*cells[2032]).value == 400
    assert ws.cell(*cells[2032]).protection.locked is False  # an input cell
    wb.close()
    edited = _edit(out, tmp_path / "back.xlsx", {cells[2032]: 600})
    back = read_workbook(edited)
    assert back.plan.demand == {"patients_per_year": [0, 100, 250, 600, 400]}
    d = diff_projects(project, back)
    assert d["changes"] == [{"scenario": None, "key": "plan.patients_per_year[2032]", "old": 400, "new": 600}]


def test_s_curve_edited_becomes_explicit(example_path, tmp_path):
    project = load_project(example_path)
    out = tmp_path / "sent.xlsx"
    export_workbook(project, out, analyses=False)
    cells = _demand_cells(out)
    wb = openpyxl.load_workbook(out)
    # launch 2029, peak 1500 in 5 years: 2031 is x = 3/5, g = 3(0.36) - 2(0.216) = 0.648 -> 972
    assert wb["Plan"].cell(*cells[2031]).value == pytest.approx(972.0, rel=1e-12)
    wb.close()
    edited = _edit(out, tmp_path / "back.xlsx", {cells[2031]: 1000})
    back = read_workbook(edited)
    path = back.plan.demand["patients_per_year"]
    assert path[2031 - 2027] == 1000 and path[2029 - 2027] == pytest.approx(1500 * (3 / 25 - 2 / 125), rel=1e-12)
    changes = diff_projects(project, back)["changes"]
    assert [c["key"] for c in changes] == ["plan.patients_per_year[2031]"]


def test_a_bad_demand_cell_is_refused_by_cell(example_path, tmp_path):
    project = load_project(example_path)
    out = tmp_path / "sent.xlsx"
    export_workbook(project, out, analyses=False)
    cells = _demand_cells(out)
    bad = _edit(out, tmp_path / "bad.xlsx", {cells[2030]: "lots"})
    with pytest.raises(Exception, match=r"Plan!.*2030.*expected a number"):
        read_workbook(bad)


def test_plan_summary_holds_every_scenario_and_switch(example_path, tmp_path):
    project = load_project(example_path)
    out = tmp_path / "example.xlsx"
    export_workbook(project, out, analyses=False)
    wb = openpyxl.load_workbook(out, read_only=True, data_only=True)
    rows = list(wb["PlanSummary"].iter_rows(values_only=True))
    wb.close()
    hr = next(i for i, r in enumerate(rows) if r[:3] == ("Result", "Key", "Unit"))
    names = [n for n in rows[hr][3:] if n]
    result = plan(project)
    series = [*result.scenarios, *(sw.series for sw in result.switches)]
    assert names == [s.name for s in series]
    assert "Autologous, manual open process -> Autologous, automated, central in 2032" in names
    by_key = {r[1]: r for r in rows[hr + 1 :] if r[1]}
    for j, s in enumerate(series):
        for key, v in s.summary.items():
            got = by_key[key][3 + j]
            assert got in (None, "") if v is None else got == pytest.approx(v, rel=1e-12)


# ---------------------------------------------------------------- live formulas


def plan_project(seed: int, *, scurve: bool) -> Project:
    """Random scenarios of both processes in the three modes, short asset lives (replacements
    inside the plan), lead times and look-ahead, a plan with gaps in demand and two switches (one
    within a process, one across)."""
    rng = random.Random(seed)
    combos = [
        ("autologous", "dedicated", 0.9),
        ("allogeneic", "dedicated", 0),
        ("autologous", "cdmo", 0),
        ("allogeneic", "shared", 0),
    ]
    scen = []
    for i, (process, mode, level) in enumerate(combos):
        s = random_scenario(rng, f"P{i + 1} {process} {mode}", process)
        s.parameters.update(
            {
                "facility.mode": mode,
                "facility.sites": rng.choice([1, 2]),
                "finance.building_life_years": rng.uniform(2, 4),
                "finance.equipment_life_years": rng.choice([1, 2.5, 3]),
                "plan.facility_lead_years": rng.choice([0, 1, 2]),
                "plan.equipment_lead_years": rng.choice([0, 1]),
            }
        )
        if process == "autologous":
            s.parameters["auto.service_level"] = level
        evaluate(process, s.parameters)
        scen.append(s)
    names = [s.name for s in scen]
    T = 7
    demand = (
        {"launch_year": 2031, "peak_patients_per_year": rng.uniform(300, 900), "years_to_peak": 3}
        if scurve
        else {
            "patients_per_year": [
                0,
                rng.uniform(10, 80),
                0,
                rng.uniform(200, 600),
                rng.uniform(600, 900),
                0,
                rng.uniform(100, 300),
            ]
        }
    )
    block = {
        "first_year": 2030,
        "years": T,
        "demand": demand,
        "look_ahead_years": rng.choice([0, 1, 2]),
        "switches": [{"from": names[0], "to": names[2], "year": 2033}, {"from": names[1], "to": names[0], "year": 2034}],
    }
    return Project(title=f"plan {seed}", currency="USD", scenarios=scen, plan=plan_from_dict(block, names))


def plan_sheet_rows(path):
    """The visible rows of each block of the Plan sheet, in order: [{key: [values by year]}] (cached values)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb["Plan"]
    blocks, current = [], None
    for row in ws.iter_rows():
        r = row[0].row
        key = row[1].value
        hidden = ws.row_dimensions[r].hidden
        if key == "patients" and not hidden:
            current = {}
            blocks.append(current)
        if current is not None and isinstance(key, str) and not hidden and key not in current:
            current[key] = [c.value for c in row[3:]]
    wb.close()
    return blocks


def summary_from(path):
    """{(series name, result): value} of PlanSummary (cached values)."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(wb["PlanSummary"].iter_rows(values_only=True))
    wb.close()
    hr = next(i for i, r in enumerate(rows) if r[:3] == ("Result", "Key", "Unit"))
    names = [n for n in rows[hr][3:] if n]
    return {(n, r[1]): r[3 + j] for r in rows[hr + 1 :] if r[1] for j, n in enumerate(names)}


def assert_plan_matches(blocks, summary, project, rel=1e-9):
    """The Plan blocks and PlanSummary hold plan(project)'s table and summary (``None``: '' or None)."""
    result = plan(project)
    series = [*result.scenarios, *(sw.series for sw in result.switches)]
    assert len(blocks) == len(series)
    T = len(result.years)
    for s, blk in zip(series, blocks, strict=True):
        for f, arr in s.table.items():
            if arr is None:
                assert f not in blk, (s.name, f)
                continue
            got = [float(x) for x in blk[f][:T]]
            assert got == pytest.approx([float(x) for x in arr], rel=rel, abs=1e-6), (s.name, f)
        for key, v in s.summary.items():
            got = summary[(s.name, key)]
            if v is None:
                assert got in (None, ""), (s.name, key, got)
            else:
                assert got == pytest.approx(v, rel=rel, abs=1e-6), (s.name, key)


@pytest.mark.slow
@pytest.mark.parametrize("seed,scurve", [(1, False), (2, True)])
def test_plan_formulas_recalculate_to_the_apps_plan(seed, scurve, tmp_path):
    formulas = pytest.importorskip("formulas")
    from test_workbook_formulas import _engine_values

    project = plan_project(seed, scurve=scurve)
    out = tmp_path / "plan.xlsx"
    export_workbook(project, out, analyses=False)
    # the cached values are the app's plan
    assert_plan_matches(plan_sheet_rows(out), summary_from(out), project)
    # and every formula cell of Plan and PlanSummary, recalculated, is its cached value
    got = _engine_values(out)
    cached = openpyxl.load_workbook(out, data_only=True)
    text = openpyxl.load_workbook(out)
    n = 0
    for sheet in ("Plan", "PlanSummary"):
        for row in text[sheet].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    v, want = got[(sheet.upper(), cell.coordinate)], cached[sheet][cell.coordinate].value
                    if isinstance(want, str):
                        assert str(v) in (want, "empty") or (want == "" and v is None), (sheet, cell.coordinate, v, want)
                    else:
                        assert float(v) == pytest.approx(want, rel=1e-9, abs=1e-6), (sheet, cell.coordinate, cell.value, v, want)
                    n += 1
    assert n > 2000
    assert formulas  # the engine ran


def test_plan_formulas_hold_no_constants(tmp_path):
    """Cell references, 0/1, 1E-9 and 1E+99 only; names are formulas over the Inputs header."""
    out = tmp_path / "plan.xlsx"
    export_workbook(plan_project(3, scurve=True), out, analyses=False)
    from test_workbook_formulas import WHITELIST

    wb = openpyxl.load_workbook(out, read_only=True)
    seen, used = 0, set()
    for sheet in ("Plan", "PlanSummary"):
        for row in wb[sheet].iter_rows(values_only=True):
            for v in row:
                if isinstance(v, str) and v.startswith("="):
                    body = re.sub(r"(?:[A-Za-z]+!)?\$?[A-Z]{1,3}\$?[0-9]+", "R", v)
                    body = re.sub(r"1E-9|1E\+99|_xlfn\.POISSON\.DIST", "", body)
                    body = re.sub(r'"(?: -> | in |)"', "", body)  # the switch's name: 'A -> B in 2033', and "" for null
                    assert '"' not in body, v
                    assert set(re.findall(r"(?<![A-Z])\d+(?:\.\d+)?", body)) <= {"0", "1"}, v
                    used.update(re.findall(r"([A-Z][A-Z0-9.]*)\(", re.sub(r"_xlfn\.", "", v)))
                    seen += 1
    wb.close()
    assert seen > 2000
    # the Calculations sheet's functions, and MOD (every spreadsheet program has it) for the replacements
    assert used <= WHITELIST | {"MOD"}, used - WHITELIST
