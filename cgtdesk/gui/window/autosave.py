"""Autosave to a recovery file while the project has unsaved changes, and the offer to recover
one that a crashed session left (the files and their rules: :mod:`cgtdesk.io.recovery`).

- The first unsaved edit starts a single-shot timer for :meth:`AutosaveClock.delay` (a few
  seconds); later edits autosave at most once a minute while the project stays unsaved.
- A clean save, discarding the changes, undoing back to the saved state or a clean close removes
  this session's recovery file (:func:`~cgtdesk.io.recovery.remove_after_save`).
- :meth:`Autosave.offer` asks the user about a recovery file found for the open project by any
  path, also when the project file is newer; Recover adopts it, Discard deletes it, Cancel (or
  closing the dialog) keeps it to be offered again. It is never deleted unseen.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6 import QtCore

from cgtdesk.gui.dialogs import recovery_text
from cgtdesk.io import recovery
from cgtdesk.io.atomic import remove_stale_temporaries_in

log = logging.getLogger("cgtdesk.gui")


class Autosave(QtCore.QObject):
    """The recovery file of one window's document. ``now`` is the clock the timer follows
    (``time.monotonic``; a test passes its own)."""

    #: a message for the user (the status bar)
    message = QtCore.Signal(str)

    def __init__(self, doc, folder: Path, parent=None, *, now=time.monotonic):
        super().__init__(parent)
        self.doc = doc
        self.folder = Path(folder)
        self.now = now
        self.clock = recovery.AutosaveClock()
        self.timer = QtCore.QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.write_now)
        #: the recovery file the user recovered in this session, removed by the next clean save
        self.adopted: recovery.Recovery | None = None
        doc.undo_stack.indexChanged.connect(self._changed)
        doc.modifiedChanged.connect(self._changed)

    @staticmethod
    def clean_up(*folders: Path) -> int:
        """Remove the temporary files that killed writers left in ``folders`` (at start)."""
        return sum(remove_stale_temporaries_in(f) for f in folders)

    # ---------------------------------------------------------------- autosave

    def _changed(self, *_):
        try:
            modified = self.doc.is_modified()
        except RuntimeError:  # the undo stack is being destroyed with the window
            return
        if modified:
            self.clock.edited(self.now())
            self._schedule()
        else:  # saved, or undone back to the saved state: nothing to recover
            self.saved(self.doc.path)

    def _schedule(self):
        delay = self.clock.delay(self.now())
        if delay is None:
            self.timer.stop()
        else:
            self.timer.start(round(delay * 1000))

    def write_now(self) -> Path | None:
        """Write the recovery file now if there are unsaved changes; its path, or None."""
        self.timer.stop()  # when called, not fired: the next one is after the next edit
        if not self.doc.is_modified():
            return None
        try:
            written = recovery.write_recovery(self.folder, self.doc.path, self.doc.project)
        except (OSError, ValueError) as e:  # WriteError included: its message names the path and cause
            log.warning("autosave failed: %s", e)
            self.message.emit(f"Autosave failed ({e}); save your work with Ctrl+S.")
            self.timer.start(round(self.clock.every * 1000))  # try again in a minute
            return None
        self.clock.autosaved(self.now())
        return written

    def saved(self, *paths: Path | None) -> None:
        """The changes were saved or discarded (or the window closes cleanly): stop, and remove
        this session's recovery files of ``paths`` and the one it recovered."""
        self.timer.stop()
        self.clock.saved()
        for p in dict.fromkeys(paths):
            recovery.remove_after_save(self.folder, p)
        if self.adopted is not None:
            self.adopted.discard()
            self.adopted = None

    # ---------------------------------------------------------------- the offer to recover

    def offer(self, window, prompts) -> bool:
        """Offer the recovery file of the open project, if there is one. True when recovered."""
        found = recovery.pending_recovery(self.folder, self.doc.path)
        if found is None:
            return False
        name = self.doc.display_name()
        answer = prompts.recover(window, name, recovery_text(name, found, time.time()))
        if answer == "recover":
            self.doc.load(found.project, self.doc.path)
            self.doc.set_dirty(True)
            found.adopt()  # after loading: the load says "nothing unsaved", which removes our own
            self.adopted = found
            self.message.emit("Recovered the unsaved work. Save it (Ctrl+S) to keep it.")
            log.info("recovered %s", found.path)
            return True
        if answer == "discard":
            found.discard()
            self.message.emit(f"Discarded the unsaved changes to {name} that were autosaved.")
            log.info("recovery declined: %s", found.path)
        else:  # cancelled, or the dialog closed
            self.message.emit(f"The autosaved changes to {name} are kept; they are offered again when you open it.")
        return False
