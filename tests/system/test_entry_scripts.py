"""The scripts pyproject.toml declares and python main.py all reach the one entry point."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "example.cgtproj"


def _resolve(spec: str):
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def test_declared_scripts_resolve_to_the_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    from cgtdesk import __main__ as entry

    assert _resolve(project["scripts"]["cgtdesk"]) is entry.main
    assert _resolve(project["gui-scripts"]["cgtdesk-gui"]) is entry.gui


def _run(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_main_py_and_python_m_cgtdesk_agree():
    for args in (("--help",), ("--version",), ("templates",), ("compute", EXAMPLE, "--json")):
        a, b = _run("main.py", *args), _run("-m", "cgtdesk", *args)
        assert a.returncode == b.returncode == 0, a.stderr + b.stderr
        assert a.stdout == b.stdout
    r = _run("main.py", "--help")
    assert "--screenshot" in r.stdout and "montecarlo" in r.stdout
