"""Platform templates: scope in the catalogue, .cgttemplate files (validated, atomic), the
library (bundled, user, shared folders; newest version wins), a scenario saved as a template
(no product value leaves), provenance and template updates."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest

from cgtdesk.core.catalogue import _check_catalogue, catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.project import Project, new_scenario, project_from_dict
from cgtdesk.core.templates import (
    Library,
    Template,
    platform_values,
    template,
    template_from_dict,
    template_from_scenario,
    template_updates,
    templates,
)
from cgtdesk.io.projectfile import load_project, save_project
from cgtdesk.io.templatefile import (
    default_library_dir,
    delete_template,
    export_template,
    import_template,
    load_library,
    load_template,
    save_template,
)

PRODUCT = {
    "demand.patients_per_year",
    "demand.doses_per_patient",
    "dose.cells_per_dose",
    "commercial.price_per_dose",
    "commercial.target_gross_margin",
    "commercial.royalty_rate",
    "clinical.durable_response_rate",
    "clinical.pathway_cost_per_patient",
}


def raw(**changes) -> dict:
    d = {
        "format_version": 1,
        "id": "6f1c2a0e-1111-4222-8333-444455556666",
        "name": "Closed CAR-T platform",
        "process": "autologous",
        "description": "our closed automated line",
        "author": "A. Consultant",
        "date": "2025-03-14",
        "version": 1,
        "parameters": {"auto.batch_success_rate": 0.97, "auto.process_days": 8, "facility.mode": "shared"},
        "sources": {
            "auto.batch_success_rate": "our runs 2023-24",
            "auto.process_days": "our runs 2023-24",
            "facility.mode": "hospital unit",
        },
        "uncertainty": {"auto.batch_success_rate": {"dist": "triangular", "low": 0.9, "mode": 0.97, "high": 0.99}},
    }
    d.update(changes)
    return {k: v for k, v in d.items() if v is not None}


# ---------------------------------------------------------------- scope


def test_every_parameter_has_the_scope_of_its_key():
    cat = catalogue()
    product = {k for k, p in cat.parameters.items() if p.scope == "product"}
    assert product == PRODUCT
    assert {p.scope for p in cat.parameters.values()} == {"platform", "product"}
    for process in ("autologous", "allogeneic"):
        assert set(cat.platform_keys(process)) | set(cat.product_keys(process)) == set(cat.keys_for(process))
        assert set(cat.product_keys(process)) == PRODUCT
    assert cat.parameters["auto.batch_success_rate"].is_platform
    assert cat.parameters["facility.mode"].scope == "platform"
    assert cat.parameters["plan.ppq_batches"].scope == "platform"


def test_a_wrong_or_missing_scope_breaks_the_catalogue():
    cat = catalogue()
    params = dict(cat.parameters)
    params["commercial.price_per_dose"] = dataclasses.replace(params["commercial.price_per_dose"], scope="platform")
    with pytest.raises(RuntimeError, match="commercial.price_per_dose: scope 'platform', expected 'product'"):
        _check_catalogue(params, cat.results)
    params = dict(cat.parameters)
    params["auto.process_days"] = dataclasses.replace(params["auto.process_days"], scope=None)
    with pytest.raises(RuntimeError, match="auto.process_days: scope None, expected 'platform'"):
        _check_catalogue(params, cat.results)


# ---------------------------------------------------------------- template files


def test_a_valid_template_loads_and_round_trips(tmp_path):
    t = template_from_dict(raw())
    assert t.parameters == {"auto.batch_success_rate": 0.97, "auto.process_days": 8, "facility.mode": "shared"}
    assert t.version == 1 and t.author == "A. Consultant" and t.date == "2025-03-14"
    assert t.uncertainty["auto.batch_success_rate"]["mode"] == 0.97
    path = tmp_path / "closed.cgttemplate"
    save_template(t, path)
    assert os.listdir(tmp_path) == ["closed.cgttemplate"]  # no temporary left behind
    back = load_template(path)
    assert back == t and back.path == str(path)
    assert json.loads(path.read_text(encoding="utf-8"))["format_version"] == 1


BAD = [
    ("not json", "{", ["bad.cgttemplate", "not valid JSON at line 1, column 2"]),
    ("json on line 3", '{\n "id": "x",\n oops}', ["line 3, column 2"]),
    ("duplicate field", '{"id": "a", "id": "b"}', ["'id' appears twice"]),
    ("not an object", [], ["a template object, found a list"]),
    ("no format_version", raw(format_version=None), ["'format_version'", "found nothing"]),
    ("unknown version", raw(format_version=2), ["'format_version': expected 1, found 2", "unknown format"]),
    ("unknown field", raw(colour="red"), ["unknown field(s) colour"]),
    ("no version", raw(version=None), ["a field 'version'"]),
    ("version text", raw(version="2"), ["'version'", "a whole number"]),
    ("version zero", raw(version=0), ["'version'", "a whole number from 1"]),
    ("bad id", raw(id="a b/c"), ["'id'", "an identifier"]),
    ("empty name", raw(name="  "), ["'name'", "non-empty"]),
    ("wrong process", raw(process="xenogeneic"), ["'process'", "autologous, allogeneic", "xenogeneic"]),
    ("bad date", raw(date="14/03/2025"), ["'date'", "YYYY-MM-DD"]),
    (
        "product key",
        raw(parameters={"demand.patients_per_year": 800}, sources={"demand.patients_per_year": "x"}),
        ["demand.patients_per_year is a product value; templates hold platform values only"],
    ),
    (
        "unknown key",
        raw(parameters={"auto.proces_days": 8}, sources={"auto.proces_days": "x"}),
        ["unknown parameter 'auto.proces_days'", "did you mean 'auto.process_days'"],
    ),
    (
        "key of the other process",
        raw(parameters={"allo.dsp_yield": 0.5}, sources={"allo.dsp_yield": "x"}),
        ["'allo.dsp_yield' belongs to allogeneic scenarios, not to this autologous template"],
    ),
    (
        "out of range",
        raw(parameters={"auto.batch_success_rate": 1.5}, sources={"auto.batch_success_rate": "x"}, uncertainty={}),
        ["'auto.batch_success_rate'", "from 0.01 to 1, found 1.5"],
    ),
    (
        "source missing",
        raw(sources={"auto.batch_success_rate": "x", "facility.mode": "y"}),
        ["found none for 'auto.process_days'"],
    ),
    ("source of nothing", raw(sources={**raw()["sources"], "auto.device_capex": "x"}), ["'auto.device_capex'", "does not set"]),
    (
        "product uncertainty",
        raw(uncertainty={"commercial.price_per_dose": {"dist": "uniform", "low": 1, "high": 2}}),
        ["commercial.price_per_dose is a product value"],
    ),
    (
        "bad distribution",
        raw(uncertainty={"auto.process_days": {"dist": "uniform", "low": 9, "high": 8}}),
        ["uncertainty of 'auto.process_days'", "low < high"],
    ),
]


@pytest.mark.parametrize("content,words", [(c, w) for _, c, w in BAD], ids=[n for n, _, _ in BAD])
def test_a_bad_template_file_is_refused_with_one_message(tmp_path, content, words):
    path = tmp_path / "bad.cgttemplate"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_template(path)
    message = str(e.value)
    assert "\n" not in message and message.startswith("bad.cgttemplate")
    for w in words:
        assert w in message, (w, message)


def test_nan_and_non_utf8_are_refused(tmp_path):
    path = tmp_path / "t.cgttemplate"
    path.write_text(json.dumps(raw()).replace("0.97,", "NaN,", 1), encoding="utf-8")
    with pytest.raises(InputError, match="NaN is not a number JSON allows"):
        load_template(path)
    path.write_bytes(b'{"name": "Caf\xe9"}')
    with pytest.raises(InputError, match="not UTF-8"):
        load_template(path)
    with pytest.raises(InputError, match="no such file"):
        load_template(tmp_path / "missing.cgttemplate")


# ---------------------------------------------------------------- bundled templates


def test_bundled_templates_keep_platform_and_example_apart():
    for t in templates().values():
        assert t.origin == "bundled" and t.version == 1 and t.where == "bundled"
        assert all(catalogue().parameters[k].is_platform for k in t.parameters)
        assert not set(t.example) - PRODUCT
        assert set(t.to_dict()["parameters"]) == set(t.parameters)  # a file never holds the example
    msc = template("allogeneic-msc-microcarrier")
    assert "dose.cells_per_dose" in msc.example and "allo.bioreactor_volume_l" in msc.parameters
    assert msc.values()["dose.cells_per_dose"] == msc.example["dose.cells_per_dose"]


def test_a_bundled_template_written_as_a_file_loads_back_without_its_example(tmp_path):
    msc = template("allogeneic-msc-microcarrier")
    path = tmp_path / "msc.cgttemplate"
    export_template(msc, path)
    back = load_template(path)
    assert back.parameters == msc.parameters and back.example == {}
    for key in PRODUCT:
        assert key not in path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- a scenario saved as a template


def test_no_product_value_leaves_a_scenario_saved_as_a_template(tmp_path):
    distinct = {
        "commercial.price_per_dose": 4_321_987.5,
        "demand.patients_per_year": 7_777.25,
        "dose.cells_per_dose": 321_987_654.0,
        "clinical.durable_response_rate": 0.4321,
        "demand.doses_per_patient": 2.75,
        "commercial.target_gross_margin": 0.6543,
        "commercial.royalty_rate": 0.0789,
        "clinical.pathway_cost_per_patient": 98_765.4,
    }
    s = new_scenario("Client X CD19", "autologous", {**distinct, "auto.process_days": 8.5, "facility.sites": 2})
    s.uncertainty = {
        "commercial.price_per_dose": {"dist": "uniform", "low": 4_000_000.5, "high": 4_500_000.5},
        "auto.process_days": {"dist": "triangular", "low": 7.5, "mode": 8.5, "high": 10.5},
    }
    s.correlations = [{"a": "commercial.price_per_dose", "b": "auto.process_days", "rho": 0.3}]
    s.notes = "price agreed with the payer at 4,321,987.5"
    result = template_from_scenario(s, "Closed line", "A. Consultant", date="2025-03-14")
    path = tmp_path / "closed.cgttemplate"
    save_template(result.template, path)
    text = path.read_text(encoding="utf-8")
    for key, value in distinct.items():
        assert key not in text
        assert repr(value) not in text and f"{value:g}" not in text
    assert "4000000.5" not in text and "4500000.5" not in text and "payer" not in text
    for word in ("price", "demand", "cells_per_dose", "response", "doses_per_patient", "margin", "royalty", "pathway"):
        assert word not in text, word
    back = load_template(path)
    assert set(back.parameters) == set(catalogue().platform_keys("autologous"))
    assert back.parameters["auto.process_days"] == 8.5 and back.parameters["facility.sites"] == 2
    assert set(back.uncertainty) == {"auto.process_days"}
    assert "platform values only" in result.message and "8 product values" in result.message
    assert set(result.left_out) == PRODUCT


def test_a_template_from_a_scenario_gives_the_platform_back_with_default_product_values():
    s = new_scenario("Allo", "allogeneic", {"allo.dsp_yield": 0.55, "commercial.price_per_dose": 99_000})
    t = template_from_scenario(s, "Our allo line", "B").template
    again = t.scenario("New client")
    cat = catalogue()
    for key in cat.platform_keys("allogeneic"):
        assert again.parameters[key] == s.parameters[key]
    for key in cat.product_keys("allogeneic"):
        assert again.parameters[key] == cat.parameters[key].default["allogeneic"]
    assert again.template == {"id": t.id, "version": 1}


# ---------------------------------------------------------------- the library


def _write(folder, **changes) -> Template:
    folder.mkdir(parents=True, exist_ok=True)
    t = template_from_dict(raw(**changes))
    save_template(t, folder / f"{t.id}-{t.version}.cgttemplate")
    return t


def test_the_library_lists_bundled_user_and_shared_and_the_newest_version_wins(tmp_path):
    user, shared = tmp_path / "user", tmp_path / "shared"
    _write(user, version=1)
    _write(shared, version=3, parameters={"auto.process_days": 7}, sources={"auto.process_days": "v3"}, uncertainty={})
    _write(shared, version=2)
    (shared / "broken.cgttemplate").write_text("{", encoding="utf-8")
    lib = load_library(user, [shared, tmp_path / "missing"])
    assert set(templates()) <= set(lib.latest())
    tid = raw()["id"]
    assert lib.versions(tid) == [1, 2, 3]
    newest = lib.latest()[tid]
    assert newest.version == 3 and newest.origin == "folder" and newest.parameters == {"auto.process_days": 7}
    assert lib.get(tid, 1).origin == "library"
    assert lib.find("closed car-t platform") is newest
    assert len(lib.problems) == 1 and "broken.cgttemplate" in lib.problems[0] and "not valid JSON" in lib.problems[0]
    with pytest.raises(InputError, match="no template named 'nope'"):
        lib.find("nope")


def test_import_copies_a_valid_file_and_refuses_an_invalid_one(tmp_path):
    src, user = tmp_path / "src", tmp_path / "lib"
    src.mkdir()
    good = src / "good.cgttemplate"
    save_template(template_from_dict(raw()), good)
    t = import_template(good, user)
    assert t.origin == "library" and os.path.dirname(t.path) == str(user)
    assert load_library(user).get(t.id).version == 1
    bad = src / "bad.cgttemplate"
    bad.write_text(json.dumps(raw(parameters={"dose.cells_per_dose": 1e8}, sources={"dose.cells_per_dose": "x"})))
    before = sorted(os.listdir(user))
    with pytest.raises(InputError, match="dose.cells_per_dose is a product value"):
        import_template(bad, user)
    assert sorted(os.listdir(user)) == before
    import_template(good, user)  # the same file again: no harm
    changed = src / "changed.cgttemplate"
    save_template(template_from_dict(raw(description="other")), changed)
    with pytest.raises(InputError, match="already holds version 1 .* expected a higher 'version'"):
        import_template(changed, user)


def test_delete_removes_library_files_only(tmp_path):
    user = tmp_path / "lib"
    _write(user, version=1)
    _write(user, version=2)
    tid = raw()["id"]
    assert len(delete_template(user, tid, 1)) == 1
    assert load_library(user).versions(tid) == [2]
    delete_template(user, tid)
    assert load_library(user).get(tid) is None
    with pytest.raises(InputError, match="bundled with the app"):
        delete_template(user, "autologous-manual")
    with pytest.raises(InputError, match="is not in the library"):
        delete_template(user, "nope")


def test_the_library_folder_is_the_data_folder_or_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("CGTDESK_LIBRARY", raising=False)
    assert default_library_dir(tmp_path) == tmp_path / "templates"
    assert default_library_dir().name == "templates"
    monkeypatch.setenv("CGTDESK_LIBRARY", str(tmp_path / "elsewhere"))
    assert default_library_dir() == tmp_path / "elsewhere"


# ---------------------------------------------------------------- provenance


def test_a_scenario_remembers_its_template_through_a_file(tmp_path):
    t = template_from_dict(raw(version=4))
    s = t.scenario("From platform")
    assert s.template == {"id": t.id, "version": 4}
    path = tmp_path / "p.cgtproj"
    save_project(Project(scenarios=[s, new_scenario("Plain", "allogeneic")]), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["scenarios"][0]["template"] == {"id": t.id, "version": 4}
    assert "template" not in data["scenarios"][1]
    back = load_project(path)
    assert back.scenarios[0].template == {"id": t.id, "version": 4} and back.scenarios[1].template is None


@pytest.mark.parametrize(
    "ref,words",
    [
        ("abc", ["'template'", "an object"]),
        ({"id": "x"}, ["'template', 'version'", "a whole number"]),
        ({"id": "x", "version": 1, "name": "n"}, ["only the fields id, version"]),
        ({"id": 5, "version": 1}, ["'template', 'id'", "a template id"]),
    ],
)
def test_a_bad_template_reference_is_refused(ref, words):
    d = {"format_version": 2, "scenarios": [{"name": "A", "process": "autologous", "template": ref}]}
    with pytest.raises(InputError) as e:
        project_from_dict(d)
    assert "scenario 'A'" in str(e.value)
    for w in words:
        assert w in str(e.value)


def test_platform_values_fill_the_defaults():
    t = template_from_dict(raw())
    values = platform_values(t)
    assert set(values) == set(catalogue().platform_keys("autologous"))
    assert values["auto.process_days"] == 8 and values["facility.mode"] == "shared"
    assert values["auto.device_capex"] == catalogue().parameters["auto.device_capex"].default["autologous"]


def test_template_updates_list_what_a_newer_version_would_change():
    v1 = template_from_dict(raw())
    v2 = template_from_dict(
        raw(
            version=2,
            parameters={"auto.batch_success_rate": 0.98, "auto.process_days": 8, "facility.mode": "shared"},
            uncertainty={},
        )
    )
    lib = Library([v1, v2])
    a = v1.scenario("A")
    b = v1.scenario("B")
    b.parameters["auto.process_days"] = 10  # a local change the update would overwrite
    c = v2.scenario("C")  # already on the newest version
    d = new_scenario("D", "autologous")  # from no template
    updates = template_updates(Project(scenarios=[a, b, c, d]), lib)
    assert [u.scenario for u in updates] == ["A", "B"]
    ua, ub = updates
    assert (ua.from_version, ua.to_version, ua.template_id) == (1, 2, v1.id)
    assert [(c.key, c.current, c.was, c.new, c.edited) for c in ua.changes] == [
        ("auto.batch_success_rate", 0.97, 0.97, 0.98, False)
    ]
    assert {c.key: c.edited for c in ub.changes} == {"auto.batch_success_rate": False, "auto.process_days": True}
    assert template_updates(Project(scenarios=[a]), Library([v1])) == []
