"""Replaces PyInstaller's hook for PySide6.QtGui to collect only the Qt plugins CGT Desk can use.

PyInstaller's own hook collects every plugin of every type QtGui owns, and then the libraries those
plugins link to: the VNC and TUIO plugins pull in QtNetwork, the GTK3 theme pulls in cairo and
pango, the eglfs/linuxfb platforms are for embedded boards. CGT Desk runs on desktops (and
offscreen in CI), so it keeps the desktop platforms, input methods, icon engines and common image
formats, and drops the rest before PyInstaller follows their dependencies.
"""

from pathlib import PurePath

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)

# platforms/: desktop windowing systems plus offscreen/minimal (CI, --screenshot, --export-deck).
_KEEP_PLATFORMS = ("qxcb", "qwayland", "qoffscreen", "qminimal.", "qwindows", "qcocoa")
# Whole plugin types the app never needs: embedded-device input and EGL integrations.
_DROP_TYPES = {"generic", "egldeviceintegrations", "wayland-graphics-integration-server"}
# Single plugins: the GTK3 theme (drags in GTK's cairo/pango stack), image formats nobody opens
# here and whose libraries are often missing (TIFF).
_DROP_FILES = ("qgtk3", "qtiff", "qtga", "qwbmp", "qwebp", "qpdf")


def _wanted(src: str, dest: str) -> bool:
    parts = PurePath(dest).parts
    if "plugins" not in parts:
        return True
    kind = parts[parts.index("plugins") + 1] if len(parts) > parts.index("plugins") + 1 else ""
    name = PurePath(src).name
    if kind in _DROP_TYPES:
        return False
    if kind == "platforms":
        return any(k in name for k in _KEEP_PLATFORMS)
    return not any(k in name for k in _DROP_FILES)


binaries = [(src, dest) for src, dest in binaries if _wanted(src, dest)]
