"""What the network diagram tests draw and check: a small spec, weights for it, clicks on its scene, colour hues."""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

SIZES = (2, 4, 1)
ACTS = ("tanh", "sigmoid")


def weights_for(sizes, rng=None):
    """Normal random weight matrices, one per pair of neighbouring layers."""
    rng = rng or np.random.default_rng(0)
    return [rng.normal(size=(a, b)) for a, b in itertools.pairwise(sizes)]


def click_scene_point(qtbot, canvas, point: QPointF) -> None:
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.mapFromScene(point))


def hue(color) -> float:
    """Hue in degrees of a QColor or a colour name."""
    return QColor(color).hsvHueF() * 360.0


def same_hue_family(a, b, tolerance: float = 15.0) -> bool:
    difference = abs(hue(a) - hue(b)) % 360.0
    return min(difference, 360.0 - difference) <= tolerance
