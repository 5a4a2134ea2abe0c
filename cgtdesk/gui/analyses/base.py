"""The base of every analysis view: follows the document, knows the selected scenario."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from cgtdesk.gui.analyses.common import fill_combo


class AnalysisView(QtWidgets.QWidget):
    """A view over ``doc`` (a ProjectDocument). ``current()`` gives the selected scenario index."""

    title = "Analysis"

    def __init__(self, doc, current=None, parent=None):
        super().__init__(parent)
        self.doc = doc
        self._current = current or (lambda: 0)
        self._changed_timer = QtCore.QTimer(self)
        self._changed_timer.setSingleShot(True)
        self._changed_timer.setInterval(150)  # edits typed in a row: one update
        self._changed_timer.timeout.connect(self._inputs_changed)
        doc.parameterChanged.connect(self._on_doc_changed)
        doc.scenariosChanged.connect(self._on_doc_changed)
        doc.uncertaintyChanged.connect(self._on_doc_changed)
        if hasattr(doc, "projectLoaded"):  # New, Open, Recover: nothing of the old project stays shown
            doc.projectLoaded.connect(self.project_loaded)

    @property
    def project(self):
        return self.doc.project

    def current_name(self) -> str:
        sc = self.doc.scenarios
        i = self._current()
        return sc[i].name if 0 <= i < len(sc) else sc[0].name

    def scenario_items(self):
        return [(s.name, s.name) for s in self.doc.scenarios]

    def fill_scenarios(self, combo, want=None):
        fill_combo(combo, self.scenario_items(), want)

    def _on_doc_changed(self, *_):
        self.refresh_choices()
        self._changed_timer.start()

    def _inputs_changed(self):
        self.inputs_changed()

    # ---- for subclasses
    def refresh_choices(self):
        """Scenario names etc. changed: update the combos."""

    def inputs_changed(self):
        """The project changed (after a short pause)."""

    def follow_scenario(self, name: str):
        """The user selected another scenario in the main window."""

    def project_loaded(self):
        """Another project replaced the old one: drop every answer about the old one."""

    def set_theme(self, dark: bool):
        """Light or dark, beyond the charts (which the panel restyles itself)."""

    def shutdown(self):
        """Stop background work (the window closes)."""
