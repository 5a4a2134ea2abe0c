"""The workbook's charts use the app's colours (cgtdesk.palette): each breakdown category its
fixed colour, each scenario the colour it has in the app, the tornado's low/high inputs theirs."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cgtdesk import palette
from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.io.projectfile import load_project
from cgtdesk.io.workbook import workbook_bytes

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"
NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}


@pytest.fixture(scope="module")
def exported():
    data = workbook_bytes(load_project(EXAMPLE))
    return data, openpyxl.load_workbook(io.BytesIO(data), data_only=True)


def _charts(data: bytes) -> list[ET.Element]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return [ET.fromstring(z.read(n)) for n in sorted(z.namelist()) if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]


def _series(chart: ET.Element) -> list[tuple[str, str | None, str | None]]:
    """(name reference or literal, fill colour, line colour) of every series, colours as '#RRGGBB'."""
    out = []
    for ser in chart.iter(f"{{{NS['c']}}}ser"):
        ref = ser.find("c:tx/c:strRef/c:f", NS)
        lit = ser.find("c:tx/c:v", NS)
        name = ref.text if ref is not None else (lit.text if lit is not None else "")
        fill = ser.find("c:spPr/a:solidFill/a:srgbClr", NS)
        line = ser.find("c:spPr/a:ln/a:solidFill/a:srgbClr", NS)
        out.append(
            (name, "#" + fill.get("val") if fill is not None else None, "#" + line.get("val") if line is not None else None)
        )
    return out


def _cell(wb, ref: str):
    sheet, addr = ref.split("!")
    return wb[sheet.strip("'")][addr.replace("$", "")].value


def _colour(hex_: str | None) -> str | None:
    return hex_.upper() if hex_ else hex_


def test_breakdown_series_have_the_category_colours(exported):
    data, wb = exported
    charts = [c for c in _charts(data) if any(name.startswith("Results!") for name, _, _ in _series(c))]
    assert len(charts) == 1
    seen = {}
    for name, fill, _ in _series(charts[0]):
        # the series name cell's row holds the key breakdown.<category>_per_dose in column B
        row = re.search(r"\$?A\$?(\d+)$", name).group(1)
        key = wb["Results"][f"B{row}"].value
        category = re.fullmatch(r"breakdown\.(\w+)_per_dose", key).group(1)
        seen[category] = fill
    assert set(seen) == set(BREAKDOWN)
    for category, fill in seen.items():
        assert _colour(fill) == _colour(palette.CATEGORY_COLOURS[category]), category


def test_scenario_series_have_the_scenario_colours(exported):
    data, wb = exported
    names = [s.name for s in load_project(EXAMPLE).scenarios]
    checked = 0
    for chart in _charts(data):
        for name, _, line in _series(chart):
            if name.startswith("Sweep!"):
                header = _cell(wb, name)  # "<scenario> (USD/dose)"
                j = next(i for i, n in enumerate(names) if header.startswith(n + " ("))
            elif name.startswith("MonteCarlo!"):  # the Monte Carlo distribution: series named by the scenario's cell
                j = names.index(_cell(wb, name))
            else:
                continue
            assert _colour(line) == _colour(palette.scenario_colour(j)), name
            checked += 1
    assert checked == 2 * len(names)  # one line per scenario on Sweep and on MonteCarlo


def test_tornado_bars_have_the_low_and_high_colours(exported):
    data, _ = exported
    bars = [s for c in _charts(data) for s in _series(c) if s[0] in ("Input at low", "Input at high")]
    assert bars
    for name, fill, _ in bars:
        want = palette.LOW_COLOUR if name == "Input at low" else palette.HIGH_COLOUR
        assert _colour(fill) == _colour(want)
