"""Project files in format version 2: version 1 files open with the version 2 defaults and one notice."""

from __future__ import annotations

import json

import pytest

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.project import FORMAT_VERSION, project_from_dict


def _v1() -> dict:
    return {
        "format_version": 1,
        "title": "Old",
        "scenarios": [
            {"name": "A", "process": "autologous", "parameters": {"staff.site_fte": 25, "demand.patients_per_year": 300}},
            {"name": "B", "process": "allogeneic", "parameters": {"logistics.outbound_cost_per_dose": 2000}},
        ],
    }


def test_a_version_1_file_opens_with_version_2_defaults_and_one_notice():
    p = project_from_dict(_v1())
    assert len(p.notices) == 1
    assert "version 1" in p.notices[0] and "facility.mode" in p.notices[0]
    a, b = p.scenarios
    assert a.parameters["staff.site_fte"] == 25  # what the file holds is kept
    assert a.parameters["facility.mode"] == "dedicated"
    assert a.parameters["auto.service_level"] == catalogue().parameters["auto.service_level"].default["autologous"]
    assert b.parameters["allo.shelf_life_days"] == catalogue().parameters["allo.shelf_life_days"].default["allogeneic"]
    saved = p.to_dict()
    assert saved["format_version"] == FORMAT_VERSION == 2
    assert "notices" not in saved
    assert set(saved["scenarios"][0]["parameters"]) == set(catalogue().keys_for("autologous"))
    assert json.loads(json.dumps(saved))["scenarios"][1]["parameters"]["facility.mode"] == "dedicated"
    again = project_from_dict(json.loads(json.dumps(saved)))
    assert again.notices == []  # a version 2 file says nothing
    assert again.scenarios[0].parameters == a.parameters


def test_bad_new_keys_are_refused_naming_scenario_and_key_and_nothing_loads():
    d = _v1()
    d["format_version"] = 2
    d["scenarios"][1]["parameters"]["facility.mode"] = "Shared"
    with pytest.raises(InputError) as e:
        project_from_dict(d)
    msg = str(e.value)
    assert "scenario 'B'" in msg and "facility.mode" in msg and "dedicated, shared, cdmo" in msg and "'Shared'" in msg
