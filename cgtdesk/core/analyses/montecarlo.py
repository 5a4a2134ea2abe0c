"""Monte Carlo over every scenario's uncertainty (Iman-Conover rank correlations, common random
numbers between scenarios), with summaries, histograms, the probability of meeting the target,
pairwise comparisons and a Spearman sensitivity ranking. See :func:`monte_carlo`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from cgtdesk.core.analyses import presets
from cgtdesk.core.analyses.common import DEFAULT_RESULT, DEMAND_KEY
from cgtdesk.core.analyses.plan import PLAN_MEETS, add_plan_results, check_analysis_result, is_plan_result
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.model import evaluate

MC_BLOCK = 65_536  # samples per random-number block (fixed: the numbers never depend on the chunk size)
MC_MAX_SAMPLES = 10_000_000
MC_SENSITIVITY_SAMPLES = 100_000  # Spearman sensitivity on the first valid samples, at most this many
PERCENTILES = (5, 10, 50, 90, 95)


@dataclass(frozen=True)
class ScenarioMC:
    name: str
    invalid_samples: int  # samples that made the scenario invalid (e.g. a lot yielding no dose)
    summaries: dict  # result -> {"mean", "sd", "p5", "p10", "p50", "p90", "p95", "n"} over valid samples
    p_meets_target: float  # P(cogs_per_dose <= max_allowable_cogs_per_dose) over valid samples
    sensitivity: list  # [(key, spearman rho)], sorted by |rho| largest first, ties by key
    histogram: dict  # result -> (counts, edges) over valid samples
    values: dict = field(default_factory=dict)  # result -> np.ndarray of every sample (NaN invalid); keep_values only
    valid_samples: int = 0
    samples_done: int = 0
    process: str = ""
    sensitivity_samples: int = 0  # how many samples the Spearman ranking used
    # P(levelised_cogs_per_dose <= max_allowable_cogs_per_dose) of the launch plan; NaN unless a plan result was asked
    p_plan_meets_target: float = math.nan


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    p_b_cheaper: float  # P(B's compared result < A's) over samples where both are valid
    pairs: int = 0  # samples where both were valid
    shared_keys: tuple = ()  # keys sampled once for both (common random numbers)


@dataclass(frozen=True)
class MonteCarloResult:
    samples: int  # asked for
    seed: int
    scenarios: list  # ScenarioMC
    comparisons: list  # Comparison, every ordered pair (a, b), a != b
    complete: bool  # False when cancelled: the figures then cover ``samples_done`` samples only
    samples_done: int = 0
    results: tuple = presets.MC_RESULTS
    compare: str = DEFAULT_RESULT
    message: str = ""


class _Plan:
    """How one scenario's random inputs are drawn: groups of keys (correlated together or alone)."""

    def __init__(self, scenario):
        from cgtdesk.core.sampling import dist_label, target_matrix

        self.scenario = scenario
        unc = {k: d for k, d in scenario.uncertainty.items() if d["dist"] != "fixed"}
        self.fixed = {k: float(d["value"]) for k, d in scenario.uncertainty.items() if d["dist"] == "fixed"}
        self.keys = [k for k in catalogue().keys_for(scenario.process) if k in unc]
        self.labels = {k: dist_label(k, unc[k]) for k in self.keys}
        self.dists = unc
        # connected groups of the correlation graph
        parent = {k: k for k in self.keys}

        def root(k):
            while parent[k] != k:
                k = parent[k]
            return k

        for c in scenario.correlations:
            if c["a"] in parent and c["b"] in parent:
                parent[root(c["a"])] = root(c["b"])
        groups: dict = {}
        for k in self.keys:
            groups.setdefault(root(k), []).append(k)
        self.groups = []
        for ks in groups.values():
            cs = [c for c in scenario.correlations if c["a"] in ks and c["b"] in ks]
            sig = (
                "ic|"
                + ";".join(self.labels[k] for k in ks)
                + "|"
                + ";".join(f"{c['a']}~{c['b']}={c['rho']!r}" for c in sorted(cs, key=lambda c: (c["a"], c["b"])))
            )
            self.groups.append((ks, cs, sig, target_matrix(ks, cs) if cs else None))

    def shared_with(self, other: _Plan) -> tuple:
        """Keys whose draws are identical in both scenarios (same distribution, same correlation group)."""
        mine = {k: sig for ks, _, sig, m in self.groups for k in ks}
        theirs = {k: sig for ks, _, sig, m in other.groups for k in ks}
        out = []
        for k in self.keys:
            if k in theirs and self.labels[k] == other.labels.get(k):
                alone_a = not any(k in ks and len(ks) > 1 for ks, *_ in self.groups)
                alone_b = not any(k in ks and len(ks) > 1 for ks, *_ in other.groups)
                if (alone_a and alone_b) or mine[k] == theirs[k]:
                    out.append(k)
        return tuple(out)


def _block_inputs(plan: _Plan, seed: int, block: int, n: int, cache: dict) -> dict:
    """The sampled inputs of one scenario for one block (cached by label for common random numbers)."""
    from cgtdesk.core.sampling import draw, finish, iman_conover, stream

    out = {}
    for ks, _cs, sig, target in plan.groups:
        if target is None:
            k = ks[0]
            lab = plan.labels[k]
            if lab not in cache:
                cache[lab] = finish(k, draw(k, plan.dists[k], stream(seed, block, lab), n))
            out[k] = cache[lab]
            continue
        if sig not in cache:
            cols = []
            for k in ks:
                lab = plan.labels[k]
                raw_key = "raw|" + lab
                if raw_key not in cache:
                    cache[raw_key] = draw(k, plan.dists[k], stream(seed, block, lab), n)
                cols.append(cache[raw_key])
            x = iman_conover(np.column_stack(cols), target, stream(seed, block, sig))
            cache[sig] = {k: finish(k, x[:, j]) for j, k in enumerate(ks)}
        out.update(cache[sig])
    return out


def _rank_avg(x: np.ndarray) -> np.ndarray:
    """Ranks with ties given their average rank."""
    order = np.argsort(x)  # ties get their average rank below, so the sort need not be stable
    xs = x[order]
    n = x.size
    new = np.empty(n, dtype=bool)
    new[0] = True
    new[1:] = xs[1:] != xs[:-1]
    starts = np.nonzero(new)[0]
    ends = np.append(starts[1:], n)
    avg = (starts + ends - 1) / 2.0
    ranks = np.empty(n)
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def _centred_ranks(x: np.ndarray) -> np.ndarray:
    r = _rank_avg(np.asarray(x, dtype=float))
    return r - r.mean()


def spearman(x: np.ndarray, y: np.ndarray, *, ry: np.ndarray | None = None) -> float:
    """Spearman rank correlation (average ranks for ties); NaN when either is constant.

    ``ry``: the centred ranks of ``y`` when already known (ranking once for many inputs).
    """
    rx = _centred_ranks(x)
    ry = _centred_ranks(y) if ry is None else ry
    den = math.sqrt(float(rx @ rx) * float(ry @ ry))
    return float(rx @ ry) / den if den > 0 else math.nan


def _summary(v: np.ndarray) -> dict:
    v = v[np.isfinite(v)]
    if v.size == 0:
        return {"mean": math.nan, "sd": math.nan, **{f"p{q}": math.nan for q in PERCENTILES}, "n": 0}
    pct = np.percentile(v, PERCENTILES)
    return {
        "mean": float(v.mean()),
        "sd": float(v.std(ddof=1)) if v.size > 1 else 0.0,
        **{f"p{q}": float(x) for q, x in zip(PERCENTILES, pct, strict=True)},
        "n": int(v.size),
    }


def _histogram(v: np.ndarray, bins: int):
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    lo, hi = float(v.min()), float(v.max())
    if lo == hi:
        lo, hi = lo - 0.5 * max(abs(lo), 1.0) * 1e-6, hi + 0.5 * max(abs(hi), 1.0) * 1e-6
    counts, edges = np.histogram(v, bins=bins, range=(lo, hi))
    return counts, edges


def _check_run(scenarios, samples, seed) -> None:
    if not scenarios:
        raise InputError("Monte Carlo: expected at least one scenario")
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or not 1 <= samples <= MC_MAX_SAMPLES:
        raise InputError(f"Monte Carlo samples: expected a whole number from 1 to {MC_MAX_SAMPLES:,}, found {samples!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise InputError(f"Monte Carlo seed: expected a whole number from 0 to 2^63-1, found {seed!r}")


#: peak memory a run may use (bytes); the run is planned to stay under it, or refused before it starts
MC_MEMORY_BUDGET = 1.5e9
#: of that, what the block evaluations, the draws and the rest of the app take (bytes)
MC_MEMORY_OVERHEAD = 0.45e9


def _gb(nbytes: float) -> str:
    return f"{nbytes / 1e9:,.1f} GB" if nbytes >= 1e8 else f"{nbytes / 1e6:,.0f} MB"


def _group_size(samples: int, n_scen: int, n_keep: int, n_results: int, keep_values: bool) -> int:
    """How many scenarios are sampled together (sharing their draws), so that the run stays under
    :data:`MC_MEMORY_BUDGET`; InputError naming the figures when even one at a time would not fit.

    Per sample: every scenario keeps its compared result and whether it is valid (9 bytes; with
    ``keep_values`` also every result asked, 8 bytes each); the scenarios sampled together keep
    every result summarised (8 bytes each) and the valid flag until they are summarised.
    """
    done_each = 9 + (8 * n_results if keep_values else 0)
    group_each = 8 * n_keep + 1
    avail = MC_MEMORY_BUDGET - MC_MEMORY_OVERHEAD
    need = samples * (n_scen * done_each + group_each)
    if need > avail:
        fit_scen = int((avail / samples - group_each) // done_each)
        fit_samples = int(avail // (n_scen * done_each + group_each))
        room = (
            f"at most {fit_scen:,} scenario{'' if fit_scen == 1 else 's'} of {samples:,} samples"
            if fit_scen >= 1
            else f"at most {fit_samples:,} samples of {n_scen:,} scenario{'' if n_scen == 1 else 's'}"
        )
        raise InputError(
            f"Monte Carlo: {samples:,} samples x {n_scen:,} scenario{'' if n_scen == 1 else 's'} "
            f"would need about {_gb(need + MC_MEMORY_OVERHEAD)}; {room} fit in {_gb(MC_MEMORY_BUDGET)}"
        )
    return max(1, min(n_scen, int((avail / samples - n_scen * done_each) // group_each)))


class _Run:
    """The samples of some scenarios of a Monte Carlo run, sampled together block by block: every
    kept result, which samples are valid, how many meet the target, and the sampled inputs that the
    sensitivity ranking uses. A run of many scenarios is made of several of these, one group after
    another (see :func:`_group_size`); the numbers never depend on the grouping."""

    def __init__(self, scenarios, plans, samples: int, seed: int, keep: tuple, n_sens: int, plan_block=None):
        self.scenarios, self.plans = scenarios, plans
        self.plan_block = plan_block  # the project's launch plan, when a plan result is asked
        self.plan_meets = {s.name: 0 for s in scenarios}
        self.samples, self.seed, self.keep, self.n_sens = samples, seed, keep, n_sens
        self.store = {s.name: {r: np.full(samples, np.nan) for r in keep} for s in scenarios}
        self.valid = {s.name: np.zeros(samples, dtype=bool) for s in scenarios}
        self.meets = {s.name: 0 for s in scenarios}
        self.sens_inputs = {s.name: {k: np.empty(n_sens) for k in pl.keys} for s, pl in zip(scenarios, plans, strict=True)}
        self.done = 0
        self.complete = True

    def run(self, chunk: int, progress, cancel) -> None:
        n_blocks = -(-self.samples // MC_BLOCK)
        blocks_per_chunk = chunk // MC_BLOCK
        for first in range(0, n_blocks, blocks_per_chunk):
            if cancel is not None and cancel():
                self.complete = False
                break
            self._chunk(range(first, min(first + blocks_per_chunk, n_blocks)))
            if progress is not None:
                progress(self.done, self.samples)

    def _chunk(self, blocks: range) -> None:
        start = blocks[0] * MC_BLOCK
        stop = min((blocks[-1] + 1) * MC_BLOCK, self.samples)
        caches = [(b, min(MC_BLOCK, self.samples - b * MC_BLOCK), {}) for b in blocks]
        for s, plan in zip(self.scenarios, self.plans, strict=True):
            parts = [_block_inputs(plan, self.seed, b, n, cache) for b, n, cache in caches]
            params = dict(s.parameters)
            params.update(plan.fixed)
            for k in plan.keys:
                params[k] = parts[0][k] if len(parts) == 1 else np.concatenate([p[k] for p in parts])
            if not plan.keys:
                params[DEMAND_KEY] = np.full(stop - start, float(params[DEMAND_KEY]))
            r = evaluate(s.process, params, strict=False)
            if self.plan_block is not None:  # the plan's results of the same samples (valid: annual and plan)
                r = add_plan_results(r, s, params, self.plan_block)
                self.plan_meets[s.name] += int(np.count_nonzero(r["valid"] & r[PLAN_MEETS]))
            ok = np.asarray(r["valid"], dtype=bool)
            self.valid[s.name][start:stop] = ok
            for name in self.keep:
                self.store[s.name][name][start:stop] = r[name]
            self.meets[s.name] += int(np.count_nonzero(ok & (r["cogs_per_dose"] <= r["max_allowable_cogs_per_dose"])))
            if start < self.n_sens:
                m = min(stop, self.n_sens) - start
                for k in plan.keys:
                    self.sens_inputs[s.name][k][start : start + m] = params[k][:m]
            del r, params, parts
        self.done = stop

    def sensitivity(self, s, plan, result: str) -> tuple[list, int]:
        """[(key, Spearman rho)] sorted by |rho|, over the first valid samples; and how many were used."""
        done = self.done
        m = min(done, self.n_sens)
        okm = self.valid[s.name][:done][:m]
        y = self.store[s.name][result][:m][okm]
        sens = []
        finite = np.isfinite(y)
        ry = _centred_ranks(y[finite]) if np.count_nonzero(finite) > 2 else None
        for k in plan.keys:
            x = self.sens_inputs[s.name][k][:m][okm][finite]
            rho = spearman(x, y[finite], ry=ry) if ry is not None else math.nan
            sens.append((k, rho))
        sens.sort(key=lambda t: (math.isnan(t[1]), -abs(t[1]) if not math.isnan(t[1]) else 0.0, t[0]))
        return sens, int(np.count_nonzero(finite))

    def scenario(self, s, plan, results: tuple, bins: int, keep_values: bool, sensitivity_result: str) -> ScenarioMC:
        done = self.done
        ok = self.valid[s.name][:done]
        nvalid = int(np.count_nonzero(ok))
        summaries, hists, values = {}, {}, {}
        for name in results:
            v = self.store[s.name][name][:done]
            valid_v = v[ok]
            summaries[name] = _summary(valid_v)
            hists[name] = _histogram(valid_v, bins)
            del valid_v
            if keep_values:
                values[name] = v
        sens, n_used = self.sensitivity(s, plan, sensitivity_result)
        return ScenarioMC(
            name=s.name,
            invalid_samples=done - nvalid,
            summaries=summaries,
            p_meets_target=self.meets[s.name] / nvalid if nvalid else math.nan,
            sensitivity=sens,
            histogram=hists,
            values=values,
            valid_samples=nvalid,
            samples_done=done,
            process=s.process,
            sensitivity_samples=n_used,
            p_plan_meets_target=self.plan_meets[s.name] / nvalid if nvalid and self.plan_block is not None else math.nan,
        )

    def compared(self, s, compare: str) -> np.ndarray:
        """The compared result of every sample, NaN where the scenario is invalid or not sampled; the
        rest of the scenario's samples are released."""
        v = np.where(self.valid[s.name], self.store[s.name][compare], np.nan)
        self.store[s.name] = {}
        self.valid[s.name] = None
        self.sens_inputs[s.name] = {}
        return v


def _comparisons(scenarios, plans, compared: list, compare: str) -> list:
    """For every ordered pair (A, B), P(B's compared result < A's) over samples where both are valid."""
    finite = [np.isfinite(v) for v in compared]
    out = []
    for i, a in enumerate(scenarios):
        for j, b in enumerate(scenarios):
            if i == j:
                continue
            nb = int(np.count_nonzero(finite[i] & finite[j]))
            p = float(np.count_nonzero(compared[j] < compared[i])) / nb if nb else math.nan  # NaN compares False
            out.append(Comparison(a.name, b.name, p, nb, plans[i].shared_with(plans[j])))
    return out


def _unsampled(s, results: tuple, plan, samples: int) -> ScenarioMC:
    """A scenario that a cancelled run never reached."""
    return ScenarioMC(
        name=s.name,
        invalid_samples=0,
        summaries={r: _summary(np.zeros(0)) for r in results},
        p_meets_target=math.nan,
        sensitivity=[(k, math.nan) for k in sorted(plan.keys)],
        histogram={r: _histogram(np.zeros(0), 1) for r in results},
        process=s.process,
    )


def monte_carlo(
    project_or_scenarios,
    samples: int,
    seed: int,
    results: Sequence[str] = presets.MC_RESULTS,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    chunk: int = MC_BLOCK,
    *,
    keep_values: bool = False,
    compare: str = DEFAULT_RESULT,
    sensitivity_result: str = DEFAULT_RESULT,
    sensitivity_samples: int = MC_SENSITIVITY_SAMPLES,
    bins: int = 60,
    plan=None,
) -> MonteCarloResult:
    """Monte Carlo over every scenario's uncertainty (the project file's distributions, Iman-Conover correlations).

    - Reproducible: random numbers come in fixed blocks of ``MC_BLOCK`` samples, each variable's
      block from ``SeedSequence(seed, spawn_key=(block, hash(key and distribution)))``; ``chunk``
      (how many samples are evaluated at once, rounded up to whole blocks) never changes them, nor
      does adding another scenario. The first N samples of a larger run equal an N-sample run
      whenever N is a multiple of ``MC_BLOCK``.
    - Common random numbers: a key that two scenarios hold with the same distribution (and, when
      correlated, the same correlations with the same other keys) is sampled once and shared, so
      that P(B cheaper than A) compares like with like; every other key is drawn independently.
    - Integer parameters are rounded to the nearest integer after sampling; all draws lie in the
      valid range. Keys without a distribution stay at the scenario's value.
    - Invalid samples (e.g. a lot yielding no dose) are counted per scenario (``invalid_samples``);
      summaries, histograms, ``p_meets_target`` and the comparisons are over valid samples only.
    - Summaries: mean, sd (n-1), P5, P10, P50, P90, P95 (linear interpolation) of every result asked.
    - ``p_meets_target``: P(cogs_per_dose <= max_allowable_cogs_per_dose).
    - Comparisons: for every ordered pair (A, B), P(B's ``compare`` result < A's), sample by sample.
    - Sensitivity: Spearman rank correlation of each sampled input with ``sensitivity_result`` over
      the first ``sensitivity_samples`` valid samples (100,000 by default: ranking a million
      samples costs more than it tells), sorted by |rho|.
    - Memory: a run is planned to stay under :data:`MC_MEMORY_BUDGET` (1.5 GB): every scenario
      keeps its compared result per sample; the results summarised are kept only for the scenarios
      sampled together at a time (as many as fit; one group after another: the numbers never depend
      on the grouping), and released once summarised. A run that would not fit even one scenario at
      a time is refused before it starts (InputError naming the figures).
    - Launch-plan results (``npc``, ``levelised_cogs_per_dose``, ``npv_gross_profit``,
      ``peak_funding``) may be asked for in ``results``, ``compare`` and ``sensitivity_result``:
      each scenario's plan (``plan``, by default the project's) is evaluated on the same samples,
      block by block; a sample then counts as valid when both its annual model and its plan are,
      and ``p_plan_meets_target`` is P(levelised_cogs_per_dose <= max_allowable_cogs_per_dose).
      ``compare="npc"`` gives P(B's plan cheaper than A's), with common random numbers as above.
    - ``progress(done, total)`` is called after each chunk; ``cancel()`` is checked before each
      chunk: a cancelled run returns ``complete=False`` with figures over the samples done.
    """
    scenarios = list(getattr(project_or_scenarios, "scenarios", project_or_scenarios))
    _check_run(scenarios, samples, seed)
    results = tuple(dict.fromkeys([*results]))
    plan = getattr(project_or_scenarios, "plan", None) if plan is None else plan
    for r in (*results, compare, sensitivity_result):
        check_analysis_result(r, plan)
    keep = tuple(dict.fromkeys([*results, compare, sensitivity_result]))
    plan_block = plan if any(is_plan_result(r) for r in keep) else None
    samples, seed = int(samples), int(seed)
    group = _group_size(samples, len(scenarios), len(keep), len(results), keep_values)
    chunk = max(MC_BLOCK, -(-int(chunk) // MC_BLOCK) * MC_BLOCK)
    plans = [_Plan(s) for s in scenarios]
    n_groups = -(-len(scenarios) // group)
    out, compared, complete, least = [], [], True, samples
    for g in range(n_groups):
        members = slice(g * group, (g + 1) * group)
        if not complete:
            out += [_unsampled(s, results, pl, samples) for s, pl in zip(scenarios[members], plans[members], strict=True)]
            compared += [np.full(samples, np.nan) for _ in scenarios[members]]
            least = 0
            continue
        run = _Run(scenarios[members], plans[members], samples, seed, keep, min(int(sensitivity_samples), samples), plan_block)
        step = None if progress is None else (lambda d, t, g=g: progress((g * samples + d) // n_groups, samples))
        run.run(chunk, step, cancel)
        for s, plan in zip(run.scenarios, run.plans, strict=True):
            out.append(run.scenario(s, plan, results, bins, keep_values, sensitivity_result))
            compared.append(run.compared(s, compare))
        complete, least = run.complete, min(least, run.done)
        del run
    msg = "" if complete else f"cancelled after {least:,} of {samples:,} samples: the figures cover those only"
    return MonteCarloResult(
        samples=samples,
        seed=seed,
        scenarios=out,
        comparisons=_comparisons(scenarios, plans, compared, compare),
        complete=complete,
        samples_done=least,
        results=results,
        compare=compare,
        message=msg,
    )
