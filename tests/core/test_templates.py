"""Process templates and the example project: they load, they are sourced, they compute."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cgtdesk.core.catalogue import PROCESSES, catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.model import evaluate_scenario
from cgtdesk.core.project import Project, Scenario, new_scenario
from cgtdesk.core.templates import template, templates
from cgtdesk.io.projectfile import load_project, save_project

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_FILES = sorted((ROOT / "resources" / "templates").glob("*.json"))
IDS = ["allogeneic-cart-bioreactor", "allogeneic-msc-microcarrier", "autologous-automated", "autologous-manual"]


def test_the_four_templates_load():  # more may be added; these four are promised
    ts = templates()
    assert set(IDS) <= set(ts)
    assert {t.process for t in ts.values()} == set(PROCESSES)
    for t in ts.values():
        assert t.name and t.description


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=[p.stem for p in TEMPLATE_FILES])
def test_template_file_overrides_are_valid_and_sourced(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert set(raw) == {"id", "name", "process", "description", "parameters"}
    assert raw["id"] == path.stem
    cat = catalogue()
    for key, spec in raw["parameters"].items():
        assert set(spec) == {"value", "source"}, key
        p = cat.parameters[key]
        assert p.applies_to(raw["process"]), key
        assert p.check(spec["value"]) is None, (key, p.check(spec["value"]))
        assert isinstance(spec["source"], str) and len(spec["source"].strip()) >= 8, key
        assert spec["value"] != p.default[raw["process"]], f"{key}: an override equal to the default"


@pytest.mark.parametrize("tid", IDS)
def test_each_template_scenario_computes(tid):
    t = template(tid)
    s = t.scenario()
    assert s.name == t.name and s.process == t.process
    assert set(s.parameters) == set(catalogue().keys_for(t.process))
    for key, value in t.overrides.items():
        assert s.parameters[key] == value
        assert t.source(key) == t.sources[key]
    for key in set(s.parameters) - set(t.overrides):
        assert s.parameters[key] == catalogue().parameters[key].default[t.process]
        assert t.source(key) == catalogue().parameters[key].source
    r = evaluate_scenario(s)
    assert r["cogs_per_dose"] > 0
    assert r["units"] >= 1
    assert (r["doses_per_lot"] is None) == (t.process == "autologous")


def test_templates_are_found_by_name_too_and_unknown_is_refused():
    t = templates()["autologous-manual"]
    assert template(t.name.upper()) is t
    assert template("autologous-manual").scenario("Mine").name == "Mine"
    with pytest.raises(InputError, match="no template named 'nope'"):
        template("nope")


def test_manual_costs_more_than_automated_per_patient():
    manual = evaluate_scenario(template("autologous-manual").scenario())
    automated = evaluate_scenario(template("autologous-automated").scenario())
    assert manual["cogs_per_patient"] > automated["cogs_per_patient"]
    assert manual["fte"] > automated["fte"]


def test_the_example_project(example_path):
    project = load_project(example_path)
    assert len(project.scenarios) >= 4
    assert {s.process for s in project.scenarios} == set(PROCESSES)
    assert any(s.parameters["facility.sites"] > 1 for s in project.scenarios)
    assert any(s.uncertainty for s in project.scenarios)
    assert any(s.correlations for s in project.scenarios)
    for s in project.scenarios:
        r = evaluate_scenario(s)
        assert r["cogs_per_dose"] > 0
    # the example is a file as the app saves it: every key of its process, spelled out
    raw = json.loads(example_path.read_text(encoding="utf-8"))
    for s in raw["scenarios"]:
        assert set(s["parameters"]) == set(catalogue().keys_for(s["process"])), s["name"]


def test_a_project_saved_by_the_app_holds_every_key_of_its_process(tmp_path):
    partial = Scenario("Partial", "allogeneic", dict(catalogue().defaults("allogeneic")))
    project = Project(
        "Saved",
        "GBP",
        [new_scenario("Auto", "autologous", {"facility.sites": 3}), partial, template("allogeneic-msc-microcarrier").scenario()],
    )
    out = tmp_path / "saved.cgtproj"
    save_project(project, out)
    raw = json.loads(out.read_text(encoding="utf-8"))
    for s in raw["scenarios"]:
        assert set(s["parameters"]) == set(catalogue().keys_for(s["process"])), s["name"]
        assert list(s["parameters"]) == catalogue().keys_for(s["process"])  # catalogue order
        assert set(s) - {"template"} == {"name", "process", "parameters", "uncertainty", "correlations", "notes"}
    assert load_project(out) == project
