"""The building blocks of the deck's native charts: chart data whose embedded workbook keeps text as
text, the app's palette as PowerPoint colours, fonts, axes and the few settings python-pptx has no
property for (a logarithmic axis, a label on every n-th category, a fixed plot area).

Text the user typed (scenario names) goes into the embedded workbook as text, never as a
formula: python-pptx writes that workbook with XlsxWriter, whose ``write()`` turns a string
starting with ``=`` into a formula; :class:`CategoryData` and :class:`XyData` write it with
``strings_to_formulas`` (and URLs, numbers) off.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

from lxml import etree
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.chart.xlsx import CategoryWorkbookWriter, XyWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_LEGEND_POSITION
from pptx.oxml.ns import qn
from pptx.util import Pt
from xlsxwriter import Workbook

#: XlsxWriter options of the embedded workbooks: text stays text
SAFE_WORKBOOK = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
#: nothing drawn beyond this (a fuzzed input can make a cost 1e300)
LIMIT = 1e15
FONT_PT = 12
LINE_PT = 2.25
MONEY = "#,##0;-#,##0"
GREY = "#595959"


# ---------------------------------------------------------------- chart data written safely


class _TextStaysText:
    @contextmanager
    def _open_worksheet(self, xlsx_file):
        workbook = Workbook(xlsx_file, SAFE_WORKBOOK)
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()


class _SafeCategoryWriter(_TextStaysText, CategoryWorkbookWriter):
    pass


class _SafeXyWriter(_TextStaysText, XyWorkbookWriter):
    pass


class CategoryData(CategoryChartData):
    """Category chart data whose embedded workbook keeps every name as text."""

    @property
    def _workbook_writer(self):
        return _SafeCategoryWriter(self)


class XyData(XyChartData):
    """XY chart data whose embedded workbook keeps every name as text."""

    @property
    def _workbook_writer(self):
        return _SafeXyWriter(self)


# ---------------------------------------------------------------- helpers


def rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def cell(x) -> float | None:
    """A value for the embedded workbook: None (an empty cell, no point) where not a finite number."""
    return float(x) if x is not None and math.isfinite(x) and abs(x) <= LIMIT else None


def fill(fmt, colour: str) -> None:
    fmt.fill.solid()
    fmt.fill.fore_color.rgb = rgb(colour)


def no_fill(fmt) -> None:
    fmt.fill.background()
    fmt.line.fill.background()


def log_scale(axis) -> None:
    """A logarithmic (base 10) axis (python-pptx has no property for it)."""
    scaling = axis._element.find(qn("c:scaling"))
    for old in scaling.findall(qn("c:logBase")):
        scaling.remove(old)
    log = etree.SubElement(scaling, qn("c:logBase"))
    log.set("val", "10")
    scaling.remove(log)
    scaling.insert(0, log)  # the schema puts logBase first


def axis_title(axis, text: str) -> None:
    axis.has_title = True
    tf = axis.axis_title.text_frame
    tf.text = text
    for p in tf.paragraphs:
        for r in p.runs:
            r.font.size = Pt(FONT_PT)
            r.font.bold = False


def style(chart, legend: bool = True, position=XL_LEGEND_POSITION.BOTTOM) -> None:
    chart.font.size = Pt(FONT_PT)
    chart.has_title = False
    chart.has_legend = legend
    if legend:
        chart.legend.position = position
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(FONT_PT)


def numbers(axis, number_format: str) -> None:
    axis.tick_labels.number_format = number_format
    axis.tick_labels.number_format_is_linked = False


def label_every(axis, n: int) -> None:
    """Label every ``n``-th category only (python-pptx has no property for it)."""
    ax = axis._element
    for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
        for old in ax.findall(qn(tag)):
            ax.remove(old)
    skip = etree.SubElement(ax, qn("c:tickLblSkip"))
    skip.set("val", str(n))
    ax.remove(skip)
    after = [qn(t) for t in ("c:noMultiLvlLbl", "c:extLst")]
    anchor = next((child for child in ax if child.tag in after), None)
    if anchor is None:
        ax.append(skip)
    else:
        anchor.addprevious(skip)


def add_chart(shapes, kind, box, data):
    x, y, cx, cy = box
    return shapes.add_chart(kind, x, y, cx, cy, data).chart


def plot_area(chart, x: float, y: float, w: float, h: float) -> None:
    """Fix the inner plot area at (x, y, w, h), fractions of the chart (python-pptx has no property
    for it): charts stacked or side by side then line up their axes."""
    area = chart._chartSpace.find(qn("c:chart")).find(qn("c:plotArea"))
    for old in area.findall(qn("c:layout")):
        area.remove(old)
    layout = etree.SubElement(area, qn("c:layout"))
    area.remove(layout)
    area.insert(0, layout)  # the schema puts the layout first
    manual = etree.SubElement(layout, qn("c:manualLayout"))
    etree.SubElement(manual, qn("c:layoutTarget")).set("val", "inner")
    for tag in ("c:xMode", "c:yMode"):
        etree.SubElement(manual, qn(tag)).set("val", "edge")
    for tag, v in (("c:x", x), ("c:y", y), ("c:w", w), ("c:h", h)):
        etree.SubElement(manual, qn(tag)).set("val", f"{v:.4f}")
