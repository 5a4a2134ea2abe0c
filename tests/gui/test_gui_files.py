"""The window and files: save and reopen, the unsaved-changes prompt, drag and drop, autosave and
recovery after a crash, workbook import with the client's change list, --screenshot, errors."""

from __future__ import annotations

import json
import logging
import os
import sys
import time

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from cgtdesk.io import recovery
from cgtdesk.io.projectfile import load_project

pytestmark = pytest.mark.usefixtures("no_dangling_threads")
Qt = QtCore.Qt


def test_save_close_reopen_finds_the_same_project(make_window, fake_prompts, tmp_path):
    w = make_window()
    w.set_value("demand.patients_per_year", "750")
    w.doc.rename_scenario(1, "Decentralised, renamed")
    assert w.isWindowModified()
    target = tmp_path / "client"
    fake_prompts.save_as_answer = str(target)  # no suffix: .cgtproj is added
    assert w.acts["save"].trigger() is None and (tmp_path / "client.cgtproj").is_file()
    assert not w.isWindowModified()
    assert w.windowTitle().startswith("client.cgtproj")
    saved = w.doc.project.to_dict()
    w.close()
    assert not w.isVisible()

    w2 = make_window()
    fake_prompts.open_answer = str(tmp_path / "client.cgtproj")
    w2.acts["open"].trigger()
    assert w2.doc.project.to_dict() == saved
    assert w2.doc.project.scenarios[0].parameters["demand.patients_per_year"] == 750
    assert w2.doc.path == tmp_path / "client.cgtproj" and not w2.isWindowModified()
    assert str((tmp_path / "client.cgtproj").resolve()) in w2.files.recent_files()
    # Save again writes in place and keeps the previous version as .bak
    w2.set_value("demand.patients_per_year", "760")
    w2.acts["save"].trigger()
    assert load_project(tmp_path / "client.cgtproj").scenarios[0].parameters["demand.patients_per_year"] == 760
    assert (tmp_path / "client.cgtproj.bak").is_file()


def test_unsaved_changes_prompt_before_close_new_and_open(make_window, fake_prompts, tmp_path):
    w = make_window()
    w.show()
    w.set_value("demand.patients_per_year", "900")
    fake_prompts.save_answer = "cancel"
    assert not w.close()  # the close is refused: the work stays open
    assert w.isVisible() and w.doc.project.scenarios[0].parameters["demand.patients_per_year"] == 900
    assert ("save_changes", "Untitled") in fake_prompts.asked
    fake_prompts.open_answer = str(tmp_path / "never.cgtproj")
    w.acts["open"].trigger()  # cancelled at the prompt: the file dialog is not even shown
    assert ("open", "Open a project or workbook") not in fake_prompts.asked
    w.acts["new"].trigger()
    assert w.doc.project.scenarios[0].parameters["demand.patients_per_year"] == 900

    fake_prompts.save_answer = "save"
    fake_prompts.save_as_answer = str(tmp_path / "kept.cgtproj")
    assert w.close()
    assert load_project(tmp_path / "kept.cgtproj").scenarios[0].parameters["demand.patients_per_year"] == 900


def test_discarding_changes_writes_nothing(make_window, fake_prompts, tmp_path):
    w = make_window()
    w.show()
    w.set_value("demand.patients_per_year", "901")
    fake_prompts.save_answer = "discard"
    assert w.close()
    assert list(tmp_path.glob("*.cgtproj")) == []


def test_a_save_that_fails_says_what_to_do_and_keeps_the_work(make_window, fake_prompts, tmp_path):
    w = make_window()
    w.set_value("demand.patients_per_year", "902")
    fake_prompts.save_as_answer = str(tmp_path / "no-such-folder" / "x.cgtproj")
    assert not w.files.save()
    title, what, todo = fake_prompts.errors[-1]
    assert "not saved" in title and "Save As" in todo and "Traceback" not in what
    assert w.isWindowModified()


def _unsaved_on_file(make_window, tmp_path, example_path):
    """A window on a copy of the example with one unsaved edit and its recovery file written."""
    import shutil

    path = tmp_path / "work.cgtproj"
    shutil.copy(example_path, path)
    w = make_window(load_project(path), path)
    w.set_value("demand.patients_per_year", "777")
    return w, path, w.files.autosave_now()


@pytest.mark.parametrize("where", ["parent is a file", "target is a folder"])
def test_a_write_failure_is_one_plain_message_and_changes_nothing(make_window, fake_prompts, tmp_path, example_path, where):
    w, path, rec = _unsaved_on_file(make_window, tmp_path, example_path)
    recent = w.files.recent_files()
    if where == "parent is a file":  # as root, a read-only mode stops nothing: a real error needs this
        (tmp_path / "notes").write_text("a file, not a folder")
        target = tmp_path / "notes" / "copy.cgtproj"
        cause = "a part of the path is not a folder"
    else:
        target = tmp_path / "taken.cgtproj"
        target.mkdir()
        cause = "it is a folder, not a file"
    fake_prompts.save_as_answer = str(target)
    assert not w.acts["save_as"].trigger() and len(fake_prompts.errors) == 1
    title, what, todo = fake_prompts.errors[0]
    assert title == "The project was not saved"
    assert what == f"cannot write {target}: {cause}"  # the path once, the cause in words
    assert "File > Save As" in todo and "still open and unsaved" in todo
    # nothing else changed: still unsaved, same file, same recent list, the recovery file kept
    assert w.isWindowModified() and w.windowTitle().startswith("work.cgtproj") and "[*]" in w.windowTitle()
    assert w.doc.path == path and w.files.recent_files() == recent and rec.is_file()
    assert load_project(path).scenarios[0].parameters["demand.patients_per_year"] == 500
    assert not target.is_file() and sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_no_room_for_the_backup_says_to_free_space(make_window, fake_prompts, tmp_path, example_path, monkeypatch):
    import errno

    from cgtdesk.core.errors import WriteError
    from cgtdesk.gui.window import files

    w, path, rec = _unsaved_on_file(make_window, tmp_path, example_path)
    message = f"cannot write {path}: no room for the backup copy work.cgtproj.bak: the disk is full (no space left on device)"

    def full(project, target):
        raise WriteError(message, errno.ENOSPC)

    monkeypatch.setattr(files, "save_project", full)
    assert not w.files.save()
    title, what, todo = fake_prompts.errors[-1]
    assert what == message and todo.startswith("Free some space on the disk")
    assert w.isWindowModified() and rec.is_file()


def test_save_asks_before_overwriting_a_file_changed_on_disk(make_window, fake_prompts, tmp_path, example_path):
    w, path, _ = _unsaved_on_file(make_window, tmp_path, example_path)
    # only touched, the same bytes: not a change
    os.utime(path, (time.time() + 5, time.time() + 5))
    fake_prompts.changed_answer = "cancel"
    assert w.files.save() and ("file_changed", "work.cgtproj") not in fake_prompts.asked
    # another program saves its own version
    theirs = load_project(path)
    theirs.title = "Their version"
    from cgtdesk.io.projectfile import save_project

    save_project(theirs, path)
    w.set_value("demand.patients_per_year", "778")
    assert not w.files.save()  # cancelled: theirs stays, ours stays open and unsaved
    assert ("file_changed", "work.cgtproj") in fake_prompts.asked and "after you opened it" in fake_prompts.changed_texts[-1]
    assert load_project(path).title == "Their version" and w.isWindowModified()
    fake_prompts.changed_answer = "save_as"  # keep both
    fake_prompts.save_as_answer = str(tmp_path / "mine.cgtproj")
    assert w.files.save() and w.doc.path == tmp_path / "mine.cgtproj"
    assert load_project(path).title == "Their version"
    assert load_project(tmp_path / "mine.cgtproj").scenarios[0].parameters["demand.patients_per_year"] == 778
    # overwrite: theirs goes to the .bak
    save_project(theirs, tmp_path / "mine.cgtproj")
    w.set_value("demand.patients_per_year", "779")
    fake_prompts.changed_answer = "overwrite"
    assert w.files.save() and not w.isWindowModified()
    assert load_project(tmp_path / "mine.cgtproj").scenarios[0].parameters["demand.patients_per_year"] == 779
    assert load_project(tmp_path / "mine.cgtproj.bak").title == "Their version"
    # removed on disk: said in words, and Save writes it again
    (tmp_path / "mine.cgtproj").unlink()
    w.set_value("demand.patients_per_year", "780")
    assert w.files.save() and "no longer there" in fake_prompts.changed_texts[-1]
    assert load_project(tmp_path / "mine.cgtproj").scenarios[0].parameters["demand.patients_per_year"] == 780


def test_renaming_and_deleting_a_scenario_named_by_a_plan_switch(make_window, example_path):
    w = make_window(load_project(example_path), example_path)
    manual = "Autologous, manual open process"
    assert w.doc.project.plan.switches == [{"from": manual, "to": "Autologous, automated, central", "year": 2032}]
    i = w.doc.project.names().index(manual)
    w.doc.rename_scenario(i, "Manual")
    assert w.doc.project.plan.switches[0]["from"] == "Manual"
    w.acts["undo"].trigger()
    assert w.doc.project.plan.switches[0]["from"] == manual and w.doc.project.names()[i] == manual
    w.doc.delete_scenario(i)  # the switch goes with it, in one undo step
    assert manual not in w.doc.project.names() and w.doc.project.plan.switches == []
    w.acts["undo"].trigger()
    assert w.doc.project.names()[i] == manual and len(w.doc.project.plan.switches) == 1
    assert not w.isWindowModified()


def test_opening_a_broken_file_shows_the_place_and_keeps_the_project(make_window, fake_prompts, tmp_path):
    bad = tmp_path / "bad.cgtproj"
    data = json.loads(
        (load_project.__globals__["Path"](__file__).resolve().parents[2] / "resources" / "example.cgtproj").read_text()
    )
    data["scenarios"][0]["parameters"]["auto.batch_success_rate"] = 1.7
    bad.write_text(json.dumps(data))
    w = make_window()
    before = w.doc.project.to_dict()
    assert not w.files.open_file(bad)
    title, what, todo = fake_prompts.errors[-1]
    assert "bad.cgtproj" in what and "auto.batch_success_rate" in what and "1.7" in what
    assert w.doc.project.to_dict() == before


def drop(w, path):
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(path))])
    pos = QtCore.QPointF(w.width() / 2, w.height() / 2)
    enter = QtGui.QDragEnterEvent(
        pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QtWidgets.QApplication.sendEvent(w, enter)
    accepted = enter.isAccepted()
    if accepted:
        ev = QtGui.QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QtWidgets.QApplication.sendEvent(w, ev)
    return accepted


def test_drag_and_drop_of_a_project_opens_it(qtbot, make_window, tmp_path, example_path):
    from cgtdesk.io.projectfile import save_project

    p = load_project(example_path)
    p.title = "Dropped project"
    p.scenarios = p.scenarios[:2]
    p.plan = None  # its switch names a scenario left out
    save_project(p, tmp_path / "dropped.cgtproj")
    w = make_window()
    assert not drop(w, tmp_path / "notes.txt")  # other files are refused
    assert drop(w, tmp_path / "dropped.cgtproj")
    qtbot.waitUntil(lambda: w.doc.project.title == "Dropped project", timeout=3000)
    assert w.scenarios.list.count() == 2 and w.doc.path == tmp_path / "dropped.cgtproj"


def test_autosave_and_recovery_after_a_crash(make_window, fake_prompts, tmp_path, example_path):
    import shutil

    path = tmp_path / "work.cgtproj"
    shutil.copy(example_path, path)
    old_time = time.time() - 120
    os.utime(path, (old_time, old_time))
    w = make_window(load_project(path), path)
    assert w.files.autosave_now() is None  # nothing unsaved, nothing written
    w.set_value("demand.patients_per_year", "1234")
    w.doc.rename_scenario(0, "Edited before the crash")
    rec = w.files.autosave_now()
    assert rec is not None and rec.is_file()
    assert json.loads(rec.read_text())["recovery_of"] == str(path.resolve())
    # the "crash": the process dies without closing the window; a new one starts on the same file
    recovery._OURS.clear()  # the recovery file is no longer this (new) process's own
    w.doc.undo_stack.setClean()  # so that this window's own teardown does not prompt
    w2 = make_window(load_project(path), path)
    assert w2.doc.project.scenarios[0].name != "Edited before the crash"
    fake_prompts.recover_answer = True
    assert w2.files.offer_recovery()
    assert w2.doc.project.scenarios[0].name == "Edited before the crash"
    assert w2.doc.project.scenarios[0].parameters["demand.patients_per_year"] == 1234
    assert w2.isWindowModified() and w2.doc.path == path
    w2.files.save()
    assert not rec.exists()  # a clean save removes the recovery file
    assert load_project(path).scenarios[0].name == "Edited before the crash"


def test_recovery_declined_is_deleted_and_cancelled_is_kept(make_window, fake_prompts):
    w = make_window()
    w.set_value("demand.patients_per_year", "1111")
    rec = w.files.autosave_now()
    assert rec.name.startswith("untitled")
    recovery._OURS.clear()  # the crash
    w.doc.undo_stack.setClean()
    fake_prompts.recover_answer = None  # Cancel, or the dialog closed: kept for next time
    w2 = make_window()
    assert not w2.files.offer_recovery() and rec.exists() and not w2.isWindowModified()
    fake_prompts.recover_answer = False  # Discard
    assert not w2.files.offer_recovery() and not rec.exists()
    assert [a for a in fake_prompts.asked if a[0] == "recover"] == [("recover", "Untitled")] * 2
    assert not w2.files.offer_recovery()  # nothing left to offer
    assert len(fake_prompts.recover_texts) == 2


def _edited_workbook(tmp_path, example_path):
    """Export the example, then change two inputs as a client would, in another program."""
    openpyxl = pytest.importorskip("openpyxl")
    from cgtdesk.io.workbook import export_workbook

    project = load_project(example_path)
    src = tmp_path / "sent.xlsx"
    export_workbook(project, src)
    wb = openpyxl.load_workbook(src)
    ws = wb["Inputs"]
    header_row = next(r for r in range(1, 20) if ws.cell(r, 3).value == "Key")
    cols = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)}
    rows = {ws.cell(r, 3).value: r for r in range(header_row + 1, ws.max_row + 1)}
    first, third = project.scenarios[0].name, project.scenarios[2].name
    ws.cell(rows["demand.patients_per_year"], cols[first]).value = 640
    ws.cell(rows["allo.dsp_yield"], cols[third]).value = 0.55
    back = tmp_path / "returned.xlsx"
    wb.save(back)
    return project, back, first, third


def test_import_of_an_edited_workbook_lists_the_changes_then_applies(make_window, fake_prompts, tmp_path, example_path):
    pytest.importorskip("cgtdesk.io.workbook")
    project, back, first, third = _edited_workbook(tmp_path, example_path)
    w = make_window(project, None)
    old_yield = w.doc.project.scenario(third).parameters["allo.dsp_yield"]

    fake_prompts.review_answer = False  # cancelled: nothing changes
    assert not w.files.import_workbook(back)
    assert w.doc.project.scenario(first).parameters["demand.patients_per_year"] == 500
    title, summary, rows = fake_prompts.reviews[-1]
    assert "returned.xlsx" in title and "2 place(s)" in summary
    assert (first, "Patients treated per year (demand.patients_per_year)", "500", "640") in rows
    assert (third, "Downstream yield (allo.dsp_yield)", f"{old_yield:g}", "0.55") in rows or any(
        r[0] == third and "allo.dsp_yield" in r[1] and r[3] == "0.55" for r in rows
    )
    assert len(rows) == 2

    fake_prompts.review_answer = True
    assert w.files.import_workbook(back)
    assert w.doc.project.scenario(first).parameters["demand.patients_per_year"] == 640
    assert w.doc.project.scenario(third).parameters["allo.dsp_yield"] == 0.55
    assert w.isWindowModified()
    w.acts["undo"].trigger()  # the import is one undo step
    assert w.doc.project.scenario(first).parameters["demand.patients_per_year"] == 500
    assert not w.isWindowModified()


def test_dropping_a_workbook_imports_it_with_the_change_list(qtbot, make_window, fake_prompts, tmp_path, example_path):
    pytest.importorskip("cgtdesk.io.workbook")
    project, back, first, _ = _edited_workbook(tmp_path, example_path)
    w = make_window(project, None)
    fake_prompts.review_answer = True
    assert drop(w, back)
    qtbot.waitUntil(lambda: w.doc.project.scenario(first).parameters["demand.patients_per_year"] == 640, timeout=5000)
    assert len(fake_prompts.reviews) == 1


def test_export_workbook_writes_a_file_the_import_reads_back(make_window, fake_prompts, tmp_path):
    pytest.importorskip("cgtdesk.io.workbook")
    from cgtdesk.io.workbook import read_workbook

    w = make_window()
    w.set_value("demand.patients_per_year", "333")
    fake_prompts.save_as_answer = str(tmp_path / "out")
    assert w.files.export_workbook()
    back = read_workbook(tmp_path / "out.xlsx")
    assert back.to_dict()["scenarios"] == w.doc.project.to_dict()["scenarios"]


def test_unexpected_errors_go_to_the_log_and_a_plain_dialog(tmp_path):
    from cgtdesk.gui import appdata

    shown = []
    old_hook = sys.excepthook
    log_path = appdata.setup_logging(tmp_path)
    try:
        appdata.install_excepthook(lambda *a: shown.append(a), log_path)
        try:
            raise ZeroDivisionError("boom in a slot")
        except ZeroDivisionError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old_hook
        for h in list(appdata.log.handlers):
            if isinstance(h, logging.handlers.RotatingFileHandler):
                h.close()
                appdata.log.removeHandler(h)
    title, what, todo = shown[0]
    assert "boom in a slot" in what and "Traceback" not in what + todo and str(log_path) in todo
    assert "Traceback" in log_path.read_text() and "ZeroDivisionError" in log_path.read_text()


def test_screenshot_renders_the_main_window(qapp, tmp_path, example_path):
    from cgtdesk.gui.app import run

    png = tmp_path / "shot.png"
    assert run([str(example_path), "--screenshot", str(png)]) == 0
    img = QtGui.QImage(str(png))
    assert img.width() >= 1280 and img.height() >= 800
    # not blank: many distinct colours (text, table, chart bars)
    colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    assert len(colours) > 50


def test_screenshot_of_a_named_view_and_bad_input(qapp, tmp_path, example_path, capsys):
    from cgtdesk.gui.app import run

    png = tmp_path / "results.png"
    assert run([str(example_path), "--screenshot", str(png), "--view", "results"]) == 0
    assert QtGui.QImage(str(png)).width() > 300
    bad = tmp_path / "bad.cgtproj"
    bad.write_text("{not json")
    assert run([str(bad), "--screenshot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "bad.cgtproj" in err and "Traceback" not in err


def test_export_deck_from_the_command_line(qapp, tmp_path, example_path):
    from cgtdesk.gui.app import run

    pdf = tmp_path / "deck.pdf"
    assert run([str(example_path), "--export-deck", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
