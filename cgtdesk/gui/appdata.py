"""The user's data folder, settings, the log file and the last-resort error handler."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from PySide6 import QtCore

ORG = "CGT Desk"
APP = "CGT Desk"
log = logging.getLogger("cgtdesk")


def data_dir() -> Path:
    """The per-user data folder (QStandardPaths AppDataLocation), created when missing."""
    loc = QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.StandardLocation.AppDataLocation)
    path = Path(loc) if loc else Path.home() / ".cgtdesk"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_settings() -> QtCore.QSettings:
    return QtCore.QSettings(ORG, APP)


def setup_logging(folder: Path) -> Path:
    """A rotating log file (1 MB x 3) in ``folder``/logs; returns its path."""
    logs = Path(folder) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    path = logs / "cgtdesk.log"
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in log.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return path


def install_excepthook(show_dialog, log_path: Path | None) -> None:
    """Unexpected errors: the full traceback to the log, a plain dialog to the user, never a traceback."""

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("unexpected error", exc_info=(exc_type, exc, tb))
        where = f"The details are in the log file {log_path}." if log_path else ""
        try:
            show_dialog(
                "Something went wrong",
                f"CGT Desk met an unexpected problem ({exc_type.__name__}: {str(exc)[:300]}). Your project is still open.",
                f"Save your work under a new name (File > Save As) to be safe, then carry on or restart CGT Desk. {where}".strip(),
            )
        except Exception:  # the dialog itself failed: the log has the details
            log.exception("could not show the error dialog")

    sys.excepthook = hook
