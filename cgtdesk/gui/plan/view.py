"""The Launch plan view: the plan's editor beside its five charts, or an empty state that adds one.

The charts' data come from the shared :class:`~cgtdesk.chartdata.board.ChartBoard` (the slides
and the deck show the same); the plan of the example's six scenarios over 15 years runs in a
few milliseconds, so the charts are redrawn in the GUI thread, once per turn of the event loop
after any change of the document or of the selection, and only while the view is visible.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from cgtdesk.chartdata import board as boards
from cgtdesk.chartdata.plan import PLAN_CHARTS
from cgtdesk.gui.plan.charts import PLAN_CHART_CLASSES
from cgtdesk.gui.plan.defaults import default_plan
from cgtdesk.gui.plan.editor import PlanEditor
from cgtdesk.gui.style import ChartStyle, normal_style

EMPTY_TEXT = (
    "<h3>No launch plan yet</h3>"
    "<p>A launch plan runs every scenario year by year over the product's life: demand ramping up after "
    "launch, capacity bought ahead of it (with lead times), start-up costs, replacements, and the cash "
    "needed before revenue arrives. It answers which process costs least over the plan's years "
    "(net present cost, levelised cost per dose), how much funding each needs, and when a switch "
    "from one process to another pays.</p>"
    "<p>Add one to start from 15 years, launch two years in, five years to the peak (the first "
    "scenario's demand); then edit it here.</p>"
)
#: the model's design choices, stated where the plan is shown (docs/model.md, "Launch plan")
NOTES = (
    "How the plan counts: fractional asset lives are rounded up for replacement, while the annual "
    "model's capital charge uses the exact life; assets are replaced at the end of their life even "
    "in years without demand; with a lead time longer than the look-ahead, capacity is paid for "
    "before the planning demand shows the need. Lead times, start-up rates, PPQ batches and the "
    "comparability cost are each scenario's parameters (group Launch plan)."
)
#: below this width the charts stack in one column
TWO_COLUMNS_PX = 900


class PlanView(QtWidgets.QWidget):
    """The editor and the charts of the document's launch plan. ``redrawn`` follows every redraw."""

    redrawn = QtCore.Signal()

    def __init__(self, doc, selection=None, parent=None, *, style: ChartStyle | None = None, board=None):
        super().__init__(parent)
        self.doc, self.selection = doc, selection
        self.board = board or boards.shared()
        self.style_ = style or normal_style()
        self.stack = QtWidgets.QStackedWidget()
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        self.stack.addWidget(self._empty_page())
        self.editor = PlanEditor(doc)
        self.charts = {cid: PLAN_CHART_CLASSES[cid](style=self.style_) for cid in PLAN_CHARTS}
        for chart in self.charts.values():
            chart.setMinimumSize(360, 280)
        self._columns = 0
        self.stack.addWidget(self._plan_page())
        self._stale = True
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.redraw)
        for signal in (doc.planChanged, doc.parameterChanged, doc.scenariosChanged, doc.projectLoaded):
            signal.connect(self.schedule)
        if selection is not None:
            selection.current_changed.connect(self.schedule)
            selection.pair_changed.connect(self.schedule)
        self.schedule()

    # ---------------------------------------------------------------- building

    def _empty_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        lay = QtWidgets.QVBoxLayout(page)
        self.empty_label = QtWidgets.QLabel(EMPTY_TEXT)
        self.empty_label.setWordWrap(True)
        self.empty_label.setMaximumWidth(640)
        self.add_button = QtWidgets.QPushButton("Add a launch plan")
        self.add_button.clicked.connect(self.add_plan)
        lay.addStretch(1)
        lay.addWidget(self.empty_label, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.add_button, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)
        return page

    def _plan_page(self) -> QtWidgets.QWidget:
        left = QtWidgets.QWidget()
        ll = QtWidgets.QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.editor, 1)
        self.notes = QtWidgets.QLabel(NOTES)
        self.notes.setWordWrap(True)
        ll.addWidget(self.notes)
        left_scroll = QtWidgets.QScrollArea()
        left_scroll.setWidgetResizable(True)
        left_scroll.setWidget(left)
        left_scroll.setMinimumWidth(300)
        self.grid_host = QtWidgets.QWidget()
        self.grid = QtWidgets.QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.chart_scroll = QtWidgets.QScrollArea()
        self.chart_scroll.setWidgetResizable(True)
        self.chart_scroll.setWidget(self.grid_host)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        split.addWidget(left_scroll)
        split.addWidget(self.chart_scroll)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([340, 1000])
        self.splitter = split
        self._lay_out_charts(2)
        return split

    def _lay_out_charts(self, columns: int):
        if columns == self._columns:
            return
        self._columns = columns
        for chart in self.charts.values():
            self.grid.removeWidget(chart)
        for k, chart in enumerate(self.charts.values()):
            self.grid.addWidget(chart, k // columns, k % columns)
        rows = -(-len(self.charts) // columns)
        for r in range(self.grid.rowCount()):  # rows left over from another column count take no room
            self.grid.setRowStretch(r, 1 if r < rows else 0)

    def resizeEvent(self, ev):
        super().resizeEvent(ev)
        self.fit_charts()

    def fit_charts(self):
        """Two columns when there is room; the charts share the visible height, scrolling only below 280 px each."""
        charts_width = self.width() - (self.splitter.sizes()[0] if self.splitter.sizes() else 0)
        self._lay_out_charts(2 if charts_width >= TWO_COLUMNS_PX else 1)
        rows = -(-len(self.charts) // self._columns)
        self.grid_host.setFixedHeight(max(self.chart_scroll.viewport().height(), rows * 280))

    # ---------------------------------------------------------------- following the document

    def schedule(self, *_):
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, ev):
        super().showEvent(ev)
        if self._stale:
            self._timer.start()

    def add_plan(self):
        """The default plan (see :func:`cgtdesk.gui.plan.defaults.default_plan`), as one undo step."""
        self.doc.set_plan(default_plan(self.doc.project.scenarios), "Add a launch plan")

    def set_theme(self, dark: bool):
        self.style_ = self.style_.with_theme(dark)
        for chart in self.charts.values():
            chart.set_style(self.style_)

    def chart_data(self) -> dict:
        """The plan charts' data for the document as it is (chart id -> data or None)."""
        project = self.doc.project
        scenario = self.selection.current_name() if self.selection is not None else None
        pair = self.selection.pair() if self.selection is not None else None
        return self.board.chart_data(project, pair, scenario, locate=False, charts=PLAN_CHARTS)

    def redraw(self):
        """Bring the editor and the charts up to date now."""
        self._timer.stop()
        self._stale = False
        has_plan = self.doc.project.plan is not None
        self.stack.setCurrentIndex(1 if has_plan else 0)
        if has_plan:
            self.fit_charts()
            self.editor.refresh()
        data = self.chart_data()  # every chart None without a plan (their empty state)
        for cid, chart in self.charts.items():
            chart.update_data(data[cid])
        self.redrawn.emit()


def screenshot_view(window, view: str, size):
    """The image of ``--view plan`` (the view alone at ``size``) or of one plan chart as exported."""
    from cgtdesk.gui import export

    pv = PlanView(window.doc, window.selection)
    pv.set_theme(window.dark)
    try:
        if view == "plan":
            pv.resize(*size)
            pv.show()
            QtWidgets.QApplication.processEvents()
            pv.redraw()
            QtWidgets.QApplication.processEvents()
            return pv.grab()
        pv.redraw()
        return export.chart_image(pv.charts[view], size)
    finally:
        pv.close()
        pv.deleteLater()
