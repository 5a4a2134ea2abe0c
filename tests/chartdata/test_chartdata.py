"""Chart data (no Qt): every number checked against the model evaluated point by point, and the
findings stated in words checked against hand-known anchors of docs/model.md."""

import math
from pathlib import Path

import numpy as np
import pytest
from v2_reference import reference

from cgtdesk import chartdata
from cgtdesk.core import formatting
from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.core.model import evaluate
from cgtdesk.core.project import Project, new_scenario
from cgtdesk.io import load_any

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"


@pytest.fixture(scope="module")
def project():
    return load_any(EXAMPLE)


def scalar(s, **over):
    p = dict(s.parameters)
    p.update(over)
    return evaluate(s.process, p)


def test_breakdown_per_dose_sums_to_cost_per_dose(project):
    d = chartdata.breakdown_per_dose(project)
    assert d.scenarios == project.names()
    assert d.per_dose.shape == (len(project.scenarios), len(BREAKDOWN))
    for i, s in enumerate(project.scenarios):
        r = scalar(s)
        doses = s.parameters["demand.patients_per_year"] * s.parameters["demand.doses_per_patient"]
        for j, c in enumerate(BREAKDOWN):
            assert d.per_dose[i, j] == pytest.approx(r[f"breakdown.{c}"] / doses, rel=1e-12)
        assert d.per_dose[i].sum() == pytest.approx(r["cogs_per_dose"], rel=1e-12)
        assert d.totals[i] == pytest.approx(r["cogs_per_dose"], rel=1e-12)


def test_breakdown_finding_names_the_cheapest(project):
    d = chartdata.breakdown_per_dose(project)
    cheapest = project.names()[int(np.argmin(d.totals))]
    assert cheapest in d.finding and "cheapest" in d.finding
    assert "largest cost" in d.finding


def test_demand_curves_are_the_model_at_every_point(project):
    demand = chartdata.demand_grid(1, 1e5, 50)
    d = chartdata.demand_curves(project, demand=demand)
    assert np.all(np.diff(np.log(demand)) > 0)
    for s in project.scenarios:
        for k in (0, 7, 23, 49):
            want = scalar(s, **{"demand.patients_per_year": float(demand[k])})["cogs_per_dose"]
            assert d.values[s.name][k] == pytest.approx(want, rel=1e-12)
        dem, v = d.current[s.name]
        assert dem == s.parameters["demand.patients_per_year"]
        assert v == pytest.approx(scalar(s)["cogs_per_dose"], rel=1e-12)


def test_default_pair_is_first_autologous_and_first_allogeneic(project):
    assert chartdata.default_pair(project) == ("Autologous, automated, central", "Allogeneic CAR-T, 20 L bioreactor")


def test_crossover_finding_matches_the_model_on_both_sides(project):
    d = chartdata.demand_curves(project, demand=chartdata.demand_grid(1, 1e5, 100))
    a, b = (project.scenario(n) for n in d.pair)
    x = d.b_cheaper_from
    assert x is not None and 1 < x < 1e5
    # B is cheaper just above the switch and at every demand beyond, not just below it
    above = [x * (1 + 1e-6), x * 2, 1e3, 1e5]
    for dem in above:
        ca = scalar(a, **{"demand.patients_per_year": dem})["cogs_per_dose"]
        cb = scalar(b, **{"demand.patients_per_year": dem})["cogs_per_dose"]
        assert cb < ca
    ca = scalar(a, **{"demand.patients_per_year": x * (1 - 1e-6)})["cogs_per_dose"]
    cb = scalar(b, **{"demand.patients_per_year": x * (1 - 1e-6)})["cogs_per_dose"]
    assert cb >= ca
    assert d.finding == f"{b.name} is cheaper than {a.name} from {math.ceil(x):,} patients a year"


def test_crossover_pending_until_located(project):
    d = chartdata.demand_curves(project, demand=chartdata.demand_grid(1, 1e5, 20), locate=False)
    assert d.crossover_pending and d.b_cheaper_from is None and "locating" in d.finding


def test_no_crossover_when_b_never_cheaper():
    a = new_scenario("Allo", "allogeneic")
    b = new_scenario("Auto", "autologous")
    p = Project(scenarios=[a, b])
    d = chartdata.demand_curves(p, demand=chartdata.demand_grid(1e3, 1e5, 30), pair=("Allo", "Auto"))
    assert d.b_cheaper_from is None
    assert d.finding == "Allo is cheaper than Auto up to 100,000 patients a year"


def test_capacity_anchor_of_model_md():
    # autologous defaults at 500 patients/yr (model version 2, dedicated, service level 0.95):
    # B_s = 500 / 0.95 = 526.3 batches; the devices by the service-level (Erlang C) rule, from
    # the independent reference; suites ceil(24 / 4) = 6; FTE by hand: crew ceil(6*2*3000/1700)
    # = 22, hands-on ceil(526.3*60/1700) = 19, QC/QA 19, support 2*6 = 12, site 15:
    # max(22, 19) + 19 + 12 + 15 = 68
    s = new_scenario("Auto", "autologous")
    p = Project(scenarios=[s])
    d = chartdata.capacity_curves(p, demand=np.array([1.0, 500.0, 1e4]))
    ref = reference("autologous", dict(s.parameters))
    assert ref["units"] == 24 and ref["suites"] == 6 and ref["fte"] == 68
    assert d.curves["units"]["Auto"][1] == 24
    assert d.curves["suites"]["Auto"][1] == 6
    assert d.curves["fte"]["Auto"][1] == 68
    assert d.finding == "Auto needs 24 devices, 6 suites and 68 FTE for 500 patients a year"


def test_waterfall_walks_from_price_to_margin(project):
    s = project.scenarios[0]
    w = chartdata.waterfall(s, project.currency)
    price = s.parameters["commercial.price_per_dose"]
    tm = s.parameters["commercial.target_gross_margin"]
    assert w.price == price
    assert price - w.per_dose.sum() == pytest.approx(w.margin, rel=1e-12)
    assert w.headroom == pytest.approx(w.margin - price * tm, rel=1e-9)
    assert w.target_margin_value == pytest.approx(price * tm)
    # the example's first scenario: USD 400,000 list price, 75% target -> USD 100,000 allowed
    assert w.max_allowable == pytest.approx(100_000)
    assert w.finding == f"{s.name} meets the 75% margin target with USD {w.headroom:,.0f} headroom per dose"


def test_waterfall_states_a_missed_target():
    s = new_scenario("Pricey", "autologous", {"commercial.price_per_dose": 200_000})
    w = chartdata.waterfall(s)
    assert w.headroom < 0
    assert w.finding == f"Pricey misses the 75% margin target by USD {-w.headroom:,.0f} per dose"


def test_invalid_allogeneic_scenario_is_reported_not_drawn():
    bad = new_scenario("Tiny", "allogeneic", {"allo.bioreactor_volume_l": 0.01})
    ok = new_scenario("Auto", "autologous")
    p = Project(scenarios=[ok, bad])
    d = chartdata.breakdown_per_dose(p)
    assert np.all(np.isnan(d.per_dose[1])) and "Tiny" in d.problems
    w = chartdata.waterfall(bad)
    assert w.problem and "cannot be evaluated" in w.finding


def test_money_and_patients_formatting():
    assert formatting.money(5543.4) == "USD 5,543"
    assert formatting.money(-12.6, "EUR") == "-EUR 13"
    assert formatting.patients(96.2) == "97"
    assert formatting.patients(97.0) == "97"


def test_labour_note_survives_quantities_the_model_cannot_give(monkeypatch):
    # a fuzzed editor session reached a scenario whose share came back as None (NaN): the
    # breakdown's labour note crashed the chart redraw with a TypeError
    import cgtdesk.chartdata.breakdown as bd
    from cgtdesk.core.project import new_scenario

    s = new_scenario("s", "autologous", {"facility.mode": "shared"})
    real = bd.evaluate

    def with_a_gap(process, params, **kw):
        out = dict(real(process, params, **kw))
        out["calc.share"] = None
        return out

    monkeypatch.setattr(bd, "evaluate", with_a_gap)
    parts = bd.labour_parts(s)
    assert math.isnan(parts["staff"]) and math.isnan(parts["crew"])
    assert "n/a" in bd.labour_note(s)
