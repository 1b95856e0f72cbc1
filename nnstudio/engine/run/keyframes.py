"""Keyframes: the trainer's states a timeline keeps, whole or as a patch, and replay between them."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.trainer_state import TrainerState
from nnstudio.engine.run.history import History

if TYPE_CHECKING:  # the trainer is only passed in
    from nnstudio.engine.nn.trainer import Trainer

__all__ = ["Keyframe", "ARRAY_OVERHEAD", "KEYFRAME_OVERHEAD", "PATCH_OVERHEAD", "PATCH_SHARE", "live_vectors",
           "apply_patch", "array_bytes", "replay"]

Array = npt.NDArray[np.floating]

# Bytes beside the arrays' data, measured with tracemalloc (``python benchmarks/bench_timeline_memory.py``:
# the bytes freed when a timeline of 400 keyframes forgets them, minus the data, per keyframe or array).
#: A full keyframe: its ``Keyframe``, ``TrainerState``, generator states, numbers and the vectors' array object.
KEYFRAME_OVERHEAD = 800
#: A patch: its ``Keyframe``, ``TrainerState`` without vectors and its tuples.
PATCH_OVERHEAD = 880
#: Each further array a keyframe holds alone (a kept error, a patch's changes, a batch order): its object.
ARRAY_OVERHEAD = 128
#: A patch may hold at most this share of a full keyframe's numbers.
PATCH_SHARE = 16

#: A patch's state holds no vectors: its patch holds what the event changed in them.
_NO_VECTORS = np.empty((3, 0))
_NO_VECTORS.setflags(write=False)
#: A vector an event left alone, per dtype: shared by every patch, so it costs none of them memory.
_UNCHANGED: dict[np.dtype, tuple[np.ndarray, Array]] = {}


def _unchanged(dtype: np.dtype) -> tuple[np.ndarray, Array]:
    pair = _UNCHANGED.get(dtype)
    if pair is None:
        pair = (np.empty(0, np.intp), np.empty(0, dtype))
        for array in pair:
            array.setflags(write=False)
        pair = _UNCHANGED.setdefault(dtype, pair)
    return pair


def array_bytes(array: np.ndarray) -> int:
    """Bytes an array that one keyframe holds alone takes: its data and its object."""
    return array.nbytes + ARRAY_OVERHEAD


class Keyframe:
    """The trainer's state at the start of a cycle, for replay to start from or to apply.

    A full keyframe's ``state`` is the whole ``TrainerState``, and ``patch`` None. A
    patch's ``state`` is the state after its event without the parameters, momentum and
    last update (empty ``vectors``); ``patch`` holds, for each of those vectors, the (indices,
    values) that differ from the state replay reaches at its cycle. ``barrier`` marks a
    full keyframe taken at an event (replay must not cross it).
    """

    __slots__ = ("state", "patch", "barrier", "cycle", "full")

    def __init__(self, state: TrainerState, patch: tuple[tuple[np.ndarray, Array], ...] | None = None,
                 barrier: bool = False) -> None:
        self.state = state
        self.patch = patch
        self.barrier = barrier
        # Read at every recording and rewind: plain attributes, not properties.
        self.cycle = state.cycle
        self.full = patch is None

    @property
    def order(self) -> np.ndarray | None:
        return self.state.order

    @property
    def nbytes(self) -> int:
        """Bytes of this keyframe's own arrays and objects (a shared batch order not counted)."""
        state = self.state
        if self.patch is None:
            own = state.vectors.nbytes + KEYFRAME_OVERHEAD
        else:
            own = PATCH_OVERHEAD + sum(array_bytes(i) + array_bytes(v) for i, v in self.patch if i.size)
        if state.kept_deltas is not None:
            own += sum(array_bytes(kept) for kept in state.kept_deltas)
        return own

    @classmethod
    def patch_from(cls, before: Array, after: TrainerState) -> Keyframe | None:
        """The event that made ``after`` from a state whose vectors were ``before`` (3, n), as a
        patch; None if it changed more than a patch may hold."""
        bits = np.dtype(f"u{before.itemsize}")
        patch, changed = [], 0
        for old, new in zip(before, after.vectors):
            indices = np.flatnonzero(old.view(bits) != new.view(bits))  # bit for bit: −0.0 is not 0.0
            patch.append((indices, new[indices]) if indices.size else _unchanged(new.dtype))
            changed += indices.size
        if changed * PATCH_SHARE > before.size:
            return None
        return cls(replace(after, vectors=_NO_VECTORS), tuple(patch))


def live_vectors(trainer: Trainer) -> tuple[Array, Array, Array]:
    """The trainer's parameters, momentum and last update, as it trains (what a patch patches)."""
    opt = trainer.optimizer
    return trainer.network.flat, opt.velocity, opt.updates


def apply_patch(trainer: Trainer, frame: Keyframe) -> None:
    """Apply the event ``frame`` to a trainer replayed up to its cycle (the last workspace stays)."""
    vectors = np.stack(live_vectors(trainer))
    for row, (indices, values) in zip(vectors, frame.patch):
        row[indices] = values
    workspace = trainer.last_workspace
    trainer.restore(replace(frame.state, vectors=vectors))
    trainer.last_workspace = workspace


def replay(trainer: Trainer, cycles: int) -> None:
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
