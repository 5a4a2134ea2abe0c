"""A bare numpy Monte Carlo of one autologous scenario: the yardstick for the app's own run.

The same distributions are sampled (with the same rank correlations, Iman-Conover), the
model's equations (docs/model.md, version 2, dedicated mode) are written out inline with numpy (no catalogue, no dictionaries of
parameters, no validation), and the same summaries are computed: mean, sd, P5/P10/P50/P90/P95
and a histogram of each result, the probability of meeting the target, and the Spearman rank
correlation of every sampled input with cost per dose. The budget (README.md, "Performance") asks the app's run
to stay within 3x of this.

Independent of cgtdesk.core.analyses on purpose; only the scenario's numbers are read.
"""

from __future__ import annotations

import numpy as np

PERCENTILES = (5, 10, 50, 90, 95)


def _sample(rng: np.random.Generator, spec: dict, n: int, lo: float, hi: float) -> np.ndarray:
    d = spec["dist"]
    if d == "fixed":
        return np.full(n, float(spec["value"]))
    if d == "uniform":
        return rng.uniform(spec["low"], spec["high"], n)
    if d == "triangular":
        return rng.triangular(spec["low"], spec["mode"], spec["high"], n)
    if d == "pert":
        a, m, b = spec["low"], spec["mode"], spec["high"]
        alpha = 1 + 4 * (m - a) / (b - a)
        beta = 1 + 4 * (b - m) / (b - a)
        return a + (b - a) * rng.beta(alpha, beta, n)
    if d == "normal":  # truncated to the valid range: redraw what falls outside
        x = rng.normal(spec["mean"], spec["sd"], n)
        bad = (x < lo) | (x > hi)
        while bad.any():
            x[bad] = rng.normal(spec["mean"], spec["sd"], int(bad.sum()))
            bad = (x < lo) | (x > hi)
        return x
    if d == "lognormal":
        return spec["median"] * np.exp(spec["sigma"] * rng.standard_normal(n))
    raise ValueError(d)


def _ranks(x: np.ndarray) -> np.ndarray:
    r = np.empty(x.size, dtype=np.float64)
    r[np.argsort(x)] = np.arange(x.size, dtype=np.float64)
    return r


def sample_inputs(params: dict, uncertainty: dict, correlations: list, ranges: dict, integers: set, n: int, seed: int) -> dict:
    """Every uncertain input sampled (n values), correlated by Iman-Conover, integers rounded."""
    rng = np.random.default_rng(seed)
    keys = list(uncertainty)
    cols = {k: _sample(rng, uncertainty[k], n, *ranges[k]) for k in keys}
    if correlations:  # Iman-Conover over the keys that take part in a correlation
        linked = [k for k in keys if any(k in (corr["a"], corr["b"]) for corr in correlations)]
        idx = {k: i for i, k in enumerate(linked)}
        c = np.eye(len(linked))
        for corr in correlations:
            i, j = idx[corr["a"]], idx[corr["b"]]
            c[i, j] = c[j, i] = corr["rho"]
        scores = rng.standard_normal((n, len(linked))) @ np.linalg.cholesky(c).T
        for k in linked:  # the k-th smallest value goes where the k-th smallest score is
            x = np.empty(n)
            x[np.argsort(scores[:, idx[k]])] = np.sort(cols[k])
            cols[k] = x
    for k in keys:
        if k in integers:
            cols[k] = np.round(cols[k])
    return cols


def _devices(B_s, cycle, days, op_days, level, max_wait):
    """Devices per site and the mean slot wait: by utilisation (level 0) or by the service level
    (Erlang C, the plain recursion 1/EB(k) = 1 + k/a / EB(k-1) from k = 0, all samples in step)."""
    e = 1e-9
    if level == 0:
        return np.maximum(1.0, np.ceil(B_s / (days / cycle) - e)), np.zeros(np.shape(B_s))
    a = np.broadcast_to(B_s / op_days * cycle, np.broadcast_shapes(np.shape(B_s), np.shape(cycle))).astype(float)
    tau = max_wait / cycle
    miss = 1.0 - level
    cmin = np.floor(a) + 1.0
    x = np.ones(a.shape)
    c = np.zeros(a.shape)
    ec = np.zeros(a.shape)
    found = np.zeros(a.shape, dtype=bool)
    k = 0
    while not found.all():
        k += 1
        x = 1.0 + k / a * x
        if k >= cmin.min():
            ec_k = k / (x * (k - a) + a)
            ok = (k >= cmin) & ~found & (ec_k * np.exp(-(k - a) * tau) <= miss)
            c[ok] = k
            ec[ok] = ec_k[ok]
            found |= ok
    return c, ec * cycle / (c - a)


def autologous(p: dict) -> dict:
    """The model (docs/model.md, version 2), autologous, dedicated mode, inline: parameters
    (scalars or arrays) -> results."""
    e = 1e-9
    D = p["demand.patients_per_year"]
    Dd = D * p["demand.doses_per_patient"]
    S = p["facility.sites"]
    op_days = p["facility.operating_days_per_year"]
    days = op_days * p["facility.max_utilisation"]
    hours = p["labour.hours_per_fte_year"]
    s = p["auto.batch_success_rate"]
    B_s = D / S / s
    cycle = p["auto.process_days"] + p["auto.changeover_days"]
    N_unit, wait = _devices(B_s, cycle, days, op_days, p["auto.service_level"], p["auto.max_wait_days"])
    N_suite = np.ceil(N_unit / p["auto.devices_per_suite"] - e)
    F_crew = np.ceil(N_suite * p["labour.min_crew_per_suite"] * p["labour.staffed_hours_per_year"] / hours - e)
    F_op = np.ceil(B_s * p["auto.operator_hours_per_batch"] / hours - e)
    F_qq = np.ceil(B_s * p["auto.qc_qa_hours_per_batch"] / hours - e)
    E_s = N_unit * p["auto.device_capex"]
    B = S * B_s
    r = p["finance.discount_rate"]

    def crf(n):
        if r == 0:
            return 1.0 / n
        g = (1 + r) ** n
        return r * g / (g - 1)

    F_s = np.maximum(F_crew, F_op) + F_qq + p["staff.support_fte_per_suite"] * N_suite + p["staff.site_fte"]
    K_s = p["facility.site_capex"] + N_suite * p["facility.suite_capex"]
    price = p["commercial.price_per_dose"]
    out = {
        "breakdown.materials": B * p["auto.consumables_per_batch"],
        "breakdown.vector": B * p["auto.vector_cost_per_batch"],
        "breakdown.labour": S * F_s * p["labour.cost_per_fte_year"],
        "breakdown.qc": B * p["auto.qc_cost_per_batch"],
        "breakdown.facility": S
        * (
            E_s * crf(p["finance.equipment_life_years"])
            + K_s * crf(p["finance.building_life_years"])
            + (E_s + K_s) * (p["facility.maintenance_rate"] + p["facility.insurance_tax_rate"])
            + p["facility.site_running_cost_year"]
            + N_suite * p["facility.suite_running_cost_year"]
        ),
        "breakdown.logistics": B * p["logistics.inbound_cost_per_batch"] + Dd * p["logistics.outbound_cost_per_dose"],
        "breakdown.royalties": Dd * price * p["commercial.royalty_rate"],
    }
    total = sum(out.values())
    out["total_annual_cost"] = total
    out["cogs_per_dose"] = total / Dd
    out["cogs_per_patient"] = total / D
    out["units"] = S * N_unit
    out["suites"] = S * N_suite
    out["fte"] = S * F_s
    out["max_allowable_cogs_per_dose"] = price * (1 - p["commercial.target_gross_margin"])
    out["headroom_per_dose"] = out["max_allowable_cogs_per_dose"] - out["cogs_per_dose"]
    out["gross_margin"] = (price - out["cogs_per_dose"]) / price
    out["utilisation"] = B_s * cycle / (N_unit * op_days)
    out["slot_wait_days"] = wait
    out["vein_to_vein_days"] = (
        p["auto.collection_to_start_days"]
        + wait
        + p["auto.process_days"]
        + p["auto.qc_release_days"]
        + p["logistics.shipping_days"]
        + (1 - s) / s * p["auto.remanufacture_days"]
    )
    out["cost_per_durable_response"] = out["cogs_per_patient"] / p["clinical.durable_response_rate"]
    return out


def summarise(values: np.ndarray, bins: int = 50) -> dict:
    pct = np.percentile(values, PERCENTILES)
    return {
        "mean": float(values.mean()),
        "sd": float(values.std(ddof=1)),
        **{f"p{q}": float(v) for q, v in zip(PERCENTILES, pct, strict=True)},
        "histogram": np.histogram(values, bins=bins),
    }


def run(
    params: dict,
    uncertainty: dict,
    correlations: list,
    ranges: dict,
    integers: set,
    n: int,
    seed: int,
    results,
    *,
    sensitivity_samples: int | None = None,
    bins: int = 50,
) -> dict:
    """Sample, evaluate, summarise: the whole bare Monte Carlo (Spearman over the first
    ``sensitivity_samples`` samples, all of them by default)."""
    cols = sample_inputs(params, uncertainty, correlations, ranges, integers, n, seed)
    p = dict(params)
    p.update(cols)
    out = autologous(p)
    summaries = {r: summarise(np.broadcast_to(out[r], (n,)), bins) for r in results}
    cogs = out["cogs_per_dose"]
    p_meets = float(np.mean(cogs <= out["max_allowable_cogs_per_dose"]))
    m = n if sensitivity_samples is None else min(n, sensitivity_samples)
    rc = _ranks(cogs[:m])
    rc -= rc.mean()
    sens = []
    for k, x in cols.items():
        rx = _ranks(x[:m])
        rx -= rx.mean()
        sens.append((k, float(rx @ rc / np.sqrt((rx @ rx) * (rc @ rc)))))
    sens.sort(key=lambda t: -abs(t[1]))
    return {"summaries": summaries, "p_meets_target": p_meets, "sensitivity": sens, "samples": cols}
