"""The timeline's memory: its keyframes in cycle order, their bytes, and the policy that keeps them in budget.

Memory policy
-------------
- Full keyframes within ``horizon`` cycles of the latest are all kept: a rewind there
  replays at most ``interval`` cycles.
- Older ones are thinned to gaps of at most ``stride`` cycles. ``stride`` starts at
  2·interval and doubles whenever the keyframes outgrow ``budget`` bytes, so the whole
  run stays reachable and a rewind anywhere replays at most ``stride`` cycles
  (``max_replay``). Doubling waits until the budget is full, so ``stride`` stays below
  about 6·latest·frame_bytes / budget (barriers and patches aside): a 2-4-1 XOR net (1.2 to
  2.6 KB a keyframe) keeps stride 32 for its first 900 000 cycles in the default 64 MB; a
  far rewind after 240 000 cycles takes under a millisecond there.
- The first keyframe (cycle 0, or the cycle a reopened session starts at), barriers and
  patches are never thinned. Only if they alone outgrow the budget (events by the tens of
  thousands, or a big network's barriers) do the oldest go, the reach then starting
  later: memory never grows past the budget.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

import numpy as np

from nnstudio.engine.run.keyframes import Keyframe, array_bytes, live_vectors

if TYPE_CHECKING:  # the trainer is only passed in
    from nnstudio.engine.nn.trainer import Trainer

__all__ = ["KeyframeMemory", "interval_for", "DEFAULT_HORIZON", "DEFAULT_BUDGET", "MIN_INTERVAL", "MAX_INTERVAL",
           "MIN_KEYFRAMES"]

#: Cycles behind the latest within which every full keyframe is kept.
DEFAULT_HORIZON = 1024
#: Bytes the keyframes may take.
DEFAULT_BUDGET = 64 * 2**20
MIN_INTERVAL = 16
#: Replay time caps the interval (a rewind near the latest cycle must answer while the
#: slider moves); a bigger network instead keeps a shorter horizon.
MAX_INTERVAL = 64
#: The budget always has room for this many full keyframes.
MIN_KEYFRAMES = 4


def interval_for(frame_bytes: int, horizon: int, budget: int) -> tuple[int, int]:
    """(interval, max_keyframes): the smallest power-of-two interval whose horizon takes a quarter of ``budget``."""
    max_keyframes = max(MIN_KEYFRAMES, budget // frame_bytes)
    interval = MIN_INTERVAL
    while interval < MAX_INTERVAL and horizon / interval + 1 > max_keyframes / 4:
        interval *= 2
    return interval, max_keyframes


class KeyframeMemory:
    """The keyframe list of a ``Timeline`` and its upkeep: byte accounting, thinning, the budget.

    The timeline sets up the attributes these methods share: ``_frames`` and ``_cycles``
    (the keyframes and their cycles, in order), ``_orders`` (batch orders shared by
    keyframes, counted once), ``_bytes``, ``_checked``, the head state (``_head``,
    ``_head_buffer``, ``_head_cycle``), ``latest``, ``horizon``, ``stride`` and ``budget``.
    """

    def nbytes(self) -> int:
        """Bytes the keyframes take: their arrays, shared batch orders once, their objects (as measured)."""
        orders = {id(f.order): array_bytes(f.order) for f in self._frames if f.order is not None}
        return sum(f.nbytes for f in self._frames) + sum(orders.values()) + self._head_buffer.nbytes

    def _last_full_cycle(self) -> int | None:
        for frame in reversed(self._frames):
            if frame.full:
                return frame.cycle
        return None

    def _keep_head(self, trainer: Trainer, frame: Keyframe | None = None) -> None:
        """Remember the state at the trainer's cycle as training (or replay) reached it."""
        if frame is not None:
            self._head = frame.state.vectors
        else:
            for row, live in zip(self._head_buffer, live_vectors(trainer)):
                np.copyto(row, live)
            self._head = self._head_buffer
        self._head_cycle = trainer.cycle

    def _append(self, frame: Keyframe) -> None:
        if self._cycles and frame.cycle < self._cycles[-1]:
            raise RuntimeError("keyframes must be recorded in cycle order")
        if not self._frames and not frame.full:
            raise RuntimeError("the first keyframe must be a full one")
        self._frames.append(frame)
        self._cycles.append(frame.cycle)
        self._count(frame, +1)

    def _count(self, frame: Keyframe, sign: int) -> None:
        """Add (sign +1) or take away (−1) ``frame``'s bytes, its batch order's once per order."""
        self._bytes += sign * frame.nbytes
        order = frame.order
        if order is None:
            return
        entry = self._orders.get(id(order))
        if sign > 0:
            if entry is None:
                self._orders[id(order)] = [order, 1]
                self._bytes += array_bytes(order)
            else:
                entry[1] += 1
        else:
            entry[1] -= 1
            if entry[1] == 0:
                del self._orders[id(order)]
                self._bytes -= array_bytes(order)

    def _forget(self, frame: Keyframe) -> None:
        """Account for ``frame`` leaving the list."""
        self._count(frame, -1)
        if frame.state.vectors is self._head:  # keep the head though its keyframe goes
            np.copyto(self._head_buffer, frame.state.vectors)
            self._head = self._head_buffer

    def _remove(self, start: int, stop: int | None = None) -> None:
        """Forget the keyframes ``start:stop`` (just ``start`` if ``stop`` is None)."""
        stop = start + 1 if stop is None else stop
        gone = self._frames[start:stop]
        del self._frames[start:stop], self._cycles[start:stop]
        for frame in gone:
            self._forget(frame)
        if start < self._checked:
            self._checked = max(1, self._checked - (min(stop, self._checked) - start))

    def _next_full_cycle(self, i: int) -> int | None:
        """The cycle of the first full keyframe after index ``i``."""
        frames = self._frames
        for k in range(i + 1, len(frames)):
            if frames[k].full:
                return frames[k].cycle
        return None

    def _thin(self, start: int) -> None:
        """Thin the full keyframes older than the horizon, from index ``start`` on, to gaps of at most ``stride``.

        Greedy from the oldest: a keyframe goes if its kept neighbours are at most
        ``stride`` apart. The first keyframe, barriers and patches stay.
        """
        frames = self._frames
        end = bisect.bisect_left(self._cycles, self.latest - self.horizon)
        start = max(start, 1)
        if start >= end:
            return
        previous = frames[self._full_at_or_before(start - 1)].cycle
        kept = []
        for i in range(start, end):
            frame = frames[i]
            if frame.full and not frame.barrier:
                following = self._next_full_cycle(i)
                if following is not None and following - previous <= self.stride:
                    self._forget(frame)
                    continue
            if frame.full:
                previous = frame.cycle
            kept.append(frame)
        frames[start:end] = kept
        self._cycles[start:end] = [f.cycle for f in kept]
        self._checked = start + len(kept)

    def _thinnable(self) -> bool:
        """Whether a wider stride could drop any full keyframe."""
        frames = self._frames
        end = min(self._checked, len(frames))
        for i in range(1, end):
            frame = frames[i]
            if frame.full and not frame.barrier and self._next_full_cycle(i) is not None:
                return True
        return False

    def _fit_budget(self, trainer: Trainer) -> None:
        """Back under the budget: a doubled stride first, the oldest keyframes only when nothing else is left."""
        while self._bytes > self.budget and self.stride <= self.latest and self._thinnable():
            self.stride *= 2
            self._checked = 1
            self._thin(1)
        if self._bytes <= self.budget:
            return
        # Only keyframes that must stay are left: the oldest go, down to well under the
        # budget so that the search above does not run at every cycle from now on.
        frames, excess = self._frames, self._bytes - (self.budget - self.budget // 8)
        cut = freed = 0
        for k in range(1, len(frames)):  # cut before a full keyframe: a patch needs one before it
            freed += frames[k - 1].nbytes
            if frames[k].full:
                cut = k
                if freed >= excess:
                    break
        self._remove(0, cut)
        if self._bytes > self.budget:  # one keyframe and its patches: the reach starts afresh at the head
            self._remove(0, len(self._frames))
            frame = Keyframe(trainer.capture())
            self._append(frame)
            self._keep_head(trainer, frame)

    def _full_at_or_before(self, j: int) -> int:
        while not self._frames[j].full:
            j -= 1
        return j
