"""Points the Data panel tests draw on the plane: fixed bounds, a split spiral, and the colours the points get."""

from __future__ import annotations

from PySide6.QtGui import QColor

from nnstudio.engine.data.datasets import generate, train_test_split

BOUNDS = (-2.0, 4.0, -1.0, 3.0)


def split_spiral():
    """(dataset, train rows, test rows): 100 spiral points, 80 for training and 20 for testing."""
    dataset = generate("spiral", 100, 0.1, 1)
    train, test = train_test_split(dataset, 0.2, 1)
    return dataset, train, test


def color_names(objects) -> list[str]:
    """The "#rrggbb" names of the colours of brushes or pens."""
    return [QColor(o.color()).name() for o in objects]
