"""LibreOffice Calc as the client's spreadsheet program (skipped where ``soffice`` is missing).

Recalculation is forced on load through a throwaway user profile whose
registrymodifications.xcu sets Calc's "Recalculation on file load" (OOXMLRecalcMode) to
"always", so the numbers read back are LibreOffice's own, never the cached ones we wrote.
"""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from test_workbook_roundtrip import col_letter, layout, no_plan, patch_cell, random_project

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.diff import diff_projects
from cgtdesk.core.model import evaluate
from cgtdesk.io.projectfile import load_project
from cgtdesk.io.workbook import export_workbook, read_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")]

RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    root = tmp_path_factory.mktemp("lo_profile")
    (root / "user").mkdir()
    (root / "user" / "registrymodifications.xcu").write_text(RECALC_XCU, encoding="utf-8")
    return root


def resave(profile, files, outdir):
    """Open each file in LibreOffice Calc (recalculating everything) and save it as .xlsx."""
    outdir.mkdir(exist_ok=True)
    cmd = [
        SOFFICE,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "xlsx:Calc MS Excel 2007 XML",
        "--outdir",
        str(outdir),
        *map(str, files),
    ]
    subprocess.run(cmd, check=True, timeout=180, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    outs = [outdir / f.name for f in files]
    for o in outs:
        assert o.is_file(), f"LibreOffice did not write {o}"
    return outs


def results_from(path):
    """{(scenario, key): value} from a workbook's Results sheet, by its Key column and headers."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(wb["Results"].iter_rows(values_only=True))
    checks = list(wb["Checks"].iter_rows(values_only=True))
    wb.close()
    hr = next(i for i, r in enumerate(rows) if r[:3] == ("Result", "Key", "Unit"))
    names = [n for n in rows[hr][3:] if n]
    out = {}
    for r in rows[hr + 1 :]:
        if r[1] in catalogue().results:
            for j, n in enumerate(names):
                out[(n, r[1])] = r[3 + j]
    master = next(r for r in checks if r[0] == "Master check")
    return out, [v for v in master if isinstance(v, (int, float))]


def assert_matches_app(values, scenarios):
    for s in scenarios:
        app = evaluate(s.process, s.parameters)
        for key in catalogue().results:
            got = values[(s.name, key)]
            if app[key] is None:
                assert got in (None, "", "n/a"), (s.name, key, got)
            else:
                assert isinstance(got, (int, float)), (s.name, key, got)
                assert got == pytest.approx(app[key], rel=1e-9, abs=1e-9), (s.name, key)


def test_libreoffice_recalculates_edited_inputs_to_the_apps_numbers(profile, tmp_path):
    project = random_project(21, n=4)
    exported = tmp_path / "exported.xlsx"
    export_workbook(project, exported, analyses=False)
    keys, cols, _ = layout(exported)
    edited = project.copy()
    # (1) the client edits a copy with a spreadsheet library (openpyxl stands in for the client)
    wb = openpyxl.load_workbook(exported)
    ws = wb["Inputs"]
    for s in edited.scenarios:
        c = cols[s.name]
        s.parameters["demand.patients_per_year"] = 1234.5
        ws.cell(keys["demand.patients_per_year"], c).value = 1234.5
        k = "auto.batch_success_rate" if s.process == "autologous" else "allo.harvest_density_cells_per_ml"
        s.parameters[k] = s.parameters[k] * 0.9
        ws.cell(keys[k], c).value = s.parameters[k]
    by_openpyxl = tmp_path / "client_openpyxl.xlsx"
    wb.save(by_openpyxl)
    # (2) an edit that leaves every cached value stale: only a full recalculation gets it right
    s0 = project.scenarios[0]
    stale_project = project.copy()
    stale_project.scenarios[0].parameters["facility.sites"] = 3
    ref = f"{col_letter(cols[s0.name])}{keys['facility.sites']}"
    stale = tmp_path / "client_stale.xlsx"
    stale.write_bytes(patch_cell(exported.read_bytes(), "xl/worksheets/sheet2.xml", ref, f'<c r="{ref}"><v>3</v></c>'))

    out1, out2 = resave(profile, [by_openpyxl, stale], tmp_path / "lo")
    values, master = results_from(out1)
    assert_matches_app(values, edited.scenarios)
    assert master and all(v == 0 for v in master)
    values, master = results_from(out2)
    assert_matches_app(values, stale_project.scenarios)
    assert master and all(v == 0 for v in master)
    # and the re-saved workbooks read back as the edited projects
    assert read_workbook(out1).to_dict()["scenarios"] == edited.to_dict()["scenarios"]


def test_resaved_with_rows_moved_and_inserted_reads_back_right(profile, tmp_path, example_path):
    old = load_project(example_path)
    exported = tmp_path / "exported.xlsx"
    export_workbook(old, exported, analyses=False)
    keys, cols, hr = layout(exported)
    a, c = old.scenarios[0], old.scenarios[2]
    wb = openpyxl.load_workbook(exported)
    ws = wb["Inputs"]
    for sheet in wb.worksheets:
        sheet.protection.sheet = False
    ws.cell(keys["demand.patients_per_year"], cols[a.name]).value = 650
    ws.cell(keys["allo.lot_success_rate"], cols[c.name]).value = 0.85
    last_row, last_col = ws.max_row, ws.max_column
    # move the Logistics rows to the bottom, then insert rows near the top with a client's note
    lo = min(keys[k] for k in keys if k.startswith("logistics."))
    hi = max(keys[k] for k in keys if k.startswith("logistics."))
    ws.move_range(f"A{lo}:{col_letter(last_col)}{hi}", rows=last_row + 3 - lo)
    ws.insert_rows(hr + 3, 2)
    ws.cell(hr + 3, 2).value = "Client: figures below checked with our CMO on 3 March"
    ws.cell(hr, last_col + 2).value = "Client comments"
    ws.cell(hr + 10, last_col + 2).value = "we think this is high"
    wb.create_sheet("Client notes")["A1"] = "A sheet of our own"
    client = tmp_path / "client.xlsx"
    wb.save(client)

    (resaved,) = resave(profile, [client], tmp_path / "lo")
    back = read_workbook(resaved)
    expected = old.copy()
    expected.scenarios[0].parameters["demand.patients_per_year"] = 650
    expected.scenarios[2].parameters["allo.lot_success_rate"] = 0.85
    assert no_plan(back) == no_plan(expected)
    d = diff_projects(old, back)
    assert d["added"] == [] and d["removed"] == []
    assert [(x["scenario"], x["key"], x["old"], x["new"]) for x in d["changes"]] == [
        (a.name, "demand.patients_per_year", 500, 650),
        (c.name, "allo.lot_success_rate", 0.9, 0.85),
    ]


def test_libreoffice_recalculates_v2_scenarios_to_the_apps_numbers(profile, tmp_path):
    """Every mode, both device rules (POISSON.DIST candidates), shelf life on and off, 1-3 sites."""
    from test_workbook_formulas import v2_matrix_project

    project = v2_matrix_project(31)
    exported = tmp_path / "v2.xlsx"
    export_workbook(project, exported, analyses=False)
    (out,) = resave(profile, [exported], tmp_path / "lo")
    values, master = results_from(out)
    assert_matches_app(values, project.scenarios)
    assert master and all(v == 0 for v in master)


def test_client_changes_mode_and_service_level_in_libreoffice(profile, tmp_path, example_path):
    old = load_project(example_path)
    exported = tmp_path / "exported.xlsx"
    export_workbook(old, exported, analyses=False)
    keys, cols, _ = layout(exported)
    a = old.scenarios[0]
    new_mode = "cdmo" if a.parameters["facility.mode"] != "cdmo" else "shared"
    wb = openpyxl.load_workbook(exported)
    ws = wb["Inputs"]
    ws.cell(keys["facility.mode"], cols[a.name]).value = new_mode
    ws.cell(keys["auto.service_level"], cols[a.name]).value = 0.9
    client = tmp_path / "client.xlsx"
    wb.save(client)
    (resaved,) = resave(profile, [client], tmp_path / "lo")
    back = read_workbook(resaved)
    d = diff_projects(old, back)
    assert d["added"] == [] and d["removed"] == []
    assert sorted((x["scenario"], x["key"], x["old"], x["new"]) for x in d["changes"]) == sorted(
        [
            (a.name, "facility.mode", a.parameters["facility.mode"], new_mode),
            (a.name, "auto.service_level", a.parameters["auto.service_level"], 0.9),
        ]
    )
    # and LibreOffice's recalculation of the edited workbook is the app's
    values, master = results_from(resaved)
    assert_matches_app(values, back.scenarios)
    assert master and all(v == 0 for v in master)
