"""Big work at the edges of the window: files read on a worker with Cancel, a FIFO refused, and an
edit of a 200-scenario project that recomputes and redraws only the scenario edited. No timing
here (benchmarks/gui_latency.py --scenarios 200 measures it)."""

from __future__ import annotations

import os
import threading

import pytest
from PySide6 import QtCore

from cgtdesk.chartdata import board as boards
from cgtdesk.io.projectfile import load_project
from cgtdesk.resources import resource

pytestmark = pytest.mark.usefixtures("no_dangling_threads")


def many(n: int):
    """The example's scenarios repeated to ``n``, each named apart and at its own demand."""
    p = load_project(resource("example.cgtproj"))
    base, p.plan = p.scenarios, None
    p.scenarios = []
    for i in range(n):
        s = base[i % len(base)].copy()
        s.name = f"{s.name} {i}"
        s.parameters["demand.patients_per_year"] = 300 + i
        p.scenarios.append(s)
    return p


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_opening_a_fifo_named_like_a_project_is_refused_with_a_plain_dialog(make_window, fake_prompts, tmp_path):
    w = make_window()
    before = w.doc.project.to_dict()
    fifo = tmp_path / "x.cgtproj"
    os.mkfifo(fifo)
    fake_prompts.open_answer = str(fifo)
    w.acts["open"].trigger()  # no writer ever opens the pipe: a read would wait for ever
    (title, what, _todo), *_ = fake_prompts.errors
    assert title == "The file could not be opened" and "named pipe" in what
    assert w.doc.project.to_dict() == before and w.doc.path is None


def _blocked_read(monkeypatch, target, name, result):
    """Replace ``target.name`` by a read that waits until released; records the thread it ran on."""
    release, ran_on = threading.Event(), []

    def read(*_args, **_kw):
        ran_on.append(threading.current_thread())
        release.wait(20)
        return result

    monkeypatch.setattr(target, name, read)
    return release, ran_on


def test_open_reads_on_a_worker_and_cancel_keeps_the_open_project(make_window, monkeypatch, tmp_path):
    from cgtdesk.gui.window import files

    w = make_window()
    before = w.doc.project.to_dict()
    release, ran_on = _blocked_read(monkeypatch, files, "_read_any", (many(3), None))
    ticks, messages = [], []
    w.files.message.connect(messages.append)
    beat = QtCore.QTimer(w)
    beat.timeout.connect(lambda: ticks.append(1))  # the event loop turns while the file is read
    beat.start(5)

    def cancel_once_reading():
        if w.files.reading is not None and len(ticks) > 3:
            w.files.cancel_reading()
        else:
            QtCore.QTimer.singleShot(5, cancel_once_reading)

    QtCore.QTimer.singleShot(0, cancel_once_reading)
    try:
        assert w.files.open_file(tmp_path / "big.cgtproj", ask=False) is False
    finally:
        release.set()
        beat.stop()
    assert ran_on and ran_on[0] is not threading.main_thread()
    assert len(ticks) > 3
    assert w.doc.project.to_dict() == before and w.doc.path is None
    assert any("cancelled" in m for m in messages)


def test_open_of_a_project_read_on_a_worker_loads_it(make_window, monkeypatch, tmp_path):
    from cgtdesk.gui.window import files

    w = make_window()
    release, ran_on = _blocked_read(monkeypatch, files, "_read_any", (many(3), None))
    QtCore.QTimer.singleShot(20, release.set)
    assert w.files.open_file(tmp_path / "big.cgtproj", ask=False) is True
    assert ran_on[0] is not threading.main_thread()
    assert [s.name for s in w.doc.scenarios] == [s.name for s in many(3).scenarios]


def test_import_reads_the_workbook_on_a_worker_and_cancel_changes_nothing(make_window, monkeypatch, fake_prompts, tmp_path):
    import cgtdesk.io.workbook as workbook

    w = make_window()
    before = w.doc.project.to_dict()
    release, ran_on = _blocked_read(monkeypatch, workbook, "read_workbook", many(2))

    def cancel_once_reading():
        if w.files.reading is not None:
            w.files.cancel_reading()
        else:
            QtCore.QTimer.singleShot(5, cancel_once_reading)

    QtCore.QTimer.singleShot(0, cancel_once_reading)
    try:
        assert w.files.import_workbook(tmp_path / "client.xlsx") is False
    finally:
        release.set()
    assert ran_on[0] is not threading.main_thread()
    assert w.doc.project.to_dict() == before and not fake_prompts.reviews and not w.doc.is_modified()


def test_a_read_that_fails_on_the_worker_is_one_dialog(make_window, monkeypatch, fake_prompts, tmp_path):
    from cgtdesk.core.errors import InputError
    from cgtdesk.gui.window import files

    def refuse(path, is_project):
        raise InputError(f"{path}: scenario 'A': expected a number, found 'x'")

    monkeypatch.setattr(files, "_read_any", refuse)
    w = make_window()
    assert w.files.open_file(tmp_path / "bad.cgtproj", ask=False) is False
    (title, what, _todo), *_ = fake_prompts.errors
    assert title == "The file could not be opened" and "expected a number, found 'x'" in what


def test_an_edit_of_200_scenarios_sweeps_and_redraws_only_the_scenario_edited(make_window, monkeypatch):
    from cgtdesk.chartdata import common

    w = make_window(many(200))
    w.flush_charts()
    w.set_value("demand.patients_per_year", "700")  # the first scenario
    w.flush_charts()  # every other scenario's data now cached
    swept, drawn = [], []
    real_sweep = common.analyses.sweep
    monkeypatch.setattr(common.analyses, "sweep", lambda s, *a, **k: (swept.append(s[0].name), real_sweep(s, *a, **k))[1])
    chart = w.chart_panel.charts["demand"]
    for i, curve in enumerate(chart.curves):
        monkeypatch.setattr(curve, "setData", lambda *a, i=i, **k: drawn.append(i))
    for value in ("710", "720"):
        swept.clear(), drawn.clear()
        w.set_value("demand.patients_per_year", value)
        w.flush_charts()
        assert set(swept) == {w.doc.scenarios[0].name}  # one scenario swept, once per result shown
        assert drawn == [0]  # its curve alone redrawn
    # and the results table: the edited scenario's column only
    changed = []
    w.results.model().dataChanged.connect(lambda a, b: changed.append((a.column(), b.column())))
    w.set_value("demand.patients_per_year", "730")
    assert changed == [(2, 2)]


def test_the_board_keeps_every_current_scenario_past_its_bound():
    board = boards.ChartBoard()
    p = many(200)
    board.chart_data(p, locate=False, charts=["demand"])
    kept = dict(board._cache)
    assert len(kept) > boards.MAX_ENTRIES / 2
    for i in range(boards.MAX_ENTRIES):  # a long session of edits of one scenario
        p.scenarios[0].parameters["demand.patients_per_year"] = 1000 + i
        board.chart_data(p, locate=False, charts=["demand"])
    assert len(board._cache) <= boards.MAX_ENTRIES + boards.PER_SCENARIO * 200
    for key in kept:  # the 199 scenarios never edited were never recomputed
        if not any(part == boards.chartdata.scenario_signature(p.scenarios[0]) for part in key):
            if boards._mentions(key, {boards.chartdata.scenario_signature(s) for s in p.scenarios[1:]}):
                assert board._cache[key] is kept[key]
