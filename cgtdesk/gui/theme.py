"""Light and dark application themes (Fusion style with a palette); charts follow via set_theme."""

from __future__ import annotations

import dataclasses

from PySide6 import QtGui, QtWidgets

from cgtdesk.core.formatting import money

#: what an answer made before the latest edit of the project says of itself (chart titles, answers)
OUT_OF_DATE = "Out of date: made before your last edit; run again"

_DARK = {
    "Window": "#2B2B2B",
    "WindowText": "#E8E8E8",
    "Base": "#1E1E1E",
    "AlternateBase": "#262626",
    "ToolTipBase": "#3A3A3A",
    "ToolTipText": "#F0F0F0",
    "PlaceholderText": "#9A9A9A",
    "Text": "#E8E8E8",
    "Button": "#353535",
    "ButtonText": "#E8E8E8",
    "BrightText": "#FF6B6B",
    "Highlight": "#2F6EA5",
    "HighlightedText": "#FFFFFF",
    "Link": "#56B4E9",
    "Mid": "#3C3C3C",
    "Dark": "#202020",
    "Light": "#4A4A4A",
}


def apply_theme(app: QtWidgets.QApplication, dark: bool) -> None:
    app.setStyle("Fusion")
    if not dark:
        pal = app.style().standardPalette()
    else:
        pal = QtGui.QPalette()
        for role, colour in _DARK.items():
            pal.setColor(getattr(QtGui.QPalette.ColorRole, role), QtGui.QColor(colour))
        for role in ("Text", "WindowText", "ButtonText"):
            pal.setColor(QtGui.QPalette.ColorGroup.Disabled, getattr(QtGui.QPalette.ColorRole, role), QtGui.QColor("#7A7A7A"))
    app.setPalette(pal)


def restyle(root: QtWidgets.QWidget) -> None:
    """Make the widgets under ``root`` that carry a style sheet take the new palette: Qt resolves
    a style-sheeted widget's colours once, so after a switch of theme their text stayed black on
    the dark background (or light grey on white)."""
    for widget in [root, *root.findChildren(QtWidgets.QWidget)]:
        sheet = widget.styleSheet()
        if sheet:
            widget.setPalette(QtWidgets.QApplication.palette())
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)


def out_of_date(data):
    """Monte Carlo chart data of a run made before the latest edit: no target line (the target may
    have moved, and the run's P(meets target) answers the old one), a title that says so."""
    spread = f"{data.scenario}: P10-P90 {money(data.p10, data.currency)} to {money(data.p90, data.currency)}"
    return dataclasses.replace(data, target=None, p_meets_target=None, finding=f"{OUT_OF_DATE} (F9). {spread}")
