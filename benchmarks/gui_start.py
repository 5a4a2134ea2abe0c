"""Child process of the start benchmark: start the app as `python main.py [FILE]` does and
print (JSON, on stdout) the wall-clock time at which the main window has first been painted.

The parent notes time.time() just before spawning this process, so the difference is the time
from process start to the first picture of the window, interpreter start-up included. The
QApplication is made first so that an event filter can watch for the first paint; the app's
own start code (main.main) then finds and uses it.
"""

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6 import QtCore, QtWidgets  # noqa: E402

app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
marks: dict = {}


def _finish():
    marks["idle"] = time.time()  # the events queued with the first paint are done
    marks["cpu"] = time.process_time()  # CPU seconds of this process up to the first picture
    print(json.dumps(marks), flush=True)
    app.quit()


class _FirstPaint(QtCore.QObject):
    def eventFilter(self, obj, event):
        if "paint" not in marks and event.type() == QtCore.QEvent.Type.Paint and isinstance(obj, QtWidgets.QWidget):
            win = obj.window()
            if isinstance(win, QtWidgets.QMainWindow) and win.isVisible():
                marks["paint"] = time.time()
                marks["window"] = type(win).__name__
                QtCore.QTimer.singleShot(0, _finish)
        return False


_filter = _FirstPaint()
app.installEventFilter(_filter)
QtCore.QTimer.singleShot(60_000, app.quit)  # a watchdog: never hang the benchmark

import main  # noqa: E402

code = main.main(sys.argv[1:])
if "paint" not in marks:
    print(json.dumps({"error": f"no paint of the main window (exit code {code})"}), flush=True)
