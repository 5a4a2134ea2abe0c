"""Chart labels a user can read at any size: category names broken only at spaces (or cut
with an ellipsis and shown whole on hover), value labels that never overlap, the waterfall's
headroom sentence shown whole."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import copy  # noqa: E402
import itertools  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6 import QtCore  # noqa: E402

from cgtdesk import chartdata  # noqa: E402
from cgtdesk.chartdata.common import ELLIPSIS, wrap_words  # noqa: E402
from cgtdesk.io import load_any  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"
LONG_NAMES = [
    "Autologous automated central facility Boston",
    "Autologous decentralised four hospital sites",
    "Allogeneic CAR-T twenty litre stirred bioreactor",
    "Allogeneic CAR-T fifty litre stirred bioreactor",
    "Autologous manual open process legacy suite",
    "Autologous contract manufacturer European CDMO",
    "Autologous automated second site in Singapore",
]


@pytest.fixture(scope="module")
def long_project():
    """Seven scenarios named with about 45 characters each (copies of the example's)."""
    project = load_any(EXAMPLE)
    base = list(project.scenarios)
    project.scenarios = [copy.deepcopy(base[i % len(base)]) for i in range(len(LONG_NAMES))]
    for s, name in zip(project.scenarios, LONG_NAMES, strict=True):
        s.name = name
    project.plan = None
    return project


def whole_words_or_cut(label: str, name: str) -> bool:
    """Every piece of a drawn label is a word of the name, or a word's start cut with an ellipsis."""
    words = name.split()
    pieces = label.split()
    for piece in pieces:
        if piece in words:
            continue
        if not (piece.endswith(ELLIPSIS) and any(w.startswith(piece[:-1]) for w in words)):
            return False
    return True


def test_wrap_words_breaks_only_at_spaces():
    assert wrap_words("Facility and capital", 10) == ["Facility", "and", "capital"]
    assert wrap_words("Vector and editing", 10) == ["Vector and", "editing"]
    # a word longer than a line is cut with an ellipsis, never split over two lines
    assert wrap_words("Materials", 6) == ["Mater" + ELLIPSIS]
    # at most max_lines lines, the last ending in an ellipsis
    assert wrap_words("one two three four five", 5, max_lines=2) == ["one", "two" + ELLIPSIS]
    assert wrap_words("", 5) == [""]


def test_wrap_words_with_a_measure():
    # a pixel-like measure: each character 7 wide, 50 available
    lines = wrap_words("Allogeneic CAR-T twenty litre stirred bioreactor", lambda t: 7 * len(t) <= 50, max_lines=4)
    assert all(7 * len(line) <= 50 for line in lines)
    assert len(lines) <= 4
    assert whole_words_or_cut(" ".join(lines), "Allogeneic CAR-T twenty litre stirred bioreactor")


def _rects(items):
    return [t.sceneBoundingRect() for t in items if t.isVisible() and t.toPlainText()]


def _no_overlap(rects):
    return all(not a.intersects(b) for a, b in itertools.combinations(rects, 2))


@pytest.mark.parametrize("size", [(1100, 600), (700, 420), (480, 360)])
def test_breakdown_names_and_totals_with_seven_long_names(qtbot, long_project, size):
    from cgtdesk.gui.charts.breakdown import BreakdownChart

    chart = BreakdownChart()
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.show()
    qtbot.waitExposed(chart)
    chart.update_data(chartdata.breakdown_per_dose(long_project))
    qtbot.wait(20)
    drawn = chart.axis.wrapped()
    assert len(drawn) == 7
    for label, name in zip(drawn, LONG_NAMES, strict=True):
        assert whole_words_or_cut(label.replace("\n", " "), name), (label, name)
    assert _no_overlap(_rects(chart.total_labels))
    # a name cut short shows whole under the pointer
    vb = chart.axis.linkedView()
    for i, name in enumerate(LONG_NAMES):
        below = vb.mapViewToScene(QtCore.QPointF(i, 0))
        below.setY(chart.axis.sceneBoundingRect().center().y())
        assert chart.axis.label_at(below) == name


@pytest.mark.parametrize("size", [(1100, 600), (700, 420), (480, 360)])
def test_waterfall_labels_never_collide(qtbot, long_project, size):
    from cgtdesk.gui.charts.waterfall import WaterfallChart

    chart = WaterfallChart()
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.show()
    qtbot.waitExposed(chart)
    data = chartdata.waterfall(long_project.scenarios[0], long_project.currency)
    chart.update_data(data)
    qtbot.wait(20)
    assert _no_overlap(_rects(chart.value_labels))
    names = ["Price", *data.labels, "Margin"]
    for label, name in zip(chart.axis.wrapped(), names, strict=True):
        assert whole_words_or_cut(label.replace("\n", " "), name), (label, name)
    # the headroom sentence is shown whole (it lost its first letter when centred over the bars)
    assert chart.headroom.text() == chartdata.headroom_sentence(data)
    assert chart.headroom.text().startswith("Gross margin")
