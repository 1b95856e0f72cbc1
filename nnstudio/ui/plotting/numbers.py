"""Numbers as a person reads them: a few significant figures, scientific when large or tiny.

One rule for the status bar and the inspector: ``1e300`` must not become 300 digits that
push every message off the bar, and a small non-zero loss must not read ``0.0000``.
Read-outs and tooltips use ``format_value``; text inside a neuron or on a colour bar
``format_short``.
"""

from __future__ import annotations

import math

__all__ = ["format_number", "format_percent", "format_value", "format_short", "MINUS", "MISSING"]

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


def format_value(value: float, signed: bool = False) -> str:
    """Four decimals, scientific when fixed-point would print only zeros (or too many digits).

    ``signed`` writes "+" before positive numbers (weights, deltas, updates).
    """
    value = float(value)
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    sign = "+" if signed else ""
    if value == 0.0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:{sign}.4f}"
    return f"{value:{sign}.3e}"


def format_short(value: float, signed: bool = False) -> str:
    """At most about six characters, for text inside a neuron or on a colour bar.

    Two decimals for ordinary values, three for small ones (deltas), then
    ``1e-4`` style; large values lose their decimals.
    """
    value = float(value)
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    sign = "+" if signed and value > 0 else ""
    magnitude = abs(value)
    if magnitude == 0.0:
        return "0"
    if magnitude < 9.995e-4:
        mantissa, exponent = f"{value:.0e}".split("e")
        return f"{sign}{mantissa}e{int(exponent)}"
    if magnitude < 0.09995:
        return f"{value:{sign}.3f}"
    if magnitude < 9.995:
        return f"{value:{sign}.2f}"
    if magnitude < 999.5:
        return f"{value:{sign}.0f}"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{sign}{mantissa}e{int(exponent)}"
