"""The open project as the GUI sees it: the project, its file, its undo stack, its results.

Every change goes through :class:`ProjectDocument` as an undoable command (``commands.py``);
views listen to its signals and never change the project themselves. Results are cached per
scenario and recomputed only for the scenario that changed.
"""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6 import QtCore, QtGui

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import DomainError, InputError
from cgtdesk.core.formatting import fmt_number
from cgtdesk.core.project import MAX_SCENARIOS, Project, Scenario, check_value

MAX_NAME = 200


class ProjectDocument(QtCore.QObject):
    """The project being edited. Signals tell the views what changed."""

    #: scenario index, parameter key
    parameterChanged = QtCore.Signal(int, str)
    #: scenarios added, removed, renamed, moved, or the whole project replaced
    scenariosChanged = QtCore.Signal()
    #: another project was loaded (new, open, recover): emitted just before its scenariosChanged
    projectLoaded = QtCore.Signal()
    #: the file this project lives in changed (open, save as)
    pathChanged = QtCore.Signal()
    modifiedChanged = QtCore.Signal(bool)
    #: scenario index: its uncertainty distributions or correlations changed
    uncertaintyChanged = QtCore.Signal(int)
    #: the launch plan was added, changed or removed
    planChanged = QtCore.Signal()
    #: scenario index: the template it records changed (the editor's platform marks follow)
    templateChanged = QtCore.Signal(int)

    def __init__(self, project: Project, path: Path | None = None, parent=None):
        super().__init__(parent)
        self.project = project
        self.path = Path(path) if path else None
        self.undo_stack = QtGui.QUndoStack(self)
        self._dirty = False  # changed without a command (a recovered file)
        self.origin: str | None = None  # the workbook an unsaved project was read from
        self._cache: dict[int, tuple[Scenario, dict | None, str | None]] = {}
        self.undo_stack.cleanChanged.connect(self._clean_changed)

    def _clean_changed(self, _clean: bool) -> None:
        try:
            modified = self.is_modified()
        except RuntimeError:  # the stack is being destroyed with the window
            return
        self.modifiedChanged.emit(modified)

    # ------------------------------------------------------------ state

    def is_modified(self) -> bool:
        return self._dirty or not self.undo_stack.isClean()

    def set_dirty(self, dirty: bool = True) -> None:
        self._dirty = dirty
        self.modifiedChanged.emit(self.is_modified())

    def mark_saved(self, path: Path | None = None) -> None:
        if path is not None and path != self.path:
            self.path = Path(path)
            self.pathChanged.emit()
        self._dirty = False
        self.undo_stack.setClean()
        self.modifiedChanged.emit(False)

    def display_name(self) -> str:
        if self.path:
            return self.path.name
        return f"{self.origin} (not yet saved as a project)" if self.origin else "Untitled"

    def load(self, project: Project, path: Path | None = None, origin: str | None = None) -> None:
        """Another project in this window (new, open, recover): history cleared, nothing modified."""
        self.undo_stack.clear()
        self.project = project
        self.path = Path(path) if path else None
        self.origin = origin
        self._cache.clear()
        self._dirty = False
        self.undo_stack.setClean()
        self.projectLoaded.emit()
        self.scenariosChanged.emit()
        self.pathChanged.emit()
        self.modifiedChanged.emit(False)

    @property
    def scenarios(self) -> list[Scenario]:
        return self.project.scenarios

    def index_of(self, scenario: Scenario) -> int:
        for i, s in enumerate(self.project.scenarios):
            if s is scenario:
                return i
        return -1

    # ------------------------------------------------------------ results

    def results(self, scenario: Scenario) -> dict | None:
        """The scenario's results (cached), or None when its inputs together make no sense."""
        hit = self._cache.get(id(scenario))
        if hit is not None and hit[0] is scenario:
            return hit[1]
        from cgtdesk.core.model import evaluate

        try:
            res, err = evaluate(scenario.process, scenario.parameters), None
        except InputError as e:  # DomainError included
            res, err = None, str(e)
        self._cache[id(scenario)] = (scenario, res, err)
        return res

    def error(self, scenario: Scenario) -> str | None:
        self.results(scenario)
        return self._cache[id(scenario)][2]

    def _invalidate(self, scenario: Scenario, results: dict | None = None) -> None:
        if results is None:
            self._cache.pop(id(scenario), None)
        else:
            self._cache[id(scenario)] = (scenario, results, None)

    # ------------------------------------------------------------ checks

    def check_parameter(self, scenario: Scenario, key: str, value):
        """(clean value, results) if ``value`` is acceptable for ``key``; else InputError/DomainError."""
        from cgtdesk.core.model import evaluate

        p = catalogue().parameters[key]
        if not p.applies_to(scenario.process):
            raise InputError(f"'{key}' is not a parameter of the {scenario.process} process")
        v = check_value(key, value, f"scenario '{scenario.name}'")
        params = dict(scenario.parameters)
        params[key] = v
        try:
            res = evaluate(scenario.process, params)
        except DomainError as e:
            raise DomainError(
                f"scenario '{scenario.name}', parameter '{key}' ({p.label}) = {v if p.is_choice else fmt_number(v)}: {e}", e.keys
            ) from None
        return v, res

    def check_name(self, name: str, *, ignore: Scenario | None = None) -> str:
        name = str(name).strip()
        if not name:
            raise InputError("a scenario needs a name; expected some text, found nothing")
        if len(name) > MAX_NAME:
            raise InputError(f"a scenario name has at most {MAX_NAME} characters, found {len(name)}")
        for s in self.project.scenarios:
            if s is not ignore and s.name == name:
                raise InputError(f"the project already has a scenario named '{name}'; expected a new name")
        return name

    def unique_name(self, base: str) -> str:
        names = set(self.project.names())
        if base not in names:
            return base
        n = 2
        while f"{base} ({n})" in names:
            n += 1
        return f"{base} ({n})"

    # ------------------------------------------------------------ changes (undoable)

    def set_parameter(self, index: int, key: str, value) -> None:
        """Set one value through the undo stack; InputError (value refused) leaves everything as it was."""
        from cgtdesk.gui.commands import SetParameterCommand

        scenario = self.project.scenarios[index]
        v, res = self.check_parameter(scenario, key, value)
        old = scenario.parameters[key]
        if old == v and type(old) is type(v):
            return
        self.undo_stack.push(SetParameterCommand(self, scenario, key, old, v, res))

    def add_scenario(self, scenario: Scenario, index: int | None = None) -> int:
        from cgtdesk.gui.commands import InsertScenarioCommand

        if len(self.project.scenarios) >= MAX_SCENARIOS:
            raise InputError(f"a project holds at most {MAX_SCENARIOS} scenarios")
        scenario.name = self.check_name(scenario.name)
        index = len(self.project.scenarios) if index is None else index
        self.undo_stack.push(InsertScenarioCommand(self, index, scenario, f"Add scenario '{scenario.name}'"))
        return index

    def duplicate_scenario(self, index: int) -> int:
        src = self.project.scenarios[index]
        copy = src.copy()
        copy.name = self.unique_name(f"{src.name} (copy)" if not src.name.endswith("(copy)") else src.name)
        from cgtdesk.gui.commands import InsertScenarioCommand

        if len(self.project.scenarios) >= MAX_SCENARIOS:
            raise InputError(f"a project holds at most {MAX_SCENARIOS} scenarios")
        self.undo_stack.push(InsertScenarioCommand(self, index + 1, copy, f"Duplicate scenario '{src.name}'"))
        return index + 1

    def rename_scenario(self, index: int, name: str) -> None:
        from cgtdesk.gui.commands import RenameScenarioCommand

        scenario = self.project.scenarios[index]
        name = self.check_name(name, ignore=scenario)
        if name != scenario.name:
            self.undo_stack.push(RenameScenarioCommand(self, scenario, scenario.name, name))

    def delete_scenario(self, index: int) -> None:
        from cgtdesk.gui.commands import RemoveScenarioCommand

        if len(self.project.scenarios) <= 1:
            raise InputError("a project keeps at least one scenario; add another one before deleting this one")
        plan, name = self.project.plan, self.project.scenarios[index].name
        if plan is None or not any(name in (sw["from"], sw["to"]) for sw in plan.switches):
            self.undo_stack.push(RemoveScenarioCommand(self, index))
            return
        from cgtdesk.gui.commands import SetPlanCommand

        kept = copy.deepcopy(plan)
        kept.switches = [sw for sw in kept.switches if name not in (sw["from"], sw["to"])]
        self.undo_stack.beginMacro(f"Delete scenario '{name}'")
        self.undo_stack.push(SetPlanCommand(self, kept, f"Remove the switches of '{name}'"))
        self.undo_stack.push(RemoveScenarioCommand(self, index))
        self.undo_stack.endMacro()

    def move_scenario(self, index: int, new_index: int) -> None:
        from cgtdesk.gui.commands import MoveScenarioCommand

        n = len(self.project.scenarios)
        if not (0 <= index < n and 0 <= new_index < n) or index == new_index:
            return
        self.undo_stack.push(MoveScenarioCommand(self, index, new_index))

    def set_uncertainty(self, index: int, key: str, dist: dict | None) -> None:
        """Give ``key`` of scenario ``index`` a distribution (None: remove it), undoably.

        Validated by ``check_distribution``; InputError leaves everything as it was. Removing a
        distribution (or making it fixed) also removes the correlations of that key, in the same step.
        """
        from cgtdesk.core.project import check_correlations, check_distribution
        from cgtdesk.gui.commands import SetUncertaintyCommand

        scenario = self.project.scenarios[index]
        where = f"scenario '{scenario.name}'"
        p = catalogue().parameters.get(key)
        if p is None or not p.applies_to(scenario.process):
            raise InputError(f"{where}: '{key}' is not a parameter of the {scenario.process} process")
        unc = {k: dict(v) for k, v in scenario.uncertainty.items()}
        if dist is None:
            if key not in unc:
                return
            unc.pop(key)
            text = f"Remove the uncertainty of {p.label} in '{scenario.name}'"
        else:
            clean = check_distribution(key, dist, where)
            if unc.get(key) == clean:
                return
            unc[key] = clean
            text = f"{p.label}: {clean['dist']} distribution in '{scenario.name}'"
        corrs = [
            dict(c) for c in scenario.correlations if key not in (c["a"], c["b"]) or (key in unc and unc[key]["dist"] != "fixed")
        ]
        corrs = check_correlations(corrs, unc, scenario.process, where)
        self.undo_stack.push(SetUncertaintyCommand(self, scenario, unc, corrs, text))

    def set_correlations(self, index: int, correlations: list[dict]) -> None:
        """Replace the rank correlations of scenario ``index`` (validated by ``check_correlations``), undoably."""
        from cgtdesk.core.project import check_correlations
        from cgtdesk.gui.commands import SetUncertaintyCommand

        scenario = self.project.scenarios[index]
        corrs = check_correlations(list(correlations), scenario.uncertainty, scenario.process, f"scenario '{scenario.name}'")
        if corrs == scenario.correlations:
            return
        unc = {k: dict(v) for k, v in scenario.uncertainty.items()}
        self.undo_stack.push(SetUncertaintyCommand(self, scenario, unc, corrs, f"Correlations of '{scenario.name}'"))

    def set_plan(self, plan, text: str) -> None:
        """Replace the launch plan (a validated ``Plan``, or None to remove it), undoably."""
        from cgtdesk.gui.commands import SetPlanCommand

        old = self.project.plan
        if (old is None and plan is None) or (old is not None and plan is not None and old.to_dict() == plan.to_dict()):
            return
        self.undo_stack.push(SetPlanCommand(self, plan, text))

    def apply_template_updates(self, steps, text: str) -> None:
        """Take values of newer template versions in one undo step. ``steps``: (scenario index,
        {key: value}, the template version it then records) per scenario. Each scenario's new
        values are checked together first; InputError naming the scenario leaves all as it was."""
        from cgtdesk.core.model import evaluate
        from cgtdesk.gui.commands import ApplyTemplateCommand

        changes = []
        for index, values, ref in steps:
            s = self.project.scenarios[index]
            where = f"scenario '{s.name}'"
            clean = {k: check_value(k, v, where) for k, v in values.items()}
            try:
                evaluate(s.process, {**s.parameters, **clean})
            except DomainError as e:
                raise DomainError(f"{where}, with the newer template's values: {e}", e.keys) from None
            changes.append((s, clean, dict(ref)))
        if changes:
            self.undo_stack.push(ApplyTemplateCommand(self, changes, text))

    def replace_project(self, project: Project, text: str) -> None:
        from cgtdesk.gui.commands import ReplaceProjectCommand

        self.undo_stack.push(ReplaceProjectCommand(self, project, text))

    # ------------------------------------------------------------ raw mutators (commands only)

    def _set_value(self, scenario: Scenario, key: str, value, results: dict | None = None) -> None:
        scenario.parameters[key] = value
        self._invalidate(scenario, results)
        self.parameterChanged.emit(self.index_of(scenario), key)

    def _insert(self, index: int, scenario: Scenario) -> None:
        self.project.scenarios.insert(index, scenario)
        self.scenariosChanged.emit()

    def _remove(self, index: int) -> Scenario:
        s = self.project.scenarios.pop(index)
        self._cache.pop(id(s), None)
        self.scenariosChanged.emit()
        return s

    def _rename(self, scenario: Scenario, name: str) -> None:
        if self.index_of(scenario) >= 0:
            self.project.rename_scenario(scenario.name, name)  # and the plan's switches that name it
        else:
            scenario.name = name
        self.scenariosChanged.emit()
        if self.project.plan is not None and self.project.plan.switches:
            self.planChanged.emit()

    def _move(self, index: int, new_index: int) -> None:
        s = self.project.scenarios.pop(index)
        self.project.scenarios.insert(new_index, s)
        self.scenariosChanged.emit()

    def _set_uncertainty(self, scenario: Scenario, uncertainty: dict, correlations: list) -> None:
        scenario.uncertainty = uncertainty
        scenario.correlations = correlations
        self.uncertaintyChanged.emit(self.index_of(scenario))

    def _replace(self, project: Project) -> None:
        self.project = project
        self._cache.clear()
        self.scenariosChanged.emit()
        self.planChanged.emit()

    def _set_template(self, scenario: Scenario, ref: dict | None) -> None:
        scenario.template = dict(ref) if ref else None
        self.templateChanged.emit(self.index_of(scenario))

    def _set_plan(self, plan) -> None:
        self.project.plan = plan
        self.planChanged.emit()
