"""The command line always answers: a closed or full standard output, bad window options and
output names are one message on stderr and exit 2 (never a traceback); ``--json`` also prints
the error as a JSON object on standard output."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "example.cgtproj"


def _env():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONWARNINGS", None)
    return env


def run(*args, stdout=subprocess.PIPE, **kw):
    cmd = [sys.executable, "-m", "cgtdesk", *map(str, args)]
    return subprocess.run(cmd, cwd=ROOT, env=_env(), stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120, **kw)


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_closed_pipe_is_one_message_and_exit_2():
    cmd = [sys.executable, "-m", "cgtdesk", "sweep", str(EXAMPLE), "--points", "5000"]
    p = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdout.readline()
    p.stdout.close()  # the reader goes away (as `| head -1` does)
    err = p.stderr.read()
    assert p.wait(timeout=120) == 2
    assert "standard output closed" in _one_line(err)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("extra", [(), ("--json",)])
def test_a_full_disk_on_stdout_is_one_message_and_exit_2(extra):
    with open("/dev/full", "w") as full:
        r = run("sweep", EXAMPLE, *extra, stdout=full)
    assert r.returncode == 2
    assert "standard output not writable" in _one_line(r.stderr)


def test_stdout_closed_from_the_start():
    r = subprocess.run(
        [sys.executable, "-m", "cgtdesk", "compute", str(EXAMPLE)],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.close(1),
    )
    assert r.returncode == 2 and "standard output closed" in _one_line(r.stderr)


@pytest.mark.parametrize(
    "args,words",
    [
        (("compute", "nothing-here.cgtproj", "--json"), "nothing-here.cgtproj"),
        (("sweep", "--json"), "FILE"),
        (("montecarlo", EXAMPLE, "--samples", "0", "--seed", "1", "--json"), "samples"),
    ],
)
def test_json_errors_are_json_on_stdout(args, words):
    r = run(*args)
    assert r.returncode == 2
    line = _one_line(r.stderr)
    assert words in line
    assert json.loads(r.stdout) == {"error": {"message": line, "exit": 2}}


def test_a_huge_monte_carlo_is_refused_before_it_starts(tmp_path):
    d = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    d["scenarios"] += [dict(s, name=f"{s['name']} {i}") for i in range(3) for s in d["scenarios"]]  # 24 scenarios
    path = tmp_path / "many.cgtproj"
    path.write_text(json.dumps(d), encoding="utf-8")
    r = run("montecarlo", path, "--samples", "10000000", "--seed", "1", "--json")
    assert r.returncode == 2
    line = _one_line(r.stderr)
    assert "would need about" in line and "fit in 1.5 GB" in line
    assert json.loads(r.stdout)["error"]["message"] == line


@pytest.mark.parametrize(
    "args,words",
    [
        (("--screenshot", "{d}/x.png", "--size", "abc"), "WIDTHxHEIGHT"),
        (("--screenshot", "{d}/x.png", "--size", "99999x99999"), "7680"),
        (("--screenshot", "{d}/x.png", "--size", "50x50"), "100"),
        (("--export-deck", "{d}/x.txt"), ".pdf"),
        (("--export-pptx", "{d}/x.pdf"), ".pptx"),
        (("--screenshot", "{d}/x.jpeg"), ".png"),
    ],
)
def test_window_options_checked_first(tmp_path, args, words):
    r = run(EXAMPLE, *(a.format(d=tmp_path) for a in args))
    assert r.returncode == 2
    assert words in _one_line(r.stderr)
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize(
    "args,suffix",
    [
        (("export", EXAMPLE, "-o", "{d}/out.pdf"), ".xlsx"),
        (("import", "{d}/in.xlsx", "-o", "{d}/out.xlsx"), ".cgtproj"),
    ],
)
def test_output_suffixes(tmp_path, args, suffix):
    r = run(*(str(a).format(d=tmp_path) for a in args))
    assert r.returncode == 2 and suffix in _one_line(r.stderr)
