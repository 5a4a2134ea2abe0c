"""Application start: options, the main window, offscreen rendering for --screenshot."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def parse_gui_args(argv):
    p = argparse.ArgumentParser(prog="cgtdesk", description="CGT Desk desktop application")
    p.add_argument("file", nargs="?", help=".cgtproj project or .xlsx workbook (default: the example project)")
    p.add_argument("--screenshot", metavar="PNG", help="render the window to a PNG and exit")
    p.add_argument("--view", metavar="NAME", help="with --screenshot: the view to render")
    p.add_argument("--present", action="store_true", help="start in presentation mode")
    p.add_argument("--export-deck", metavar="PDF", help="write the chart deck to a PDF and exit")
    return p.parse_args(argv)


def run(argv) -> int:
    args = parse_gui_args(argv)
    from cgtdesk.core.errors import InputError
    from cgtdesk.io import load_any
    from cgtdesk.resources import resource

    path = Path(args.file) if args.file else resource("example.cgtproj")
    try:
        project = load_any(path)
    except InputError as e:
        print(f"cgtdesk: {e}", file=sys.stderr)
        return 2
    if args.screenshot or args.export_deck:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtWidgets

    from cgtdesk.gui.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("CGT Desk")
    window = MainWindow(project, path if args.file else None)
    if args.screenshot:
        window.resize(1440, 900)
        window.ensurePolished()
        image = window.grab()
        if not image.save(args.screenshot):
            print(f"cgtdesk: {args.screenshot}: could not write the PNG", file=sys.stderr)
            return 2
        return 0
    window.show()
    return app.exec()
