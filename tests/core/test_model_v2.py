"""Model version 2 against an independent plain-Python implementation (v2_reference.py).

A few hundred random scenarios of both processes, in all three facility modes, with devices
sized by utilisation (service level 0) and by a service level, shelf life on and off, one to
ten sites: every result agrees to 1e-9 relative. Erlang B and C by hand for small cases, and
the windowed Erlang B of cgtdesk.core.capacity against the full recursion at large loads.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pytest
from v2_reference import erlang_b as ref_eb
from v2_reference import reference

from cgtdesk.core.capacity import erlang_b, erlang_c, service_level_units
from cgtdesk.core.model import evaluate

ROOT = Path(__file__).resolve().parents[2]
REL = 1e-9
RAW = {d["key"]: d for d in json.loads((ROOT / "resources" / "parameters.json").read_text(encoding="utf-8"))["parameters"]}
MODES = ("dedicated", "shared", "cdmo")

#: keys whose random values are kept in a sub-range of the valid range, so that the
#: plain-Python Erlang loop (O(load)) stays quick and most allogeneic lots yield doses
SUBRANGES = {
    "demand.patients_per_year": (1, 20_000),
    "demand.doses_per_patient": (1, 6),
    "facility.operating_days_per_year": (60, 365),
    "auto.process_days": (1, 30),
    "auto.changeover_days": (0, 5),
    "allo.process_days": (1, 30),
    "allo.changeover_days": (0, 5),
    "dose.cells_per_dose": (1e6, 1e9),
    "allo.bioreactor_volume_l": (5, 2000),
    "allo.harvest_density_cells_per_ml": (5e5, 2e7),
    "allo.qc_retain_doses_per_lot": (0, 20),
    "auto.batch_success_rate": (0.3, 1),
    "allo.lot_success_rate": (0.3, 1),
    "facility.sites": (1, 10),
    "allo.shelf_life_days": (1, 2000),
    "labour.hours_per_fte_year": (1000, 2500),
}


def _draw(key: str, process: str, rng: random.Random):
    d = RAW[key]
    if d["kind"] == "choice":
        return rng.choice(d["choices"])
    lo, hi = SUBRANGES.get(key, (d["min"], d["max"]))
    lo, hi = max(lo, d["min"]), min(hi, d["max"])
    if lo > 0 and hi / lo > 100 and rng.random() < 0.8:
        x = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    elif rng.random() < 0.5:  # near the default half the time: realistic mixes
        base = d["default"][process]
        x = min(hi, max(lo, base * math.exp(rng.uniform(-1, 1))))
    else:
        x = rng.uniform(lo, hi)
    if d["integer"]:
        x = float(min(max(round(x), math.ceil(lo)), math.floor(hi)))
    return x


def random_scenario(process: str, rng: random.Random, mode: str) -> dict:
    while True:
        p = {k: _draw(k, process, rng) for k, d in RAW.items() if process in d["processes"]}
        p["facility.mode"] = mode
        if process == "autologous" and rng.random() < 0.35:
            p["auto.service_level"] = 0.0
        if process == "allogeneic" and rng.random() < 0.35:
            p["allo.shelf_life_days"] = 0.0
        if rng.random() < 0.2:
            p["finance.discount_rate"] = 0.0
        if rng.random() < 0.1:
            p["commercial.price_per_dose"] = 0.0
        try:
            reference(process, p)
        except ValueError:  # a lot that yields no dose: draw again
            continue
        return p


def assert_close(got: dict, expected: dict, where: str = "") -> None:
    for k, e in expected.items():
        g = got[k]
        if e is None:
            assert g is None, f"{where} {k}: expected null, got {g}"
        else:
            assert g == pytest.approx(e, rel=REL, abs=1e-9), f"{where} {k}: expected {e}, got {g}"


@pytest.mark.parametrize("process", ["autologous", "allogeneic"])
@pytest.mark.parametrize("mode", MODES)
def test_random_scenarios_match_the_independent_implementation(process, mode):
    rng = random.Random(f"{process}-{mode}-v2")
    scenarios = [random_scenario(process, rng, mode) for _ in range(50)]
    rules = set()
    for i, p in enumerate(scenarios):
        expected = reference(process, p)
        assert_close(evaluate(process, p), expected, f"{process} {mode} #{i}")
        if process == "autologous":
            rules.add(p["auto.service_level"] > 0)
        else:
            rules.add(expected["expired_fraction"] > 0)
    assert rules == {True, False}  # both device rules / expiry on and off were visited
    # the same scenarios as one vectorised call (one mode per call)
    arrays = {k: np.array([p[k] for p in scenarios]) for k in scenarios[0] if k != "facility.mode"}
    arrays["facility.mode"] = mode
    vec = evaluate(process, arrays, strict=False)
    for i, p in enumerate(scenarios):
        for k, e in reference(process, p).items():
            if e is None:
                assert np.isnan(vec[k][i]), k
            else:
                assert vec[k][i] == pytest.approx(e, rel=REL, abs=1e-9), f"vectorised #{i} {k}"


def test_defaults_are_in_the_published_ranges():
    """Autologous at 500 patients near USD 100k per patient; allogeneic at 1,000 a small fraction."""
    for process, demand in (("autologous", 500), ("allogeneic", 1000)):
        p = {k: d["default"][process] for k, d in RAW.items() if process in d["processes"]}
        p["demand.patients_per_year"] = demand
        got = evaluate(process, p)
        assert_close(got, reference(process, p))
        if process == "autologous":
            assert 80_000 < got["cogs_per_patient"] < 120_000
            assert got["slot_wait_days"] > 0
        else:
            assert got["cogs_per_patient"] < 0.2 * 100_000


# ----------------------------------------------------------------- Erlang by hand


def test_erlang_b_and_c_by_hand():
    for a in (0.1, 1.0, 2.5, 7.0):
        assert erlang_b(1, a) == pytest.approx(a / (1 + a), rel=1e-15)
    assert erlang_b(2, 1.0) == pytest.approx(1 / 5, rel=1e-15)  # (1/2) / (1 + 1 + 1/2)
    assert erlang_b(3, 2.0) == pytest.approx((8 / 6) / (1 + 2 + 2 + 8 / 6), rel=1e-15)  # 4/19
    assert erlang_b(0, 3.0) == 1.0
    # EC(1, a) = a (M/M/1: the server is busy with probability a)
    assert erlang_c(1, 0.4) == pytest.approx(0.4, rel=1e-15)
    # EC(2, 1) = 2 EB / (2 - 1 + EB) with EB = 1/5: (2/5) / (6/5) = 1/3
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3, rel=1e-15)


def test_service_level_rule_on_a_small_case_by_hand():
    # a = 1.5, no wait allowed (t = 0), level 0.8: c = 2 gives EC = 2 EB2 / (2 - 1.5 (1 - EB2)),
    # EB2 = (1.125) / (1 + 1.5 + 1.125) = 0.3103..., EC2 = 0.6207 / 0.7586 = 0.818 > 0.2;
    # c = 3: EB3 = 1.5 EB2 / (3 + 1.5 EB2) = 0.1343..., EC3 = 0.4029 / 1.7015 = 0.2368 > 0.2;
    # c = 4: EB4 = 0.0480..., EC4 = 0.1920 / 2.5720 = 0.0746 <= 0.2: four devices
    eb2 = 1.125 / 3.625
    eb3 = 1.5 * eb2 / (3 + 1.5 * eb2)
    eb4 = 1.5 * eb3 / (4 + 1.5 * eb3)
    ec4 = 4 * eb4 / (4 - 1.5 * (1 - eb4))
    c, ec = service_level_units(1.5, 0.0, 0.2)
    assert float(c) == 4 and float(ec) == pytest.approx(ec4, rel=1e-13)
    # with a wait of one cycle allowed, EC3 exp(-1.5) = 0.0528 <= 0.2: three suffice
    c, _ = service_level_units(1.5, 1.0, 0.2)
    assert float(c) == 3
    # no demand: no device
    c, ec = service_level_units(np.array([0.0, 1.5]), 0.0, 0.2)
    assert c.tolist() == [0.0, 4.0] and ec[0] == 0.0


@pytest.mark.parametrize("a", [0.37, 12.6, 480.5, 9_999.3, 100_000.7])
def test_windowed_erlang_b_equals_the_full_recursion(a):
    cs = sorted({max(1, int(a) + d) for d in (-int(4 * math.sqrt(a)), -1, 0, 1, 3, int(4 * math.sqrt(a)) + 1)})
    got = erlang_b(np.array(cs, dtype=float), a)
    for c, g in zip(cs, got, strict=True):
        assert g == pytest.approx(ref_eb(c, a), rel=1e-12), c


def test_service_level_at_a_large_load_matches_the_plain_search():
    from v2_reference import service_level_devices

    for a, t, level in ((2.0e4 + 0.3, 0.0, 0.95), (1.0e5 + 0.7, 0.2, 0.99)):
        c, ec = service_level_units(a, t, 1 - level)
        c_ref, ec_ref = service_level_devices(a, t, 1.0, level)
        assert float(c) == c_ref
        assert float(ec) == pytest.approx(ec_ref, rel=1e-12)
