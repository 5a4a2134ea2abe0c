"""Application start: the options, then the main window (or headless rendering, see
:mod:`cgtdesk.gui.headless`, for ``--screenshot``, ``--export-deck`` and ``--export-pptx``).

Start-up stays light: the project is read and the window built, nothing is analysed until a
view needs it; heavy modules (pandas, the Excel libraries) load only when used.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cgtdesk.chartdata.registry import VIEWS


def parse_gui_args(argv):
    p = argparse.ArgumentParser(prog="cgtdesk", description="CGT Desk desktop application")
    p.add_argument("file", nargs="?", help=".cgtproj project or .xlsx workbook (default: the example project)")
    p.add_argument("--screenshot", metavar="PNG", help="render the window (or --view) to a PNG and exit, showing nothing")
    p.add_argument("--view", metavar="NAME", default="main", help=f"with --screenshot: one of {', '.join(VIEWS)}")
    p.add_argument("--size", metavar="WxH", help="with --screenshot: window size in pixels (default 1440x900)")
    p.add_argument(
        "--theme", choices=("light", "dark"), help="colour theme (default: the one last chosen; light for --screenshot)"
    )
    p.add_argument("--present", action="store_true", help="start in presentation mode")
    p.add_argument("--export-deck", metavar="PDF", help="write the chart deck to a PDF and exit")
    p.add_argument("--export-pptx", metavar="PPTX", help="write the deck to PowerPoint (native, editable charts) and exit")
    p.add_argument("--pptx-template", metavar="PPTX", help="with --export-pptx: the client's template (slide master and layouts)")
    args = p.parse_args(argv)
    if args.view not in VIEWS:
        p.error(f"--view: expected one of {', '.join(VIEWS)}, found {args.view!r}")
    return args


def qt_app():
    """The QApplication, named (its settings and data folders follow the names)."""
    from PySide6 import QtWidgets

    from cgtdesk.gui import appdata

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setOrganizationName(appdata.ORG)
    app.setApplicationName(appdata.APP)
    app.setApplicationDisplayName("CGT Desk")
    return app


def open_project(file: str | None):
    """(project, path) of the file given, or of the example project (path None); InputError if refused."""
    from cgtdesk.io import load_any
    from cgtdesk.resources import resource

    path = Path(file) if file else None
    return (load_any(path) if path else load_any(resource("example.cgtproj"))), path


def build_window(project, path, **options):
    """The main window over ``project``; a workbook opened is named as the origin, not as the file to save."""
    from cgtdesk.gui.window.main_window import MainWindow

    is_project = path is not None and path.suffix.lower() == ".cgtproj"
    window = MainWindow(project, path if is_project else None, **options)
    if path is not None and not is_project:
        window.doc.origin = path.name
        window._update_title()
    return window


def run(argv) -> int:
    args = parse_gui_args(argv)
    if args.screenshot or args.export_deck or args.export_pptx:
        from cgtdesk.gui import headless

        return headless.run(args)
    from cgtdesk.gui import appdata, headless

    problem = headless.display_problem()  # before Qt, which would abort (exit 134)
    if problem:
        print(problem, file=sys.stderr)
        return 2

    app = qt_app()
    folder = appdata.data_dir()
    log_path = appdata.setup_logging(folder)
    window = start_window(args, settings=appdata.default_settings(), data_dir=folder)

    def show_error(title, what, todo):
        window.prompts.error(window, title, what, todo)

    appdata.install_excepthook(show_error, log_path)
    from PySide6 import QtCore

    QtCore.QTimer.singleShot(0, window.first_run_guide)  # the Getting started guide, the first time only
    code = app.exec()
    dispose(window)
    return code


def dispose(window) -> None:
    """Delete ``window`` and every widget in it now, while Python is whole. A window left for the
    interpreter's shutdown can crash it there: a chart's Python event handler (pyqtgraph) runs as
    Qt tears the chart down after Python has begun finalizing (a segmentation fault on exit)."""
    import shiboken6

    if shiboken6.isValid(window):
        shiboken6.delete(window)


def start_window(args, *, settings, data_dir: Path, prompts=None):
    """The main window on the file given (or the example project), shown; once the event loop
    runs, it says why a file could not be opened, or offers the recovery file a crashed session
    left for this project (see :meth:`~cgtdesk.gui.window.files.FileController.offer_recovery`)."""
    from PySide6 import QtCore

    from cgtdesk.core.errors import InputError
    from cgtdesk.gui import appdata
    from cgtdesk.gui.theme import apply_theme

    app = qt_app()
    startup_error = None
    try:
        project, path = open_project(args.file)
    except InputError as e:
        startup_error = str(e)
        project, path = open_project(None)
    if args.theme:
        settings.setValue("view/theme", args.theme)
    apply_theme(app, settings.value("view/theme", "light") == "dark")
    options = {"settings": settings, "data_dir": data_dir} | ({"prompts": prompts} if prompts is not None else {})
    window = build_window(project, path, **options)
    appdata.log.info("started with %s", path or "the example project")
    window.show()
    if startup_error:
        QtCore.QTimer.singleShot(
            0,
            lambda: window.prompts.error(
                window,
                "The file could not be opened",
                startup_error,
                "The example project is open instead. Fix the place named in the message, or open another file (Ctrl+O).",
            ),
        )
    elif not os.environ.get("CGTDESK_BENCHMARK"):
        QtCore.QTimer.singleShot(0, window.files.offer_recovery)
    if args.present:
        QtCore.QTimer.singleShot(0, window.present)
    return window
