"""LibreOffice Calc recalculates the Plan and PlanSummary sheets to the app's launch plan, and a
client's edit of the demand path, recalculated there, is the app's plan of the edited path and
reads back into the project (skipped where ``soffice`` is missing)."""

from __future__ import annotations

import openpyxl
import pytest
from test_workbook_libreoffice import SOFFICE, profile, resave  # noqa: F401 (profile: a fixture)
from test_workbook_plan import _demand_cells, _edit, assert_plan_matches, plan_project, plan_sheet_rows, summary_from
from test_workbook_roundtrip import patch_cell

from cgtdesk.core.diff import diff_projects
from cgtdesk.core.project import plan_from_dict
from cgtdesk.io.workbook import export_workbook, read_workbook

pytestmark = [pytest.mark.slow, pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")]


def _master(path):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(wb["Checks"].iter_rows(values_only=True))
    wb.close()
    return [v for v in next(r for r in rows if r[0] == "Master check") if isinstance(v, (int, float))]


def test_libreoffice_recalculates_the_plan_and_a_clients_demand_edit(profile, tmp_path):  # noqa: F811
    project = plan_project(5, scurve=True)
    exported = tmp_path / "exported.xlsx"
    export_workbook(project, exported, analyses=False)
    cells = _demand_cells(exported)
    # the client's new path: a later launch, a dip and a higher peak (an explicit path now)
    path = [0, 0, 0, 150.5, 700, 420, 1200]
    edited_file = _edit(exported, tmp_path / "client.xlsx", {cells[2030 + i]: v for i, v in enumerate(path)})
    # and renames the first scenario on the Inputs header (E4): the switch rows follow the name
    renamed = tmp_path / "renamed.xlsx"
    xml = '<c r="E4" t="inlineStr"><is><t>Our CAR-T</t></is></c>'
    renamed.write_bytes(patch_cell(edited_file.read_bytes(), "xl/worksheets/sheet2.xml", "E4", xml))
    unchanged, edited, renamed = resave(profile, [exported, edited_file, renamed], tmp_path / "lo")

    assert_plan_matches(plan_sheet_rows(unchanged), summary_from(unchanged), project)
    assert _master(unchanged) == [0]

    expected = project.copy()
    expected.plan = plan_from_dict(
        {
            "first_year": 2030,
            "years": 7,
            "demand": {"patients_per_year": path},
            "look_ahead_years": project.plan.look_ahead_years,
            "switches": project.plan.switches,
        },
        expected.names(),
    )
    # LibreOffice's numbers are the app's plan of the edited path
    assert_plan_matches(plan_sheet_rows(edited), summary_from(edited), expected)
    # and the workbook reads back as that project
    back = read_workbook(edited)
    assert back.plan == expected.plan
    changes = diff_projects(project, back)["changes"]
    assert {c["key"] for c in changes} >= {"plan.patients_per_year[2036]"}
    # a renamed scenario keeps its switches: the switch cells are formulas over the Inputs header
    old = project.scenarios[0].name
    back = read_workbook(renamed)
    assert back.names()[0] == "Our CAR-T"
    assert [(sw["from"], sw["to"]) for sw in back.plan.switches] == [
        ("Our CAR-T" if sw["from"] == old else sw["from"], "Our CAR-T" if sw["to"] == old else sw["to"])
        for sw in project.plan.switches
    ]
    assert summary_from(renamed)[(f"Our CAR-T -> {project.scenarios[2].name} in 2033", "npc")] == pytest.approx(
        summary_from(edited)[(f"{old} -> {project.scenarios[2].name} in 2033", "npc")], rel=1e-12
    )
