"""The seeds a learner picks in the window: their range and the step to the next one."""

from __future__ import annotations

__all__ = ["MAX_SEED", "next_seed"]

#: The largest seed the window's seed boxes offer; six digits read and type easily.
MAX_SEED = 999_999


def next_seed(seed: int) -> int:
    """One more than ``seed``, MAX_SEED (or anything beyond it) wrapping to 0."""
    return 0 if seed >= MAX_SEED else seed + 1
