"""Axes of the cycle plots: whole-number cycle ticks, and a log axis that labels decades."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pyqtgraph as pg

__all__ = ["CycleAxis", "DecadeLogAxis", "log_tick_values"]


def log_tick_values(low: float, high: float, mantissas: Iterable[float]) -> list[float]:
    """The log10 values ``d + log10(m)`` within ``low..high``, decade d by decade, for each mantissa m (1: the decades).
    """
    mantissas = tuple(mantissas)
    values = []
    for decade in range(math.floor(low), math.ceil(high) + 1):
        for mantissa in mantissas:
            value = decade + math.log10(mantissa)
            if low <= value <= high:
                values.append(value)
    return values


class DecadeLogAxis(pg.AxisItem):
    """Left axis whose log mode labels decades (plus 2 and 5 when there is room).

    pyqtgraph's default log ticks label every mantissa 1..9, which overlap on a
    plot a few hundred pixels tall. Linear mode is unchanged.
    """

    #: Vertical pixels a tick label needs to stay readable.
    MIN_LABEL_PIXELS = 18.0

    def __init__(self, orientation: str = "left") -> None:
        super().__init__(orientation)
        self._unlabelled: set[float] = set()

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        """Decades as major ticks; 2 and 5 (then all mantissas) labelled as space allows."""
        low, high = sorted((float(minVal), float(maxVal)))
        span = high - low
        self._unlabelled = set()
        if not (span > 0 and math.isfinite(span) and size > 0):
            return super().logTickValues(minVal, maxVal, size, stdTicks)
        px_per_decade = size / span
        step = max(1, math.ceil(self.MIN_LABEL_PIXELS / px_per_decade))
        majors = [v for v in log_tick_values(low, high, (1,)) if v % step == 0]
        if px_per_decade >= 24 * self.MIN_LABEL_PIXELS:
            labelled_mantissas: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 8, 9)
        elif px_per_decade >= 4 * self.MIN_LABEL_PIXELS:
            labelled_mantissas = (2, 5)
        else:
            labelled_mantissas = ()
        minors, unlabelled = [], set()
        if step == 1 and px_per_decade >= 2 * self.MIN_LABEL_PIXELS:
            # Unlabelled 3, 4, 6... ticks keep the uneven log spacing visible.
            minors = log_tick_values(low, high, range(2, 10))
            quiet = [m for m in range(2, 10) if m not in labelled_mantissas]
            unlabelled = {round(v, 9) for v in log_tick_values(low, high, quiet)}
        if len(majors) + len(minors) - len(unlabelled) < 2:
            # Zoomed inside one decade: evenly spaced ticks in log space, all labelled
            # (pyqtgraph's own fallback drops them and leaves the axis bare).
            return stdTicks
        self._unlabelled = unlabelled
        return [(float(step), majors), (None, minors)]

    def logTickStrings(self, values, scale, spacing):
        """Plain numbers (0.01, 0.2, 1e-05) instead of 10-to-the-power glyphs."""
        return [
            "" if round(v, 9) in self._unlabelled else f"{10.0 ** v * scale:.3g}"
            for v in values
        ]


class CycleAxis(pg.AxisItem):
    """Bottom axis of cycles: whole-number ticks only, large counts as 20k, 1.5M instead of 1e+06."""

    def tickSpacing(self, minVal, maxVal, size):
        """pyqtgraph's tick levels without those finer than one cycle (a cycle 2.5 does not exist)."""
        levels = [(spacing, offset) for spacing, offset in super().tickSpacing(minVal, maxVal, size) if spacing >= 1]
        return levels or [(1.0, 0.0)]

    def tickStrings(self, values, scale, spacing):
        """Compact integer labels once cycles reach five digits."""
        if not values or spacing * scale < 1 or max(abs(v * scale) for v in values) < 10_000:
            return super().tickStrings(values, scale, spacing)
        strings = []
        for v in values:
            v *= scale
            for divisor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
                if abs(v) >= divisor:
                    strings.append(f"{v / divisor:.4g}{suffix}")
                    break
            else:
                strings.append(f"{v:.0f}")
        return strings
