"""Recovery after a crash by every way a project opens (the command line at start, File > Open,
Open recent, a drop), also when the project file is newer; never deleted unseen (Recover adopts,
Discard deletes, Cancel keeps); autosave timing on the window's clock; stale temporaries at start.

A crash: a window autosaves through its own path, then its process "dies" (the recovery file is
no longer this process's own) and the window is dropped without a clean close.
"""

from __future__ import annotations

import os
import shutil
import time

import pytest
from PySide6 import QtCore

from cgtdesk.io import recovery
from cgtdesk.io.projectfile import load_project

pytestmark = pytest.mark.usefixtures("no_dangling_threads")


def crash(w):
    """The process of ``w`` dies: its recovery file stays and is no longer this process's own."""
    w.files.autosave.timer.stop()
    recovery._OURS.clear()
    w.doc.undo_stack.setClean()  # so that its teardown (by qtbot) asks nothing
    w.doc.set_dirty(False)


@pytest.fixture
def crashed(make_window, tmp_path, example_path):
    """A copy of the example whose unsaved edits a crashed window left in a recovery file."""
    path = tmp_path / "work.cgtproj"
    shutil.copy(example_path, path)
    old = time.time() - 600
    os.utime(path, (old, old))
    w = make_window(load_project(path), path)
    w.set_value("demand.patients_per_year", "1234")
    rec = w.files.autosave_now()
    assert rec is not None and rec.is_file()
    crash(w)
    return path, rec


def recovered(w) -> bool:
    return w.doc.project.scenarios[0].parameters["demand.patients_per_year"] == 1234


def offers(prompts) -> list:
    return [a for a in prompts.asked if a[0] == "recover"]


def test_at_start_from_the_command_line(qtbot, tmp_path, fake_prompts, crashed):
    from cgtdesk.gui.app import parse_gui_args, start_window

    path, rec = crashed
    settings = QtCore.QSettings(str(tmp_path / "start.ini"), QtCore.QSettings.Format.IniFormat)
    fake_prompts.recover_answer = True
    w = start_window(parse_gui_args([str(path)]), settings=settings, data_dir=tmp_path / "appdata", prompts=fake_prompts)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: offers(fake_prompts) == [("recover", "work.cgtproj")], timeout=5000)
    assert recovered(w) and w.isWindowModified() and w.doc.path == path
    assert rec.is_file()  # adopted: kept until the work is saved
    assert w.files.save() and not rec.exists()
    assert load_project(path).scenarios[0].parameters["demand.patients_per_year"] == 1234


def test_file_open_and_discard(make_window, fake_prompts, crashed):
    path, rec = crashed
    w = make_window()
    fake_prompts.open_answer = str(path)
    fake_prompts.recover_answer = False  # Discard
    w.acts["open"].trigger()
    assert offers(fake_prompts) == [("recover", "work.cgtproj")]
    assert not rec.exists() and w.doc.path == path and not recovered(w) and not w.isWindowModified()
    w.acts["open"].trigger()  # nothing left to offer
    assert len(offers(fake_prompts)) == 1


def test_open_recent_and_cancel_keeps_it_for_next_time(make_window, fake_prompts, crashed):
    path, rec = crashed
    w = make_window()
    w.settings.setValue("files/recent", [str(path)])
    fake_prompts.recover_answer = None  # Cancel, or the dialog closed
    w.files.recent_menu.aboutToShow.emit()
    first = w.files.recent_menu.actions()[0]
    assert first.toolTip() == str(path)
    first.trigger()
    assert offers(fake_prompts) == [("recover", "work.cgtproj")]
    assert rec.is_file() and w.doc.path == path and not recovered(w) and not w.isWindowModified()
    w.close()  # a clean close of the file as it is on disk leaves the offer in place
    assert rec.is_file()
    w2 = make_window()
    fake_prompts.recover_answer = True
    assert w2.files.open_file(path) and recovered(w2) and len(offers(fake_prompts)) == 2


def test_drop_of_a_project(qtbot, make_window, fake_prompts, crashed):
    from test_gui_files import drop

    path, rec = crashed
    w = make_window()
    fake_prompts.recover_answer = True
    assert drop(w, path)
    qtbot.waitUntil(lambda: recovered(w), timeout=5000)
    assert offers(fake_prompts) == [("recover", "work.cgtproj")] and w.isWindowModified() and w.doc.path == path


def test_a_project_file_newer_than_its_recovery_file_is_said_with_both_times(make_window, fake_prompts, crashed):
    path, rec = crashed
    autosaved = time.mktime((2024, 3, 5, 9, 7, 0, 0, 0, -1))  # local times, written by hand
    saved = time.mktime((2024, 3, 5, 17, 45, 0, 0, 0, -1))
    os.utime(rec, (autosaved, autosaved))
    os.utime(path, (saved, saved))
    w = make_window()
    fake_prompts.recover_answer = None
    assert w.files.open_file(path)
    text = fake_prompts.recover_texts[-1]
    assert "saved later, on 5 March 2024 at 17:45" in text and "autosaved (on 5 March 2024 at 09:07)" in text
    assert rec.is_file() and not recovered(w)


def test_times_in_words():
    from cgtdesk.gui.dialogs import when_in_words

    now = time.mktime((2025, 1, 1, 10, 30, 0, 0, 0, -1))
    assert when_in_words(now - 5 * 60, now) == "today at 10:25"
    assert when_in_words(time.mktime((2024, 12, 31, 23, 59, 0, 0, 0, -1)), now) == "yesterday at 23:59"
    assert when_in_words(time.mktime((2024, 12, 30, 8, 0, 0, 0, 0, -1)), now) == "on 30 December 2024 at 08:00"


def test_autosave_soon_after_the_first_edit_then_every_minute(make_window, fake_prompts, tmp_path, example_path):
    path = tmp_path / "work.cgtproj"
    shutil.copy(example_path, path)
    w = make_window(load_project(path), path)
    auto, clock = w.files.autosave, [1000.0]
    auto.now = lambda: clock[0]
    timer = auto.timer
    assert timer.isSingleShot() and not timer.isActive()  # nothing unsaved, nothing to do
    target = recovery.recovery_path(w.files.recovery_dir, path)

    w.set_value("demand.patients_per_year", "601")
    assert timer.isActive() and timer.interval() == 5000  # 5 s after the first unsaved edit
    clock[0] = 1005.0
    timer.timeout.emit()  # as the timer does when it fires
    assert target.is_file() and not timer.isActive()
    clock[0] = 1010.0
    w.set_value("demand.patients_per_year", "602")
    assert timer.interval() == 55_000  # a minute after the last autosave (1005 + 60 - 1010)
    clock[0] = 1065.0
    timer.timeout.emit()
    assert (
        recovery.pending_recovery(w.files.recovery_dir, path).project.scenarios[0].parameters["demand.patients_per_year"] == 602
    )

    assert w.files.save() and not target.exists() and not timer.isActive()  # a save removes it
    clock[0] = 1070.0
    w.set_value("demand.patients_per_year", "603")
    assert timer.interval() == 5000  # after a save, the next edit is a first one again
    clock[0] = 1075.0
    timer.timeout.emit()
    assert target.is_file()
    w.acts["undo"].trigger()  # back to the saved state: nothing unsaved to recover
    assert not w.isWindowModified() and not target.exists() and not timer.isActive()

    w.set_value("demand.patients_per_year", "604")
    timer.timeout.emit()
    assert target.is_file()
    fake_prompts.save_answer = "save"
    assert w.close() and not target.exists()  # a clean close


def test_stale_temporaries_in_the_data_folder_go_at_start(make_window, tmp_path):
    folder = tmp_path / "appdata" / "recovery"
    folder.mkdir(parents=True)
    old = time.time() - 2 * 3600
    stale = folder / ".work-0123456789ab.recovery.json.abcdef-99999-0badcafe.tmp"  # a killed writer's, 2 hours old
    stale.write_text("{")
    os.utime(stale, (old, old))
    live = folder / f".x.recovery.json.abcdef-{os.getpid()}-12345678.tmp"  # recent: maybe a writer at work
    live.write_text("{")
    theirs = tmp_path / "appdata" / "notes.tmp"  # not a name the app makes
    theirs.write_text("keep")
    os.utime(theirs, (old, old))
    make_window()
    assert not stale.exists() and live.exists() and theirs.exists()
