"""An object that records being unpickled: proves that a loader refused a pickled array without unpickling it."""

from __future__ import annotations

import numpy as np

#: One entry per trap unpickled since the list was last cleared.
UNPICKLED: list[str] = []


def _record_unpickling(tag: str) -> str:
    UNPICKLED.append(tag)
    return tag


class PickleTrap:
    """Unpickling this appends "unpickled" to ``UNPICKLED``."""

    def __reduce__(self):
        return (_record_unpickling, ("unpickled",))


def trapped_array() -> np.ndarray:
    """An object array that only pickle can load; ``UNPICKLED`` is cleared so that a test sees only its own."""
    UNPICKLED.clear()
    return np.array([PickleTrap()], dtype=object)
