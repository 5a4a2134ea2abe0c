"""Templates on model version 2: the academic point-of-care and contract-manufactured templates,
each template's headline inside its published range (docs/validation.md), the example's cdmo
scenario, and the CLI ``templates`` and ``new`` commands with the new templates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.model import evaluate, evaluate_scenario
from cgtdesk.core.templates import template, templates
from cgtdesk.io.projectfile import load_project

ROOT = Path(__file__).resolve().parents[2]
SIX = (
    "allogeneic-cart-bioreactor",
    "allogeneic-msc-microcarrier",
    "autologous-academic-poc",
    "autologous-automated",
    "autologous-cdmo",
    "autologous-manual",
)


def _at(tid: str, **overrides) -> dict:
    t = template(tid)
    v = t.values()
    v.update(overrides)
    return evaluate(t.process, v)


def test_six_templates_with_sourced_overrides_and_no_outside_references():
    ts = templates()
    assert set(SIX) <= set(ts)
    for tid in SIX:
        t = ts[tid]
        for key in t.overrides:
            assert len(t.sources[key].strip()) >= 8, (tid, key)
        assert "MODEL.md" not in t.description and "DESIGN.md" not in t.description and "SOURCES.md" not in t.description
    for path in (ROOT / "resources" / "templates").glob("*.json"):
        assert "MODEL.md" not in path.read_text(encoding="utf-8"), path.name


def test_academic_point_of_care_is_shared_small_and_waits_longer():
    t = template("autologous-academic-poc")
    v = t.values()
    assert t.process == "autologous" and v["facility.mode"] == "shared"
    assert 18 <= v["demand.patients_per_year"] <= 50
    assert v["auto.max_wait_days"] > catalogue().parameters["auto.max_wait_days"].default["autologous"]
    assert "EUR" in t.description  # the currency note


@pytest.mark.parametrize("patients", range(18, 51))
def test_academic_point_of_care_lands_in_eur_60_80k_at_every_demand_from_18_to_50(patients):
    cost = _at("autologous-academic-poc", **{"demand.patients_per_year": patients})["cogs_per_patient"]
    assert 60_000 <= cost <= 80_000, (patients, cost)


def test_contract_manufactured_has_no_capital_few_staff_and_lands_near_usd_100k():
    t = template("autologous-cdmo")
    assert t.values()["facility.mode"] == "cdmo"
    r = evaluate_scenario(t.scenario())
    assert r["capex_total"] == 0
    assert r["fte"] == t.values()["cdmo.oversight_fte"]
    assert 75_000 <= r["cogs_per_patient"] <= 125_000
    assert 25 <= r["vein_to_vein_days"] <= 48


def test_headlines_in_published_ranges():
    auto = _at("autologous-automated")
    assert 75_000 <= auto["cogs_per_patient"] <= 125_000  # near USD 100k
    allo = _at("allogeneic-cart-bioreactor")
    assert allo["cogs_per_dose"] <= 0.25 * auto["cogs_per_dose"]  # a small fraction at the same demand
    msc = _at("allogeneic-msc-microcarrier")
    assert 1_350 <= msc["cogs_per_dose"] / 1.30 <= 2_250  # about GBP 1,800 a dose at GBP 1 = USD 1.30


def test_the_example_has_a_cdmo_scenario(example_path):
    project = load_project(example_path)
    modes = [s.parameters["facility.mode"] for s in project.scenarios]
    assert "cdmo" in modes
    s = project.scenarios[modes.index("cdmo")]
    r = evaluate_scenario(s)
    assert r["capex_total"] == 0 and r["cogs_per_patient"] > 0
    assert s.uncertainty  # its uncertainty came along
    assert "MODEL.md" not in example_path.read_text(encoding="utf-8")


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "cgtdesk", *map(str, args)], cwd=cwd or ROOT, capture_output=True, text=True)


def test_cli_templates_lists_the_new_ones():
    r = _cli("templates", "--json")
    assert r.returncode == 0, r.stderr
    data = {t["id"]: t for t in json.loads(r.stdout)}
    assert set(SIX) <= set(data)
    assert data["autologous-academic-poc"]["overrides"]["facility.mode"] == "shared"
    assert data["autologous-cdmo"]["overrides"]["facility.mode"] == "cdmo"


@pytest.mark.parametrize("tid", ["autologous-academic-poc", "autologous-cdmo"])
def test_cli_new_from_a_new_template_then_compute(tmp_path, tid):
    out = tmp_path / "new.cgtproj"
    r = _cli("new", "--template", tid, "-o", out, "--currency", "EUR")
    assert r.returncode == 0, r.stderr
    saved = json.loads(out.read_text(encoding="utf-8"))
    (s,) = saved["scenarios"]
    assert s["parameters"]["facility.mode"] == template(tid).values()["facility.mode"]
    r = _cli("compute", out, "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)["scenarios"][0]["results"]
    assert res["cogs_per_patient"] == pytest.approx(evaluate_scenario(template(tid).scenario())["cogs_per_patient"], rel=1e-9)
