"""Presentation mode: the charts full screen as slides, one at a time.

Large type, thick lines, the Okabe-Ito palette, a title on each slide stating its finding, the
scenario names and the currency. Right/Left, Page Down/Up (clickers), space, Home/End move;
Esc leaves. The slides are built from the project passed in, so they show every edit made
before entering.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from cgtdesk.chartdata import board as boards
from cgtdesk.chartdata.registry import SLIDES
from cgtdesk.gui.charts import CHART_CLASSES
from cgtdesk.gui.charts.base import font
from cgtdesk.gui.style import ChartStyle, presentation_style
from cgtdesk.gui.workers import monte_carlo_of

#: a slide is laid out at this logical size and scaled to the screen or page
SLIDE_SIZE = QtCore.QSize(1920, 1080)


class Slide(QtWidgets.QWidget):
    """One chart in presentation style, with a footer naming the project, currency and slide."""

    def __init__(self, name: str, style: ChartStyle, footer: str = "", parent=None):
        super().__init__(parent)
        self.name = name
        self.style_ = style
        lay = QtWidgets.QVBoxLayout(self)
        m = max(8, style.font_px)
        lay.setContentsMargins(m, m // 2, m, m // 2)
        lay.setSpacing(m // 3)
        self.chart = CHART_CLASSES[name](style=style)
        self.chart.layout().setSpacing(max(2, style.font_px // 3))
        lay.addWidget(self.chart, 1)
        self.footer = QtWidgets.QLabel(footer)
        self.footer.setFont(font(max(10, int(style.font_px * 0.8))))
        lay.addWidget(self.footer)
        self.footer.setVisible(bool(footer))
        self.set_colours()

    def set_colours(self):
        th = self.style_.theme
        pal = self.palette()
        pal.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor(th.background))
        pal.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor(th.foreground))
        self.setPalette(pal)
        self.setAutoFillBackground(True)
        self.footer.setStyleSheet(f"color: {th.muted}")

    def update_data(self, data, colour_index: int = 0):
        if self.name == "montecarlo":
            self.chart.update_data(data, colour_index=colour_index)
        else:
            self.chart.update_data(data)


def slide_data(project, pair=None, scenario: str | None = None, monte_carlo=None) -> dict:
    """The data of every slide, from the shared chart board: like the chart panel, with the
    crossover located, and the preset Monte Carlo run when no result is given."""
    if monte_carlo is None:
        try:
            monte_carlo = monte_carlo_of(project)
        except Exception:  # a project the sampler refuses still presents its other slides
            monte_carlo = None
    return boards.shared().chart_data(project, pair, scenario, monte_carlo, locate=True, charts=SLIDES)


def build_slides(
    project, pair=None, scenario: str | None = None, monte_carlo=None, style: ChartStyle | None = None, data: dict | None = None
) -> list[Slide]:
    style = style or presentation_style()
    data = data if data is not None else slide_data(project, pair, scenario, monte_carlo)
    scenario = boards.pick_scenario(project, scenario)
    idx = project.names().index(scenario) if scenario in project.names() else 0
    slides = []
    outside = outside_footnote(project)
    for k, name in enumerate(SLIDES):
        footer = f"{project.title}   |   all money in {project.currency}   |   {k + 1} / {len(SLIDES)}"
        if outside and name in ("montecarlo", "tornado"):
            footer = f"{outside}\n{footer}"
        s = Slide(name, style, footer)
        s.update_data(data[name], colour_index=idx)
        slides.append(s)
    return slides


def outside_footnote(project) -> str:
    """The footnote of the Monte Carlo and tornado slides: the inputs whose base lies outside
    their distribution, naming scenario and key ('' when none)."""
    from cgtdesk.gui.analyses.outside import MARK, outside_lines

    return "\n".join(f"{MARK} {t}" for t in outside_lines(project.scenarios, project.currency))


def screen_names() -> list[str]:
    return [f"{s.name()} ({s.geometry().width()}x{s.geometry().height()})" for s in QtGui.QGuiApplication.screens()]


def choose_screen(parent=None) -> QtGui.QScreen | None:
    """Ask which screen to present on when several are connected (None: cancelled)."""
    screens = QtGui.QGuiApplication.screens()
    if len(screens) <= 1:
        return screens[0] if screens else None
    names = screen_names()
    primary = QtGui.QGuiApplication.primaryScreen()
    # default to a screen other than the one the app is on: the projector
    here = parent.screen() if parent is not None else primary
    default = next((i for i, s in enumerate(screens) if s is not here), 0)
    item, ok = QtWidgets.QInputDialog.getItem(parent, "Present on", "Screen:", names, default, False)
    return screens[names.index(item)] if ok else None


def _resolve_screen(screen) -> QtGui.QScreen | None:
    screens = QtGui.QGuiApplication.screens()
    if isinstance(screen, int):
        return screens[screen] if 0 <= screen < len(screens) else QtGui.QGuiApplication.primaryScreen()
    if isinstance(screen, str):
        for s in screens:
            if s.name() == screen:
                return s
        return QtGui.QGuiApplication.primaryScreen()
    return screen or QtGui.QGuiApplication.primaryScreen()


class PresentationWindow(QtWidgets.QWidget):
    """Full-screen slides of the project's charts.

    ``screen``: a QScreen, its index in QGuiApplication.screens() or its name (default: the
    primary screen; :func:`choose_screen` asks when several are connected). ``scenario``: the
    scenario the waterfall, capacity, tornado and Monte Carlo slides show (default: the first).
    ``monte_carlo``: a Monte Carlo result to show (the window's MonteCarloService result; default:
    the preset run, :func:`cgtdesk.gui.workers.monte_carlo_of`).
    Call :meth:`start` to show it full screen; ``closed`` is emitted when it is left.
    """

    closed = QtCore.Signal()
    slideChanged = QtCore.Signal(int)

    def __init__(
        self, project, pair=None, screen=None, *, scenario: str | None = None, monte_carlo=None, dark: bool = False, parent=None
    ):
        super().__init__(parent, QtCore.Qt.WindowType.Window)
        self.setWindowTitle(f"{project.title} - presentation")
        self.project = project
        self.target_screen = _resolve_screen(screen)
        height = self.target_screen.geometry().height() if self.target_screen else SLIDE_SIZE.height()
        self.style_ = presentation_style(dark, scale=max(0.5, height / SLIDE_SIZE.height()))
        self.stack = QtWidgets.QStackedWidget()
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        self.slides = build_slides(project, pair, scenario, monte_carlo, self.style_)
        for s in self.slides:
            self.stack.addWidget(s)
        # keys belong to the window: no chart or graphics view may take them (a view scrolls on arrows)
        for w in self.findChildren(QtWidgets.QWidget):
            w.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.setCursor(QtCore.Qt.CursorShape.BlankCursor)
        pal = self.palette()
        pal.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor(self.style_.theme.background))
        self.setPalette(pal)
        self.setAutoFillBackground(True)

    # ---- showing
    def start(self):
        """Show full screen on the chosen screen."""
        if self.target_screen is not None:
            self.setScreen(self.target_screen)
            self.setGeometry(self.target_screen.geometry())
        self.showFullScreen()
        self.raise_()
        self.activateWindow()
        self.setFocus()

    # ---- navigation
    @property
    def index(self) -> int:
        return self.stack.currentIndex()

    def count(self) -> int:
        return self.stack.count()

    def current_name(self) -> str:
        return SLIDES[self.index]

    def go(self, i: int):
        i = max(0, min(self.count() - 1, i))
        if i != self.index:
            self.stack.setCurrentIndex(i)
            self.slideChanged.emit(i)

    def next(self):
        self.go(self.index + 1)

    def previous(self):
        self.go(self.index - 1)

    def keyPressEvent(self, ev: QtGui.QKeyEvent):
        k = QtCore.Qt.Key
        key = ev.key()
        if key in (k.Key_Right, k.Key_PageDown, k.Key_Space, k.Key_Down, k.Key_Return, k.Key_Enter, k.Key_N):
            self.next()
        elif key in (k.Key_Left, k.Key_PageUp, k.Key_Backspace, k.Key_Up, k.Key_P):
            self.previous()
        elif key == k.Key_Home:
            self.go(0)
        elif key == k.Key_End:
            self.go(self.count() - 1)
        elif key in (k.Key_Escape, k.Key_Q):
            self.close()
        else:
            super().keyPressEvent(ev)
            return
        ev.accept()

    def mousePressEvent(self, ev: QtGui.QMouseEvent):
        if ev.button() == QtCore.Qt.MouseButton.LeftButton:
            self.next()
        elif ev.button() == QtCore.Qt.MouseButton.RightButton:
            self.previous()

    def closeEvent(self, ev):
        super().closeEvent(ev)
        self.closed.emit()
