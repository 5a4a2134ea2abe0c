"""docs/model.md stays true to the catalogue and the model."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cgtdesk.core.catalogue import catalogue

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "model.md"


def _gen():
    spec = importlib.util.spec_from_file_location("gen_model_doc", ROOT / "tools" / "gen_model_doc.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def gen():
    return _gen()


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _split(doc: str, gen) -> tuple[str, str]:
    """(the hand-written text, the generated table)."""
    start, end = doc.index(gen.BEGIN), doc.index(gen.END)
    return doc[:start] + doc[end:], doc[start + len(gen.BEGIN) : end]


def test_the_parameter_table_is_current(gen, doc):
    assert doc.count(gen.BEGIN) == 1 and doc.count(gen.END) == 1
    assert gen.render(doc) == doc, "docs/model.md is out of date: run python tools/gen_model_doc.py"


def test_a_drifted_table_is_detected_and_repaired(gen, doc):
    drifted = doc.replace("| 0.95 |", "| 0.96 |", 1)
    assert drifted != doc
    assert gen.render(drifted) != drifted
    assert gen.render(drifted) == doc


def test_the_table_has_one_row_per_parameter_with_seven_columns(gen, doc):
    _, table = _split(doc, gen)
    rows = [r for r in table.strip().splitlines() if r.startswith("| `")]
    assert len(rows) == len(catalogue().parameters)
    header = table.strip().splitlines()[0]
    assert [c.strip() for c in header.strip("|").split("|")] == list(gen.HEADER)
    for row, (key, p) in zip(rows, catalogue().parameters.items(), strict=True):
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row.strip().strip("|"))]
        assert len(cells) == 7, row
        assert cells[0] == f"`{key}`"
        assert cells[1] == p.label.replace("|", "\\|")
        assert cells[2] == p.unit
        assert cells[5] in ("both", "autologous", "allogeneic")


def test_defaults_are_shown_per_process(gen):
    table = gen.parameter_table()
    assert "| `commercial.price_per_dose` | List price per dose | USD/dose | 400,000 / 250,000 |" in table
    assert "| 1 .. 1,000 (integer) |" in table  # facility.sites
    row = next(r for r in table.splitlines() if r.startswith("| `auto.batch_success_rate`"))
    assert "| 0.95 |" in row and "| autologous |" in row


def test_every_catalogue_key_and_result_key_appears(doc):
    for key in catalogue().parameters:
        assert f"`{key}`" in doc, key
    for key in catalogue().results:
        assert f"`{key}`" in doc, key


def test_every_parameter_the_model_reads_is_explained_in_the_equations(gen, doc):
    hand, _ = _split(doc, gen)
    source = (ROOT / "cgtdesk" / "core" / "model.py").read_text(encoding="utf-8")
    used = set(re.findall(r'p\["([a-z_]+\.[a-z_]+)"\]', source))
    assert len(used) > 40
    for key in used:
        assert key in hand, f"{key} is used by the model but not in the hand-written equations of docs/model.md"


def test_the_page_covers_its_sections(doc):
    for heading in ("## What the model is for", "## Two ways to make a therapy", "## Two helper functions",
                    "## Autologous: scale-out", "## Allogeneic: scale-up", "## Results", "## Analyses", "## Parameters"):
        assert heading in doc
    for phrase in ("ceil_(x) = ceil(x - 1e-9)", "floor_(x) = floor(x + 1e-9)", "crf = 1/n", "Monte Carlo", "Tornado", "Crossover", "Goal seek"):
        assert phrase in doc


def test_check_mode_of_the_generator():
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_model_doc.py"), "--check"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_the_readme_project_example_loads_and_its_commands_exist():
    from cgtdesk.cli.main import command_names
    from cgtdesk.io.projectfile import parse_project_text

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", readme, flags=re.S)
    project_blocks = [b for b in blocks if '"format_version": 1,\n' in b]
    assert project_blocks, "README.md lost its project file example"
    project = parse_project_text(project_blocks[0], "README.md")
    s = project.scenarios[0]
    assert s.correlations and s.uncertainty
    assert s.parameters["auto.batch_success_rate"] == 0.95
    for cmd in ("compute", "templates", "new"):
        assert f"`{cmd} " in readme
        assert cmd in command_names()
