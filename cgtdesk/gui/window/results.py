"""The results table: every result of every scenario; Ctrl+C copies the selection as
tab-separated text with headers (it pastes into Excel), Ctrl+Shift+C the whole table.

The result names are the rows' headers (the model's first column, hidden in the view), so they
stay in sight when the table is scrolled sideways past many scenarios."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from cgtdesk.gui.models import ResultsModel

Qt = QtCore.Qt
Key = QtGui.QKeySequence


class ResultsView(QtWidgets.QTableView):
    """The results table over its own :class:`ResultsModel` of the document."""

    #: a message for the user (the status bar)
    message = QtCore.Signal(str)

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.setModel(ResultsModel(doc, self))
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        rows = self.verticalHeader()
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        rows.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows.setHighlightSections(False)
        self.horizontalHeader().setHighlightSections(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.copy_action = QtGui.QAction("&Copy", self)
        self.copy_action.setShortcut(Key.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy_selection)
        self.addAction(self.copy_action)
        self.copy_all_action = QtGui.QAction("Copy &all results", self)
        self.copy_all_action.triggered.connect(self.copy_all)
        self.setCornerButtonEnabled(False)
        self.model().modelReset.connect(self.fit_columns)
        self.fit_columns()

    def keyPressEvent(self, event):
        if event.matches(Key.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)

    def _menu(self, pos):
        m = QtWidgets.QMenu(self)
        m.addAction(self.copy_action)
        m.addAction(self.copy_all_action)
        m.exec(self.viewport().mapToGlobal(pos))

    def copy_selection(self) -> str:
        indexes = self.selectionModel().selectedIndexes()
        if not indexes:
            return self.copy_all()
        return self._put(indexes)

    def copy_all(self) -> str:
        m = self.model()
        return self._put([m.index(r, c) for r in range(m.rowCount()) for c in range(m.columnCount())])

    def _put(self, indexes) -> str:
        text = self.model().tsv(indexes)
        QtWidgets.QApplication.clipboard().setText(text)
        self.message.emit(f"Copied {len(indexes)} cells with headers; paste them into Excel or LibreOffice.")
        return text

    def fit_columns(self):
        """Result names and units readable, scenario columns alike, headers of three lines."""
        em = self.fontMetrics().horizontalAdvance("M")
        self.setColumnHidden(0, True)  # the names are the rows' headers
        self.resizeColumnsToContents()
        m, fm = self.model(), self.verticalHeader().fontMetrics()
        names = max((fm.horizontalAdvance(str(m.headerData(r, Qt.Orientation.Vertical))) for r in range(m.rowCount())), default=0)
        self.verticalHeader().setFixedWidth(min(max(names + em, 12 * em), 20 * em))
        self.setColumnWidth(1, min(self.columnWidth(1), 9 * em))
        for c in range(ResultsModel.FIXED, self.model().columnCount()):
            self.setColumnWidth(c, min(max(self.columnWidth(c), 9 * em), 13 * em))
        self.horizontalHeader().setMinimumHeight(3 * self.fontMetrics().height() + 6)
