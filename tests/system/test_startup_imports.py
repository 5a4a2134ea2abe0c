"""Start-up stays light: the window and ``--screenshot`` load no spreadsheet, slide or data-frame
library (they load when an export or an import needs them), and what is not on screen when the
window is first shown (the Analyses page, the Launch plan view) is built when first needed.

Each check runs in a fresh interpreter, so that modules other tests loaded do not count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "example.cgtproj"

#: libraries only an export, an import or an analysis on demand may load
HEAVY = ("pandas", "openpyxl", "xlsxwriter", "pptx", "lxml", "PIL", "scipy", "matplotlib")


def _python(code: str) -> dict:
    """Run ``code`` in a new interpreter (offscreen Qt); it prints one JSON object last."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def _loaded(names) -> str:
    return f"sorted({{m.split('.')[0] for m in sys.modules}} & set({tuple(names)!r}))"


def test_importing_the_main_window_loads_no_heavy_library():
    got = _python(f"import json, sys\nimport cgtdesk.gui.window.main_window\nprint(json.dumps({_loaded(HEAVY)}))\n")
    assert got == []


def test_a_screenshot_of_the_window_loads_no_heavy_library(tmp_path):
    png = tmp_path / "main.png"
    code = (
        "import json, sys\n"
        "from cgtdesk.gui.app import run\n"
        f"code = run([{str(EXAMPLE)!r}, '--screenshot', {str(png)!r}])\n"
        f"print(json.dumps({{'code': code, 'heavy': {_loaded(HEAVY)}}}))\n"
    )
    assert _python(code) == {"code": 0, "heavy": []}
    assert png.stat().st_size > 0


def test_the_analyses_page_and_the_plan_view_are_built_when_first_needed():
    """Built when their tab is chosen, then themed; the process then exits cleanly (status 0)."""
    code = (
        "import json, tempfile\n"
        "from pathlib import Path\n"
        "from PySide6 import QtCore\n"
        "from cgtdesk.gui.app import build_window, dispose, open_project, qt_app\n"
        "app = qt_app()\n"
        "project, path = open_project(None)\n"
        "folder = Path(tempfile.mkdtemp())\n"
        "settings = QtCore.QSettings(str(folder / 's.ini'), QtCore.QSettings.Format.IniFormat)\n"
        "w = build_window(project, path, settings=settings, data_dir=folder, restore_layout=False)\n"
        "w.show()\n"
        "app.processEvents()\n"
        "w.flush_charts()\n"
        "app.processEvents()\n"
        "seen = {'shown': [w._analyses is not None, w._plan_view is not None]}\n"
        "w.centre.setCurrentWidget(w.analyses_page)\n"  # the Analyses tab chosen
        "app.processEvents()\n"
        "seen['analyses tab'] = [w._analyses is not None, w.analyses_page.widget() is w.analyses]\n"
        "w.plan_dock.raise_()\n"  # the Launch plan tab chosen
        "app.processEvents()\n"
        "seen['plan dock'] = [w._plan_view is not None, w.plan_dock.widget() is w.plan_view]\n"
        "w.set_theme(True)\n"
        "seen['dark'] = [w.analyses.views['sweep'] is not None, w.plan_view is w.plan_dock.widget()]\n"
        "w.doc.undo_stack.setClean()\n"
        "w.close()\n"
        "dispose(w)\n"  # as the app does when its event loop ends: no chart left for the interpreter's shutdown
        "print(json.dumps(seen))\n"
    )
    assert _python(code) == {
        "shown": [False, False],
        "analyses tab": [True, True],
        "plan dock": [True, True],
        "dark": [True, True],
    }


@pytest.mark.parametrize("view", ["main", "present", "plan"])
def test_a_screenshot_process_ends_cleanly(tmp_path, view):
    """Every window the screenshot made is gone before the interpreter shuts down (a chart left
    for its shutdown crashed it there: exit status -11 after the PNG was written)."""
    png = tmp_path / f"{view}.png"
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    r = subprocess.run(
        [sys.executable, "main.py", str(EXAMPLE), "--screenshot", str(png), "--view", view],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert png.stat().st_size > 0
