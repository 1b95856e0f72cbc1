"""When the cycles and snapshots of a run paced at N cycles per second are due.

A deadline schedule: cycle k of the run is due at ``start + k/N``. The time a cycle and
its snapshot take does not stretch the period, so 100 cycles per second is 100, not
100 minus that time (sleeping 1/N after each cycle gave 82).

A run that falls behind (a slow snapshot, a command, a busy machine) catches up by
running the cycles that are due together, but it never keeps more than one period or
one snapshot interval of backlog, whichever is longer: the rest is dropped, so the
learner never sees a burst after a stall.

Up to the snapshot rate every cycle is shown; above it, snapshots are coalesced to at
most one per snapshot interval.

Pure Python; the clock is injected, so the schedule is tested without waiting.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["Pacer"]


class Pacer:
    """The schedule of a paced run.

    Parameters
    ----------
    speed
        Cycles per second, or None for full speed (no schedule: cycles are never held back).
    snapshots_per_second
        The most snapshots a second the window is sent above that many cycles a second.
    clock
        Seconds, monotonic (``time.perf_counter``; a fake one in tests).
    """

    def __init__(self, speed: float | None = None, snapshots_per_second: float = 30.0,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        if not snapshots_per_second > 0:
            raise ValueError(f"snapshots per second must be > 0, got {snapshots_per_second}")
        self.clock = clock
        self.snapshots_per_second = float(snapshots_per_second)
        self._speed: float | None = None
        self._next_due = self._next_snapshot = 0.0
        self.set_speed(speed)

    @property
    def speed(self) -> float | None:
        return self._speed

    def set_speed(self, speed: float | None) -> None:
        """A new speed; the schedule starts again from now."""
        if speed is not None and not (math.isfinite(speed) and speed > 0):
            raise ValueError(f"speed must be a number of cycles per second > 0, or None, got {speed!r}")
        self._speed = None if speed is None else float(speed)
        self.restart()

    def restart(self) -> None:
        """Start the schedule now (Run pressed): the first cycle is due at once."""
        self._next_due = self._next_snapshot = self.clock()

    def _max_lag(self) -> float:
        return max(1.0 / self._speed, 1.0 / self.snapshots_per_second)

    def seconds_to_wait(self) -> float:
        """How long until the next cycle is due: 0 when one is due now, and always at full speed."""
        if self._speed is None:
            return 0.0
        return max(0.0, self._next_due - self.clock())

    def take_due(self) -> int:
        """How many cycles to run now (0: none is due yet); they are taken off the schedule.

        At full speed there is no schedule: 1.
        """
        if self._speed is None:
            return 1
        now = self.clock()
        lag = now - self._next_due
        if lag < 0:
            return 0
        max_lag = self._max_lag()
        if lag > max_lag:  # fell far behind: drop the backlog rather than burst through it
            self._next_due = now - max_lag
            lag = max_lag
        cycles = int(lag * self._speed) + 1
        self._next_due += cycles / self._speed
        return cycles

    def snapshot_due(self) -> bool:
        """After cycles ran: send a snapshot now? If so, it is taken off the snapshot schedule.

        Each paced cycle is shown up to the snapshot rate. Faster (and at full speed),
        snapshots follow their own deadline schedule at the snapshot rate, so no more go
        than that in any second, and a late check does not cost one.
        """
        if self._speed is not None and self._speed <= self.snapshots_per_second:
            return True
        now = self.clock()
        if now < self._next_snapshot:
            return False
        interval = 1.0 / self.snapshots_per_second
        self._next_snapshot += interval
        if self._next_snapshot <= now:  # a stall: start the schedule again rather than send two at once
            self._next_snapshot = now + interval
        return True
