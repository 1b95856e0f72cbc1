"""Network inputs for a digit a learner draws, standardised as the training digits were.

A few pixels (the outer columns, mostly) are blank in nearly every training digit, so
their training spread is tiny (0.03 ink units against 16 for full ink). Standardised
with it, a stroke that touches such a pixel gives z ≈ 100–500 and drowns every other
input: a drawn 0 became a confident 7. Drawn digits therefore use a spread of at least
``STD_FLOOR`` and clip z to ±``Z_LIMIT``. The training and test digits are not changed:
for pixels with a real spread (all those the digits use) the inputs are the same.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["drawn_digit_inputs", "STD_FLOOR", "Z_LIMIT"]

#: Least spread (in ink units, 0..16) a drawn pixel is standardised with: an eighth of full ink.
STD_FLOOR = 2.0
#: Largest |z| a drawn pixel may give: ink as unusual as a digit's pixels ever are.
Z_LIMIT = 3.0


def drawn_digit_inputs(pixels: npt.ArrayLike, mean: npt.ArrayLike, std: npt.ArrayLike) -> np.ndarray:
    """Standardised inputs for drawn ``pixels`` (n, 64) or (64,), given the training ``mean`` and ``std``.

    Raises
    ------
    ValueError
        When the pixels, mean and std do not have the same number of columns.
    """
    pixels = np.asarray(pixels, dtype=np.float64)
    mean, std = np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)
    if pixels.ndim not in (1, 2) or pixels.shape[-1] != mean.shape[-1] or mean.shape != std.shape:
        raise ValueError(f"drawn pixels of shape {pixels.shape} do not fit a normalisation of "
                         f"{mean.shape[-1] if mean.ndim else 0} inputs")
    z = (pixels - mean) / np.maximum(std, STD_FLOOR)
    return np.clip(z, -Z_LIMIT, Z_LIMIT, out=z)
