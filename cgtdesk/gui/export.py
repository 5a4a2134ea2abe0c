"""Export of charts (PNG at 1920x1080 or 3840x2160, SVG, clipboard) and of the deck (PDF, 16:9).

Every export draws a presentation-styled copy of the chart laid out at 1920x1080 logical pixels
and scales the whole drawing to the target: the 4K image is the 1080p one at twice the pixel
density (same layout, fonts, line widths and legends), never a tiny chart on a big canvas.
The PDF is drawn with the painter straight into the page, so text and lines stay vectors.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from cgtdesk.core.errors import InputError
from cgtdesk.gui.present import SLIDE_SIZE, Slide, build_slides
from cgtdesk.gui.style import presentation_style
from cgtdesk.io.atomic import atomic_write_bytes

PNG_SIZES = ((1920, 1080), (3840, 2160))
#: 16:9 page of 10 x 5.625 inches; at 192 dpi a 1920x1080 slide fills it one to one
PAGE_MM = (254.0, 142.875)
PDF_DPI = 192


def _lay_out(widget: QtWidgets.QWidget, size: QtCore.QSize):
    """Lay a widget out at ``size`` without showing it on any screen."""
    widget.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    for view in widget.findChildren(QtWidgets.QGraphicsView):
        # a cached background would reach a PDF or SVG as a bitmap: draw it as a vector fill
        view.setCacheMode(QtWidgets.QGraphicsView.CacheModeFlag.CacheNone)
    widget.resize(size)
    widget.show()
    for _ in range(3):
        QtCore.QCoreApplication.sendPostedEvents(None, 0)
        lay = widget.layout()
        if lay is not None:
            lay.activate()


def _dispose(widget: QtWidgets.QWidget):
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()


def chart_slide(chart, footer: str = "", pixel_ratio: float = 1.0) -> Slide:
    """A presentation-styled copy of a chart widget (same data, same theme) as a slide."""
    style = presentation_style(dark=chart.style_.theme.dark).for_pixel_ratio(pixel_ratio)
    slide = Slide(chart.name, style, footer)
    if chart.name == "capacity":
        slide.chart.show_all.setChecked(chart.show_all.isChecked())
    if chart.data is not None:
        slide.update_data(chart.data, colour_index=getattr(chart, "colour_index", 0))
    return slide


def _logical_size(size: QtCore.QSize) -> tuple[QtCore.QSize, float]:
    dpr = size.height() / SLIDE_SIZE.height()
    return QtCore.QSize(round(size.width() / dpr), SLIDE_SIZE.height()), dpr


def render_image(widget: QtWidgets.QWidget, size=(1920, 1080)) -> QtGui.QImage:
    """The widget laid out at 1080 logical pixels high and drawn at ``size`` pixels."""
    size = QtCore.QSize(*size) if not isinstance(size, QtCore.QSize) else size
    logical, dpr = _logical_size(size)
    _lay_out(widget, logical)
    img = QtGui.QImage(size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(dpr)
    img.fill(widget.palette().color(QtGui.QPalette.ColorRole.Window))
    painter = QtGui.QPainter(img)
    painter.setRenderHints(QtGui.QPainter.RenderHint.Antialiasing | QtGui.QPainter.RenderHint.TextAntialiasing)
    widget.render(painter, QtCore.QPoint(0, 0), QtGui.QRegion(), QtWidgets.QWidget.RenderFlag.DrawChildren)
    painter.end()
    img.setDevicePixelRatio(1.0)
    return img


def chart_image(chart, size=(1920, 1080)) -> QtGui.QImage:
    size = QtCore.QSize(*size) if not isinstance(size, QtCore.QSize) else size
    slide = chart_slide(chart, pixel_ratio=_logical_size(size)[1])
    try:
        return render_image(slide, size)
    finally:
        _dispose(slide)


def _png_bytes(img: QtGui.QImage) -> bytes:
    buf = QtCore.QBuffer()
    buf.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not img.save(buf, "PNG"):
        raise InputError("could not encode the chart as PNG")
    return bytes(buf.data())


def export_chart_png(chart, path, size=(1920, 1080)) -> Path:
    """Write ``chart`` as a PNG of exactly ``size`` pixels (1920x1080 or 3840x2160, or any 16:9)."""
    path = Path(path)
    img = chart_image(chart, size)
    try:
        atomic_write_bytes(path, _png_bytes(img))
    except OSError as e:
        raise InputError(f"{path}: could not write the PNG ({e.strerror or e})") from None
    return path


def export_chart_svg(chart, path) -> Path:
    """Write ``chart`` as an SVG (vector) of a 1920x1080 slide."""
    from PySide6 import QtSvg

    path = Path(path)
    slide = chart_slide(chart)
    try:
        _lay_out(slide, SLIDE_SIZE)
        buf = QtCore.QBuffer()
        buf.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
        gen = QtSvg.QSvgGenerator()
        gen.setOutputDevice(buf)
        gen.setSize(SLIDE_SIZE)
        gen.setViewBox(QtCore.QRect(QtCore.QPoint(0, 0), SLIDE_SIZE))
        gen.setResolution(96)
        gen.setTitle(slide.chart.title.text())
        gen.setDescription("CGT Desk chart")
        painter = QtGui.QPainter(gen)
        painter.fillRect(QtCore.QRect(QtCore.QPoint(0, 0), SLIDE_SIZE), slide.palette().color(QtGui.QPalette.ColorRole.Window))
        slide.render(painter, QtCore.QPoint(0, 0), QtGui.QRegion(), QtWidgets.QWidget.RenderFlag.DrawChildren)
        painter.end()
    finally:
        _dispose(slide)
    try:
        atomic_write_bytes(path, bytes(buf.data()))
    except OSError as e:
        raise InputError(f"{path}: could not write the SVG ({e.strerror or e})") from None
    return path


def copy_chart_to_clipboard(chart, size=(1920, 1080)) -> QtGui.QImage:
    """Put the chart on the clipboard as an image (pastes into slides and documents)."""
    img = chart_image(chart, size)
    QtGui.QGuiApplication.clipboard().setImage(img)
    return img


def export_deck(project, pdf_path, pair=None, *, scenario: str | None = None, monte_carlo=None, dark: bool = False) -> int:
    """Write every slide to one PDF, one chart per 16:9 page; returns the page count."""
    pdf_path = Path(pdf_path)
    slides = build_slides(project, pair, scenario, monte_carlo, presentation_style(dark))
    buf = QtCore.QBuffer()
    buf.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    try:
        writer = QtGui.QPdfWriter(buf)
        page = QtGui.QPageSize(
            QtCore.QSizeF(*PAGE_MM), QtGui.QPageSize.Unit.Millimeter, "Slide 16:9", QtGui.QPageSize.SizeMatchPolicy.ExactMatch
        )
        # the size is already wide: "Portrait" keeps it as given (Landscape would swap it to 9:16)
        writer.setPageLayout(QtGui.QPageLayout(page, QtGui.QPageLayout.Orientation.Portrait, QtCore.QMarginsF(0, 0, 0, 0)))
        writer.setResolution(PDF_DPI)
        writer.setTitle(project.title)
        writer.setCreator("CGT Desk")
        painter = QtGui.QPainter(writer)
        scale = writer.width() / SLIDE_SIZE.width()
        for k, slide in enumerate(slides):
            _lay_out(slide, SLIDE_SIZE)
            if k:
                writer.newPage()
            painter.save()
            painter.scale(scale, scale)
            painter.fillRect(
                QtCore.QRect(QtCore.QPoint(0, 0), SLIDE_SIZE), slide.palette().color(QtGui.QPalette.ColorRole.Window)
            )
            slide.render(painter, QtCore.QPoint(0, 0), QtGui.QRegion(), QtWidgets.QWidget.RenderFlag.DrawChildren)
            painter.restore()
        painter.end()
    finally:
        for s in slides:
            _dispose(s)
    data = bytes(buf.data())
    try:
        atomic_write_bytes(pdf_path, data)
    except OSError as e:
        raise InputError(f"{pdf_path}: could not write the PDF ({e.strerror or e})") from None
    return len(slides)


__all__ = [
    "PNG_SIZES",
    "chart_image",
    "copy_chart_to_clipboard",
    "export_chart_png",
    "export_chart_svg",
    "export_deck",
    "render_image",
]
