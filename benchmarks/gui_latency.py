"""Child process of the GUI latency benchmark: from a parameter edit to the last chart repainted.

A real main window (offscreen) holds the six-scenario project. Each edit is typed into the
parameter editor's model as a person's entry would be (MainWindow.set_value, i.e. the editor's
setData -> the document's undo command); the clock stops when the charts were brought up to
date (MainWindow.chartsUpdated) and the visible chart's view has finished painting. The
visible chart tab changes from edit to edit, so every chart is timed in turn. Between edits the
window goes idle (the crossover the demand chart marks once typing pauses is located, untimed,
and reported separately). Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EDITS = 24
KEYS = [
    ("labour.cost_per_fte_year", ["130000", "125,000", "118000", "121000"]),
    ("demand.patients_per_year", ["650", "420", "510", "900"]),
]


def main(project_path: str) -> dict:
    from PySide6 import QtCore, QtWidgets

    from cgtdesk.gui.window.main_window import MainWindow
    from cgtdesk.io.projectfile import load_project

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    tmp = tempfile.TemporaryDirectory(prefix="cgtdesk-bench-gui-")
    settings = QtCore.QSettings(str(Path(tmp.name) / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    project = load_project(project_path)
    window = MainWindow(project, Path(project_path), settings=settings, data_dir=Path(tmp.name), restore_layout=False)
    window.resize(1440, 900)
    window.show()
    panel = window.chart_panel
    tabs = panel.tabs
    chart_names = list(panel.charts)

    state = {"updated": False, "painted": False}
    window.chartsUpdated.connect(lambda: state.__setitem__("updated", True))

    class PaintWatch(QtCore.QObject):
        def eventFilter(self, obj, event):
            if event.type() == QtCore.QEvent.Type.Paint and state["updated"]:
                state["painted"] = True
            return False

    watch = PaintWatch()
    watched = set()

    def viewports(widget):
        """Every painted surface of a chart (pyqtgraph views paint on their viewport)."""
        out = [widget]
        for v in widget.findChildren(QtWidgets.QAbstractScrollArea):
            out.append(v.viewport())
        return out

    def idle():
        end = time.perf_counter() + 0.05
        while time.perf_counter() < end:
            app.processEvents()
        panel.locate_crossover_now()
        app.processEvents()

    for _ in range(20):  # the first picture, and the first (cold) update, are not timed
        app.processEvents()
    window.set_value(KEYS[0][0], "140000")  # differs from every timed value: each timed edit changes something
    idle()

    times, cpus, per_chart, crossover_ms = [], [], {}, []
    for i in range(EDITS):
        name = chart_names[i % len(chart_names)]
        tabs.setCurrentWidget(panel.charts[name])
        for w in viewports(panel.charts[name]):
            if id(w) not in watched:
                w.installEventFilter(watch)
                watched.add(id(w))
        idle()
        # each chart sees both keys; consecutive edits of a key always change its value
        key, values = KEYS[(i // len(chart_names)) % len(KEYS)]
        value = changed_value(window, key, values, i)
        state.update(updated=False, painted=False)
        c0 = time.process_time()
        t0 = time.perf_counter()
        ok = window.set_value(key, value)
        if not ok:
            return {"error": f"the editor refused {key} = {value}"}
        deadline = t0 + 10
        while not (state["updated"] and state["painted"]):
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents)
            if time.perf_counter() > deadline:
                return {"error": f"no chart repaint within 10 s of an edit ({name})"}
        dt = time.perf_counter() - t0
        cpus.append(time.process_time() - c0)
        times.append(dt)
        per_chart.setdefault(name, []).append(dt)
        if panel.crossover_pending():
            c0 = time.perf_counter()
            panel.locate_crossover_now()
            app.processEvents()
            crossover_ms.append(time.perf_counter() - c0)
    return {
        "median": statistics.median(times),
        "cpu": statistics.median(cpus),
        "max": max(times),
        "edits": len(times),
        "charts": len(chart_names),
        "per_chart_ms": {k: round(statistics.median(v) * 1000, 1) for k, v in per_chart.items()},
        "crossover_ms": round(statistics.median(crossover_ms) * 1000, 1) if crossover_ms else None,
        "panel_ms": round(getattr(panel, "last_update_ms", 0.0), 1),
    }


def changed_value(window, key: str, values: list[str], i: int) -> str:
    """The ``i``-th value of ``values``, or the next one that differs from the scenario's value now
    (an entry equal to the value in place is no edit: nothing would be redrawn)."""
    from cgtdesk.core.formatting import parse_number

    now = window.doc.project.scenarios[window.current_index()].parameters[key]
    for k in range(len(values)):
        value = values[(i + k) % len(values)]
        if parse_number(value) != now:
            return value
    return values[i % len(values)]


def many_scenarios(project_path: str, n: int) -> str:
    """A copy of the project with its scenarios repeated to ``n`` (each named apart, at its own
    demand), saved in a temporary folder: the path."""
    from cgtdesk.io.projectfile import load_project, save_project

    p = load_project(project_path)
    base, p.plan, p.scenarios = p.scenarios, None, []
    for i in range(n):
        s = base[i % len(base)].copy()
        s.name = f"{s.name} {i}"
        s.parameters["demand.patients_per_year"] = 300 + i
        p.scenarios.append(s)
    out = Path(tempfile.mkdtemp(prefix="cgtdesk-bench-many-")) / f"{n}.cgtproj"
    save_project(p, out)
    return str(out)


def parse_args(argv):
    import argparse

    ap = argparse.ArgumentParser(description="GUI latency: a parameter edit to the charts repainted")
    ap.add_argument("project")
    ap.add_argument("--scenarios", type=int, help="repeat the project's scenarios to N first (e.g. 200)")
    return ap.parse_args(argv)


if __name__ == "__main__":
    try:
        args = parse_args(sys.argv[1:])
        result = main(many_scenarios(args.project, args.scenarios) if args.scenarios else args.project)
    except Exception as e:  # the parent prints the figure as an error, never a traceback
        import traceback

        traceback.print_exc()
        result = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(result), flush=True)
    os._exit(0)  # no close: an edited window would ask whether to save
