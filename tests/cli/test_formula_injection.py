"""Text the app writes for other programs (CSV from the command line, the results table's
clipboard text) never starts a field with = + - @ tab or CR unless the field is a number."""

from __future__ import annotations

import csv
import io

import pytest

from cgtdesk.cli.main import main
from cgtdesk.core.formatting import safe_cell
from cgtdesk.core.project import Project, new_scenario
from cgtdesk.io.projectfile import save_project

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+A1", "'+A1"),
        ("-A1", "'-A1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("-5", "-5"),
        ("-1e3", "-1e3"),
        ("plain", "plain"),
        (3.5, "3.5"),
        (None, ""),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def _dangerous(field: str) -> bool:
    if not field.startswith(("=", "+", "-", "@", "\t", "\r")):
        return False
    try:
        float(field)
    except ValueError:
        return True
    return False


def test_sweep_csv_neutralises_hostile_names(tmp_path, capsys):
    path = tmp_path / "p.cgtproj"
    scenarios = [new_scenario(n.replace("\r", "r"), "autologous") for n in HOSTILE]
    save_project(Project(title="t", currency="USD", scenarios=scenarios), path)
    capsys.readouterr()
    assert main(["sweep", str(path), "--from", "10", "--to", "1000", "--points", "5", "--csv"]) == 0
    fields = [f for row in csv.reader(io.StringIO(capsys.readouterr().out)) for f in row]
    assert fields and not [f for f in fields if _dangerous(f)]
    assert any(f.startswith("'=HYPERLINK") for f in fields)


def test_results_clipboard_text_neutralises_hostile_names(make_window, qtbot):
    w = make_window(
        Project(title="t", currency="USD", scenarios=[new_scenario(n.replace("\r", "r"), "autologous") for n in HOSTILE])
    )
    text = w.results.copy_all()
    fields = [f for line in text.split("\r\n") for f in line.split("\t")]
    assert not [f for f in fields if _dangerous(f)]
    assert "'=HYPERLINK" in text
