"""A client round trip that can be trusted (docs/workbook.md, "What import reports"): a scenario
renamed on the Inputs header is matched to the exported one, formulas overwritten are listed,
the workbook says where it came from, the client's notes come back with their cells.
LibreOffice plays the client's program where ``soffice`` is installed."""

from __future__ import annotations

import copy
import json

import openpyxl
import pytest
from openpyxl.comments import Comment
from test_workbook_libreoffice import SOFFICE, profile, resave  # noqa: F401 (profile is a fixture)
from test_workbook_roundtrip import layout

from cgtdesk.cli.main import main
from cgtdesk.core.diff import diff_projects
from cgtdesk.io.projectfile import load_project, save_project
from cgtdesk.io.workbook import export_workbook, import_report, read_workbook

needs_lo = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def _calc_cell(path, row_id: str, name: str) -> str:
    """The Calculations cell of row ``row_id`` in scenario ``name``'s column, e.g. 'D82'."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(wb["Calculations"].iter_rows(values_only=True))
    wb.close()
    hr = next(i for i, r in enumerate(rows) if r[:3] == ("Quantity", "Name", "Unit"))
    c = list(rows[hr]).index(name)
    i = next(i for i, r in enumerate(rows) if r[1] == row_id)
    return f"{openpyxl.utils.get_column_letter(c + 1)}{i + 1}"


def _victim(old) -> int:
    """An autologous scenario that no launch-plan switch names (the plan's own sheets are read
    by their own reader)."""
    named = {sw[end] for sw in (old.plan.switches if old.plan else ()) for end in ("from", "to")}
    return next(j for j, s in enumerate(old.scenarios) if s.process == "autologous" and s.name not in named)


def _client_edits(exported, tmp_path, old):
    """Rename the first scenario on Inputs, change one of its inputs, overwrite a formula on
    Calculations with 400, comment an input cell and type a note: the client's copy."""
    keys, cols, hr = layout(exported)
    a = old.scenarios[_victim(old)]
    calc = _calc_cell(exported, "Dd", a.name)
    wb = openpyxl.load_workbook(exported)
    ws = wb["Inputs"]
    c = cols[a.name]
    ws.cell(hr, c).value = "Autologous, renamed by the client"
    ws.cell(keys["demand.patients_per_year"], c).value = 640
    ws.cell(keys["auto.process_days"], c).comment = Comment("our CMO says 8 days", "client")
    ws.cell(keys["notes"], c).value = "checked with finance on 3 March"
    wb["Calculations"][calc].value = 400
    client = tmp_path / "client.xlsx"
    wb.save(client)
    refs = {
        "demand": f"Inputs!{openpyxl.utils.get_column_letter(c)}{keys['demand.patients_per_year']}",
        "comment": f"Inputs!{openpyxl.utils.get_column_letter(c)}{keys['auto.process_days']}",
        "note": f"Inputs!{openpyxl.utils.get_column_letter(c)}{keys['notes']}",
        "calc": f"Calculations!{calc}",
    }
    return client, refs


def _check_report(back, old, refs, new_name):
    a = old.scenarios[_victim(old)]
    rep = import_report(back)
    d = diff_projects(old, back, renames=rep.renames(old))
    assert d["added"] == [] and d["removed"] == []
    assert d["renamed"] == [{"from": a.name, "to": new_name}]
    got = [(x["scenario"], x["key"], x["old"], x["new"]) for x in d["changes"]]
    assert got[0] == (new_name, "name", a.name, new_name)
    assert (new_name, "demand.patients_per_year", a.parameters["demand.patients_per_year"], 640) in got
    assert [o["cell"] for o in rep.overwritten] == [refs["calc"]]
    assert rep.overwritten[0]["message"] == f"{refs['calc']} overwritten with 400: ignored"
    notes = {(n["cell"], n["kind"], n["text"]) for n in rep.notes}
    assert (refs["comment"], "comment", "our CMO says 8 days") in {(c, k, t.split("\n")[-1]) for c, k, t in notes}
    assert (refs["note"], "note", "checked with finance on 3 March") in notes


def test_rename_and_overwrite_read_without_recalculation(example_path, tmp_path):
    """openpyxl stands in for a program that saves without calculating: no cached values."""
    old = load_project(example_path)
    exported = tmp_path / "exported.xlsx"
    export_workbook(old, exported, analyses=False)
    client, refs = _client_edits(exported, tmp_path, old)
    back = read_workbook(client)
    new_name = "Autologous, renamed by the client"
    j = _victim(old)
    assert back.names()[j] == new_name
    # the Uncertainty rows of the renamed scenario follow it (their name formulas had no value)
    assert back.scenarios[j].uncertainty == old.scenarios[j].uncertainty
    _check_report(back, old, refs, new_name)


@pytest.mark.slow
@needs_lo
def test_rename_in_libreoffice_follows_everywhere_and_import_says_so(profile, example_path, tmp_path, capsys):  # noqa: F811
    old = load_project(example_path)
    exported = tmp_path / "exported.xlsx"
    export_workbook(old, exported)
    client, refs = _client_edits(exported, tmp_path, old)
    (resaved,) = resave(profile, [client], tmp_path / "lo")
    new_name = "Autologous, renamed by the client"
    wb = openpyxl.load_workbook(resaved, read_only=True, data_only=True)
    for sheet in ("Calculations", "Results", "Checks", "Uncertainty", "Cover", "Sweep", "MonteCarlo", "Tornado"):
        texts = [v for row in wb[sheet].iter_rows(values_only=True) for v in row if isinstance(v, str)]
        assert any(new_name in t for t in texts), sheet
        assert not any(old.scenarios[_victim(old)].name == t for t in texts), sheet
    wb.close()
    back = read_workbook(resaved)
    _check_report(back, old, refs, new_name)
    # the command line lists the same
    against = tmp_path / "old.cgtproj"
    save_project(old, against)
    out = tmp_path / "back.cgtproj"
    assert main(["import", str(resaved), "-o", str(out), "--against", str(against), "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["renamed"] == [{"from": old.scenarios[_victim(old)].name, "to": new_name}]
    assert j["overwritten_formulas"][0]["cell"] == refs["calc"]
    assert any(f == f"{refs['calc']} overwritten with 400: ignored" for f in j["findings"])
    assert j["origin"]["project_title"] == old.title
    assert main(["import", str(resaved), "-o", str(out), "--against", str(against)]) == 0
    text = capsys.readouterr().out
    assert f"renamed from {old.scenarios[_victim(old)].name} to {new_name}" in text
    assert f"{refs['calc']} overwritten with 400: ignored" in text
    assert "the project compared with holds exactly the inputs of that export" in text


def test_names_that_differ_only_by_spaces_match_with_a_message(example_path):
    old = load_project(example_path)
    new = old.copy()
    new.scenarios[1].name = " " + old.scenarios[1].name + "  "
    new.scenarios[1].parameters["demand.patients_per_year"] = 777
    d = diff_projects(old, new)
    assert d["added"] == [] and d["removed"] == []
    first, second = d["changes"][:2]
    assert first["key"] == "name" and "differs only by spaces" in first["message"]
    assert (second["scenario"], second["key"], second["new"]) == (new.scenarios[1].name, "demand.patients_per_year", 777)


def test_another_project_is_named_in_a_warning(example_path, tmp_path, capsys):
    old = load_project(example_path)
    exported = tmp_path / "exported.xlsx"
    export_workbook(old, exported, analyses=False)
    other = old.copy()
    other.title = "Another client"
    against = tmp_path / "other.cgtproj"
    save_project(other, against)
    assert main(["import", str(exported), "-o", str(tmp_path / "x.cgtproj"), "--against", str(against)]) == 0
    text = capsys.readouterr().out
    assert f"warning: the workbook was exported from project '{old.title}'" in text
    assert "not from 'Another client'" in text


# ---------------------------------------------------------------- any valid name exports

TROUBLESOME = [
    "Inputs!E10",
    "Autologous!CD19 line",
    "Plant!A1 variant",
    "'quoted' and \"double\"",
    "=SUM(A1:A3)",
    "+44 line",
    "-minus",
    "@at",
    "[brackets] (and) {braces}",
    "x" * 200,
    "Zelltherapie – Ünïcödé 細胞 🧬",
    "a, b; c",
]


def _troublesome_project(example_path):
    base = load_project(example_path)
    auto = next(s for s in base.scenarios if s.process == "autologous" and s.uncertainty)
    allo = next(s for s in base.scenarios if s.process == "allogeneic")
    p = base.copy()
    p.plan = None
    p.scenarios = []
    for i, name in enumerate(TROUBLESOME):
        s = copy.deepcopy(auto if i % 2 == 0 else allo)
        s.name = name
        p.scenarios.append(s)
    return p


def _chart_texts(xlsx):
    """Every series name and title of every chart: ('ref', 'Sheet!$A$1') or ('text', '...')."""
    import re
    import zipfile

    out = []
    with zipfile.ZipFile(xlsx) as z:
        for part in z.namelist():
            if part.startswith("xl/charts/chart"):
                xml = z.read(part).decode("utf-8")
                for tx in re.findall(r"<c:tx>(.*?)</c:tx>", xml, re.S):
                    f = re.search(r"<c:f>(.*?)</c:f>", tx, re.S)
                    if f:
                        out.append(("ref", f.group(1)))
                    else:
                        out.append(("text", "".join(re.findall(r"<(?:a:t|c:v)>(.*?)</(?:a:t|c:v)>", tx, re.S))))
    return out


def test_any_valid_name_exports_and_every_chart_name_is_a_cell_or_text(example_path, tmp_path):
    project = _troublesome_project(example_path)
    src = tmp_path / "names.cgtproj"
    save_project(project, src)
    out = tmp_path / "names.xlsx"
    assert main(["export", str(src), "-o", str(out)]) == 0
    texts = _chart_texts(out)
    assert texts
    wb = openpyxl.load_workbook(out, data_only=True)
    for kind, value in texts:
        if kind == "ref":
            sheet, _, cell = value.rpartition("!")
            sheet = sheet.strip("'").replace("''", "'")
            assert sheet in wb.sheetnames, value
            assert wb[sheet][cell.replace("$", "")].value not in (None, ""), value
        else:
            assert value and "!" not in value, value  # the app's own words, never a scenario name
    # every name comes back exactly as written
    assert read_workbook(out).names() == TROUBLESOME


@pytest.mark.slow
@needs_lo
def test_troublesome_names_open_in_libreoffice(profile, example_path, tmp_path):  # noqa: F811
    project = _troublesome_project(example_path)
    out = tmp_path / "names.xlsx"
    export_workbook(project, out)
    (resaved,) = resave(profile, [out], tmp_path / "lo")
    wb = openpyxl.load_workbook(resaved, read_only=True, data_only=True)
    header = next(r for r in wb["Results"].iter_rows(values_only=True) if r[:3] == ("Result", "Key", "Unit"))
    assert list(header[3 : 3 + len(TROUBLESOME)]) == TROUBLESOME
    wb.close()
    assert read_workbook(resaved).names() == TROUBLESOME


# ---------------------------------------------------------------- checks that always give a number


@pytest.mark.slow
@needs_lo
def test_sorted_inputs_give_a_master_check_of_1_and_a_verdict_in_words(profile, example_path, tmp_path):  # noqa: F811
    project = load_project(example_path)
    out = tmp_path / "e.xlsx"
    export_workbook(project, out, analyses=False)
    keys, _cols, _hr = layout(out)
    wb = openpyxl.load_workbook(out)
    ws = wb["Inputs"]
    first = min(v for k, v in keys.items() if k not in ("process", "notes", "scenario_id"))
    last = max(keys.values())
    width = ws.max_column
    rows = [[ws.cell(r, c).value for c in range(1, width + 1)] for r in range(first, last + 1)]
    rows.sort(key=lambda r: str(r[2]), reverse=True)  # the client sorts by key, Z to A, values only
    for i, values in enumerate(rows):
        for c, v in enumerate(values, start=1):
            ws.cell(first + i, c).value = v
    wb["Calculations"]["A1"].value = None  # and clears a label: nothing an error value could come from
    client = tmp_path / "sorted.xlsx"
    wb.save(client)
    (resaved,) = resave(profile, [client], tmp_path / "lo")
    wb = openpyxl.load_workbook(resaved, read_only=True, data_only=True)
    checks = list(wb["Checks"].iter_rows(values_only=True))
    cover = [v for row in wb["Cover"].iter_rows(values_only=True) for v in row]
    wb.close()
    master = next(r for r in checks if r[0] == "Master check")
    assert [v for v in master[2:] if v is not None] == [1]
    hr = next(i for i, r in enumerate(checks) if r[0] == "Check")
    for r in checks[hr + 1 :]:
        for v in r[2:]:
            assert v in (None, 0, 1, "n/a"), r  # never an error value
    assert "A check fails: see the Checks sheet" in cover
    # and the import still reads every input by its key, saying the checks fail
    back = read_workbook(resaved)
    assert any("the workbook's checks fail" in line for line in import_report(back).findings())
