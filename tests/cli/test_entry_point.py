"""The one entry point (cgtdesk/__main__.py): which words go to the command line, which to the window."""

from __future__ import annotations

import pytest

from cgtdesk import __main__ as entry
from cgtdesk import __version__
from cgtdesk.cli.main import command_names

COMMANDS = [
    "compute",
    "templates",
    "new",
    "template",
    "export",
    "import",
    "sweep",
    "crossover",
    "tornado",
    "montecarlo",
    "solve",
    "plan",
]


@pytest.fixture
def window(monkeypatch):
    """Stands in for cgtdesk.gui.app.run: records the arguments the window would have been given."""
    import cgtdesk.gui.app

    calls: list[list[str]] = []
    monkeypatch.setattr(cgtdesk.gui.app, "run", lambda argv: calls.append(list(argv)) or 0)
    return calls


def test_every_command_is_registered_in_help_order():
    assert command_names() == COMMANDS


@pytest.mark.parametrize("word", COMMANDS)
def test_a_command_word_goes_to_the_command_line(word):
    assert entry.is_command_line([word, "x.cgtproj"])


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--present"],
        ["--screenshot", "x.png", "compute"],  # options first: the window's
        ["missing.cgtproj"],
        ["Client.XLSX"],
        ["some/folder/project"],
        ["some\\folder\\project"],
    ],
    ids=["nothing", "an option", "options first", "a project", "a workbook", "a path", "a windows path"],
)
def test_options_and_files_go_to_the_window(argv):
    assert not entry.is_command_line(argv)


def test_an_existing_file_without_a_suffix_goes_to_the_window(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "project").write_text("{}", encoding="utf-8")
    assert not entry.is_command_line(["project"])
    assert entry.is_command_line(["projectx"])  # neither a command nor a file: a mistyped command


def test_main_hands_the_window_its_arguments(window):
    assert entry.main(["a.cgtproj", "--present"]) == 0
    assert entry.main([]) == 0
    assert window == [["a.cgtproj", "--present"], []]


def test_gui_script_gives_every_argument_to_the_window(window):
    assert entry.gui(["compute", "--theme", "dark"]) == 0
    assert window == [["compute", "--theme", "dark"]]


def test_a_mistyped_command_is_bad_input_not_a_window(window, capsys):
    assert entry.main(["frobnicate"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "frobnicate" in err and len(err.splitlines()) == 1
    assert window == []


def test_help_shows_the_window_options_and_every_command(window, capsys):
    assert entry.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--screenshot" in out and "--present" in out
    listed = out.split("COMMAND one of", 1)[1].split("\n", 1)[0]
    assert [w.strip() for w in listed.split(",")] == COMMANDS
    assert window == []


def test_version(capsys):
    assert entry.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"CGT Desk {__version__}"


def test_command_help_is_the_command_line_s(capsys):
    assert entry.main(["sweep", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--points" in out and "(default 100000)" in out and "(default 200)" in out
