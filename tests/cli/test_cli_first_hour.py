"""The command line of a consultant's first hour: a base value outside its distribution is a
warning naming scenario and key (stderr; ``montecarlo --json``: a ``warnings`` list); montecarlo
runs with the window's samples and seed when none are given and prints each pair once."""

import json

from cgtdesk.cli.main import main
from cgtdesk.core.analyses.presets import MC_SAMPLES, MC_SEED
from cgtdesk.io import load_any
from cgtdesk.io.projectfile import save_project

EX = "resources/example.cgtproj"
A = "Autologous, automated, central"
KEY = "auto.batch_success_rate"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _project(tmp_path, names, base=None):
    p = load_any(EX)
    p.scenarios = [p.scenario(n) for n in names]
    p.plan = None
    if base is not None:
        p.scenarios[0].parameters[KEY] = base  # its triangular distribution spans 0.85 to 0.99
    path = tmp_path / "p.cgtproj"
    save_project(p, path)
    return path


def test_a_base_outside_its_distribution_is_a_warning_everywhere(capsys, tmp_path):
    path = _project(tmp_path, [A, "Autologous, manual open process"], base=0.5)
    code, out, err = run(capsys, "compute", path)
    assert code == 0 and f"'{A}'" in err and KEY in err and "warning" in err
    code, out, err = run(capsys, "montecarlo", path, "--samples", 100, "--seed", 1)
    assert code == 0 and f"'{A}'" in err and KEY in err and "warning" not in out
    code, out, err = run(capsys, "montecarlo", path, "--samples", 100, "--seed", 1, "--json")
    d = json.loads(out)
    assert len(d["warnings"]) == 1 and d["warnings"][0].startswith(f"'{A}': Batch success rate ({KEY}) is 50%")
    assert "85% to 99%" in d["warnings"][0]
    code, out, err = run(capsys, "tornado", path, "--scenario", A)
    assert code == 0 and KEY in err


def test_no_warning_when_every_base_sits_in_its_distribution(capsys, tmp_path):
    path = _project(tmp_path, [A])
    code, out, err = run(capsys, "montecarlo", path, "--samples", 100, "--seed", 1, "--json")
    assert code == 0 and json.loads(out)["warnings"] == [] and err == ""


def test_montecarlo_defaults_to_the_windows_run_and_prints_each_pair_once(capsys, tmp_path):
    names = [A, "Autologous, manual open process", "Allogeneic CAR-T, 20 L bioreactor"]
    path = _project(tmp_path, names)
    code, out, _ = run(capsys, "montecarlo", path, "--json")
    d = json.loads(out)
    assert code == 0 and d["samples"] == MC_SAMPLES and d["seed"] == MC_SEED
    assert len(d["comparisons"]) == 6  # every ordered pair in JSON
    p = {(c["a"], c["b"]): c["p_b_cheaper"] for c in d["comparisons"]}
    code, out, _ = run(capsys, "montecarlo", path)
    assert code == 0 and f"{MC_SAMPLES:,} samples, seed {MC_SEED}" in out
    table = out[out.index("P(B cheaper than A)") :].splitlines()[2:]
    assert len([line for line in table if line.strip()]) == 3  # three pairs, each once
    first = table[0]
    assert first.startswith(A) and names[1] in first
    assert f"{p[(A, names[1])] * 100:.1f}%" in first and f"{p[(names[1], A)] * 100:.1f}%" in first
    assert "Batch success rate" in out and "auto.batch_success_rate" not in out  # labels, not keys
