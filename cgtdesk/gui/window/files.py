"""The file workflow of the window: new, open, save, save as, recent files, drag and drop,
workbook import and export, chart and deck export, the unsaved-changes prompt, the question
before overwriting a file changed on disk, and (through :class:`~cgtdesk.gui.window.autosave.Autosave`)
autosave to a recovery file and the offer to recover one, on every way a project opens: the command
line at start, File > Open, Open recent and a drop.

:class:`FileController` works on the :class:`ProjectDocument` (``load``, ``mark_saved``,
``replace_project``); the views follow the document's signals. Every question to the user goes
through ``prompts`` (see ``dialogs.py``) so that tests can answer without a modal dialog.
The Excel and export modules load when first used, so that the window starts light.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from cgtdesk.core.errors import InputError, WriteError
from cgtdesk.core.project import Project
from cgtdesk.gui.changes import change_rows, summary
from cgtdesk.gui.dialogs import OPEN_FILTER, PROJECT_FILTER, WORKBOOK_FILTER, changed_text, write_error_advice
from cgtdesk.gui.plan.defaults import default_plan
from cgtdesk.gui.window.autosave import Autosave
from cgtdesk.gui.window.exports import ExportsMixin, safe_name, with_suffix
from cgtdesk.gui.workers import TaskRunner
from cgtdesk.io import load_any
from cgtdesk.io.files import same_file
from cgtdesk.io.projectfile import FileStamp, changed_on_disk, file_stamp, load_project_stamped, save_project

Qt = QtCore.Qt
log = logging.getLogger("cgtdesk.gui")

MAX_RECENT = 8
#: a file read longer than this shows a progress dialog with Cancel
PROGRESS_AFTER_MS = 400
SUPPORTED_DROPS = (".cgtproj", ".xlsx")


class FileController(ExportsMixin, QtCore.QObject):
    """Files in and out of one window. ``window`` parents the dialogs and receives the drops;
    ``selection`` and ``charts`` say which pair, scenario and chart an export shows."""

    #: a message for the user (the status bar)
    message = QtCore.Signal(str)

    def __init__(self, window, doc, selection, *, settings, recovery_dir: Path, prompts, charts=None, monte_carlo=None):
        super().__init__(window)
        self.window = window
        self.doc = doc
        self.selection = selection
        self.settings = settings
        self.recovery_dir = recovery_dir
        self.prompts = prompts
        self.charts = charts
        self.monte_carlo = monte_carlo
        self.recent_menu: QtWidgets.QMenu | None = None
        self.reading: QtWidgets.QProgressDialog | None = None  # the file being read, while it is
        #: what the project file held when read or last saved here (None: no file, or not read here)
        self.stamp: FileStamp | None = file_stamp(doc.path) if doc.path else None
        Autosave.clean_up(Path(recovery_dir).parent, recovery_dir)  # temporaries of killed writers
        self.autosave = Autosave(doc, recovery_dir, self)
        self.autosave.message.connect(self.message)
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def attach(self, recent_menu: QtWidgets.QMenu) -> None:
        self.recent_menu = recent_menu
        recent_menu.aboutToShow.connect(self._fill_recent)

    # ---------------------------------------------------------------- the unsaved-changes prompt

    def maybe_save(self) -> bool:
        """True when it is fine to drop the open project (saved, discarded, or unchanged)."""
        if not self.doc.is_modified():
            return True
        answer = self.prompts.ask_save_changes(self.window, self.doc.display_name())
        if answer == "save":
            return self.save()
        if answer == "discard":
            self.autosave.saved(self.doc.path)
            return True
        return False

    def close(self) -> bool:
        """The window closes: False to keep it open (the user cancelled); else autosave stops and
        this session's recovery file goes."""
        if not self.maybe_save():
            return False
        self.autosave.saved(self.doc.path)
        return True

    # ---------------------------------------------------------------- new, open, save

    def new_project(self):
        if not self.maybe_save():
            return
        spec = self.prompts.new_project(self.window)
        if not spec:
            return
        scenarios, names = [], set()
        for tid in spec.templates:
            t = self.window.library.template(tid)  # the newest version in the platform library
            name, n = t.name, 2
            while name in names:
                name, n = f"{t.name} ({n})", n + 1
            names.add(name)
            scenarios.append(t.scenario(name))
        self.autosave.saved(self.doc.path)
        self.stamp = None
        plan = default_plan(scenarios) if spec.plan else None
        self.doc.load(Project(title=spec.title, currency=spec.currency, scenarios=scenarios, plan=plan), None)
        self.message.emit(f"New project with {len(scenarios)} scenario(s). Edit the parameters; save with Ctrl+S.")

    def open_dialog(self):
        if not self.maybe_save():
            return
        path = self.prompts.open_path(self.window, "Open a project or workbook", self.last_folder(), OPEN_FILTER)
        if path:
            self.open_file(path, ask=False)

    def open_file(self, path, ask: bool = True) -> bool:
        """Open a .cgtproj (or a workbook, as an unsaved project), then offer its recovery file if
        it has one. False when refused or cancelled."""
        if ask and not self.maybe_save():
            return False
        path = Path(path)
        is_project = path.suffix.lower() == ".cgtproj"
        try:
            got = self.read_off_thread(f"Opening {path.name}...", lambda: _read_any(path, is_project))
        except InputError as e:
            self._file_error(
                "The file could not be opened",
                e,
                "Check that it is a CGT Desk project or a workbook exported by CGT Desk; the message names the place to fix.",
            )
            return False
        if got is None:
            self.message.emit(f"Opening {path.name} cancelled; the project open before is still open.")
            return False
        project, stamp = got
        self.autosave.saved(self.doc.path)
        notices = " ".join(project.notices)  # the window shows them (and spends them) on loading
        self.stamp = stamp
        if is_project:
            self.doc.load(project, path)
        else:
            self.doc.load(project, None, origin=path.name)
        self._add_recent(path)
        self.message.emit(f"Opened {path.name}: {len(project.scenarios)} scenario(s). {notices}".rstrip())
        if is_project:
            self.offer_recovery()
        return True

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self._save_checked(self.doc.path)

    def save_as(self) -> bool:
        suggested = str(self.doc.path) if self.doc.path else str(self._suggest(".cgtproj"))
        path = self.prompts.save_path(self.window, "Save the project as", suggested, PROJECT_FILTER)
        if not path:
            return False
        path = with_suffix(path, ".cgtproj")
        if self.doc.path is not None and same_file(path, self.doc.path):
            return self._save_checked(path)
        return self._save_to(path)  # the file dialog asked before replacing another file

    def _save_checked(self, path: Path) -> bool:
        """Save over the project's own file, asking first when it changed on disk since it was
        read or last saved here (overwrite, save as, or cancel)."""
        if changed_on_disk(path, self.stamp):
            answer = self.prompts.file_changed(self.window, path.name, changed_text(path))
            if answer == "save_as":
                return self.save_as()
            if answer != "overwrite":
                self.message.emit(f"Not saved: {path.name} changed on disk. Your work is still open.")
                return False
        return self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        """Write the project to ``path``; a failure changes nothing (the project stays unsaved)."""
        old = self.doc.path
        try:
            stamp = save_project(self.doc.project, path)
        except OSError as e:  # WriteError names the path and the cause
            what = str(e) if isinstance(e, WriteError) else f"cannot write {path}: {e.strerror or e}"
            self._file_error("The project was not saved", what, write_error_advice(e))
            return False
        self.stamp = stamp
        self.autosave.saved(old, path)
        self.doc.origin = None
        self.doc.mark_saved(path)
        self._add_recent(path)
        self.message.emit(f"Saved {path.name}.")
        log.info("saved %s", path)
        return True

    # ---------------------------------------------------------------- reading off the GUI thread

    def read_off_thread(self, label: str, read):
        """``read()`` on a worker while the window stays responsive: a progress dialog with Cancel
        appears when it takes longer than ``PROGRESS_AFTER_MS``. Returns what ``read`` returned, or
        None when cancelled (the worker's answer is then dropped); raises the InputError it raised.

        A local event loop waits for the answer, so callers keep their plain return values."""
        runner = TaskRunner(self)
        outcome: dict = {}
        loop = QtCore.QEventLoop()
        runner.finished.connect(lambda result: (outcome.setdefault("result", result), loop.quit()))
        runner.failed.connect(lambda text: (outcome.setdefault("error", text), loop.quit()))
        runner.cancelled.connect(lambda _r: loop.quit())
        dialog = QtWidgets.QProgressDialog(label, "Cancel", 0, 0, self.window)
        dialog.setWindowTitle("CGT Desk")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)  # the window repaints; its menus wait
        dialog.setMinimumDuration(PROGRESS_AFTER_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(lambda: (outcome.setdefault("cancelled", True), loop.quit()))
        self.reading = dialog
        runner.start(lambda _progress, _cancel: read())
        try:
            loop.exec()
        finally:
            self.reading = None
            dialog.canceled.disconnect()
            dialog.close()
            dialog.deleteLater()
            runner.cancel()  # cancelled: the read goes on, unseen, and its answer is dropped
        if "error" in outcome:
            raise InputError(outcome["error"])
        return None if outcome.get("cancelled") else outcome.get("result")

    def cancel_reading(self) -> None:
        """Cancel the file being read (as the progress dialog's Cancel does)."""
        if self.reading is not None:
            self.reading.canceled.emit()  # QProgressDialog.cancel() alone would not say so

    # ---------------------------------------------------------------- workbooks

    def import_dialog(self):
        path = self.prompts.open_path(self.window, "Import a workbook", self.last_folder(), WORKBOOK_FILTER)
        if path:
            self.import_workbook(path)

    def import_workbook(self, path) -> bool:
        """Read a client's workbook, list their changes against the open project, apply when accepted."""
        from cgtdesk.io.workbook import read_workbook

        path = Path(path)
        try:
            new = self.read_off_thread(f"Reading {path.name}...", lambda: read_workbook(path))
        except InputError as e:
            self._file_error(
                "The workbook could not be imported",
                e,
                "Fix the cell named in the message in Excel, save, and import again. Nothing was changed.",
            )
            return False
        if new is None:
            self.message.emit(f"Import of {path.name} cancelled; nothing was changed.")
            return False
        changes = change_rows(self.doc.project, new)
        if not changes:
            self.prompts.error(self.window, "Nothing to import", summary(changes, path.name), "")
            return False
        if not self.prompts.review_changes(self.window, f"Changes in {path.name}", summary(changes, path.name), changes):
            self.message.emit("Import cancelled; nothing was changed.")
            return False
        self.doc.replace_project(new, f"Import {path.name}")
        self.message.emit(f"Imported {len(changes)} change(s) from {path.name}. Undo (Ctrl+Z) takes them back.")
        log.info("imported %d changes from %s", len(changes), path)
        return True

    def _file_error(self, title: str, error, todo: str):
        text = str(error)
        self.message.emit(f"{title}: {text}")
        log.warning("%s: %s", title, text)
        self.prompts.error(self.window, title, text, todo)

    # ---------------------------------------------------------------- recent files and folders

    def recent_files(self) -> list[str]:
        value = self.settings.value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _add_recent(self, path: Path):
        p = str(Path(path).resolve())
        items = [p] + [x for x in self.recent_files() if x != p]
        self.settings.setValue("files/recent", items[:MAX_RECENT])
        self.settings.setValue("files/folder", str(Path(p).parent))

    def _fill_recent(self):
        m = self.recent_menu
        m.clear()
        files = [f for f in self.recent_files() if Path(f).exists()]
        for i, f in enumerate(files):
            a = m.addAction(f"&{i + 1} {Path(f).name}")
            a.setToolTip(f)
            a.triggered.connect(lambda _=False, f=f: self.open_file(f))
        if not files:
            m.addAction("(no recent files)").setEnabled(False)

    def last_folder(self) -> str:
        folder = self.settings.value("files/folder", "")
        if folder and Path(str(folder)).is_dir():
            return str(folder)
        return QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.StandardLocation.DocumentsLocation) or str(
            Path.home()
        )

    def _suggest(self, suffix: str) -> Path:
        return Path(self.last_folder()) / (safe_name(self.doc.project.title) + suffix)

    # ---------------------------------------------------------------- drag and drop

    def eventFilter(self, obj, event):
        kind = event.type()
        if kind in (QtCore.QEvent.Type.DragEnter, QtCore.QEvent.Type.DragMove):
            if dropped_path(event.mimeData()) is not None:
                event.acceptProposedAction()
            else:
                event.ignore()
            return True
        if kind == QtCore.QEvent.Type.Drop:
            path = dropped_path(event.mimeData())
            if path is None:
                event.ignore()
            else:
                event.acceptProposedAction()
                # after the drop returns, so that a dialog does not run inside the drag
                QtCore.QTimer.singleShot(0, lambda: self.handle_drop(path))
            return True
        return super().eventFilter(obj, event)

    def handle_drop(self, path: Path):
        """A dropped project opens; a dropped workbook is imported over the open project."""
        if path.suffix.lower() == ".xlsx":
            self.import_workbook(path)
        else:
            self.open_file(path)

    # ---------------------------------------------------------------- autosave and recovery

    def autosave_now(self) -> Path | None:
        """Write the recovery file now (when there are unsaved changes): its path, or None."""
        return self.autosave.write_now()

    def offer_recovery(self) -> bool:
        """Offer the recovery file of the open project (or of an untitled one), if there is one:
        at start and after every open. True when the user recovered it."""
        return self.autosave.offer(self.window, self.prompts)


def dropped_path(mime: QtCore.QMimeData) -> Path | None:
    """The first local project or workbook among dropped files, or None."""
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            p = Path(url.toLocalFile())
            if p.suffix.lower() in SUPPORTED_DROPS:
                return p
    return None


def _read_any(path: Path, is_project: bool):
    """(project, file stamp) of a project file, (project, None) of a workbook (on a worker)."""
    return load_project_stamped(path) if is_project else (load_any(path), None)
