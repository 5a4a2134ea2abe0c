"""The exported formulas, evaluated by an independent Excel engine (the ``formulas`` package),
give the app's numbers to 1e-9 relative; the functions they use are on a short whitelist."""

from __future__ import annotations

import random
import re
import zipfile

import openpyxl
import pytest
from test_workbook_roundtrip import random_project, random_scenario

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.model import evaluate
from cgtdesk.core.project import Project, new_scenario
from cgtdesk.io.projectfile import load_project
from cgtdesk.io.workbook import export_workbook, formula_functions

formulas = pytest.importorskip("formulas")

#: what a client's Excel, LibreOffice, Numbers or Google Sheets all evaluate alike
#: (POISSON.DIST: Excel 2010+ and LibreOffice; written as _xlfn.POISSON.DIST in the file)
WHITELIST = {
    "IFERROR",
    "IF",
    "ROUNDUP",
    "ROUNDDOWN",
    "SUM",
    "ABS",
    "SUMPRODUCT",
    "ROUND",
    "AND",
    "OR",
    "ISNUMBER",
    "ISERROR",
    "MAX",
    "MIN",
    "EXP",
    "POISSON.DIST",
    "INDEX",  # the Changes sheet's live list
    "MATCH",
}


def _engine_values(path):
    """Every formula of the workbook recalculated by the formulas package: {(SHEET, ref): value}."""
    model = formulas.ExcelModel().loads(str(path)).finish()
    sol = model.calculate()
    out = {}
    for k, v in sol.items():
        m = re.match(r"'\[[^\]]+\]([^']+)'!([A-Z]+[0-9]+)$", k)
        if m:
            val = v.value[0][0] if hasattr(v, "value") else v
            out[(m.group(1).upper(), m.group(2))] = val
    return out


def _results_cells(path):
    """(result key, scenario name) -> cell ref on Results, found by the Key column and headers
    (the headers' cached values: they are formulas over the Inputs header)."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(wb["Results"].iter_rows(values_only=True))
    wb.close()
    hr = next(i for i, r in enumerate(rows) if r[:3] == ("Result", "Key", "Unit"))
    names = [n for n in rows[hr][3:] if n]
    cells = {}
    for i, r in enumerate(rows[hr + 1 :], start=hr + 2):
        if r[1] in catalogue().results:
            for j, n in enumerate(names):
                cells[(r[1], n)] = f"{openpyxl.utils.get_column_letter(4 + j)}{i}"
    return cells


def _check_against_app(path, project):
    got = _engine_values(path)
    cells = _results_cells(path)
    compared = 0
    for s in project.scenarios:
        app = evaluate(s.process, s.parameters)
        for key in catalogue().results:
            ref = cells[(key, s.name)]
            value = got.get(("RESULTS", ref))
            if app[key] is None:
                assert value is None or value in ("", "n/a") or str(value) in ("", "empty"), (s.name, key, value)
                continue
            assert value is not None, (s.name, key, ref)
            assert float(value) == pytest.approx(app[key], rel=1e-9, abs=1e-9), (s.name, key)
            compared += 1
    # every check holds, recalculated
    checks = [v for (sheet, _), v in got.items() if sheet == "CHECKS" and isinstance(v, (int, float))]
    assert checks and all(float(v) == 0 for v in checks if float(v) != 1e-9)
    return compared


def test_example_formulas_recalculate_to_the_apps_numbers(example_path, tmp_path):
    project = load_project(example_path)
    out = tmp_path / "example.xlsx"
    export_workbook(project, out, analyses=False)
    assert _check_against_app(out, project) > 90


def test_random_scenarios_of_both_processes(tmp_path):
    project = random_project(11, n=6)
    processes = {s.process for s in project.scenarios}
    assert processes == {"autologous", "allogeneic"}
    out = tmp_path / "random.xlsx"
    export_workbook(project, out, analyses=False)
    assert _check_against_app(out, project) > 100


def test_functions_used_are_whitelisted(example_path, tmp_path):
    assert formula_functions() <= WHITELIST
    out = tmp_path / "e.xlsx"
    export_workbook(random_project(3, n=4), out)
    used = set()
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                for f in re.findall(r"<f>(.*?)</f>", z.read(name).decode()):
                    f = re.sub(r"&quot;.*?&quot;", "", f)  # string literals
                    used.update(re.findall(r"([A-Z][A-Z0-9.]*)\(", f))
    assert used and used <= WHITELIST, used - WHITELIST


def test_no_constants_but_the_contracts_in_calculations(tmp_path):
    """Formulas hold cell references, 0/1 and the 1E-9 of docs/model.md's integer steps; nothing else."""
    out = tmp_path / "e.xlsx"
    export_workbook(random_project(5, n=2), out)
    wb = openpyxl.load_workbook(out, read_only=True)
    for row in wb["Calculations"].iter_rows(values_only=True):
        if row[:3] == ("Quantity", "Name", "Unit"):
            continue  # the header row: scenario names are formulas over the Inputs header, with labels
        for v in row:
            if isinstance(v, str) and v.startswith("="):
                body = re.sub(r"(?:[A-Za-z]+!)?\$?[A-Z]{1,3}\$?[0-9]+", "R", v)
                body = re.sub(r"1E-9|1E\+99", "", body)
                body = re.sub(r"_xlfn\.POISSON\.DIST", "POISSON", body)
                assert '"' not in body, v  # no text constants: the modes are labelled rows
                numbers = set(re.findall(r"(?<![A-Z])\d+(?:\.\d+)?", body))
                assert numbers <= {"0", "1"}, (v, numbers)


def _checks_by_label(got, path):
    """{check label: [value per scenario column]} of the recalculated Checks sheet."""
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb["Checks"].iter_rows(values_only=True))
    wb.close()
    out = {}
    for i, r in enumerate(rows, start=1):
        if isinstance(r[0], str):
            out[r[0]] = [got.get(("CHECKS", f"{openpyxl.utils.get_column_letter(c)}{i}")) for c in range(3, len(r) + 1)]
    return out


def v2_matrix_project(seed: int) -> Project:
    """Random version 2 scenarios: both processes, the three modes, both device rules, shelf
    life on and off, one to three sites."""
    rng = random.Random(seed)
    combos = [
        ("autologous", "dedicated", 1, True),
        ("autologous", "shared", 3, False),
        ("autologous", "cdmo", 2, True),
        ("autologous", "shared", 1, True),
        ("allogeneic", "dedicated", 2, True),
        ("allogeneic", "shared", 1, False),
        ("allogeneic", "cdmo", 3, True),
        ("allogeneic", "dedicated", 1, False),
    ]
    scen = []
    for i, (process, mode, sites, on) in enumerate(combos):
        s = random_scenario(rng, f"V{i + 1} {process} {mode}", process)
        s.parameters.update({"facility.mode": mode, "facility.sites": sites})
        if process == "autologous":
            s.parameters["auto.service_level"] = rng.uniform(0.5, 0.999) if on else 0
        else:
            s.parameters["allo.shelf_life_days"] = rng.uniform(5, 60) if on else 0  # short: lots expire
        evaluate(process, s.parameters)
        scen.append(s)
    return Project(title=f"v2 matrix {seed}", currency="EUR", scenarios=scen)


def test_v2_modes_rules_shelf_life_and_sites_recalculate_to_the_apps_numbers(tmp_path):
    project = v2_matrix_project(7)
    assert {s.parameters["facility.mode"] for s in project.scenarios} == {"dedicated", "shared", "cdmo"}
    out = tmp_path / "v2.xlsx"
    export_workbook(project, out, analyses=False)
    assert _check_against_app(out, project) > 150
    # the short shelf life makes lots expire, so expired_fraction is exercised above 0
    assert any(evaluate(s.process, s.parameters)["expired_fraction"] for s in project.scenarios[4:])


def test_zero_hours_give_the_apps_fte(tmp_path):
    """ceil_(0) = 0: ROUNDUP(0-1E-9,0) alone is -1 in Excel and LibreOffice, which took one FTE
    off each of the crew, hands-on and QC/QA steps."""
    s = new_scenario("No hands-on time", "autologous", {})
    s.parameters.update(
        {
            "auto.operator_hours_per_batch": 0,
            "auto.qc_qa_hours_per_batch": 0,
            "labour.min_crew_per_suite": 0,
            "auto.service_level": 0,
        }
    )
    project = Project(title="zero hours", currency="USD", scenarios=[s])
    app = evaluate(s.process, s.parameters)
    # by hand: no crew, no hands-on, no QC/QA: support per suite x suites + site staff
    assert app["fte"] == s.parameters["staff.support_fte_per_suite"] * app["suites"] + s.parameters["staff.site_fte"]
    out = tmp_path / "zero.xlsx"
    export_workbook(project, out, analyses=False)
    _check_against_app(out, project)  # fte among the results, and every check at 0


def test_a_service_level_window_too_small_fails_its_check(tmp_path):
    s = new_scenario("Huge load", "autologous", {})
    s.parameters.update({"demand.patients_per_year": 1e5, "auto.service_level": 0.999, "auto.max_wait_days": 0})
    project = Project(title="window", currency="USD", scenarios=[s])
    out = tmp_path / "big.xlsx"
    export_workbook(project, out, analyses=False)
    got = _engine_values(out)
    checks = _checks_by_label(got, out)
    assert checks["Service-level window large enough"][0] == 1
    assert checks["Devices or bioreactors per site: as the app's"][0] == 1
