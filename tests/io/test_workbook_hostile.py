"""Hostile and broken workbooks are refused with exit 2 and one message naming the place."""

from __future__ import annotations

import io
import zipfile

import pytest
import xlsxwriter
from test_workbook_roundtrip import col_letter, layout, patch_cell

from cgtdesk.cli.main import main
from cgtdesk.core.errors import DomainError, InputError
from cgtdesk.io.projectfile import load_project
from cgtdesk.io.workbook import read_workbook, workbook_bytes

INPUTS_PART = "xl/worksheets/sheet2.xml"
UNC_PART = "xl/worksheets/sheet3.xml"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """(bytes of the exported example, its layout, the project)."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"
    project = load_project(example)
    data = workbook_bytes(project)
    path = tmp_path_factory.mktemp("wb") / "example.xlsx"
    path.write_bytes(data)
    return data, layout(path), project


def refused(tmp_path, data: bytes, name="client.xlsx", capsys=None) -> str:
    """The one message of the refusal, checked through the CLI too (exit 2, no traceback)."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as e:
        read_workbook(path)
    msg = str(e.value)
    assert msg.startswith(name), msg
    assert "\n" not in msg
    if capsys is not None:
        capsys.readouterr()
        assert main(["compute", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.strip() == f"cgtdesk: {msg}" and "Traceback" not in err
    return msg


def ref_of(exported, scenario_index, key):
    _data, (keys, cols, _hr), project = exported
    name = project.scenarios[scenario_index].name
    return f"{col_letter(cols[name])}{keys[key]}", name


# ---------------------------------------------------------------- the container


def test_not_a_zip(tmp_path, capsys):
    msg = refused(tmp_path, b"Name,Value\npatients,500\n", capsys=capsys)
    assert "not a zip archive" in msg


def test_truncated(tmp_path, exported, capsys):
    data = exported[0]
    msg = refused(tmp_path, data[: len(data) // 2], capsys=capsys)
    assert "damaged or truncated" in msg


def test_zip_that_is_not_a_workbook(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "not an Excel workbook" in refused(tmp_path, buf.getvalue())


def test_old_xls_and_encrypted_ole(tmp_path):
    msg = refused(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "OLE file" in msg and "password" in msg


def _plain_workbook(write) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    write(wb)
    wb.close()
    return buf.getvalue()


def test_no_inputs_sheet(tmp_path):
    data = _plain_workbook(lambda wb: wb.add_worksheet("Data").write(0, 0, "hello"))
    msg = refused(tmp_path, data)
    assert "no 'Inputs' sheet" in msg and "Data" in msg


def test_no_key_header(tmp_path):
    def write(wb):
        ws = wb.add_worksheet("Inputs")
        ws.write_row(0, 0, ["Group", "Parameter", "Name", "Unit", "Scenario A"])

    assert "no header row with a 'Key' cell" in refused(tmp_path, _plain_workbook(write))


def test_macros_by_suffix_and_by_content(tmp_path, exported):
    data = exported[0]
    assert "macro" in refused(tmp_path, data, name="client.xlsm")
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, src.read(info.filename))
        z.writestr("xl/vbaProject.bin", b"\0" * 100)
    msg = refused(tmp_path, buf.getvalue())
    assert "macros" in msg and "vbaProject.bin" in msg


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def _replace_part(data: bytes, part: str, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == part:
                content = edit(content.decode("utf-8")).encode("utf-8")
            z.writestr(info, content)
    return buf.getvalue()


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/sharedStrings.xml", INPUTS_PART])
def test_entity_expansion_bomb(tmp_path, exported, part, capsys):
    def edit(xml):
        body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
        # the bomb is referenced inside the first text or value of the part
        root_end = body.index(">") + 1
        return BOMB + body[:root_end] + "<!-- &lol9; -->" + body[root_end:]

    msg = refused(tmp_path, _replace_part(exported[0], part, edit), capsys=capsys)
    assert "entit" in msg and "refused for safety" in msg


def test_zip_bomb_refused_before_inflating(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    msg = refused(tmp_path, buf.getvalue())
    assert "zip bomb" in msg and "sheet1.xml" in msg


def test_declared_size_over_the_cap(tmp_path, monkeypatch):
    import cgtdesk.io.workbook.guard as wi

    monkeypatch.setattr(wi, "MAX_UNCOMPRESSED_TOTAL", 1000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", "<Types/>" + " " * 600)
        z.writestr("xl/workbook.xml", "<workbook/>" + " " * 600)
    assert "would unpack to" in refused(tmp_path, buf.getvalue())


# ---------------------------------------------------------------- the cells


def test_text_where_a_number_belongs(tmp_path, exported, capsys):
    ref, name = ref_of(exported, 0, "auto.process_days")
    data = patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}" t="inlineStr"><is><t>nine days</t></is></c>')
    msg = refused(tmp_path, data, capsys=capsys)
    assert f"Inputs!{ref}, scenario '{name}', parameter 'auto.process_days'" in msg
    assert "expected a number, found text 'nine days'" in msg


def test_error_value(tmp_path, exported):
    ref, name = ref_of(exported, 2, "allo.dsp_yield")
    data = patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    msg = refused(tmp_path, data)
    assert f"Inputs!{ref}, scenario '{name}', parameter 'allo.dsp_yield'" in msg and "the error value #DIV/0!" in msg


def test_formula_with_a_cached_value_is_taken(tmp_path, exported):
    ref, _name = ref_of(exported, 0, "demand.patients_per_year")
    path = tmp_path / "f.xlsx"
    path.write_bytes(patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}"><f>400+200</f><v>600</v></c>'))
    assert read_workbook(path).scenarios[0].parameters["demand.patients_per_year"] == 600


def test_formula_without_cached_value(tmp_path, exported):
    ref, name = ref_of(exported, 0, "demand.patients_per_year")
    data = patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}"><f>400+200</f></c>')
    msg = refused(tmp_path, data)
    assert f"Inputs!{ref}, scenario '{name}'" in msg and "a formula (=400+200) with no saved value" in msg


def test_empty_cell_of_an_input(tmp_path, exported):
    ref, name = ref_of(exported, 1, "facility.sites")
    msg = refused(tmp_path, patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}"/>'))
    assert f"Inputs!{ref}, scenario '{name}', parameter 'facility.sites'" in msg and "found an empty cell" in msg


def test_out_of_range_and_not_whole(tmp_path, exported):
    ref, name = ref_of(exported, 0, "demand.patients_per_year")
    msg = refused(tmp_path, patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}"><v>2000000</v></c>'))
    assert f"Inputs!{ref}, scenario '{name}'" in msg and "expected a number from 1 to 1000000, found 2000000" in msg
    ref, name = ref_of(exported, 0, "facility.sites")
    msg = refused(tmp_path, patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}"><v>2.5</v></c>'))
    assert f"Inputs!{ref}" in msg and "a whole number, found 2.5" in msg


def test_value_for_a_key_of_the_other_process(tmp_path, exported):
    ref, name = ref_of(exported, 2, "auto.process_days")  # scenario 3 is allogeneic
    msg = refused(tmp_path, patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}"><v>9</v></c>'))
    assert f"Inputs!{ref}, scenario '{name}'" in msg and "belongs to autologous scenarios" in msg


def test_misspelt_key(tmp_path, exported):
    _d, (keys, _cols, _hr), _p = exported
    ref = f"C{keys['auto.batch_success_rate']}"
    msg = refused(
        tmp_path,
        patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}" t="inlineStr"><is><t>auto.batch_sucess_rate</t></is></c>'),
    )
    assert (
        f"Inputs!{ref}" in msg
        and "unknown key 'auto.batch_sucess_rate'" in msg
        and "did you mean 'auto.batch_success_rate'" in msg
    )


def test_duplicate_scenario_names(tmp_path, exported):
    _d, (_keys, cols, hr), project = exported
    ref = f"{col_letter(cols[project.scenarios[1].name])}{hr}"
    first = project.scenarios[0].name
    msg = refused(tmp_path, patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}" t="inlineStr"><is><t>{first}</t></is></c>'))
    assert f"Inputs!{ref}" in msg and f"'{first}' is used twice" in msg


def test_bad_process(tmp_path, exported):
    _d, (keys, cols, _hr), project = exported
    ref = f"{col_letter(cols[project.scenarios[0].name])}{keys['process']}"
    msg = refused(
        tmp_path, patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}" t="inlineStr"><is><t>autologus</t></is></c>')
    )
    assert f"Inputs!{ref}" in msg and "expected autologous or allogeneic, found text 'autologus'" in msg


def test_a_lot_that_yields_no_dose(tmp_path, exported, capsys):
    ref, name = ref_of(exported, 2, "allo.bioreactor_volume_l")
    path = tmp_path / "nodose.xlsx"
    path.write_bytes(patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}"><v>0.01</v></c>'))
    with pytest.raises(DomainError) as e:
        read_workbook(path)
    msg = str(e.value)
    assert f"scenario '{name}'" in msg and "yields" in msg and f"Inputs!{ref}" in msg
    assert main(["compute", str(path)]) == 2


def test_bad_distribution_names_its_cell(tmp_path, exported):
    data = exported[0]
    # the first distribution row is row 5 on Uncertainty; column E holds the distribution
    msg = refused(tmp_path, patch_cell(data, UNC_PART, "E5", '<c r="E5" t="inlineStr"><is><t>gaussian</t></is></c>'))
    assert "Uncertainty!E5" in msg and "expected one of fixed, uniform" in msg and "gaussian" in msg


def test_missing_key_row(tmp_path, exported):
    _d, (keys, _cols, _hr), _p = exported
    ref = f"C{keys['labour.hours_per_fte_year']}"
    msg = refused(tmp_path, patch_cell(exported[0], INPUTS_PART, ref, f'<c r="{ref}"/>'))
    assert "no row with the key 'labour.hours_per_fte_year'" in msg


def test_missing_file(tmp_path, capsys):
    assert main(["compute", str(tmp_path / "nope.xlsx")]) == 2
    assert "no such file" in capsys.readouterr().err
