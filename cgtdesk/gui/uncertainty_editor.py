"""The uncertainty editor: a distribution per parameter of the selected scenario, and correlations.

Every edit is checked by ``cgtdesk.core.project.check_distribution`` / ``check_correlations``
before anything changes (the reason is shown in place and nothing is applied when a check
fails) and goes through the document as one undoable command. A small histogram of 5,000
draws (``cgtdesk.core.sampling``, as Monte Carlo draws them) previews the shape.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtWidgets

import pyqtgraph as pg  # isort: skip
from cgtdesk.core import sampling
from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import display_number, fmt_number, parse_number
from cgtdesk.core.project import DISTRIBUTIONS, check_distribution
from cgtdesk.gui.analyses.base import AnalysisView
from cgtdesk.gui.analyses.common import error_label, fill_combo, hbox, make_table, muted_label, set_rows, show_error
from cgtdesk.palette import OKABE_ITO

Qt = QtCore.Qt
KIND_LABELS = {
    None: "None: today's value",
    "fixed": "Fixed value",
    "uniform": "Uniform",
    "triangular": "Triangular",
    "pert": "PERT (beta)",
    "normal": "Normal (truncated to the valid range)",
    "lognormal": "Lognormal (truncated to the valid range)",
}
FIELD_TIPS = {
    "value": "The value used in every run",
    "low": "The lowest value",
    "high": "The highest value",
    "mode": "The most likely value",
    "mean": "The mean (before truncation to the valid range)",
    "sd": "The standard deviation, above 0",
    "median": "The median, above 0",
    "sigma": "The standard deviation of ln x, above 0 (0.1 is about -/+10%)",
}
PREVIEW_SAMPLES = 5_000


def _nice(x: float) -> float:
    return float(f"{x:.4g}")


def suggest(key: str, kind: str, base: float) -> dict:
    """Starting fields for a distribution of ``key`` around today's value (-/+20%, clipped)."""
    p = catalogue().parameters[key]

    def clip(v):
        return min(max(_nice(v), p.min), p.max)

    lo, hi = clip(base * 0.8), clip(base * 1.2)
    if lo == hi:
        lo, hi = p.min, p.max
    if kind == "fixed":
        return {"value": base}
    if kind == "uniform":
        return {"low": lo, "high": hi}
    if kind in ("triangular", "pert"):
        return {"low": min(lo, base), "mode": base, "high": max(hi, base)}
    if kind == "normal":
        return {"mean": base, "sd": _nice(abs(base) * 0.1) or 1.0}
    if kind == "lognormal":
        return {"median": base if base > 0 else max(p.min, 1e-6), "sigma": 0.2}
    raise ValueError(kind)


def describe_dist(key: str, dist: dict) -> str:
    return ", ".join(f"{f} {display_number(dist[f])}" for f in DISTRIBUTIONS[dist["dist"]])


class UncertaintyEditor(AnalysisView):
    title = "Uncertainty"

    def __init__(self, doc, current=None, parent=None):
        super().__init__(doc, current, parent)
        self.scenario_name: str | None = None
        self.heading = QtWidgets.QLabel()
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.param = QtWidgets.QComboBox()
        self.param.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.param.setMinimumContentsLength(26)
        self.param.activated.connect(lambda *_: self._load_parameter())
        self.param_info = muted_label()
        self.kind = QtWidgets.QComboBox()
        for k, text in KIND_LABELS.items():
            self.kind.addItem(text, k)
        self.kind.activated.connect(lambda *_: self._kind_chosen())
        self.field_labels: dict[str, QtWidgets.QLabel] = {}
        self.field_edits: dict[str, QtWidgets.QLineEdit] = {}
        form = QtWidgets.QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Parameter", self.param)
        form.addRow("", self.param_info)
        form.addRow("Distribution", self.kind)
        for name in ("value", "low", "mode", "high", "mean", "sd", "median", "sigma"):
            lab = QtWidgets.QLabel(name.capitalize() if name not in ("sd",) else "SD")
            edit = QtWidgets.QLineEdit()
            edit.setToolTip(FIELD_TIPS[name])
            edit.setMaximumWidth(160)
            edit.textEdited.connect(lambda *_: self._validate())
            edit.returnPressed.connect(self.apply)
            self.field_labels[name], self.field_edits[name] = lab, edit
            form.addRow(lab, edit)
        self.reason = error_label()
        self.apply_button = QtWidgets.QPushButton("Apply")
        self.apply_button.clicked.connect(self.apply)
        self.remove_button = QtWidgets.QPushButton("Remove")
        self.remove_button.setToolTip("Back to today's value in every run (its correlations go too)")
        self.remove_button.clicked.connect(self.remove)
        self.preview = pg.PlotWidget()
        self.preview.setBackground("w")
        self.preview.setMenuEnabled(False)
        self.preview.hideButtons()
        self.preview.setMouseEnabled(x=False, y=False)
        self.preview.getAxis("left").setStyle(showValues=False)
        self.preview.setMinimumHeight(110)
        self.preview.setMaximumHeight(170)
        self.preview_bars = pg.BarGraphItem(x0=[], x1=[], height=[], brush=OKABE_ITO["sky_blue"])
        self.preview.addItem(self.preview_bars)
        self.preview_base = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(OKABE_ITO["vermillion"], width=2))
        self.preview.addItem(self.preview_base, ignoreBounds=True)
        self.preview_note = muted_label()
        self.samples: np.ndarray | None = None  # the preview draws

        self.dists = make_table(("Parameter", "Distribution", "Fields", "Mean"), stretch=2)
        self.dists.itemSelectionChanged.connect(self._dist_row_chosen)
        self.corrs = make_table(("Parameter A", "Parameter B", "Rank correlation"), stretch=None)
        self.corr_a = QtWidgets.QComboBox()
        self.corr_b = QtWidgets.QComboBox()
        for c in (self.corr_a, self.corr_b):
            c.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            c.setMinimumContentsLength(14)
        self.corr_rho = QtWidgets.QLineEdit()
        self.corr_rho.setPlaceholderText("rho, e.g. -0.3")
        self.corr_rho.setMaximumWidth(100)
        self.corr_set = QtWidgets.QPushButton("Set")
        self.corr_set.clicked.connect(lambda: self.set_correlation())
        self.corr_remove = QtWidgets.QPushButton("Remove selected")
        self.corr_remove.clicked.connect(lambda: self.remove_correlation())
        self.corr_reason = error_label()

        left = QtWidgets.QWidget()
        ll = QtWidgets.QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(form)
        ll.addWidget(self.reason)
        ll.addLayout(hbox(self.apply_button, self.remove_button, None))
        ll.addWidget(self.preview)
        ll.addWidget(self.preview_note)
        ll.addStretch(1)
        right = QtWidgets.QWidget()
        rl = QtWidgets.QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QtWidgets.QLabel("<b>Distributions of this scenario</b> (select one to edit it)"))
        rl.addWidget(self.dists, 3)
        rl.addWidget(QtWidgets.QLabel("<b>Rank correlations</b> (Spearman, between inputs with a distribution)"))
        rl.addWidget(self.corrs, 2)
        rl.addLayout(hbox(self.corr_a, self.corr_b, self.corr_rho, self.corr_set, None, self.corr_remove))
        rl.addWidget(self.corr_reason)
        split = QtWidgets.QSplitter(Qt.Orientation.Vertical)
        split.addWidget(left)
        split.addWidget(right)
        split.setChildrenCollapsible(False)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.heading)
        lay.addWidget(split, 1)
        self.refresh_choices()

    def set_theme(self, dark: bool):
        from cgtdesk.gui.style import theme

        th = theme(dark)
        self.preview.setBackground(th.background)
        for name in ("left", "bottom"):
            ax = self.preview.getAxis(name)
            ax.setPen(pg.mkPen(th.foreground))
            ax.setTextPen(pg.mkPen(th.foreground))

    # ---------------------------------------------------------------- following the document

    def scenario(self):
        names = self.project.names()
        if self.scenario_name not in names:
            self.scenario_name = self.current_name()
        return self.project.scenario(self.scenario_name)

    def index(self) -> int:
        return self.project.names().index(self.scenario().name)

    def follow_scenario(self, name: str):
        self.scenario_name = name
        self.refresh_choices()

    def refresh_choices(self):
        s = self.scenario()
        params = catalogue().parameters
        self.heading.setText(f"Uncertainty of <b>{s.name}</b>: what each input may be, for the tornado and Monte Carlo")
        keys = catalogue().keys_for(s.process)
        items = [(k, ("\u25cf " if k in s.uncertainty else "") + params[k].label) for k in keys]
        fill_combo(self.param, items)
        self._fill_tables()
        self._load_parameter(keep_fields=self._editing())

    def _editing(self) -> bool:
        return any(e.hasFocus() for e in self.field_edits.values())

    def _fill_tables(self):
        s = self.scenario()
        params = catalogue().parameters
        rows = []
        self._dist_keys = [k for k in catalogue().keys_for(s.process) if k in s.uncertainty]
        for k in self._dist_keys:
            d = s.uncertainty[k]
            mean, _sd = sampling.moments(d)
            rows.append(
                [params[k].label, KIND_LABELS[d["dist"]].split(" (")[0], describe_dist(k, d), display_number(_nice(mean))]
            )
        self.dists.blockSignals(True)
        set_rows(self.dists, rows, right_from=3, tips=[k for k in self._dist_keys])
        self.dists.blockSignals(False)
        set_rows(
            self.corrs, [[params[c["a"]].label, params[c["b"]].label, f"{c['rho']:+.2f}"] for c in s.correlations], right_from=2
        )
        sampled = [(k, params[k].label) for k in self._dist_keys if s.uncertainty[k]["dist"] != "fixed"]
        fill_combo(self.corr_a, sampled)
        fill_combo(self.corr_b, sampled, sampled[1][0] if len(sampled) > 1 and self.corr_b.currentData() is None else None)
        for w in (self.corr_a, self.corr_b, self.corr_rho, self.corr_set):
            w.setEnabled(len(sampled) >= 2)

    def _dist_row_chosen(self):
        rows = {i.row() for i in self.dists.selectedIndexes()}
        if len(rows) == 1:
            self.select_parameter(self._dist_keys[rows.pop()])

    # ---------------------------------------------------------------- the distribution being edited

    def key(self) -> str:
        return self.param.currentData()

    def select_parameter(self, key: str) -> None:
        """Edit the distribution of ``key`` (the parameter editor's context menu lands here)."""
        i = self.param.findData(key)
        if i >= 0:
            self.param.setCurrentIndex(i)
            self._load_parameter()

    def set_kind(self, kind: str | None) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self._kind_chosen()

    def _load_parameter(self, keep_fields: bool = False):
        key = self.key()
        if key is None:
            return
        s = self.scenario()
        p = catalogue().parameters[key]
        unit = p.unit_for(self.project.currency)
        self.param_info.setText(
            f"Today {fmt_number(s.parameters[key])}{' ' + unit if unit and unit != 'fraction' else ''}; "
            f"valid {p.range_text()}{' (whole numbers)' if p.integer else ''}. {key}"
        )
        if keep_fields:
            return
        d = s.uncertainty.get(key)
        self.kind.setCurrentIndex(self.kind.findData(d["dist"] if d else None))
        self._show_fields(d)

    def _kind_chosen(self):
        kind = self.kind.currentData()
        key = self.key()
        d = self.scenario().uncertainty.get(key)
        if kind is None:
            self._show_fields(None)
        elif d is not None and d["dist"] == kind:
            self._show_fields(d)
        else:
            base = float(self.scenario().parameters[key])
            self._show_fields({"dist": kind, **suggest(key, kind, base)})

    def _show_fields(self, d: dict | None):
        want = DISTRIBUTIONS[d["dist"]] if d else ()
        for name, edit in self.field_edits.items():
            on = name in want
            edit.setVisible(on)
            self.field_labels[name].setVisible(on)
            edit.setText(display_number(d[name]) if on else "")
        self._validate()

    def entered(self) -> dict | None:
        """The distribution as typed (InputError when a field is not a number); None for 'none'."""
        kind = self.kind.currentData()
        if kind is None:
            return None
        out = {"dist": kind}
        for f in DISTRIBUTIONS[kind]:
            try:
                out[f] = parse_number(self.field_edits[f].text())
            except InputError as e:
                raise InputError(f"field '{f}': {e}") from None
        return out

    def _validate(self) -> dict | None:
        """Check what is typed; show the reason and the preview. Returns the clean distribution or None."""
        key = self.key()
        kind = self.kind.currentData()
        if kind is None:
            show_error(self.reason, "")
            self.apply_button.setEnabled(key in self.scenario().uncertainty)
            self.remove_button.setEnabled(key in self.scenario().uncertainty)
            self._preview(None)
            return None
        try:
            clean = check_distribution(key, self.entered(), f"scenario '{self.scenario().name}'")
        except InputError as e:
            show_error(self.reason, str(e))
            self.apply_button.setEnabled(False)
            self._preview(None)
            return None
        show_error(self.reason, "")
        self.apply_button.setEnabled(clean != self.scenario().uncertainty.get(key))
        self.remove_button.setEnabled(key in self.scenario().uncertainty)
        self._preview(clean)
        return clean

    def _preview(self, d: dict | None):
        key = self.key()
        base = float(self.scenario().parameters[key]) if key else math.nan
        if d is None:
            self.samples = None
            self.preview_bars.setOpts(x0=[], x1=[], height=[])
            self.preview_note.setText("")
            self.preview_base.setPos(base)
            return
        rng = np.random.default_rng(20_240_601)
        x = sampling.finish(key, sampling.draw(key, d, rng, PREVIEW_SAMPLES))
        self.samples = x
        lo, hi = float(x.min()), float(x.max())
        if hi <= lo:
            w = max(abs(lo) * 0.01, 1e-9)
            lo, hi = lo - w, hi + w
        counts, edges = np.histogram(x, bins=40, range=(lo, hi))
        self.preview_bars.setOpts(
            x0=edges[:-1], x1=edges[1:], height=counts, brush=OKABE_ITO["sky_blue"], pen=pg.mkPen("w", width=0.5)
        )
        self.preview_base.setPos(base)
        span = hi - lo
        self.preview.setXRange(min(lo, base) - 0.03 * span, max(hi, base) + 0.03 * span, padding=0)
        self.preview.setYRange(0, float(counts.max()) * 1.1, padding=0)
        p5, p50, p95 = np.percentile(x, [5, 50, 95])
        self.preview_note.setText(
            f"{PREVIEW_SAMPLES:,} draws as Monte Carlo makes them: P5 {fmt_number(_nice(p5))}, "
            f"median {fmt_number(_nice(p50))}, P95 {fmt_number(_nice(p95))}; red line: today's value."
        )

    # ---------------------------------------------------------------- changes (undoable, through the document)

    def apply(self) -> bool:
        """Apply the distribution typed; False (reason shown, nothing changed) when it is refused."""
        key = self.key()
        if self.kind.currentData() is None:
            return self.remove()
        try:
            dist = self.entered()
            self.doc.set_uncertainty(self.index(), key, dist)
        except InputError as e:
            show_error(self.reason, str(e))
            return False
        show_error(self.reason, "")
        self.refresh_choices()
        return True

    def remove(self) -> bool:
        key = self.key()
        if key not in self.scenario().uncertainty:
            return False
        try:
            self.doc.set_uncertainty(self.index(), key, None)
        except InputError as e:
            show_error(self.reason, str(e))
            return False
        self.refresh_choices()
        return True

    def set_correlation(self, a: str | None = None, b: str | None = None, rho=None) -> bool:
        """Set (add or replace) the rank correlation of two inputs; False with the reason when refused."""
        a = a or self.corr_a.currentData()
        b = b or self.corr_b.currentData()
        s = self.scenario()
        try:
            r = parse_number(self.corr_rho.text() if rho is None else str(rho))
            corrs = [dict(c) for c in s.correlations if {c["a"], c["b"]} != {a, b}]
            corrs.append({"a": a, "b": b, "rho": r})
            self.doc.set_correlations(self.index(), corrs)
        except InputError as e:
            show_error(self.corr_reason, str(e))
            return False
        show_error(self.corr_reason, "")
        self._fill_tables()
        return True

    def remove_correlation(self, row: int | None = None) -> bool:
        if row is None:
            rows = sorted({i.row() for i in self.corrs.selectedIndexes()})
            if not rows:
                show_error(self.corr_reason, "select a correlation to remove")
                return False
            row = rows[0]
        corrs = [dict(c) for i, c in enumerate(self.scenario().correlations) if i != row]
        try:
            self.doc.set_correlations(self.index(), corrs)
        except InputError as e:
            show_error(self.corr_reason, str(e))
            return False
        show_error(self.corr_reason, "")
        self._fill_tables()
        return True
