"""Presentation mode driven by the keyboard, every slide rendered, and the exports' sizes and pages."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6 import QtCore, QtGui  # noqa: E402
from test_gui_charts import not_blank  # noqa: E402

from cgtdesk.core import analyses  # noqa: E402
from cgtdesk.io import load_any  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"
Key = QtCore.Qt.Key


@pytest.fixture(scope="module")
def project():
    return load_any(EXAMPLE)


@pytest.fixture(scope="module")
def mc(project):
    return analyses.monte_carlo(project, 2000, 3, results=("cogs_per_dose",))


@pytest.fixture
def window(qtbot, project, mc):
    from cgtdesk.gui.present import PresentationWindow

    w = PresentationWindow(project, monte_carlo=mc, screen=0)
    qtbot.addWidget(w)
    w.start()
    qtbot.waitExposed(w)
    return w


def test_keyboard_moves_through_every_slide_and_esc_leaves(window, qtbot):
    from cgtdesk.chartdata.registry import SLIDES

    assert window.isFullScreen()
    assert window.count() == len(SLIDES) == 12  # seven annual charts and five of the launch plan
    seen = [window.current_name()]
    keys = [Key.Key_Right, Key.Key_PageDown, Key.Key_Space, Key.Key_Right, Key.Key_PageDown] * 2 + [Key.Key_Right]
    for k in keys:
        qtbot.keyClick(window, k)
        seen.append(window.current_name())
    assert seen == list(SLIDES)
    qtbot.keyClick(window, Key.Key_Right)  # stays on the last
    assert window.index == 11
    qtbot.keyClick(window, Key.Key_PageUp)
    assert window.index == 10
    qtbot.keyClick(window, Key.Key_Left)
    assert window.index == 9
    qtbot.keyClick(window, Key.Key_Home)
    assert window.index == 0
    qtbot.keyClick(window, Key.Key_End)
    assert window.index == 11
    with qtbot.waitSignal(window.closed, timeout=2000):
        qtbot.keyClick(window, Key.Key_Escape)
    assert not window.isVisible()


def test_keys_reach_the_window_even_after_a_click_on_a_chart(window, qtbot):
    chart = window.slides[1].chart.graphics
    qtbot.mouseClick(chart.viewport(), QtCore.Qt.MouseButton.LeftButton)  # a click also advances
    idx = window.index
    qtbot.keyClick(window.focusWidget() or window, Key.Key_Right)
    assert window.index == idx + 1


def test_every_slide_renders_not_blank_with_a_finding(window, qtbot):
    for i, slide in enumerate(window.slides):
        window.go(i)
        qtbot.wait(1)
        not_blank(slide)
        assert len(slide.chart.title.text()) > 20
        assert "USD" in slide.footer.text()


def test_slides_state_the_findings(window, project):
    titles = [s.chart.title.text() for s in window.slides]
    assert "is cheaper than" in titles[1] and "patients a year" in titles[1]
    assert "margin target" in titles[3] and "headroom" in titles[3]
    assert "runs" in titles[5]


def test_slides_follow_edits_made_before_entering(qtbot, project, mc):
    from cgtdesk.gui.present import PresentationWindow

    edited = project.copy()
    edited.scenarios[0].parameters["commercial.price_per_dose"] = 120_000
    w = PresentationWindow(edited, monte_carlo=mc)
    qtbot.addWidget(w)
    wf = w.slides[3].chart
    assert wf.bars.opts["height"][0] == 120_000
    assert "misses the 75% margin target" in wf.title.text()


def test_presentation_type_is_large(window):
    from cgtdesk.gui.present import SLIDE_SIZE

    slide = window.slides[0]
    scale = window.screen().geometry().height() / SLIDE_SIZE.height()
    assert slide.chart.title.font().pixelSize() >= 40 * scale
    assert slide.chart.style_.line_width >= 4 * scale


# ---------------------------------------------------------------- export


@pytest.fixture
def panel(qtbot, project, mc):
    from cgtdesk.gui.charts import ChartPanel

    p = ChartPanel()
    qtbot.addWidget(p)
    p.resize(900, 600)
    p.set_project(project)
    p.locate_crossover_now()
    p.set_monte_carlo(mc)
    return p


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_png_export_has_the_exact_size_and_is_not_blank(panel, tmp_path, size):
    from cgtdesk.gui.export import export_chart_png

    out = export_chart_png(panel.charts["breakdown"], tmp_path / "b.png", size)
    img = QtGui.QImage(str(out))
    assert (img.width(), img.height()) == size


def test_4k_png_is_the_1080p_one_at_twice_the_density(panel, tmp_path):
    """Same drawing, not a small chart on a big canvas: the 4K image scaled down matches the 1080p one."""
    from cgtdesk.gui.export import chart_image

    small = chart_image(panel.charts["waterfall"], (1920, 1080)).convertToFormat(QtGui.QImage.Format.Format_Grayscale8)
    big = chart_image(panel.charts["waterfall"], (3840, 2160)).scaled(
        1920, 1080, QtCore.Qt.AspectRatioMode.IgnoreAspectRatio, QtCore.Qt.TransformationMode.SmoothTransformation
    )
    big = big.convertToFormat(QtGui.QImage.Format.Format_Grayscale8)

    def ink(img):  # fraction of dark pixels, row band by row band
        bands = []
        for y0 in range(0, 1080, 108):
            dark = sum(1 for y in range(y0, y0 + 108, 4) for x in range(0, 1920, 4) if QtGui.qGray(img.pixel(x, y)) < 128)
            bands.append(dark / (27 * 480))
        return bands

    a, b = ink(small), ink(big)
    for x, y in zip(a, b, strict=True):
        assert abs(x - y) < 0.02 + 0.25 * max(x, y)


def test_svg_export_is_vector(panel, tmp_path):
    from cgtdesk.gui.export import export_chart_svg

    out = export_chart_svg(panel.charts["demand"], tmp_path / "d.svg")
    text = out.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert 'viewBox="0 0 1920 1080"' in text
    assert text.count("<path") + text.count("<polyline") > 10


def test_copy_to_clipboard(panel, qtbot):
    from cgtdesk.gui.export import copy_chart_to_clipboard

    copy_chart_to_clipboard(panel.charts["capacity"])
    img = QtGui.QGuiApplication.clipboard().image()
    assert (img.width(), img.height()) == (1920, 1080)


def pdf_pages(data: bytes) -> list[tuple[float, float]]:
    """MediaBox of every page object of a PDF, read from its bytes."""
    boxes = []
    for m in re.finditer(rb"/Type\s*/Page\b(?!s).*?/MediaBox\s*\[\s*([\d.\s-]+)\]", data, re.S):
        x0, y0, x1, y1 = (float(v) for v in m.group(1).split())
        boxes.append((x1 - x0, y1 - y0))
    return boxes


def test_deck_pdf_has_one_16_9_page_per_slide(project, mc, tmp_path, qtbot):
    from cgtdesk.gui.export import export_deck

    out = tmp_path / "deck.pdf"
    n = export_deck(project, out, monte_carlo=mc)
    assert n == 12
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = pdf_pages(data)
    assert len(boxes) == 12
    for w, h in boxes:
        assert w > h and w / h == pytest.approx(16 / 9, rel=1e-3)
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Pages:\s+12\b", info)
    # vector: no bitmap bigger than a scatter marker (the charts are paths and text)
    widths = [int(w) for w in re.findall(rb"/Subtype\s*/Image.*?/Width\s+(\d+)", data, re.S)]
    assert all(w <= 64 for w in widths), widths
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(out), "-"], capture_output=True, text=True).stdout
        assert "largest cost" in text
