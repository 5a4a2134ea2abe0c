"""Scenario names are the user's text: the command line's readable tables never send their
control characters (terminal escapes, line breaks) to the terminal; --json keeps them as data."""

from __future__ import annotations

import json

from cgtdesk.cli.main import main
from cgtdesk.core.project import Project, new_scenario
from cgtdesk.io.projectfile import save_project

NAME = "Evil\x1b[2J\x07name\nsecond line"


def test_control_characters_in_names_are_escaped_in_tables(tmp_path, capsys):
    path = tmp_path / "p.cgtproj"
    save_project(Project(title="t", currency="USD", scenarios=[new_scenario(NAME, "autologous")]), path)
    assert main(["compute", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J" in out and "\\x07" in out  # shown escaped, as text
    assert main(["compute", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scenarios"][0]["name"] == NAME
