"""Charts rendered offscreen: not blank, and the numbers drawn are the model's."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6 import QtGui  # noqa: E402

from cgtdesk.core import analyses  # noqa: E402
from cgtdesk.core.catalogue import BREAKDOWN  # noqa: E402
from cgtdesk.core.model import evaluate  # noqa: E402
from cgtdesk.io import load_any  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"


@pytest.fixture(scope="module")
def project():
    return load_any(EXAMPLE)


@pytest.fixture(scope="module")
def mc(project):
    return analyses.monte_carlo(project, 2000, 7, results=("cogs_per_dose",))


@pytest.fixture
def panel(qtbot, project, mc):
    from cgtdesk.gui.charts import ChartPanel

    p = ChartPanel()
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.set_project(project)
    p.locate_crossover_now()
    p.set_monte_carlo(mc)
    p.show()
    qtbot.waitExposed(p)
    return p


def scalar(s, **over):
    p = dict(s.parameters)
    p.update(over)
    return evaluate(s.process, p)


def not_blank(widget, min_colours=8, min_ink=0.02):
    """Rendered to an image: many distinct colours and enough non-background pixels in the plot area."""
    img = widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    w, h = img.width(), img.height()
    ptr = img.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8, count=img.sizeInBytes()).reshape(h, img.bytesPerLine() // 4, 4)[:, :w, :3]
    plot = arr[h // 10 : h * 8 // 10, w // 10 : w * 9 // 10].reshape(-1, 3)
    colours = {tuple(c) for c in plot[:: max(1, len(plot) // 20000)]}
    bg = np.array([255, 255, 255])
    ink = np.mean(np.any(np.abs(plot.astype(int) - bg) > 30, axis=1))
    assert len(colours) >= min_colours, f"only {len(colours)} colours"
    assert ink >= min_ink, f"only {ink:.3f} of the plot area is drawn"
    return len(colours), ink


@pytest.mark.parametrize("name", ["breakdown", "demand", "capacity", "waterfall", "tornado", "montecarlo"])
def test_every_chart_renders_not_blank(panel, name, qtbot):
    chart = panel.charts[name]
    panel.tabs.setCurrentWidget(chart)
    qtbot.wait(1)
    not_blank(chart)
    assert chart.title.text()


def test_breakdown_bars_are_the_model(panel, project):
    chart = panel.charts["breakdown"]
    bottoms = np.zeros(len(project.scenarios))
    for c in BREAKDOWN:
        bar = chart.bars[c]
        np.testing.assert_allclose(bar.opts["y0"], bottoms, rtol=1e-12, atol=1e-9)
        for i, s in enumerate(project.scenarios):
            r = scalar(s)
            doses = s.parameters["demand.patients_per_year"] * s.parameters["demand.doses_per_patient"]
            assert bar.opts["height"][i] == pytest.approx(r[f"breakdown.{c}"] / doses, rel=1e-12)
        bottoms = bottoms + bar.opts["height"]
    for i, s in enumerate(project.scenarios):
        assert bottoms[i] == pytest.approx(scalar(s)["cogs_per_dose"], rel=1e-12)
        assert chart.total_labels[i].toPlainText() == f"USD {scalar(s)['cogs_per_dose']:,.0f}"


def test_demand_curves_are_the_model(panel, project):
    chart = panel.charts["demand"]
    for i, s in enumerate(project.scenarios):
        lx, ly = chart.curves[i].getData()
        assert len(lx) >= 400  # dense: the steps show
        for k in (0, 100, 250, len(lx) - 1):
            dem = 10 ** lx[k]
            want = scalar(s, **{"demand.patients_per_year": float(dem)})["cogs_per_dose"]
            assert 10 ** ly[k] == pytest.approx(want, rel=1e-9)
    # the crossover line sits where B becomes cheaper for good
    x = 10 ** chart.cross_line.value()
    a, b = project.scenario(panel.pair[0]), project.scenario(panel.pair[1])
    for dem in (x * (1 + 1e-6), 10 * x):
        assert (
            scalar(b, **{"demand.patients_per_year": dem})["cogs_per_dose"]
            < scalar(a, **{"demand.patients_per_year": dem})["cogs_per_dose"]
        )
    assert chart.cross_line.isVisible()


def test_capacity_steps_are_the_model(panel, project):
    chart = panel.charts["capacity"]
    s = project.scenarios[0]
    for m in ("units", "suites", "fte"):
        lx, ly = chart.curves[m][0].getData()
        for k in (0, 300, len(lx) - 1):
            want = scalar(s, **{"demand.patients_per_year": float(10 ** lx[k])})[m]
            assert 10 ** ly[k] == pytest.approx(want, rel=1e-9)
    chart.show_all.setChecked(True)
    assert len(chart.curves["units"]) == len(project.scenarios)


def test_waterfall_bars_are_the_model(panel, project):
    s = project.scenarios[0]
    r = scalar(s)
    chart = panel.charts["waterfall"]
    h = chart.bars.opts["height"]
    y0 = chart.bars.opts["y0"]
    doses = s.parameters["demand.patients_per_year"]
    assert h[0] == s.parameters["commercial.price_per_dose"]
    for j, c in enumerate(BREAKDOWN):
        assert h[1 + j] == pytest.approx(r[f"breakdown.{c}"] / doses, rel=1e-12)
    assert h[-1] == pytest.approx(400_000 - r["cogs_per_dose"], rel=1e-12)
    assert y0[-2] == pytest.approx(400_000 - r["cogs_per_dose"], rel=1e-9)
    assert chart.target.value() == pytest.approx(0.75 * 400_000)
    assert f"USD {r['headroom_per_dose']:,.0f}" in chart.title.text()


def test_selected_scenario_drives_waterfall_and_capacity(panel, project):
    name = project.names()[2]
    panel.set_current_scenario(name)
    assert panel.charts["waterfall"].data.scenario == name
    assert panel.charts["capacity"].data.selected == name
    assert panel.charts["tornado"].data.scenario == name
    assert panel.charts["montecarlo"].data.scenario == name


def test_edit_updates_in_place(panel, project):
    chart = panel.charts["breakdown"]
    bars_before = dict(chart.bars)
    curves_before = list(panel.charts["demand"].curves)
    p2 = project.copy()
    p2.scenarios[0].parameters["auto.qc_cost_per_batch"] = 24_000
    panel.set_project(p2)
    assert chart.bars == bars_before and panel.charts["demand"].curves == curves_before
    r = scalar(p2.scenarios[0])
    assert chart.bars["qc"].opts["height"][0] == pytest.approx(r["breakdown.qc"] / 500, rel=1e-12)
    # the crossover of the edited pair is located once typing pauses
    assert panel.crossover_pending()
    panel.locate_crossover_now()
    assert not panel.crossover_pending()
    assert "cheaper" in panel.charts["demand"].title.text()
    assert panel.charts["montecarlo"].title.text().startswith("Out of date: made before your last edit")


def test_dark_theme_and_hover(panel, qtbot):
    panel.set_theme(True)
    chart = panel.charts["breakdown"]
    panel.tabs.setCurrentWidget(chart)
    qtbot.wait(1)
    img = chart.graphics.grab().toImage()
    assert QtGui.QColor(img.pixel(3, 3)).lightness() < 80
    text = chart.hover_text(chart.plot, 0.0, 1000.0)
    assert text.startswith("Autologous, automated, central - Materials: USD ")


def test_non_finite_and_huge_values_never_reach_qt(qtbot, project):
    """A fuzzed input can make a cost inf or 1e300: the charts draw what they can and never raise."""
    import dataclasses

    from cgtdesk import chartdata
    from cgtdesk.gui.charts import BreakdownChart, WaterfallChart

    b = chartdata.breakdown_per_dose(project)
    per = b.per_dose.copy()
    per[0, 0], per[1, 2] = np.inf, 1e300
    bad = dataclasses.replace(b, per_dose=per, totals=np.array([np.inf, 1e300, *b.totals[2:]]))
    chart = BreakdownChart()
    qtbot.addWidget(chart)
    chart.resize(800, 500)
    chart.update_data(bad)
    chart.grab()
    w = chartdata.waterfall(project.scenarios[0])
    wbad = dataclasses.replace(w, per_dose=np.full(7, np.inf), cogs=np.inf, margin=-np.inf, headroom=-np.inf)
    wc = WaterfallChart()
    qtbot.addWidget(wc)
    wc.resize(800, 500)
    wc.update_data(wbad)
    wc.grab()


def test_crossover_is_located_on_a_worker_once_typing_pauses(panel, project, qtbot):
    """After an edit the panel redraws at once and the crossover follows from the thread pool."""
    p2 = project.copy()
    p2.scenarios[0].parameters["auto.vector_cost_per_batch"] = 30_000  # autologous dearer: crossover moves down
    panel.set_project(p2)
    assert panel.crossover_pending() and "locating" in panel.charts["demand"].title.text()
    qtbot.waitUntil(lambda: not panel.crossover_pending(), timeout=20_000)  # no locate_crossover_now()
    a, b = (p2.scenario(n) for n in panel.pair)
    expected = analyses.crossover(a, b, "cogs_per_dose", 1.0, 1e5).b_cheaper_from
    title = panel.charts["demand"].title.text()
    assert "cheaper" in title and str(int(np.ceil(expected))) in title
    # an edit made while a search is under way is not answered by the stale search
    p3 = p2.copy()
    p3.scenarios[0].parameters["auto.vector_cost_per_batch"] = 15_000
    panel.set_project(p3)
    qtbot.waitUntil(lambda: not panel.crossover_pending(), timeout=20_000)
    a3, b3 = (p3.scenario(n) for n in panel.pair)
    expected3 = analyses.crossover(a3, b3, "cogs_per_dose", 1.0, 1e5).b_cheaper_from
    assert str(int(np.ceil(expected3))) in panel.charts["demand"].title.text()
    assert panel.shutdown()
