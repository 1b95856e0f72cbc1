"""The seed spin box: every seed a run can have, in the room six digits take unless it shows more."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QSpinBox

from nnstudio.engine.run.seeds import MAX_SEED

__all__ = ["ROOM_FOR", "SeedSpinBox"]

#: The seed whose width the box asks for: the seeds a learner counts up to here fit whole.
ROOM_FOR = 999_999


class SeedSpinBox(QSpinBox):
    """0 to ``MAX_SEED``, emitting on Enter or focus-out rather than per digit typed.

    It asks for the width of ``ROOM_FOR``, not of ``MAX_SEED``: a ten-digit box would widen
    the side panel and the run bar for every seed. Only while it shows a longer seed (from a
    file or the command line) does it ask for that seed's width, so every digit is in view.
    """

    #: The text width the box makes room for: six digits', or the wider seed it shows.
    _room = 0

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.setRange(0, MAX_SEED)
        self.setKeyboardTracking(False)
        self._make_room(self.text())

    def textFromValue(self, value: int) -> str:
        text = super().textFromValue(value)
        # every value shown passes here, also one set under a QSignalBlocker (no valueChanged)
        if value == self.value():
            self._make_room(text)
        return text

    def sizeHint(self) -> QSize:
        return self._narrowed(super().sizeHint())

    def minimumSizeHint(self) -> QSize:
        return self._narrowed(super().minimumSizeHint())

    def _make_room(self, shown: str) -> None:
        metrics = self.fontMetrics()
        room = max(metrics.horizontalAdvance(shown), metrics.horizontalAdvance(super().textFromValue(ROOM_FOR)))
        if room != self._room:
            self._room = room
            self.updateGeometry()

    def _narrowed(self, hint: QSize) -> QSize:
        extra = self.fontMetrics().horizontalAdvance(super().textFromValue(MAX_SEED)) - self._room
        return QSize(hint.width() - max(extra, 0), hint.height())
