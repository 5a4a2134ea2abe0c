"""Files at the edges of the file system, on the real one: modes, symbolic links, temporaries left
by killed writers, write failures (a read-only folder as an ordinary user, a full disk), files
that are not files (FIFOs, devices, folders), files changed on disk, and recovery files."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import pytest

from cgtdesk.core.errors import InputError, WriteError
from cgtdesk.core.project import Project, new_scenario
from cgtdesk.io import atomic, recovery
from cgtdesk.io.atomic import atomic_write, atomic_write_bytes, remove_stale_temporaries, remove_stale_temporaries_in
from cgtdesk.io.files import check_regular_file
from cgtdesk.io.projectfile import changed_on_disk, load_project, load_project_stamped, save_project

ROOT = Path(__file__).resolve().parents[2]
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX modes, FIFOs and signals")


def _project(title: str = "T", notes: str = "") -> Project:
    return Project(title, "USD", [new_scenario("A", "autologous", notes=notes)])


def _mode(p: Path) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def _temporaries(*folders: Path) -> list[str]:
    return sorted(p.name for f in folders for p in f.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def umask():
    """Set the process umask for one test; restored after."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


# ------------------------------------------------------------------ 1. modes


@posix_only
@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_gets_the_users_usual_mode(tmp_path, umask, mask, expected):
    umask(mask)
    save_project(_project(), tmp_path / "p.cgtproj")
    assert _mode(tmp_path / "p.cgtproj") == expected  # 0666 less the umask, as open() gives
    atomic_write_bytes(tmp_path / "plain.bin", b"x")
    assert _mode(tmp_path / "plain.bin") == expected


@posix_only
def test_an_exported_workbook_gets_the_users_usual_mode(tmp_path, umask):
    from cgtdesk.io.workbook import export_workbook

    umask(0o022)
    export_workbook(_project(), tmp_path / "p.xlsx", analyses=False)
    assert _mode(tmp_path / "p.xlsx") == 0o644


@posix_only
def test_an_overwritten_file_keeps_its_mode_and_the_bak_has_it_too(tmp_path, umask):
    umask(0o022)
    out = tmp_path / "p.cgtproj"
    save_project(_project("one"), out)
    os.chmod(out, 0o640)
    save_project(_project("two"), out)
    assert _mode(out) == 0o640
    assert _mode(tmp_path / "p.cgtproj.bak") == 0o640
    os.chmod(out, 0o604)
    save_project(_project("three"), out)
    assert _mode(out) == 0o604 and _mode(tmp_path / "p.cgtproj.bak") == 0o604
    assert load_project(tmp_path / "p.cgtproj.bak").title == "two"


# ------------------------------------------------------------------ 2. symbolic links


@posix_only
def test_saving_to_a_link_replaces_its_target_and_keeps_the_link(tmp_path):
    real_dir, link_dir = tmp_path / "real", tmp_path / "links"
    real_dir.mkdir()
    link_dir.mkdir()
    real = real_dir / "p.cgtproj"
    save_project(_project("one"), real)
    link = link_dir / "p.cgtproj"
    link.symlink_to(real)
    save_project(_project("two"), link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert load_project(real).title == "two"
    assert load_project(real_dir / "p.cgtproj.bak").title == "one"  # the .bak sits beside the target
    assert sorted(os.listdir(link_dir)) == ["p.cgtproj"]
    assert _temporaries(real_dir, link_dir) == []
    # a link to a link, relative
    link2 = link_dir / "again.cgtproj"
    link2.symlink_to("p.cgtproj")
    save_project(_project("three"), link2)
    assert link2.is_symlink() and link.is_symlink() and load_project(real).title == "three"


# ------------------------------------------------------------------ 3. temporaries


def _failing(fn_name: str, monkeypatch, after: int = 0):
    """Make ``os.<fn_name>`` fail with EIO from its (after+1)th call on."""
    real = getattr(os, fn_name)
    calls = {"n": 0}

    def fail(*a, **k):
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(errno.EIO, "Input/output error")
        return real(*a, **k)

    monkeypatch.setattr(os, fn_name, fail)


@pytest.mark.parametrize(
    "fn_name, after",
    [("fsync", 0), ("fsync", 1), ("replace", 0), ("replace", 1)],
    ids=["fsync-file", "fsync-bak", "rename-bak", "rename-file"],
)
def test_a_failure_at_any_step_removes_the_temporaries_and_keeps_the_old_files(tmp_path, monkeypatch, fn_name, after):
    out = tmp_path / "p.cgtproj"
    save_project(_project("one"), out)
    save_project(_project("two"), out)
    before = (out.read_bytes(), (tmp_path / "p.cgtproj.bak").read_bytes())
    _failing(fn_name, monkeypatch, after)
    with pytest.raises(WriteError, match=r"cannot write .*p\.cgtproj: the disk reported an input/output error"):
        save_project(_project("three"), out)
    monkeypatch.undo()
    assert out.read_bytes() == before[0]
    # the .bak is replaced (atomically) just before the file: a failure of the last rename
    # leaves it a copy of the file, which is still the previous version
    bak_now = (tmp_path / "p.cgtproj.bak").read_bytes()
    assert bak_now == (before[0] if (fn_name, after) == ("replace", 1) else before[1])
    assert sorted(os.listdir(tmp_path)) == ["p.cgtproj", "p.cgtproj.bak"]


def test_an_exception_of_the_writer_passes_through_and_leaves_nothing(tmp_path):
    def boom(f):
        f.write(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "x.bin", boom)
    assert os.listdir(tmp_path) == []


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid  # gone (reaped); reuse within this test is practically impossible


@posix_only
def test_temporaries_of_writers_that_are_gone_are_removed_and_others_stay(tmp_path):
    host = atomic._HOST
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = _dead_pid()
        target = tmp_path / "p.cgtproj"
        gone = tmp_path / f".p.cgtproj.{host}-{dead}-0badcafe.tmp"
        gone_bak = tmp_path / f".p.cgtproj.bak.{host}-{dead}-0badcafe.tmp"
        running = tmp_path / f".p.cgtproj.{host}-{live.pid}-0badcafe.tmp"
        elsewhere = tmp_path / f".p.cgtproj.ffffff-{dead}-0badcafe.tmp"  # another machine's pid says nothing
        if host == "ffffff":
            elsewhere = tmp_path / f".p.cgtproj.eeeeee-{dead}-0badcafe.tmp"
        other_file = tmp_path / f".q.cgtproj.{host}-{dead}-0badcafe.tmp"
        not_ours = tmp_path / ".q.cgtproj.swp.tmp"
        for f in (gone, gone_bak, running, elsewhere, other_file, not_ours):
            f.write_bytes(b"half")
        assert remove_stale_temporaries(target) == 2
        assert not gone.exists() and not gone_bak.exists()
        assert running.exists() and elsewhere.exists() and other_file.exists()
        gone.write_bytes(b"half")
        save_project(_project(), target)  # a save of the same file cleans up too
        assert not gone.exists() and running.exists()
        # at start: every temporary of ours in a folder whose writer is gone
        assert remove_stale_temporaries_in(tmp_path) == 1
        assert not other_file.exists() and running.exists() and elsewhere.exists() and not_ours.exists()
    finally:
        live.kill()
        live.wait()


# ------------------------------------------------------------------ 4. write failures


def test_write_errors_name_the_path_and_the_cause(tmp_path):
    out = tmp_path / "missing" / "p.cgtproj"
    with pytest.raises(WriteError) as e:
        save_project(_project(), out)
    assert str(e.value) == f"cannot write {out}: the folder {tmp_path / 'missing'} does not exist"
    assert isinstance(e.value, InputError) and isinstance(e.value, OSError) and e.value.errno == errno.ENOENT
    (tmp_path / "dir.cgtproj").mkdir()
    with pytest.raises(WriteError, match=r"dir\.cgtproj: it is a folder, not a file"):
        save_project(_project(), tmp_path / "dir.cgtproj")
    assert _temporaries(tmp_path) == []


@posix_only
def test_a_fifo_or_a_device_is_never_replaced_by_a_save(tmp_path):
    fifo = tmp_path / "x.cgtproj"
    os.mkfifo(fifo)
    with pytest.raises(WriteError, match=r"x\.cgtproj: it is a named pipe \(FIFO\), not a file"):
        save_project(_project(), fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and _temporaries(tmp_path) == []
    with pytest.raises(WriteError, match="it is a device, not a file"):
        atomic_write_bytes("/dev/null", b"x")


def _run_as_nobody(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run Python ``code`` as the user nobody (the tests run as root, who may write anywhere)."""
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to become another user")
    try:
        import pwd

        nobody = pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        pytest.skip("no user 'nobody'")
    env = dict(os.environ, PYTHONPATH=str(ROOT), HOME=str(cwd), PYTHONDONTWRITEBYTECODE="1")
    become = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
    try:
        return subprocess.run(
            [*become, sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
        )
    except (subprocess.SubprocessError, OSError) as e:
        pytest.skip(f"cannot run as nobody: {e}")


@pytest.fixture
def shared_dir():
    """A folder outside root's private pytest folder, so that nobody can reach it."""
    d = Path(tempfile.mkdtemp(prefix="cgtdesk-fs-"))
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@posix_only
def test_a_read_only_folder_is_a_clear_error_for_an_ordinary_user(shared_dir):
    ro = shared_dir / "ro"
    ro.mkdir()
    out = ro / "p.cgtproj"
    save_project(_project("one"), out)
    save_project(_project("two"), out)
    os.chmod(ro, 0o755)  # root's folder: nobody may read it, not write it
    before = sorted(os.listdir(ro)), out.read_bytes(), (ro / "p.cgtproj.bak").read_bytes()
    probe = _run_as_nobody("import os; print(os.access('ro', os.W_OK))", shared_dir)
    if probe.returncode != 0 or probe.stdout.strip() != "False":
        pytest.skip(f"nobody cannot run the project here ({probe.stderr.strip()[-200:]})")
    code = textwrap.dedent(
        f"""
        from cgtdesk.core.errors import InputError
        from cgtdesk.core.project import Project, new_scenario
        from cgtdesk.io.projectfile import save_project
        try:
            save_project(Project("three", "USD", [new_scenario("A", "autologous")]), {str(out)!r})
        except InputError as e:
            print(type(e).__name__, e)
        """
    )
    r = _run_as_nobody(code, shared_dir)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"WriteError cannot write {out}: the folder {ro} is read-only (permission denied)"
    assert (sorted(os.listdir(ro)), out.read_bytes(), (ro / "p.cgtproj.bak").read_bytes()) == before
    # the command line says the same and exits 2 (bad input), not 1 (internal error)
    r = _run_as_nobody(
        f"import sys; from cgtdesk.cli.main import main; sys.exit(main(['export', {str(ROOT / 'resources' / 'example.cgtproj')!r}, '-o', {str(ro / 'x.xlsx')!r}]))",
        shared_dir,
    )
    assert r.returncode == 2, r.stderr
    assert f"cannot write {ro / 'x.xlsx'}: the folder {ro} is read-only (permission denied)" in r.stderr
    assert "internal error" not in r.stderr and sorted(os.listdir(ro)) == before[0]


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KB tmpfs: a disk that fills up. Skips where it cannot be mounted."""
    d = tmp_path / "tiny"
    d.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(d)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {r.stderr.strip()}")
    try:
        yield d
    finally:
        subprocess.run(["umount", str(d)], check=False)


def _free(folder: Path) -> int:
    s = os.statvfs(folder)
    return s.f_bavail * s.f_frsize


def _fill(folder: Path, leave: int) -> None:
    """Fill the disk of ``folder`` until about ``leave`` bytes are free."""
    (folder / "filler").write_bytes(b"\0" * max(_free(folder) - leave, 0))


@posix_only
def test_a_full_disk_is_a_clear_error_and_the_old_files_stay(tiny_disk):
    out = tiny_disk / "p.cgtproj"
    save_project(_project("one"), out)
    save_project(_project("two"), out)
    before = out.read_bytes(), (tiny_disk / "p.cgtproj.bak").read_bytes()
    _fill(tiny_disk, 4096)
    with pytest.raises(WriteError) as e:
        save_project(_project("three", notes="x" * 20000), out)
    assert str(e.value) == f"cannot write {out}: the disk is full (no space left on device)"
    assert e.value.errno == errno.ENOSPC
    assert (out.read_bytes(), (tiny_disk / "p.cgtproj.bak").read_bytes()) == before
    assert sorted(os.listdir(tiny_disk)) == ["filler", "p.cgtproj", "p.cgtproj.bak"]


@posix_only
def test_no_room_for_the_bak_is_a_clear_error_and_the_old_files_stay(tiny_disk):
    out = tiny_disk / "p.cgtproj"
    save_project(_project("one", notes="x" * 16000), out)
    save_project(_project("two", notes="y" * 16000), out)
    size = out.stat().st_size
    before = out.read_bytes(), (tiny_disk / "p.cgtproj.bak").read_bytes()
    new = _project("two", notes="z" * 16000)  # the same size: the new file fits, its .bak does not
    _fill(tiny_disk, size + 2 * 4096)
    with pytest.raises(WriteError) as e:
        save_project(new, out)
    assert (
        str(e.value)
        == f"cannot write {out}: no room for the backup copy p.cgtproj.bak: the disk is full (no space left on device)"
    )
    assert (out.read_bytes(), (tiny_disk / "p.cgtproj.bak").read_bytes()) == before
    assert sorted(os.listdir(tiny_disk)) == ["filler", "p.cgtproj", "p.cgtproj.bak"]


@posix_only
def test_the_command_line_exits_2_on_a_full_disk(tiny_disk, example_path, capsys):
    from cgtdesk.cli.main import main

    _fill(tiny_disk, 4096)
    assert main(["export", str(example_path), "-o", str(tiny_disk / "out.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "the disk is full (no space left on device)" in err and "internal error" not in err
    assert sorted(os.listdir(tiny_disk)) == ["filler"]


# ------------------------------------------------------------------ 5. not a file


def _within_a_second(fn):
    """Run ``fn`` in a thread; whatever it raised, or a failure if it is still blocked."""
    out = {}

    def run():
        try:
            fn()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            out["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(1.0)
    if t.is_alive():
        # unblock the reader so that the thread ends, then fail
        pytest.fail("the reader blocked on a file that is not a file")
    return out.get("error")


@posix_only
def test_a_fifo_is_refused_at_once_by_the_readers(tmp_path):
    from cgtdesk.io.workbook import read_workbook

    fifo = tmp_path / "x.cgtproj"
    os.mkfifo(fifo)
    err = _within_a_second(lambda: load_project(fifo))
    assert isinstance(err, InputError) and str(err) == f"{fifo}: is a named pipe (FIFO), expected a project file"
    book = tmp_path / "x.xlsx"
    os.mkfifo(book)
    err = _within_a_second(lambda: read_workbook(book))
    assert isinstance(err, InputError) and "is a named pipe (FIFO), expected an Excel workbook" in str(err)


@posix_only
def test_a_device_or_a_folder_is_refused_by_the_readers(tmp_path):
    with pytest.raises(InputError, match="is a device, expected a project file"):
        load_project("/dev/zero")
    with pytest.raises(InputError, match="is a folder"):
        check_regular_file(tmp_path)
    assert check_regular_file(ROOT / "resources" / "example.cgtproj").st_size > 0


# ------------------------------------------------------------------ 6. changed on disk


def test_a_stamp_tells_a_file_changed_on_disk(tmp_path):
    out = tmp_path / "p.cgtproj"
    written = save_project(_project("mine"), out)
    raw = out.read_bytes()
    project, stamp = load_project_stamped(out)
    assert project.title == "mine"
    assert stamp.sha256 == hashlib.sha256(raw).hexdigest() and stamp.size == len(raw)
    assert stamp == written and stamp.mtime_ns == os.stat(out).st_mtime_ns
    assert not changed_on_disk(out, stamp)
    os.utime(out, (1, 1))  # touched, the same bytes: not a change
    assert not changed_on_disk(out, stamp)
    out.write_bytes(raw.replace(b"mine", b"your"))  # the same size, other bytes
    assert changed_on_disk(out, stamp)
    out.write_bytes(raw)
    assert not changed_on_disk(out, stamp)
    out.write_bytes(raw + b" ")
    assert changed_on_disk(out, stamp)
    out.unlink()
    assert changed_on_disk(out, stamp)
    assert not changed_on_disk(out, None)  # never read, nothing there: nothing to overwrite
    out.write_bytes(raw)
    assert changed_on_disk(out, None)


# ------------------------------------------------------------------ 7. recovery


def test_recovery_is_offered_also_when_the_project_is_newer_with_both_times(tmp_path):
    folder = tmp_path / "recovery"
    proj = tmp_path / "p.cgtproj"
    save_project(_project("saved"), proj)
    rec = recovery.write_recovery(folder, proj, _project("unsaved work"))
    os.utime(rec, (1_000_000, 1_000_000))
    os.utime(proj, (2_000_000, 2_000_000))
    found = recovery.pending_recovery(folder, proj)
    assert found.project.title == "unsaved work" and found.path == rec
    assert (found.recovery_mtime, found.project_mtime) == (1_000_000, 2_000_000)
    assert found.project_is_newer and found.recovery_of == proj.resolve()
    os.utime(proj, (500_000, 500_000))
    assert not recovery.pending_recovery(folder, proj).project_is_newer


@posix_only
def test_recovery_is_found_whatever_path_opens_the_project(tmp_path):
    folder = tmp_path / "recovery"
    (tmp_path / "real").mkdir()
    proj = tmp_path / "real" / "p.cgtproj"
    save_project(_project(), proj)
    recovery.write_recovery(folder, proj, _project("unsaved work"))
    link = tmp_path / "link.cgtproj"
    link.symlink_to(proj)
    hard = tmp_path / "hard.cgtproj"
    os.link(proj, hard)
    for path in (proj, link, hard, tmp_path / "real" / ".." / "real" / "p.cgtproj"):
        found = recovery.pending_recovery(folder, path)
        assert found is not None and found.project.title == "unsaved work", path
    assert recovery.pending_recovery(folder, tmp_path / "other.cgtproj") is None
    assert recovery.pending_recovery(tmp_path / "nothing", proj) is None


def test_a_recovery_file_is_never_deleted_unseen(tmp_path):
    folder = tmp_path / "recovery"
    proj = tmp_path / "p.cgtproj"
    save_project(_project(), proj)
    # a crashed session's recovery file (another process wrote it)
    code = (
        "import sys; from pathlib import Path; from cgtdesk.core.project import Project, new_scenario;"
        "from cgtdesk.io.recovery import write_recovery;"
        "write_recovery(Path(sys.argv[1]), Path(sys.argv[2]), Project('crashed', 'USD', [new_scenario('A', 'autologous')]))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", code, str(folder), str(proj)], check=True, env=env)
    rec = recovery.recovery_path(folder, proj)
    assert not recovery.remove_after_save(folder, proj) and rec.exists()  # a save here does not remove it
    found = recovery.pending_recovery(folder, proj)
    found.adopt()  # the user recovered it: this session's next clean save removes it
    assert recovery.remove_after_save(folder, proj) and not rec.exists()
    # one written here goes after a save; one declined goes by discard
    recovery.write_recovery(folder, proj, _project("mine"))
    assert recovery.remove_after_save(folder, proj) and not rec.exists()
    subprocess.run([sys.executable, "-c", code, str(folder), str(proj)], check=True, env=env)
    assert recovery.pending_recovery(folder, proj).discard() and not rec.exists()


def test_an_unreadable_recovery_file_is_left_in_place(tmp_path):
    folder = tmp_path / "recovery"
    folder.mkdir()
    rec = recovery.recovery_path(folder, None)
    rec.write_text("{half")
    assert recovery.pending_recovery(folder, None) is None and rec.exists()


def test_autosave_comes_soon_after_the_first_edit_then_at_most_once_a_minute():
    clock = recovery.AutosaveClock(first_delay=5.0, every=60.0)
    assert clock.delay(100.0) is None  # nothing unsaved
    clock.edited(100.0)
    clock.edited(103.0)  # a later edit does not push the first autosave back
    assert clock.delay(101.0) == 4.0 and not clock.due(104.9) and clock.due(105.0)
    clock.autosaved(105.0)
    assert clock.delay(106.0) is None  # everything is in the recovery file
    clock.edited(110.0)
    assert clock.delay(110.0) == 55.0  # 105 + 60 = 165, not 110 + 5
    clock.autosaved(165.0)
    clock.edited(300.0)
    assert clock.delay(300.0) == 5.0  # long after the last autosave: soon again
    clock.saved()
    assert clock.delay(301.0) is None
    clock.edited(400.0)
    assert clock.delay(400.0) == 5.0
