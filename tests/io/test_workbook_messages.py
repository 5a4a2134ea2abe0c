"""Import messages name their cell, nothing is read in part, and values a spreadsheet kept to 15
significant digits keep the project's exact value (docs/workbook.md, "What import refuses")."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_workbook_roundtrip import no_plan, patch_cell

from cgtdesk.core.errors import InputError
from cgtdesk.core.project import project_from_dict
from cgtdesk.io.projectfile import load_project
from cgtdesk.io.workbook import read_workbook, workbook_bytes

COVER, INPUTS, UNC = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"
EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"


@pytest.fixture(scope="module")
def project():
    return project_from_dict(no_plan(load_project(EXAMPLE)))


@pytest.fixture(scope="module")
def data(project):
    return workbook_bytes(project)


def find(data: bytes, sheet: str, test) -> str:
    """The reference of the first cell of ``sheet`` whose value passes ``test``."""
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    for row in wb[sheet].iter_rows():
        for cell in row:
            if test(cell.value):
                return cell.coordinate
    raise AssertionError(f"no such cell on {sheet}")


def right_of(ref: str) -> str:
    col, row = re.match(r"([A-Z]+)(\d+)", ref).groups()
    return f"{chr(ord(col) + 1)}{row}"


def refusal(tmp_path, data: bytes, name: str = "client.xlsx") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as e:
        read_workbook(path)
    return str(e.value)


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def rewrite(data: bytes, part: str, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            dst.writestr(info, edit(raw.decode("utf-8")).encode("utf-8") if info.filename == part else raw)
    return out.getvalue()


# ---------------------------------------------------------------- the Cover reads its own cells


def test_a_cleared_currency_is_refused_with_its_cell_never_the_note_beside_it(tmp_path, data):
    cell = right_of(find(data, "Cover", lambda v: v == "Currency"))
    msg = refusal(tmp_path, patch_cell(data, COVER, cell, f'<c r="{cell}"/>'))
    assert f"Cover!{cell}" in msg and "currency" in msg and "empty cell" in msg, msg
    assert "characters" not in msg, msg


def test_a_long_currency_is_refused_with_its_cell(tmp_path, data):
    cell = right_of(find(data, "Cover", lambda v: v == "Currency"))
    msg = refusal(tmp_path, patch_cell(data, COVER, cell, inline(cell, "Swiss francs, please")))
    assert f"Cover!{cell}" in msg and "at most 12 characters" in msg, msg


def test_a_cleared_title_is_refused_with_its_cell(tmp_path, data):
    cell = right_of(find(data, "Cover", lambda v: v == "Project title"))
    msg = refusal(tmp_path, patch_cell(data, COVER, cell, f'<c r="{cell}"/>'))
    assert f"Cover!{cell}" in msg and "title" in msg, msg


# ---------------------------------------------------------------- long names and notes, correlations


def test_a_long_scenario_name_is_refused_with_its_cell(tmp_path, data, project):
    cell = find(data, "Inputs", lambda v: v == project.scenarios[0].name)
    msg = refusal(tmp_path, patch_cell(data, INPUTS, cell, inline(cell, "x" * 201)))
    assert f"Inputs!{cell}" in msg and "at most 200 characters, found 201" in msg, msg


def test_long_notes_are_refused_with_their_cell(tmp_path, data):
    row = find(data, "Inputs", lambda v: v == "notes")[1:]
    cell = f"E{row}"
    msg = refusal(tmp_path, patch_cell(data, INPUTS, cell, inline(cell, "n" * 10_001)))
    assert f"Inputs!{cell}" in msg and "10,001" in msg, msg


def test_a_broken_correlation_is_refused_with_its_cell(tmp_path, data, project):
    assert any(s.correlations for s in project.scenarios), "the example holds a correlation"
    rho = next(c["rho"] for s in project.scenarios for c in s.correlations)
    cell = find(data, "Uncertainty", lambda v: isinstance(v, float) and v == rho)
    msg = refusal(tmp_path, patch_cell(data, UNC, cell, f'<c r="{cell}"><v>1.5</v></c>'))
    assert f"Uncertainty!{cell}" in msg and "strictly between -1 and 1" in msg, msg


# ---------------------------------------------------------------- .ods


def test_an_ods_file_is_told_how_to_save_as_xlsx(tmp_path):
    msg = refusal(tmp_path, b"PK\x03\x04", name="client.ods")
    assert "File > Save As > Excel 2007-365" in msg, msg
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    msg = refusal(tmp_path, buf.getvalue(), name="renamed.xlsx")
    assert "OpenDocument" in msg and "File > Save As > Excel 2007-365" in msg, msg


# ---------------------------------------------------------------- 15 significant digits


def test_values_rounded_to_15_digits_keep_the_exact_value(tmp_path):
    p = load_project(EXAMPLE)
    d = no_plan(p)
    s = d["scenarios"][0]
    exact = 0.1 + 0.2 + 0.55  # 0.8500000000000001: 16 significant digits
    assert format(exact, ".15g") == "0.85" and exact != 0.85
    key = next(k for k, v in s["parameters"].items() if isinstance(v, float) and 0 < v < 1)
    s["parameters"][key] = exact
    project = project_from_dict(d)
    data = workbook_bytes(project)
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    ws = wb["Inputs"]
    kc = next(c.column for c in ws[4] if c.value == "Key")
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, kc).value == key)
    cell = f"E{row}"
    # a spreadsheet saved 0.85: the project's own 0.8500000000000001 comes back
    back = tmp_path / "rounded.xlsx"
    back.write_bytes(patch_cell(data, INPUTS, cell, f'<c r="{cell}"><v>0.85</v></c>'))
    assert read_workbook(back).scenarios[0].parameters[key] == exact
    # a value that differs within 15 digits is the client's
    typed = tmp_path / "typed.xlsx"
    typed.write_bytes(patch_cell(data, INPUTS, cell, f'<c r="{cell}"><v>0.85000000000001</v></c>'))
    assert read_workbook(typed).scenarios[0].parameters[key] == 0.85000000000001


# ---------------------------------------------------------------- nothing read in part


def test_a_shrunk_dimension_element_still_reads_every_cell(tmp_path, data, project):
    def shrink(xml: str) -> str:
        assert "<dimension " in xml
        return re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1"/>', xml)

    shrunk = rewrite(rewrite(data, INPUTS, shrink), UNC, shrink)
    path = tmp_path / "shrunk.xlsx"
    path.write_bytes(shrunk)
    back = read_workbook(path)
    assert [s.name for s in back.scenarios] == [s.name for s in project.scenarios]
    for a, b in zip(back.scenarios, project.scenarios, strict=True):
        assert a.parameters == b.parameters
        assert a.uncertainty == b.uncertainty
        assert a.correlations == b.correlations
    assert sum(len(s.uncertainty) for s in back.scenarios) > 0
