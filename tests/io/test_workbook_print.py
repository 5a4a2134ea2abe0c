"""Every visible sheet of the workbook prints legibly: landscape, fitted to the page width (never
below the scale that keeps 9 pt text at 7 pt), header rows repeated (docs/workbook.md, "Printing")."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from test_workbook_roundtrip import no_plan

from cgtdesk.core.project import project_from_dict
from cgtdesk.io.projectfile import load_project
from cgtdesk.io.workbook import workbook_bytes
from cgtdesk.io.workbook.print_setup import MIN_SCALE, PRINTABLE_PX, pages_across

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"
REPEATED = {
    "Inputs": 4,
    "Uncertainty": 4,
    "Calculations": 4,
    "Results": 4,
    "Sweep": 4,
    "MonteCarlo": 4,
    "Checks": 5,
    "Changes": 6,
}


def test_every_visible_sheet_has_a_print_setup():
    data = workbook_bytes(project_from_dict(no_plan(load_project(EXAMPLE))))
    z = zipfile.ZipFile(io.BytesIO(data))
    wbx = z.read("xl/workbook.xml").decode()
    sheets = re.findall(r'<sheet name="([^"]+)" sheetId="\d+"( state="hidden")?', wbx)
    defined = dict(re.findall(r'<definedName name="_xlnm.Print_Titles" localSheetId="(\d+)">([^<]+)<', wbx))
    visible = [(i, name) for i, (name, hidden) in enumerate(sheets) if not hidden]
    assert len(visible) >= 9
    for i, name in visible:
        xml = z.read(f"xl/worksheets/sheet{i + 1}.xml").decode()
        setup = re.search(r"<pageSetup [^>]*/>", xml).group(0)
        assert 'orientation="landscape"' in setup, name
        assert '<pageSetUpPr fitToPage="1"/>' in xml, name
        assert 'fitToHeight="0"' in setup or name == "Cover", name
        if name in REPEATED:
            assert f"${REPEATED[name]}:${REPEATED[name]}" in defined.get(str(i), ""), (name, defined.get(str(i)))


def test_pages_across_keep_the_scale_legible():
    # by hand: a sheet exactly one page wide prints at 100%; at 1/MIN_SCALE pages it still fits one
    assert pages_across(PRINTABLE_PX) == 1
    assert pages_across(int(PRINTABLE_PX / MIN_SCALE)) == 1
    assert pages_across(int(PRINTABLE_PX / MIN_SCALE) + 10) == 2
    for width in (500, 1500, 3000, 9000):
        pages = pages_across(width)
        assert pages * PRINTABLE_PX / width >= MIN_SCALE or pages * PRINTABLE_PX >= width
