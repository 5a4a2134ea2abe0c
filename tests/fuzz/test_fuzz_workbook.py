"""Fuzzing workbooks through the real reader and the real command line (in-process).

An exported workbook (the example project) is mutated and fed to `compute WORKBOOK --json`:
random cells of Inputs, Uncertainty and Cover rewritten with random values and types (numbers
huge and tiny, NaN and infinity, booleans, text, error values, formulas with and without a
cached value, empty cells, references to shared strings that do not exist), random bytes of the
file changed, the file truncated, zip members removed, added or replaced with garbage. Each
either loads and computes (exit 0) or is refused with exit status 2 and one message line,
never a traceback or another exit status, and within generous time and memory bounds.

Cells are rewritten in the sheet XML (as a spreadsheet program writes them) rather than through
openpyxl, so that hundreds of examples run in seconds; one test edits a copy with openpyxl too.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import resource
import shutil
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

pytest.importorskip("cgtdesk.io.workbook")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cgtdesk.cli.main import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "example.cgtproj"
_TMP = Path(tempfile.mkdtemp(prefix="cgtdesk-fuzzwb-"))
SECONDS_PER_FILE = 30.0  # a hang detector, not a benchmark
MAX_RSS_MB = 2048

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    database=None,
)


def _export() -> bytes:
    from cgtdesk.io.projectfile import load_project
    from cgtdesk.io.workbook import export_workbook

    path = _TMP / "example.xlsx"
    export_workbook(load_project(EXAMPLE), path)
    return path.read_bytes()


BASE = _export()
with zipfile.ZipFile(io.BytesIO(BASE)) as _z:
    MEMBERS = {i.filename: _z.read(i.filename) for i in _z.infolist()}
    ORDER = [i.filename for i in _z.infolist()]


def _sheet_parts() -> dict[str, str]:
    """Sheet name -> its XML part, through workbook.xml and its relationships."""
    wb = MEMBERS["xl/workbook.xml"].decode()
    rels = MEMBERS["xl/_rels/workbook.xml.rels"].decode()
    targets = dict(re.findall(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({a: b for b, a in re.findall(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    out = {}
    for name, rid in re.findall(r'<sheet name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
        t = targets[rid].lstrip("/")
        out[name] = t if t.startswith("xl/") else f"xl/{t}"
    return out


SHEETS = _sheet_parts()
N_SHARED = len(re.findall(rb"<si>", MEMBERS.get("xl/sharedStrings.xml", b"")))


def pack(members: dict[str, bytes], order=None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in order or members:
            if name in members:
                z.writestr(name, members[name])
        for name in members:
            if order is not None and name not in order:
                z.writestr(name, members[name])
    return buf.getvalue()


_counter = iter(range(10**9))


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def check_file(raw: bytes, suffix: str = ".xlsx") -> int:
    path = _TMP / f"w{next(_counter)}{suffix}"
    path.write_bytes(raw)
    t0 = time.monotonic()
    code, out, err = run_cli(["compute", str(path), "--json"])
    elapsed = time.monotonic() - t0
    assert elapsed < SECONDS_PER_FILE, f"{elapsed:.1f} s for one workbook"
    assert "Traceback" not in err
    if code == 0:
        data = json.loads(out)
        assert data["scenarios"] and all("cogs_per_dose" in s["results"] for s in data["scenarios"])
    else:
        assert code == 2, f"exit {code} (expected 0 or 2): {err!r}"
        lines = err.splitlines()
        assert len(lines) == 1, f"expected one message line, found {len(lines)}: {err!r}"
        assert lines[0].startswith("cgtdesk: ") and path.name in lines[0], err  # names the file
    path.unlink()
    return code


def test_unmutated_workbook_computes():
    assert check_file(BASE) == 0
    assert check_file(pack(dict(MEMBERS), ORDER)) == 0  # our re-packing alone changes nothing


# ---------------------------------------------------------------- cells

_texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "500",
            "1e3",
            "1,000",
            "NaN",
            "inf",
            "-0",
            "TRUE",
            "autologous",
            "allogeneic",
            "uniform",
            "triangular",
            "demand.patients_per_year",
            "auto.process_days",
            "allo.bioreactor_volume_l",
            "Key",
            "Group",
            "process",
            "=1+1",
            "#N/A",
        ]
    ),
)


def _xml_safe(s: str) -> str:
    """Only the characters XML 1.0 allows (a spreadsheet program never writes the others)."""
    return "".join(c for c in s if c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c > "\uffff")


def _xml_text(s: str) -> str:
    return escape(s, {'"': "&quot;"})


@st.composite
def cell_xml(draw, ref: str) -> str:
    # mostly cells a spreadsheet program could write; now and then one no reader can parse
    kind = draw(
        st.sampled_from(
            ["number"] * 4
            + ["text"] * 3
            + ["bool", "error", "formula", "formula_nocache", "formula_str", "empty", "shared", "special", "raw"]
        )
    )
    if kind == "number":
        v = draw(
            st.one_of(
                st.floats(allow_nan=False, allow_infinity=False),
                st.integers(-(10**20), 10**20),
                st.sampled_from([0, 1, -1, 0.5, 0.95, 2, 7, 20, 500, 1e6, 1e8, 1e-300, 1e308, 2**53 + 1]),
            )
        )
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    if kind == "special":
        return f'<c r="{ref}"><v>{draw(st.sampled_from(["NaN", "nan", "inf", "-inf", "1e400", "-1e400", "", " ", "1,5", "0x10", "abc"]))}</v></c>'
    if kind == "bool":
        return f'<c r="{ref}" t="b"><v>{draw(st.sampled_from(["0", "1", "0", "1", "2", "x"]))}</v></c>'
    if kind == "text":
        return f'<c r="{ref}" t="inlineStr"><is><t>{_xml_text(_xml_safe(draw(_texts)))}</t></is></c>'
    if kind == "error":
        return f'<c r="{ref}" t="e"><v>{draw(st.sampled_from(["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]))}</v></c>'
    if kind == "formula":
        return f'<c r="{ref}"><f>{_xml_text(draw(st.sampled_from(["1+1", "A1", "Inputs!E6*2", "SUM(E5:E9)", "1/0"])))}</f><v>{draw(st.sampled_from(["2", "600", "0.9", "-5", "1e9"]))}</v></c>'
    if kind == "formula_nocache":
        return f'<c r="{ref}"><f>{_xml_text(draw(st.sampled_from(["1+1", "E6*2", "NOW()", "1/0"])))}</f></c>'
    if kind == "formula_str":
        return f'<c r="{ref}" t="str"><f>"a"&amp;"b"</f><v>{_xml_text(_xml_safe(draw(_texts)))}</v></c>'
    if kind == "shared":
        return f'<c r="{ref}" t="s"><v>{draw(st.one_of(st.integers(0, N_SHARED - 1), st.integers(-2, N_SHARED + 3)))}</v></c>'
    if kind == "raw":  # not even well-formed, or a control character XML forbids
        return draw(
            st.sampled_from(
                [
                    f'<c r="{ref}"><v>1</c>',
                    f'<c r="{ref}" t="inlineStr"><is><t>\x01</t></is></c>',
                    f'<c r="{ref}"',
                    "<c/>",
                    f'<c r="{ref}" t="zz"><v>1</v></c>',
                ]
            )
        )
    return f'<c r="{ref}"/>'


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def set_cell(xml: str, ref: str, new: str) -> str:
    """Replace cell ``ref`` in a sheet's XML (or add it to its row, or add the row)."""
    pat = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
    if pat.search(xml):
        return pat.sub(lambda m: new, xml, count=1)
    row = int(re.sub(r"[A-Z]+", "", ref))
    rpat = re.compile(rf'(<row r="{row}"[^>]*>)(.*?)(</row>)', re.S)
    if rpat.search(xml):
        return rpat.sub(lambda m: m.group(1) + m.group(2) + new + m.group(3), xml, count=1)
    if f'<row r="{row}"' in xml:  # an empty self-closed row
        return xml
    return xml.replace("</sheetData>", f'<row r="{row}">{new}</row></sheetData>', 1)


@st.composite
def mutated_cells(draw):
    parts = dict(MEMBERS)
    for _ in range(draw(st.integers(1, 6))):
        sheet = draw(st.sampled_from(["Inputs", "Inputs", "Inputs", "Uncertainty", "Cover"]))
        part = SHEETS[sheet]
        xml = parts[part].decode("utf-8")
        if sheet == "Inputs":
            row = draw(st.one_of(st.integers(4, 70), st.sampled_from([4, 5, 6, 7])))
            col = draw(st.one_of(st.integers(1, 12), st.sampled_from([3, 5, 6, 7, 8, 9])))
        else:
            row, col = draw(st.integers(1, 40)), draw(st.integers(1, 12))
        ref = f"{_col(col)}{row}"
        xml = set_cell(xml, ref, draw(cell_xml(ref)))
        parts[part] = xml.encode("utf-8")
    return pack(parts, ORDER)


@settings(FUZZ, max_examples=100)
@given(mutated_cells())
def test_random_cells(raw):
    check_file(raw)


# ---------------------------------------------------------------- bytes and members


@FUZZ
@given(st.data())
def test_random_bytes_truncation_and_members(data):
    kind = data.draw(st.sampled_from(["flip", "truncate", "remove", "add", "garbage", "duplicate", "empty"]))
    if kind == "flip":
        b = bytearray(BASE)
        for _ in range(data.draw(st.integers(1, 12))):
            b[data.draw(st.integers(0, len(b) - 1))] = data.draw(st.integers(0, 255))
        raw = bytes(b)
    elif kind == "truncate":
        raw = BASE[: data.draw(st.integers(0, len(BASE) - 1))]
    elif kind == "remove":
        gone = data.draw(st.lists(st.sampled_from(ORDER), min_size=1, max_size=4, unique=True))
        raw = pack({k: v for k, v in MEMBERS.items() if k not in gone}, ORDER)
    elif kind == "add":
        name = data.draw(
            st.one_of(
                st.sampled_from(
                    [
                        "xl/worksheets/sheet99.xml",
                        "xl/vbaProject.bin",
                        "customXml/item1.xml",
                        "../evil.txt",
                        "/abs.xml",
                        "xl/media/image1.png",
                        "docProps/custom.xml",
                    ]
                ),
                # a NUL ends a zip name, so zipfile cannot write one (a test-side limit)
                st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), min_size=1, max_size=20),
            )
        )
        parts = dict(MEMBERS)
        parts[name] = data.draw(st.binary(max_size=200))
        raw = pack(parts, ORDER)
    elif kind == "garbage":
        victim = data.draw(st.sampled_from(ORDER))
        parts = dict(MEMBERS)
        content = parts[victim]
        how = data.draw(st.sampled_from(["random", "cut", "splice"]))
        if how == "random":
            parts[victim] = data.draw(st.binary(max_size=300))
        elif how == "cut":
            parts[victim] = content[: data.draw(st.integers(0, max(len(content) - 1, 0)))]
        else:
            i = data.draw(st.integers(0, len(content)))
            parts[victim] = content[:i] + data.draw(st.binary(min_size=1, max_size=20)) + content[i:]
        raw = pack(parts, ORDER)
    elif kind == "duplicate":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name in ORDER:
                z.writestr(name, MEMBERS[name])
            dup = data.draw(st.sampled_from(ORDER))
            with pytest.warns(UserWarning):
                z.writestr(dup, data.draw(st.binary(max_size=100)))
        raw = buf.getvalue()
    else:
        raw = b"" if data.draw(st.booleans()) else pack({})
    check_file(raw)


@pytest.mark.parametrize("suffix", [".xlsm", ".xls", ".xltx", ".XLSX"])
def test_other_suffixes(suffix):
    check_file(BASE, suffix=suffix)


def test_cells_edited_with_openpyxl_on_a_copy():
    """A few edits as a client's script would make them (openpyxl, full save), each checked."""
    import openpyxl

    src = _TMP / "copy_src.xlsx"
    src.write_bytes(BASE)
    edits = [
        ("E6", "five hundred"),
        ("E6", True),
        ("E6", 1e300),
        ("E6", "=E7*2"),
        ("C6", "no.such.key"),
        ("E5", "allogeneic"),
        ("E4", None),
        ("F4", "Autologous, automated, central"),
    ]
    codes = []
    for ref, value in edits:
        dst = _TMP / "copy.xlsx"
        shutil.copy(src, dst)
        wb = openpyxl.load_workbook(dst)
        wb["Inputs"][ref] = value
        wb.save(dst)
        codes.append(check_file(dst.read_bytes()))
    assert 2 in codes  # most of these are refused, with a message


def test_memory_bound_after_fuzzing():
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < MAX_RSS_MB, f"the test process peaked at {peak_mb:.0f} MB"
