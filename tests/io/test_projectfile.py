"""Project files (.cgtproj): round trip, atomic save with .bak, strict all-or-nothing reading."""

from __future__ import annotations

import json
import os

import pytest

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import DomainError, InputError
from cgtdesk.core.project import DISTRIBUTIONS, Project, new_scenario, project_from_dict
from cgtdesk.io import load_any
from cgtdesk.io.atomic import atomic_write, atomic_write_bytes
from cgtdesk.io.projectfile import load_project, parse_project_text, project_to_json, save_project


def _minimal(**scenario) -> dict:
    s = {"name": "A", "process": "autologous"}
    s.update(scenario)
    return {"format_version": 2, "title": "T", "currency": "EUR", "scenarios": [s]}


def _files(folder) -> list[str]:
    return sorted(os.listdir(folder))


def test_save_then_load_gives_the_same_project(tmp_path, example_path):
    project = load_project(example_path)
    out = tmp_path / "copy.cgtproj"
    save_project(project, out)
    again = load_project(out)
    assert again == project
    assert again.to_dict() == project.to_dict()
    # and the text is stable: saving the loaded copy writes the same bytes
    save_project(again, tmp_path / "copy2.cgtproj")
    assert (tmp_path / "copy2.cgtproj").read_bytes() == out.read_bytes()


def test_saved_file_is_utf8_json_holding_every_key(tmp_path):
    project = Project("Étude — Zürich", "CHF", [new_scenario("Allo µ-carrier", "allogeneic", {"facility.sites": 2})])
    out = tmp_path / "p.cgtproj"
    save_project(project, out)
    raw = out.read_bytes()
    data = json.loads(raw.decode("utf-8"))
    assert "Étude — Zürich".encode() in raw  # written as UTF-8, not escaped
    assert data["format_version"] == 2
    assert data["currency"] == "CHF"
    assert set(data["scenarios"][0]["parameters"]) == set(catalogue().keys_for("allogeneic"))
    assert data["scenarios"][0]["parameters"]["facility.sites"] == 2
    assert load_project(out) == project


def test_a_bak_keeps_the_previous_version(tmp_path):
    out = tmp_path / "p.cgtproj"
    first = Project("first", "USD", [new_scenario("A", "autologous")])
    second = Project("second", "USD", [new_scenario("B", "allogeneic")])
    save_project(first, out)
    assert _files(tmp_path) == ["p.cgtproj"]  # nothing to back up the first time
    first_bytes = out.read_bytes()
    save_project(second, out)
    assert _files(tmp_path) == ["p.cgtproj", "p.cgtproj.bak"]
    assert (tmp_path / "p.cgtproj.bak").read_bytes() == first_bytes
    assert load_project(out).title == "second"
    save_project(first, out)
    assert load_project(tmp_path / "p.cgtproj.bak").title == "second"
    assert load_project(out).title == "first"


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    out = tmp_path / "p.cgtproj"
    for i in range(5):
        save_project(Project(f"v{i}", "USD", [new_scenario("A", "autologous")]), out)
    assert _files(tmp_path) == ["p.cgtproj", "p.cgtproj.bak"]
    atomic_write_bytes(tmp_path / "plain.bin", b"abc")
    assert (tmp_path / "plain.bin").read_bytes() == b"abc"
    assert _files(tmp_path) == ["p.cgtproj", "p.cgtproj.bak", "plain.bin"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path):
    out = tmp_path / "p.cgtproj"
    save_project(Project("old", "USD", [new_scenario("A", "autologous")]), out)
    before = out.read_bytes()

    def half_then_fail(f):
        f.write(b'{"format_version": 1, "tit')
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(out, half_then_fail, backup=True)
    assert out.read_bytes() == before
    assert _files(tmp_path) == ["p.cgtproj"]


def test_partial_parameters_take_the_defaults_of_the_process():
    p = project_from_dict(_minimal(parameters={"demand.patients_per_year": 123}))
    s = p.scenarios[0]
    defaults = catalogue().defaults("autologous")
    assert set(s.parameters) == set(defaults)
    assert s.parameters["demand.patients_per_year"] == 123
    for k, v in defaults.items():
        if k != "demand.patients_per_year":
            assert s.parameters[k] == v
    assert p.currency == "EUR" and p.title == "T"


def test_title_and_currency_default_and_integers_are_normalised():
    d = _minimal(parameters={"facility.sites": 3.0})
    del d["title"], d["currency"]
    p = project_from_dict(d)
    assert p.currency == "USD"
    assert p.title
    assert p.scenarios[0].parameters["facility.sites"] == 3
    assert isinstance(p.scenarios[0].parameters["facility.sites"], int)


def test_every_distribution_kind_and_correlations_are_read():
    examples = {
        "fixed": {"value": 0.9},
        "uniform": {"low": 0.8, "high": 0.99},
        "triangular": {"low": 0.8, "mode": 0.9, "high": 0.99},
        "pert": {"low": 0.8, "mode": 0.95, "high": 1.0},
        "normal": {"mean": 0.9, "sd": 0.05},
        "lognormal": {"median": 0.9, "sigma": 0.1},
    }
    assert set(examples) == set(DISTRIBUTIONS)
    for kind, fields in examples.items():
        d = _minimal(uncertainty={"auto.batch_success_rate": {"dist": kind, **fields}})
        s = project_from_dict(d).scenarios[0]
        assert s.uncertainty["auto.batch_success_rate"] == {"dist": kind, **fields}
    d = _minimal(
        uncertainty={
            "auto.batch_success_rate": {"dist": "uniform", "low": 0.8, "high": 0.99},
            "auto.vector_cost_per_batch": {"dist": "lognormal", "median": 15000, "sigma": 0.3},
        },
        correlations=[{"a": "auto.batch_success_rate", "b": "auto.vector_cost_per_batch", "rho": -0.4}],
    )
    s = project_from_dict(d).scenarios[0]
    assert s.correlations == [{"a": "auto.batch_success_rate", "b": "auto.vector_cost_per_batch", "rho": -0.4}]


def test_a_utf8_bom_is_accepted(tmp_path):
    out = tmp_path / "bom.cgtproj"
    out.write_bytes(b"\xef\xbb\xbf" + json.dumps(_minimal()).encode())
    assert load_project(out).scenarios[0].name == "A"


def test_nothing_is_loaded_in_part():
    d = _minimal()
    d["scenarios"].append({"name": "B", "process": "allogeneic", "parameters": {"allo.dsp_yield": 2}})
    with pytest.raises(InputError) as e:
        project_from_dict(d)
    assert "scenario 'B'" in str(e.value) and "allo.dsp_yield" in str(e.value)


BAD = [
    ("unparseable", "{not json", ["not valid JSON", "line 1"]),
    ("truncated", json.dumps(_minimal())[:50], ["not valid JSON", "truncated"]),
    ("nested lists", "[" * 100_000 + "]" * 100_000, ["nested too deeply"]),
    ("nested objects", '{"a":' * 100_000 + "1" + "}" * 100_000, ["nested too deeply"]),
    (
        "text for number",
        _minimal(parameters={"demand.patients_per_year": "500"}),
        ["scenario 'A'", "demand.patients_per_year", "a number", "'500'"],
    ),
    (
        "boolean for number",
        _minimal(parameters={"demand.patients_per_year": True}),
        ["demand.patients_per_year", "a number", "true"],
    ),
    ("null for number", _minimal(parameters={"demand.patients_per_year": None}), ["demand.patients_per_year", "null"]),
    ("NaN", json.dumps(_minimal(parameters={"auto.process_days": 9})).replace("9}", "NaN}"), ["NaN", "finite number"]),
    (
        "Infinity",
        json.dumps(_minimal(parameters={"auto.process_days": 9})).replace("9}", "Infinity}"),
        ["Infinity", "finite number"],
    ),
    (
        "overflow",
        json.dumps(_minimal(parameters={"auto.process_days": 9})).replace("9}", "1e400}"),
        ["auto.process_days", "finite number"],
    ),
    ("huge integer", json.dumps(_minimal(parameters={"auto.process_days": 9})).replace("9}", "9" * 5000 + "}"), ["5000 digits"]),
    (
        "below range",
        _minimal(parameters={"demand.patients_per_year": 0}),
        ["scenario 'A'", "demand.patients_per_year", "from 1 to 1000000", "found 0"],
    ),
    (
        "above range",
        _minimal(parameters={"auto.batch_success_rate": 1.5}),
        ["auto.batch_success_rate", "from 0.01 to 1", "found 1.5"],
    ),
    ("non-integer", _minimal(parameters={"facility.sites": 2.5}), ["facility.sites", "whole number", "2.5"]),
    (
        "unknown key",
        _minimal(parameters={"demand.patient_per_year": 5}),
        ["scenario 'A'", "unknown parameter 'demand.patient_per_year'", "did you mean 'demand.patients_per_year'"],
    ),
    (
        "other-process key",
        _minimal(parameters={"allo.dsp_yield": 0.5}),
        ["scenario 'A'", "allo.dsp_yield", "allogeneic", "autologous"],
    ),
    ("unknown process", _minimal(process="xenogeneic"), ["scenario 'A'", "process", "autologous, allogeneic", "'xenogeneic'"]),
    ("unknown format_version", {**_minimal(), "format_version": 3}, ["format_version", "expected 1 or 2", "found 3"]),
    (
        "unknown facility mode",
        _minimal(parameters={"facility.mode": "hospital"}),
        ["scenario 'A'", "facility.mode", "dedicated, shared, cdmo", "'hospital'"],
    ),
    (
        "facility mode as a number",
        _minimal(parameters={"facility.mode": 1}),
        ["scenario 'A'", "facility.mode", "dedicated, shared, cdmo", "found 1"],
    ),
    (
        "service level of 1",
        _minimal(parameters={"auto.service_level": 1}),
        ["scenario 'A'", "auto.service_level", "0 to 0.999", "found 1"],
    ),
    (
        "negative shelf life",
        _minimal(process="allogeneic", parameters={"allo.shelf_life_days": -1}),
        ["scenario 'A'", "allo.shelf_life_days", "found -1"],
    ),
    (
        "distribution on the mode",
        _minimal(uncertainty={"facility.mode": {"dist": "fixed", "value": 1}}),
        ["scenario 'A'", "facility.mode", "choice", "never sampled"],
    ),
    ("no format_version", {k: v for k, v in _minimal().items() if k != "format_version"}, ["format_version", "found nothing"]),
    ("unknown top field", {**_minimal(), "extra": 1}, ["unknown field", "extra"]),
    ("no scenarios", {**_minimal(), "scenarios": []}, ["scenarios", "at least one"]),
    (
        "inverted uniform",
        _minimal(uncertainty={"auto.batch_success_rate": {"dist": "uniform", "low": 0.99, "high": 0.9}}),
        ["scenario 'A'", "auto.batch_success_rate", "low < high", "0.99"],
    ),
    (
        "inverted triangular",
        _minimal(uncertainty={"auto.process_days": {"dist": "triangular", "low": 8, "mode": 12, "high": 10}}),
        ["auto.process_days", "low <= mode <= high", "mode 12"],
    ),
    (
        "distribution out of range",
        _minimal(uncertainty={"auto.batch_success_rate": {"dist": "fixed", "value": 2}}),
        ["auto.batch_success_rate", "0.01 .. 1", "found 2"],
    ),
    (
        "unknown distribution",
        _minimal(uncertainty={"auto.process_days": {"dist": "beta"}}),
        ["auto.process_days", "'dist'", "triangular", "'beta'"],
    ),
    (
        "distribution kind not text",
        _minimal(uncertainty={"auto.process_days": {"dist": {}}}),
        ["auto.process_days", "'dist'", "an object"],
    ),
    (
        "negative sd",
        _minimal(uncertainty={"auto.process_days": {"dist": "normal", "mean": 9, "sd": -1}}),
        ["auto.process_days", "'sd'", "above 0"],
    ),
    (
        "uncertainty of other process",
        _minimal(uncertainty={"allo.dsp_yield": {"dist": "fixed", "value": 0.5}}),
        ["allo.dsp_yield", "allogeneic", "autologous"],
    ),
    (
        "correlation without distribution",
        _minimal(correlations=[{"a": "auto.process_days", "b": "auto.changeover_days", "rho": 0.2}]),
        ["correlation 1", "auto.process_days", "uncertainty distribution"],
    ),
    (
        "correlation out of range",
        _minimal(
            uncertainty={
                "auto.process_days": {"dist": "uniform", "low": 8, "high": 10},
                "auto.changeover_days": {"dist": "uniform", "low": 0.5, "high": 2},
            },
            correlations=[{"a": "auto.process_days", "b": "auto.changeover_days", "rho": 1.5}],
        ),
        ["correlation 1", "rho", "between -1 and 1", "1.5"],
    ),
    (
        "lot yields no dose",
        {**_minimal(process="allogeneic", parameters={"allo.bioreactor_volume_l": 0.1})},
        ["scenario 'A'", "allo.bioreactor_volume_l", "allo.qc_retain_doses_per_lot", "-9 doses"],
    ),
    (
        "lone surrogate",
        '{"format_version": 1, "title": "\\ud800", "scenarios": [{"name": "A", "process": "autologous"}]}',
        ["'title'", "invalid character"],
    ),
    ("scenario not an object", {**_minimal(), "scenarios": [None]}, ["scenario 1", "an object", "null"]),
    ("empty name", _minimal(name="  "), ["scenario 1", "'name'", "non-empty"]),
    ("unknown scenario field", _minimal(colour="red"), ["scenario 1", "unknown field", "colour"]),
]


def _duplicate_names() -> dict:
    d = _minimal()
    d["scenarios"].append({"name": "A", "process": "allogeneic"})
    return d


BAD += [
    ("duplicate names", _duplicate_names(), ["scenario 2", "'A'", "twice", "unique"]),
    ("duplicate JSON keys", '{"format_version": 1, "format_version": 1, "scenarios": []}', ["'format_version'", "twice"]),
    (
        "duplicate parameter keys",
        '{"format_version": 1, "scenarios": [{"name": "A", "process": "autologous", "parameters": {"facility.sites": 1, "facility.sites": 2}}]}',
        ["'facility.sites'", "twice"],
    ),
]


@pytest.mark.parametrize("content,words", [(c, w) for _, c, w in BAD], ids=[n for n, _, _ in BAD])
def test_bad_project_text_is_refused_with_one_clear_message(content, words):
    text = content if isinstance(content, str) else json.dumps(content)
    with pytest.raises(InputError) as e:
        parse_project_text(text, "bad.cgtproj")
    msg = str(e.value)
    assert msg.startswith("bad.cgtproj: ")
    assert "\n" not in msg
    for w in words:
        assert w in msg, f"{w!r} not in {msg!r}"


def test_lot_without_dose_is_a_domain_error_naming_the_keys():
    d = _minimal(process="allogeneic", parameters={"allo.bioreactor_volume_l": 0.1})
    with pytest.raises(DomainError) as e:
        project_from_dict(d)
    assert "allo.bioreactor_volume_l" in e.value.keys


def test_bad_files(tmp_path):
    cases = {
        "missing.cgtproj": (None, "no such file"),
        "empty.cgtproj": (b"", "not valid JSON"),
        "latin1.cgtproj": ('{"title": "Caf\u00e9"}'.encode("latin-1"), "not UTF-8"),
        "utf16.cgtproj": (json.dumps(_minimal()).encode("utf-16"), "not UTF-8"),
    }
    for name, (data, words) in cases.items():
        if data is not None:
            (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError, match=words) as e:
            load_project(tmp_path / name)
        assert name in str(e.value)
    (tmp_path / "folder.cgtproj").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        load_project(tmp_path / "folder.cgtproj")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match="expected a .cgtproj project or an .xlsx workbook"):
        load_any(tmp_path / "notes.txt")


def test_project_to_json_refuses_nan():
    p = Project("t", "USD", [new_scenario("A", "autologous")])
    p.scenarios[0].parameters["auto.process_days"] = float("nan")
    with pytest.raises(ValueError):
        project_to_json(p)


def test_a_save_clears_temporaries_left_by_killed_writes_but_not_fresh_ones(tmp_path):
    """A writer killed midway leaves its hidden temporary file; the next save removes old ones."""
    import os
    import time

    from cgtdesk.core.project import Project
    from cgtdesk.core.templates import template
    from cgtdesk.io.projectfile import save_project

    target = tmp_path / "client.cgtproj"
    stale = tmp_path / ".client.cgtproj.abc123.tmp"
    stale_bak = tmp_path / ".client.cgtproj.bak.def456.tmp"
    fresh = tmp_path / ".client.cgtproj.xyz789.tmp"  # another writer may be at work right now
    other = tmp_path / ".other.cgtproj.abc123.tmp"  # another file's temporary is not ours
    for f in (stale, stale_bak, fresh, other):
        f.write_text("{half a proj")
    two_hours_ago = time.time() - 7200
    for f in (stale, stale_bak, other):
        os.utime(f, (two_hours_ago, two_hours_ago))
    save_project(Project(scenarios=[template("autologous-automated").scenario()]), target)
    assert not stale.exists() and not stale_bak.exists()
    assert fresh.exists() and other.exists()
