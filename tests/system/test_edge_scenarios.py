"""Scenarios at the ends of every valid range stay bounded: the crossover, the sweep, the demand
and capacity chart data, the PDF deck and every view of the window each finish within 60 s under
a 2 GiB address-space limit (a child process with ``RLIMIT_AS``).

The deck: every numeric input at its minimum, or at its maximum, for both processes; the
allogeneic ones with a lot that still yields a dose (the lot's volume, density and yield at their
maximum, no retained doses); one operating day a year (the most devices per patient) for both.
"""

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cgtdesk.chartdata.registry import VIEWS
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.project import Project, new_scenario
from cgtdesk.io.projectfile import save_project

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 2 * 1024**3
SECONDS = 60

#: an allogeneic lot that yields a dose whatever the rest
YIELDS = {
    "allo.bioreactor_volume_l": 100_000,
    "allo.harvest_density_cells_per_ml": 1e9,
    "allo.dsp_yield": 1,
    "allo.qc_retain_doses_per_lot": 0,
    "allo.lot_success_rate": 1,
    "allo.dose_wastage": 0,
}


def edge(process: str, end: str, name: str, **extra):
    """A scenario with every numeric input of ``process`` at the ``end`` ("min" or "max") of its range."""
    values = {}
    for k in catalogue().numeric_keys(process):
        p = catalogue().parameters[k]
        v = p.min if end == "min" else p.max
        values[k] = (math.ceil(v) if end == "min" else math.floor(v)) if p.integer else v
    values.update(extra)
    return new_scenario(name, process, values)


def edge_project() -> Project:
    one_day = {"facility.operating_days_per_year": 1}
    return Project(
        title="Edges",
        currency="USD",
        scenarios=[
            edge("autologous", "min", "Auto min"),
            edge("allogeneic", "min", "Allo min", **YIELDS),
            edge("autologous", "max", "Auto max"),
            edge("allogeneic", "max", "Allo max", **{"allo.qc_retain_doses_per_lot": 0}),
            edge("autologous", "min", "Auto min, 1 day", **one_day),
            edge("allogeneic", "max", "Allo max, 1 day", **{"allo.qc_retain_doses_per_lot": 0}, **one_day),
            new_scenario("Allo default", "allogeneic"),
        ],
    )


@pytest.fixture(scope="module")
def project_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("edges") / "edges.cgtproj"
    save_project(edge_project(), path)
    return path


def _limited():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def run_limited(args, timeout=SECONDS):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limited,
    )


CORE = textwrap.dedent(
    """
    import json, sys
    from cgtdesk import chartdata
    from cgtdesk.core import analyses
    from cgtdesk.io import load_any
    p = load_any(sys.argv[1])
    pairs = json.loads(sys.argv[2])
    for a, b in pairs:
        r = analyses.crossover(p.scenario(a), p.scenario(b), lo=1.0, hi=1e6)
        print(a, "|", b, "|", len(r.crossings), r.steps_too_fine, flush=True)
    analyses.sweep(p.scenarios, "cogs_per_dose", analyses.demand_grid(1.0, 1e6, 2000))
    chartdata.demand_curves(p, pair=tuple(pairs[0]))
    chartdata.capacity_curves(p)
    print("done")
    """
)


@pytest.mark.parametrize(
    "pairs",
    [
        [("Auto min", "Allo default"), ("Auto min, 1 day", "Allo max, 1 day")],
        [("Allo min", "Auto max"), ("Auto max", "Allo max"), ("Allo max, 1 day", "Auto min")],
    ],
    ids=["minimums", "maximums"],
)
def test_crossover_sweep_and_chart_data_bounded(project_file, pairs):
    r = run_limited(["-c", CORE, project_file, json.dumps(pairs)])
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().endswith("done")


def test_export_deck_bounded(project_file, tmp_path):
    pdf = tmp_path / "edges.pdf"
    r = run_limited(["main.py", project_file, "--export-deck", pdf])
    assert r.returncode == 0, r.stderr[-2000:]
    assert pdf.stat().st_size > 10_000


@pytest.mark.parametrize("view", ["demand", "capacity", "sweep"])
def test_demand_views_bounded(project_file, tmp_path, view):
    png = tmp_path / f"{view}.png"
    r = run_limited(["main.py", project_file, "--screenshot", png, "--view", view])
    assert r.returncode == 0, r.stderr[-2000:]
    assert png.stat().st_size > 1000


@pytest.mark.slow
@pytest.mark.parametrize("view", [v for v in VIEWS if v not in ("demand", "capacity", "sweep")])
def test_every_other_view_bounded(project_file, tmp_path, view):
    png = tmp_path / f"{view}.png"
    r = run_limited(["main.py", project_file, "--screenshot", png, "--view", view])
    assert r.returncode == 0, r.stderr[-2000:]
    assert png.stat().st_size > 1000
