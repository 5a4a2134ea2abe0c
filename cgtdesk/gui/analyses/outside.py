"""Base values outside their distribution, in the window: the editor's warning mark and
tooltip, the lines of the Monte Carlo and tornado views, and the offer to move a distribution
with its base value (one undo step).

The check itself is the core's (:func:`cgtdesk.core.sampling.base_outside_distribution`).
"""

from __future__ import annotations

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.sampling import base_outside_distribution, distribution_range, move_distribution, outside_text

#: the mark of a row whose base value lies outside its distribution (a warning sign)
MARK = "\u26a0"
#: the style of a view's warning lines
WARNING_STYLE = "QLabel { color: #8a4b00; border: 1px solid #E69F00; border-radius: 3px; padding: 4px; }"


def outside_lines(scenarios, currency: str) -> list[str]:
    """One sentence per input whose base lies outside its distribution, naming scenario and key."""
    return [outside_text(item, currency) for item in base_outside_distribution(scenarios)]


def outside_text_html(scenarios, currency: str) -> str:
    """The lines of :func:`outside_lines`, each after the warning mark ('' when none)."""
    from html import escape

    return "<br>".join(f"{MARK} {escape(t)}" for t in outside_lines(scenarios, currency))


def row_warning(scenario, key: str, currency: str) -> str:
    """The sentence of the editor's row of ``key`` ('' when its base lies in its distribution)."""
    found = base_outside_distribution([scenario])
    return next((outside_text(item, currency) for item in found if item[1] == key), "")


def offer_move(doc, prompts, parent, index: int, key: str, value) -> bool:
    """Set ``key`` of scenario ``index`` to ``value``; when that puts the base outside its
    distribution, ask (``prompts.confirm``) whether the distribution moves with it (scaled so
    the new base sits where the old one did). Both changes are then one undo step. Returns True
    when it did the change (both, in one step), False when the caller sets the value alone.
    InputError when the value is refused."""
    s = doc.project.scenarios[index]
    dist = s.uncertainty.get(key)
    if dist is None or prompts is None or isinstance(value, str):
        return False
    new, _ = doc.check_parameter(s, key, value)
    lo, hi = distribution_range(key, dist)
    if lo <= new <= hi:
        return False
    old = float(s.parameters[key])
    moved = move_distribution(key, dist, old, float(new))
    if moved is None:
        return False
    label = catalogue().parameters[key].label
    ask = (
        f"{label} is now outside its distribution in '{s.name}', so Monte Carlo and the tornado would not use it. "
        f"Move the distribution with it ({dist['dist']}, scaled so the new value sits where the old one did)?"
    )
    if not prompts.confirm(parent, "Move the distribution too?", ask, "Move it"):
        return False
    doc.undo_stack.beginMacro(f"{label} and its distribution in '{s.name}'")
    try:
        doc.set_parameter(index, key, new)
        doc.set_uncertainty(index, key, moved)
    except InputError:
        doc.undo_stack.endMacro()
        doc.undo_stack.undo()
        raise
    doc.undo_stack.endMacro()
    return True


def warning_label():
    """A view's line(s) naming the inputs whose base lies outside their distribution (hidden when none)."""
    from PySide6 import QtCore, QtWidgets

    label = QtWidgets.QLabel()
    label.setObjectName("outside_warning")
    label.setWordWrap(True)
    label.setTextFormat(QtCore.Qt.TextFormat.RichText)
    label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet(WARNING_STYLE)
    label.hide()
    return label


def show_outside(label, scenarios, currency: str) -> None:
    """Fill a :func:`warning_label` for ``scenarios`` (hide it when every base sits in its distribution)."""
    text = outside_text_html(scenarios, currency)
    label.setText(text)
    label.setVisible(bool(text))
