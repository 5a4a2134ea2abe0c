"""The one owner of what the user has selected: the current scenario and the compared pair (A vs B).

Every view that shows "the current scenario" (the parameter editor, the scenario list, the
per-scenario charts, the analyses) or "the pair" (the toolbar's Compare boxes, the crossover
on the charts) reads it from here and follows its signals; none keeps its own copy.

The selection holds the scenario objects, so a rename or a reorder keeps it; it keeps itself
valid when the project changes: a deleted current scenario gives way to its neighbour, a pair
that lost a scenario falls back to the default pair, and another project (new, open, recover)
starts on its first scenario and its default pair.
"""

from __future__ import annotations

from PySide6 import QtCore

from cgtdesk import chartdata


class Selection(QtCore.QObject):
    """The current scenario and the compared pair of one :class:`ProjectDocument`."""

    #: the current scenario's name (another scenario, or the same one renamed)
    current_changed = QtCore.Signal(str)
    #: the compared pair's names, ("", "") when there is no pair (fewer than two scenarios)
    pair_changed = QtCore.Signal(str, str)

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self._current = doc.scenarios[0]
        self._index = 0  # where the current scenario was: its neighbour takes over when it goes
        self._pair = None  # (Scenario, Scenario) chosen by the user; None: the default pair
        self._shown = self._state()
        doc.projectLoaded.connect(self._reset)
        doc.scenariosChanged.connect(self._revalidate)

    # ---------------------------------------------------------------- reading

    def current(self):
        """The current scenario (a Scenario of the document's project)."""
        return self._current

    def current_name(self) -> str:
        return self._current.name

    def index(self) -> int:
        """The current scenario's position in the project."""
        return self.doc.index_of(self._current)

    def pair(self) -> tuple[str, str] | None:
        """(A, B) names of the compared pair, or None when there is none (fewer than two scenarios,
        or A and B chosen alike)."""
        if len(self.doc.scenarios) < 2:
            return None
        if self._pair is not None and all(self.doc.index_of(s) >= 0 for s in self._pair):
            a, b = (s.name for s in self._pair)
        else:
            default = chartdata.default_pair(self.doc.project)
            if default is None:
                return None
            a, b = default
        return (a, b) if a != b else None

    # ---------------------------------------------------------------- changing

    def set_current(self, which: int | str) -> None:
        """Select a scenario by its position or its name."""
        sc = self.doc.scenarios
        scenario = self.doc.project.scenario(which) if isinstance(which, str) else sc[which]
        self._current = scenario
        self._index = self.doc.index_of(scenario)
        self._announce()

    def set_pair(self, name_a: str, name_b: str) -> None:
        """Compare scenario A with scenario B (by name)."""
        project = self.doc.project
        self._pair = (project.scenario(name_a), project.scenario(name_b))
        self._announce()

    # ---------------------------------------------------------------- keeping valid

    def _reset(self):
        """Another project: its first scenario, its default pair (announced once its scenarios are out)."""
        self._current = self.doc.scenarios[0]
        self._index = 0
        self._pair = None

    def _revalidate(self):
        sc = self.doc.scenarios
        i = self.doc.index_of(self._current)
        if i < 0:
            i = max(0, min(self._index, len(sc) - 1))
            self._current = sc[i]
        self._index = i
        self._announce()  # a pair that lost a scenario reads as the default pair (and is back after an undo)

    def _state(self):
        return self._current, self._current.name, self.pair()

    def _announce(self):
        (was, was_name, was_pair), self._shown = self._shown, self._state()
        if was is not self._current or was_name != self._current.name:
            self.current_changed.emit(self._current.name)
        if was_pair != self._shown[2]:
            self.pair_changed.emit(*(self._shown[2] or ("", "")))
