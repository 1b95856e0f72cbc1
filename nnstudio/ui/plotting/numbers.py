"""Numbers as a person reads them: a few significant figures, scientific when large or tiny.

One rule for the status bar and the inspector: ``1e300`` must not become 300 digits that
push every message off the bar, and a small non-zero loss must not read ``0.0000``.
"""

from __future__ import annotations

import math

__all__ = ["format_number", "format_percent", "MINUS", "MISSING"]

#: The true minus sign: a hyphen reads as a dash beside other numbers.
MINUS = "\u2212"
#: Shown for a value that does not exist (no test split, no accuracy for regression).
MISSING = "\u2013"


def format_number(value: float, digits: int = 4) -> str:
    """``value`` to ``digits`` significant figures.

    Fixed notation from 1e-4 up to 10**digits, scientific beyond (``1.235e5``, ``1e−7``,
    ``1e300``); trailing zeros dropped; zero (either sign) is ``0``; NaN is ``–``;
    infinities are ``∞`` and ``−∞``. Negative numbers carry the true minus sign.
    """
    value = float(value)
    if math.isnan(value):
        return MISSING
    if math.isinf(value):
        return "\u221e" if value > 0 else f"{MINUS}\u221e"
    if value == 0.0:
        return "0"  # also -0.0: a sign on nothing only puzzles
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", MINUS)


def format_percent(fraction: float) -> str:
    """A fraction 0..1 as a percentage with one decimal (``96.1%``); NaN is ``–``.

    Below 1, never ``100.0%``: a learner reads that as "all correct".
    """
    fraction = float(fraction)
    if math.isnan(fraction):
        return MISSING
    percent = round(100.0 * fraction, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    if fraction < 1.0 and percent >= 100.0:
        percent = 99.9
    return f"{percent:.1f}%".replace("-", MINUS)
