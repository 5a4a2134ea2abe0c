"""Erlang B and C, and devices sized by a service level (docs/model.md, "Autologous").

Everything is vectorised over samples: the offered load ``a`` may be a scalar or an array of
any shape, and the same code serves one scenario, a demand sweep and a 1,000,000-sample Monte
Carlo.

Erlang B is computed by its stable recursion on the inverse, ``x_k = 1/EB(k, a) = 1 + (k/a) x_(k-1)``
with ``x_0 = 1``, but only over a window: from ``k0 = floor(a - 9 sqrt(a))`` (or 0), started
from ``x = a / (a - k0)``. The recursion forgets its start: below ``k = a`` the relative error
of ``x`` shrinks by ``(x_k - 1)/x_k < 1`` at every step, ``exp(-m^2/2)`` over ``m sqrt(a)`` steps
(``exp(-40)`` for ``m = 9``), and above ``a`` it never grows. So the work per element is
``O(sqrt(a))`` instead of ``O(a)`` and the result is within a few units of rounding of the full
recursion at every load (checked against it in the tests up to ``a = 1e5``). Elements are
grouped by window length (powers of two), so a few large loads do not slow the small ones.
"""

from __future__ import annotations

import numpy as np

#: the window starts this many standard deviations (sqrt(a)) below the load
WINDOW_SIGMAS = 9.0


def _window(a: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Steps of the recursion needed to reach ``c`` from the window start (``c - k0``)."""
    k0 = np.maximum(0.0, np.floor(a - WINDOW_SIGMAS * np.sqrt(a)))
    return c - k0


def _distinct(v: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-d array, ascending (``np.unique`` without the import of numpy.ma
    it makes on its first call, a noticeable part of the first computation's time)."""
    s = np.sort(v)
    if s.size == 0:
        return s
    keep = np.empty(s.shape, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def _inverse_eb_flat(c: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``1/EB(c, a)`` for 1-d float arrays of integer ``c >= 0`` and ``a > 0``."""
    out = np.empty(c.shape)
    steps = _window(a, c)
    bucket = np.ceil(np.log2(np.maximum(steps, 1.0))).astype(np.int64)
    for b in _distinct(bucket):
        idx = np.flatnonzero(bucket == b)
        n = int(steps[idx].max())
        ai, ci = a[idx], c[idx]
        inv_a = 1.0 / ai
        k = ci - n  # every element of the bucket ends at its own c after n steps
        with np.errstate(divide="ignore"):
            x = np.where(k > 0, ai / (ai - np.maximum(k, 0.0)), 1.0)  # k <= 0: x_0 = 1 exactly
        for _ in range(n):
            k += 1.0
            t = np.maximum(k, 0.0)  # k <= 0: x stays at x_0 = 1
            t *= inv_a
            t *= x
            t += 1.0
            x = t
        out[idx] = x
    return out


def erlang_b(c, a):
    """Erlang B ``EB(c, a)``: the blocking probability of ``c`` servers at offered load ``a``
    (``EB(0, a) = 1``; ``EB(c, 0) = 0`` for ``c >= 1``)."""
    c, a = np.broadcast_arrays(np.asarray(c, dtype=float), np.asarray(a, dtype=float))
    out = np.where(c == 0, 1.0, 0.0)
    live = (a > 0) & (c > 0)
    if np.any(live):
        out[live] = 1.0 / _inverse_eb_flat(c[live], a[live])
    return out if out.ndim else float(out)


def erlang_c(c, a):
    """Erlang C ``EC(c, a) = c EB / (c - a (1 - EB))`` for ``c > a``: the probability that an
    arrival waits (M/M/c); NaN where ``c <= a``."""
    c, a = np.broadcast_arrays(np.asarray(c, dtype=float), np.asarray(a, dtype=float))
    eb = np.asarray(erlang_b(c, a), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(c > a, c * eb / (c - a * (1.0 - eb)), np.nan)
    return out if out.ndim else float(out)


def service_level_units(a, tau, miss):
    """Servers sized by a service level, and the probability of waiting there.

    ``c`` is the smallest integer ``c >= 1``, ``c > a``, with
    ``EC(c, a) * exp(-(c - a) * tau) <= miss`` (``tau = max wait / cycle``, ``miss = 1 -
    service level > 0``); ``c = 0`` where ``a = 0``. Returns ``(c, EC(c, a))`` as float arrays of
    the broadcast shape (``EC = 0`` where ``c = 0``).
    """
    a, tau, miss = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, tau, miss)))
    shape = a.shape
    a, tau, miss = a.ravel(), tau.ravel(), miss.ravel()
    c_out = np.zeros(a.shape)
    ec_out = np.zeros(a.shape)
    idx = np.flatnonzero(a > 0)
    if idx.size:
        ai, ti, mi = a[idx], tau[idx], miss[idx]
        c = np.maximum(1.0, np.floor(ai) + 1.0)
        x = _inverse_eb_flat(c, ai)
        _search(idx, ai, ti, mi, c, x, c_out, ec_out)
    return c_out.reshape(shape), ec_out.reshape(shape)


def _search(idx, a, tau, miss, c, x, c_out, ec_out) -> None:
    """From ``c`` (with ``x = 1/EB(c, a)``) upward to the first ``c`` meeting the service level.

    Elements already found stay in the arrays (masked) until at least half of them are found;
    then the rest are compacted, so the work follows the elements still searching.
    """
    d = c - a
    q = np.exp(-tau)
    e = np.exp(-d * tau)
    found = np.zeros(idx.shape, dtype=bool)
    while True:
        den = x * d + a
        ok = c * e <= miss * den  # EC exp(-(c - a) tau) <= miss, with EC = c / (x (c - a) + a)
        new = ok & ~found
        if new.any():
            c_out[idx[new]] = c[new]
            ec_out[idx[new]] = c[new] / den[new]
            found |= ok
        if found.all():
            return
        if 2 * np.count_nonzero(found) > found.size:
            keep = ~found
            idx, a, tau, miss, c, x, d, q, e = (v[keep] for v in (idx, a, tau, miss, c, x, d, q, e))
            found = found[keep]
        c += 1.0
        d += 1.0
        e *= q
        x *= c
        x /= a
        x += 1.0
