"""CGT Desk never touches the network (README.md, "Safety": "The app never opens a network connection").

Two checks: no module under cgtdesk/ imports a networking module (static, by the syntax tree),
and the main paths of the command line and of the GUI run with every socket blocked, with no
attempt to connect, resolve a name or listen.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cgtdesk"
EXAMPLE = ROOT / "resources" / "example.cgtproj"

FORBIDDEN = (
    "socket",
    "ssl",
    "urllib.request",
    "urllib3",
    "http.client",
    "http.server",
    "requests",
    "httpx",
    "aiohttp",
    "ftplib",
    "smtplib",
    "xmlrpc.client",
    "PySide6.QtNetwork",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "QtNetwork",
)


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            yield node.lineno, mod
            for a in node.names:
                yield node.lineno, f"{mod}.{a.name}" if mod else a.name
        elif isinstance(node, ast.Call):  # importlib.import_module("x") / __import__("x")
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            first = node.args[0] if node.args else None
            if name in ("import_module", "__import__") and isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") or name.endswith("." + f) for f in FORBIDDEN)


def test_no_module_imports_networking():
    found = []
    files = sorted(PACKAGE.rglob("*.py")) + [ROOT / "main.py"]
    assert len(files) > 5
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in _imports(tree):
            if _forbidden(name):
                found.append(f"{path.relative_to(ROOT)}:{line}: imports {name}")
    assert not found, "networking imports found:\n" + "\n".join(found)


# ---------------------------------------------------------------- every socket blocked


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Every way of reaching the network raises, and each attempt is recorded."""
    attempts: list[str] = []

    def refuse(what):
        def f(*args, **kwargs):
            attempts.append(f"{what}{args[1:] if what.startswith('socket.') else args}")
            raise NetworkAttempt(f"CGT Desk tried to use the network: {what}")

        return f

    class BlockedSocket(socket.socket):
        connect = refuse("socket.connect")
        connect_ex = refuse("socket.connect_ex")
        bind = refuse("socket.bind")
        listen = refuse("socket.listen")
        sendto = refuse("socket.sendto")

    monkeypatch.setattr(socket, "socket", BlockedSocket)
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "create_server", refuse("create_server"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    monkeypatch.setattr(socket, "gethostbyname_ex", refuse("gethostbyname_ex"))
    yield attempts
    assert not attempts, f"network attempts: {attempts}"


def run_cli(argv):
    from cgtdesk.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def test_blocking_works(no_network):
    with pytest.raises(NetworkAttempt):
        socket.create_connection(("example.com", 80))
    no_network.clear()


def test_cli_main_paths_offline(no_network, tmp_path):
    from cgtdesk.cli.main import command_names

    assert {"compute", "templates", "new", "export", "import", "sweep", "crossover", "tornado", "montecarlo", "solve"} <= set(
        command_names()
    )
    code, out, err = run_cli(["compute", EXAMPLE, "--json"])
    assert code == 0, err
    names = [s["name"] for s in json.loads(out)["scenarios"]]
    assert names == [s["name"] for s in json.loads(Path(EXAMPLE).read_text(encoding="utf-8"))["scenarios"]]
    assert run_cli(["compute", EXAMPLE])[0] == 0
    assert run_cli(["templates", "--json"])[0] == 0
    new = tmp_path / "new.cgtproj"
    assert run_cli(["new", "--template", "autologous-manual", "-o", new])[0] == 0
    assert new.is_file()

    xlsx = tmp_path / "example.xlsx"
    code, _, err = run_cli(["export", EXAMPLE, "-o", xlsx])
    assert code == 0, err
    code, _, err = run_cli(["compute", xlsx, "--json"])
    assert code == 0, err
    code, _, err = run_cli(["import", xlsx, "-o", tmp_path / "back.cgtproj", "--against", EXAMPLE])
    assert code == 0, err

    sweep = ["sweep", EXAMPLE, "--result", "cogs_per_dose", "--from", "10", "--to", "10000", "--points", "50", "--json"]
    code, _, err = run_cli(sweep)
    assert code == 0, err
    code, _, err = run_cli(["crossover", EXAMPLE, "--a", names[0], "--b", names[2], "--json"])
    assert code == 0, err
    code, _, err = run_cli(["tornado", EXAMPLE, "--scenario", names[0], "--json"])
    assert code == 0, err
    code, _, err = run_cli(["montecarlo", EXAMPLE, "--samples", "2000", "--seed", "3", "--json"])
    assert code == 0, err
    solve = ["solve", EXAMPLE, "--scenario", names[0], "--vary", "auto.batch_success_rate", "--target", "max_allowable", "--json"]
    code, _, err = run_cli(solve)
    assert code in (0, 2), err  # 2: no value in range meets the target, said plainly


def test_gui_main_path_offline(no_network, qtbot, make_window, fake_prompts, tmp_path):
    """Open the example, edit, autosave, save, export a workbook and the deck, present: offline."""
    from PySide6 import QtWidgets

    from cgtdesk.io.projectfile import load_project, save_project

    path = tmp_path / "example.cgtproj"
    save_project(load_project(EXAMPLE), path)
    w = make_window(load_project(path), path)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    assert w.set_value("demand.patients_per_year", "777")
    QtWidgets.QApplication.processEvents()
    w.flush_charts()
    assert w.files.autosave_now() is not None
    assert w.files.save()
    assert load_project(path).scenarios[0].parameters["demand.patients_per_year"] == 777
    for name in list(w.chart_panel.charts):  # every chart drawn once
        w.chart_panel.tabs.setCurrentWidget(w.chart_panel.charts[name])
        QtWidgets.QApplication.processEvents()
    w.chart_panel.locate_crossover_now()
    fake_prompts.save_as_answer = str(tmp_path / "example.xlsx")
    assert w.files.export_workbook()
    assert (tmp_path / "example.xlsx").is_file()
    fake_prompts.save_as_answer = str(tmp_path / "deck.pdf")
    assert w.files.export_deck()
    assert (tmp_path / "deck.pdf").is_file()
    window = w.present()
    QtWidgets.QApplication.processEvents()
    window.close()
    w.grab()
    assert not fake_prompts.errors, fake_prompts.errors
    assert "PySide6.QtNetwork" not in sys.modules, "the GUI loaded Qt's networking module"
