"""Rendering without showing anything: ``--screenshot PNG [--view NAME] [--size WxH] [--theme]``
and ``--export-deck PDF`` / ``--export-pptx PPTX [--pptx-template PPTX]``, on Qt's offscreen platform, then exit.

A screenshot builds the main window as a user would see it (a throw-away settings file: it
neither reads nor changes the user's layout) and grabs one view of it; the views are those of
:mod:`cgtdesk.chartdata.registry`. Exit status: 0 written, 2 bad input or unwritable output.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from cgtdesk.chartdata.registry import ANALYSIS_VIEWS, PLAN_CHARTS, PLAN_VIEW, PRESENT_VIEW

SCREENSHOT_SIZE = (1440, 900)
#: --size: each side in pixels from .. to
SIZE_RANGE = (100, 7680)
#: the suffix each output option must end in
OUTPUT_SUFFIXES = {"screenshot": ".png", "export_deck": ".pdf", "export_pptx": ".pptx"}
#: charts and slides are drawn at this size, as exported
CHART_SIZE = (1920, 1080)


#: Qt platforms that draw without a display server
NO_DISPLAY_PLATFORMS = ("offscreen", "minimal", "vnc", "linuxfb", "eglfs", "vkkhrdisplay")


def display_problem(env=None, platform: str | None = None) -> str | None:
    """Why the window cannot be shown here, in one sentence, or None when it can be tried.

    On Linux Qt needs an X server (``DISPLAY``) or a Wayland compositor (``WAYLAND_DISPLAY``),
    unless ``QT_QPA_PLATFORM`` names a platform that needs none; without one Qt aborts (exit 134)
    with a message about plugins. Checked before the QApplication exists.
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    qpa = (env.get("QT_QPA_PLATFORM") or "").split(":")[0].split(";")[0].strip().lower()
    if qpa in NO_DISPLAY_PLATFORMS:
        return None
    has_x, has_wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    if (qpa == "xcb" and has_x) or (qpa == "wayland" and has_wayland) or (not qpa and (has_x or has_wayland)):
        return None
    wanted = {"xcb": "DISPLAY is not set", "wayland": "WAYLAND_DISPLAY is not set"}.get(
        qpa, "neither DISPLAY nor WAYLAND_DISPLAY is set"
    )
    return (
        f"cgtdesk: no display to show the window on ({wanted}). Start it from a desktop session (or "
        "under xvfb-run); without a display use the command line (cgtdesk compute FILE, cgtdesk --help) "
        "or --screenshot PNG / --export-deck PDF, which need none."
    )


def run(args) -> int:
    """``args``: the parsed options of :func:`cgtdesk.gui.app.parse_gui_args`."""
    problem = check_args(args)
    if problem:
        print(f"cgtdesk: {problem}", file=sys.stderr)
        return 2
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6 import QtCore

    from cgtdesk.core.errors import InputError
    from cgtdesk.gui.app import open_project, qt_app

    _quiet_offscreen_warnings(QtCore)
    app = qt_app()
    try:
        project, path = open_project(args.file)
    except InputError as e:
        print(f"cgtdesk: {e}", file=sys.stderr)
        return 2
    if args.export_deck and not args.screenshot:
        code = export_deck(project, args.export_deck)
        if code or not args.export_pptx:
            return code
    if args.export_pptx and not args.screenshot:
        return export_pptx(project, args.export_pptx, args.pptx_template)
    return screenshot(app, project, path, args)


def _quiet_offscreen_warnings(QtCore) -> None:
    """Drop the offscreen platform's notices of window features it lacks (sizing, raising); pass the rest on."""
    previous = None

    def handler(mode, context, message):
        if message.startswith("This plugin does not support"):
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            sys.stderr.write(message + "\n")

    previous = QtCore.qInstallMessageHandler(handler)


def check_args(args) -> str | None:
    """What is wrong with the options (one sentence), before anything is read or drawn; None when nothing."""
    for option, suffix in OUTPUT_SUFFIXES.items():
        value = getattr(args, option, None)
        if value and Path(value).suffix.lower() != suffix:
            return f"--{option.replace('_', '-')} {value}: expected a file name ending in {suffix}"
    if getattr(args, "size", None):
        try:
            _size(args.size)
        except ValueError as e:
            return str(e)
    return None


def _size(text):
    """(width, height) of ``--size WIDTHxHEIGHT``; ValueError when not two whole numbers in SIZE_RANGE."""
    if not text:
        return SCREENSHOT_SIZE
    lo, hi = SIZE_RANGE
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"--size: expected WIDTHxHEIGHT such as 1440x900, found {text!r}")
    w, h = (int(p) for p in parts)
    if not (lo <= w <= hi and lo <= h <= hi):
        raise ValueError(f"--size: expected a width and a height from {lo} to {hi} pixels, found {text!r}")
    return max(w, 640), max(h, 480)


def screenshot(app, project, path, args) -> int:
    """Write the PNG of ``args.view`` of the window over ``project``."""
    from PySide6 import QtCore

    from cgtdesk.gui.app import build_window, dispose
    from cgtdesk.gui.theme import apply_theme

    dark = args.theme == "dark"
    apply_theme(app, dark)
    tmp = tempfile.TemporaryDirectory(prefix="cgtdesk-shot-")
    settings = QtCore.QSettings(str(Path(tmp.name) / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    settings.setValue("view/theme", "dark" if dark else "light")
    window = build_window(project, path, settings=settings, data_dir=Path(tmp.name), restore_layout=False)
    w, h = _size(args.size)
    window.resize(w, h)
    window.show()  # offscreen: nothing appears on any screen
    app.processEvents()
    window.apply_default_sizes()
    window.flush_charts()
    app.processEvents()
    try:
        image = render_view(window, args.view)
    except LookupError as e:
        print(f"cgtdesk: --view {args.view}: {e}", file=sys.stderr)
        return 2
    finally:
        window.doc.undo_stack.setClean()
        window.close()
        dispose(window)  # the image is a copy: the window goes now, not in the interpreter's shutdown
        tmp.cleanup()
    if not image.save(args.screenshot):
        print(
            f"cgtdesk: {args.screenshot}: could not write the PNG (check the folder exists and the name ends in .png)",
            file=sys.stderr,
        )
        return 2
    return 0


def render_view(window, view: str):
    """The QImage/QPixmap of one named view of ``window``."""
    from PySide6 import QtWidgets

    from cgtdesk.gui import export
    from cgtdesk.gui.app import dispose

    if view == "main":
        return window.grab()
    if view == "editor":
        return window.editor_dock.grab()
    if view == "results":
        return window.results_dock.grab()
    if view in ANALYSIS_VIEWS:
        from cgtdesk.gui.analyses import screenshot_view

        return screenshot_view(window, view)
    if view == PRESENT_VIEW:
        from cgtdesk.gui.present import PresentationWindow

        pw = PresentationWindow(
            window.doc.project, pair=window.selection.pair(), scenario=window.selection.current_name(), dark=window.dark
        )
        try:
            return export.render_image(pw, CHART_SIZE)
        finally:
            pw.close()
            dispose(pw)  # now: no event loop runs to honour a deleteLater, and at exit it crashed
    if view == PLAN_VIEW or view in PLAN_CHARTS:
        from cgtdesk.gui.plan.view import screenshot_view as plan_view

        return plan_view(window, view, (window.width(), window.height()) if view == PLAN_VIEW else CHART_SIZE)
    panel = window.chart_panel
    chart = panel.charts.get(view)
    if chart is None:
        raise LookupError(f"not a tab of the chart panel (charts: {', '.join(panel.charts)})")
    if view == "montecarlo" and panel.monte_carlo is None:
        panel.mc_service.run_now(window.doc.project)
    panel.locate_crossover_now()
    QtWidgets.QApplication.processEvents()
    return export.chart_image(chart, CHART_SIZE)


def export_pptx(project, pptx, template=None) -> int:
    """Write the PowerPoint deck of ``project`` (the default pair, the first scenario) to ``pptx``."""
    from cgtdesk.core.errors import InputError
    from cgtdesk.deck import export_pptx as write_pptx

    try:
        slides = write_pptx(project, pptx, template=template)
    except InputError as e:
        print(f"cgtdesk: {e}", file=sys.stderr)
        return 2
    print(f"wrote {pptx}: {slides} slide(s)", file=sys.stderr)
    return 0


def export_deck(project, pdf) -> int:
    """Write the deck of ``project`` (the default pair, the first scenario) to ``pdf``."""
    from cgtdesk.core.errors import InputError
    from cgtdesk.gui.export import export_deck as write_deck

    try:
        pages = write_deck(project, pdf)
    except InputError as e:
        print(f"cgtdesk: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"cgtdesk: {pdf}: could not write the PDF ({e.strerror or e})", file=sys.stderr)
        return 2
    print(f"wrote {pdf}: {pages} page(s)", file=sys.stderr)
    return 0
