"""Every question the window asks the user, in one replaceable object; the About box and the guide.

The main window never calls QMessageBox or QFileDialog to ask something itself: it asks
``window.prompts``, an instance of :class:`Prompts`. Tests pass an object with the same methods
that answers at once, so no modal dialog ever opens in a test.
"""

from __future__ import annotations

import datetime
import errno
import time
from dataclasses import dataclass

from PySide6 import QtCore, QtWidgets

from cgtdesk.core.catalogue import PROCESS_LABELS

PROJECT_FILTER = "CGT Desk projects (*.cgtproj)"
WORKBOOK_FILTER = "Excel workbooks (*.xlsx)"
OPEN_FILTER = "Projects and workbooks (*.cgtproj *.xlsx);;" + PROJECT_FILTER + ";;" + WORKBOOK_FILTER


@dataclass
class NewProjectSpec:
    title: str
    currency: str
    templates: list  # template ids, in order
    plan: bool = True  # start with the default launch plan (cgtdesk.gui.plan.defaults.default_plan)


class Prompts:
    """The real dialogs. Each method returns the user's answer (None when cancelled)."""

    def ask_save_changes(self, parent, name: str) -> str:
        """'save', 'discard' or 'cancel'."""
        box = QtWidgets.QMessageBox(parent)
        box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save the changes to {name}?")
        box.setInformativeText("Your changes are lost if you don't save them.")
        box.setStandardButtons(
            QtWidgets.QMessageBox.StandardButton.Save
            | QtWidgets.QMessageBox.StandardButton.Discard
            | QtWidgets.QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {
            QtWidgets.QMessageBox.StandardButton.Save: "save",
            QtWidgets.QMessageBox.StandardButton.Discard: "discard",
        }.get(QtWidgets.QMessageBox.StandardButton(answer), "cancel")

    def open_path(self, parent, caption: str, folder: str, filters: str) -> str | None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(parent, caption, folder, filters)
        return path or None

    def save_path(self, parent, caption: str, suggested: str, filters: str) -> str | None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(parent, caption, suggested, filters)
        return path or None

    def choose_folder(self, parent, caption: str) -> str | None:
        path = QtWidgets.QFileDialog.getExistingDirectory(parent, caption)
        return path or None

    def error(self, parent, title: str, what: str, todo: str = "") -> None:
        box = QtWidgets.QMessageBox(parent)
        box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        box.setWindowTitle(title)
        box.setText(what)
        if todo:
            box.setInformativeText(todo)
        box.exec()

    def confirm(self, parent, title: str, text: str, ok: str = "OK") -> bool:
        box = QtWidgets.QMessageBox(parent)
        box.setIcon(QtWidgets.QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setText(text)
        yes = box.addButton(ok, QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(yes)
        box.exec()
        return box.clickedButton() is yes

    def new_project(self, parent) -> NewProjectSpec | None:
        d = NewProjectDialog(parent)
        return d.spec() if d.exec() == QtWidgets.QDialog.DialogCode.Accepted else None

    def add_scenario(self, parent, suggest_name) -> tuple[str, str] | None:
        """(template id, scenario name)."""
        d = AddScenarioDialog(parent, suggest_name)
        return d.answer() if d.exec() == QtWidgets.QDialog.DialogCode.Accepted else None

    def template_details(self, parent, name: str, scenario: str) -> tuple[str, str, str] | None:
        """Name, author and description of a platform template saved from ``scenario``."""
        from cgtdesk.gui.library import TemplateDetailsDialog

        d = TemplateDetailsDialog(parent, name, scenario)
        return d.answer() if d.exec() == QtWidgets.QDialog.DialogCode.Accepted else None

    def template_updates(self, parent, updates) -> list[tuple[str, str]] | None:
        """Which values of newer template versions to take: (scenario name, key) of each ticked
        (``updates``: :class:`cgtdesk.core.templates.TemplateUpdate`); None when cancelled."""
        from cgtdesk.gui.library import UpdatesDialog

        d = UpdatesDialog(parent, updates)
        return d.chosen() if d.exec() == QtWidgets.QDialog.DialogCode.Accepted else None

    def review_changes(self, parent, title: str, summary: str, rows: list[tuple[str, str, str, str]]) -> bool:
        d = ChangesDialog(parent, title, summary, rows)
        return d.exec() == QtWidgets.QDialog.DialogCode.Accepted

    def recover(self, parent, name: str, text: str) -> str:
        """After a crash: 'recover', 'discard', or 'keep' (Cancel, or the dialog closed: the
        recovery file stays, to be offered again). ``text`` from :func:`recovery_text`."""
        box = QtWidgets.QMessageBox(parent)
        box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        box.setWindowTitle("Recover unsaved work")
        box.setText(f"Recover the unsaved changes to {name}?")
        box.setInformativeText(text)
        recover = box.addButton("Recover", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QtWidgets.QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel if "saved later" in text else recover)
        box.setEscapeButton(cancel)
        box.exec()
        return {id(recover): "recover", id(discard): "discard"}.get(id(box.clickedButton()), "keep")

    def file_changed(self, parent, name: str, text: str) -> str:
        """The file changed on disk since it was opened or saved: 'overwrite', 'save_as' or 'cancel'."""
        box = QtWidgets.QMessageBox(parent)
        box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        box.setWindowTitle("The file changed on disk")
        box.setText(f"{name} changed on disk since you opened or last saved it.")
        box.setInformativeText(text)
        overwrite = box.addButton("Overwrite", QtWidgets.QMessageBox.ButtonRole.DestructiveRole)
        save_as = box.addButton("Save As...", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(save_as)
        box.setEscapeButton(cancel)
        box.exec()
        return {id(overwrite): "overwrite", id(save_as): "save_as"}.get(id(box.clickedButton()), "cancel")


# ---------------------------------------------------------------- what the file dialogs say

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def when_in_words(ts: float, now: float) -> str:
    """A time as people say it: "today at 14:05", "yesterday at 09:30", "on 3 March 2025 at 17:00"."""
    t, n = time.localtime(ts), time.localtime(now)
    clock = f"{t.tm_hour:02d}:{t.tm_min:02d}"
    days = (datetime.date(n.tm_year, n.tm_mon, n.tm_mday) - datetime.date(t.tm_year, t.tm_mon, t.tm_mday)).days
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"yesterday at {clock}"
    return f"on {t.tm_mday} {_MONTHS[t.tm_mon - 1]} {t.tm_year} at {clock}"


def recovery_text(name: str, found, now: float) -> str:
    """What the offer to recover says about ``found`` (a :class:`cgtdesk.io.recovery.Recovery`)."""
    autosaved = when_in_words(found.recovery_mtime, now)
    text = f"CGT Desk did not close properly while {name} had unsaved changes. They were autosaved {autosaved}."
    if found.project_is_newer:
        text += (
            f"\n\nThe project file was saved later, {when_in_words(found.project_mtime, now)}, than these changes"
            f" were autosaved ({autosaved}): it may hold newer work, saved in another window, on another computer or"
            " by another program. Recover shows the autosaved version; the file changes only when you save."
        )
    return text + (
        "\n\nRecover opens the autosaved changes (save them to keep them). Discard deletes them."
        " Cancel keeps them, to be offered again the next time you open the project."
    )


def changed_text(path) -> str:
    """What the question before overwriting a file changed on disk says."""
    from pathlib import Path

    path = Path(path)
    if not path.exists():
        return (
            f"{path} is no longer there: it was moved, renamed or deleted. Save writes it there again;"
            " Save As chooses another place."
        )
    return (
        f"Someone (another program, another window, a synchronised folder) saved {path} after you opened it."
        " Overwrite replaces their version with yours (their version is kept as .bak); Save As keeps both."
    )


def write_error_advice(error) -> str:
    """What to do when a file could not be written, by the cause (the error's ``errno``)."""
    code = getattr(error, "errno", None)
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        todo = "Free some space on the disk, or save to another disk with File > Save As."
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        todo = "Save to a folder you may write to (File > Save As), or ask for write access to this one."
    elif code in (errno.EISDIR, errno.ENOTDIR, errno.ENOENT, errno.ENAMETOOLONG):
        todo = "Choose another folder or name with File > Save As."
    else:
        todo = "Choose another folder or name (File > Save As), or check the disk."
    return todo + " Your work is still open and unsaved."


# ---------------------------------------------------------------- dialogs


def library_templates(window) -> list:
    """The templates a project or scenario may start from: the newest of each in the window's
    platform library (``window.library``), or the bundled ones without a window."""
    library = getattr(window, "library", None)
    if library is not None:
        return library.templates()
    from cgtdesk.core.templates import templates

    return list(templates().values())


def _template_list(parent, multi: bool, window=None) -> QtWidgets.QListWidget:
    lst = QtWidgets.QListWidget(parent)
    lst.setWordWrap(True)
    lst.setSpacing(2)
    for t in library_templates(window):
        where = (
            ""
            if t.origin == "bundled"
            else f", version {t.version} from " + ("your library" if t.origin == "library" else t.where)
        )
        item = QtWidgets.QListWidgetItem(f"{t.name}\n{PROCESS_LABELS[t.process]}{where}")
        item.setData(QtCore.Qt.ItemDataRole.UserRole, t.id)
        item.setData(QtCore.Qt.ItemDataRole.UserRole + 1, t.name)
        item.setToolTip(t.description)
        if multi:
            item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(QtCore.Qt.CheckState.Unchecked)
        lst.addItem(item)
    return lst


class NewProjectDialog(QtWidgets.QDialog):
    """A new project: a title, a currency label and the scenarios to start from (templates)."""

    DEFAULT = ("autologous-automated", "allogeneic-cart-bioreactor")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("New project")
        form = QtWidgets.QFormLayout()
        self.title = QtWidgets.QLineEdit("New project")
        self.currency = QtWidgets.QLineEdit("USD")
        self.currency.setMaxLength(12)
        self.currency.setToolTip("A label for money (no conversion is made)")
        form.addRow("Title:", self.title)
        form.addRow("Currency:", self.currency)
        self.list = _template_list(self, multi=True, window=parent)
        for i in range(self.list.count()):
            it = self.list.item(i)
            if it.data(QtCore.Qt.ItemDataRole.UserRole) in self.DEFAULT:
                it.setCheckState(QtCore.Qt.CheckState.Checked)
        self.desc = QtWidgets.QLabel(wordWrap=True)
        self.desc.setMinimumHeight(60)
        self.list.currentItemChanged.connect(lambda it, _: self.desc.setText(it.toolTip() if it else ""))
        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(
            QtWidgets.QLabel(
                "Start with one scenario for each ticked template (autologous vs allogeneic to compare them):", wordWrap=True
            )
        )
        lay.addWidget(self.list)
        lay.addWidget(self.desc)
        self.plan = QtWidgets.QCheckBox("Add a launch plan (15 years, launch in two years; edit it in View > Launch plan)")
        self.plan.setChecked(True)
        lay.addWidget(self.plan)
        bb = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        bb.accepted.connect(self._accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.resize(560, 480)

    def _accept(self):
        if not self.spec().templates:
            self.desc.setText("<b>Tick at least one template.</b>")
            return
        self.accept()

    def spec(self) -> NewProjectSpec:
        ids = [
            self.list.item(i).data(QtCore.Qt.ItemDataRole.UserRole)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == QtCore.Qt.CheckState.Checked
        ]
        title, currency = self.title.text().strip() or "New project", self.currency.text().strip() or "USD"
        return NewProjectSpec(title, currency, ids, self.plan.isChecked())


class AddScenarioDialog(QtWidgets.QDialog):
    def __init__(self, parent, suggest_name):
        super().__init__(parent)
        self.setWindowTitle("Add a scenario")
        self._suggest = suggest_name
        self._edited = False
        self.list = _template_list(self, multi=False, window=parent)
        self.name = QtWidgets.QLineEdit()
        self.name.textEdited.connect(lambda _: setattr(self, "_edited", True))
        self.desc = QtWidgets.QLabel(wordWrap=True)
        self.desc.setMinimumHeight(60)
        self.list.currentItemChanged.connect(self._changed)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        lay = QtWidgets.QVBoxLayout(self)
        lay.addWidget(QtWidgets.QLabel("Start from a platform template (bundled, or from your library):"))
        lay.addWidget(self.list)
        lay.addWidget(self.desc)
        form = QtWidgets.QFormLayout()
        form.addRow("Scenario name:", self.name)
        lay.addLayout(form)
        bb = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.list.setCurrentRow(0)
        self.resize(520, 440)

    def _changed(self, item, _prev):
        if item is None:
            return
        self.desc.setText(item.toolTip())
        if not self._edited:
            self.name.setText(self._suggest(item.data(QtCore.Qt.ItemDataRole.UserRole + 1)))

    def answer(self):
        item = self.list.currentItem()
        if item is None:
            return None
        return item.data(QtCore.Qt.ItemDataRole.UserRole), self.name.text()


class ChangesDialog(QtWidgets.QDialog):
    """The client's changes (scenario, key, old, new) before they are applied."""

    def __init__(self, parent, title, summary, rows):
        super().__init__(parent)
        self.setWindowTitle(title)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addWidget(QtWidgets.QLabel(summary, wordWrap=True))
        table = QtWidgets.QTableWidget(len(rows), 4, self)
        table.setHorizontalHeaderLabels(["Scenario", "Input", "Was", "Now"])
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.setItem(r, c, QtWidgets.QTableWidgetItem(str(text)))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.verticalHeader().setVisible(False)
        self.table = table
        lay.addWidget(table)
        bb = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        bb.addButton("Apply the changes", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.resize(760, 480)


def about_text(versions: dict) -> str:
    rows = "".join(f"<tr><td>{k}</td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in versions.items())
    return (
        "<h3>CGT Desk</h3>"
        "<p>Manufacturing cost of goods for cell and gene therapies: autologous scale-out "
        "against allogeneic scale-up. Everything runs on this computer; CGT Desk never uses the network.</p>"
        f"<table>{rows}</table>"
    )


def versions() -> dict:
    """The versions of CGT Desk and of what it runs on (the About box, bug reports)."""
    import platform

    import numpy
    import pandas
    import pyqtgraph
    import PySide6

    from cgtdesk import __version__

    return {
        "CGT Desk": __version__,
        "Python": platform.python_version(),
        "Qt": QtCore.qVersion(),
        "PySide6": PySide6.__version__,
        "pyqtgraph": pyqtgraph.__version__,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
    }


def show_about(parent) -> None:
    QtWidgets.QMessageBox.about(parent, "About CGT Desk", about_text(versions()))


GUIDE = """<h3>Getting started</h3>
<ol>
<li><b>Scenarios</b> (left): each is one way of making the therapy. <i>Add scenario</i> starts one from a
process template: autologous (one batch per patient, scaled out) or allogeneic (one lot, many doses, scaled up).
Add one of each to compare them.</li>
<li><b>Parameters</b>: select a scenario, then type new values (double-click or F2 on a value).
A bold value with a dot differs from the scenario's platform (its template, or the default); Ctrl+R puts it
back. Hover a parameter for its meaning and source.
A value outside its valid range is refused and the reason shown below the table.</li>
<li><b>Results and charts</b> follow every change at once. <i>Compare A vs B</i> in the toolbar picks the pair
whose crossover (the demand where one becomes cheaper) is marked.</li>
<li><b>Share</b>: File &gt; Export workbook writes a live Excel model for a client; File &gt; Import workbook reads
their edited copy back and lists what they changed before applying it.</li>
<li><b>Platform library</b> (Tools): save a scenario's platform values as a template, carry it to the next client,
and start new scenarios from it. Product values (price, demand, dose, response) never leave the project.</li>
</ol>
<p>Every change can be undone (Ctrl+Z). Unsaved work is kept in a recovery file every minute.</p>"""


def show_guide(parent) -> None:
    box = QtWidgets.QMessageBox(parent)
    box.setWindowTitle("Getting started")
    box.setTextFormat(QtCore.Qt.TextFormat.RichText)
    box.setText(GUIDE)
    box.exec()
