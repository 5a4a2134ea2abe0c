"""A base value outside its distribution's range is found (scenario, key, base, low, high), and a
distribution moves with its base value (ranges and moved fields worked out by hand)."""

import pytest

from cgtdesk.core.project import new_scenario
from cgtdesk.core.sampling import base_outside_distribution, distribution_range, move_distribution, outside_text

KEY = "auto.batch_success_rate"
TRI = {"dist": "triangular", "low": 0.85, "mode": 0.95, "high": 0.99}


def _scenario(name, base, dist):
    s = new_scenario(name, "autologous")
    s.parameters[KEY] = base
    s.uncertainty[KEY] = dist
    return s


def test_a_base_outside_the_range_is_named_with_scenario_and_key():
    inside, outside = _scenario("In", 0.9, TRI), _scenario("Out", 0.5, TRI)
    assert base_outside_distribution([inside, outside]) == [("Out", KEY, 0.5, 0.85, 0.99)]
    text = outside_text(("Out", KEY, 0.5, 0.85, 0.99))
    assert text.startswith("'Out': Batch success rate") and KEY in text
    assert "50%" in text and "85% to 99%" in text


def test_fixed_and_normal_ranges():
    assert distribution_range(KEY, {"dist": "fixed", "value": 0.9}) == (0.9, 0.9)
    assert base_outside_distribution([_scenario("F", 0.95, {"dist": "fixed", "value": 0.9})])
    lo, hi = distribution_range("labour.cost_per_fte_year", {"dist": "normal", "mean": 100.0, "sd": 10.0})
    # 0.1st and 99.9th percentiles of a normal: mean -/+ 3.0902 sd
    assert lo == pytest.approx(100 - 30.902, abs=0.01) and hi == pytest.approx(100 + 30.902, abs=0.01)


def test_the_distribution_moves_with_its_base():
    moved = move_distribution(KEY, TRI, 0.95, 0.5)  # scaled by 0.5/0.95
    assert moved["dist"] == "triangular"
    assert moved["mode"] == pytest.approx(0.5)
    assert moved["low"] == pytest.approx(0.85 * 0.5 / 0.95) and moved["high"] == pytest.approx(0.99 * 0.5 / 0.95)
    # 0.99 * 0.99 / 0.95 > 1: scaling leaves the range, shifting by +0.04 too (1.03): nothing fits
    assert move_distribution(KEY, TRI, 0.95, 0.99) is None
    shifted = move_distribution(KEY, {"dist": "uniform", "low": 0.8, "high": 0.96}, 0.95, 0.98)
    # scaled: high 0.96 * 0.98 / 0.95 = 0.9903 fits
    assert shifted["high"] == pytest.approx(0.96 * 0.98 / 0.95)
    normal = move_distribution("labour.cost_per_fte_year", {"dist": "normal", "mean": 100000, "sd": 10000}, 100000, 150000)
    assert normal == {"dist": "normal", "mean": 150000.0, "sd": 15000.0}
