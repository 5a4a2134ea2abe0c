"""The window's actions as data: the table, the menus and the toolbar agree, and every key the
README's table of keys promises is bound to the action the README names (the table is parsed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6 import QtGui

from cgtdesk.gui.window import actions

README = Path(__file__).resolve().parents[2] / "README.md"
#: rows of the README's key table whose keys are typed into a widget (editing a value in place),
#: not window actions; the test checks that each is still in the table
WIDGET_ROWS = ("typing or F2 on a parameter's row, then Enter",)
#: words that say nothing about which action is meant
STOPWORDS = {"a", "an", "the", "of", "to", "it", "its", "on", "as", "in", "and", "or", "with", "from", "back"}
_KEY = re.compile(r"^((?:Ctrl|Shift|Alt|Meta)\+)*(?:F\d{1,2}|[A-Z0-9]|Del|Up|Down|Left|Right|Enter|Tab|Escape)$")


def readme_key_rows(text: str) -> list[tuple[str, str]]:
    """(keys, action) cells of the README's key table, in order."""
    lines = text[text.index("| keys | action |") :].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        keys, action = (c.strip() for c in line.strip().strip("|").split("|"))
        rows.append((keys, action))
    return rows


def _split_top(text: str, seps: tuple[str, ...]) -> list[str]:
    """``text`` split at any of ``seps`` outside parentheses."""
    parts, depth, cur, i = [], 0, "", 0
    while i < len(text):
        sep = next((s for s in seps if depth == 0 and text.startswith(s, i)), None)
        if sep:
            parts.append(cur.strip())
            cur, i = "", i + len(sep)
            continue
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        cur += text[i]
        i += 1
    return [*parts, cur.strip()]


def _modifiers(key: str) -> str:
    return key[: key.rfind("+") + 1]


def key_groups(cell: str) -> list[list[str]]:
    """The keys of a table cell in groups, one group per action: ``A / B``, ``A, B`` separate
    actions; ``Ctrl+Z (Ctrl+Y)`` and ``Ctrl+Shift+Up/Down`` are keys of one group;
    ``Ctrl+Alt+P / K`` shares the modifiers; ``Ctrl+1 .. Ctrl+5`` is five groups; after
    ``, then`` come keys a widget handles (not actions); words in parentheses are remarks."""
    cell = cell.split(", then ")[0]
    groups: list[list[str]] = []
    for part in _split_top(cell, (" / ", ", ")):
        if " .. " in part:
            lo, hi = part.split(" .. ")
            mods = _modifiers(lo)
            groups += [[f"{mods}{n}"] for n in range(int(lo[len(mods) :]), int(hi[len(mods) :]) + 1)]
            continue
        head, _, remark = part.partition(" (")
        keys = [head]
        if "/" in head:  # Ctrl+Shift+Up/Down
            first, *rest = head.split("/")
            keys = [first] + [_modifiers(first) + r for r in rest]
        if len(head) == 1 and groups:  # Ctrl+Alt+P / K
            keys = [_modifiers(groups[-1][0]) + head]
        remark = remark.rstrip(")")
        if _KEY.match(remark):  # Ctrl+Shift+Z (Ctrl+Y)
            keys.append(remark)
        for k in keys:
            assert _KEY.match(k), f"README key table: cannot read the key {k!r} in {cell!r}"
        groups.append(keys)
    return groups


def phrases_for(groups: list[list[str]], action: str) -> list[str]:
    """One phrase of the action cell per key group: the cell split at commas and slashes (its
    first clause, or every clause when that gives one phrase a group); a range of keys takes the
    items of the phrase's parenthesised list; otherwise every group gets the first clause."""
    clauses = _split_top(action, ("; ",))
    phrases = _split_top(clauses[0], (", ", " / "))
    if len(phrases) != len(groups):
        phrases = [p for c in clauses for p in _split_top(c, (", ", " / "))]
    if len(phrases) != len(groups):
        phrases = [clauses[0]] * len(groups)
    return phrases


def expand_ranges(cell: str, action: str) -> list[tuple[list[str], str]]:
    """(keys, phrase) pairs of a row, a range ``Ctrl+1 .. Ctrl+5`` matched item by item with the
    phrase's list in parentheses."""
    top = _split_top(cell.split(", then ")[0], (" / ", ", "))
    clauses = _split_top(action, ("; ",))
    if any(" .. " in part for part in top) and len(clauses) == len(top):
        pairs = []
        for part, phrase in zip(top, clauses, strict=True):
            groups = key_groups(part)
            if len(groups) > 1:
                items = _split_top(phrase[phrase.index("(") + 1 : phrase.rindex(")")], (", ",))
                pairs += list(zip(groups, items, strict=True))
            else:
                pairs.append((groups[0], phrase))
        return pairs
    groups = key_groups(cell)
    return list(zip(groups, phrases_for(groups, action), strict=True))


def words(text: str) -> set[str]:
    """Lower-case words without stop words, possessives and plural s."""
    out = set()
    for w in re.findall(r"[a-z0-9]+(?:'s)?", text.replace("&", "").lower()):
        w = w.removesuffix("'s")
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        if w not in STOPWORDS:
            out.add(w)
    return out


def readme_pairs() -> list[tuple[str, str]]:
    """(key, phrase) for every key of the README's key table bound to a window action."""
    rows = readme_key_rows(README.read_text(encoding="utf-8"))
    pairs = []
    for keys, action in rows:
        if keys in WIDGET_ROWS:
            continue
        for group, phrase in expand_ranges(keys, action):
            pairs += [(k, phrase) for k in group]
    return pairs


def _score(phrase: str, action: QtGui.QAction) -> float:
    said = words(phrase)
    known = words(f"{action.text()} {action.toolTip()}")
    return len(said & known) / max(1, len(said))


def _names(phrase: str, action: QtGui.QAction, best: float) -> bool:
    """The phrase names the action: every word of its label is in the phrase ("copy selected
    results" for the results table's "Copy"), or its words fit the action as well as any's."""
    label = words(action.text())
    return (bool(label) and label <= words(phrase)) or (best > 0 and _score(phrase, action) == best)


def check_key(window, key: str, phrase: str) -> str | None:
    """None when ``key`` is bound to an action that the README's ``phrase`` names, else what is
    wrong. Actions of the window and of its widgets (the results table's Copy) count."""
    every = [a for a in window.findChildren(QtGui.QAction) if a.shortcuts()]
    bound = [a for a in every if QtGui.QKeySequence(key) in a.shortcuts()]
    if not bound:
        return f"{key} ({phrase!r}) is bound to no action"
    best = max(_score(phrase, a) for a in every)
    if not any(_names(phrase, a, best) for a in bound):
        named = max(every, key=lambda a: _score(phrase, a)).text()
        return f"{key} is bound to {[a.text() for a in bound]}, but the README's {phrase!r} names {named!r}"
    return None


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


def test_the_readme_key_table_is_read_whole():
    text = README.read_text(encoding="utf-8")
    rows = readme_key_rows(text)
    assert len(rows) >= 20
    for row in WIDGET_ROWS:
        assert row in [k for k, _ in rows], f"README's key table lost the row {row!r}: drop it from WIDGET_ROWS"
    keys = [k for k, _ in readme_pairs()]
    assert len(keys) == len(set(keys)), "a key appears twice in the README's key table"
    for key in ("Ctrl+N", "Ctrl+Y", "Ctrl+Shift+Down", "Ctrl+Alt+K", "Ctrl+3", "Ctrl+0", "Ctrl+6", "Ctrl+Q", "Ctrl+Alt+U"):
        assert key in keys, key


def test_the_key_table_parser_reads_every_form():
    assert key_groups("Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y)") == [["Ctrl+Z"], ["Ctrl+Shift+Z", "Ctrl+Y"]]
    assert key_groups("Ctrl+Shift+N, Ctrl+Shift+Up/Down") == [["Ctrl+Shift+N"], ["Ctrl+Shift+Up", "Ctrl+Shift+Down"]]
    assert key_groups("Ctrl+Alt+P / K / S") == [["Ctrl+Alt+P"], ["Ctrl+Alt+K"], ["Ctrl+Alt+S"]]
    assert key_groups("F2 (in the scenario list), Ctrl+F2 (anywhere)") == [["F2"], ["Ctrl+F2"]]
    assert key_groups("Ctrl+F, then Down/Up, Enter or Tab") == [["Ctrl+F"]]
    assert expand_ranges("Ctrl+1 .. Ctrl+3, Ctrl+0", "an analysis (sweep, tornado, goal seek); back") == [
        (["Ctrl+1"], "sweep"),
        (["Ctrl+2"], "tornado"),
        (["Ctrl+3"], "goal seek"),
        (["Ctrl+0"], "back"),
    ]
    assert phrases_for([["F9"], ["Shift+F9"]], "run / cancel the Monte Carlo") == ["run", "cancel the Monte Carlo"]
    with pytest.raises(AssertionError, match="cannot read the key"):
        key_groups("Ctrl+Banana")


def test_every_readme_key_is_bound_to_the_action_it_names(make_window):
    w = make_window()
    problems = [p for key, phrase in readme_pairs() if (p := check_key(w, key, phrase))]
    assert not problems, "\n".join(problems)


def test_a_key_bound_to_another_action_than_the_readme_says_is_caught(make_window):
    w = make_window()
    assert check_key(w, "Ctrl+Z", "undo") is None
    assert check_key(w, "Ctrl+Z", "redo") is not None
    assert check_key(w, "Ctrl+Shift+B", "save the scenario as a platform template") is not None
    assert check_key(w, "Ctrl+Alt+Shift+F12", "undo") is not None


def test_every_window_shortcut_is_in_the_readme(qapp):
    """Keys given as text are listed; a standard key (whose bindings vary by platform) is listed
    by one of its bindings here or by its fallback."""
    listed = {QtGui.QKeySequence(k) for k, _ in readme_pairs()}
    for spec in actions.ACTIONS:
        for s in spec.shortcuts:
            if isinstance(s, str):
                assert QtGui.QKeySequence(s) in listed, f"{s} ({spec.id}) is bound but not in the README's key table"
                continue
            known = set(QtGui.QKeySequence.keyBindings(s)) | ({QtGui.QKeySequence(spec.fallback)} if spec.fallback else set())
            assert known & listed, f"{spec.id}'s standard key is in none of its forms in the README's key table"


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
