"""The platform library in the window: what a manufacturing platform does, carried between clients.

:class:`PlatformLibrary` is the window's one owner of the template library: the bundled templates,
the user's library folder (``templates`` in the app's data folder) and any folder the user adds
(remembered in the settings, ``library/folders``). It imports, exports and deletes template files
(``cgtdesk.io.templatefile``), saves a scenario as a platform template (platform values only), says
which values each scenario's platform holds (the editor marks and resets against them) and offers
the values a newer version of a scenario's template would change, applied in one undo step.

:class:`LibraryWindow` shows it: every template with its name, process, version, author and where
it lives; the values and sources of the one selected. Every question goes through the window's
``prompts`` (:class:`cgtdesk.gui.dialogs.Prompts`), so tests answer them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from cgtdesk.core.catalogue import PROCESS_LABELS, catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import display_number
from cgtdesk.core.templates import Library, Template, template_from_scenario, template_updates

Qt = QtCore.Qt
#: the settings key of the further library folders the user added
FOLDERS_KEY = "library/folders"
TEMPLATE_FILTER = "CGT Desk platform templates (*.cgttemplate)"
#: what the product values of a scenario are, in words (they never go into a template)
PRODUCT_WORDS = "price, demand, dose, response"
ORIGIN_WORDS = {"bundled": "bundled with CGT Desk", "library": "your library", "folder": "added folder", "file": "file"}


def reference_values(scenario, library: Library) -> tuple[dict, Template | None]:
    """The values of a scenario's platform, every key of its process, and the template they come
    from: the version of its template it was made from (the newest in the library when that version
    is gone), else the catalogue defaults (and None)."""
    ref = scenario.template
    t = None
    if ref:
        t = library.get(ref["id"], ref["version"]) or library.get(ref["id"])
        if t is not None and t.process != scenario.process:
            t = None
    if t is None:
        return catalogue().defaults(scenario.process), None
    return t.values(), t


def show_value(key: str, value) -> str:
    if value is None:
        return "-"
    return value if catalogue().parameters[key].is_choice else display_number(value)


def saved_message(t: Template) -> str:
    """What saving a scenario as a platform template says."""
    return (
        f"Saved {len(t.parameters)} platform values as '{t.name}' (version {t.version}); "
        f"product values ({PRODUCT_WORDS}) are not included."
    )


class PlatformLibrary(QtCore.QObject):
    """The window's template library and what it does with it (see the module's text)."""

    #: the templates listed changed (imported, saved, deleted, a folder added or removed)
    changed = QtCore.Signal()
    #: a message for the user (the status bar)
    message = QtCore.Signal(str)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.doc = window.doc
        self.selection = window.selection
        self.settings = window.settings
        self.prompts = window.prompts
        self._library: Library | None = None
        self._view: LibraryWindow | None = None
        self.doc.projectLoaded.connect(self._tell_updates)

    # ---------------------------------------------------------------- where templates live

    @property
    def user_dir(self) -> Path:
        """The user's library folder: ``templates`` in the app's data folder."""
        from cgtdesk.io.templatefile import default_library_dir

        return default_library_dir(self.window.data_dir)

    def folders(self) -> list[str]:
        """The further folders the user added (a shared drive), as remembered."""
        value = self.settings.value(FOLDERS_KEY, [])
        if isinstance(value, str):
            value = [value] if value else []
        return [str(v) for v in value or []]

    def add_folder(self, folder: str | None = None) -> bool:
        if folder is None:
            folder = self.prompts.choose_folder(self._parent(), "Add a template folder (a shared drive)")
        if not folder or folder in self.folders():
            return False
        self.settings.setValue(FOLDERS_KEY, [*self.folders(), str(folder)])
        self.reload()
        self.message.emit(f"Templates of {folder} are listed too.")
        return True

    def remove_folder(self, folder: str) -> None:
        self.settings.setValue(FOLDERS_KEY, [f for f in self.folders() if f != folder])
        self.reload()

    def library(self) -> Library:
        """Every template found (read once, again after each change)."""
        if self._library is None:
            from cgtdesk.io.templatefile import load_library

            self._library = load_library(self.user_dir, self.folders())
        return self._library

    def reload(self) -> None:
        self._library = None
        self.changed.emit()

    def templates(self) -> list[Template]:
        """The newest version of every template, in listing order (the New and Add dialogs)."""
        return list(self.library().latest().values())

    def template(self, template_id: str) -> Template:
        """The newest version of a template by id or name; InputError when the library has none."""
        return self.library().find(template_id)

    def reference(self, scenario) -> dict:
        """The values of the scenario's platform (see :func:`reference_values`)."""
        return reference_values(scenario, self.library())[0]

    # ---------------------------------------------------------------- the window

    def show(self) -> LibraryWindow:
        if self._view is None:
            self._view = LibraryWindow(self, self.window)
        self._view.refresh()
        self._view.show()
        self._view.raise_()
        self._view.activateWindow()
        return self._view

    def _refused(self, title: str, error: Exception, todo: str = "") -> None:
        text = str(error)
        self.message.emit(f"{title}: {text}")
        self.prompts.error(self._parent(), title, text[:1].upper() + text[1:] + ".", todo)

    def _parent(self):
        return self._view if self._view is not None and self._view.isVisible() else self.window

    # ---------------------------------------------------------------- import, export, delete

    def import_file(self, path: str | None = None) -> Template | None:
        """Copy a .cgttemplate file into the user's library (refused in a dialog when invalid);
        then offer what its newer version would change in the project."""
        from cgtdesk.io.templatefile import import_template

        if path is None:
            path = self.prompts.open_path(self._parent(), "Import a platform template", str(Path.home()), TEMPLATE_FILTER)
            if not path:
                return None
        try:
            t = import_template(path, self.user_dir)
        except InputError as e:
            self._refused("The template was not imported", e, "Choose a CGT Desk platform template (.cgttemplate).")
            return None
        self.reload()
        self.message.emit(f"Imported '{t.name}' (version {t.version}) into your library.")
        if self.updates():
            self.review_updates()
        return t

    def export(self, t: Template, path: str | None = None) -> bool:
        from cgtdesk.io.templatefile import SUFFIX, export_template

        if path is None:
            suggested = str(Path.home() / f"{_file_stem(t.name)}{SUFFIX}")
            path = self.prompts.save_path(self._parent(), "Export the platform template", suggested, TEMPLATE_FILTER)
            if not path:
                return False
        try:
            export_template(t, path)
        except InputError as e:
            self._refused("The template was not exported", e, "Choose another folder or name.")
            return False
        self.message.emit(f"Exported '{t.name}' (version {t.version}, {len(t.parameters)} platform values) to {path}.")
        return True

    def delete(self, t: Template) -> bool:
        """Delete one version of a template of the user's library, after asking."""
        from cgtdesk.io.templatefile import delete_template

        if t.origin != "library":
            where = "bundled with CGT Desk" if t.origin == "bundled" else f"in {t.where}, not in your library"
            self._refused(
                "The template was not deleted",
                InputError(f"'{t.name}' is {where}"),
                "Only templates of your library can be deleted.",
            )
            return False
        question = f"Delete version {t.version} of '{t.name}' from your library? Its file is removed: {t.path}"
        if not self.prompts.confirm(self._parent(), "Delete the template", question, "Delete"):
            return False
        try:
            delete_template(self.user_dir, t.id, t.version)
        except InputError as e:
            self._refused("The template was not deleted", e)
            return False
        self.reload()
        self.message.emit(f"Deleted version {t.version} of '{t.name}' from your library.")
        return True

    # ---------------------------------------------------------------- save a scenario as a template

    def save_scenario(self, index: int | None = None) -> Template | None:
        """Save a scenario (the current one by default) as a platform template of the user's
        library: asks name, author and description; writes platform values only and says so. A
        scenario made from a template of the library saves as its next version."""
        from cgtdesk.io.templatefile import library_file_name, save_template

        scenario = self.doc.scenarios[self.selection.index() if index is None else index]
        base = self._base_of(scenario)
        answer = self.prompts.template_details(self._parent(), base.name if base else scenario.name, scenario.name)
        if not answer:
            return None
        name, author, description = answer
        kwargs = {}
        if base is not None and base.origin != "bundled":
            kwargs = {"template_id": base.id, "version": max(self.library().versions(base.id)) + 1}
        try:
            made = template_from_scenario(scenario, name.strip(), author.strip(), description=description.strip(), **kwargs)
            self.user_dir.mkdir(parents=True, exist_ok=True)
            save_template(made.template, self.user_dir / library_file_name(made.template))
        except InputError as e:
            self._refused("The template was not saved", e)
            return None
        except OSError as e:
            self._refused("The template was not saved", InputError(f"{self.user_dir}: cannot be written ({e.strerror or e})"))
            return None
        self.reload()
        self.message.emit(saved_message(made.template))
        return made.template

    def _base_of(self, scenario) -> Template | None:
        return reference_values(scenario, self.library())[1]

    # ---------------------------------------------------------------- newer versions

    def updates(self):
        """Per scenario made from a template of which the library holds a newer version: the
        platform values that version would change (``cgtdesk.core.templates.template_updates``)."""
        return template_updates(self.doc.project, self.library())

    def _tell_updates(self) -> None:
        n = len(self.updates())
        if n:
            self.message.emit(f"{n} scenario(s) come from a template with a newer version: Tools > Template updates.")

    def review_updates(self) -> int:
        """Ask which values of the newer versions to take (a dialog with a box per value), then
        apply them in one undo step; each scenario listed then records the newer version. The
        number of values changed (0: nothing to do, or cancelled)."""
        updates = self.updates()
        if not updates:
            self.message.emit("Every scenario is on the newest version of its template.")
            return 0
        chosen = self.prompts.template_updates(self._parent(), updates)
        if chosen is None:
            return 0
        chosen = set(chosen)
        steps = []
        for u in updates:
            index = self.doc.project.names().index(u.scenario)
            values = {c.key: c.new for c in u.changes if (u.scenario, c.key) in chosen}
            steps.append((index, values, {"id": u.template_id, "version": u.to_version}))
        try:
            self.doc.apply_template_updates(steps, _update_text(updates, steps))
        except InputError as e:
            self._refused("The update was not applied", e)
            return 0
        n = sum(len(v) for _, v, _ in steps)
        self.message.emit(f"Took {n} value(s) from the newer template versions. Undo (Ctrl+Z) puts them back.")
        return n


def _update_text(updates, steps) -> str:
    n = sum(len(v) for _, v, _ in steps)
    if len(updates) == 1:
        u = updates[0]
        return f"Update '{u.scenario}' to version {u.to_version} of '{u.name}' ({n} value(s))"
    return f"Update {len(updates)} scenarios to newer template versions ({n} value(s))"


def _file_stem(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in " -_." else "_" for c in name).strip()
    return keep or "template"


# ---------------------------------------------------------------- the window


class LibraryWindow(QtWidgets.QWidget):
    """The Platform library: the templates, the selected one's values and sources, and the actions."""

    COLUMNS = ("Name", "Process", "Version", "Author", "Where")

    def __init__(self, library: PlatformLibrary, parent=None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("LibraryWindow")
        self.setWindowTitle("Platform library - CGT Desk")
        self.lib = library
        lay = QtWidgets.QVBoxLayout(self)
        intro = QtWidgets.QLabel(
            "Platform templates hold how a manufacturing platform works (process, facility, labour, logistics,"
            " finance): shared between clients. Product values (price, demand, dose, response) never leave a project."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        split = QtWidgets.QSplitter(Qt.Orientation.Vertical)
        self.list = QtWidgets.QTreeWidget()
        self.list.setObjectName("library_list")
        self.list.setHeaderLabels(self.COLUMNS)
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.currentItemChanged.connect(lambda *_: self._preview())
        split.addWidget(self.list)
        below = QtWidgets.QWidget()
        below_lay = QtWidgets.QVBoxLayout(below)
        below_lay.setContentsMargins(0, 0, 0, 0)
        below_lay.addWidget(
            QtWidgets.QLabel(
                "Platform values of the selected template: <b>bold</b> set by the template, the rest catalogue defaults."
            )
        )
        self.preview = QtWidgets.QTableWidget(0, 3)
        self.preview.setObjectName("library_preview")
        self.preview.setHorizontalHeaderLabels(("Parameter", "Value", "Source"))
        self.preview.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setVisible(False)
        self.preview.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.preview.setAlternatingRowColors(True)
        self.preview.horizontalHeader().setStretchLastSection(True)
        below_lay.addWidget(self.preview)
        split.addWidget(below)
        split.setSizes([200, 340])
        lay.addWidget(split, 1)
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.summary)
        lay.addLayout(self._buttons())
        library.changed.connect(self.refresh)
        self.resize(900, 640)

    def _buttons(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        for name, text, slot, tip in (
            ("save", "Save scenario as platform template...", self.lib.save_scenario, "Platform values of the current scenario"),
            ("import", "Import...", self.lib.import_file, "Copy a .cgttemplate file into your library"),
            ("export", "Export...", lambda: self._with_current(self.lib.export), "Write the selected template to a file"),
            ("delete", "Delete", lambda: self._with_current(self.lib.delete), "Delete the selected version (your library only)"),
            ("folder", "Add folder...", self.lib.add_folder, "List the templates of another folder too (a shared drive)"),
            ("updates", "Template updates...", self.lib.review_updates, "Take values of newer template versions"),
        ):
            b = QtWidgets.QPushButton(text)
            b.setObjectName(f"library_{name}")
            b.setToolTip(tip)
            b.clicked.connect(lambda _=False, f=slot: f())
            row.addWidget(b)
            self.buttons[name] = b
        row.addStretch(1)
        return row

    def _with_current(self, fn):
        t = self.current()
        if t is None:
            self.lib.message.emit("Select a template first.")
            return None
        return fn(t)

    def current(self) -> Template | None:
        item = self.list.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, template_id: str, version: int | None = None) -> bool:
        for i in range(self.list.topLevelItemCount()):
            t = self.list.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
            if t.id == template_id and (version is None or t.version == version):
                self.list.setCurrentItem(self.list.topLevelItem(i))
                return True
        return False

    def refresh(self) -> None:
        was = self.current()
        lib = self.lib.library()
        self.list.clear()
        for t in lib.entries:
            where = ORIGIN_WORDS[t.origin] + (f": {t.path}" if t.path else "")
            item = QtWidgets.QTreeWidgetItem([t.name, PROCESS_LABELS[t.process], str(t.version), t.author, where])
            item.setData(0, Qt.ItemDataRole.UserRole, t)
            item.setToolTip(0, t.description)
            item.setToolTip(4, t.path or ORIGIN_WORDS[t.origin])
            self.list.addTopLevelItem(item)
        for c, width in enumerate((300, 170, 60, 110)):
            self.list.setColumnWidth(c, width)
        if not (was is not None and self.select(was.id, was.version)) and self.list.topLevelItemCount():
            self.list.setCurrentItem(self.list.topLevelItem(0))
        folders = ", ".join([str(self.lib.user_dir), *self.lib.folders()])
        problems = "".join(f"<br><span style='color:#B00020'>{_esc(p)}</span>" for p in lib.problems)
        self.summary.setText(f"{len(lib.entries)} template(s). Folders read: {_esc(folders)}{problems}")
        self._preview()

    def _preview(self) -> None:
        t = self.current()
        self.buttons["export"].setEnabled(t is not None)
        self.buttons["delete"].setEnabled(t is not None and t.origin == "library")
        rows = [] if t is None else [(k, v) for k, v in t.values().items() if catalogue().parameters[k].is_platform]
        self.preview.setRowCount(len(rows))
        cat = catalogue()
        for r, (key, value) in enumerate(rows):
            p = cat.parameters[key]
            own = key in t.parameters
            cells = (p.label, f"{show_value(key, value)} {p.unit}".strip(), t.source(key) if own else f"default: {p.source}")
            for c, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                item.setToolTip(f"{key}\n{text}")
                if own and c == 1:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.preview.setItem(r, c, item)
        self.preview.setColumnWidth(0, 300)
        self.preview.setColumnWidth(1, 160)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------- the dialogs (Prompts opens them)


class TemplateDetailsDialog(QtWidgets.QDialog):
    """Name, author and description of a platform template saved from a scenario."""

    def __init__(self, parent, name: str, scenario: str):
        super().__init__(parent)
        self.setWindowTitle("Save scenario as platform template")
        lay = QtWidgets.QVBoxLayout(self)
        lay.addWidget(
            QtWidgets.QLabel(
                f"The platform values of '{scenario}' go into your library. Product values ({PRODUCT_WORDS}) are not included.",
                wordWrap=True,
            )
        )
        form = QtWidgets.QFormLayout()
        self.name = QtWidgets.QLineEdit(name)
        self.author = QtWidgets.QLineEdit()
        self.description = QtWidgets.QPlainTextEdit()
        self.description.setFixedHeight(90)
        form.addRow("Name:", self.name)
        form.addRow("Author:", self.author)
        form.addRow("Description:", self.description)
        lay.addLayout(form)
        bb = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        bb.addButton("Save", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.resize(520, 300)

    def answer(self) -> tuple[str, str, str]:
        return self.name.text(), self.author.text(), self.description.toPlainText()


class UpdatesDialog(QtWidgets.QDialog):
    """Per scenario, the platform values a newer template version would change, each with a box:
    ticked unless the user changed that value in the scenario."""

    def __init__(self, parent, updates):
        super().__init__(parent)
        self.setWindowTitle("Template updates")
        lay = QtWidgets.QVBoxLayout(self)
        lay.addWidget(
            QtWidgets.QLabel(
                "A newer version of these scenarios' platform templates is in the library. Tick the values to take;"
                " a value you changed yourself is left unticked. Undo (Ctrl+Z) puts them all back.",
                wordWrap=True,
            )
        )
        self.tree = QtWidgets.QTreeWidget()
        self.tree.setHeaderLabels(("Parameter", "Template was", "Scenario now", "New version", "Changed by you"))
        for u in updates:
            top = QtWidgets.QTreeWidgetItem([f"{u.scenario}: '{u.name}' version {u.from_version} to {u.to_version}"])
            top.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(top)
            for c in u.changes:
                p = catalogue().parameters[c.key]
                row = [p.label, show_value(c.key, c.was), show_value(c.key, c.current), show_value(c.key, c.new)]
                item = QtWidgets.QTreeWidgetItem([*row, "yes" if c.edited else ""])
                item.setData(0, Qt.ItemDataRole.UserRole, (u.scenario, c.key))
                item.setCheckState(0, Qt.CheckState.Unchecked if c.edited else Qt.CheckState.Checked)
                item.setToolTip(0, c.key)
                top.addChild(item)
        self.tree.expandAll()
        self.tree.setColumnWidth(0, 280)
        lay.addWidget(self.tree, 1)
        bb = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        bb.addButton("Apply the ticked values", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.resize(820, 480)

    def chosen(self) -> list[tuple[str, str]]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                item = top.child(j)
                if item.checkState(0) == Qt.CheckState.Checked:
                    out.append(item.data(0, Qt.ItemDataRole.UserRole))
        return out
