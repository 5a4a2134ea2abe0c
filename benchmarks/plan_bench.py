"""Launch plan figures: the plan of 6 scenarios x 40 years in process, and a Monte Carlo of one
scenario's 15-year plan (100,000 samples of its uncertain inputs, drawn with the app's sampler).

    .venv/bin/python benchmarks/plan_bench.py            (prints JSON: seconds and peak RSS)
    .venv/bin/python benchmarks/plan_bench.py --only mc  (only the Monte Carlo; RSS is then its own)

Used by benchmarks/run.py ("plan"); it reports, never fails on a missed budget.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MC_SAMPLES = 100_000


def _six_by_forty():
    from cgtdesk.core.project import Plan
    from cgtdesk.io.projectfile import load_project

    p = load_project(ROOT / "resources" / "example.cgtproj")  # six scenarios
    p.plan = Plan(
        first_year=2027,
        years=40,
        demand={"launch_year": 2029, "peak_patients_per_year": 1500, "years_to_peak": 5},
        look_ahead_years=1,
        switches=list(p.plan.switches),
    )
    return p


def bench_table(repeat: int) -> dict:
    from cgtdesk.core.analyses.plan import plan

    project = _six_by_forty()
    plan(project)  # warm-up
    walls = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = plan(project)
        walls.append(time.perf_counter() - t0)
    assert len(r.scenarios) == 6 and len(r.years) == 40
    return {"plan_6x40_s": statistics.median(walls), "switches": len(r.switches)}


def bench_mc(samples: int) -> dict:
    import numpy as np

    from cgtdesk.core.analyses.plan import plan_samples
    from cgtdesk.core.sampling import draw, finish
    from cgtdesk.io.projectfile import load_project

    project = load_project(ROOT / "resources" / "example.cgtproj")
    scenario = project.scenarios[0]
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    drawn = {k: finish(k, draw(k, d, rng, samples)) for k, d in scenario.uncertainty.items() if d["dist"] != "fixed"}
    out = plan_samples(scenario, project.plan, drawn)
    summary = {k: float(np.percentile(out[k][out["valid"]], 50)) for k in ("npc", "levelised_cogs_per_dose")}
    seconds = time.perf_counter() - t0
    return {
        "mc_samples": samples,
        "mc_years": project.plan.years,
        "mc_keys": len(drawn),
        "mc_s": seconds,
        "mc_valid": int(out["valid"].sum()),
        "mc_p50": summary,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["table", "mc"])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--samples", type=int, default=MC_SAMPLES)
    args = ap.parse_args(argv)
    out: dict = {}
    if args.only in (None, "table"):
        out.update(bench_table(args.repeat))
    if args.only in (None, "mc"):
        out.update(bench_mc(args.samples))
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
