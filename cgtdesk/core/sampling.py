"""Random inputs for Monte Carlo: the six distributions of docs/model.md ("Analyses") and Iman-Conover rank correlation.

numpy only (no scipy at run time: the inverse normal CDF is Acklam's rational approximation,
relative error below 1.2e-9, and the normal CDF of scalars comes from :func:`math.erfc`).

Distributions (``dist`` field of a scenario's uncertainty; every draw lies in the parameter's
valid range):

- ``fixed {value}``: the value.
- ``uniform {low, high}``, ``triangular {low, mode, high}``.
- ``pert {low, mode, high}``: beta-PERT with lambda 4: ``low + (high-low) * Beta(a, b)`` with
  ``a = 1 + 4 (mode-low)/(high-low)``, ``b = 1 + 4 (high-mode)/(high-low)``; mean ``(low + 4 mode + high)/6``.
- ``normal {mean, sd}``: truncated to the valid range (sampled by inverse CDF on the truncated
  interval, so no probability piles up at the bounds; the mean of the draws moves when the
  truncation is not symmetric).
- ``lognormal {median, sigma}``: ``ln x ~ Normal(ln median, sigma)``, likewise truncated to the
  valid range (sampled by inverse CDF on ``[ln min, ln max]``).

Integer parameters are rounded to the nearest integer after sampling (and after the rank
reordering), then clipped to the valid range. A choice (``facility.mode``) is never sampled:
project validation refuses a distribution on it, and the functions here raise ValueError.
"""

from __future__ import annotations

import math
import zlib
from functools import lru_cache

import numpy as np

from cgtdesk.core.catalogue import catalogue

# ---------------------------------------------------------------- normal quantile (Acklam)

_A = (
    -3.969683028665376e01,
    2.209460984245205e02,
    -2.759285104469687e02,
    1.383577518672690e02,
    -3.066479806614716e01,
    2.506628277459239e00,
)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01, -1.328068155288572e01)
_C = (
    -7.784894002430293e-03,
    -3.223964580411365e-01,
    -2.400758277161838e00,
    -2.549732539343734e00,
    4.374664141464968e00,
    2.938163982698783e00,
)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
_PLOW = 0.02425


def ndtri(p) -> np.ndarray:
    """The standard normal quantile of ``p`` (vectorised; -inf at 0, +inf at 1)."""
    p = np.asarray(p, dtype=float)
    out = np.empty_like(p)
    lo = p < _PLOW
    hi = p > 1.0 - _PLOW
    mid = ~(lo | hi)
    q = p[mid] - 0.5
    r = q * q
    a, b = _A, _B
    out[mid] = (
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0)
    )
    c, d = _C, _D
    with np.errstate(divide="ignore", invalid="ignore"):
        for mask, sign, pp in ((lo, 1.0, p[lo]), (hi, -1.0, 1.0 - p[hi])):
            if not np.any(mask):
                continue
            q = np.sqrt(-2.0 * np.log(pp))
            out[mask] = (
                sign
                * (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0)
            )
    return out


def ndtr(x: float) -> float:
    """The standard normal CDF of a scalar."""
    if x == math.inf:
        return 1.0
    if x == -math.inf:
        return 0.0
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _truncnorm(u: np.ndarray, mu: float, sd: float, lo: float, hi: float) -> np.ndarray:
    """Normal(mu, sd) truncated to [lo, hi] from uniforms ``u`` by inverse CDF."""
    a, b = (lo - mu) / sd, (hi - mu) / sd
    # work in the lower tail for accuracy when the interval sits above the mean
    if a > 0:
        return np.clip(2 * mu - _truncnorm(1.0 - u, mu, sd, 2 * mu - hi, 2 * mu - lo), lo, hi)
    fa, fb = ndtr(a), ndtr(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = ndtri(fa + u * (fb - fa))
    return np.clip(mu + sd * z, lo, hi)


# ---------------------------------------------------------------- distributions


def moments(dist: dict) -> tuple[float, float]:
    """Untruncated mean and standard deviation of a distribution (for checks and tooltips)."""
    k = dist["dist"]
    if k == "fixed":
        return float(dist["value"]), 0.0
    if k == "uniform":
        a, b = dist["low"], dist["high"]
        return (a + b) / 2, (b - a) / math.sqrt(12)
    if k == "triangular":
        a, c, b = dist["low"], dist["mode"], dist["high"]
        return (a + b + c) / 3, math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18)
    if k == "pert":
        a, m, b = dist["low"], dist["mode"], dist["high"]
        al = 1 + 4 * (m - a) / (b - a)
        be = 1 + 4 * (b - m) / (b - a)
        var = al * be / ((al + be) ** 2 * (al + be + 1)) * (b - a) ** 2
        return (a + 4 * m + b) / 6, math.sqrt(var)
    if k == "normal":
        return float(dist["mean"]), float(dist["sd"])
    if k == "lognormal":
        mu, s = math.log(dist["median"]), dist["sigma"]
        return math.exp(mu + s * s / 2), math.sqrt((math.exp(s * s) - 1) * math.exp(2 * mu + s * s))
    raise ValueError(f"unknown distribution {k!r}")


def quantile(dist: dict, q: float, key: str | None = None) -> float:
    """The ``q`` quantile of a distribution (truncated to ``key``'s valid range where relevant)."""
    lo, hi = _bounds(key)
    u = np.array([q], dtype=float)
    return float(_from_uniform(dist, u, lo, hi)[0])


def _bounds(key: str | None) -> tuple[float, float]:
    if key is None:
        return -math.inf, math.inf
    p = catalogue().parameters[key]
    if p.is_choice:  # project validation refuses such a distribution; this is a programming error
        raise ValueError(f"'{key}' is a choice of {', '.join(p.choices)}: it is never sampled")
    return float(p.min), float(p.max)


def _from_uniform(dist: dict, u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Inverse-CDF transform (used for quantiles and for the continuous distributions)."""
    k = dist["dist"]
    if k == "fixed":
        return np.full(u.shape, float(dist["value"]))
    if k == "uniform":
        return dist["low"] + u * (dist["high"] - dist["low"])
    if k == "triangular":
        a, c, b = dist["low"], dist["mode"], dist["high"]
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)
    if k == "normal":
        return _truncnorm(u, float(dist["mean"]), float(dist["sd"]), lo, hi)
    if k == "lognormal":
        llo = math.log(lo) if lo > 0 else -math.inf
        lhi = math.log(hi) if math.isfinite(hi) else math.inf
        return np.clip(np.exp(_truncnorm(u, math.log(dist["median"]), float(dist["sigma"]), llo, lhi)), lo, hi)
    if k == "pert":  # no closed-form inverse: sort-based quantile of a large fixed-seed sample
        g = np.random.default_rng(12345)
        ref = np.sort(_draw(dist, g, 200_001, lo, hi))
        return np.quantile(ref, u)
    raise ValueError(f"unknown distribution {k!r}")


def _draw(dist: dict, rng: np.random.Generator, n: int, lo: float, hi: float) -> np.ndarray:
    k = dist["dist"]
    if k == "pert":
        a, m, b = float(dist["low"]), float(dist["mode"]), float(dist["high"])
        al = 1 + 4 * (m - a) / (b - a)
        be = 1 + 4 * (b - m) / (b - a)
        return a + (b - a) * rng.beta(al, be, n)
    return _from_uniform(dist, rng.random(n), lo, hi)


def draw(key: str, dist: dict, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` draws of ``key`` from ``dist`` (within the valid range; integers not yet rounded)."""
    lo, hi = _bounds(key)
    return np.clip(_draw(dist, rng, n, lo, hi), lo, hi)


def finish(key: str, x: np.ndarray) -> np.ndarray:
    """Round integer parameters to the nearest integer and clip to the valid range."""
    p = catalogue().parameters[key]
    _bounds(key)  # refuses a choice
    if p.integer:
        x = np.rint(x)
    return np.clip(x, p.min, p.max)


def stream(seed: int, block: int, label: str) -> np.random.Generator:
    """The generator of one variable (``label``) in one block of samples.

    Derived from the seed, the block index and a stable hash of the label only, so a variable's
    numbers do not depend on the chunk size, on the other variables or on the other scenarios.
    """
    h = zlib.crc32(label.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=(int(block), h))))


def dist_label(key: str, dist: dict) -> str:
    """A stable text naming a key and its distribution (equal labels are sampled once and shared)."""
    fields = ",".join(f"{f}={float(dist[f])!r}" for f in sorted(dist) if f != "dist")
    return f"{key}|{dist['dist']}|{fields}"


# ---------------------------------------------------------------- Iman-Conover


def pearson_for_spearman(rho_s: float) -> float:
    """The Pearson correlation of normal scores that gives Spearman ``rho_s`` (2 sin(pi rho / 6))."""
    return 2.0 * math.sin(math.pi * rho_s / 6.0)


def target_matrix(keys: list[str], correlations: list[dict]) -> np.ndarray:
    """The Pearson matrix of normal scores giving the asked rank correlations (PD-safe)."""
    idx = {k: i for i, k in enumerate(keys)}
    m = np.eye(len(keys))
    for c in correlations:
        i, j = idx[c["a"]], idx[c["b"]]
        m[i, j] = m[j, i] = pearson_for_spearman(c["rho"])
    if np.linalg.eigvalsh(m).min() <= 1e-10:  # fall back to the asked values (validated PD)
        m = np.eye(len(keys))
        for c in correlations:
            i, j = idx[c["a"]], idx[c["b"]]
            m[i, j] = m[j, i] = c["rho"]
    return m


def iman_conover(x: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Reorder each column of ``x`` (n samples x k variables) to the rank correlation ``target``.

    The marginals are unchanged (each column is a permutation of itself). Scores are van der
    Waerden normal scores, shuffled per column, decorrelated (Cholesky of their own correlation)
    and given the target correlation (Cholesky of ``target``); each column of ``x`` then takes
    the ranks of its score column.
    """
    n, k = x.shape
    if n < 3 or k < 2:
        return x
    scores = _scores(n)
    r = np.empty((n, k))
    for j in range(k):
        r[:, j] = rng.permutation(scores)
    t = np.corrcoef(r, rowvar=False)
    try:
        q = np.linalg.cholesky(t)
        p = np.linalg.cholesky(target)
    except np.linalg.LinAlgError:
        return x
    s = (p @ np.linalg.inv(q)).T  # R S has correlation P P^T = target
    rstar = r @ s
    out = np.empty_like(x)
    for j in range(k):  # the i-th smallest score takes the i-th smallest value
        out[np.argsort(rstar[:, j]), j] = np.sort(x[:, j])
    return out


@lru_cache(maxsize=8)
def _scores(n: int) -> np.ndarray:
    """van der Waerden scores Phi^-1(i / (n + 1)), i = 1..n."""
    s = ndtri(np.arange(1, n + 1) / (n + 1.0))
    s.flags.writeable = False
    return s


# ---------------------------------------------------------------- base value against its distribution

#: the central share of a normal or lognormal distribution taken as its range
_TAILS = 0.001


def distribution_range(key: str, dist: dict) -> tuple[float, float]:
    """The values a distribution of ``key`` gives: low and high of uniform, triangular and pert;
    the value of fixed; the 0.1st to 99.9th percentiles of normal and lognormal (truncated to
    the valid range as Monte Carlo samples them)."""
    k = dist["dist"]
    if k in ("uniform", "triangular", "pert"):
        return float(dist["low"]), float(dist["high"])
    if k == "fixed":
        return float(dist["value"]), float(dist["value"])
    return quantile(dist, _TAILS, key), quantile(dist, 1.0 - _TAILS, key)


def base_outside_distribution(project_or_scenarios) -> list[tuple[str, str, float, float, float]]:
    """``(scenario, key, base, low, high)`` for every input whose base value lies outside the
    range of its distribution (:func:`distribution_range`; a fixed distribution: any other value).

    Monte Carlo samples the distribution and the tornado swings over it, never the base value:
    such an input gives a base result that the spread of those analyses does not contain.
    """
    scenarios = getattr(project_or_scenarios, "scenarios", project_or_scenarios)
    out = []
    for s in scenarios:
        for key, dist in s.uncertainty.items():
            base = s.parameters.get(key)
            if isinstance(base, str) or base is None:
                continue
            lo, hi = distribution_range(key, dist)
            tol = 1e-9 * max(1.0, abs(lo), abs(hi))
            if not lo - tol <= float(base) <= hi + tol:
                out.append((s.name, key, float(base), lo, hi))
    return out


def outside_text(item: tuple, currency: str = "USD") -> str:
    """One sentence naming the scenario and the key of a :func:`base_outside_distribution` item."""
    from cgtdesk.core.formatting import format_value, fraction_text, plain

    scenario, key, base, lo, hi = item
    p = catalogue().parameters[key]

    def v(x):
        if p.kind == "fraction":
            return fraction_text(x)
        return format_value(x, "money", currency) if p.kind == "money" else plain(float(f"{x:.6g}"))

    span = v(lo) if lo == hi else f"{v(lo)} to {v(hi)}"
    return (
        f"'{scenario}': {p.label} ({key}) is {v(base)}, outside its distribution ({span}): "
        "Monte Carlo and the tornado use the distribution, not this value"
    )


def move_distribution(key: str, dist: dict, old: float, new: float) -> dict | None:
    """``dist`` moved with its base value from ``old`` to ``new`` so that the new base sits where
    the old one did: scaled by new/old when both are above 0 (the spread stays the same share of
    the base), else (or when the scaled one leaves the valid range) shifted by new - old. None
    when neither fits in the valid range, or when nothing moves."""
    p = catalogue().parameters[key]
    if p.is_choice or old == new:
        return None
    moves = [lambda x: x * new / old] if old > 0 and new > 0 else []
    moves.append(lambda x: x + (new - old))
    for move in moves:
        out = _moved(p, dist, move, new / old if old > 0 and new > 0 else 1.0)
        if out is not None:
            return out
    return None


def _moved(p, dist: dict, move, ratio: float) -> dict | None:
    out = {"dist": dist["dist"]}
    for f, x in dist.items():
        if f == "dist" or f == "sigma":  # sigma is of ln x: a scale leaves it as it is
            out[f] = x
        elif f == "sd":
            out[f] = float(x) * ratio
        else:
            y = float(move(float(x)))
            out[f] = float(round(y)) if p.integer else y
    for f in ("value", "low", "mode", "high", "mean", "median"):
        if f in out and not p.min <= out[f] <= p.max:
            return None
    if out.get("median", 1) <= 0 or out.get("sd", 1) <= 0:
        return None
    if "low" in out and not out["low"] < out["high"]:
        return None
    return out
