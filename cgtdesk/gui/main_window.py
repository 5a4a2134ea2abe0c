"""The main window: the project's scenarios and their results table."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from cgtdesk.cli import format_value
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.model import evaluate_scenario


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, project, path=None):
        super().__init__()
        self.project = project
        self.path = path
        self.setWindowTitle(f"{path.name if path else project.title} - CGT Desk")
        splitter = QtWidgets.QSplitter()
        self.scenario_list = QtWidgets.QListWidget()
        for s in project.scenarios:
            self.scenario_list.addItem(f"{s.name}  ({s.process})")
        self.results = QtWidgets.QTableWidget()
        splitter.addWidget(self.scenario_list)
        splitter.addWidget(self.results)
        splitter.setSizes([320, 1100])
        self.setCentralWidget(splitter)
        self.refresh()

    def refresh(self):
        results = catalogue().results
        self.results.setRowCount(len(results))
        self.results.setColumnCount(len(self.project.scenarios))
        self.results.setHorizontalHeaderLabels([s.name for s in self.project.scenarios])
        self.results.setVerticalHeaderLabels([f"{r.label} ({r.unit_for(self.project.currency)})" for r in results.values()])
        for j, s in enumerate(self.project.scenarios):
            r = evaluate_scenario(s)
            for i, (key, info) in enumerate(results.items()):
                item = QtWidgets.QTableWidgetItem(format_value(r[key], info.kind, self.project.currency))
                item.setTextAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
                self.results.setItem(i, j, item)
        self.results.resizeColumnsToContents()
