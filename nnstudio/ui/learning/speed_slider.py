"""The run speed slider: logarithmic stops from 1 cycle/s to full speed, and how a speed reads."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSlider, QWidget

__all__ = ["SpeedSlider", "SPEEDS", "SPEED_STOPS", "speed_text"]

#: Run speeds in cycles per second, about 1.5× apart (six to a decade): the slider's stops.
SPEED_STOPS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0, 15.0, 20.0, 30.0, 50.0, 70.0, 100.0, 150.0, 200.0, 300.0,
               500.0, 700.0, 1000.0)


def speed_text(speed: float | None) -> str:
    """How a run speed reads: "1 cycle/s", "30 cycles/s", "full speed"."""
    if speed is None:
        return "full speed"
    return "1 cycle/s" if speed == 1 else f"{speed:g} cycles/s"


#: The slider's positions, left to right: label and cycles per second (None = as fast as it can).
SPEEDS = tuple((speed_text(s), s) for s in SPEED_STOPS) + ((speed_text(None), None),)


class SpeedSlider(QSlider):
    """The run speed: a logarithmic slider from 1 cycle/s at the left to full speed at the right.

    Its positions are :data:`SPEEDS`. It keeps the objectName (``"speedCombo"``) and the
    item interface (``count``, ``currentIndex``, ``setCurrentIndex``, ``currentText``,
    ``currentData``) of the combo box it replaced, so scripts that drove that still work.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent, objectName="speedCombo")
        self.setRange(0, len(SPEEDS) - 1)
        self.setSingleStep(1)
        self.setPageStep(3)  # about three times faster or slower
        self.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.setTickInterval(6)  # one tick a decade: 1, 10, 100, 1000 cycles/s
        self.setAccessibleName("Run speed")

    def count(self) -> int:
        return self.maximum() + 1

    def currentIndex(self) -> int:
        return self.value()

    def setCurrentIndex(self, index: int) -> None:
        self.setValue(index)

    def currentText(self) -> str:
        return SPEEDS[self.value()][0]

    def currentData(self) -> float | None:
        return SPEEDS[self.value()][1]

    def speed(self) -> float | None:
        return self.currentData()

    @staticmethod
    def index_of(speed: float | None) -> int:
        """The position nearest to ``speed`` (on a log scale); None is full speed, the last one."""
        if speed is None:
            return len(SPEEDS) - 1
        if not (math.isfinite(speed) and speed > 0):
            raise ValueError(f"a run speed is a number of cycles per second > 0, got {speed!r}")
        return min(range(len(SPEED_STOPS)), key=lambda i: abs(math.log(SPEED_STOPS[i] / speed)))
