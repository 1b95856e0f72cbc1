"""The session's training steps: by cycles, epochs, time or phases, with divergence recovery."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from nnstudio.engine.nn.divergence import CHECKPOINT_CYCLES, Rollback
from nnstudio.engine.nn.phases import PhaseRecord

__all__ = ["SessionStepping", "STEP_EVALUATIONS"]

#: Evaluations recorded along one multi-cycle step.
STEP_EVALUATIONS = 50


class SessionStepping:
    """``TrainingSession``'s stepping commands (the session provides the trainer, timeline and the rest)."""

    def step(self, kind: str = "cycle", n: int = 1, interrupted: Callable[[], bool] | None = None) -> None:
        """Step by ``kind`` ("cycle" or "epoch"), ``n`` times.

        A long step records about ``STEP_EVALUATIONS`` evaluations on its way, so the loss
        curves show how it got there rather than a straight line to the end. It runs in
        chunks of ``CHECKPOINT_CYCLES``; between them ``interrupted()`` may end it early (a
        command is waiting: Pause, or the window closing).
        """
        if kind not in ("cycle", "epoch"):
            raise ValueError(f"unknown step kind {kind!r}")
        self.continue_from_here()
        trainer = self.trainer
        timeline = self.timeline
        cycles = n if kind == "cycle" else n * trainer.cycles_per_epoch
        trainer.eval_every = max(1, cycles // STEP_EVALUATIONS)
        target_epoch = trainer.epoch + n
        try:
            while trainer.diverged_at is None:
                if kind == "cycle":
                    left = cycles
                else:
                    left = trainer.cycles_left_in_epoch if trainer.epoch < target_epoch else 0
                if left <= 0:
                    break
                self.checkpoint()
                chunk = min(CHECKPOINT_CYCLES, left, timeline.cycles_until_keyframe(trainer.cycle))
                trainer.step_cycle(chunk)
                if trainer.check_divergence() is None:
                    timeline.record(trainer)
                    self._record_gradient_norms()  # a point per chunk: a long step draws a curve
                cycles -= chunk
                if interrupted is not None and interrupted():
                    break
        finally:
            trainer.eval_every = 0
            self._recover_if_diverged()

    def run_for(self, seconds: float, max_cycles: int | None = None) -> int:
        """Train flat out for about ``seconds`` (checked every few cycles); returns cycles done."""
        self.continue_from_here()
        trainer, timeline = self.trainer, self.timeline
        deadline = time.perf_counter() + seconds
        start = trainer.cycle
        chunk = 1
        while time.perf_counter() < deadline:
            self.checkpoint()
            if max_cycles is not None:
                chunk = min(chunk, max_cycles - (trainer.cycle - start))
                if chunk <= 0:
                    break
            n = min(chunk, timeline.cycles_until_keyframe(trainer.cycle))
            trainer.step_cycle(n)
            if self._recover_if_diverged():
                break
            timeline.record(trainer)
            chunk = min(chunk * 2, 64)
        return trainer.cycle - start

    def step_phase(self) -> PhaseRecord:
        """One phase of the current cycle (``Trainer.step_phase``); returns its ``PhaseRecord``.

        The phases of a cycle: forward through each weight layer, the loss, backward
        through each layer from the output down, the update. Stepping all of them gives
        exactly the weights one Step gives.
        """
        self.continue_from_here()
        trainer = self.trainer
        if not trainer.phase_in_progress:
            self.checkpoint()
        record = trainer.step_phase()
        if record.kind == "update":
            if not self._recover_if_diverged():
                self.timeline.record(trainer)
            self._record_gradient_norms()
        return record

    def checkpoint(self) -> None:
        """Remember the state now as one to return to if training diverges (``Trainer.checkpoint``)."""
        self.trainer.checkpoint()

    def _record_gradient_norms(self) -> None:
        """‖∂L/∂W_l‖ of the last cycle, if it is new (cheap: L norms of the workspace's gradients)."""
        trainer = self.trainer
        ws = trainer.last_workspace
        if ws is None or trainer.cycle <= self._norms_cycle or self.timeline.rewound:
            return
        self._norms_cycle = trainer.cycle
        self.gradient_norms.append(trainer.cycle - 1, *(np.sqrt(np.vdot(g, g)) for g in ws.grad_W))

    # -- divergence: the trainer rolls back (``Trainer.roll_back``); the session cuts its records to match
    def _cut_timeline_at(self, cycle: int) -> None:
        """Forget the timeline's cycles after ``cycle`` (the trainer still holds the diverged state)."""
        timeline = self.timeline
        if timeline.earliest <= cycle:
            timeline.rewind(self.trainer, cycle)
            timeline.continue_from_here()
        else:
            timeline.clear()

    def _recover_if_diverged(self) -> bool:
        """After a NaN, infinite or runaway loss: pause, go back to the last sane checkpoint, say so."""
        trainer = self.trainer
        if trainer.check_divergence() is None:
            return False
        rollback = trainer.roll_back(before=self._cut_timeline_at)
        self.timeline.record(trainer, event=True)  # the settings now, not those the cycle had
        self.gradient_norms.truncate(rollback.cycle - 1)
        self._norms_cycle = rollback.cycle
        self.running = False
        self._message = self._divergence_message(rollback)
        return True

    def _divergence_message(self, rollback: Rollback) -> str:
        where = (f"Paused at cycle {rollback.cycle}, the last checkpoint with a sane loss: its weights are back"
                 if rollback.proven else
                 f"No cycle since cycle {rollback.cycle} had a sane loss: paused there, with its weights back")
        lr = self.trainer.hyper.learning_rate
        units = "" if self.experiment.target_scaling.is_identity or not math.isfinite(rollback.loss) \
            else " (on standardised targets)"
        return (f"Training diverged at cycle {rollback.diverged_at}: {rollback.cause()}{units}. "
                f"{where} and the loss curves cut after it. Try a smaller learning rate (now {lr:g}).")
