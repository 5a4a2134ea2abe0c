"""The chartdata package: its public names, the presets it reads, and the declared kinds it carries."""

import importlib

import numpy as np

from cgtdesk import chartdata
from cgtdesk.core import analyses
from cgtdesk.core.analyses import presets
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.project import Project, new_scenario


def _project():
    return Project(title="t", currency="EUR", scenarios=[new_scenario("A", "autologous"), new_scenario("B", "allogeneic")])


def test_waterfall_is_the_function_even_after_its_module_is_imported():
    importlib.import_module("cgtdesk.chartdata.waterfall")
    from cgtdesk.chartdata.waterfall import headroom_sentence  # noqa: F401

    d = chartdata.waterfall(_project().scenarios[0], "EUR")
    assert isinstance(d, chartdata.WaterfallData)


def test_the_demand_axis_comes_from_the_presets():
    g = chartdata.demand_grid()
    assert g.size == presets.DEMAND_POINTS
    assert g[0] == presets.DEMAND_LO and g[-1] == presets.DEMAND_HI
    # evenly spaced in log: every ratio of neighbours is the same
    r = g[1:] / g[:-1]
    assert np.allclose(r, (presets.DEMAND_HI / presets.DEMAND_LO) ** (1 / (presets.DEMAND_POINTS - 1)))


def test_tornado_data_carries_the_declared_kind_of_its_result():
    s = _project().scenarios[0]
    for result in ("cogs_per_dose", "utilisation"):
        d = chartdata.tornado_data(analyses.tornado(s, result), "EUR")
        assert d.kind == catalogue().results[result].kind
    money = chartdata.tornado_data(analyses.tornado(s, "cogs_per_dose"), "EUR")
    assert "EUR " in money.finding


def test_default_pair_is_one_of_each_process_and_a_bad_pair_falls_back_to_it():
    p = _project()
    assert chartdata.default_pair(p) == ("A", "B")
    assert chartdata.valid_pair(p, ("A", "A")) == ("A", "B")
    assert chartdata.valid_pair(p, ("B", "A")) == ("B", "A")
