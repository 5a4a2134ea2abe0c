"""The launch plan in the workbook: the Plan sheet's demand row as inputs, read back (an edited
row becomes an explicit path, listed by the diff year by year), and PlanSummary holding each
scenario's and switch's plan results."""

from __future__ import annotations

import openpyxl
import pytest
from test_workbook_roundtrip import col_letter, patch_cell

from cgtdesk.core.analyses.plan import plan
from cgtdesk.core.diff import diff_projects
from cgtdesk.core.project import plan_from_dict
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
            assert got == "n/a" if v is None else got == pytest.approx(v, rel=1e-12)
