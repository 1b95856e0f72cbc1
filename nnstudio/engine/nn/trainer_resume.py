"""Where a trainer goes back or on to: capture and restore, divergence checkpoints, the saved form.

``Resumable`` is ``Trainer``'s base: it deals in ``TrainerState`` (``trainer_state.py``)
and leaves the stepping to the trainer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import asdict

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.batches import Batches
from nnstudio.engine.nn.divergence import Checkpoints, Rollback
from nnstudio.engine.nn.evaluation import Evaluation, evaluation_from_dict
from nnstudio.engine.nn.layer_passes import Workspace
from nnstudio.engine.nn.network import Network
from nnstudio.engine.nn.optim import SGD
from nnstudio.engine.nn.trainer_state import RngState, TrainerState, read_only_copy
from nnstudio.engine.nn.value_checks import whole_number
from nnstudio.engine.run.history import History

__all__ = ["Resumable"]

Array = npt.NDArray[np.floating]


class Resumable:
    """The state half of ``Trainer``; the trainer sets every attribute annotated here."""

    network: Network
    X_train: Array
    optimizer: SGD
    history: History
    cycle: int
    epoch: int
    eval_every: int | None
    diverged_at: int | None
    diverged_loss: float | None
    last_workspace: Workspace | None
    last_evaluation: Evaluation | None
    _batches: Batches
    _checkpoints: Checkpoints
    _kept_deltas: list[Array] | None
    last_phase: tuple[str, int | None] | None
    _cycle_in_progress: Iterator[tuple[str, int | None]] | None
    _origin: object

    @property
    def batch_size(self) -> int | None:
        """Rows per cycle; None for the full training set."""
        return self._batches.size
    # -- the state ----------------------------------------------------------------------
    def capture(self) -> TrainerState:
        """The state now, to ``restore`` later; changes nothing (a cycle begun by phases goes on).

        The arrays are read-only copies, but for the batch order, which the trainer never
        edits and shares with every state of its epoch.
        """
        opt = self.optimizer
        vectors = np.stack((self.network.flat, opt.velocity, opt.updates))  # one allocation for the three
        vectors.setflags(write=False)
        kept = None if self._kept_deltas is None else tuple(read_only_copy(k) for k in self._kept_deltas)
        batches = self._batches
        return TrainerState(vectors, opt.steps, opt.last_noise_std, RngState.of(opt.rng),
                            RngState.of(batches.rng), batches.order, batches.position, self.cycle, self.epoch,
                            opt.hyper, self.batch_size, self.diverged_at, self.diverged_loss, kept, self._origin)

    def restore(self, state: TrainerState) -> None:
        """Go back (or on) to ``state``, with its learning settings and delta rule.

        A state this trainer captured is taken as it is; any other is checked whole first
        (ValueError naming the problem, and nothing changes). A cycle begun by phases is
        dropped; the last workspace and evaluation are forgotten (they belong to another
        moment); the history and the checkpoints stay as they are.
        """
        if state.origin is not self._origin:
            state.check(self.network.spec.sizes, len(self.X_train))
        self._put(state)

    def start_from(self, state: TrainerState) -> None:
        """Begin the run at ``state``: a saved state, or given weights at a place in a run.

        Checked whole first (ValueError naming the problem, and nothing changes). Unlike
        ``restore``, a step back or on within this run, ``state`` becomes where the run
        starts: the checkpoint a divergence returns to, even a state stopped at a
        divergence. A cycle begun by phases is dropped and the last evaluation forgotten;
        the history stays as it is.
        """
        state.check(self.network.spec.sizes, len(self.X_train))
        self._start(state)

    def _start(self, state: TrainerState) -> None:
        self._put(state)
        self._checkpoints.start_at(self.capture())

    def _put(self, state: TrainerState) -> None:
        self.abort_cycle()
        opt = self.optimizer
        for live, kept in zip((self.network.flat, opt.velocity, opt.updates), state.vectors):
            np.copyto(live, kept)
        opt.steps, opt.last_noise_std, opt.hyper = int(state.steps), float(state.last_noise_std), state.hyper
        state.noise_rng.put_into(opt.rng)
        batches = self._batches
        state.shuffle_rng.put_into(batches.rng)
        order = state.order
        if order is not None and (order.dtype != np.int64 or order.flags.writeable):
            order = order.astype(np.int64)  # a copy the caller cannot edit
            order.setflags(write=False)
        batches.order, batches.position = order, int(state.position)
        self.cycle, self.epoch = int(state.cycle), int(state.epoch)
        batches.set_size(state.batch_size)
        self.diverged_at, self.diverged_loss = state.diverged_at, state.diverged_loss
        dt = self.network.dtype
        self._kept_deltas = None if state.kept_deltas is None else [np.array(k, dt) for k in state.kept_deltas]
        self.last_workspace = None
        self.last_evaluation = None

    # -- divergence ----------------------------------------------------------------------
    def checkpoint(self) -> None:
        """Keep the state now (``capture``) for ``roll_back``.

        Call before stepping, and after anything that changes the weights or goes back in
        time (a rewind drops the checkpoints after the cycle it went back to). A diverged
        state or non-finite weights are never kept.
        """
        if self.diverged_at is not None or not self.network.is_finite():
            return
        self._checkpoints.keep(self.capture())

    def check_divergence(self) -> int | None:
        """The cycle the run diverged at, or None; also notices weights the last update overflowed.

        The loss of every cycle is checked as it runs; weights made NaN or infinite by the
        last update of a run would only show in the next cycle's loss, so they are checked
        here (once per call: it reads every weight).
        """
        if self.diverged_at is None and not self.network.is_finite():
            self.diverged_at, self.diverged_loss = self.cycle, math.nan
        return self.diverged_at

    def roll_back(self, before: Callable[[int], None] | None = None) -> Rollback:
        """After a divergence, go back to the latest checkpoint whose loss proved sane.

        With none, back to the run's first checkpoint. The weights, momentum, random
        streams, batch position, cycle and epoch counters become that checkpoint's; the
        learning settings, batch size and delta rule stay as they are now (the kept error
        is the checkpoint's, or zero if it had none); the batch losses and evaluations
        from that cycle on are cut (the cycle is evaluated afresh when asked).
        ``before(cycle)`` runs first, while the trainer still holds the diverged state (the
        window's timeline cuts itself there). RuntimeError if the run has not diverged.
        """
        return self._checkpoints.roll_back(self, before)

    def abort_cycle(self) -> None:
        """Drop a cycle begun by phases (its update has not happened; nothing changed)."""
        self._cycle_in_progress = None
        self.last_phase = None

    # -- saving and resuming ------------------------------------------------------------
    def state(self) -> dict:
        """Copies of everything needed to continue this run bit for bit, as plain data (``load_state``).

        ``capture().to_dict()`` (see ``TrainerState.to_dict``) with the run's records:
        ``history`` (``History.state()``), ``last_evaluation`` (a dict of ``Evaluation``
        fields, or None) and ``eval_every``.
        """
        state = self.capture().to_dict()
        last = self.last_evaluation
        state.update(eval_every=self.eval_every, history=self.history.state(),
                     last_evaluation=None if last is None else asdict(last))
        return state

    def load_state(self, state: dict) -> None:
        """Continue from ``state()`` of a trainer of the same network shape and data size.

        Everything is checked before anything changes: a refused state raises ValueError
        naming the problem and leaves this trainer as it was. A cycle begun by phases is
        dropped. The training data are this trainer's own; only their size is checked.
        The loaded state is where this run starts, as with ``start_from``.
        """
        trainer_state = TrainerState.from_dict(state)
        trainer_state.check(self.network.spec.sizes, len(self.X_train))
        missing = sorted({"history", "last_evaluation"} - state.keys())
        if missing:
            raise ValueError(f"trainer state lacks {', '.join(missing)}")
        eval_every = state.get("eval_every", self.eval_every)
        if eval_every is not None:
            eval_every = whole_number(eval_every, "eval_every")
        self.history.check_state(state["history"])
        last = evaluation_from_dict(state["last_evaluation"])
        # Checked: now change.
        self._start(trainer_state)
        self.eval_every = eval_every
        self.history.load_state(state["history"])
        self.last_evaluation = last

