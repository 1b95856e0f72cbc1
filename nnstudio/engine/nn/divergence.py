"""Divergence: when a run has gone, and the checkpoints it may go back to.

A learning rate far too high makes the loss grow by orders of magnitude each cycle until
it overflows. Stepping stops at the first cycle whose batch loss is NaN, infinite or
runaway (above ``RUNAWAY_FACTOR`` times the targets' mean square, at least 1: for
standardised targets, errors a thousand standard deviations wide). ``Trainer.checkpoint``
keeps the state before stepping; ``Trainer.roll_back`` returns to the latest checkpoint
whose own loss proved sane (at most ``SANE_FACTOR`` times that scale), with the cycle
counter, batch position and loss history of that cycle. The CLI and the window both
recover this way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from nnstudio.engine.nn.trainer_state import TrainerState

if TYPE_CHECKING:  # the trainer is only passed in
    from nnstudio.engine.nn.trainer import Trainer

__all__ = ["RUNAWAY_FACTOR", "SANE_FACTOR", "CHECKPOINT_CYCLES", "Rollback", "Checkpoints"]

#: A batch loss above this many times the loss scale (the targets' mean square, at least 1)
#: is a divergence, as NaN and infinity are: no learning run gets there.
RUNAWAY_FACTOR = 1e6
#: A checkpoint whose own loss was at most this many times the loss scale is one a divergence
#: may return to (for standardised targets, ten times the loss of predicting the mean); one
#: between this and the runaway limit was already on its way out.
SANE_FACTOR = 10.0
#: Cycles between the checkpoints the CLI and the window take while training.
CHECKPOINT_CYCLES = 64


@dataclass(frozen=True)
class Rollback:
    """What ``Trainer.roll_back`` did.

    ``diverged_at`` is the cycle whose loss gave the divergence away, ``loss`` that loss
    (NaN, infinite or runaway; NaN also when an update overflowed the weights), ``cycle``
    the cycle training is back at, whose weights are the trainer's now. ``proven`` is False
    when no checkpoint's loss proved sane and the run went back to where it started.
    """

    diverged_at: int
    loss: float
    cycle: int
    proven: bool
    runaway_loss: float

    def cause(self) -> str:
        """What went wrong, as a phrase: "the loss became NaN", "the loss ran away to 7.1e+09"..."""
        if math.isnan(self.loss):
            return "the loss became NaN"
        if math.isinf(self.loss):
            return "the loss became infinite"
        return f"the loss ran away to {self.loss:.3g}, past the limit of {self.runaway_loss:.3g}"


class Checkpoints:
    """Where a divergence may return to: the run's first state (``first``), the latest
    checkpoint whose loss proved sane (``sane``), and the latest one (``pending``), whose
    loss the cycle that starts from it will tell."""

    __slots__ = ("first", "sane", "pending")

    def __init__(self) -> None:
        self.first: TrainerState | None = None
        self.sane: TrainerState | None = None
        self.pending: TrainerState | None = None

    def keep(self, state: TrainerState) -> None:
        """``state`` is the latest checkpoint; any from after its cycle (a rewind went back) go."""
        for name in ("sane", "first"):
            kept = getattr(self, name)
            if kept is not None and kept.cycle > state.cycle:
                setattr(self, name, None)
        if self.first is None:
            self.first = state
        self.pending = state

    def settle(self, sane: bool) -> None:
        """The cycle from the pending checkpoint has run; its loss was ``sane`` or not (but no divergence)."""
        if sane:
            self.sane = self.pending
        self.pending = None

    def start_at(self, state: TrainerState) -> None:
        """The run starts afresh at ``state`` (a loaded one, even one stopped at a divergence)."""
        self.first = self.pending = state
        self.sane = None

    def roll_back(self, trainer: Trainer, before: Callable[[int], None] | None) -> Rollback:
        """``trainer.roll_back``: back to the sane checkpoint, else the first, with the settings of now."""
        at, loss = trainer.diverged_at, trainer.diverged_loss
        if at is None:
            raise RuntimeError("the run has not diverged: nothing to roll back")
        target = self.sane or self.first
        if target is None:
            raise RuntimeError("no checkpoint to roll back to")
        proven = target is self.sane
        # Read before ``before``: a timeline rewind there puts back that cycle's settings.
        hyper, batch_size, rule = trainer.hyper, trainer.batch_size, trainer.delta_rule
        if before is not None:
            before(target.cycle)
        kept = None
        if rule == "accumulate":
            network = trainer.network
            kept = target.kept_deltas or tuple(np.zeros(n, network.dtype) for n in network.spec.sizes[1:])
        # A loaded run may start stopped at a divergence: going back to it clears that.
        trainer.restore(replace(target, hyper=hyper, batch_size=batch_size, kept_deltas=kept, diverged_at=None,
                                diverged_loss=None))
        np.copyto(trainer.previous_params, trainer.network.flat)
        trainer.history.batch_loss.truncate(target.cycle - 1)
        trainer.history.evaluations.truncate(target.cycle - 1)
        self.pending = None
        return Rollback(at, math.nan if loss is None else loss, target.cycle, proven, trainer.runaway_loss)
