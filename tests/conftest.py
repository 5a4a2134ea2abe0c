"""Shared test settings: Qt offscreen, no display needed."""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

# tests are grouped by layer (core, chartdata, io, cli, gui, fuzz, system); a few share helpers
# across folders (the model's reference implementation, the bad project files, the workbook
# patching helpers), imported by module name as pytest's rootdir-less import mode allows
for _layer in ("core", "io"):
    sys.path.insert(0, str(Path(__file__).resolve().parent / _layer))

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "resources" / "example.cgtproj"


@pytest.fixture
def example_path() -> Path:
    return EXAMPLE


# ---------------------------------------------------------------- GUI shell (tests/test_gui_*.py)


class FakePrompts:
    """Stands in for cgtdesk.gui.dialogs.Prompts: answers at once, records every question."""

    def __init__(self):
        self.save_answer = "discard"  # ask_save_changes: 'save', 'discard' or 'cancel'
        self.open_answer = None
        self.save_as_answer = None
        self.new_answer = None
        self.add_answer = None
        self.rename_answer = None
        self.review_answer = True
        self.recover_answer = True
        self.recover_texts: list = []
        self.changed_answer = "overwrite"
        self.changed_texts: list = []
        self.confirm_answer = True
        self.asked: list = []
        self.errors: list = []
        self.reviews: list = []
        self.template_details_answer = None  # template_details: (name, author, description) or None
        self.updates_answer = None  # template_updates: a list of (scenario, key), a function of the updates, or None
        self.updates_asked: list = []
        self.folder_answer = None  # choose_folder: a folder or None

    def ask_save_changes(self, parent, name):
        self.asked.append(("save_changes", name))
        return self.save_answer

    def open_path(self, parent, caption, folder, filters):
        self.asked.append(("open", caption))
        return self.open_answer

    def save_path(self, parent, caption, suggested, filters):
        self.asked.append(("save_as", suggested))
        return self.save_as_answer

    def error(self, parent, title, what, todo=""):
        self.errors.append((title, what, todo))

    def confirm(self, parent, title, text, ok="OK"):
        self.asked.append(("confirm", title))
        return self.confirm_answer

    def new_project(self, parent):
        self.asked.append(("new",))
        return self.new_answer

    def add_scenario(self, parent, suggest_name):
        self.asked.append(("add",))
        return self.add_answer

    def choose_folder(self, parent, caption):
        self.asked.append(("folder", caption))
        return self.folder_answer

    def template_details(self, parent, name, scenario):
        self.asked.append(("template_details", name, scenario))
        return self.template_details_answer

    def template_updates(self, parent, updates):
        self.updates_asked.append(list(updates))
        answer = self.updates_answer
        return answer(updates) if callable(answer) else answer

    def rename(self, parent, old):
        return self.rename_answer

    def review_changes(self, parent, title, summary, rows):
        self.reviews.append((title, summary, list(rows)))
        return self.review_answer

    def recover(self, parent, name, text):
        """recover_answer: True or 'recover', False or 'discard', None or 'keep' (Cancel)."""
        self.asked.append(("recover", name))
        self.recover_texts.append(text)
        return {True: "recover", False: "discard", None: "keep"}.get(self.recover_answer, self.recover_answer)

    def file_changed(self, parent, name, text):
        """changed_answer: 'overwrite', 'save_as' or 'cancel'."""
        self.asked.append(("file_changed", name))
        self.changed_texts.append(text)
        return self.changed_answer


@pytest.fixture
def fake_prompts():
    return FakePrompts()


@pytest.fixture
def make_window(qtbot, tmp_path, fake_prompts):
    """make_window(project=None, path=None, prompts=None): a MainWindow with its settings and
    data folder under tmp_path (nothing touches the user's), answering through FakePrompts."""
    from PySide6 import QtCore

    from cgtdesk.gui.window.main_window import MainWindow

    def make(project=None, path=None, prompts=None):
        settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
        w = MainWindow(project, path, settings=settings, data_dir=tmp_path / "appdata", prompts=prompts or fake_prompts)
        qtbot.addWidget(w)
        return w

    return make


@pytest.fixture
def no_dangling_threads(qapp, monkeypatch):
    """Fails a test that leaves QThreadPool work or a started QThread running."""
    from PySide6 import QtCore

    started = []
    original = QtCore.QThread.start

    def start(self, *args):
        started.append(self)
        return original(self, *args)

    monkeypatch.setattr(QtCore.QThread, "start", start)
    yield
    pool = QtCore.QThreadPool.globalInstance()
    if not pool.waitForDone(3000):
        pytest.fail(f"the test left {pool.activeThreadCount()} QThreadPool job(s) running")
    running = [t for t in started if t.isRunning()]
    if running:
        pytest.fail(f"the test left {len(running)} QThread(s) running")


@pytest.fixture(autouse=True)
def _qt_work_done_before_widgets_close(request):
    """Let background tasks finish, and their queued signals arrive, while the test's widgets
    still exist: a task that delivered to a window already closed by qtbot crashed the whole
    run at exit or in a later test (segmentation fault)."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("qtbot")
    yield
    from PySide6 import QtCore, QtWidgets

    pool = QtCore.QThreadPool.globalInstance()
    for _ in range(3):
        pool.waitForDone(30_000)
        QtWidgets.QApplication.processEvents()
        QtCore.QCoreApplication.sendPostedEvents(None, 0)
