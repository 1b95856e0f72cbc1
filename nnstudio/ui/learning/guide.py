"""A short guided tour of how a network learns, with a "Show me" button per idea.

The page (:class:`GuideDock`) only explains and asks: each button emits a key from
:data:`GUIDE_ACTIONS`, and the main window turns it into something to watch (one
forward phase, a large learning rate for a few cycles, ...). It docks at the side of
the window, so what it demonstrates stays in view beside it. The demonstrations that
change a setting (:data:`SETTING_DEMOS`) are run by :class:`GuideDemonstrations`,
which puts the setting back afterwards; the phase demonstrations are the learning
presenter's. After backprop, an experiment answers the seed author's question (``loss =``
or ``loss +=``): a toggle for the author's delta rule and a "Show me" that the window's
``compare_view.AuthorVariantDemo`` runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pyqtgraph as pg
from PySide6.QtCore import QObject, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.learning.controls import TrainingControls
from nnstudio.ui.learning.guide_text import AUTHOR_SECTION, GUIDE_SECTIONS, INTRO, GuideSection
from nnstudio.ui.plotting.colormaps import FAINT_LINE_COLOR, MUTED_TEXT_COLOR, TEXT_COLOR
from nnstudio.ui.plotting.loss_plot import LossPlot
from nnstudio.ui.window.action_row import ActionRow
from nnstudio.ui.window.window_dock import under_action_row

__all__ = ["GuideDock", "GuideDemonstrations", "GUIDE_ACTIONS", "GUIDE_TITLE", "SETTING_DEMOS"]

GUIDE_TITLE = "How a network learns"
#: Width the guide opens with, and the narrowest it gets: a paragraph still reads well.
GUIDE_WIDTH = 380
GUIDE_MIN_WIDTH = 240

#: Keys emitted by :attr:`GuideDock.sig_action`, in reading order.
GUIDE_ACTIONS = (
    "feedforward",
    "sigmoid",
    "error",
    "mse",
    "chain_rule",
    "gradient_descent",
    "learning_rate",
    "noise",
)


#: The shading of a demonstration's cycles on the loss plot: the muted text grey, faint.
_MARK_FILL = (95, 99, 104, 40)


def _section_frame(number: int, section: GuideSection, parent: QWidget) -> tuple[QFrame, QPushButton]:
    """A card: numbered heading, paragraph and a right-aligned "Show me" button."""
    frame = QFrame(parent, objectName=f"guideSection_{section.key}")
    frame.setFrameShape(QFrame.Shape.NoFrame)
    # The cards are separated by a hairline rather than boxed: lighter to read through.
    frame.setStyleSheet(f"QFrame#guideSection_{section.key} {{ border-top: 1px solid {FAINT_LINE_COLOR}; }}")
    title = QLabel(f"{number}. {section.title}", frame)
    font = QFont(title.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() + 1)
    title.setFont(font)
    title.setStyleSheet(f"color: {TEXT_COLOR};")
    title.setWordWrap(True)  # the dock may be narrow
    body = QLabel(f"<p style='line-height:125%;'>{section.body}</p>", frame)
    body.setTextFormat(Qt.TextFormat.RichText)
    body.setWordWrap(True)
    body.setStyleSheet(f"color: {TEXT_COLOR};")
    body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    button = QPushButton("Show me", frame, objectName=f"guideButton_{section.key}")
    button.setToolTip("Do this step in the simulator and point at it")
    # Enter in the guide must not start a demonstration nobody asked for.
    button.setAutoDefault(False)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(button)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(2, 10, 2, 6)
    layout.setSpacing(4)
    layout.addWidget(title)
    layout.addWidget(body)
    layout.addLayout(row)
    return frame, button


class GuideDock(QDockWidget):
    """The page "How a network learns" as a dock: eight short paragraphs, each with "Show me".

    Docked at the side of the main window, it never covers the network, the loss plot
    or the heatmaps that its demonstrations change. The object name is
    ``"guideDialog"``, the name scripts have always found the guide by.

    Parameters
    ----------
    parent : QWidget, optional
        A ``QMainWindow`` gets the guide docked on its right, hidden until shown; with
        any other parent (or none) it is a window of its own.

    Signals
    -------
    sig_action(str)
        A key from :data:`GUIDE_ACTIONS`: the learner pressed that paragraph's "Show me".
    sig_delta_rule(str)
        The learner ticked or cleared "Train with the author's variant (+=)".
    sig_author_demo()
        The learner pressed the author's question's "Show me" (``authorVariantButton``).

    Attributes
    ----------
    buttons : dict of str to QPushButton
        The "Show me" buttons by key, object names ``"guideButton_<key>"``.
    scroll_area : QScrollArea
        Holds the paragraphs; objectName ``"guideScrollArea"``.
    """

    sig_action = Signal(str)  # key from GUIDE_ACTIONS
    sig_delta_rule = Signal(str)  # "set" or "accumulate": the author's-variant toggle
    sig_author_demo = Signal()  # the author's question's "Show me"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(GUIDE_TITLE, parent)
        self.setObjectName("guideDialog")
        self.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)

        heading = QLabel(GUIDE_TITLE, objectName="guideHeading")
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.5)
        heading.setFont(font)
        heading.setStyleSheet(f"color: {TEXT_COLOR};")
        heading.setWordWrap(True)
        intro = QLabel(f"<p style='line-height:125%;'>{INTRO}</p>", objectName="guideIntro")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.setStyleSheet(f"color: {MUTED_TEXT_COLOR};")

        page = QWidget(objectName="guidePage")
        # a white page reads like a document, set apart from the window's chrome
        page.setStyleSheet("QWidget#guidePage { background: white; }")
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(10, 12, 10, 10)
        page_layout.setSpacing(6)
        page_layout.addWidget(heading)
        page_layout.addWidget(intro)
        self.buttons: dict[str, QPushButton] = {}
        for number, section in enumerate(GUIDE_SECTIONS, start=1):
            frame, button = _section_frame(number, section, page)
            # bind the key now; a bare lambda would see the loop's last key
            button.clicked.connect(lambda _checked=False, key=section.key: self.sig_action.emit(key))
            self.buttons[section.key] = button
            page_layout.addWidget(frame)
            if section.key == "chain_rule":
                page_layout.addWidget(self._author_frame(page))
        page_layout.addStretch(1)

        self.scroll_area = QScrollArea(objectName="guideScrollArea")
        self.scroll_area.setWidget(page)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setMinimumWidth(
            max(
                GUIDE_MIN_WIDTH,
                page.minimumSizeHint().width() + self.scroll_area.verticalScrollBar().sizeHint().width(),
            )
        )
        # Step and Run inside the guide, for when it has taken the side panel's room.
        self.training_row = ActionRow("guideTrainingRow", "guide_")
        self.setWidget(under_action_row(self.training_row, self.scroll_area, spacing=0))

        if isinstance(parent, QMainWindow):
            parent.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self)
            self.hide()
        else:
            self.resize(GUIDE_WIDTH, 680)

    def _author_frame(self, page: QWidget) -> QFrame:
        """The author's question: its paragraph, the += toggle, "Show me" and what that showed."""
        frame, self.author_button = _section_frame(len(GUIDE_SECTIONS) + 1, AUTHOR_SECTION, page)
        self.author_button.setObjectName("authorVariantButton")  # guideButton_* are the numbered steps'
        title = frame.findChild(QLabel)
        title.setText(f"Experiment: {AUTHOR_SECTION.title}")  # not a numbered step of the cycle
        self.author_button.setToolTip("Pin this run, train the same start with += for as many cycles, compare")
        self.author_button.clicked.connect(self.sig_author_demo)
        self.author_check = QCheckBox("Train with the author's variant (+=)", frame, objectName="authorVariantCheck")
        self.author_check.setToolTip("From the next cycle on, hidden layers add to the blame they kept; "
                                     "a reset, new network or new data goes back to the standard =")
        self.author_check.toggled.connect(lambda on: self.sig_delta_rule.emit("accumulate" if on else "set"))
        # A check box cannot wrap: it must not hold the guide wider than a paragraph needs.
        self.author_check.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.author_result = QLabel(frame, objectName="authorVariantResult")
        self.author_result.setWordWrap(True)
        self.author_result.setTextFormat(Qt.TextFormat.PlainText)
        self.author_result.setStyleSheet(f"color: {TEXT_COLOR};")
        self.author_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.author_result.hide()
        layout = frame.layout()
        layout.insertWidget(layout.count() - 1, self.author_check)
        layout.addWidget(self.author_result)
        return frame

    def show_delta_rule(self, rule: str) -> None:
        """The toggle follows the trainer's rule (a reset or a reopened session may change it)."""
        with QSignalBlocker(self.author_check):
            self.author_check.setChecked(rule == "accumulate")

    def show_author_result(self, text: str) -> None:
        self.author_result.setText(text)
        self.author_result.setVisible(bool(text))

    def add_training_actions(self, actions) -> None:
        """Buttons for these actions (Step phase, Step, Run…) above the paragraphs, shown on demand."""
        self.training_row.add_actions(actions)

    def show_training_actions(self, visible: bool) -> None:
        self.training_row.setVisible(visible)

    def sizeHint(self) -> QSize:
        # The width it opens with: a quarter of the window, within bounds a paragraph reads well in.
        window = self.parentWidget()
        share = GUIDE_WIDTH if window is None else int(window.width() * 0.26)
        return QSize(max(GUIDE_MIN_WIDTH, min(GUIDE_WIDTH, share)), super().sizeHint().height())


class _SettingDemo(NamedTuple):
    """A demonstration that changes one training setting for a number of cycles."""

    spin: str  # attribute of TrainingControls
    name: str  # the setting, as the status bar names it
    value: Callable[[float], float]  # the setting's value during the demonstration, from its value before
    cycles: int
    mark: str  # the label on the loss plot
    status: str


#: The guide's demonstrations that change a setting; the others only step phases.
SETTING_DEMOS: dict[str, _SettingDemo] = {
    "learning_rate": _SettingDemo(
        "learning_rate_spin", "Learning rate", lambda lr: min(20.0, lr * 10), 50, "lr ×10",
        "Learning rate ×10 for 50 cycles: watch the loss jump around (the shaded cycles).",
    ),
    "noise": _SettingDemo(
        "noise_spin", "Noise", lambda _noise: 0.5, 100, "noise 0.5",
        "Noise 0.5 for 100 cycles: the updates wander (the shaded cycles); the noise fades as training goes on.",
    ),
}


class _Pending(NamedTuple):
    generation: int
    start: int  # the cycle shown when the learner pressed "Show me"
    demo: _SettingDemo
    spin: QDoubleSpinBox
    before: float
    during: float  # as the spin box shows it, after its rounding


class GuideDemonstrations(QObject):
    """The guide's "Show me" for the learning rate and the noise: a setting changed for a few cycles, then put back.

    The setting lasts only for the demonstration. Once the trainer reports the cycles
    done (or the run changes: a reset, new data or a new network), the control gets its
    earlier value back, unless the learner has changed it meanwhile. The loss plot then
    zooms to those cycles, shaded and labelled, until training goes on past them.

    Parameters
    ----------
    controls : TrainingControls
        Holds the learning-rate and noise spin boxes; changing them sends the new settings.
    loss_plot : LossPlot
        Where the demonstration's cycles are shown.
    send : callable
        ``send(name, *args)`` queues a command for the trainer.
    parent : QObject, optional

    Signals
    -------
    sig_status(str)
        A line for the status bar.
    """

    sig_status = Signal(str)  # message

    def __init__(self, controls: TrainingControls, loss_plot: LossPlot, send: Callable[..., None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controls, self.loss_plot, self._send = controls, loss_plot, send
        self.latest: Snapshot | None = None
        self._pending: _Pending | None = None
        self._marked: tuple[int, int, int] | None = None  # generation, first and last cycle shaded
        self._mark_items: tuple = ()  # the shading and its labelled first line

    def demonstrate(self, key: str) -> None:
        """Run the demonstration of ``key`` if it changes a setting (see :data:`SETTING_DEMOS`)."""
        demo, s = SETTING_DEMOS.get(key), self.latest
        if demo is None or s is None:
            return
        if self._pending is not None:  # pressed again before the first one ended
            self._restore(self._pending)
        self._clear_mark()
        spin = getattr(self.controls, demo.spin)
        before = spin.value()
        spin.setValue(demo.value(before))  # the window sends the new setting
        self._pending = _Pending(s.generation, s.cycle, demo, spin, before, spin.value())
        self._send("step", "cycle", demo.cycles)
        self.sig_status.emit(f"{demo.status} Then it goes back to {before:g}.")

    def show(self, s: Snapshot) -> None:
        """Follow the trainer: put the setting back once the demonstration's cycles are done."""
        self.latest = s
        pending = self._pending
        if pending is not None:
            same_run = s.generation == pending.generation
            # Every command is answered by a snapshot; the first one after the step that
            # is not running and has moved on (or reports trouble) says the step is over.
            if not same_run or (not s.running and (s.cycle != pending.start or s.message)):
                self._pending = None
                self._restore(pending)
                if same_run and s.cycle > pending.start:
                    self._mark(s.generation, max(pending.start, s.cycle - pending.demo.cycles), s.cycle,
                               pending.demo.mark)
            return
        if self._marked is not None:
            generation, first, last = self._marked
            if s.generation != generation or not first <= s.cycle <= last:
                self._clear_mark()

    def _restore(self, pending: _Pending) -> None:
        if pending.spin.value() != pending.during:
            return  # the learner chose another value meanwhile: theirs stays
        pending.spin.setValue(pending.before)
        self.sig_status.emit(f"{pending.demo.name} back to {pending.before:g}.")

    def _mark(self, generation: int, first: int, last: int, label: str) -> None:
        """Shade cycles first..last and zoom to them, with as many cycles before for comparison."""
        self.loss_plot.tabs.setCurrentIndex(self.loss_plot.LOSS_TAB)
        item = self.loss_plot.loss_plot.getPlotItem()
        span = last - first
        region = pg.LinearRegionItem((first, last), movable=False, brush=pg.mkBrush(_MARK_FILL),
                                     pen=pg.mkPen(None))
        region.setZValue(-10)  # under the curves
        start = pg.InfiniteLine(first, angle=90, movable=False, pen=pg.mkPen(MUTED_TEXT_COLOR, width=1))
        start.setZValue(10)  # its label over the curves
        # At the foot of the line, on the side of the calm cycles before it: clear of the
        # legend's corner and of the curves the demonstration drew.
        pg.InfLineLabel(start, f"{label} →", position=0.04, anchors=[(1, 1), (1, 1)], color=TEXT_COLOR,
                        fill=pg.mkBrush(255, 255, 255, 220))
        item.addItem(region)
        item.addItem(start)
        view = item.getViewBox()
        view.setXRange(max(0, first - span), last + max(1, span // 10), padding=0)
        view.setAutoVisible(y=True)  # the loss axis fits the cycles in view
        view.enableAutoRange(axis=pg.ViewBox.YAxis)
        self._mark_items, self._marked = (region, start), (generation, first, last)

    def _clear_mark(self) -> None:
        """Remove the shading and let the plot follow training again."""
        if not self._mark_items:
            return
        item = self.loss_plot.loss_plot.getPlotItem()
        for mark in self._mark_items:
            item.removeItem(mark)
        view = item.getViewBox()
        view.setAutoVisible(y=False)
        view.enableAutoRange()
        self._mark_items, self._marked = (), None
