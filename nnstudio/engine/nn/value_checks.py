"""Checks of whole numbers read from files, settings and states: one rule, one message."""

from __future__ import annotations

import numpy as np

__all__ = ["whole_number"]


def whole_number(value, what: str, low: int = 0, high: int | None = None) -> int:
    """``value`` as an int from ``low`` to ``high`` (no upper end if None), else ValueError naming ``what``.

    A bool is refused although Python counts it as an int: ``true`` in a file is no count.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or (
            high is not None and value > high):
        span = f"≥ {low}" if high is None else f"from {low} to {high}"
        raise ValueError(f"{what} must be a whole number {span}, got {value!r}")
    return int(value)
