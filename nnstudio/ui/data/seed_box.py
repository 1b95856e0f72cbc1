"""The seed spin box: every seed a run can have, in the room six digits take."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QSpinBox

from nnstudio.engine.run.seeds import MAX_SEED

__all__ = ["SeedSpinBox", "ROOM_FOR"]

#: The seed whose width the box asks for: the seeds a learner counts up to here fit whole.
ROOM_FOR = 999_999


class SeedSpinBox(QSpinBox):
    """0 to ``MAX_SEED``, emitting on Enter or focus-out rather than per digit typed.

    It asks for the width of ``ROOM_FOR``, not of ``MAX_SEED``: a ten-digit box would widen
    the side panel and the run bar. A larger seed (from a file or the command line) is held
    exactly and scrolls in the box where the panel leaves it less room.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.setRange(0, MAX_SEED)
        self.setKeyboardTracking(False)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return self._narrowed(super().sizeHint())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return self._narrowed(super().minimumSizeHint())

    def _narrowed(self, hint: QSize) -> QSize:
        metrics = self.fontMetrics()
        extra = metrics.horizontalAdvance(self.textFromValue(MAX_SEED)) - metrics.horizontalAdvance(
            self.textFromValue(ROOM_FOR))
        return QSize(hint.width() - max(extra, 0), hint.height())
