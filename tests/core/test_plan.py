"""The launch plan in the core: hand-worked small plans, the plan block of project files
(validated, saved and reloaded unchanged, renamed with its scenarios), and samples."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cgtdesk.core.analyses.plan import plan, plan_samples
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.project import Plan, Project, new_scenario, project_from_dict
from cgtdesk.io.projectfile import project_to_json


def _project(process: str, params: dict, demand: list[float], *, look_ahead: int = 1) -> Project:
    s = new_scenario("A", process, params)
    p = Plan(first_year=2030, years=len(demand), demand={"patients_per_year": demand}, look_ahead_years=look_ahead)
    return Project(scenarios=[s], plan=p)


def test_cdmo_three_years_constant_demand_by_hand():
    """cdmo, 100 patients a year for 3 years, r = 0, success 1, one site."""
    params = {
        "facility.mode": "cdmo",
        "finance.discount_rate": 0.0,
        "auto.batch_success_rate": 1.0,
        "commercial.royalty_rate": 0.0,
    }
    r = plan(_project("autologous", params, [100, 100, 100])).scenarios[0]
    # per year: 100 batches x (20,000 + 15,000 + 12,000 + 3,000 inbound) + 100 doses x 2,000 outbound
    #   + 3 oversight FTE x 120,000 + 100 x 60,000 fee + 500,000 reservation = 12,060,000
    opex = 100 * 50_000 + 100 * 2_000 + 3 * 120_000 + 100 * 60_000 + 500_000
    # start-up in year u0 - 1 = 0, paid in year 1: transfer 1.5M + 3 PPQ x (47,000 + 60,000 fee)
    startup = 1_500_000 + 3 * (47_000 + 60_000)
    assert r.table["startup"] == pytest.approx([startup, 0, 0], rel=1e-12)
    assert r.table["cost"] == pytest.approx([opex + startup, opex, opex], rel=1e-12)
    assert r.summary["npc"] == pytest.approx(3 * opex + startup, rel=1e-12)
    assert r.summary["levelised_cogs_per_dose"] == pytest.approx((3 * opex + startup) / 300, rel=1e-12)
    assert r.summary["capex_cash"] == 0
    assert r.summary["peak_funding"] == 0  # 100 doses x 400,000 = 40M a year, above the cost
    assert r.table["cumulative_cash"][-1] == pytest.approx(3 * 40e6 - 3 * opex - startup, rel=1e-12)


def test_dedicated_capex_residual_and_startup_by_hand():
    """Dedicated, demand [0, 100, 100], look-ahead 1, r = 0, no labour: the sites open in year 1.

    Utilisation rule: 100 batches / (255 days / 10-day cycle) -> 4 devices -> 1 suite.
    Building 15M site + 3M suite (in service year 1, lead 2 -> paid year 1), equipment 4 x 0.5M
    (lead 1 -> year 1). Residual in year 3: building 18M x (1 + 20 - 1 - 3)/20, equipment
    2M x (1 + 7 - 1 - 3)/7. Start-up in year 0 -> 1: 0.1 x (15M + 3M) + 3 x 47,000.
    """
    zero_labour = {
        "labour.min_crew_per_suite": 0,
        "labour.staffed_hours_per_year": 0,
        "auto.operator_hours_per_batch": 0,
        "auto.qc_qa_hours_per_batch": 0,
        "staff.support_fte_per_suite": 0,
        "staff.site_fte": 0,
    }
    params = {
        **zero_labour,
        "finance.discount_rate": 0.0,
        "auto.batch_success_rate": 1.0,
        "auto.service_level": 0.0,
        "commercial.royalty_rate": 0.0,
    }
    r = plan(_project("autologous", params, [0, 100, 100])).scenarios[0]
    assert list(r.table["units"]) == [4, 4, 4] and list(r.table["suites"]) == [1, 1, 1]
    residual = 18e6 * 17 / 20 + 2e6 * 4 / 7
    assert r.table["capex"] == pytest.approx([20e6, 0, -residual], rel=1e-12)
    startup = 0.1 * 18e6 + 3 * 47_000
    assert r.table["startup"] == pytest.approx([startup, 0, 0], rel=1e-12)
    facility = (2e6 + 18e6) * 0.09 + 1.5e6 + 0.4e6  # upkeep and running, no capital charge
    variable = 100 * (20_000 + 15_000 + 12_000 + 3_000 + 2_000)
    assert r.table["facility"] == pytest.approx([facility] * 3, rel=1e-12)
    npc = 20e6 - residual + startup + 3 * facility + 2 * variable
    assert r.summary["npc"] == pytest.approx(npc, rel=1e-12)
    assert r.summary["levelised_cogs_per_dose"] == pytest.approx(npc / 200, rel=1e-12)
    assert r.table["utilisation"] == pytest.approx([0, 100 * 10 / (4 * 300), 100 * 10 / (4 * 300)], rel=1e-12)


def test_no_demand_means_no_cost():
    r = plan(_project("allogeneic", {}, [0, 0, 0])).scenarios[0]
    assert all(float(np.abs(v).sum()) == 0 for k, v in r.table.items() if k != "year")
    assert r.summary["npc"] == 0 and r.summary["levelised_cogs_per_dose"] is None


def test_discounting_by_hand():
    """cdmo with r = 0.1: npc = sum cost_t / 1.1^t."""
    params = {"facility.mode": "cdmo", "finance.discount_rate": 0.1}
    r = plan(_project("autologous", params, [50, 80])).scenarios[0]
    cost = r.table["cost"]
    assert r.summary["npc"] == pytest.approx(cost[0] / 1.1 + cost[1] / 1.21, rel=1e-12)
    doses = 50 / 1.1 + 80 / 1.21
    assert r.summary["levelised_cogs_per_dose"] == pytest.approx(r.summary["npc"] / doses, rel=1e-12)


# ---------------------------------------------------------------- the plan block


EXAMPLE_PLAN = {
    "first_year": 2027,
    "years": 15,
    "demand": {"launch_year": 2029, "peak_patients_per_year": 1500, "years_to_peak": 5},
    "look_ahead_years": 1,
    "switches": [{"from": "B", "to": "A", "year": 2032}],
}


def _file(plan: dict) -> dict:
    return {
        "format_version": 2,
        "scenarios": [{"name": "A", "process": "autologous"}, {"name": "B", "process": "autologous"}],
        "plan": plan,
    }


def test_plan_block_round_trips_unchanged():
    for plan_block in (
        EXAMPLE_PLAN,
        {**EXAMPLE_PLAN, "demand": {"patients_per_year": [0, 0, 40.5, *([160] * 12)]}, "switches": []},
    ):
        p = project_from_dict(_file(plan_block))
        again = json.loads(project_to_json(p))
        assert again["plan"] == plan_block
        assert project_from_dict(again).plan == p.plan


def test_plan_defaults_and_absence():
    p = project_from_dict(_file({"first_year": 2027, "years": 3, "demand": {"patients_per_year": [0, 1, 2]}}))
    assert p.plan.look_ahead_years == 1 and p.plan.switches == []
    no = _file(EXAMPLE_PLAN)
    del no["plan"]
    q = project_from_dict(no)
    assert q.plan is None and "plan" not in q.to_dict()
    with pytest.raises(InputError, match="Launch plan view"):
        plan(q)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"years": 0}, "plan.years"),
        ({"years": 41}, "plan.years"),
        ({"years": True}, "plan.years"),
        ({"look_ahead_years": -1}, "plan.look_ahead_years"),
        ({"demand": {"launch_year": 2029, "peak_patients_per_year": 1500}}, "plan.demand"),
        ({"demand": {"launch_year": 2029.5, "peak_patients_per_year": 1500, "years_to_peak": 5}}, "plan.demand.launch_year"),
        ({"demand": {"launch_year": 2029, "peak_patients_per_year": 2e6, "years_to_peak": 5}}, "plan.demand.peak"),
        ({"demand": {"patients_per_year": "many"}}, "plan.demand.patients_per_year"),
        ({"demand": {"patients_per_year": [float("nan")] * 15}}, "plan.demand.patients_per_year[0]"),
        ({"switches": {"from": "A"}}, "plan.switches"),
        ({"switches": [{"from": "A", "to": "B"}]}, "plan.switches[0]"),
        ({"switches": [{"from": "A", "to": "B", "year": 2026}]}, "plan.switches[0].year"),
        ({"switches": [{"from": "A", "to": "B", "year": 2030, "cost": 1}]}, "plan.switches[0]"),
        ({"extra": 1}, "plan"),
    ],
)
def test_bad_plan_blocks_name_the_field(change, field):
    with pytest.raises(InputError) as e:
        project_from_dict(_file({**EXAMPLE_PLAN, **change}))
    assert field in str(e.value)


def test_rename_updates_the_switches():
    p = project_from_dict(_file(EXAMPLE_PLAN))
    p.rename_scenario("A", "Automated")
    assert p.plan.switches == [{"from": "B", "to": "Automated", "year": 2032}]
    assert project_from_dict(p.to_dict()).plan.switches[0]["to"] == "Automated"


# ---------------------------------------------------------------- samples


def test_plan_samples_match_one_plan_per_sample():
    p = project_from_dict(_file(EXAMPLE_PLAN))
    s = p.scenarios[0]
    rng = np.random.default_rng(1)
    samples = {
        "auto.batch_success_rate": rng.uniform(0.8, 1.0, 7),
        "finance.equipment_life_years": rng.uniform(2, 9, 7),
        "plan.facility_lead_years": rng.integers(0, 4, 7).astype(float),
        "finance.discount_rate": rng.uniform(0, 0.15, 7),
    }
    got = plan_samples(s, p.plan, samples, block=3)
    assert got["valid"].all()
    for i in range(7):
        one = p.copy()
        one.scenarios[0].parameters.update({k: float(v[i]) for k, v in samples.items()})
        ref = plan(one, "A").scenarios[0].summary
        for k, v in ref.items():
            assert got[k][i] == pytest.approx(v, rel=1e-12, abs=1e-6), (i, k)


def test_plan_keys_are_in_the_catalogue():
    keys = catalogue().keys_for("autologous")
    for k in ("plan.facility_lead_years", "plan.equipment_lead_years", "plan.startup_cost_rate", "plan.ppq_batches"):
        assert k in keys
