"""The scenarios of the project: the list (add from a template, duplicate, rename, delete,
reorder) and the toolbar's Compare A vs B boxes. Both follow the document and the
:class:`~cgtdesk.gui.selection.Selection`; every change goes through the document (undoable).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from cgtdesk.core.catalogue import PROCESS_LABELS
from cgtdesk.core.errors import InputError
from cgtdesk.core.templates import bundled_library
from cgtdesk.palette import scenario_colour

Qt = QtCore.Qt
Key = QtGui.QKeySequence

#: the buttons under the list: action id, text beside the icon (None: the icon only)
BUTTONS = (("add", "Add..."), ("duplicate", "Duplicate"), ("delete", "Delete"), ("move_up", None), ("move_down", None))


def swatch(colour: str, dashed: bool) -> QtGui.QIcon:
    """A short line in the scenario's colour: solid for autologous, dashed for allogeneic (as on the charts)."""
    pm = QtGui.QPixmap(28, 16)
    pm.fill(Qt.GlobalColor.transparent)
    p = QtGui.QPainter(pm)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    pen = QtGui.QPen(QtGui.QColor(colour), 3)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.drawLine(2, 8, 26, 8)
    p.end()
    return QtGui.QIcon(pm)


class ScenarioPanel(QtWidgets.QWidget):
    """The list of scenarios with its buttons; the scenario actions of the window call it."""

    #: a message for the user (the status bar)
    message = QtCore.Signal(str)

    def __init__(self, doc, selection, prompts, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.selection = selection
        self.prompts = prompts
        self._rebuilding = False
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lst = self.list = QtWidgets.QListWidget()
        lst.setIconSize(QtCore.QSize(28, 16))
        lst.setSpacing(2)
        lst.setWordWrap(True)
        lst.setEditTriggers(
            QtWidgets.QAbstractItemView.EditTrigger.DoubleClicked | QtWidgets.QAbstractItemView.EditTrigger.EditKeyPressed
        )
        lst.setToolTip("The scenarios of the project. Double-click a name to rename it.")
        lst.setItemDelegate(ScenarioDelegate(lst))
        lst.currentRowChanged.connect(self._row_chosen)
        lst.itemChanged.connect(self._item_renamed)
        lst.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        lay.addWidget(lst)
        self._buttons = QtWidgets.QGridLayout()
        lay.addLayout(self._buttons)
        del_key = QtGui.QShortcut(Key(Key.StandardKey.Delete), lst, self.delete)
        del_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.acts: dict[str, QtGui.QAction] = {}
        self.library = None  # the window's PlatformLibrary (None: the bundled templates only)
        doc.scenariosChanged.connect(self.refresh)
        selection.current_changed.connect(self._current_changed)

    def attach(self, acts: dict[str, QtGui.QAction], template_menu: QtWidgets.QMenu, library=None) -> None:
        """Put the window's scenario actions on the list's context menu and buttons; fill the template
        menu from ``library`` (a :class:`~cgtdesk.gui.library.PlatformLibrary`) each time it opens."""
        self.acts, self.library = acts, library
        self.list.addActions([acts[i] for i in ("rename", "add", "duplicate", "delete", "move_up", "move_down")])
        for i, (name, text) in enumerate(BUTTONS):
            a = acts[name]
            btn = QtWidgets.QToolButton()
            btn.setDefaultAction(a)
            btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon if text else Qt.ToolButtonStyle.ToolButtonIconOnly)
            if text:
                btn.setText(text)
            btn.setToolTip(f"{a.toolTip()} ({a.shortcut().toString(Key.SequenceFormat.NativeText)})")
            self._buttons.addWidget(btn, i // 3, i % 3)
        self._fill_templates(template_menu)
        template_menu.aboutToShow.connect(lambda: self._fill_templates(template_menu))
        self.refresh()

    def templates(self) -> list:
        """The templates a scenario may start from: the newest version of each in the library."""
        return self.library.templates() if self.library is not None else list(bundled_library().latest().values())

    def _fill_templates(self, menu: QtWidgets.QMenu) -> None:
        menu.clear()
        for t in self.templates():
            item = menu.addAction(f"{t.name}  [{t.process}]" + ("" if t.origin == "bundled" else f"  v{t.version}"))
            item.setToolTip(t.description)
            item.triggered.connect(lambda _=False, tid=t.id: self.add_from_template(tid))

    # ---------------------------------------------------------------- following the document

    def refresh(self):
        """Rebuild the list from the project (names, processes, colours) and select the current scenario."""
        doc = self.doc
        self._rebuilding = True
        lst = self.list
        lst.blockSignals(True)
        try:
            lst.clear()
            for i, s in enumerate(doc.scenarios):
                item = QtWidgets.QListWidgetItem(swatch(scenario_colour(i), s.process == "allogeneic"), s.name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                item.setToolTip(f"{s.name}\n{PROCESS_LABELS[s.process]}" + (f"\n\n{s.notes}" if s.notes else ""))
                item.setData(Qt.ItemDataRole.UserRole, PROCESS_LABELS[s.process])
                lst.addItem(item)
            lst.setCurrentRow(self.selection.index())
        finally:
            lst.blockSignals(False)
            self._rebuilding = False
        self._update_actions()

    def _current_changed(self, _name: str):
        if self.list.count() == len(self.doc.scenarios):
            self.list.blockSignals(True)
            self.list.setCurrentRow(self.selection.index())
            self.list.blockSignals(False)
        self._update_actions()

    def _update_actions(self):
        if not self.acts:
            return
        i, n = self.selection.index(), len(self.doc.scenarios)
        self.acts["delete"].setEnabled(n > 1)
        self.acts["move_up"].setEnabled(i > 0)
        self.acts["move_down"].setEnabled(0 <= i < n - 1)

    def _row_chosen(self, row: int):
        if not self._rebuilding and 0 <= row < len(self.doc.scenarios):
            self.selection.set_current(row)

    def _item_renamed(self, item):
        if self._rebuilding:
            return
        row = self.list.row(item)
        s = self.doc.scenarios[row]
        if item.text() == s.name:
            return
        try:
            self.doc.rename_scenario(row, item.text())
        except InputError as e:
            self.message.emit(f"Not renamed: {e}")
            self.list.blockSignals(True)
            item.setText(s.name)
            self.list.blockSignals(False)

    # ---------------------------------------------------------------- the scenario actions

    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except InputError as e:
            self.message.emit(str(e))
            self.prompts.error(self.window(), "This change cannot be made", str(e)[0].upper() + str(e)[1:] + ".", "")
            return None

    def add_from_template(self, template_id: str, name: str | None = None):
        lib = self.library.library() if self.library is not None else bundled_library()
        t = self._guard(lib.find, template_id)
        if t is None:
            return None
        s = t.scenario(self.doc.unique_name(name.strip() if name else t.name))
        i = self._guard(self.doc.add_scenario, s)
        if i is not None:
            self.selection.set_current(i)
            self.message.emit(f"Added '{s.name}' ({PROCESS_LABELS[s.process]}) from a template.")
        return i

    def add_dialog(self):
        answer = self.prompts.add_scenario(self.window(), self.doc.unique_name)
        if answer:
            tid, name = answer
            self.add_from_template(tid, name or None)

    def duplicate(self):
        i = self._guard(self.doc.duplicate_scenario, self.selection.index())
        if i is not None:
            self.selection.set_current(i)

    def rename(self):
        """Open the in-place editor on the current scenario's name in the list (F2, Ctrl+F2, the
        menu); the name typed there is applied on Enter (undoable), Escape keeps the old one."""
        item = self.list.currentItem()
        if item is None:
            return
        dock = self.parentWidget()
        if isinstance(dock, QtWidgets.QDockWidget):
            dock.show()
            dock.raise_()
        self.list.setFocus()
        self.list.scrollToItem(item)
        self.list.editItem(item)

    def rename_to(self, name: str) -> None:
        """Rename the current scenario to ``name`` (scripts and tests; the user types in the list)."""
        self._guard(self.doc.rename_scenario, self.selection.index(), name)

    def delete(self):
        gone = self.selection.current()
        self._guard(self.doc.delete_scenario, self.selection.index())
        if self.doc.index_of(gone) < 0:
            self.message.emit(f"Deleted '{gone.name}'. Undo (Ctrl+Z) brings it back.")

    def move(self, step: int):
        i = self.selection.index()
        self.doc.move_scenario(i, i + step)


class PairPicker(QtCore.QObject):
    """The toolbar's "Compare A vs B" boxes: show the selection's pair, and set it when the user picks."""

    def __init__(self, doc, selection, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.selection = selection
        self.a = QtWidgets.QComboBox()
        self.b = QtWidgets.QComboBox()
        for combo in (self.a, self.b):
            combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
            combo.setToolTip("The pair of scenarios compared: the demand at which they swap places is marked on the charts")
            combo.activated.connect(self._picked)
        doc.scenariosChanged.connect(self.refresh)
        selection.pair_changed.connect(self.refresh)
        self.refresh()

    def widgets(self) -> list[QtWidgets.QWidget]:
        """What goes on the toolbar, in order."""
        return [QtWidgets.QLabel(" Compare "), self.a, QtWidgets.QLabel(" vs "), self.b]

    def refresh(self, *_):
        names = self.doc.project.names()
        pair = self.selection.pair()
        for combo, name in ((self.a, pair[0] if pair else None), (self.b, pair[1] if pair else None)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            if name in names:
                combo.setCurrentIndex(names.index(name))
            combo.setEnabled(len(names) > 1)
            combo.blockSignals(False)

    def _picked(self, *_):
        names = self.doc.project.names()
        a, b = self.a.currentIndex(), self.b.currentIndex()
        if 0 <= a < len(names) and 0 <= b < len(names):
            self.selection.set_pair(names[a], names[b])


class ScenarioDelegate(QtWidgets.QStyledItemDelegate):
    """Scenario name with its process on a second, quieter line."""

    def sizeHint(self, option, index):
        s = super().sizeHint(option, index)
        fm = option.fontMetrics
        return QtCore.QSize(s.width(), fm.height() * 3 + 12)

    def paint(self, painter, option, index):
        opt = QtWidgets.QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        process = index.data(Qt.ItemDataRole.UserRole) or ""
        opt.text = ""
        style = opt.widget.style() if opt.widget else QtWidgets.QApplication.style()
        style.drawControl(QtWidgets.QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = style.subElementRect(QtWidgets.QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        selected = bool(opt.state & QtWidgets.QStyle.StateFlag.State_Selected)
        fg = opt.palette.color(QtGui.QPalette.ColorRole.HighlightedText if selected else QtGui.QPalette.ColorRole.Text)
        painter.save()
        fm = opt.fontMetrics
        top = QtCore.QRect(rect.left(), rect.top() + 4, rect.width() - 2, fm.height() * 2)
        bottom = QtCore.QRect(rect.left(), rect.top() + 4 + fm.height() * 2, rect.width(), fm.height())
        painter.setPen(fg)
        font = QtGui.QFont(opt.font)
        font.setBold(True)
        painter.setFont(font)
        name = two_lines(QtGui.QFontMetrics(font), index.data() or "", top)
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, name)
        painter.setFont(opt.font)
        muted = QtGui.QColor(fg)
        muted.setAlphaF(0.7)
        painter.setPen(muted)
        painter.drawText(
            bottom,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(process, Qt.TextElideMode.ElideRight, bottom.width()),
        )
        painter.restore()


def two_lines(fm: QtGui.QFontMetrics, name: str, rect: QtCore.QRect) -> str:
    """``name`` as it fits in ``rect``: two lines at most, what does not fit elided at the end of the second."""
    if fm.boundingRect(rect, Qt.TextFlag.TextWordWrap, name).height() <= rect.height():
        return name
    width = rect.width()
    words, first = name.split(" "), ""
    while words and fm.horizontalAdvance((first + " " + words[0]).strip()) <= width:
        first = (first + " " + words.pop(0)).strip()
    return first + "\n" + fm.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)
