"""Saves killed at random moments never leave a broken file.

A writer process saves numbered versions of a project in a loop, logging "begin N" before and
"done N" after each save; the test kills it with SIGKILL after a random delay and then finds
the target complete, loadable, and either the last version saved or the one being saved (never
anything else), and the .bak the version before. The same for workbook export and for the
GUI's recovery (autosave) file when those modules are present.

Writers are forked from one "zygote" process that has already imported everything, so that
each of the dozens of kills costs milliseconds rather than a Python start-up.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="needs fork and SIGKILL")

#: a project of some hundreds of kB, so that a kill often lands inside a write
MAKE_PROJECT = """
from cgtdesk.core.project import Project, new_scenario

def make(n, scenarios=40, notes=9000):
    return Project(
        title=f"version {n}",
        currency="USD",
        scenarios=[
            new_scenario(f"S{i}", "autologous" if i % 2 else "allogeneic", {"demand.patients_per_year": 100 + n % 1000}, notes="x" * notes)
            for i in range(scenarios)
        ],
    )
"""

#: the zygote: imports, then forks one writer per line "START LOGFILE" read on stdin, printing its pid
ZYGOTE = """
import os, signal, sys
sys.path.insert(0, {root!r})
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # writers are reaped by the kernel
{make}
{setup}
print("ready", flush=True)
for line in sys.stdin:
    start, log = line.split(maxsplit=1)
    pid = os.fork()
    if pid == 0:
        try:
            fd = os.open(log.strip(), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            n = int(start)
            while True:
                project = make(n)
                os.write(fd, f"begin {{n}}\\n".encode())
                save(project)
                os.write(fd, f"done {{n}}\\n".encode())
                n += 1
        finally:
            os._exit(3)
    print(pid, flush=True)
"""


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def kill_loop(tmp_path: Path, setup: str, check, *, kills: int, seed: int, save_seconds: float) -> int:
    """Fork writers from a zygote (``setup`` defines ``save(project)``), kill each at random.

    Kills come after a random delay of up to 2.5 saves (``save_seconds``: one save, measured by
    the caller, so that a busy machine still sees saves completed and saves cut); every fifth
    kill waits for 1.5 to 3 saves. ``check(done, in_flight, k)`` gets the versions the killed
    writer completed and the one it was writing when killed (or None). Returns how many kills
    landed inside a save.
    """
    rnd = random.Random(seed)
    script = tmp_path / "zygote.py"
    script.write_text(ZYGOTE.format(root=str(ROOT), make=MAKE_PROJECT, setup=textwrap.dedent(setup)), encoding="utf-8")
    z = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=tmp_path, text=True)
    mid_save = 0
    try:
        assert z.stdout.readline().strip() == "ready"
        start = 1
        for k in range(kills):
            log = tmp_path / f"log{k}.txt"
            z.stdin.write(f"{start} {log}\n")
            z.stdin.flush()
            pid = int(z.stdout.readline())
            time.sleep(save_seconds * (rnd.uniform(1.5, 3.0) if k % 5 == 4 else rnd.uniform(0.0, 2.5)))
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while not _gone(pid):
                assert time.monotonic() < deadline, "the killed writer did not go away"
                time.sleep(0.001)
            lines = log.read_text().splitlines() if log.exists() else []
            done = [int(x.split()[1]) for x in lines if x.startswith("done ")]
            begun = [int(x.split()[1]) for x in lines if x.startswith("begin ")]
            in_flight = begun[-1] if begun and (not done or begun[-1] > done[-1]) else None
            check(done, in_flight, k)
            mid_save += in_flight is not None
            start = max(begun, default=start - 1) + 1
    finally:
        z.stdin.close()
        z.kill()
        z.wait()
        z.stdout.close()
    return mid_save


def _version(title: str) -> int:
    assert title.startswith("version "), title
    return int(title.split()[1])


def _timed(fn) -> float:
    """Seconds one call of ``fn`` takes here and now (the machine may be busy), at least 10 ms."""
    t0 = time.perf_counter()
    fn()
    return max(time.perf_counter() - t0, 0.01)


def _make(n: int, **kw):
    ns: dict = {}
    exec(compile(MAKE_PROJECT, "make", "exec"), ns)
    return ns["make"](n, **kw)


class Versions:
    """What the files held before the last writer started, to say what they may hold now."""

    def __init__(self, first: int | None = 0):
        self.file = first
        self.bak = None

    def file_allowed(self, done, in_flight) -> set:
        return {done[-1] if done else self.file} | ({in_flight} if in_flight is not None else set())

    def bak_allowed(self, done) -> set:
        # the file as it was before the last completed save, or (when the kill came after the
        # in-flight save had copied it) the last completed version
        if not done:
            return {self.bak, self.file}
        return {self.file if len(done) == 1 else done[-2], done[-1]}


def test_save_project_killed_at_random_moments(tmp_path):
    from cgtdesk.io.projectfile import load_project, save_project

    target = tmp_path / "p.cgtproj"
    bak = tmp_path / "p.cgtproj.bak"
    save_project(_make(0), target)
    t_save = _timed(lambda: save_project(_make(0), tmp_path / "timing.cgtproj"))
    seen = Versions(0)

    def check(done, in_flight, k):
        v = _version(load_project(target).title)  # complete and loadable, or this raises
        allowed = seen.file_allowed(done, in_flight)
        assert v in allowed, f"kill {k}: the file holds version {v}; expected one of {sorted(allowed)}"
        b = _version(load_project(bak).title) if bak.exists() else None
        assert b in seen.bak_allowed(done), f"kill {k}: the .bak holds version {b}; expected one of {seen.bak_allowed(done)}"
        seen.file, seen.bak = v, b
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert all(n.startswith(".") for n in leftovers), leftovers  # temporary files stay hidden

    setup = """
    from cgtdesk.io.projectfile import save_project

    def save(project):
        save_project(project, "p.cgtproj")
    """
    mid = kill_loop(tmp_path, setup, check, kills=40, seed=7, save_seconds=t_save)
    assert mid >= 10, f"only {mid} of 40 kills landed inside a save"
    assert seen.file > 0, "no save ever completed: the kills all came too early to test anything"


def _have(*modules: str) -> bool:
    from importlib.util import find_spec

    try:
        return all(find_spec(m) is not None for m in modules)
    except ModuleNotFoundError:
        return False


@pytest.mark.skipif(not _have("cgtdesk.io.workbook"), reason="the Excel modules have not landed yet")
def test_workbook_export_killed_at_random_moments(tmp_path):
    from cgtdesk.io.workbook import export_workbook, read_workbook

    target = tmp_path / "p.xlsx"
    export_workbook(_make(0, scenarios=6, notes=10), target)
    t_save = _timed(lambda: export_workbook(_make(0, scenarios=6, notes=10), tmp_path / "timing.xlsx"))
    seen = Versions(0)

    def check(done, in_flight, k):
        v = _version(read_workbook(target).title)
        allowed = seen.file_allowed(done, in_flight)
        assert v in allowed, f"kill {k}: the workbook holds version {v}; expected one of {sorted(allowed)}"
        seen.file = v

    setup = """
    from cgtdesk.io.workbook import export_workbook

    def save(project):
        project.scenarios = project.scenarios[:6]
        export_workbook(project, "p.xlsx")
    """
    mid = kill_loop(tmp_path, setup, check, kills=25, seed=11, save_seconds=t_save)
    assert mid >= 8, f"only {mid} of 25 kills landed inside an export"
    assert seen.file > 0, "no export ever completed"


@pytest.mark.skipif(not _have("cgtdesk.io.recovery"), reason="the GUI's recovery module has not landed yet")
def test_recovery_file_killed_at_random_moments(tmp_path):
    from cgtdesk.core.project import project_from_dict
    from cgtdesk.io.recovery import pending_recovery, recovery_path, write_recovery

    folder = tmp_path / "recovery"
    project_path = tmp_path / "p.cgtproj"
    write_recovery(folder, project_path, _make(0))
    target = recovery_path(folder, project_path)
    t_save = _timed(lambda: write_recovery(tmp_path / "timing", project_path, _make(0)))
    seen = Versions(0)

    def check(done, in_flight, k):
        data = json.loads(target.read_text(encoding="utf-8"))  # complete JSON, or this raises
        v = _version(project_from_dict(data["project"]).title)
        allowed = seen.file_allowed(done, in_flight)
        assert v in allowed, f"kill {k}: the recovery file holds version {v}; expected one of {sorted(allowed)}"
        found = pending_recovery(folder, project_path)
        assert found is not None and _version(found.project.title) == v, "the app would not offer the recovery"
        seen.file = v

    setup = f"""
    from pathlib import Path
    from cgtdesk.io.recovery import write_recovery

    def save(project):
        write_recovery(Path({str(folder)!r}), Path({str(project_path)!r}), project)
    """
    mid = kill_loop(tmp_path, setup, check, kills=30, seed=13, save_seconds=t_save)
    assert mid >= 8, f"only {mid} of 30 kills landed inside an autosave"
    assert seen.file > 0
