"""The window's actions as data: the table, the menus and the toolbar agree, and every key the
README's table of keys promises is bound."""

from __future__ import annotations

from PySide6 import QtGui

from cgtdesk.gui.window import actions

#: the README's table of keys (section "Keys"), one entry per key
README_KEYS = {
    "Ctrl+N": "new",
    "Ctrl+O": "open",
    "Ctrl+S": "save",
    "Ctrl+Shift+S": "save_as",
    "Ctrl+I": "import",
    "Ctrl+E": "export",
    "Ctrl+Shift+E": "export_deck",
    "Ctrl+Z": "undo",
    "Ctrl+Shift+Z": "redo",
    "Ctrl+Y": "redo",
    "Ctrl+Shift+N": "add",
    "Ctrl+D": "duplicate",
    "F2": "rename",
    "Ctrl+F2": "rename_global",
    "Ctrl+Shift+P": "export_pptx",
    "Ctrl+Alt+Shift+P": "export_pptx_template",
    "Ctrl+0": "show_charts",
    "Ctrl+Del": "delete",
    "Ctrl+Shift+Up": "move_up",
    "Ctrl+Shift+Down": "move_down",
    "Ctrl+F": "find",
    "Ctrl+R": "reset_value",
    "Ctrl+Shift+C": "copy_results",
    "Ctrl+Alt+P": "chart_png",
    "Ctrl+Alt+K": "chart_png4k",
    "Ctrl+Alt+S": "chart_svg",
    "Ctrl+Alt+C": "chart_copy",
    "F5": "present",
    "Ctrl+Shift+L": "light",
    "Ctrl+Shift+D": "dark",
    "Ctrl+Shift+R": "reset_layout",
    "Ctrl+1": "show_sweep",
    "Ctrl+2": "show_tornado",
    "Ctrl+3": "show_montecarlo",
    "Ctrl+4": "show_goalseek",
    "Ctrl+5": "show_uncertainty",
    "F9": "run_mc",
    "Shift+F9": "cancel_mc",
}


def test_menus_and_toolbar_name_declared_actions():
    ids = [spec.id for spec in actions.ACTIONS]
    assert len(ids) == len(set(ids))
    for _title, entries in actions.MENUS:
        for entry in entries:
            if entry.startswith("menu:"):
                assert entry[5:] in actions.SUBMENUS
            elif entry != "-" and not entry.startswith("dock:"):
                assert entry in ids
    for entry in actions.TOOLBAR:
        if entry.startswith("popup:"):
            action, menu = entry[6:].split(">")
            assert action in ids and menu in actions.SUBMENUS
        elif entry != "-" and not entry.startswith("widgets:"):
            assert entry in ids


def test_every_readme_key_is_bound_to_its_action(make_window):
    w = make_window()
    for key, action in README_KEYS.items():
        assert QtGui.QKeySequence(key) in w.acts[action].shortcuts(), (key, action)


def test_no_two_window_actions_share_a_key(make_window):
    w = make_window()
    seen = {}
    for a in w.actions():
        for k in a.shortcuts():
            assert k.toString() not in seen, (k.toString(), a.text(), seen.get(k.toString()))
            seen[k.toString()] = a.text()


def test_an_action_calls_what_its_spec_names(make_window, monkeypatch):
    w = make_window()
    calls = []
    monkeypatch.setattr(w.files, "export_chart", lambda *a: calls.append(a))
    # the slot was looked up when the action was built: rebuild one to see the table's wiring
    spec = next(s for s in actions.ACTIONS if s.id == "chart_svg")
    actions.build_action(w, spec).trigger()
    assert calls == [("svg", None)]
