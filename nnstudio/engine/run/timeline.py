"""Rewind: keyframes of the whole run, so that any cycle since it began can be shown again exactly.

Training is deterministic: from the trainer's state at cycle c (weights, momentum, the
random streams, the batch order and position, the settings), running n cycles gives the
state at c + n bit for bit. So the ``Timeline`` keeps only *keyframes* of that state, and
``rewind(trainer, k)`` restores the nearest keyframe at or before k and replays the cycles
up to k. The loss history is not part of a keyframe: the session keeps one history (the
run's, up to its latest cycle) and cuts it when training goes on from an earlier cycle
(``continue_from_here``).

Keyframes
---------
- A *full* keyframe holds the whole state: replay can start from it. One is taken every
  ``interval`` cycles (a power of two: 16 for small networks, a 64-32-10 one included; up
  to 64 for bigger ones, so that the newest ``horizon`` cycles take at most a quarter of
  the budget).
- An *event* changes the state in a way replay would miss: a learning-setting or
  batch-size change, a weight edit, a divergence's restored weights. Most events are kept
  as a *patch*: the settings after the event and the few numbers it changed (none for new
  settings, one for a weight edit), against the state training had reached at that cycle;
  a rewind replays up to it and applies it. An event that changed many numbers (restored
  weights), or came when the state before it was not at hand, is a full keyframe, a
  *barrier*: no replay crosses it.

Memory policy: see ``timeline_memory``.

A full keyframe holds a ``TrainerState`` (``Trainer.capture``): the parameters, the momentum
and the last update (one (3, n) array), the optimizer's step count and noise stream, the
batch order (shared between the states of one epoch), position, counters, settings and,
under the "accumulate" delta rule, each layer's kept error: about 3·n·8 bytes + 0.8 KB in
float64 (n parameters). A patch holds the state after its event without those three
vectors, and the numbers it changed: about 0.9 KB. The budget also holds one (3, n) array
of the latest state, which events are compared with. ``Keyframe.nbytes`` counts the arrays'
data and, beside it, the objects' bytes as tracemalloc measured them
(``benchmarks/bench_timeline_memory.py`` prints both).
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from nnstudio.engine.run.keyframes import KEYFRAME_OVERHEAD, Keyframe, apply_patch, replay
from nnstudio.engine.run.timeline_memory import (
    DEFAULT_BUDGET,
    DEFAULT_HORIZON,
    MIN_KEYFRAMES,
    KeyframeMemory,
    interval_for,
)

if TYPE_CHECKING:  # the trainer is only passed in
    from nnstudio.engine.nn.trainer import Trainer

__all__ = ["Timeline"]

Array = npt.NDArray[np.floating]


class Timeline(KeyframeMemory):
    """Keyframes of one run, for rewinding (``timeline_memory`` has the memory policy).

    Parameters
    ----------
    n_params, itemsize
        The network's parameter count and bytes per number (sizes the keyframes).
    n_rows
        Training rows (a batch order takes 8 bytes a row).
    horizon
        Cycles behind the latest within which no full keyframe is thinned (shortened for
        networks too big to keep that many in a quarter of the budget).
    budget
        Bytes the keyframes may take (at least room for ``MIN_KEYFRAMES`` full ones).
    interval
        Cycles between full keyframes; None picks it from the budget.

    Attributes
    ----------
    latest
        The latest cycle recorded: the head of the run.
    viewing
        The cycle shown while rewound (a future is kept), else None.
    stride
        The widest gap between full keyframes older than the horizon.
    """

    def __init__(self, n_params: int, itemsize: int = 8, n_rows: int = 0, *, horizon: int = DEFAULT_HORIZON,
                 budget: int = DEFAULT_BUDGET, interval: int | None = None) -> None:
        if horizon < 0 or budget < 1:
            raise ValueError("the timeline's budget must be positive and its horizon ≥ 0")
        vector_bytes = 3 * n_params * itemsize
        self.frame_bytes = vector_bytes + KEYFRAME_OVERHEAD + 8 * n_rows
        # Room for the state events are compared with, beside the keyframes.
        self.budget = max(int(budget), MIN_KEYFRAMES * self.frame_bytes + vector_bytes)
        auto_interval, self.max_keyframes = interval_for(self.frame_bytes, int(horizon), self.budget - vector_bytes)
        self.interval = auto_interval if interval is None else max(1, int(interval))
        self.horizon = min(int(horizon), self.interval * max(1, self.max_keyframes // 4))
        self.stride = 2 * self.interval
        self._head_buffer = np.empty((3, n_params), np.dtype(f"f{itemsize}"))
        self._frames: list[Keyframe] = []
        self._cycles: list[int] = []  # the frames' cycles, for bisect
        self.clear()

    @classmethod
    def for_trainer(cls, trainer: Trainer, **kwargs) -> Timeline:
        flat = trainer.network.flat
        return cls(flat.size, flat.itemsize, len(trainer.X_train), **kwargs)

    # -- what it holds --------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._frames)

    @property
    def rewound(self) -> bool:
        """True while showing an earlier cycle with the later ones kept."""
        return self.viewing is not None

    @property
    def earliest(self) -> int:
        """The earliest cycle a rewind can reach."""
        return self._cycles[0] if self._cycles else self.latest

    def span(self, current: int) -> tuple[int, int]:
        """(earliest reachable cycle, latest recorded cycle); ``current`` is the trainer's cycle."""
        latest = self.latest if self.rewound else max(self.latest, current)
        return min(self.earliest, latest), latest

    @property
    def keyframe_cycles(self) -> tuple[int, ...]:
        """The cycles of every keyframe, patches included."""
        return tuple(self._cycles)

    @property
    def full_keyframe_cycles(self) -> tuple[int, ...]:
        """The cycles a replay can start from."""
        return tuple(f.cycle for f in self._frames if f.full)

    def parameter_keyframes(self, up_to: int) -> list[tuple[int, Array]]:
        """(cycle, parameters) of each full keyframe at a cycle ≤ ``up_to``, oldest first (read-only arrays)."""
        stop = bisect.bisect_right(self._cycles, up_to)
        return [(f.cycle, f.state.params) for f in self._frames[:stop] if f.full]

    @property
    def max_replay(self) -> int:
        """The most cycles a rewind replays (to the cycle before a full keyframe, for its workspace)."""
        return max(self.stride, self.interval)

    def clear(self) -> None:
        self._frames.clear()
        self._cycles.clear()
        self.stride = 2 * self.interval
        self._checked = 1  # frames before this index are thinned at the current stride
        self._orders: dict[int, list] = {}  # id(order) -> [order, keyframes sharing it]
        self._bytes = self._head_buffer.nbytes  # kept equal to nbytes()
        self._head = self._head_buffer  # the state at _head_cycle, which events are compared with
        self._head_cycle: int | None = None
        self.latest = 0
        self.viewing: int | None = None

    def cycles_until_keyframe(self, cycle: int) -> int:
        """How many cycles can run from ``cycle`` before the next full keyframe is due (≥ 1)."""
        last = self._last_full_cycle()
        if last is None:
            return 1
        return max(1, self.interval - (cycle - last))

    # -- recording ------------------------------------------------------------------------
    def record(self, trainer: Trainer, event: bool = False, force: bool = False) -> bool:
        """Take a full keyframe if one is due (or ``force``), or keep an ``event``.

        Call after training cycles and after every event that replay would miss (see the
        module docstring). Returns whether a keyframe was taken. Not while rewound: go on
        from the cycle shown first (``continue_from_here``).
        """
        if self.rewound:
            raise RuntimeError("continue from the cycle shown before recording on the timeline")
        cycle = trainer.cycle
        self.latest = cycle
        if event:
            self._record_event(trainer)
            taken = True
        else:
            last_full = self._last_full_cycle()
            taken = last_full is None or cycle - last_full >= self.interval or (force and cycle != self._cycles[-1])
            frame = None
            if taken:
                frame = Keyframe(trainer.capture())
                self._append(frame)
            self._keep_head(trainer, frame)
        self._thin(self._checked)
        if self._bytes > self.budget:
            self._fit_budget(trainer)
        return taken

    def _record_event(self, trainer: Trainer) -> None:
        cycle = trainer.cycle
        after = trainer.capture()
        frame = Keyframe.patch_from(self._head, after) if self._head_cycle == cycle else None
        if frame is None:
            # The keyframes at this cycle hold the state before the event: this one replaces them.
            while self._cycles and self._cycles[-1] == cycle:
                self._remove(len(self._frames) - 1)
            frame = Keyframe(after, barrier=True)
            self._append(frame)
            self._keep_head(trainer, frame)  # a later event at this cycle patches this state
            return
        last = self._frames[-1] if self._frames else None
        if last is not None and not last.full and last.cycle == cycle:
            self._remove(len(self._frames) - 1)  # both are against the same state; the newer says it all
        self._append(frame)

    # -- travelling -----------------------------------------------------------------------
    def _reach(self, trainer: Trainer, full: int, last: int, cycle: int) -> None:
        """Restore frame ``full``, replay through the patches after it up to frame ``last``, then to ``cycle``."""
        frames = self._frames
        trainer.restore(frames[full].state)
        for k in range(full + 1, last + 1):
            replay(trainer, frames[k].cycle - trainer.cycle)
            apply_patch(trainer, frames[k])
        replay(trainer, cycle - trainer.cycle)

    def rewind(self, trainer: Trainer, cycle: int) -> None:
        """Show cycle ``cycle``: the trainer holds exactly the state it had then.

        The first rewind from the head keeps the head as a keyframe if the budget has room
        for it (a cycle begun by phases is dropped), so scrubbing back to ``latest`` returns
        to it at once; else replay returns there, exactly too. The
        trainer's ``last_workspace`` and ``previous_params`` come out as they were right
        after cycle − 1 ran (the batch that made these weights), except at the earliest
        reachable cycle, which has no cycle before it kept (``last_workspace`` None). At
        most ``max_replay`` cycles are replayed.
        """
        if isinstance(cycle, bool) or not isinstance(cycle, (int, np.integer)):
            raise ValueError(f"a cycle is a whole number, got {cycle!r}")
        cycle = int(cycle)
        if not self.rewound:
            trainer.abort_cycle()
            # Dropping older keyframes to make room would cut the reach just shown: replay reaches the head too.
            self.record(trainer, force=self._bytes + self.frame_bytes <= self.budget)
        first, latest = self.earliest, self.latest
        if not first <= cycle <= latest:
            raise ValueError(f"cycle {cycle} is out of reach: the timeline holds cycles {first} to {latest}")
        last = bisect.bisect_right(self._cycles, cycle) - 1
        full = self._full_at_or_before(last)
        if self._cycles[full] == cycle and full > 0:
            # Replay into it from the keyframes before (no barrier lies between them), for
            # the workspace of the cycle that led here; then the keyframe itself, which
            # after an event differs from what the replay gives.
            self._reach(trainer, self._full_at_or_before(full - 1), full - 1, cycle)
            workspace = trainer.last_workspace
            self._reach(trainer, full, last, cycle)
            trainer.last_workspace = workspace
        else:
            self._reach(trainer, full, last, cycle)
        if trainer.cycle != cycle:  # a replay that diverged: impossible unless the run has changed
            raise RuntimeError(f"replay reached cycle {trainer.cycle}, not {cycle}")
        self._keep_head(trainer)  # an event here, after continue_from_here, patches this state
        self.viewing = cycle if cycle < latest else None

    def continue_from_here(self) -> int | None:
        """Forget the keyframes after the cycle shown; it becomes the latest. Returns it (None if not rewound)."""
        if not self.rewound:
            return None
        cycle = self.viewing
        self._remove(bisect.bisect_right(self._cycles, cycle), len(self._frames))
        self.latest = cycle
        self.viewing = None
        return cycle
