"""Thin Qt models over the core: the parameter tree of one scenario and the results table.

Both read the :class:`~cgtdesk.gui.document.ProjectDocument` and update in place from its
signals (dataChanged for one cell or column; a reset only when scenarios are added, removed,
moved or replaced).
"""

from __future__ import annotations

import math

from PySide6 import QtCore, QtGui

from cgtdesk.core.catalogue import PROCESS_LABELS, catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import display_input, display_number, fmt_number, format_value, parse_number, safe_cell
from cgtdesk.gui.analyses.outside import offer_move, row_warning
from cgtdesk.gui.unused import MODE_DESCRIPTIONS, unused_keys

Qt = QtCore.Qt
NO_PARENT = 0xFFFFFFFF  # internal id of a group row
#: keys whose value decides which other keys are used (see cgtdesk.gui.unused)
RULE_KEYS = ("facility.mode", "auto.service_level")


def _dot_icon(colour: QtGui.QColor) -> QtGui.QIcon:
    pm = QtGui.QPixmap(16, 16)
    pm.fill(Qt.GlobalColor.transparent)
    p = QtGui.QPainter(pm)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawEllipse(QtCore.QRectF(4, 4, 8, 8))
    p.end()
    return QtGui.QIcon(pm)


class ParameterModel(QtCore.QAbstractItemModel):
    """The parameters of one scenario, grouped as in the catalogue.

    Columns: Parameter, Value (editable), Scope (platform or product), Unit, Valid range, Source.
    A value that differs from the scenario's platform (``reference_for(scenario)``: its template's
    values, the catalogue defaults without one) is bold with a dot. A key the
    scenario's facility mode or sizing rule does not use is greyed (still editable) with the
    reason in its tooltip. An entry the catalogue or the model refuses is not applied;
    ``refused`` carries the reason.
    """

    COLUMNS = ("Parameter", "Value", "Scope", "Unit", "Valid range", "Source")
    LABEL, VALUE, SCOPE, UNIT, RANGE, SOURCE = range(6)
    KeyRole = Qt.ItemDataRole.UserRole + 1
    refused = QtCore.Signal(str, str)  # key, reason
    accepted = QtCore.Signal(str)  # key

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.scenario_index = 0
        self._process = None
        self._groups: list[tuple[str, list[str]]] = []
        self._row_of: dict[str, tuple[int, int]] = {}
        self._bold = QtGui.QFont()
        self._bold.setBold(True)
        self._dot = _dot_icon(QtGui.QColor("#0072B2"))
        self._unused_memo: tuple = (None, {})
        self._reference_memo: tuple = (None, {})
        self.reference_for = _bundled_reference  # scenario -> its platform's values (every key)
        doc.parameterChanged.connect(self._on_parameter_changed)
        doc.templateChanged.connect(self._on_template_changed)
        self._build()

    # ---------------------------------------------------------------- structure

    def _build(self):
        s = self.scenario()
        self._process = s.process if s else None
        groups: dict[str, list[str]] = {}
        if s is not None:
            for key in catalogue().keys_for(s.process):
                groups.setdefault(catalogue().parameters[key].group, []).append(key)
        self._groups = list(groups.items())
        self._row_of = {k: (g, r) for g, (_, keys) in enumerate(self._groups) for r, k in enumerate(keys)}

    def scenario(self):
        sc = self.doc.project.scenarios
        return sc[self.scenario_index] if 0 <= self.scenario_index < len(sc) else None

    def set_scenario(self, index: int) -> None:
        """Show another scenario: values change in place; a reset only when the process differs."""
        sc = self.doc.project.scenarios
        index = max(0, min(index, len(sc) - 1))
        new_process = sc[index].process
        if new_process != self._process:
            self.beginResetModel()
            self.scenario_index = index
            self._build()
            self.endResetModel()
        else:
            self.scenario_index = index
            self._all_values_changed()

    def _all_values_changed(self):
        for g, (_, keys) in enumerate(self._groups):
            parent = self.index(g, 0)
            self.dataChanged.emit(self.index(0, 0, parent), self.index(len(keys) - 1, len(self.COLUMNS) - 1, parent))

    def _on_parameter_changed(self, index: int, key: str):
        if index != self.scenario_index or key not in self._row_of:
            return
        if key in RULE_KEYS:  # other rows grey or come back
            self._all_values_changed()
            return
        ix = self.index_for_key(key)
        self.dataChanged.emit(ix.siblingAtColumn(0), ix.siblingAtColumn(len(self.COLUMNS) - 1))

    def _on_template_changed(self, index: int):
        if index == self.scenario_index:
            self._all_values_changed()

    def set_reference(self, reference_for) -> None:
        """What "changed" compares with: ``reference_for(scenario)`` -> every key's platform value."""
        self.reference_for = reference_for
        self._reference_memo = (None, {})
        self._all_values_changed()

    def reference(self) -> dict:
        """The values of the current scenario's platform (the marks and Reset compare with them)."""
        s = self.scenario()
        if s is None:
            return {}
        sig = (id(s), s.process, tuple((s.template or {}).values()), id(self.reference_for))
        if self._reference_memo[0] != sig:
            self._reference_memo = (sig, self.reference_for(s))
        return self._reference_memo[1]

    def index_for_key(self, key: str, column: int = VALUE) -> QtCore.QModelIndex:
        g, r = self._row_of[key]
        return self.createIndex(r, column, g)

    def unused(self) -> dict[str, str]:
        """key -> why the current scenario's mode or sizing rule does not use it."""
        s = self.scenario()
        if s is None:
            return {}
        sig = (id(s), s.process, *(s.parameters.get(k) for k in RULE_KEYS))
        if self._unused_memo[0] != sig:
            self._unused_memo = (sig, unused_keys(s.process, s.parameters))
        return self._unused_memo[1]

    def key(self, index: QtCore.QModelIndex) -> str | None:
        if not index.isValid() or index.internalId() == NO_PARENT:
            return None
        return self._groups[index.internalId()][1][index.row()]

    # ---------------------------------------------------------------- QAbstractItemModel

    def index(self, row, column, parent=QtCore.QModelIndex()):
        if not self.hasIndex(row, column, parent):
            return QtCore.QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, NO_PARENT)
        return self.createIndex(row, column, parent.row())

    def parent(self, index=QtCore.QModelIndex()):
        if not index.isValid() or index.internalId() == NO_PARENT:
            return QtCore.QModelIndex()
        return self.createIndex(index.internalId(), 0, NO_PARENT)

    def rowCount(self, parent=QtCore.QModelIndex()):
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == NO_PARENT and parent.column() == 0:
            return len(self._groups[parent.row()][1])
        return 0

    def columnCount(self, parent=QtCore.QModelIndex()):
        return len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == self.UNIT:
                return f"Unit ({self.doc.project.currency})" if self.doc.project.currency else "Unit"
            return self.COLUMNS[section]
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.VALUE and self.key(index) is not None:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        key = self.key(index)
        col = index.column()
        if key is None:  # a group row
            if role == Qt.ItemDataRole.DisplayRole and col == 0:
                return self._groups[index.row()][0]
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            return None
        if role == self.KeyRole:
            return key
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(key, col, role)
        p = catalogue().parameters[key]
        s = self.scenario()
        changed = s.parameters[key] != self.reference().get(key, p.default[s.process])
        if role == Qt.ItemDataRole.ForegroundRole and key in self.unused():
            return QtGui.QPalette().color(QtGui.QPalette.ColorGroup.Disabled, QtGui.QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.FontRole and col == self.VALUE and changed:
            return self._bold
        if role == Qt.ItemDataRole.DecorationRole and col == self.LABEL and key in s.uncertainty:
            return self._outside_icon() if row_warning(s, key, self.doc.project.currency) else None
        if role == Qt.ItemDataRole.DecorationRole and col == self.VALUE and changed:
            return self._dot
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.VALUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return SCOPE_TIPS[p.scope] if col == self.SCOPE else self._tooltip(key)
        if role == Qt.ItemDataRole.StatusTipRole:
            return p.description
        return None

    def _text(self, key: str, col: int, role):
        """What a cell shows (DisplayRole) or edits (EditRole: the full-precision number)."""
        p = catalogue().parameters[key]
        if col == self.LABEL:
            return p.label
        if col == self.VALUE:
            value = self.scenario().parameters[key]
            if p.is_choice:
                return value
            if p.kind == "fraction":  # 75% shown, the full-precision percentage edited (75% or 0.75 typed)
                return display_input(value, p.kind) if role == Qt.ItemDataRole.DisplayRole else f"{100 * value:.10g}%"
            return display_number(value) if role == Qt.ItemDataRole.DisplayRole else fmt_number(value)
        if col == self.SCOPE:
            return p.scope
        if col == self.UNIT:
            return p.unit_for(self.doc.project.currency)
        if col == self.RANGE:
            return p.range_text()
        if col == self.SOURCE:
            return p.source
        return None

    def _outside_icon(self) -> QtGui.QIcon:
        """The warning mark of a base value outside its distribution."""
        from PySide6 import QtWidgets

        return QtWidgets.QApplication.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MessageBoxWarning)

    def _tooltip(self, key: str) -> str:
        p = catalogue().parameters[key]
        s = self.scenario()
        default = self.reference().get(key, p.default[s.process])
        lines = [f"<b>{p.label}</b> <span style='color:gray'>({key})</span>", p.description, f"<i>Source:</i> {p.source}"]
        reason = self.unused().get(key)
        if reason:
            lines.insert(0, f"<b>Not used now.</b> {reason}")
        outside = row_warning(s, key, self.doc.project.currency) if key in s.uncertainty else ""
        if outside:
            lines.insert(0, f"<b>Outside its distribution.</b> {outside}")
        if p.is_choice:
            lines.extend(f"<i>{c}</i>: {MODE_DESCRIPTIONS.get(c, '')}" for c in p.choices)
        else:
            lines.append(f"<i>Valid range:</i> {p.range_text()} {p.unit_for(self.doc.project.currency)}")
        shown = default if p.is_choice else display_number(default)
        lines.append(f"<i>{p.scope.capitalize()} value.</i> {SCOPE_TIPS[p.scope]}")
        platform = "its platform template" if s.template else "the default"
        if s.parameters[key] != default:
            lines.append(f"<i>Changed from {platform}</i> {shown} (for {PROCESS_LABELS[s.process]}); Ctrl+R puts it back")
        else:
            lines.append(f"<i>The value of {platform}</i>")
        return "<br>".join(lines)

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):
        key = self.key(index)
        if key is None or index.column() != self.VALUE or role != Qt.ItemDataRole.EditRole:
            return False
        p = catalogue().parameters[key]
        s = self.scenario()
        try:
            if p.is_choice:
                number = str(value).strip()
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                number = value
            else:
                number = parse_number(value)
            owner = QtCore.QObject.parent(self)  # the editor widget (parent() is the model's tree parent)
            window = owner.window() if owner is not None else None
            if not offer_move(self.doc, getattr(window, "prompts", None), window, self.scenario_index, key, number):
                self.doc.set_parameter(self.scenario_index, key, number)
        except InputError as e:
            msg = str(e)
            prefix = f"scenario '{s.name}', parameter '{key}' ({p.label}): "
            if msg.startswith(prefix):
                msg = msg[len(prefix) :]
            was = s.parameters[key] if p.is_choice else display_number(s.parameters[key])
            self.refused.emit(key, f"{p.label}: {msg}. The value stays {was}.")
            return False
        self.accepted.emit(key)
        return True


#: what the Scope column's tooltip says
SCOPE_TIPS = {
    "platform": "How the manufacturing platform works (process, facility, labour, logistics, finance): saved in a"
    " platform template and shared between clients.",
    "product": "What this product is (demand, dose, price, clinical response): it stays in this project and never"
    " goes into a platform template.",
}


def _bundled_reference(scenario) -> dict:
    """The platform values of a scenario from the bundled templates (the window gives its library)."""
    from cgtdesk.core.templates import bundled_library
    from cgtdesk.gui.library import reference_values

    return reference_values(scenario, bundled_library())[0]


class ParameterFilter(QtCore.QSortFilterProxyModel):
    """Filters the parameter tree by label, key or group (case-insensitive)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self._text = ""

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().lower()
        self.endFilterChange(QtCore.QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row, parent):
        if not self._text:
            return True
        model = self.sourceModel()
        ix = model.index(row, 0, parent)
        key = model.key(ix)
        if key is None:
            return self._text in model._groups[row][0].lower()
        p = catalogue().parameters[key]
        return self._text in p.label.lower() or self._text in key.lower()


class ResultsModel(QtCore.QAbstractTableModel):
    """Every result of every scenario: rows are results, columns Result, Unit, then scenarios."""

    RawRole = Qt.ItemDataRole.UserRole + 2
    FIXED = 2

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self._keys = list(catalogue().results)
        doc.parameterChanged.connect(self._on_parameter_changed)
        doc.scenariosChanged.connect(self.reset)

    def reset(self):
        self.beginResetModel()
        self.endResetModel()

    def _on_parameter_changed(self, index: int, key: str):
        col = index + self.FIXED
        self.dataChanged.emit(self.index(0, col), self.index(len(self._keys) - 1, col))

    def rowCount(self, parent=QtCore.QModelIndex()):
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent=QtCore.QModelIndex()):
        return 0 if parent.isValid() else self.FIXED + len(self.doc.project.scenarios)

    def result_key(self, row: int) -> str:
        return self._keys[row]

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical:
            return self._row_header(section, role)
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                if section == 0:
                    return "Result"
                if section == 1:
                    return "Unit"
                return self.doc.project.scenarios[section - self.FIXED].name
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
            if role == Qt.ItemDataRole.ToolTipRole and section >= self.FIXED:
                s = self.doc.project.scenarios[section - self.FIXED]
                return f"{s.name}\n{PROCESS_LABELS[s.process]}"
        return None

    def _row_header(self, row: int, role):
        """The result's name as the row's header: the view keeps it in sight when scrolled sideways."""
        if not 0 <= row < len(self._keys):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return catalogue().results[self._keys[row]].label
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            info = catalogue().results[self._keys[row]]
            return f"{info.label} ({self._keys[row]})"
        return None

    def raw(self, row: int, col: int):
        """The value a copy gives: a number (full precision), text for the label columns, '' for none."""
        info = catalogue().results[self._keys[row]]
        if col == 0:
            return info.label
        if col == 1:
            return info.unit_for(self.doc.project.currency)
        s = self.doc.project.scenarios[col - self.FIXED]
        res = self.doc.results(s)
        v = None if res is None else res.get(self._keys[row])
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return None
        return float(v)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col < self.FIXED:
                return self.raw(row, col)
            info = catalogue().results[self._keys[row]]
            return format_value(self.raw(row, col), info.kind, self.doc.project.currency)
        if role == self.RawRole:
            return self.raw(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= self.FIXED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col >= self.FIXED:
            s = self.doc.project.scenarios[col - self.FIXED]
            err = self.doc.error(s)
            if err:
                return f"No result: {err}"
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return QtGui.QPalette().color(QtGui.QPalette.ColorRole.PlaceholderText)
        return None

    def tsv(self, indexes) -> str:
        """Tab-separated text of the selected cells with headers, for pasting into Excel as cells.

        The bounding rectangle of the selection is copied; the header row names the columns and
        the result label is added at the left when the Result column is not selected.
        """
        if not indexes:
            return ""
        r = [i.row() for i in indexes]
        c = [i.column() for i in indexes]
        rows = list(range(min(r), max(r) + 1))
        cols = list(range(min(c), max(c) + 1))
        selected = {(i.row(), i.column()) for i in indexes}
        if 0 not in cols:
            cols = [0, *cols]
        header = [str(self.headerData(c, Qt.Orientation.Horizontal)) for c in cols]
        lines = ["\t".join(_cell(h) for h in header)]
        for r in rows:
            cells = []
            for c in cols:
                v = self.raw(r, c) if (c == 0 or (r, c) in selected) else None
                cells.append(_cell(v))
            lines.append("\t".join(cells))
        return "\r\n".join(lines) + "\r\n"


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v))
    return safe_cell(str(v).replace("\t", " ").replace("\n", " ").replace("\r", " "))
