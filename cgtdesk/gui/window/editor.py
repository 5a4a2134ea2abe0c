"""The parameter editor: the inputs of the current scenario, grouped, with a search box.

A value typed in goes to the document (undoable); a value refused is kept out and the reason
shown below the table. The editor follows the :class:`~cgtdesk.gui.selection.Selection`.

Keys, as in a spreadsheet: Ctrl+F puts the cursor in the search box; Down/Up there move between
the matches, Enter opens the value of the current match for editing and Tab goes to it; in the
table, typing on a row (or F2) edits its value, Enter commits it.
"""

from __future__ import annotations

import logging

from PySide6 import QtCore, QtGui, QtWidgets

from cgtdesk.core.catalogue import PROCESS_LABELS, catalogue
from cgtdesk.gui.models import ParameterFilter, ParameterModel
from cgtdesk.gui.unused import MODE_DESCRIPTIONS

Qt = QtCore.Qt
log = logging.getLogger("cgtdesk.gui")
EDIT_TRIGGERS = (
    QtWidgets.QAbstractItemView.EditTrigger.DoubleClicked
    | QtWidgets.QAbstractItemView.EditTrigger.EditKeyPressed
    | QtWidgets.QAbstractItemView.EditTrigger.AnyKeyPressed
    | QtWidgets.QAbstractItemView.EditTrigger.SelectedClicked
)


def _choices(index) -> tuple[str, ...]:
    """The choices of the parameter at ``index`` (empty for a number)."""
    key = index.data(ParameterModel.KeyRole)
    p = catalogue().parameters.get(key) if key else None
    return p.choices if p is not None and p.is_choice else ()


class ValueDelegate(QtWidgets.QStyledItemDelegate):
    """A plain line editor for a number, starting with the full-precision number selected; a
    combo box for a choice (``facility.mode``), each choice with its short description."""

    def createEditor(self, parent, option, index):
        choices = _choices(index)
        if choices:
            combo = QtWidgets.QComboBox(parent)
            combo.setObjectName("choice_editor")
            for c in choices:
                combo.addItem(f"{c} - {MODE_DESCRIPTIONS.get(c, '')}".rstrip(" -"), c)
            combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContentsOnFirstShow)
            combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
            return combo
        editor = QtWidgets.QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return editor

    def setEditorData(self, editor, index):
        if isinstance(editor, QtWidgets.QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))
            return
        editor.setText(str(index.data(Qt.ItemDataRole.EditRole)))
        editor.selectAll()

    def setModelData(self, editor, model, index):
        if isinstance(editor, QtWidgets.QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)


class ParameterTree(QtWidgets.QTreeView):
    """The parameter table: typing (or F2) on a parameter's row edits its value, whichever cell of
    the row is current (the row is selected whole)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._fit_timer = QtCore.QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_value_columns)

    def keyPressEvent(self, event):
        text = event.text()
        typed = bool(text) and text.isprintable() and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if typed or event.key() == Qt.Key.Key_F2:
            current = self.currentIndex()
            value = current.siblingAtColumn(ParameterModel.VALUE)
            if current.isValid() and current.column() != ParameterModel.VALUE and value.flags() & Qt.ItemFlag.ItemIsEditable:
                self.setCurrentIndex(value)
        super().keyPressEvent(event)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self.model() is not None:  # none while the view is torn down
            self.fit_label_column()

    def fit_label_column(self):
        """The Parameter column takes what Value, Unit and Scope leave (names elide, their tooltip
        says them whole), so that Value and Unit stay readable in a narrow dock."""
        header = self.header()
        rest = sum(header.sectionSize(c) for c in (ParameterModel.VALUE, ParameterModel.UNIT, ParameterModel.SCOPE))
        em = self.fontMetrics().horizontalAdvance("M")
        self.setColumnWidth(ParameterModel.LABEL, max(14 * em, min(24 * em, self.viewport().width() - rest - 2)))

    def schedule_fit(self, *_changed):
        """Fit the value columns once the event loop is free: a change of scenario changes every
        value one signal at a time, and one fit after them all draws the same table."""
        self._fit_timer.start()

    def fit_value_columns(self, *_changed):
        """Value and Unit as wide as their widest text (a changed value: bold, with its dot),
        Scope as wide as 'platform': a value is never cut short ('25,000...')."""
        model = self.model()
        bold = QtGui.QFont(self.font())
        bold.setBold(True)
        fm, fm_bold = self.fontMetrics(), QtGui.QFontMetrics(bold)
        widest = {ParameterModel.VALUE: 0, ParameterModel.UNIT: 0}
        icon = self.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_SmallIconSize) + 6  # a changed value's dot
        for g in range(model.rowCount()):
            group = model.index(g, 0)
            for r in range(model.rowCount(group)):
                value = model.index(r, ParameterModel.VALUE, group)
                dot = icon if value.data(Qt.ItemDataRole.DecorationRole) is not None else 0
                widest[ParameterModel.VALUE] = max(
                    widest[ParameterModel.VALUE], fm_bold.horizontalAdvance(str(value.data() or "")) + dot
                )
                unit = str(model.index(r, ParameterModel.UNIT, group).data() or "")
                widest[ParameterModel.UNIT] = max(widest[ParameterModel.UNIT], fm.horizontalAdvance(unit))
        header = self.header()
        for col, extra in ((ParameterModel.VALUE, 14), (ParameterModel.UNIT, 12)):
            title = header.fontMetrics().horizontalAdvance(str(model.headerData(col, Qt.Orientation.Horizontal))) + 16
            self.setColumnWidth(col, max(widest[col] + extra, title))
        self.setColumnWidth(ParameterModel.SCOPE, fm.horizontalAdvance("platform") + 12)
        self.fit_label_column()


class ParameterEditor(QtWidgets.QWidget):
    """Title, search box, the parameter tree, the reason of a refusal and a legend."""

    #: a message for the user (the status bar)
    message = QtCore.Signal(str)

    def __init__(self, doc, selection, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.selection = selection
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.title = QtWidgets.QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        lay.addWidget(self.title)
        lay.addWidget(self._notice_bar())
        self.search = QtWidgets.QLineEdit()
        self.search.setPlaceholderText("Search parameters by name or key (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search)
        self.search.installEventFilter(self)
        lay.addWidget(self.search)
        self.model = ParameterModel(doc, self)
        self.filter = ParameterFilter(self)
        self.filter.setSourceModel(self.model)
        self.tree = self._tree()
        lay.addWidget(self.tree, 1)
        self.inline = QtWidgets.QLabel()
        self.inline.setWordWrap(True)
        self.inline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.inline.setStyleSheet("QLabel { color: #B00020; border: 1px solid #D55E00; border-radius: 3px; padding: 4px; }")
        self.inline.hide()
        lay.addWidget(self.inline)
        legend = QtWidgets.QLabel(
            "<b>Bold</b> with a dot: changed from the scenario's platform (its template; the default without one),"
            " Ctrl+R puts it back. Scope: <i>platform</i> values go into a platform template, <i>product</i> values"
            " never leave the project. <span style='color:gray'>Grey</span>: not used by the scenario's facility mode"
            " or sizing rule (still editable). Hover a parameter for its meaning and source."
        )
        legend.setWordWrap(True)
        legend.setStyleSheet("color: palette(placeholder-text);")
        lay.addWidget(legend)
        self.model.modelReset.connect(self.tree.expandAll)
        self.model.refused.connect(self._refused)
        self.model.accepted.connect(lambda key: self.show_inline(""))
        doc.scenariosChanged.connect(self._scenarios_changed)
        doc.projectLoaded.connect(lambda: self.show_inline(""))
        selection.current_changed.connect(self._current_changed)
        self._scenarios_changed()

    def _tree(self) -> QtWidgets.QTreeView:
        tree = ParameterTree()
        tree.setModel(self.filter)
        tree.setItemDelegateForColumn(ParameterModel.VALUE, ValueDelegate(tree))
        tree.setAlternatingRowColors(True)
        tree.setUniformRowHeights(True)
        tree.setEditTriggers(EDIT_TRIGGERS)
        tree.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        tree.header().setStretchLastSection(True)
        # Parameter, Value, Unit, then Scope: what a value means beside it (the model's columns stay)
        tree.header().moveSection(tree.header().visualIndex(ParameterModel.UNIT), tree.header().visualIndex(ParameterModel.SCOPE))
        em = tree.fontMetrics().horizontalAdvance("M")
        tree.setColumnWidth(ParameterModel.RANGE, 9 * em)
        tree.fit_value_columns()
        self.filter.modelReset.connect(tree.schedule_fit)
        self.filter.dataChanged.connect(tree.schedule_fit)
        tree.expandAll()
        return tree

    def _notice_bar(self) -> QtWidgets.QFrame:
        """What the project's reader had to say once (a version 1 file upgraded): non-modal, closable."""
        self.notice_frame = QtWidgets.QFrame()
        self.notice_frame.setObjectName("notice_bar")
        self.notice_frame.setStyleSheet(
            "QFrame#notice_bar { border: 1px solid #0072B2; border-radius: 3px; background: rgba(86, 180, 233, 40); }"
        )
        row = QtWidgets.QHBoxLayout(self.notice_frame)
        row.setContentsMargins(6, 4, 4, 4)
        self.notice = QtWidgets.QLabel()
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.notice, 1)
        close = QtWidgets.QToolButton()
        close.setText("\u00d7")
        close.setToolTip("Dismiss this notice")
        close.setAutoRaise(True)
        close.clicked.connect(lambda: self.show_notice(""))
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.notice_frame.hide()
        return self.notice_frame

    def show_notice(self, text: str) -> None:
        """Show a notice above the parameters ('' hides it)."""
        self.notice.setText(text)
        self.notice_frame.setVisible(bool(text))

    def attach(self, actions: list[QtGui.QAction]) -> None:
        """The actions of the tree's context menu (on the parameter under the cursor)."""
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.tree.addActions(actions)

    # ---------------------------------------------------------------- following the selection

    def _scenarios_changed(self):
        self.model.set_scenario(self.selection.index())
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, ParameterModel.SOURCE)  # the currency
        self._update_title()

    def _current_changed(self, _name: str):
        self.model.set_scenario(self.selection.index())
        self._update_title()
        self.show_inline("")

    def _update_title(self):
        s = self.selection.current()
        self.title.setText(f"Inputs of <b>{esc(s.name)}</b> &nbsp;<span style='color:gray'>{PROCESS_LABELS[s.process]}</span>")

    def _search(self, text):
        self.filter.set_text(text)
        self.tree.expandAll()
        matches = self.matches()
        if matches:  # the first match is the current one: Enter or Tab goes to it
            self._go_to(matches[0])

    # ---------------------------------------------------------------- keys of the search box

    def matches(self) -> list[QtCore.QModelIndex]:
        """The value cells (of the filter model) of the parameters shown, top to bottom."""
        f, out = self.filter, []
        for g in range(f.rowCount()):
            group = f.index(g, 0)
            out.extend(f.index(r, ParameterModel.VALUE, group) for r in range(f.rowCount(group)))
        return out

    def _current_match(self, matches) -> int:
        row = self.tree.currentIndex().siblingAtColumn(ParameterModel.VALUE)
        return matches.index(row) if row in matches else -1

    def _go_to(self, index: QtCore.QModelIndex) -> None:
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)

    def eventFilter(self, obj, event):
        if obj is self.search and event.type() == QtCore.QEvent.Type.KeyPress and self._search_key(event.key()):
            return True
        return super().eventFilter(obj, event)

    def _search_key(self, key) -> bool:
        """Enter: edit the current match's value; Tab: go to it; Down/Up: the next/previous match."""
        matches = self.matches()
        if not matches or key not in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Down, Qt.Key.Key_Up):
            return False
        i = self._current_match(matches)
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            step = 1 if key == Qt.Key.Key_Down else -1
            self._go_to(matches[0 if i < 0 else max(0, min(len(matches) - 1, i + step))])
            return True
        target = matches[max(i, 0)]
        self._go_to(target)
        self.tree.setFocus(Qt.FocusReason.TabFocusReason)
        if key != Qt.Key.Key_Tab:
            self.tree.edit(target)
        return True

    def _refused(self, key: str, reason: str):
        self.show_inline(reason)
        self.message.emit(reason)
        log.info("value refused: %s", reason)

    def show_inline(self, text: str):
        self.inline.setText(text)
        self.inline.setVisible(bool(text))

    # ---------------------------------------------------------------- the editor's actions

    def current_key(self) -> str | None:
        """The key of the parameter under the cursor, or None."""
        return self.model.key(self.filter.mapToSource(self.tree.currentIndex()))

    def focus_search(self):
        dock = self.parentWidget()
        if isinstance(dock, QtWidgets.QDockWidget):
            dock.show()
        self.search.setFocus()
        self.search.selectAll()

    def use_library(self, library) -> None:
        """Mark and reset against the platform values of ``library`` (a
        :class:`~cgtdesk.gui.library.PlatformLibrary`), following its changes."""
        self.model.set_reference(library.reference)
        library.changed.connect(lambda: self.model.set_reference(library.reference))

    def reset_value(self):
        """Put the parameter under the cursor back to its platform's value (its template's, or the
        catalogue default for a scenario made from none)."""
        key = self.current_key()
        if key is None:
            self.message.emit("Select a parameter first.")
            return
        default = catalogue().parameters[key].default[self.selection.current().process]
        self.model.setData(self.model.index_for_key(key), self.model.reference().get(key, default))

    def set_value(self, key: str, text) -> bool:
        """Type ``text`` into the value of ``key`` for the current scenario (as the editor does)."""
        return self.model.setData(self.model.index_for_key(key), text)


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
