"""A writer killed in the middle of a save leaves its hidden temporary file; the next save of
the same file, or the clean-up at start, removes it (its process is gone), while the temporary
of a writer still at work stays."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL and POSIX process ids")

#: saves p.cgtproj, but stops halfway through writing: says "writing" and waits to be killed
WRITER = """
import sys, time
sys.path.insert(0, {root!r})
from cgtdesk.io.atomic import atomic_write

def half(f):
    f.write(b'{{"format_version": 2, "tit')
    f.flush()
    print("writing", flush=True)
    time.sleep(600)

atomic_write({target!r}, half, backup=True)
"""


def _start_writer(target: Path) -> subprocess.Popen:
    code = textwrap.dedent(WRITER.format(root=str(ROOT), target=str(target)))
    w = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert w.stdout.readline().strip() == "writing"
    return w


def _kill(w: subprocess.Popen) -> None:
    w.send_signal(signal.SIGKILL)
    w.wait()
    w.stdout.close()


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_killed_writers_temporary_goes_at_the_next_save_and_at_start(tmp_path):
    from cgtdesk.core.project import Project, new_scenario
    from cgtdesk.io.atomic import remove_stale_temporaries_in
    from cgtdesk.io.projectfile import load_project, save_project

    target = tmp_path / "p.cgtproj"
    save_project(Project("before", "USD", [new_scenario("A", "autologous")]), target)
    before = target.read_bytes()

    w = _start_writer(target)
    left = _temporaries(tmp_path)
    assert len(left) == 1 and left[0].startswith(".p.cgtproj.")  # hidden, named after the file
    _kill(w)
    assert _temporaries(tmp_path) == left and target.read_bytes() == before  # the kill left it
    save_project(Project("after", "USD", [new_scenario("A", "autologous")]), target)
    assert _temporaries(tmp_path) == [] and load_project(target).title == "after"

    # at start: the window cleans the folders it writes to
    w = _start_writer(target)
    _kill(w)
    assert len(_temporaries(tmp_path)) == 1
    assert remove_stale_temporaries_in(tmp_path) == 1 and _temporaries(tmp_path) == []


def test_a_running_writers_temporary_is_left_alone(tmp_path):
    from cgtdesk.core.project import Project, new_scenario
    from cgtdesk.io.atomic import remove_stale_temporaries_in
    from cgtdesk.io.projectfile import save_project

    target = tmp_path / "p.cgtproj"
    save_project(Project("before", "USD", [new_scenario("A", "autologous")]), target)
    w = _start_writer(target)
    try:
        busy = _temporaries(tmp_path)
        save_project(Project("meanwhile", "USD", [new_scenario("A", "autologous")]), target)
        assert remove_stale_temporaries_in(tmp_path) == 0
        assert _temporaries(tmp_path) == busy  # still being written by a live process
    finally:
        _kill(w)
