"""Fuzzing the GUI's parameter editor: whatever is typed into a value cell is either accepted
(the catalogue and the model accept it, and the project then holds exactly that value) or
refused with a reason shown in place while the old value stays; never an exception, neither in
the editor nor in the charts and tables that redraw after an accepted value (extreme values
included). A handful go through the real cell editor with key presses; the rest through the
editor model's setData, which is what the cell editor commits to.
"""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from PySide6 import QtCore, QtWidgets  # noqa: E402

from cgtdesk.core.catalogue import catalogue  # noqa: E402
from cgtdesk.core.errors import InputError  # noqa: E402
from cgtdesk.core.formatting import parse_number  # noqa: E402
from cgtdesk.core.model import evaluate  # noqa: E402
from cgtdesk.core.project import check_value, project_from_dict  # noqa: E402

FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NUMBERISH = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**25), 10**25).map(str),
    st.floats(min_value=-1e12, max_value=1e12).map(lambda x: f"{x:,.3f}"),
    st.floats(min_value=0, max_value=1).map(lambda x: f"{x * 100:.1f}%"),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-0",
            "1",
            "0.5",
            "0,95",
            "95%",
            "150%",
            "-5%",
            "%",
            "1,000",
            "1,000,000",
            "1.000,5",
            "1_000",
            "1e3",
            "1E-3",
            "1e400",
            "-1e400",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "Infinity",
            "5e-324",
            "9" * 400,
            "0x10",
            "1/2",
            "1+1",
            "=A1",
            "\u00a0500",
            "\u0661\u0662\u0663",
            "\uff15\uff10\uff10",
            "12 345",
            "1e15",
            "999999999999999",
            "1e-9",
            "0.0000001",
            "1000000",
            "100000000000",
            "true",
            "None",
            "\x00",
            "5\n",
            "\t7",
            "1e",
            ".",
            "-",
            "+5",
            "٫5",
        ]
    ),
)
TEXTS = st.one_of(NUMBERISH, NUMBERISH, st.text(max_size=25))


@pytest.fixture
def window(make_window, qtbot):
    w = make_window()
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    return w


def _expected(key: str, text: str):
    """The value the editor should store for ``text``, or None when it must refuse it."""
    p = catalogue().parameters[key]
    if p.is_choice:  # a choice (facility.mode) takes one of its words, trimmed
        return text.strip() if text.strip() in p.choices else None
    try:
        return check_value(key, parse_number(text), "typed")
    except InputError:
        return None


@FUZZ
@given(data=st.data())
def test_typed_values_are_accepted_or_refused_in_place(window, qtbot, data):
    w = window
    idx = data.draw(st.integers(0, len(w.doc.project.scenarios) - 1))
    w.select_scenario(idx)
    s = w.doc.project.scenarios[idx]
    key = data.draw(st.sampled_from(catalogue().keys_for(s.process)))
    choices = catalogue().parameters[key].choices or ()
    text = data.draw(st.one_of(TEXTS, st.sampled_from(choices)) if choices else TEXTS)
    before = dict(s.parameters)
    with qtbot.capture_exceptions() as errors:
        ok = w.set_value(key, text)
        QtWidgets.QApplication.processEvents()  # results table and charts redraw now
        if hasattr(w, "flush_charts"):
            w.flush_charts()
    assert not errors, f"{key} = {text!r}: {errors[0][1]!r}"
    expected = _expected(key, text)
    if ok:
        assert expected is not None, f"{key} = {text!r} was accepted, but the catalogue refuses it"
        assert s.parameters[key] == expected and type(s.parameters[key]) is type(expected)
        assert {k: v for k, v in s.parameters.items() if k != key} == {k: v for k, v in before.items() if k != key}
        r = w.doc.results(s)
        assert r is not None and r["cogs_per_dose"] == evaluate(s.process, s.parameters)["cogs_per_dose"]
    else:
        assert s.parameters == before, f"{key} = {text!r} was refused, yet the project changed"
        shown = w.editor.inline.text()
        assert shown.strip(), f"{key} = {text!r} was refused without a reason shown"
        if expected is not None:  # a value the catalogue accepts may still make no dose per lot
            assert "dose" in shown.lower(), shown
    if not catalogue().parameters[key].is_choice:
        assert math.isfinite(float(s.parameters[key]))


def test_the_project_stays_valid_after_fuzzing_and_saves(window, qtbot, tmp_path):
    from cgtdesk.io.projectfile import load_project, save_project

    w = window
    for text in ["1e400", "abc", "0", "-1", "95%", "1,000", "nan", "\x00", "1e6"]:
        for key in ("demand.patients_per_year", "commercial.price_per_dose", "facility.sites"):
            w.set_value(key, text)
    QtWidgets.QApplication.processEvents()
    p = project_from_dict(w.doc.project.to_dict())
    assert [s.name for s in p.scenarios] == w.doc.project.names()
    path = tmp_path / "after.cgtproj"
    save_project(w.doc.project, path)
    assert load_project(path).to_dict() == w.doc.project.to_dict()


@pytest.mark.parametrize(
    "text", ["abc", "1e400", "0,95", "95%", "", "12 345", "-0", "1.5"]
)  # ASCII: QTest aborts on keys it cannot map
def test_typed_through_the_real_cell_editor(window, qtbot, text):
    """Key presses into the editor's line edit, committed with Enter, as a person would type."""
    w = window
    s = w.doc.project.scenarios[0]
    key = "auto.batch_success_rate" if s.process == "autologous" else "allo.lot_success_rate"
    old = s.parameters[key]
    ix = w.editor.filter.mapFromSource(w.editor.model.index_for_key(key))
    with qtbot.capture_exceptions() as errors:
        w.editor.tree.setCurrentIndex(ix)
        w.editor.tree.scrollTo(ix)
        w.editor.tree.edit(ix)
        editor = w.editor.tree.indexWidget(ix)
        assert isinstance(editor, QtWidgets.QLineEdit)
        editor.selectAll()
        qtbot.keyClicks(editor, text)
        qtbot.keyClick(editor, QtCore.Qt.Key.Key_Return)
        QtWidgets.QApplication.processEvents()
    assert not errors, errors
    if text == "":  # no key pressed: the editor still holds the old value, and commits it
        assert s.parameters[key] == old
        return
    expected = _expected(key, text)
    if expected is None:
        assert s.parameters[key] == old
        assert w.editor.inline.text().strip()
    else:
        assert s.parameters[key] == expected
