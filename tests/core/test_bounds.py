"""Bounds of the analyses: the crossover pins a bounded number of count steps and says when a range
holds more; the Monte Carlo refuses, before it starts, a run that cannot fit in its memory budget,
and its numbers never depend on how many scenarios are sampled together."""

import dataclasses

import numpy as np
import pytest

import cgtdesk.core.analyses.montecarlo as mc
from cgtdesk.core import analyses
from cgtdesk.core.errors import InputError
from cgtdesk.core.project import new_scenario
from cgtdesk.io import load_any

EXAMPLE = "resources/example.cgtproj"


def _module(name: str):
    import sys

    return sys.modules[f"cgtdesk.core.analyses.{name}"]  # the package re-exports functions of the same names


def _xo_module():
    return _module("crossover")


def test_pinning_is_capped_and_flagged():
    """One autologous device per few patients over a million patients a year is millions of steps:
    a cap of 50 pinned cells per round is hit, the result says so, and the crossing is still found."""
    xo = _xo_module()
    a, b = new_scenario("A", "autologous"), new_scenario("B", "allogeneic")
    calls = []

    def fn(d):
        calls.append(d.size)
        return xo._diff_and_counts(a, b, "cogs_per_dose", d)

    x = np.geomspace(1.0, 1e6, 400)
    g, c = fn(x)
    x2, g2, c2, truncated = xo._pin_steps(fn, x, g, c, 1e-9, max_cells=50)
    assert truncated
    assert max(calls[1:]) <= 50  # never more than the cap evaluated at once
    assert np.all(np.diff(x2) >= 0) and x2.size == g2.size == c2.shape[1]


def test_crossover_flags_a_range_too_fine_and_agrees_with_a_brute_force_scan():
    a, b = new_scenario("A", "autologous"), new_scenario("B", "allogeneic")
    r = analyses.crossover(a, b, lo=1.0, hi=1e6)
    assert r.steps_too_fine and "count steps" in r.message
    # independent check: B minus A on a dense grid changes sign once, near the crossing found
    d = np.geomspace(1.0, 100.0, 100_000)
    ca = analyses.sweep([a], "cogs_per_dose", d).values["A"]
    cb = analyses.sweep([b], "cogs_per_dose", d).values["B"]
    s = np.sign(cb - ca)
    change = np.nonzero(s[1:] != s[:-1])[0]
    assert len(r.crossings) == change.size == 1
    assert d[change[0]] <= r.crossings[0] <= d[change[0] + 1] * (1 + 1e-9)


def test_crossover_grid_points_bounded():
    a, b = new_scenario("A", "autologous"), new_scenario("B", "allogeneic")
    with pytest.raises(InputError, match="grid points"):
        analyses.crossover(a, b, grid_points=10**9)


def test_sweep_points_bounded():
    sweep_module = _module("sweep")
    with pytest.raises(InputError, match="sweep points"):
        analyses.demand_grid(1, 10, sweep_module.MAX_SWEEP_POINTS + 1)
    with pytest.raises(InputError, match="demands"):
        analyses.sweep([new_scenario("A", "autologous")], demand=np.full(sweep_module.MAX_SWEEP_POINTS + 1, 10.0))


def test_a_run_too_large_is_refused_naming_the_figures():
    # 10 million samples x 200 scenarios: 9 bytes a sample for each scenario's compared result and
    # valid flag alone is 18 GB
    with pytest.raises(InputError) as e:
        mc._group_size(10_000_000, 200, 5, 5, False)
    msg = str(e.value)
    assert "10,000,000 samples x 200 scenarios" in msg and "GB" in msg and "fit in 1.5 GB" in msg
    a, b = new_scenario("A", "autologous"), new_scenario("B", "autologous")
    with pytest.raises(InputError, match="would need about"):  # every value of 5 results of both kept
        analyses.monte_carlo([a, b], 10_000_000, 1, keep_values=True)


def test_group_sizes_fit_the_budget():
    avail = mc.MC_MEMORY_BUDGET - mc.MC_MEMORY_OVERHEAD
    for samples, scen in [(10_000_000, 5), (1_000_000, 50), (20_000, 6), (100_000, 200)]:
        g = mc._group_size(samples, scen, 5, 5, False)
        assert 1 <= g <= scen
        assert samples * (scen * 9 + g * 41) <= avail  # 9 bytes per scenario, 41 per grouped scenario


def test_numbers_do_not_depend_on_the_grouping(monkeypatch):
    p = load_any(EXAMPLE)
    whole = analyses.monte_carlo(p, 3000, 7)
    # a budget that fits one scenario at a time
    monkeypatch.setattr(mc, "MC_MEMORY_BUDGET", mc.MC_MEMORY_OVERHEAD + 3000 * (6 * 9 + 41))
    assert mc._group_size(3000, 6, 5, 5, False) == 1
    seen = []
    one_by_one = analyses.monte_carlo(p, 3000, 7, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (3000, 3000) and all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))
    assert [dataclasses.asdict(c) for c in whole.comparisons] == [dataclasses.asdict(c) for c in one_by_one.comparisons]
    for x, y in zip(whole.scenarios, one_by_one.scenarios, strict=True):
        assert x.summaries == y.summaries and x.sensitivity == y.sensitivity
        assert x.p_meets_target == y.p_meets_target and x.invalid_samples == y.invalid_samples
        for r in x.histogram:
            assert np.array_equal(x.histogram[r][0], y.histogram[r][0])


def test_comparisons_against_a_hand_count():
    """P(B < A) from the kept values of both, counted here over the samples where both are valid."""
    p = load_any(EXAMPLE)
    a, b = p.scenarios[0], p.scenarios[2]
    r = analyses.monte_carlo([a, b], 2000, 3, keep_values=True)
    va, vb = r.scenarios[0].values["cogs_per_dose"], r.scenarios[1].values["cogs_per_dose"]
    both = np.isfinite(va) & np.isfinite(vb)
    both &= np.arange(va.size) < 2000
    expected = sum(1 for i in np.nonzero(both)[0] if vb[i] < va[i]) / int(both.sum())
    ab = next(c for c in r.comparisons if (c.a, c.b) == (a.name, b.name))
    assert ab.p_b_cheaper == pytest.approx(expected, abs=0) and ab.pairs == int(both.sum())
