"""A slider over the training history: scrub back to any reachable cycle.

The window owns the history and decides what "reachable" means (the whole run: cycle 0
at the left, the latest at the right); the bar only shows the range it is given and
reports where the learner wants to look. Positions are linear in cycles. A rewind far
back may replay hundreds of cycles in the trainer's process (``Timeline.max_replay``):
while one has not answered, the bar shows the busy cursor. Undo is deliberately not here: it is a window
action with its own shortcut.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSlider, QStyle, QWidget

from nnstudio.ui.plotting.colormaps import MUTED_TEXT_COLOR, TEST_COLOR

__all__ = ["TimelineBar", "SCRUB_INTERVAL_MS", "BUSY_DELAY_MS", "SLIDER_POSITIONS", "timeline_text",
           "continue_tooltip"]

#: While dragging, sig_scrubbed fires at most this often: restoring a past cycle
#: and redrawing every view takes a few ms, and mouse moves come far faster.
SCRUB_INTERVAL_MS = 50
#: A rewind not answered after this long shows the busy cursor (a quick one never flickers it).
BUSY_DELAY_MS = 150
#: QSlider positions are C ints: a run longer than that is spread over this many
#: positions, each then standing for several cycles.
SLIDER_POSITIONS = 1 << 30
_MAX_SLIDER_VALUE = 2**31 - 1


def timeline_text(cycle: int, last: int) -> str:
    """The label: "cycle 1,234 of 5,000 (viewing the past)" or "cycle 5,000 (latest)"."""
    if cycle >= last:
        return f"cycle {cycle:,} (latest)"
    return f"cycle {cycle:,} of {last:,} (viewing the past)"


def continue_tooltip(cycle: int, last: int) -> str:
    """What "Continue from here" will do from ``cycle`` with the run reaching ``last``."""
    if cycle >= last:
        return "Rewind first: then train on from the cycle shown, dropping the later ones"
    return (f"Train on from cycle {cycle:,}, dropping the {last - cycle:,} later cycles (up to {last:,}) "
            "for good: neither the slider nor Undo brings them back")


class TimelineBar(QWidget):
    """Slider over the reachable cycles, a position label and "Continue from here".

    The object name is always ``"timelineBar"``. The slider's positions are linear in
    cycles: the cycle itself while it fits a C int (so the slider's range is
    ``first..last``), else ``SLIDER_POSITIONS`` positions spread evenly from ``first`` to
    ``last`` (see :meth:`position_of` and :meth:`cycle_at`).

    Parameters
    ----------
    parent : QWidget, optional
        Parent widget.

    Signals
    -------
    sig_scrubbed(int)
        The cycle the learner moved to. While the handle is dragged, at most
        once per :data:`SCRUB_INTERVAL_MS` (the latest position wins), and
        once more on release; keyboard and click moves are throttled the same
        way. Never emitted for :meth:`set_range`.
    sig_continue()
        "Continue from here" was pressed: drop the later cycles and train on.

    Attributes
    ----------
    slider : QSlider
        Object name ``"timelineSlider"``, range ``first..last`` (positions, see above).
    label : QLabel
        Object name ``"timelineLabel"``.
    continue_button : QPushButton
        Object name ``"continueFromHereButton"``, enabled only while viewing the past.
    """

    sig_scrubbed = Signal(object)  # cycle: an int, which may pass a C int's range
    sig_continue = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineBar")
        self._last = 0
        self._rewound = False
        self._moved_in_drag = False  # a release emits only after the handle actually moved
        self._dirty = False  # a position arrived while throttled, not yet emitted
        self._label_past: bool | None = None  # the label's current colour state
        self._first = 0
        self._scaled = False  # positions stand for several cycles (a run past a C int)
        self._awaited: int | None = None  # the cycle last asked for, until a snapshot shows it

        self.slider = QSlider(Qt.Orientation.Horizontal, self, objectName="timelineSlider")
        self.slider.setToolTip("Drag to look back at any cycle of the run: the first at the left, the latest at "
                               "the right. Far back, a rewind can take a moment.")
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.label = QLabel(self, objectName="timelineLabel")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        # Right-aligned before the slider: a text that changes length while dragging then
        # grows into the margin instead of opening a gap or shifting the slider.
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.continue_button = QPushButton("Continue from here", self, objectName="continueFromHereButton")
        self.continue_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.continue_button.setToolTip(continue_tooltip(0, 0))

        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(SCRUB_INTERVAL_MS)
        self._throttle.timeout.connect(self._flush)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self._show_busy)

        self.slider.valueChanged.connect(self._on_value_changed)
        self.slider.sliderPressed.connect(self._on_pressed)
        self.slider.sliderReleased.connect(self._on_released)
        self.continue_button.clicked.connect(self.sig_continue)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(10)
        layout.addWidget(self.label)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.continue_button)
        self.set_range(0, 0, 0, False)

    # ------------------------------------------------------------------ public API
    def set_range(self, first: int, last: int, current: int, rewound: bool) -> None:
        """Show the reachable cycles ``first..last`` with the handle at ``current``; emits nothing.

        Parameters
        ----------
        first, last : int
            Earliest and latest reachable cycle (``first <= last``).
        current : int
            The cycle shown now; clamped into the range. Ignored while the learner
            drags the handle or a throttled move is pending.
        rewound : bool
            True while the window shows a past cycle: enables "Continue from here".
        """
        first, last = int(first), int(last)
        if last < first:
            raise ValueError(f"last ({last}) must not be below first ({first})")
        current = min(max(int(current), first), last)
        held = self.cycle_at(self.slider.value())  # the handle's cycle, kept while dragging
        self._first, self._last, self._rewound = first, last, bool(rewound)
        self._scaled = last > _MAX_SLIDER_VALUE
        if self._awaited is not None and (current == self._awaited or not first <= self._awaited <= last):
            self._awaited = None  # answered (or out of reach now: nothing more will come)
            self._busy_timer.stop()
            self.unsetCursor()
        # room for the longest text at this many digits, so the slider does not shift while dragging
        eights = int("8" * len(str(abs(last))))
        widest = timeline_text(eights - 1, eights)
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance(widest) + 4)
        low, high = self.position_of(first), self.position_of(last)
        with QSignalBlocker(self.slider):
            self.slider.setRange(low, high)
            # a page step of 1/20 of the history: a click on the groove jumps visibly
            self.slider.setPageStep(max(1, (high - low) // 20))
            # Never yank the handle from under the learner's mouse, nor from a move still
            # waiting for the throttle: that position is about to be reported.
            if self.slider.isSliderDown() or self._dirty:
                self.slider.setValue(self.position_of(min(max(held, first), last)))
            else:
                self.slider.setValue(self.position_of(current))
        self.slider.setEnabled(last > first)
        self.continue_button.setEnabled(self._rewound)
        self.continue_button.setToolTip(continue_tooltip(current if self._rewound else last, last))
        self._show_label(self.value())

    def position_of(self, cycle: int) -> int:
        """The slider position of ``cycle`` (linear; the cycle itself unless the run is past a C int)."""
        if not self._scaled:
            return int(cycle)
        span = self._last - self._first
        return ((int(cycle) - self._first) * SLIDER_POSITIONS + span // 2) // span

    def cycle_at(self, position: int) -> int:
        """The cycle at slider position ``position`` (the inverse of :meth:`position_of`)."""
        if not self._scaled:
            return int(position)
        span = self._last - self._first
        return self._first + (int(position) * span + SLIDER_POSITIONS // 2) // SLIDER_POSITIONS

    def value(self) -> int:
        """The cycle under the handle."""
        return self.cycle_at(self.slider.value())

    def is_waiting(self) -> bool:
        """True while a cycle asked for has not been shown yet."""
        return self._awaited is not None

    # ------------------------------------------------------------------ internals
    def _show_label(self, cycle: int) -> None:
        self.label.setText(timeline_text(cycle, self._last))
        # orange tells at a glance that the views are not the latest (plain text stays testable)
        past = cycle < self._last
        if past != self._label_past:  # restyling on every drag step would be wasted work
            self._label_past = past
            self.label.setStyleSheet(f"color: {TEST_COLOR if past else MUTED_TEXT_COLOR};")

    def _on_pressed(self) -> None:
        self._moved_in_drag = False

    def _on_value_changed(self, position: int) -> None:
        self._show_label(self.cycle_at(position))
        if self.slider.isSliderDown():
            self._moved_in_drag = True
        # Throttle: emit at once when quiet, else let the timer deliver the latest value.
        if self._throttle.isActive():
            self._dirty = True
            return
        self._emit(position)
        self._throttle.start()

    def _flush(self) -> None:
        if self._dirty:
            self._emit(self.slider.value())
            self._throttle.start()  # keep throttling while moves keep coming

    def _on_released(self) -> None:
        self._throttle.stop()
        if self._moved_in_drag or self._dirty:
            # the release is the definitive position, even if a throttled emit already carried it
            self._emit(self.slider.value())
        self._moved_in_drag = False

    def _emit(self, position: int) -> None:
        self._dirty = False
        cycle = self.cycle_at(position)
        self._awaited = cycle
        if not self._busy_timer.isActive() and self.cursor().shape() != Qt.CursorShape.BusyCursor:
            self._busy_timer.start()
        self.sig_scrubbed.emit(cycle)

    def _show_busy(self) -> None:
        if self._awaited is not None:
            self.setCursor(Qt.CursorShape.BusyCursor)  # the slider and label inherit it
