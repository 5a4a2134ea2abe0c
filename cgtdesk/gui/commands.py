"""Undoable changes to a project: small commands whose redo() does and undo() undoes.

Consecutive edits of one value (same scenario, same key) merge into one undo step.
"""

from __future__ import annotations

import copy

from PySide6 import QtGui

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.formatting import display_number

SET_PARAMETER_ID = 1001


class SetParameterCommand(QtGui.QUndoCommand):
    def __init__(self, doc, scenario, key, old, new, results=None):
        super().__init__()
        self.doc, self.scenario, self.key = doc, scenario, key
        self.old, self.new = old, new
        self._results = results  # computed while checking the value; used on the first redo
        self._label()

    def _label(self):
        p = catalogue().parameters[self.key]
        shown = self.new if p.is_choice else display_number(self.new)
        self.setText(f"{p.label} = {shown} in '{self.scenario.name}'")

    def id(self):
        return SET_PARAMETER_ID

    def mergeWith(self, other) -> bool:
        if not isinstance(other, SetParameterCommand) or other.scenario is not self.scenario or other.key != self.key:
            return False
        self.new = other.new
        self._label()
        if self.new == self.old and type(self.new) is type(self.old):
            self.setObsolete(True)
        return True

    def redo(self):
        self.doc._set_value(self.scenario, self.key, self.new, self._results)
        self._results = None

    def undo(self):
        self.doc._set_value(self.scenario, self.key, self.old)


class InsertScenarioCommand(QtGui.QUndoCommand):
    def __init__(self, doc, index, scenario, text):
        super().__init__(text)
        self.doc, self.index, self.scenario = doc, index, scenario

    def redo(self):
        self.doc._insert(self.index, self.scenario)

    def undo(self):
        self.doc._remove(self.index)


class RemoveScenarioCommand(QtGui.QUndoCommand):
    def __init__(self, doc, index):
        self.scenario = doc.project.scenarios[index]
        super().__init__(f"Delete scenario '{self.scenario.name}'")
        self.doc, self.index = doc, index

    def redo(self):
        self.doc._remove(self.index)

    def undo(self):
        self.doc._insert(self.index, self.scenario)


class RenameScenarioCommand(QtGui.QUndoCommand):
    def __init__(self, doc, scenario, old, new):
        super().__init__(f"Rename '{old}' to '{new}'")
        self.doc, self.scenario, self.old, self.new = doc, scenario, old, new

    def redo(self):
        self.doc._rename(self.scenario, self.new)

    def undo(self):
        self.doc._rename(self.scenario, self.old)


class MoveScenarioCommand(QtGui.QUndoCommand):
    def __init__(self, doc, index, new_index):
        super().__init__(f"Move scenario '{doc.project.scenarios[index].name}'")
        self.doc, self.index, self.new_index = doc, index, new_index

    def redo(self):
        self.doc._move(self.index, self.new_index)

    def undo(self):
        self.doc._move(self.new_index, self.index)


class ReplaceProjectCommand(QtGui.QUndoCommand):
    """Import of a workbook over the open project: the whole project at once."""

    def __init__(self, doc, project, text):
        super().__init__(text)
        self.doc, self.old, self.new = doc, doc.project, project

    def redo(self):
        self.doc._replace(self.new)

    def undo(self):
        self.doc._replace(self.old)


class SetUncertaintyCommand(QtGui.QUndoCommand):
    """A scenario's uncertainty distributions and correlations, replaced together (validated before)."""

    def __init__(self, doc, scenario, uncertainty, correlations, text):
        super().__init__(text)
        self.doc, self.scenario = doc, scenario
        self.old = ({k: dict(v) for k, v in scenario.uncertainty.items()}, [dict(c) for c in scenario.correlations])
        self.new = (uncertainty, correlations)

    def redo(self):
        self.doc._set_uncertainty(self.scenario, {k: dict(v) for k, v in self.new[0].items()}, [dict(c) for c in self.new[1]])

    def undo(self):
        self.doc._set_uncertainty(self.scenario, {k: dict(v) for k, v in self.old[0].items()}, [dict(c) for c in self.old[1]])


class SetPlanCommand(QtGui.QUndoCommand):
    """The project's launch plan replaced by another (validated before), or added or removed (None)."""

    def __init__(self, doc, plan, text):
        super().__init__(text)
        self.doc = doc
        self.old = copy.deepcopy(doc.project.plan)
        self.new = copy.deepcopy(plan)

    def redo(self):
        self.doc._set_plan(copy.deepcopy(self.new))

    def undo(self):
        self.doc._set_plan(copy.deepcopy(self.old))


class ApplyTemplateCommand(QtGui.QUndoCommand):
    """Values of newer template versions taken into scenarios, and the version each then records:
    one step for every scenario. ``changes``: (scenario, {key: value}, template ref)."""

    def __init__(self, doc, changes, text):
        super().__init__(text)
        self.doc = doc
        self.new = [(s, dict(values), dict(ref)) for s, values, ref in changes]
        self.old = [(s, {k: s.parameters[k] for k in values}, dict(s.template or {})) for s, values, _ in changes]

    def _apply(self, changes):
        for scenario, values, ref in changes:
            for key, value in values.items():
                self.doc._set_value(scenario, key, value)
            self.doc._set_template(scenario, ref)

    def redo(self):
        self._apply(self.new)

    def undo(self):
        self._apply(self.old)
