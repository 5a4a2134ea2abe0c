"""The platform library in the window: the editor's scope column and marks against the platform,
the Platform library window (list, preview, import, export, delete, save a scenario as a template,
added folders), the New and Add dialogs listing library templates, and template updates applied in
one undo step. Every question is answered by FakePrompts (tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6 import QtCore

from cgtdesk.gui.models import ParameterModel

Qt = QtCore.Qt
ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PREFIXES = ("demand.", "dose.", "commercial.", "clinical.")

#: a hand-written platform template, version 1 and a version 2 that changes two values and sets a third
ACME_V1 = {"labour.cost_per_fte_year": 150000, "facility.sites": 2, "finance.discount_rate": 0.1}
ACME_V2 = {"labour.cost_per_fte_year": 160000, "facility.sites": 2, "finance.discount_rate": 0.12, "staff.site_fte": 20}


def write_template(folder: Path, values: dict, version: int = 1, tid: str = "acme-auto", name="Acme autologous") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{tid}-{version}.cgttemplate"
    body = {
        "format_version": 1,
        "id": tid,
        "name": name,
        "process": "autologous",
        "author": "Acme",
        "version": version,
        "parameters": values,
        "sources": {k: f"Acme run book {version}" for k in values},
    }
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def hand_catalogue() -> list[dict]:
    return json.loads((ROOT / "resources" / "parameters.json").read_text(encoding="utf-8"))["parameters"]


def hand_default(key: str, process: str = "autologous"):
    return next(p["default"][process] for p in hand_catalogue() if p["key"] == key)


def library_dir(tmp_path) -> Path:
    return tmp_path / "appdata" / "templates"


def add_acme(w, fake_prompts, tmp_path, name="Acme"):
    """Import Acme version 1 and add a scenario from it (the Add dialog's answer)."""
    w.library.import_file(str(write_template(tmp_path / "incoming", ACME_V1)))
    fake_prompts.add_answer = ("acme-auto", name)
    w.acts["add"].trigger()
    return w.doc.project.scenarios[w.selection.index()]


def is_marked(w, key) -> bool:
    ix = w.editor.model.index_for_key(key)
    return w.editor.model.data(ix, Qt.ItemDataRole.FontRole) is not None


def put_cursor(w, key):
    ed = w.editor
    ed.tree.setCurrentIndex(ed.filter.mapFromSource(ed.model.index_for_key(key, ParameterModel.LABEL)))


# ---------------------------------------------------------------- the editor


def test_editor_shows_each_parameters_scope_with_a_tooltip(make_window):
    w = make_window()
    m = w.editor.model
    assert m.headerData(ParameterModel.SCOPE, Qt.Orientation.Horizontal) == "Scope"
    scopes = {p["key"]: p["scope"] for p in hand_catalogue()}
    for key in ("demand.patients_per_year", "commercial.price_per_dose", "labour.cost_per_fte_year", "facility.sites"):
        ix = m.index_for_key(key, ParameterModel.SCOPE)
        assert m.data(ix) == scopes[key]
        tip = m.data(ix, Qt.ItemDataRole.ToolTipRole)
        assert "template" in tip and ("never" in tip) == (scopes[key] == "product")


def test_marks_and_reset_follow_the_scenarios_template(make_window, fake_prompts, tmp_path):
    w = make_window()
    s = add_acme(w, fake_prompts, tmp_path)
    assert s.template == {"id": "acme-auto", "version": 1}
    # the template's value is not a change, although it differs from the catalogue default
    assert s.parameters["labour.cost_per_fte_year"] == 150000 != hand_default("labour.cost_per_fte_year")
    assert not is_marked(w, "labour.cost_per_fte_year")
    assert w.set_value("finance.discount_rate", "0.09")
    assert is_marked(w, "finance.discount_rate")
    tip = w.editor.model.data(w.editor.model.index_for_key("finance.discount_rate"), Qt.ItemDataRole.ToolTipRole)
    assert "Changed from its platform template" in tip
    put_cursor(w, "finance.discount_rate")
    w.acts["reset_value"].trigger()
    assert s.parameters["finance.discount_rate"] == 0.1  # the template's, not the default 0.08
    assert not is_marked(w, "finance.discount_rate")


def test_without_a_template_marks_and_reset_use_the_catalogue_default(make_window):
    w = make_window()  # the example project: scenarios made from no template
    s = w.doc.project.scenarios[0]
    assert s.template is None
    key = "labour.cost_per_fte_year"
    w.set_value(key, "133000")
    assert is_marked(w, key)
    put_cursor(w, key)
    w.acts["reset_value"].trigger()
    assert s.parameters[key] == hand_default(key)


# ---------------------------------------------------------------- the library window


def test_library_window_lists_bundled_library_and_added_folders(make_window, fake_prompts, tmp_path):
    shared = tmp_path / "shared"
    write_template(shared, {"facility.sites": 3}, tid="shared-auto", name="Shared drive platform")
    w = make_window()
    w.library.import_file(str(write_template(tmp_path / "incoming", ACME_V1)))
    assert w.library.add_folder(str(shared))
    view = w.library.show()
    rows = [[view.list.topLevelItem(i).text(c) for c in range(5)] for i in range(view.list.topLevelItemCount())]
    bundled = sorted((ROOT / "resources" / "templates").glob("*.json"))
    assert len(rows) == len(bundled) + 2
    assert sum(r[4] == "bundled with CGT Desk" for r in rows) == len(bundled)
    acme = next(r for r in rows if r[0] == "Acme autologous")
    assert acme[1:4] == ["Autologous (scale-out)", "1", "Acme"] and acme[4].startswith("your library: ")
    assert str(library_dir(tmp_path)) in acme[4]
    other = next(r for r in rows if r[0] == "Shared drive platform")
    assert other[4].startswith("added folder: ") and str(shared) in other[4]
    # the preview: the template's own values bold with their source, the rest the catalogue's
    assert view.select("acme-auto")
    texts = {view.preview.item(r, 0).text(): r for r in range(view.preview.rowCount())}
    label = next(p["label"] for p in hand_catalogue() if p["key"] == "labour.cost_per_fte_year")
    r = texts[label]
    assert view.preview.item(r, 1).text().startswith("150,000") and view.preview.item(r, 1).font().bold()
    assert view.preview.item(r, 2).text() == "Acme run book 1"
    platform = [p for p in hand_catalogue() if "autologous" in p["processes"] and not p["key"].startswith(PRODUCT_PREFIXES)]
    assert view.preview.rowCount() == len(platform)
    # the folder is remembered: another window lists it too
    assert str(shared) in make_window().library.folders()


def test_import_refuses_a_product_value_in_a_dialog(make_window, fake_prompts, tmp_path):
    w = make_window()
    bad = write_template(tmp_path / "incoming", {"demand.patients_per_year": 900, "facility.sites": 2})
    assert w.library.import_file(str(bad)) is None
    title, what, _todo = fake_prompts.errors[-1]
    assert title == "The template was not imported"
    assert "demand.patients_per_year is a product value" in what
    assert not list(library_dir(tmp_path).glob("*.cgttemplate"))


def test_import_through_the_window_asks_for_the_file(make_window, fake_prompts, tmp_path):
    w = make_window()
    view = w.library.show()
    fake_prompts.open_answer = str(write_template(tmp_path / "incoming", ACME_V1))
    view.buttons["import"].click()
    assert ("open", "Import a platform template") in fake_prompts.asked
    assert any(t.id == "acme-auto" and t.origin == "library" for t in w.library.library().entries)


def test_export_writes_the_selected_template(make_window, fake_prompts, tmp_path):
    from cgtdesk.io.templatefile import load_template

    w = make_window()
    view = w.library.show()
    assert view.select("autologous-manual")
    out = tmp_path / "manual.cgttemplate"
    fake_prompts.save_as_answer = str(out)
    view.buttons["export"].click()
    written = json.loads(out.read_text(encoding="utf-8"))
    bundled = json.loads((ROOT / "resources" / "templates" / "autologous-manual.json").read_text(encoding="utf-8"))
    platform = {k: v["value"] for k, v in bundled["parameters"].items() if not k.startswith(PRODUCT_PREFIXES)}
    assert written["parameters"] == platform
    assert load_template(out).id == "autologous-manual"


def test_delete_only_from_your_library_and_after_asking(make_window, fake_prompts, tmp_path):
    w = make_window()
    w.library.import_file(str(write_template(tmp_path / "incoming", ACME_V1)))
    view = w.library.show()
    assert view.select("autologous-manual")
    assert not view.buttons["delete"].isEnabled()
    assert not w.library.delete(view.current())
    assert "bundled" in fake_prompts.errors[-1][1]
    assert view.select("acme-auto")
    assert view.buttons["delete"].isEnabled()
    fake_prompts.confirm_answer = False
    view.buttons["delete"].click()
    assert len(list(library_dir(tmp_path).glob("*.cgttemplate"))) == 1
    fake_prompts.confirm_answer = True
    view.buttons["delete"].click()
    assert ("confirm", "Delete the template") in fake_prompts.asked
    assert not list(library_dir(tmp_path).glob("*.cgttemplate"))
    assert not view.select("acme-auto")


def test_save_scenario_as_platform_template_writes_platform_values_only(make_window, fake_prompts, tmp_path):
    w = make_window()
    w.select_scenario(0)  # autologous
    w.set_value("commercial.price_per_dose", "123456")
    w.set_value("labour.cost_per_fte_year", "140000")
    fake_prompts.template_details_answer = ("Our autologous platform", "J. Doe", "Two suites, automated")
    messages = []
    w.library.message.connect(messages.append)
    w.acts["save_template"].trigger()
    platform = [
        p["key"] for p in hand_catalogue() if "autologous" in p["processes"] and not p["key"].startswith(PRODUCT_PREFIXES)
    ]
    assert messages[-1].startswith(f"Saved {len(platform)} platform values")
    assert messages[-1].endswith("product values (price, demand, dose, response) are not included.")
    (path,) = library_dir(tmp_path).glob("*.cgttemplate")
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(saved["parameters"]) == sorted(platform)
    assert saved["parameters"]["labour.cost_per_fte_year"] == 140000
    assert (saved["name"], saved["author"], saved["description"]) == (
        "Our autologous platform",
        "J. Doe",
        "Two suites, automated",
    )
    assert "123456" not in path.read_text(encoding="utf-8")
    assert any(t.name == "Our autologous platform" for t in w.library.templates())


def test_saving_a_scenario_of_a_library_template_makes_its_next_version(make_window, fake_prompts, tmp_path):
    w = make_window()
    add_acme(w, fake_prompts, tmp_path)
    fake_prompts.template_details_answer = ("Acme autologous", "Acme", "")
    made = w.library.save_scenario()
    assert (made.id, made.version) == ("acme-auto", 2)
    assert w.library.library().versions("acme-auto") == [1, 2]


# ---------------------------------------------------------------- New and Add


def test_new_and_add_dialogs_list_library_templates(make_window, fake_prompts, tmp_path, qtbot):
    from cgtdesk.gui.dialogs import AddScenarioDialog, NewProjectDialog, NewProjectSpec

    w = make_window()
    w.library.import_file(str(write_template(tmp_path / "incoming", ACME_V1)))
    for d in (NewProjectDialog(w), AddScenarioDialog(w, w.doc.unique_name)):
        qtbot.addWidget(d)
        texts = [d.list.item(i).text() for i in range(d.list.count())]
        assert any(t.startswith("Acme autologous\n") and "version 1 from your library" in t for t in texts)
    fake_prompts.new_answer = NewProjectSpec("Client Y", "USD", ["acme-auto", "autologous-manual"], plan=False)
    w.acts["new"].trigger()
    refs = [s.template for s in w.doc.project.scenarios]
    assert refs == [{"id": "acme-auto", "version": 1}, {"id": "autologous-manual", "version": 1}]
    assert w.doc.project.scenarios[0].parameters["facility.sites"] == 2
    assert "Acme autologous" in [t.name for t in w.scenarios.templates()]  # Scenario > Add from template


# ---------------------------------------------------------------- template updates


def expected_changes():
    """What version 2 changes in a scenario made from version 1 whose discount rate was edited to 0.09."""
    return {
        "labour.cost_per_fte_year": (150000, 150000, 160000, False),
        "finance.discount_rate": (0.09, 0.1, 0.12, True),
        "staff.site_fte": (hand_default("staff.site_fte"), hand_default("staff.site_fte"), 20, False),
    }


def test_a_newer_version_lists_the_changes_and_applies_the_chosen_ones_in_one_undo_step(make_window, fake_prompts, tmp_path):
    w = make_window()
    s = add_acme(w, fake_prompts, tmp_path)
    w.set_value("finance.discount_rate", "0.09")
    fake_prompts.updates_answer = lambda updates: [(u.scenario, c.key) for u in updates for c in u.changes if not c.edited]
    steps = w.doc.undo_stack.count()
    w.library.import_file(str(write_template(tmp_path / "incoming", ACME_V2, version=2)))  # offers the update at once
    (updates,) = fake_prompts.updates_asked
    (u,) = updates
    assert (u.scenario, u.from_version, u.to_version) == ("Acme", 1, 2)
    assert {c.key: (c.current, c.was, c.new, c.edited) for c in u.changes} == expected_changes()
    assert s.parameters["labour.cost_per_fte_year"] == 160000 and s.parameters["staff.site_fte"] == 20
    assert s.parameters["finance.discount_rate"] == 0.09  # the user's own value stays
    assert s.template == {"id": "acme-auto", "version": 2}
    assert w.doc.undo_stack.count() == steps + 1
    assert is_marked(w, "finance.discount_rate") and not is_marked(w, "staff.site_fte")
    w.doc.undo_stack.undo()
    assert s.parameters["labour.cost_per_fte_year"] == 150000
    assert s.parameters["staff.site_fte"] == hand_default("staff.site_fte")
    assert s.template == {"id": "acme-auto", "version": 1}
    w.doc.undo_stack.redo()
    assert s.template == {"id": "acme-auto", "version": 2} and s.parameters["labour.cost_per_fte_year"] == 160000
    assert w.library.updates() == []


def test_cancelling_the_updates_changes_nothing(make_window, fake_prompts, tmp_path):
    w = make_window()
    s = add_acme(w, fake_prompts, tmp_path)
    write_template(library_dir(tmp_path), ACME_V2, version=2)
    w.library.reload()
    steps = w.doc.undo_stack.count()
    fake_prompts.updates_answer = None
    w.acts["template_updates"].trigger()
    assert len(fake_prompts.updates_asked) == 1
    assert w.doc.undo_stack.count() == steps and s.template == {"id": "acme-auto", "version": 1}


def test_updates_dialog_leaves_the_users_own_values_unticked(make_window, fake_prompts, tmp_path, qtbot):
    from cgtdesk.gui.library import UpdatesDialog

    w = make_window()
    add_acme(w, fake_prompts, tmp_path)
    w.set_value("finance.discount_rate", "0.09")
    write_template(library_dir(tmp_path), ACME_V2, version=2)
    w.library.reload()
    d = UpdatesDialog(w, w.library.updates())
    qtbot.addWidget(d)
    assert sorted(d.chosen()) == [("Acme", "labour.cost_per_fte_year"), ("Acme", "staff.site_fte")]
    top = d.tree.topLevelItem(0)
    assert "version 1 to 2" in top.text(0)
    edited = [top.child(i) for i in range(top.childCount()) if top.child(i).text(4) == "yes"]
    assert len(edited) == 1 and edited[0].text(1) == "0.1" and edited[0].text(2) == "0.09"


# ---------------------------------------------------------------- the picture


def test_library_window_renders(make_window, fake_prompts, tmp_path):
    w = make_window()
    w.library.import_file(str(write_template(tmp_path / "incoming", ACME_V1)))
    view = w.library.show()
    view.select("acme-auto")
    view.resize(900, 560)
    image = view.grab().toImage()
    assert (image.width(), image.height()) == (900, 560)
    colours = {image.pixel(x, y) for x in range(0, 900, 30) for y in range(0, 560, 20)}
    assert len(colours) > 3


def test_readme_library_keys_are_bound(make_window):
    from PySide6 import QtGui

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "| Ctrl+Shift+B / Ctrl+Shift+T / Ctrl+Alt+U | platform library" in readme
    assert "(docs/images/library.png)" in readme and (ROOT / "docs" / "images" / "library.png").is_file()
    w = make_window()
    for key, action in (("Ctrl+Shift+B", "library"), ("Ctrl+Shift+T", "save_template"), ("Ctrl+Alt+U", "template_updates")):
        assert QtGui.QKeySequence(key) in w.acts[action].shortcuts(), (key, action)
    w.acts["library"].trigger()
    assert w.library.show().isVisible()


def test_add_folder_asks_which_one_and_the_details_dialog_answers(make_window, fake_prompts, tmp_path, qtbot):
    from cgtdesk.gui.library import TemplateDetailsDialog

    shared = tmp_path / "shared"
    write_template(shared, {"facility.sites": 3}, tid="shared-auto", name="Shared drive platform")
    w = make_window()
    view = w.library.show()
    fake_prompts.folder_answer = str(shared)
    view.buttons["folder"].click()
    assert ("folder", "Add a template folder (a shared drive)") in fake_prompts.asked
    assert view.select("shared-auto")
    d = TemplateDetailsDialog(w, "Acme", "Autologous, manual open process")
    qtbot.addWidget(d)
    d.author.setText("J. Doe")
    d.description.setPlainText("Two suites")
    assert d.answer() == ("Acme", "J. Doe", "Two suites")
