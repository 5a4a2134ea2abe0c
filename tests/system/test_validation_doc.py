"""docs/validation.md is the live model's answer, and every "within range" verdict is true."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "validation.md"


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("gen_validation_doc", ROOT / "tools" / "gen_validation_doc.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclass looks its module up there
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def checks(gen):
    return gen.checks()


def test_the_page_is_the_live_model_s_answer(gen):
    assert DOC.read_text(encoding="utf-8") == gen.render(), "docs/validation.md drifted: run python tools/gen_validation_doc.py"


def test_check_mode_detects_drift(gen, tmp_path, monkeypatch):
    r = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_validation_doc.py"), "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    drifted = tmp_path / "validation.md"
    drifted.write_text(DOC.read_text(encoding="utf-8").replace("USD 98,184", "USD 98,185"), encoding="utf-8")
    monkeypatch.setattr(gen, "DOC", drifted)
    assert gen.main(["--check"]) == 1


def test_every_within_range_verdict_is_true(checks):
    for c in checks:
        if c.verdict == "within range":
            assert c.low <= c.value <= c.high, c.figure
        else:
            assert not c.low <= c.value <= c.high, c.figure
            assert c.why_not, f"{c.figure}: outside its range without a reason"


def test_the_page_rows_say_what_the_checks_say(checks):
    rows = [r for r in DOC.read_text(encoding="utf-8").splitlines() if r.startswith("| ") and not r.startswith("| figure")]
    table = rows[: len(checks)]
    for row, c in zip(table, checks, strict=True):
        assert row.startswith(f"| {c.figure} |")
        assert row.rstrip().endswith("| within range |") == c.within
        assert c.shown in row


def test_headline_checks_are_within_range(checks):
    by = {c.figure: c for c in checks}
    for key in (
        "Commercial autologous CAR-T, cost of goods per patient",
        "Academic point-of-care CAR-T at 30 patients/yr, per patient",
        "Allogeneic MSC, cost per 7.5e7-cell dose",
        "Allogeneic against autologous CAR-T, cost per dose at the same 500 doses/yr",
    ):
        assert by[key].within, key


def test_the_published_numbers_on_the_page_are_the_sources_numbers():
    text = DOC.read_text(encoding="utf-8")
    for figure in ("EUR 60,000-80,000", "about GBP 1,800", "2-14 times lower", "2.3-8.5", "medians 25-48 d", "near USD 100,000"):
        assert figure in text
    assert not re.search(r"MODEL\.md|DESIGN\.md|SOURCES\.md", text)
