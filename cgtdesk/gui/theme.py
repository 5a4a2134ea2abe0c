"""Light and dark application themes (Fusion style with a palette); charts follow via set_theme."""

from __future__ import annotations

from PySide6 import QtGui, QtWidgets

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
