"""The launch plan's editor: years, demand (an S-curve or a number per year, pasted from Excel),
look-ahead and process switches.

Every edit is one undoable step through :meth:`ProjectDocument.set_plan`: the editor builds the
changed plan block, validates it with :func:`cgtdesk.core.project.plan_from_dict` and, when the
core refuses it, shows the core's message under the fields and puts the old value back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from cgtdesk.core.analyses.plan_engine import demand_path
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import display_number, parse_number
from cgtdesk.core.project import plan_from_dict

SCURVE_FIELDS = (
    ("launch_year", "Launch year", "The calendar year of the first patient"),
    ("peak_patients_per_year", "Peak patients/yr", "Patients a year once the ramp is complete"),
    ("years_to_peak", "Years to peak", "Years from launch until the peak is reached (an S-curve)"),
)


def parse_pasted(text: str) -> list[float]:
    """Numbers from text copied out of a spreadsheet (tabs, new lines, semicolons); InputError names the first bad cell."""
    cells = [c for line in text.replace(";", "\t").splitlines() for c in line.split("\t")]
    return [parse_number(c) for c in cells if c.strip()]


class PasteTable(QtWidgets.QTableWidget):
    """The per-year demand table: Ctrl+V pastes a column (or row) of numbers from the current cell down."""

    pasted = QtCore.Signal(str)

    def keyPressEvent(self, ev: QtGui.QKeyEvent):
        if ev.matches(QtGui.QKeySequence.StandardKey.Paste):
            self.pasted.emit(QtWidgets.QApplication.clipboard().text())
            ev.accept()
            return
        super().keyPressEvent(ev)


class PlanEditor(QtWidgets.QWidget):
    """Fields of the document's plan; ``refused`` carries the reason an edit was refused."""

    refused = QtCore.Signal(str)

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self._filling = False
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        form = QtWidgets.QFormLayout()
        self.fields: dict[str, QtWidgets.QLineEdit] = {}
        self._field(form, "first_year", "First year", "The plan's first calendar year", self._set_first_year)
        self._field(form, "years", "Years", "How many years the plan covers (1 to 40)", self._set_years)
        self._field(
            form,
            "look_ahead_years",
            "Look-ahead (years)",
            "Capacity is sized for the peak demand this many years ahead",
            self._set_look,
        )
        lay.addLayout(form)
        lay.addWidget(self._demand_box())
        lay.addWidget(self._switch_box(), 1)
        self.error = QtWidgets.QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #D55E00")
        self.error.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.error)
        self.remove_button = QtWidgets.QPushButton("Remove the launch plan")
        self.remove_button.clicked.connect(lambda: self.doc.set_plan(None, "Remove the launch plan"))
        lay.addWidget(self.remove_button, 0, QtCore.Qt.AlignmentFlag.AlignLeft)

    # ---------------------------------------------------------------- building

    def _field(self, form, key, label, tip, slot, parent_form=True) -> QtWidgets.QLineEdit:
        edit = QtWidgets.QLineEdit()
        edit.setObjectName(key)
        edit.setToolTip(tip)
        edit.setMaximumWidth(140)
        edit.editingFinished.connect(lambda: None if self._filling else slot(edit.text()))
        form.addRow(label + ":", edit)
        self.fields[key] = edit
        return edit

    def _demand_box(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox("Demand (patients a year, every scenario)")
        lay = QtWidgets.QVBoxLayout(box)
        row = QtWidgets.QHBoxLayout()
        self.scurve_radio = QtWidgets.QRadioButton("S-curve")
        self.table_radio = QtWidgets.QRadioButton("Year by year")
        self.table_radio.setToolTip("Type a number per year, or paste a column copied from Excel (Ctrl+V)")
        self.scurve_radio.toggled.connect(lambda on: None if self._filling or not on else self._to_scurve())
        self.table_radio.toggled.connect(lambda on: None if self._filling or not on else self._to_table())
        row.addWidget(self.scurve_radio)
        row.addWidget(self.table_radio)
        row.addStretch(1)
        lay.addLayout(row)
        self.scurve = QtWidgets.QWidget()
        form = QtWidgets.QFormLayout(self.scurve)
        form.setContentsMargins(0, 0, 0, 0)
        for key, label, tip in SCURVE_FIELDS:
            self._field(form, key, label, tip, lambda text, k=key: self._set_scurve(k, text))
        lay.addWidget(self.scurve)
        self.table = PasteTable(0, 2)
        self.table.setHorizontalHeaderLabels(["Year", "Patients/yr"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(160)
        self.table.itemChanged.connect(self._cell_changed)
        self.table.pasted.connect(self.paste)
        lay.addWidget(self.table)
        return box

    def _switch_box(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox("Process switches after launch")
        lay = QtWidgets.QVBoxLayout(box)
        self.switches = QtWidgets.QTableWidget(0, 3)
        self.switches.setHorizontalHeaderLabels(["From", "To", "Year"])
        self.switches.verticalHeader().setVisible(False)
        self.switches.horizontalHeader().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.switches.horizontalHeader().setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.switches.setMinimumHeight(90)
        self.switches.itemChanged.connect(self._switch_year_changed)
        lay.addWidget(self.switches)
        row = QtWidgets.QHBoxLayout()
        self.add_switch_button = QtWidgets.QPushButton("Add switch")
        self.add_switch_button.clicked.connect(self.add_switch)
        self.remove_switch_button = QtWidgets.QPushButton("Remove switch")
        self.remove_switch_button.clicked.connect(self.remove_switch)
        row.addWidget(self.add_switch_button)
        row.addWidget(self.remove_switch_button)
        row.addStretch(1)
        lay.addLayout(row)
        return box

    # ---------------------------------------------------------------- showing the plan

    @property
    def plan(self):
        return self.doc.project.plan

    def refresh(self):
        """Show the document's plan (after any change, undo included)."""
        p = self.plan
        if p is None:
            return
        self._filling = True
        try:
            self.fields["first_year"].setText(str(p.first_year))
            self.fields["years"].setText(str(p.years))
            self.fields["look_ahead_years"].setText(str(p.look_ahead_years))
            scurve = "patients_per_year" not in p.demand
            self.scurve_radio.setChecked(scurve)
            self.table_radio.setChecked(not scurve)
            self.scurve.setVisible(scurve)
            for key, _label, _tip in SCURVE_FIELDS:
                self.fields[key].setText(self._shown(key, p.demand[key]) if scurve else "")
                self.fields[key].setEnabled(scurve)
            self._fill_table(p)
            self._fill_switches(p)
        finally:
            self._filling = False

    @staticmethod
    def _shown(key: str, value) -> str:
        return str(int(value)) if key == "launch_year" else display_number(value)

    def _fill_table(self, p):
        path = demand_path(p)
        editable = "patients_per_year" in p.demand
        self.table.setRowCount(p.years)
        for i in range(p.years):
            year = QtWidgets.QTableWidgetItem(str(p.first_year + i))
            year.setFlags(year.flags() & ~QtCore.Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(i, 0, year)
            value = QtWidgets.QTableWidgetItem(display_number(round(float(path[i]), 6)))
            if not editable:
                value.setFlags(value.flags() & ~QtCore.Qt.ItemFlag.ItemIsEditable)
                value.setToolTip("From the S-curve: choose Year by year to type or paste numbers")
            self.table.setItem(i, 1, value)

    def _fill_switches(self, p):
        names = self.doc.project.names()
        self.switches.setRowCount(len(p.switches))
        for i, sw in enumerate(p.switches):
            for col, end in enumerate(("from", "to")):
                combo = self.switches.cellWidget(i, col)
                if combo is None:  # kept between refreshes: a refresh may run inside the combo's own signal
                    combo = QtWidgets.QComboBox()
                    combo.currentTextChanged.connect(lambda text, r=i, e=end: self._set_switch(r, e, text))
                    self.switches.setCellWidget(i, col, combo)
                combo.blockSignals(True)
                combo.clear()
                combo.addItems(names)
                combo.setCurrentText(sw[end])
                combo.blockSignals(False)
            self.switches.setItem(i, 2, QtWidgets.QTableWidgetItem(str(sw["year"])))
        self.remove_switch_button.setEnabled(bool(p.switches))
        self.add_switch_button.setEnabled(len(names) >= 2)

    # ---------------------------------------------------------------- edits

    def apply(self, change: Callable[[dict], None], text: str) -> bool:
        """Change a copy of the plan block, validate it, and set it as one undo step; False when refused."""
        d = self.plan.to_dict()
        try:
            change(d)
            new = plan_from_dict(d, self.doc.project.names())
        except InputError as e:
            self.error.setText(str(e))
            self.refused.emit(str(e))
            self.refresh()  # the old value back in place
            return False
        self.error.setText("")
        self.doc.set_plan(new, text)
        return True

    def _number(self, text: str):
        return parse_number(text)

    def _set_first_year(self, text):
        def change(d):
            old = d["first_year"]
            d["first_year"] = self._number(text)
            shift = d["first_year"] - old if isinstance(d["first_year"], (int, float)) else 0
            if "launch_year" in d["demand"]:  # the launch keeps its place in the plan
                d["demand"]["launch_year"] = d["demand"]["launch_year"] + shift
            for sw in d["switches"]:
                sw["year"] = sw["year"] + shift

        if text.strip() != str(self.plan.first_year):
            self.apply(change, f"Launch plan: first year {text.strip()}")

    def _set_years(self, text):
        def change(d):
            d["years"] = self._number(text)
            path = d["demand"].get("patients_per_year")
            if path is not None and isinstance(d["years"], (int, float)) and d["years"] == int(d["years"]) and d["years"] > 0:
                n = int(d["years"])  # the path follows: cut, or carried on at its last value
                d["demand"]["patients_per_year"] = (path + [path[-1] if path else 0] * n)[:n]

        if text.strip() != str(self.plan.years):
            self.apply(change, f"Launch plan: {text.strip()} years")

    def _set_look(self, text):
        if text.strip() != str(self.plan.look_ahead_years):
            self.apply(lambda d: d.update(look_ahead_years=self._number(text)), f"Launch plan: look-ahead {text.strip()}")

    def _set_scurve(self, key, text):
        old = self.plan.demand.get(key)
        if old is not None and text.strip() == self._shown(key, old):
            return
        label = dict((k, lab) for k, lab, _ in SCURVE_FIELDS)[key]
        self.apply(lambda d: d["demand"].update({key: self._number(text)}), f"Launch plan: {label.lower()} {text.strip()}")

    def _to_table(self):
        path = [round(float(v), 6) for v in demand_path(self.plan)]
        self.apply(lambda d: d.update(demand={"patients_per_year": path}), "Launch plan: demand year by year")

    def _to_scurve(self):
        p = self.plan
        path = list(p.demand.get("patients_per_year", []))
        first = next((i for i, v in enumerate(path) if v > 0), 0)
        peak = max(path) if path and max(path) > 0 else 500
        curve = {"launch_year": p.first_year + first, "peak_patients_per_year": peak, "years_to_peak": 5}
        self.apply(lambda d: d.update(demand=curve), "Launch plan: S-curve demand")

    def _cell_changed(self, item):
        if self._filling or item.column() != 1 or "patients_per_year" not in self.plan.demand:
            return
        row, text = item.row(), item.text()

        def change(d):
            d["demand"]["patients_per_year"][row] = self._number(text)

        self.apply(change, f"Launch plan: {self.plan.first_year + row} demand {text.strip()}")

    def paste(self, text: str) -> bool:
        """Numbers copied from a spreadsheet, into the per-year demand from the current row down (one step)."""
        if "patients_per_year" not in self.plan.demand:
            self._to_table()
        row = max(0, self.table.currentRow())

        def change(d):
            values = parse_pasted(text)
            path = d["demand"]["patients_per_year"]
            if row + len(values) > len(path):
                raise InputError(
                    f"plan.demand.patients_per_year: {len(values)} numbers pasted from {d['first_year'] + row} "
                    f"run past the plan's last year ({d['first_year'] + len(path) - 1}); extend the plan first"
                )
            path[row : row + len(values)] = values

        return self.apply(change, "Launch plan: paste demand")

    def add_switch(self):
        p, names = self.plan, self.doc.project.names()
        if len(names) < 2:
            return
        year = min(p.first_year + p.years - 1, p.first_year + p.years // 2)
        self.apply(lambda d: d["switches"].append({"from": names[0], "to": names[1], "year": year}), "Launch plan: add a switch")

    def remove_switch(self):
        row = self.switches.currentRow()
        row = row if 0 <= row < len(self.plan.switches) else len(self.plan.switches) - 1
        if row >= 0:
            self.apply(lambda d: d["switches"].pop(row), "Launch plan: remove a switch")

    def _set_switch(self, row, end, text):
        if not self._filling:
            self.apply(lambda d: d["switches"][row].update({end: text}), f"Launch plan: switch {end} '{text}'")

    def _switch_year_changed(self, item):
        if self._filling or item.column() != 2:
            return
        row, text = item.row(), item.text()
        if text.strip() != str(self.plan.switches[row]["year"]):
            self.apply(lambda d: d["switches"][row].update(year=self._number(text)), f"Launch plan: switch in {text.strip()}")
