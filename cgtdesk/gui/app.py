"""Application start: options, the main window, headless rendering (--screenshot, --export-deck).

Start-up stays light: the project is read and the window built, nothing is analysed until a
view needs it; heavy modules (pandas, the Excel libraries) load only when used.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

VIEWS = ("main", "editor", "results", "breakdown", "demand", "capacity", "waterfall", "tornado", "montecarlo", "present",
         "analyses", "sweep", "tornado-analysis", "montecarlo-analysis", "goalseek", "uncertainty")
SCREENSHOT_SIZE = (1440, 900)


def parse_gui_args(argv):
    p = argparse.ArgumentParser(prog="cgtdesk", description="CGT Desk desktop application")
    p.add_argument("file", nargs="?", help=".cgtproj project or .xlsx workbook (default: the example project)")
    p.add_argument("--screenshot", metavar="PNG", help="render the window (or --view) to a PNG and exit, showing nothing")
    p.add_argument("--view", metavar="NAME", default="main", help=f"with --screenshot: one of {', '.join(VIEWS)}")
    p.add_argument("--size", metavar="WxH", help="with --screenshot: window size in pixels (default 1440x900)")
    p.add_argument("--theme", choices=("light", "dark"), help="colour theme (default: the one last chosen; light for --screenshot)")
    p.add_argument("--present", action="store_true", help="start in presentation mode")
    p.add_argument("--export-deck", metavar="PDF", help="write the chart deck to a PDF and exit")
    args = p.parse_args(argv)
    if args.view not in VIEWS:
        p.error(f"--view: expected one of {', '.join(VIEWS)}, found {args.view!r}")
    return args


def _size(text):
    if not text:
        return SCREENSHOT_SIZE
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"cgtdesk: --size: expected WIDTHxHEIGHT such as 1440x900, found {text!r}") from None
    return max(w, 640), max(h, 480)


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


def run(argv) -> int:
    args = parse_gui_args(argv)
    headless = bool(args.screenshot or args.export_deck)
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6 import QtCore, QtWidgets

    from cgtdesk.core.errors import InputError
    from cgtdesk.gui import appdata
    from cgtdesk.io import load_any
    from cgtdesk.resources import resource

    if headless:
        _quiet_offscreen_warnings(QtCore)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setOrganizationName(appdata.ORG)
    app.setApplicationName(appdata.APP)
    app.setApplicationDisplayName("CGT Desk")

    path = Path(args.file) if args.file else None
    startup_error = None
    try:
        project = load_any(path) if path else load_any(resource("example.cgtproj"))
    except InputError as e:
        if headless:
            print(f"cgtdesk: {e}", file=sys.stderr)
            return 2
        startup_error = str(e)
        project, path = load_any(resource("example.cgtproj")), None

    if args.export_deck and not args.screenshot:
        return _export_deck(project, args.export_deck)

    from cgtdesk.gui.main_window import MainWindow
    from cgtdesk.gui.theme import apply_theme

    if headless:
        return _screenshot(app, project, path, args)

    folder = appdata.data_dir()
    log_path = appdata.setup_logging(folder)
    settings = appdata.default_settings()
    if args.theme:
        settings.setValue("view/theme", args.theme)
    dark = settings.value("view/theme", "light") == "dark"
    apply_theme(app, dark)
    is_project = path is not None and path.suffix.lower() == ".cgtproj"
    window = MainWindow(project, path if is_project else None, settings=settings, data_dir=folder)
    if path is not None and not is_project:
        window.doc.origin = path.name
        window._update_title()

    def show_error(title, what, todo):
        window.prompts.error(window, title, what, todo)

    appdata.install_excepthook(show_error, log_path)
    appdata.log.info("started with %s", path or "the example project")
    window.show()
    if startup_error:
        QtCore.QTimer.singleShot(0, lambda: window.prompts.error(
            window, "The file could not be opened", startup_error,
            "The example project is open instead. Fix the place named in the message, or open another file (Ctrl+O)."))
    elif not os.environ.get("CGTDESK_BENCHMARK"):
        QtCore.QTimer.singleShot(0, window.offer_recovery)
    if args.present:
        QtCore.QTimer.singleShot(0, window.present)
    return app.exec()


def _screenshot(app, project, path, args) -> int:
    from PySide6 import QtCore

    from cgtdesk.gui.main_window import MainWindow
    from cgtdesk.gui.theme import apply_theme

    dark = args.theme == "dark"
    apply_theme(app, dark)
    # a throw-away settings file: a screenshot neither reads nor changes the user's layout
    tmp = tempfile.TemporaryDirectory(prefix="cgtdesk-shot-")
    settings = QtCore.QSettings(str(Path(tmp.name) / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    settings.setValue("view/theme", "dark" if dark else "light")
    is_project = path is not None and path.suffix.lower() == ".cgtproj"
    window = MainWindow(project, path if is_project else None, settings=settings, data_dir=Path(tmp.name), restore_layout=False)
    if path is not None and not is_project:
        window.doc.origin = path.name
        window._update_title()
    w, h = _size(args.size)
    window.resize(w, h)
    window.show()  # offscreen: nothing appears on any screen
    app.processEvents()
    window.apply_default_sizes()
    window.flush_charts()
    app.processEvents()
    try:
        image = _render_view(window, args.view, (w, h))
    except LookupError as e:
        print(f"cgtdesk: --view {args.view}: {e}", file=sys.stderr)
        return 2
    finally:
        window.doc.undo_stack.setClean()
    ok = image.save(args.screenshot)
    window.close()
    tmp.cleanup()
    if not ok:
        print(f"cgtdesk: {args.screenshot}: could not write the PNG (check the folder exists and the name ends in .png)", file=sys.stderr)
        return 2
    return 0


def _render_view(window, view: str, size):
    """The QImage/QPixmap of one named view."""
    from PySide6 import QtWidgets

    if view == "main":
        return window.grab()
    if view == "editor":
        return window.editor_dock.grab()
    if view == "results":
        return window.results_dock.grab()
    if view in ("analyses", "sweep", "tornado-analysis", "montecarlo-analysis", "goalseek", "uncertainty"):
        try:
            from cgtdesk.gui.analyses import screenshot_view
        except ImportError:
            raise LookupError("the analyses are not available in this build") from None
        return screenshot_view(window, view)
    try:
        from cgtdesk.gui import export
    except ImportError:
        raise LookupError("chart views are not available in this build") from None
    if view == "present":
        from cgtdesk.gui.present import PresentationWindow

        pw = PresentationWindow(window.doc.project, pair=window.pair(), scenario=window._current.name, dark=window.dark)
        try:
            return export.render_image(pw, (1920, 1080))
        finally:
            pw.close()
            pw.deleteLater()
    panel = window.chart_panel
    charts = getattr(panel, "charts", {}) if panel is not None else {}
    chart = charts.get(view)
    if chart is None:
        raise LookupError(f"no {view} chart in this build (charts: {', '.join(charts) or 'none'})")
    if view == "montecarlo" and getattr(panel, "monte_carlo", None) is None:
        from cgtdesk.gui.charts.panel import deck_monte_carlo

        panel.set_monte_carlo(deck_monte_carlo(window.doc.project))
    if hasattr(panel, "locate_crossover_now"):
        panel.locate_crossover_now()
    QtWidgets.QApplication.processEvents()
    return export.chart_image(chart, (1920, 1080))


def _export_deck(project, pdf) -> int:
    from PySide6 import QtWidgets  # noqa: F401  (the QApplication exists already)

    try:
        from cgtdesk.gui.export import export_deck
    except ImportError:
        print("cgtdesk: --export-deck: the chart deck is not available in this build", file=sys.stderr)
        return 1
    from cgtdesk.core.errors import InputError

    try:
        pages = export_deck(project, pdf)  # the default pair (first autologous vs first allogeneic)
    except InputError as e:
        print(f"cgtdesk: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"cgtdesk: {pdf}: could not write the PDF ({e.strerror or e})", file=sys.stderr)
        return 2
    print(f"wrote {pdf}: {pages} page(s)", file=sys.stderr)
    return 0
