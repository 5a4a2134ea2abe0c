"""Export then import gives back the same project; the CLI commands; import --against."""

from __future__ import annotations

import json
import math
import random
import re
import zipfile

import openpyxl
import pytest

from cgtdesk.cli.main import main
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.diff import diff_projects
from cgtdesk.core.errors import DomainError
from cgtdesk.core.model import evaluate
from cgtdesk.core.project import Project, new_scenario, project_from_dict
from cgtdesk.io.projectfile import load_project, save_project
from cgtdesk.io.workbook import export_workbook, read_workbook, workbook_bytes

# ---------------------------------------------------------------- shared helpers (imported by the other workbook tests)


def random_scenario(rng: random.Random, name: str, process: str, *, ugly_floats: bool = False):
    """Every parameter moved from its default by up to x/÷ 2, kept in range, valid as a whole."""
    cat = catalogue()
    for _ in range(200):
        params = {}
        for key, p in cat.parameters.items():
            if not p.applies_to(process):
                continue
            base = p.default[process]
            if p.is_choice:
                params[key] = rng.choice(p.choices)
                continue
            if p.unit in ("fraction", "fraction of price", "fraction of capex/yr") or p.max <= 1:
                v = base + rng.uniform(-0.3, 0.3) * max(base, 0.05)
            elif base == 0:
                v = rng.choice([0, rng.uniform(0, min(p.max, 0.2))])
            else:
                v = base * math.exp(rng.uniform(-0.7, 0.7))
            v = min(max(v, p.min), p.max)
            if p.integer:
                v = int(round(v))
            elif not ugly_floats:
                v = float(f"{v:.6g}")
            params[key] = v
        if rng.random() < 0.25:
            params["finance.discount_rate"] = 0  # the zero-rate case of crf
        if rng.random() < 0.2:
            params["commercial.price_per_dose"] = 0  # gross margin is null
        if process == "autologous" and rng.random() < 0.3:
            params["auto.service_level"] = 0  # devices by the utilisation rule
        if process == "allogeneic" and rng.random() < 0.3:
            params["allo.shelf_life_days"] = 0  # no shelf life
        try:
            evaluate(process, params)
        except DomainError:
            continue
        return new_scenario(name, process, params)
    raise AssertionError("no valid random scenario")


def random_project(seed: int, n: int = 4, *, ugly_floats: bool = False) -> Project:
    rng = random.Random(seed)
    scen = []
    for i in range(n):
        process = ("autologous", "allogeneic")[i % 2]
        scen.append(random_scenario(rng, f"S{i + 1} {process} #{seed}", process, ugly_floats=ugly_floats))
    return Project(title=f"Random project {seed}", currency=rng.choice(["USD", "EUR", "GBP"]), scenarios=scen)


def layout(path, sheet="Inputs"):
    """(key -> row, scenario name -> column, header row), 1-based, read with openpyxl from the file."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    hr = next(i for i, r in enumerate(rows) if "Key" in r)
    kc = rows[hr].index("Key")
    keys = {r[kc]: i + 1 for i, r in enumerate(rows) if i > hr and kc < len(r) and isinstance(r[kc], str)}
    proc_row = rows[keys["process"] - 1]
    cols = {rows[hr][c]: c + 1 for c in range(len(rows[hr])) if c < len(proc_row) and proc_row[c] in ("autologous", "allogeneic")}
    return keys, cols, hr + 1


def col_letter(c: int) -> str:
    return openpyxl.utils.get_column_letter(c)


def patch_cell(xlsx: bytes, sheet_part: str, ref: str, cell_xml: str) -> bytes:
    """The workbook with one cell of a sheet part replaced by raw XML (a stand-in for a file
    a client's spreadsheet program wrote)."""
    import io

    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == sheet_part:
                text = data.decode("utf-8")
                pattern = re.compile(rf'<c r="{ref}"(?: [^>]*)?(?:/>|>.*?</c>)')
                assert pattern.search(text), f"cell {ref} not in {sheet_part}"
                text = pattern.sub(lambda m: cell_xml, text, count=1)
                data = text.encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


def no_plan(p: Project) -> dict:
    """The project as a dict without its launch plan (the workbook does not carry the plan)."""
    d = p.to_dict()
    d.pop("plan", None)
    return d


def same_project(a: Project, b: Project) -> bool:
    return no_plan(a) == no_plan(b)


# ---------------------------------------------------------------- tests


def test_example_round_trip_is_exact(example_path, tmp_path):
    project = load_project(example_path)
    out = tmp_path / "example.xlsx"
    export_workbook(project, out)
    back = read_workbook(out)
    assert no_plan(back) == no_plan(project)
    assert json.loads(example_path.read_text())["scenarios"][0]["notes"] == back.scenarios[0].notes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_projects_round_trip(seed, tmp_path):
    project = random_project(seed, n=3 + seed, ugly_floats=(seed == 3))
    project.scenarios[0].notes = "=HYPERLINK(\"http://x\") starts with '=' and must stay text"
    project.scenarios[1].name = "=SUM(A1:A9)"
    project.title = "=1+1 a title that looks like a formula"
    out = tmp_path / "r.xlsx"
    export_workbook(project, out)
    back = read_workbook(out)
    assert no_plan(back) == no_plan(project)


def test_uncertainty_and_correlations_round_trip(tmp_path):
    project = random_project(7, n=2)
    s = project.scenarios[0]
    s.uncertainty = {
        "auto.batch_success_rate": {"dist": "triangular", "low": 0.8, "mode": 0.9, "high": 0.99},
        "auto.process_days": {"dist": "uniform", "low": 7, "high": 12},
        "labour.cost_per_fte_year": {"dist": "normal", "mean": 100000, "sd": 10000},
        "auto.vector_cost_per_batch": {"dist": "lognormal", "median": 15000, "sigma": 0.3},
        "auto.qc_cost_per_batch": {"dist": "pert", "low": 9000, "mode": 12000, "high": 16000},
        "staff.site_fte": {"dist": "fixed", "value": 20},
    }
    s.correlations = [{"a": "auto.batch_success_rate", "b": "auto.process_days", "rho": -0.4}]
    project = project_from_dict(project.to_dict())  # as the app holds it
    out = tmp_path / "u.xlsx"
    export_workbook(project, out)
    assert no_plan(read_workbook(out)) == no_plan(project)


def test_inputs_layout_and_styles(example_path, tmp_path):
    project = load_project(example_path)
    out = tmp_path / "e.xlsx"
    export_workbook(project, out)
    wb = openpyxl.load_workbook(out)  # full mode: styles, validation, protection
    assert wb.sheetnames[:5] == ["Cover", "Inputs", "Uncertainty", "Calculations", "Results"]
    visible = [n for n in wb.sheetnames if wb[n].sheet_state == "visible"]
    assert "Sweep" in visible and visible[-1] == "Checks"
    assert wb.sheetnames[-1] == "Export" and wb["Export"].sheet_state == "hidden"  # the export record
    ws = wb["Inputs"]
    keys, cols, hr = layout(out)
    header = [c.value for c in ws[hr]]
    assert header[:4] == ["Group", "Parameter", "Key", "Unit"]
    n = len(project.scenarios)
    assert header[4 : 4 + n] == project.names() and header[4 + n : 6 + n] == ["Valid range", "Source"]
    auto_col = cols[project.scenarios[0].name]
    allo_col = cols[project.scenarios[2].name]
    cell = ws.cell(keys["auto.process_days"], auto_col)
    assert cell.value == 9 and cell.protection.locked is False
    assert cell.font.color.rgb.endswith("0000FF") and cell.fill.fgColor.rgb.endswith("FFF2CC")
    assert ws.cell(keys["auto.process_days"], allo_col).value is None  # does not apply
    assert ws.cell(keys["commercial.target_gross_margin"], auto_col).number_format.endswith("%")
    assert "USD" in ws.cell(keys["commercial.price_per_dose"], auto_col).number_format
    for name in wb.sheetnames:
        assert wb[name].protection.sheet and not wb[name].protection.password
    # validation: whole numbers for integer parameters, with the catalogue range
    dv = {str(d.sqref): d for d in ws.data_validations.dataValidation}
    sites = dv[f"{col_letter(auto_col)}{keys['facility.sites']}"]
    assert sites.type == "whole" and float(sites.formula1) == 1 and float(sites.formula2) == 1000
    v2 = dv[f"{col_letter(auto_col)}{keys['auto.batch_success_rate']}"]
    assert v2.type == "decimal" and float(v2.formula1) == 0.01 and float(v2.formula2) == 1
    mode = dv[f"{col_letter(auto_col)}{keys['facility.mode']}"]
    assert mode.type == "list" and mode.formula1.startswith("Calculations!$")  # the labelled mode cells, a range
    assert ws.cell(keys["facility.mode"], auto_col).value == project.scenarios[0].parameters["facility.mode"]
    # user text is text, not a formula
    assert wb["Cover"]["C5"].value == project.title


def test_cached_values_are_the_apps_results(example_path, tmp_path):
    project = load_project(example_path)
    out = tmp_path / "e.xlsx"
    export_workbook(project, out)
    formulas_wb = openpyxl.load_workbook(out, read_only=True)
    values_wb = openpyxl.load_workbook(out, read_only=True, data_only=True)
    f_rows = list(formulas_wb["Results"].iter_rows(values_only=True))
    v_rows = list(values_wb["Results"].iter_rows(values_only=True))
    hr = next(i for i, r in enumerate(f_rows) if r[:3] == ("Result", "Key", "Unit"))
    assert f_rows[hr][3] == "=Inputs!$E$4"  # the name is typed once, on Inputs
    names = list(v_rows[hr][3 : 3 + len(project.scenarios)])
    assert names == project.names()
    checked = 0
    for fr, vr in zip(f_rows[hr + 1 :], v_rows[hr + 1 :], strict=True):
        key = fr[1]
        if key not in catalogue().results:
            continue
        for j, s in enumerate(project.scenarios):
            app = evaluate(s.process, s.parameters)[key]
            if app is None:
                assert vr[3 + j] in ("n/a", None, "")
                continue
            assert isinstance(fr[3 + j], str) and fr[3 + j].startswith("="), (key, s.name)
            assert vr[3 + j] == pytest.approx(app, rel=1e-12), (key, s.name)
            checked += 1
    assert checked >= 20 * len(project.scenarios) - 5


def test_cli_export_import_against(example_path, tmp_path, capsys):
    xlsx = tmp_path / "client.xlsx"
    assert main(["export", str(example_path), "-o", str(xlsx)]) == 0
    original = xlsx.read_bytes()
    keys, cols, _ = layout(xlsx)
    # the client changes two inputs (edited as raw cells, as a spreadsheet program writes them)
    a = load_project(example_path).scenarios
    ref1 = f"{col_letter(cols[a[0].name])}{keys['demand.patients_per_year']}"
    ref2 = f"{col_letter(cols[a[2].name])}{keys['allo.dsp_yield']}"
    data = patch_cell(original, "xl/worksheets/sheet2.xml", ref1, f'<c r="{ref1}"><v>750</v></c>')
    data = patch_cell(data, "xl/worksheets/sheet2.xml", ref2, f'<c r="{ref2}"><v>0.65</v></c>')
    edited = tmp_path / "edited.xlsx"
    edited.write_bytes(data)
    out = tmp_path / "back.cgtproj"
    capsys.readouterr()
    assert main(["import", str(edited), "-o", str(out), "--against", str(example_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["added"] == [] and report["removed"] == []
    assert {(c["scenario"], c["key"], c["old"], c["new"]) for c in report["changes"]} == {
        (a[0].name, "demand.patients_per_year", 500, 750),
        (a[2].name, "allo.dsp_yield", 0.6, 0.65),
    }
    back = load_project(out)
    assert back.scenarios[0].parameters["demand.patients_per_year"] == 750
    assert main(["import", str(edited), "-o", str(tmp_path / "b2.cgtproj"), "--against", str(example_path)]) == 0
    text = capsys.readouterr().out
    assert "2 input(s) differ" in text and "demand.patients_per_year" in text and "750" in text
    assert xlsx.read_bytes() == original  # never written into
    # compute reads a workbook directly
    assert main(["compute", str(edited), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    s0 = back.scenarios[0]
    assert res["scenarios"][0]["results"]["cogs_per_dose"] == pytest.approx(
        evaluate(s0.process, s0.parameters)["cogs_per_dose"], rel=1e-12
    )


def test_against_lists_added_and_removed_scenarios(example_path, tmp_path):
    old = load_project(example_path)
    new = old.copy()
    new.scenarios.pop(1)
    new.scenarios.append(new_scenario("Brand new", "allogeneic"))
    new.scenarios[0].notes = "changed note"
    d = diff_projects(old, new)
    assert d["added"] == ["Brand new"] and d["removed"] == [old.scenarios[1].name]
    assert d["changes"] == [
        {"scenario": old.scenarios[0].name, "key": "notes", "old": old.scenarios[0].notes, "new": "changed note"}
    ]


def test_export_refuses_nothing_and_writes_atomically(example_path, tmp_path):
    out = tmp_path / "x.xlsx"
    out.write_bytes(b"old")
    export_workbook(load_project(example_path), out)
    assert out.read_bytes()[:2] == b"PK"
    assert [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]  # no temporary file left


def test_export_output_must_be_xlsx(example_path, tmp_path, capsys):
    assert main(["export", str(example_path), "-o", str(tmp_path / "x.csv")]) == 2
    assert "expected an output file ending in .xlsx" in capsys.readouterr().err


def test_workbook_bytes_is_deterministic_but_for_time(example_path):
    import datetime as dt

    project = load_project(example_path)
    now = dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC)
    assert workbook_bytes(project, now=now)[:2] == b"PK"


def test_save_project_after_import_is_a_valid_project(example_path, tmp_path):
    out = tmp_path / "e.xlsx"
    export_workbook(load_project(example_path), out)
    p = read_workbook(out)
    save_project(p, tmp_path / "p.cgtproj")
    assert same_project(load_project(tmp_path / "p.cgtproj"), p)


def test_columns_inserted_rows_sorted_and_extra_sheets_are_read_right(example_path, tmp_path):
    """The client inserts a column before everything, sorts the parameter rows, adds a notes
    column and a sheet: import still finds every input by its key and scenario header."""
    project = load_project(example_path)
    out = tmp_path / "e.xlsx"
    export_workbook(project, out, analyses=False)
    keys, cols, hr = layout(out)
    wb = openpyxl.load_workbook(out)
    ws = wb["Inputs"]
    first = min(v for k, v in keys.items() if k not in ("process", "notes"))
    last = max(keys.values())
    width = ws.max_column
    rows = [[ws.cell(r, c).value for c in range(1, width + 1)] for r in range(first, last + 1)]
    rows.sort(key=lambda r: r[2], reverse=True)  # sorted by key, Z to A
    for i, values in enumerate(rows):
        for c, v in enumerate(values, start=1):
            ws.cell(first + i, c).value = v
    ws.insert_cols(1)
    ws.cell(hr, 1).value = "Client ref"
    ws.cell(hr, width + 3).value = "Our comments"
    ws.cell(first + 3, width + 3).value = "looks high"
    wb.create_sheet("Notes", 0)["A1"] = "our own sheet first"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    assert no_plan(read_workbook(edited)) == no_plan(project)


def test_facility_mode_cell_reads_back_and_an_unknown_mode_is_refused(example_path, tmp_path, capsys):
    xlsx = tmp_path / "client.xlsx"
    assert main(["export", str(example_path), "-o", str(xlsx)]) == 0
    keys, cols, _ = layout(xlsx)
    old = load_project(example_path)
    s0 = old.scenarios[0]
    ref = f"{col_letter(cols[s0.name])}{keys['facility.mode']}"
    # the cell is a list-validated input offering the three modes
    with zipfile.ZipFile(xlsx) as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    # its list is a range of Calculations cells holding the three modes (never a literal comma
    # list, which a name with quotes or commas would break)
    m = re.search(
        rf'<dataValidation type="list"[^>]*sqref="[^"]*\b{ref}\b[^"]*"[^>]*>\s*<formula1>Calculations!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)</formula1>',
        sheet,
    )
    assert m, "the mode cell has no list drop-down over a range"
    import openpyxl

    calc = openpyxl.load_workbook(xlsx, data_only=True)["Calculations"]
    listed = [calc[f"{m[1]}{r}"].value for r in range(int(m[2]), int(m[4]) + 1)]
    assert m[1] == m[3] and listed == ["dedicated", "shared", "cdmo"]
    new_mode = "shared" if s0.parameters["facility.mode"] != "shared" else "cdmo"
    edited = tmp_path / "edited.xlsx"
    edited.write_bytes(
        patch_cell(
            xlsx.read_bytes(), "xl/worksheets/sheet2.xml", ref, f'<c r="{ref}" t="inlineStr"><is><t>{new_mode}</t></is></c>'
        )
    )
    capsys.readouterr()
    assert main(["import", str(edited), "-o", str(tmp_path / "b.cgtproj"), "--against", str(example_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(c["scenario"], c["key"], c["old"], c["new"]) for c in report["changes"]] == [
        (s0.name, "facility.mode", s0.parameters["facility.mode"], new_mode)
    ]
    # a mode the model does not know: exit 2 from import and compute, naming the cell and the choices
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        patch_cell(xlsx.read_bytes(), "xl/worksheets/sheet2.xml", ref, f'<c r="{ref}" t="inlineStr"><is><t>in-house</t></is></c>')
    )
    for argv in (["import", str(bad), "-o", str(tmp_path / "c.cgtproj")], ["compute", str(bad)]):
        capsys.readouterr()
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"Inputs!{ref}" in err and "dedicated, shared, cdmo" in err and "in-house" in err, err
