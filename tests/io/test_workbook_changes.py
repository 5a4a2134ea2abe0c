"""The live Changes sheet and the stale banners of the analysis sheets, recalculated by
LibreOffice (docs/workbook.md, "Changes"); and drop-down lists that are cell ranges."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_workbook_libreoffice import SOFFICE, profile, resave  # noqa: F401 (profile: a fixture)
from test_workbook_roundtrip import no_plan, patch_cell

from cgtdesk.core.project import project_from_dict
from cgtdesk.io.projectfile import load_project
from cgtdesk.io.workbook import workbook_bytes

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"
INPUTS = "xl/worksheets/sheet2.xml"


def example():
    return project_from_dict(no_plan(load_project(EXAMPLE)))


def inputs_cell(data: bytes, key: str, j: int) -> str:
    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Inputs"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == key)
    return f"{openpyxl.utils.get_column_letter(5 + j)}{row}"


def values(path, sheet):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    wb.close()
    return rows


def test_the_export_itself_shows_no_change_and_no_banner(tmp_path):
    data = workbook_bytes(example())
    path = tmp_path / "e.xlsx"
    path.write_bytes(data)
    rows = values(path, "Changes")
    assert rows[3][0] == "Inputs changed since export" and rows[3][2] == 0
    assert rows[6][1] in ("", None)  # the list is empty
    for sheet in ("Sweep", "MonteCarlo", "Tornado"):
        assert values(path, sheet)[2][0] in ("", None)


def test_drop_down_lists_are_ranges_never_literal_names(tmp_path):
    d = no_plan(load_project(EXAMPLE))
    d["scenarios"][0]["name"] = 'Say "yes", then, no'
    data = workbook_bytes(project_from_dict(d))
    z = zipfile.ZipFile(io.BytesIO(data))
    wbx = z.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet name="([^"]+)"', wbx)
    for sheet in ("Inputs", "Uncertainty"):
        xml = z.read(f"xl/worksheets/sheet{names.index(sheet) + 1}.xml").decode()
        lists = re.findall(r'<dataValidation type="list".*?<formula1>(.*?)</formula1>', xml)
        assert lists
        for f in lists:
            if sheet == "Inputs" or "Inputs!" in f:
                assert re.fullmatch(r"[A-Za-z]+!\$[A-Z]+\$\d+:\$[A-Z]+\$\d+", f), f  # a range, never "a,b,c"
    inputs = z.read("xl/worksheets/sheet2.xml").decode()
    assert "Calculations!$" in inputs  # facility.mode: the labelled mode cells


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_changed_input_is_listed_and_the_analyses_say_they_are_stale(profile, tmp_path):  # noqa: F811
    project = example()
    data = workbook_bytes(project)
    j = 1
    key = "demand.patients_per_year"
    old = project.scenarios[j].parameters[key]
    new = old + 123
    cell = inputs_cell(data, key, j)
    (tmp_path / "in").mkdir()
    edited = tmp_path / "in" / "edited.xlsx"
    edited.write_bytes(patch_cell(data, INPUTS, cell, f'<c r="{cell}"><v>{new}</v></c>'))
    same = tmp_path / "in" / "same.xlsx"
    same.write_bytes(data)
    out_edited, out_same = resave(profile, [edited, same], tmp_path / "out")
    rows = values(out_edited, "Changes")
    assert rows[3][2] == 1
    first = rows[6]
    assert first[0] == 1 and first[1] == project.scenarios[j].name and first[3] == key
    assert first[4] == old and first[5] == new and first[6] == f"Inputs!{cell}"
    assert rows[7][1] in ("", None)  # one change, one line
    for sheet in ("Sweep", "MonteCarlo", "Tornado"):
        banner = values(out_edited, sheet)[2][0]
        assert isinstance(banner, str) and banner.startswith("Out of date: 1 input(s) changed"), (sheet, banner)
    rows = values(out_same, "Changes")
    assert rows[3][2] == 0 and rows[6][1] in ("", None)
    for sheet in ("Sweep", "MonteCarlo", "Tornado"):
        assert values(out_same, sheet)[2][0] in ("", None)
