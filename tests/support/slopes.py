"""Central differences: the slope of a scalar function, for checking analytic gradients."""

from __future__ import annotations

import numpy as np


def central_differences(f, x: np.ndarray, step: float = 1e-6) -> np.ndarray:
    """∂f/∂x by (f(x + h) − f(x − h)) / 2h, entry by entry; ``x`` is restored afterwards."""
    slopes = np.empty_like(x, dtype=float)
    for index in np.ndindex(*x.shape):
        kept = x[index]
        x[index] = kept + step
        up = f(x)
        x[index] = kept - step
        down = f(x)
        x[index] = kept
        slopes[index] = (up - down) / (2 * step)
    return slopes
