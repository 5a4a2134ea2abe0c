"""Long analyses off the GUI thread: a QRunnable per job, its signals on a QObject beside it.

- The work is a plain function ``fn(progress, cancel) -> result`` over copies of the project
  (never the objects the GUI edits), so a worker never touches a widget or a live scenario.
- ``progress(done, total)`` is throttled (at most one signal per ``THROTTLE_S``, plus the
  last); ``cancel()`` returns True once the job was cancelled (the core checks it per chunk).
- Results travel by queued signal to a :class:`TaskRunner` living in the GUI thread. A runner
  holds one job at a time: starting another cancels the one running, whose result is then
  dropped (never shown as the answer to the new question).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable

from PySide6 import QtCore

from cgtdesk.chartdata.board import project_signature
from cgtdesk.core import analyses
from cgtdesk.core.analyses import presets
from cgtdesk.core.errors import InputError

log = logging.getLogger("cgtdesk.gui")

THROTTLE_S = 0.1
_ids = itertools.count(1)
#: every task handed to a pool, kept alive until it has returned, whatever happens to its runner
#: (a QRunnable deleted while a pool thread runs it crashes the process); pruned on each start
_live: set = set()


def _keep_alive(task) -> None:
    _live.difference_update([t for t in _live if t.done.is_set()])
    _live.add(task)


class TaskSignals(QtCore.QObject):
    """A runnable cannot emit: its signals live here (created in the GUI thread)."""

    progress = QtCore.Signal(int, int, int)  # task id, done, total
    finished = QtCore.Signal(int, object)  # task id, result
    failed = QtCore.Signal(int, str)  # task id, message


class Task(QtCore.QRunnable):
    """One job on the thread pool."""

    def __init__(self, fn: Callable, signals: TaskSignals, throttle_s: float = THROTTLE_S):
        super().__init__()
        self.setAutoDelete(False)  # the runner keeps it until its result arrived
        self.id = next(_ids)
        self.fn = fn
        self.signals = signals
        self.throttle_s = throttle_s
        self._cancel = threading.Event()
        self.done = threading.Event()
        self._last = 0.0
        self.signature = None  # what the job answers, when its runner keeps that (MonteCarloService)

    what = "the analysis"

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= self.throttle_s:
            self._last = now
            self.signals.progress.emit(self.id, int(done), int(total))

    def run(self):  # worker thread
        try:
            result = self.fn(self._progress, self.is_cancelled)
        except InputError as e:
            self.signals.failed.emit(self.id, str(e))
        except Exception as e:  # noqa: BLE001 - reported to the user, logged with its traceback
            log.exception("%s failed", self.what)
            self.signals.failed.emit(self.id, f"{self.what} stopped on an unexpected error: {e}")
        else:
            self.signals.finished.emit(self.id, result)
        finally:
            self.done.set()


class TaskRunner(QtCore.QObject):
    """Runs one job at a time for a view and tells it, in the GUI thread, what happened.

    Signals: ``started()``; ``progress(done, total)``; ``finished(result)`` for a job that ran
    to its end; ``cancelled(result)`` for a job stopped by :meth:`cancel` (``result`` is what
    the function returned after stopping, possibly partial, or None); ``failed(message)``;
    ``busyChanged(bool)``.
    """

    started = QtCore.Signal()
    progress = QtCore.Signal(int, int)
    finished = QtCore.Signal(object)
    cancelled = QtCore.Signal(object)
    failed = QtCore.Signal(str)
    busyChanged = QtCore.Signal(bool)

    def __init__(self, parent=None, pool: QtCore.QThreadPool | None = None):
        super().__init__(parent)
        self.pool = pool or QtCore.QThreadPool.globalInstance()
        self.signals = TaskSignals()  # GUI thread: its queued signals land here
        self.signals.progress.connect(self._on_progress, QtCore.Qt.ConnectionType.QueuedConnection)
        self.signals.finished.connect(self._on_finished, QtCore.Qt.ConnectionType.QueuedConnection)
        self.signals.failed.connect(self._on_failed, QtCore.Qt.ConnectionType.QueuedConnection)
        self.current: Task | None = None
        self._tasks: dict[int, Task] = {}  # every job not yet reported back (incl. superseded ones)

    def is_busy(self) -> bool:
        return self.current is not None

    def start(self, fn: Callable) -> Task:
        """Run ``fn(progress, cancel)``; a job still running is cancelled and its result dropped."""
        if self.current is not None:
            self.current.cancel()
        task = Task(fn, self.signals)
        self._tasks[task.id] = task
        was_busy = self.current is not None
        self.current = task
        self.started.emit()
        if not was_busy:
            self.busyChanged.emit(True)
        _keep_alive(task)
        self.pool.start(task)
        return task

    def cancel(self) -> None:
        """Ask the running job to stop at its next check; ``cancelled`` follows when it has."""
        if self.current is not None:
            self.current.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every job of this runner has returned (tests, closing the window)."""
        deadline = time.monotonic() + msecs / 1000
        for task in list(self._tasks.values()):
            if not task.done.wait(max(0.0, deadline - time.monotonic())):
                return False
        return True

    def shutdown(self, msecs: int = 10_000) -> bool:
        """Cancel everything and wait for the workers to return; nothing is reported afterwards."""
        for task in self._tasks.values():
            task.cancel()
        self.current = None
        ok = self.wait(msecs)
        self._tasks.clear()
        return ok

    # ---- GUI thread
    def _retire(self, task_id: int) -> Task | None:
        task = self._tasks.pop(task_id, None)
        _live.difference_update([t for t in _live if t.done.is_set()])  # nothing left for interpreter exit
        if task is None or task is not self.current:
            return None  # superseded or shut down: its result answers an old question
        self.current = None
        self.busyChanged.emit(False)
        return task

    @QtCore.Slot(int, int, int)
    def _on_progress(self, task_id: int, done: int, total: int):
        if self.current is not None and self.current.id == task_id and not self.current.is_cancelled():
            self.progress.emit(done, total)

    @QtCore.Slot(int, object)
    def _on_finished(self, task_id: int, result):
        task = self._retire(task_id)
        if task is None:
            return
        if task.is_cancelled():
            self.cancelled.emit(result)
        else:
            self._completed(task, result)
            self.finished.emit(result)

    def _completed(self, task: Task, result) -> None:
        """A job ran to its end: a subclass keeps its result here, before ``finished`` is emitted."""

    @QtCore.Slot(int, str)
    def _on_failed(self, task_id: int, message: str):
        task = self._retire(task_id)
        if task is None:
            return
        if task.is_cancelled():
            self.cancelled.emit(None)
        else:
            self.failed.emit(message)


# ---------------------------------------------------------------- the Monte Carlo of the project


def monte_carlo_of(project, samples: int = presets.MC_SAMPLES, seed: int = presets.MC_SEED, progress=None, cancel=None):
    """The Monte Carlo of every scenario of ``project`` (the preset results), as every view shows it."""
    return analyses.monte_carlo(project, int(samples), int(seed), results=presets.MC_RESULTS, progress=progress, cancel=cancel)


class MonteCarloService(TaskRunner):
    """The one place the GUI runs the Monte Carlo of the project, and the holder of its result.

    The window owns one; the chart panel, the Analyses view, the slides and the deck show its
    :attr:`result`. :meth:`run` starts a run on the thread pool (a run under way is cancelled and
    its result dropped); the signals are :class:`TaskRunner`'s (``finished`` carries a complete
    run, ``cancelled`` the partial result of a cancelled one, which is never kept), plus
    ``resultChanged(result)`` whenever :attr:`result` changes.
    """

    resultChanged = QtCore.Signal(object)

    def __init__(self, parent=None, pool: QtCore.QThreadPool | None = None):
        super().__init__(parent, pool)
        self.result = None  # the last complete run (a MonteCarloResult), or None
        self.signature = None  # project_signature() of the project it was run on

    def run(self, project, samples: int = presets.MC_SAMPLES, seed: int = presets.MC_SEED) -> Task:
        """Start a run of a copy of ``project`` (the GUI may go on editing its own)."""
        copy, signature = project.copy(), project_signature(project)

        def job(progress, cancel):
            return monte_carlo_of(copy, samples, seed, progress, cancel)

        task = self.start(job)
        task.signature = signature
        return task

    def run_now(self, project, samples: int = presets.MC_SAMPLES, seed: int = presets.MC_SEED):
        """Run in this thread and keep the result (screenshots, exports, scripts)."""
        self.adopt(monte_carlo_of(project, samples, seed), project)
        return self.result

    def adopt(self, result, project) -> None:
        """Show ``result``, a Monte Carlo of ``project`` made elsewhere, as the current result."""
        self.result = result
        self.signature = project_signature(project) if project is not None else None
        self.resultChanged.emit(result)

    def is_current(self, project) -> bool:
        """Whether the result was run on ``project`` as it is now (no edit since)."""
        return self.result is not None and self.signature == project_signature(project)

    def _completed(self, task: Task, result) -> None:
        self.result, self.signature = result, task.signature
        self.resultChanged.emit(result)
