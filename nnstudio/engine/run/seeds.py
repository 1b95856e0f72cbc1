"""Seeds: the one range every seed is checked against (files, command line, window) and the step to the next one."""

from __future__ import annotations

from nnstudio.engine.nn.value_checks import whole_number

__all__ = ["MAX_SEED", "check_seed", "next_seed"]

#: The largest seed anywhere: the largest a Qt spin box holds (a C int), so the window shows every run's seed.
MAX_SEED = 2**31 - 1


def check_seed(value, what: str = "seed") -> int:
    """``value`` as an int if it is a whole number from 0 to MAX_SEED, else ValueError naming ``what`` and the range."""
    return whole_number(value, what, 0, MAX_SEED)


def next_seed(seed: int) -> int:
    """One more than ``seed``, MAX_SEED (or anything beyond it) wrapping to 0."""
    return 0 if seed >= MAX_SEED else seed + 1
