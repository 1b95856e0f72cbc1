"""Rewind: keyframes of a run, so that any recent cycle can be shown again exactly.

Training is deterministic: from the trainer's state at cycle c (weights, momentum, the
random streams, the batch order and position, the settings), running n cycles gives the
state at c + n bit for bit. So the ``Timeline`` keeps only *keyframes* of that state, a
few per hundred cycles, and ``rewind(trainer, k)`` restores the nearest keyframe at or
before k and replays the cycles up to k. The loss history is not part of a keyframe: the
session keeps one history (the run's, up to its latest cycle) and cuts it when training
goes on from an earlier cycle (``continue_from_here``).

Memory policy
-------------
- A keyframe is taken at least every ``interval`` cycles (a power of two: 16 for small
  networks, a 64-32-10 one included; up to 64 for bigger ones, to fit ``budget`` bytes),
  and at every *event* that pure replay would miss: a learning-setting or batch-size
  change, a weight edit, a divergence's restored weights. Event keyframes are
  *barriers*: no replay starts before one and runs across it.
- Keyframes within ``horizon`` cycles of the latest are all kept (a rewind replays at
  most ``interval − 1`` cycles there); older ones are thinned to every second one (at
  most ``2·interval − 1`` cycles of replay). Barriers are never thinned.
- Keyframes more than ``capacity`` cycles (default 10 000) behind the latest are
  dropped: the earliest reachable cycle is about latest − capacity.
- Whatever happens (a learning rate dragged during Run makes an event every few
  cycles; a network past ~30 000 parameters, whose 10 000 cycles do not fit the budget
  even at interval 64), at most ``max_keyframes`` are kept (``budget`` / bytes per
  keyframe, at least ``MIN_KEYFRAMES``); the oldest go first, so the reach shrinks instead
  of memory growing. The default budget is 64 MB.

A keyframe holds the parameters, the momentum and the last update (one (3, n) array),
the optimizer's step count and noise stream, the batch order (shared between keyframes
of one epoch), position, counters and settings: about 3·n·8 bytes + 0.6 KB in float64 (n parameters).
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .history import History
from .optim import Hyperparameters

if TYPE_CHECKING:  # the trainer is only passed in
    from .trainer import Trainer

__all__ = [
    "Keyframe", "Timeline", "KEYFRAME_FIELDS", "DEFAULT_CAPACITY", "DEFAULT_HORIZON", "DEFAULT_BUDGET",
    "MIN_INTERVAL", "MAX_INTERVAL", "MIN_KEYFRAMES", "capture", "restore",
]

Array = npt.NDArray[np.floating]

#: Cycles kept reachable behind the latest one.
DEFAULT_CAPACITY = 10_000
#: Cycles behind the latest within which every keyframe is kept (older: every second).
DEFAULT_HORIZON = 1024
#: Bytes the keyframes may take.
DEFAULT_BUDGET = 64 * 2**20
MIN_INTERVAL = 16
#: Replay time caps the interval (a rewind must answer while the slider moves): a network
#: too big for the budget at this interval keeps fewer cycles reachable instead.
MAX_INTERVAL = 64
MIN_KEYFRAMES = 4
#: Bytes of one keyframe beside its parameter vectors (measured with tracemalloc: ~0.6 KB).
KEYFRAME_OVERHEAD = 640

#: The keys of ``Trainer.state()`` a keyframe holds. Not held: the history (one for the
#: whole run, cut by ``continue_from_here``), the last evaluation (recomputed when
#: shown) and ``eval_every`` (the session's, not the run's).
KEYFRAME_FIELDS = ("params", "optimizer", "hyper", "shuffle_rng", "order", "position", "cycle", "epoch",
                   "batch_size", "diverged_at")


def _pack_rng(generator: np.random.Generator) -> tuple[int, int, int, int]:
    state = generator.bit_generator.state
    return state["state"]["state"], state["state"]["inc"], state["has_uint32"], state["uinteger"]


def _unpack_rng(generator: np.random.Generator, packed: tuple[int, int, int, int]) -> None:
    state, inc, has_uint32, uinteger = packed
    generator.bit_generator.state = {"bit_generator": "PCG64", "state": {"state": state, "inc": inc},
                                     "has_uint32": has_uint32, "uinteger": uinteger}


class Keyframe:
    """The trainer's state at the start of cycle ``cycle`` (see ``KEYFRAME_FIELDS``).

    ``vectors`` rows are the parameters, the momentum and the last update; ``barrier``
    marks a keyframe taken at an event (replay must not cross it).
    """

    __slots__ = ("cycle", "vectors", "steps", "last_noise_std", "noise_rng", "shuffle_rng", "order",
                 "position", "epoch", "hyper", "batch_size", "diverged_at", "barrier")

    cycle: int
    vectors: Array
    steps: int
    last_noise_std: float
    noise_rng: tuple
    shuffle_rng: tuple
    order: np.ndarray | None
    position: int
    epoch: int
    hyper: Hyperparameters
    batch_size: int | None
    diverged_at: int | None
    barrier: bool

    @property
    def nbytes(self) -> int:
        """Bytes of this keyframe's own arrays and objects (a shared batch order not counted)."""
        return self.vectors.nbytes + KEYFRAME_OVERHEAD


def capture(trainer: "Trainer", order: np.ndarray | None = None, barrier: bool = False) -> Keyframe:
    """The trainer's state now, as a keyframe.

    ``order`` is a read-only copy of ``trainer._order`` to share, if the caller has one.
    A cycle begun by phases leaves no trace (as in ``Trainer.state()``): its update has
    not happened, and the batch order it drew is recorded.
    """
    opt = trainer.optimizer
    frame = Keyframe()
    vectors = np.empty((3, trainer.network.flat.size), trainer.network.flat.dtype)
    vectors[0] = trainer.network.flat
    vectors[1] = opt.velocity
    vectors[2] = opt.updates
    vectors.setflags(write=False)
    frame.vectors = vectors
    frame.cycle = trainer.cycle
    frame.steps = opt.steps
    frame.last_noise_std = opt.last_noise_std
    frame.noise_rng = _pack_rng(opt.rng)
    frame.shuffle_rng = _pack_rng(trainer._shuffle_rng)
    if order is None and trainer._order is not None:
        order = trainer._order.copy()
        order.setflags(write=False)
    frame.order = order
    frame.position = trainer._position
    frame.epoch = trainer.epoch
    frame.hyper = trainer.hyper
    frame.batch_size = trainer.batch_size
    frame.diverged_at = trainer.diverged_at
    frame.barrier = barrier
    return frame


def restore(trainer: "Trainer", frame: Keyframe) -> None:
    """Put the trainer back to ``frame`` (its history untouched; a cycle begun by phases dropped).

    No checks, unlike ``Trainer.load_state``: the keyframe came from this trainer. The
    last workspace and evaluation are forgotten: they belonged to another moment.
    """
    trainer.abort_cycle()
    opt = trainer.optimizer
    np.copyto(trainer.network.flat, frame.vectors[0])
    np.copyto(opt.velocity, frame.vectors[1])
    np.copyto(opt.updates, frame.vectors[2])
    opt.steps = frame.steps
    opt.last_noise_std = frame.last_noise_std
    _unpack_rng(opt.rng, frame.noise_rng)
    opt.hyper = frame.hyper
    _unpack_rng(trainer._shuffle_rng, frame.shuffle_rng)
    trainer._order = frame.order  # read-only: the trainer only ever reads its order
    trainer._position = frame.position
    trainer.cycle = frame.cycle
    trainer.epoch = frame.epoch
    trainer.set_batch_size(frame.batch_size)
    trainer.diverged_at = frame.diverged_at
    trainer.last_workspace = None
    trainer.last_evaluation = None


def replay(trainer: "Trainer", cycles: int) -> None:
    """Run ``cycles`` cycles as training would, leaving the history and evaluations alone."""
    if cycles <= 0:
        return
    history, eval_every = trainer.history, trainer.eval_every
    trainer.history = History(capacity=2)  # a scratch history: replayed cycles are not new
    trainer.eval_every = 0
    try:
        trainer.step_cycle(cycles)
    finally:
        trainer.history = history
        trainer.eval_every = eval_every


def _interval_for(frame_bytes: int, capacity: int, horizon: int, budget: int) -> tuple[int, int]:
    """(interval, max_keyframes): the smallest power-of-two interval whose keyframes fit ``budget``."""
    max_keyframes = max(MIN_KEYFRAMES, budget // frame_bytes)
    interval = MIN_INTERVAL
    while interval < MAX_INTERVAL:
        recent = min(horizon, capacity) / interval
        older = max(capacity - horizon, 0) / (2 * interval)
        if recent + older + 2 <= max_keyframes:
            break
        interval *= 2
    return interval, max_keyframes


class Timeline:
    """Keyframes of one run, for rewinding (see the module docstring for the memory policy).

    Parameters
    ----------
    n_params, itemsize
        The network's parameter count and bytes per number (sizes the keyframes).
    n_rows
        Training rows (a batch order takes 8 bytes a row).
    capacity
        Cycles kept reachable behind the latest.
    horizon
        Cycles behind the latest within which no keyframe is thinned.
    budget
        Bytes the keyframes may take.
    interval
        Cycles between keyframes; None picks it from the budget.

    Attributes
    ----------
    latest
        The latest cycle recorded: the head of the run.
    viewing
        The cycle shown while rewound (a future is kept), else None.
    """

    def __init__(self, n_params: int, itemsize: int = 8, n_rows: int = 0, *, capacity: int = DEFAULT_CAPACITY,
                 horizon: int = DEFAULT_HORIZON, budget: int = DEFAULT_BUDGET, interval: int | None = None) -> None:
        if capacity < 1 or horizon < 0 or budget < 1:
            raise ValueError("timeline capacity and budget must be positive, the horizon ≥ 0")
        self.capacity = int(capacity)
        self.horizon = int(horizon)
        self.frame_bytes = 3 * n_params * itemsize + KEYFRAME_OVERHEAD + 8 * n_rows
        auto_interval, self.max_keyframes = _interval_for(self.frame_bytes, self.capacity, self.horizon, budget)
        self.interval = auto_interval if interval is None else max(1, int(interval))
        self._frames: list[Keyframe] = []
        self._cycles: list[int] = []  # the frames' cycles, for bisect
        self._checked = 1  # frames before this index have passed the horizon already
        self._order_source: np.ndarray | None = None  # the trainer's order array last copied...
        self._order_copy: np.ndarray | None = None  # ...and that copy, shared by the keyframes of an epoch
        self.latest = 0
        self.viewing: int | None = None

    @classmethod
    def for_trainer(cls, trainer: "Trainer", **kwargs) -> "Timeline":
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
        return tuple(self._cycles)

    def nbytes(self) -> int:
        """Bytes the keyframes take (their arrays, shared batch orders once, and an estimate of the rest)."""
        orders = {id(f.order): f.order.nbytes for f in self._frames if f.order is not None}
        return sum(f.nbytes for f in self._frames) + sum(orders.values())

    def clear(self) -> None:
        self._frames.clear()
        self._cycles.clear()
        self._checked = 1
        self._order_source = self._order_copy = None
        self.latest = 0
        self.viewing = None

    def cycles_until_keyframe(self, cycle: int) -> int:
        """How many cycles can run from ``cycle`` before the next keyframe is due (≥ 1)."""
        if not self._cycles:
            return 1
        return max(1, self.interval - (cycle - self._cycles[-1]))

    # -- recording ------------------------------------------------------------------------
    def _shared_order(self, trainer: "Trainer") -> np.ndarray | None:
        order = trainer._order
        if order is None or order is self._order_copy:  # none, or restored from a keyframe
            return order
        if order is not self._order_source:  # the trainer draws a new array each epoch, never edits one
            copy = order.copy()
            copy.setflags(write=False)
            self._order_source, self._order_copy = order, copy
        return self._order_copy

    def record(self, trainer: "Trainer", event: bool = False, force: bool = False) -> bool:
        """Take a keyframe if one is due (or ``force``), or as a barrier after an ``event``.

        Call after training cycles and after every event that replay would miss (see the
        module docstring). Returns whether a keyframe was taken. Not while rewound: go on
        from the cycle shown first (``continue_from_here``).
        """
        if self.rewound:
            raise RuntimeError("continue from the cycle shown before recording on the timeline")
        cycle = trainer.cycle
        self.latest = cycle
        last = self._cycles[-1] if self._cycles else None
        if event:
            frame = capture(trainer, self._shared_order(trainer), barrier=True)
            if last == cycle:  # the state at this cycle is now the one after the event
                self._frames[-1] = frame
            else:
                self._append(frame)
        elif last is None or cycle - last >= self.interval or (force and cycle != last):
            self._append(capture(trainer, self._shared_order(trainer)))
        else:
            self._prune()  # the reach follows the latest cycle
            return False
        self._prune()
        return True

    def _append(self, frame: Keyframe) -> None:
        if self._cycles and frame.cycle < self._cycles[-1]:
            raise RuntimeError("keyframes must be recorded in cycle order")
        self._frames.append(frame)
        self._cycles.append(frame.cycle)

    def _drop_first(self) -> None:
        del self._frames[0], self._cycles[0]
        self._checked = max(1, self._checked - 1)

    def _prune(self) -> None:
        frames, cycles = self._frames, self._cycles
        # Reach: keep one keyframe at or before latest − capacity, none earlier.
        while len(cycles) >= 2 and cycles[1] <= self.latest - self.capacity:
            self._drop_first()
        # Thinning: a keyframe passing the horizon goes if its neighbours are close enough.
        limit = self.latest - self.horizon
        i = max(self._checked, 1)
        while i < len(cycles) - 1 and cycles[i] < limit:
            if not frames[i].barrier and cycles[i + 1] - cycles[i - 1] <= 2 * self.interval:
                del frames[i], cycles[i]
            else:
                i += 1
        self._checked = i
        # The hard cap: the reach shrinks before memory grows.
        while len(frames) > self.max_keyframes:
            self._drop_first()

    # -- travelling -----------------------------------------------------------------------
    def rewind(self, trainer: "Trainer", cycle: int) -> None:
        """Show cycle ``cycle``: the trainer holds exactly the state it had then.

        The first rewind from the head keeps the head as a keyframe (a cycle begun by
        phases is dropped), so scrubbing back to ``latest`` returns to it exactly. The
        trainer's ``last_workspace`` and ``previous_params`` come out as they were right
        after cycle − 1 ran (the batch that made these weights), except at the earliest
        reachable cycle, which has no cycle before it kept (``last_workspace`` None).
        """
        if isinstance(cycle, bool) or not isinstance(cycle, (int, np.integer)):
            raise ValueError(f"a cycle is a whole number, got {cycle!r}")
        cycle = int(cycle)
        if not self.rewound:
            trainer.abort_cycle()
            self.record(trainer, force=True)
        first, latest = self.earliest, self.latest
        if not first <= cycle <= latest:
            raise ValueError(f"cycle {cycle} is out of reach: the timeline holds cycles {first} to {latest}")
        j = bisect.bisect_right(self._cycles, cycle) - 1
        frame = self._frames[j]
        if frame.cycle < cycle:
            restore(trainer, frame)
            replay(trainer, cycle - frame.cycle)
        elif j > 0:
            # Replay into it from the keyframe before (no barrier lies between them), for
            # the workspace of the cycle that led here; then the keyframe itself, which
            # after an event differs from what the replay gives.
            restore(trainer, self._frames[j - 1])
            replay(trainer, cycle - self._cycles[j - 1])
            workspace = trainer.last_workspace
            restore(trainer, frame)
            trainer.last_workspace = workspace
        else:
            restore(trainer, frame)
        if trainer.cycle != cycle:  # a replay that diverged: impossible unless the run has changed
            raise RuntimeError(f"replay reached cycle {trainer.cycle}, not {cycle}")
        self.viewing = cycle if cycle < latest else None

    def continue_from_here(self) -> int | None:
        """Forget the keyframes after the cycle shown; it becomes the latest. Returns it (None if not rewound)."""
        if not self.rewound:
            return None
        cycle = self.viewing
        keep = bisect.bisect_right(self._cycles, cycle)
        del self._frames[keep:], self._cycles[keep:]
        self._checked = min(self._checked, max(1, len(self._cycles) - 1))
        self.latest = cycle
        self.viewing = None
        return cycle
