"""Monte Carlo: distributions against their formulas, reproducibility, correlations, CRN, invalid samples."""

import math

import numpy as np
import pytest

from cgtdesk.core.analyses import MC_BLOCK, monte_carlo, spearman
from cgtdesk.core.errors import InputError
from cgtdesk.core.model import evaluate
from cgtdesk.core.project import new_scenario
from cgtdesk.core.sampling import draw, finish, iman_conover, ndtri, quantile, stream, target_matrix
from cgtdesk.io import load_any

N = 200_000


def _rng(i=0):
    return np.random.default_rng(1000 + i)


@pytest.mark.parametrize(
    "dist,mean,sd",
    [
        ({"dist": "uniform", "low": 5000, "high": 25000}, 15000, 20000 / math.sqrt(12)),
        (
            {"dist": "triangular", "low": 5000, "mode": 10000, "high": 30000},
            15000,
            math.sqrt((25e6 + 9e8 + 1e8 - 1.5e8 - 5e7 - 3e8) / 18),
        ),
        ({"dist": "pert", "low": 5000, "mode": 10000, "high": 35000}, (5000 + 40000 + 35000) / 6, None),
        ({"dist": "normal", "mean": 15000, "sd": 2000}, 15000, 2000),
        ({"dist": "fixed", "value": 12345}, 12345, 0),
    ],
)
def test_distribution_moments(dist, mean, sd):
    x = draw("auto.vector_cost_per_batch", dist, _rng(), N)
    assert x.mean() == pytest.approx(mean, rel=0.005)
    if sd is not None:
        assert x.std() == pytest.approx(sd, rel=0.01, abs=1e-9)
    assert x.min() >= 0


def test_pert_shape_and_lognormal_median():
    # beta-PERT with lambda 4: alpha = 1 + 4 (m - a) / (b - a) = 1.8, beta = 4.2 on [0, 1]
    x = draw("auto.batch_success_rate", {"dist": "pert", "low": 0.5, "mode": 0.6, "high": 1.0}, _rng(1), N)
    u = (x - 0.5) / 0.5
    a, b = 1.8, 4.2
    assert u.var() == pytest.approx(a * b / ((a + b) ** 2 * (a + b + 1)), rel=0.02)
    y = draw("auto.vector_cost_per_batch", {"dist": "lognormal", "median": 15000, "sigma": 0.35}, _rng(2), N)
    assert np.median(y) == pytest.approx(15000, rel=0.005)
    assert np.log(y).std() == pytest.approx(0.35, rel=0.01)
    assert np.mean(y) == pytest.approx(15000 * math.exp(0.35**2 / 2), rel=0.005)


def test_truncation_to_the_valid_range():
    # normal truncated to 0.01 .. 1: nothing outside, no pile at the bound, mean of the truncated law
    x = draw("auto.batch_success_rate", {"dist": "normal", "mean": 0.95, "sd": 0.1}, _rng(3), N)
    assert x.min() >= 0.01 and x.max() <= 1.0
    assert np.mean(x == 1.0) < 1e-4
    alpha, beta = (0.01 - 0.95) / 0.1, (1 - 0.95) / 0.1
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    Phi = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))  # noqa: E731
    expected = 0.95 + 0.1 * (phi(alpha) - phi(beta)) / (Phi(beta) - Phi(alpha))
    assert x.mean() == pytest.approx(expected, rel=1e-3)
    assert quantile({"dist": "normal", "mean": 0, "sd": 1}, 0.975) == pytest.approx(1.959964, rel=1e-6)


def test_ndtri_against_known_values():
    assert ndtri(np.array([0.5, 0.975, 0.05, 1e-10]))[:3] == pytest.approx([0.0, 1.959963985, -1.644853627], abs=1e-8)
    assert ndtri(np.array([1e-10]))[0] == pytest.approx(-6.361340902, rel=1e-8)


def test_integers_rounded_after_sampling():
    x = finish("facility.sites", draw("facility.sites", {"dist": "uniform", "low": 1, "high": 3}, _rng(4), N))
    assert set(np.unique(x)) == {1.0, 2.0, 3.0}
    # nearest integer: 1 from [1, 1.5), 2 from [1.5, 2.5), 3 from [2.5, 3]
    assert np.mean(x == 2.0) == pytest.approx(0.5, abs=0.01)
    assert np.mean(x == 1.0) == pytest.approx(0.25, abs=0.01)


def test_iman_conover_reaches_the_asked_rank_correlations():
    from scipy.stats import spearmanr  # independent check

    keys = ["a", "b", "c"]
    corr = [{"a": "a", "b": "b", "rho": 0.6}, {"a": "a", "b": "c", "rho": -0.3}, {"a": "b", "b": "c", "rho": 0.2}]
    g = _rng(5)
    x = np.column_stack([g.uniform(0, 1, 50_000), g.lognormal(0, 1, 50_000), g.triangular(0, 1, 5, 50_000)])
    y = iman_conover(x, target_matrix(keys, corr), _rng(6))
    rho = spearmanr(y).statistic
    assert rho[0, 1] == pytest.approx(0.6, abs=0.05)
    assert rho[0, 2] == pytest.approx(-0.3, abs=0.05)
    assert rho[1, 2] == pytest.approx(0.2, abs=0.05)
    for j in range(3):  # marginals untouched
        assert np.array_equal(np.sort(y[:, j]), np.sort(x[:, j]))
    assert spearman(y[:, 0], y[:, 1]) == pytest.approx(rho[0, 1], abs=1e-9)


def test_streams_are_stable():
    a = stream(7, 3, "x").random(5)
    assert np.array_equal(a, stream(7, 3, "x").random(5))
    assert not np.array_equal(a, stream(7, 4, "x").random(5))
    assert not np.array_equal(a, stream(8, 3, "x").random(5))


# ---------------------------------------------------------------- monte_carlo


def _linear_scenario(**unc):
    return new_scenario("L", "autologous", uncertainty=unc)


def test_percentiles_of_a_monotone_result_are_those_of_the_input():
    # cost per dose is increasing in the vector cost alone: its percentiles are the cost at the
    # vector cost's percentiles, and P(meets target) is the CDF at the goal-seek value
    s = _linear_scenario(**{"auto.vector_cost_per_batch": {"dist": "lognormal", "median": 15000, "sigma": 0.35}})
    r = monte_carlo([s], N, 11)
    m = r.scenarios[0]

    def cogs(v):
        return evaluate(s.process, dict(s.parameters, **{"auto.vector_cost_per_batch": v}))["cogs_per_dose"]

    z = {5: -1.6448536, 10: -1.2815516, 50: 0.0, 90: 1.2815516, 95: 1.6448536}
    for q, zq in z.items():
        assert m.summaries["cogs_per_dose"][f"p{q}"] == pytest.approx(cogs(15000 * math.exp(0.35 * zq)), rel=0.002)
    v_star = (100000 - cogs(0.0)) * 0.95
    p = 0.5 * math.erfc(-(math.log(v_star / 15000) / 0.35) / math.sqrt(2))
    assert m.p_meets_target == pytest.approx(p, abs=0.005)
    assert m.sensitivity == [("auto.vector_cost_per_batch", pytest.approx(1.0))]
    assert m.invalid_samples == 0 and m.valid_samples == N


def test_same_seed_same_numbers_whatever_the_chunk():
    p = load_any("resources/example.cgtproj")
    n = 2 * MC_BLOCK + 1000
    a = monte_carlo(p, n, 5, keep_values=True, sensitivity_samples=20_000)
    b = monte_carlo(p, n, 5, chunk=3 * MC_BLOCK, keep_values=True, sensitivity_samples=20_000)
    c = monte_carlo(p, 20_000, 6, sensitivity_samples=1000)
    for sa, sb, sc in zip(a.scenarios, b.scenarios, c.scenarios, strict=True):
        assert np.array_equal(sa.values["cogs_per_dose"], sb.values["cogs_per_dose"])
        assert sa.summaries == sb.summaries and sa.sensitivity == sb.sensitivity
        assert sa.summaries["cogs_per_dose"]["mean"] != sc.summaries["cogs_per_dose"]["mean"]
    assert [x.p_b_cheaper for x in a.comparisons] == [x.p_b_cheaper for x in b.comparisons]


def test_percentiles_stable_between_seeds():
    p = load_any("resources/example.cgtproj")
    a, b = monte_carlo(p, N, 1, sensitivity_samples=1000), monte_carlo(p, N, 2, sensitivity_samples=1000)
    for sa, sb in zip(a.scenarios, b.scenarios, strict=True):
        for q in ("p5", "p10", "p50", "p90", "p95", "mean"):
            assert sa.summaries["cogs_per_dose"][q] == pytest.approx(sb.summaries["cogs_per_dose"][q], rel=0.01)
    n = len(p.scenarios)  # every ordered pair of the example's scenarios (six since the cdmo one)
    assert len(a.comparisons) == n * (n - 1)
    for ca, cb in zip(a.comparisons, b.comparisons, strict=True):
        assert ca.p_b_cheaper == pytest.approx(cb.p_b_cheaper, abs=0.01)


def test_common_random_numbers_and_comparisons():
    vec = {"auto.vector_cost_per_batch": {"dist": "uniform", "low": 5000, "high": 45000}}
    a = new_scenario("A", "autologous", uncertainty=dict(vec))
    b = new_scenario("B", "autologous", {"auto.consumables_per_batch": 19000}, uncertainty=dict(vec))
    # C: vector cost fixed at 25,000: B cheaper than C exactly when B's vector cost < 25,000 + 1,000
    c = new_scenario("C", "autologous", {"auto.vector_cost_per_batch": 25000})
    r = monte_carlo([a, b, c], N, 3)
    comp = {(x.a, x.b): x for x in r.comparisons}
    assert comp[("A", "B")].p_b_cheaper == 1.0  # shared draws: B is cheaper in every sample
    assert comp[("B", "A")].p_b_cheaper == 0.0
    assert comp[("A", "B")].shared_keys == ("auto.vector_cost_per_batch",)
    assert comp[("C", "B")].p_b_cheaper == pytest.approx((26000 - 5000) / 40000, abs=0.005)
    assert comp[("C", "A")].p_b_cheaper == pytest.approx((25000 - 5000) / 40000, abs=0.005)


def test_invalid_samples_counted_not_dropped_silently():
    # doses per lot = floor(3e10 / cells per dose) - 10 < 1 when cells per dose > 3e10 / 11
    s = new_scenario("A", "allogeneic", uncertainty={"dose.cells_per_dose": {"dist": "uniform", "low": 1e8, "high": 5e9}})
    r = monte_carlo([s], N, 4)
    m = r.scenarios[0]
    p_bad = (5e9 - 3e10 / 11) / 4.9e9
    assert m.invalid_samples / N == pytest.approx(p_bad, abs=0.005)
    assert m.valid_samples + m.invalid_samples == N
    assert m.summaries["cogs_per_dose"]["n"] == m.valid_samples
    assert math.isfinite(m.summaries["cogs_per_dose"]["p95"])


def test_progress_and_cancel():
    s = new_scenario(
        "A", "autologous", uncertainty={"auto.vector_cost_per_batch": {"dist": "uniform", "low": 5000, "high": 45000}}
    )
    seen = []
    r = monte_carlo([s], 3 * MC_BLOCK + 5, 1, progress=lambda d, t: seen.append((d, t)))
    assert r.complete and seen[-1] == (3 * MC_BLOCK + 5, 3 * MC_BLOCK + 5) and len(seen) == 4
    calls = []
    r = monte_carlo([s], 3 * MC_BLOCK, 1, cancel=lambda: len(calls.append(1) or calls) > 1)
    assert not r.complete and r.samples_done == MC_BLOCK and "cancelled" in r.message
    assert r.scenarios[0].summaries["cogs_per_dose"]["n"] == MC_BLOCK
    full = monte_carlo([s], MC_BLOCK, 1)
    assert r.scenarios[0].summaries == full.scenarios[0].summaries  # the part done equals a run of that size


def test_bad_arguments():
    s = new_scenario("A", "autologous")
    for kw in (
        {"samples": 0, "seed": 1},
        {"samples": 10_000_001, "seed": 1},
        {"samples": 10, "seed": -1},
        {"samples": 1.5, "seed": 1},
    ):
        with pytest.raises(InputError):
            monte_carlo([s], **kw)
    with pytest.raises(InputError):
        monte_carlo([s], 10, 1, results=("nope",))
    r = monte_carlo([s], 10, 1)  # nothing uncertain: every sample the base
    m = r.scenarios[0].summaries["cogs_per_dose"]
    assert m["sd"] == pytest.approx(0.0, abs=1e-6) and m["p5"] == pytest.approx(m["p95"], rel=1e-12)
