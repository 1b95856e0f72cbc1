"""The Trainer: steps a network through learning at every granularity.

One cycle is one mini-batch: feedforward layer by layer, the error and the loss, backprop
layer by layer, the weight update. A cycle is written once, as a generator that pauses
after each of those phases (``_cycle_phases``); a whole cycle simply runs it to the end.
Stepping phase by phase therefore ends on exactly the weights one cycle step gives, and
recording a learner's numbers (``phases.PhaseRecord``) costs only when stepping by phases.

One epoch is one pass over the shuffled training set. The batch order, the noise and the
initial weights each take their random numbers from streams derived from one seed, so the
same seed and settings give the same run, bit for bit.

Everything the following cycles depend on is one ``TrainerState`` (``trainer_state.py``):
``capture`` takes it, ``restore`` puts it back; a run that diverges goes back to a
checkpoint, such a state. Those live in the trainer's base, ``trainer_resume.Resumable``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.batches import Batches
from nnstudio.engine.nn.divergence import RUNAWAY_FACTOR, SANE_FACTOR, Checkpoints
from nnstudio.engine.nn.evaluation import Evaluation, SplitEvaluator
from nnstudio.engine.nn.layer_passes import (
    Workspace,
    backward_layer,
    backward_layer_accumulating,
    compute_loss,
    forward_layer,
)
from nnstudio.engine.nn.network import DELTA_RULES, Network
from nnstudio.engine.nn.optim import SGD, Hyperparameters
from nnstudio.engine.nn.phases import PhaseRecord, phase_record
from nnstudio.engine.nn.trainer_resume import Resumable
from nnstudio.engine.run.history import History

__all__ = ["Trainer"]

Array = npt.NDArray[np.floating]


class Trainer(Resumable):
    """Trains ``network`` on (X_train, Y_train), reporting on (X_test, Y_test).

    Parameters
    ----------
    network
        Updated in place.
    X_train, Y_train
        Inputs (n, n_inputs) and encoded targets (n, n_outputs), already normalised.
    X_test, Y_test
        Held-out split; may be empty or None.
    hyper
        Learning rate, momentum, L1/L2, noise; change later with ``set_hyperparameters``.
    batch_size
        Rows per cycle; None means the full training set (no shuffling needed).
    seed
        Seeds the batch order and the noise.
    classification
        Whether accuracy means anything for these targets.
    eval_every
        Evaluate the whole splits every this many cycles; None: at the end of each epoch;
        0: only when ``evaluate`` is called.
    delta_rule
        "set" (standard backprop) or "accumulate", the seed author's ``loss += dl/dw``
        (``layer_passes.backward_layer_accumulating``); see ``set_delta_rule``.

    Attributes
    ----------
    cycle, epoch
        Cycles and completed epochs so far.
    diverged_at
        The cycle whose loss became NaN, infinite or runaway (stepping stops there), else None.
    diverged_loss
        That cycle's loss (NaN when an update overflowed the weights), else None.
    loss_scale, runaway_loss, sane_loss
        The training targets' mean square (at least 1), and ``RUNAWAY_FACTOR`` and
        ``SANE_FACTOR`` times it.
    history
        ``History`` of batch losses and evaluations.
    """

    def __init__(
        self,
        network: Network,
        X_train,
        Y_train,
        X_test=None,
        Y_test=None,
        hyper: Hyperparameters | None = None,
        batch_size: int | None = None,
        seed: int = 0,
        classification: bool = True,
        eval_every: int | None = None,
        delta_rule: str = "set",
    ) -> None:
        self.network = network
        dt = network.dtype
        self.X_train = np.ascontiguousarray(X_train, dtype=dt)
        self.Y_train = np.ascontiguousarray(Y_train, dtype=dt)
        n_in, n_out = network.spec.sizes[0], network.spec.sizes[-1]
        if self.X_train.ndim != 2 or self.X_train.shape[1] != n_in or len(self.X_train) == 0:
            raise ValueError(f"training inputs have shape {self.X_train.shape}; the network takes (n, {n_in})")
        if self.Y_train.shape != (len(self.X_train), n_out):
            raise ValueError(
                f"training targets have shape {self.Y_train.shape}; expected ({len(self.X_train)}, {n_out})"
            )
        if X_test is None or len(X_test) == 0:
            self.X_test = np.empty((0, n_in), dt)
            self.Y_test = np.empty((0, n_out), dt)
        else:
            self.X_test = np.ascontiguousarray(X_test, dtype=dt)
            self.Y_test = np.ascontiguousarray(Y_test, dtype=dt)
            if self.X_test.shape[1:] != (n_in,) or self.Y_test.shape != (len(self.X_test), n_out):
                raise ValueError("test inputs or targets do not fit the network")
        self.classification = classification
        self.eval_every = eval_every
        self.seed = int(seed)
        shuffle_seq, noise_seq = np.random.SeedSequence(self.seed).spawn(2)
        self._batches = Batches(self.X_train, self.Y_train, network, np.random.default_rng(shuffle_seq))
        self._batches.set_size(batch_size)
        self.optimizer = SGD(network.flat, hyper or Hyperparameters(), np.random.default_rng(noise_seq))
        self.history = History()
        self.cycle = 0
        self.epoch = 0
        self._evaluator = SplitEvaluator(network)
        self._cycle_in_progress: Iterator[tuple[str, int | None]] | None = None
        self._batch: tuple[Array, Array] | None = None  # the batch of a cycle stepped by phases
        self._phase_cycle = 0
        #: (kind, layer) of the last phase ``step_phase`` did; None once other stepping
        #: (``step_cycle``/``step_epoch``) or ``abort_cycle`` has followed it.
        self.last_phase: tuple[str, int | None] | None = None
        self.last_workspace: Workspace | None = None
        self.last_evaluation: Evaluation | None = None
        #: Opt-in: copy the weights into ``previous_params`` just before each update, so the
        #: weights a finished cycle used (before its update) can be shown (the inspector).
        self.keep_previous_weights = False
        #: The parameters (laid out like ``network.flat``) before the last cycle's update;
        #: meaningful only for cycles run while ``keep_previous_weights`` was on (before
        #: any, the initial weights).
        self.previous_params: Array = network.flat.copy()
        #: The cycle whose loss was NaN, infinite or runaway; stepping stops there until cleared.
        self.diverged_at: int | None = None
        self.diverged_loss: float | None = None
        # The loss of predicting zero everywhere, for MSE: a scale that needs no run to know.
        self.loss_scale = max(1.0, float(np.mean(np.square(self.Y_train, dtype=np.float64))))
        self.runaway_loss = RUNAWAY_FACTOR * self.loss_scale
        self.sane_loss = SANE_FACTOR * self.loss_scale
        self._checkpoints = Checkpoints()
        # The "accumulate" rule's error kept per layer; None under "set".
        self._kept_deltas: list[Array] | None = None
        # Marks the states this trainer captured: restored without checks.
        self._origin = object()
        self.set_delta_rule(delta_rule)
        self.checkpoint()

    # -- settings ----------------------------------------------------------------------
    @property
    def hyper(self) -> Hyperparameters:
        return self.optimizer.hyper

    def set_hyperparameters(self, hyper: Hyperparameters) -> None:
        """New learning rate, momentum, regularisation or noise; training goes on as it was."""
        self.optimizer.hyper = hyper

    @property
    def delta_rule(self) -> str:
        return "set" if self._kept_deltas is None else "accumulate"

    def set_delta_rule(self, rule: str) -> None:
        """Backprop's rule for hidden deltas from the next cycle on; the kept error starts at zero.

        "set": δ[l] = (δ[l+1] W[l+1]ᵀ) ⊙ f'(z[l]), the gradient. "accumulate": that plus the
        error the layer kept from earlier cycles (``layer_passes.backward_layer_accumulating``);
        its kept error is part of ``capture()``.
        """
        if rule not in DELTA_RULES:
            raise ValueError(f"delta rule {rule!r} is not one of {', '.join(DELTA_RULES)}")
        net = self.network
        self._kept_deltas = None if rule == "set" else [np.zeros(n, net.dtype) for n in net.spec.sizes[1:]]

    def set_batch_size(self, batch_size: int | None) -> None:
        """Rows per cycle from the next cycle on; None or ≥ the data size means full batch."""
        self._batches.set_size(batch_size)

    @property
    def cycles_per_epoch(self) -> int:
        return self._batches.per_epoch

    @property
    def cycles_left_in_epoch(self) -> int:
        """Cycles until the current epoch ends (counting the next one)."""
        return self._batches.left_in_epoch

    @property
    def phase_in_progress(self) -> bool:
        """True between the first and the last phase of a cycle stepped by phases."""
        return self._cycle_in_progress is not None

    @property
    def workspace_in_progress(self) -> Workspace | None:
        """The workspace of the cycle begun by phases, holding what its phases computed so far.

        None when no cycle is in progress. Layers its phases have not reached yet still
        hold whatever an earlier cycle of the same batch size left there.
        """
        return self._workspace_of_batch() if self._cycle_in_progress is not None else None

    # -- the cycle ---------------------------------------------------------------------
    def _finish_cycle(self, ws: Workspace, batch_rows: int) -> None:
        loss = ws.loss
        if not loss <= self.runaway_loss:  # NaN fails every comparison
            if self.diverged_at is None:
                self.diverged_at, self.diverged_loss = self.cycle, float(loss)
        else:
            pending = self._checkpoints.pending
            if pending is not None and pending.cycle == self.cycle:
                self._checkpoints.settle(loss <= self.sane_loss)
        self.history.batch_loss.append(self.cycle, loss)
        self.cycle += 1
        self.last_workspace = ws
        if self._batches.advance(batch_rows):
            self.epoch += 1
            if self.eval_every is None:
                self.evaluate()
        if self.eval_every and self.cycle % self.eval_every == 0:
            self.evaluate()

    def _cycle_phases(self) -> Iterator[tuple[str, int | None]]:
        """One cycle, pausing after each phase; yields (kind, layer)."""
        ws, X, Y = self._batches.next()
        self._batch = (X, Y)
        net = self.network
        layers, loss = net.layers, net.loss
        for index, layer in enumerate(layers):
            forward_layer(layer, ws, index)
            yield "forward", index
        compute_loss(loss, ws, Y)
        yield "loss", None
        kept = self._kept_deltas
        for index in range(len(layers) - 1, -1, -1):
            if kept is None:
                backward_layer(layers, loss, ws, index, Y)
            else:
                backward_layer_accumulating(layers, loss, ws, index, Y, kept)
            yield "backward", index
        if self.keep_previous_weights:
            np.copyto(self.previous_params, net.flat)
        self.optimizer.step(ws.grad)
        self._finish_cycle(ws, len(X))
        yield "update", None

    def _run_cycle(self) -> None:
        """``_cycle_phases`` without the pauses: the same calls in the same order.

        Written out because Run spends its life here and a generator's resumptions cost a
        tiny network's cycle a few percent; a test holds the two to the same bits.
        """
        ws, X, Y = self._batches.next()
        net = self.network
        layers, loss = net.layers, net.loss
        for index, layer in enumerate(layers):
            forward_layer(layer, ws, index)
        compute_loss(loss, ws, Y)
        kept = self._kept_deltas
        if kept is None:
            for index in range(len(layers) - 1, -1, -1):
                backward_layer(layers, loss, ws, index, Y)
        else:
            for index in range(len(layers) - 1, -1, -1):
                backward_layer_accumulating(layers, loss, ws, index, Y, kept)
        if self.keep_previous_weights:
            np.copyto(self.previous_params, net.flat)
        self.optimizer.step(ws.grad)
        self._finish_cycle(ws, len(X))

    def step_cycle(self, n: int = 1) -> None:
        """Run ``n`` cycles; a cycle already begun by phases is finished first and counts."""
        if n <= 0 or self.diverged_at is not None:
            return
        self.last_phase = None
        if self._cycle_in_progress is not None:
            for _phase in self._cycle_in_progress:
                pass
            self._cycle_in_progress = None
            n -= 1
        run = self._run_cycle
        for _ in range(n):
            if self.diverged_at is not None:
                break
            run()

    def step_epoch(self, n: int = 1) -> None:
        """Run cycles until ``n`` more epochs have completed (finishing the current one first)."""
        target = self.epoch + n
        while self.epoch < target and self.diverged_at is None:
            self.step_cycle()

    def step_phase(self) -> PhaseRecord:
        """Advance one phase of the current cycle and return its numbers."""
        if self._cycle_in_progress is None:
            self._cycle_in_progress = self._cycle_phases()
            self._phase_cycle = self.cycle
        kind, layer = next(self._cycle_in_progress)
        if kind == "update":
            self._cycle_in_progress = None
        self.last_phase = (kind, layer)
        ws = self.last_workspace if kind == "update" else self._workspace_of_batch()
        return phase_record(self._phase_cycle, kind, layer, self.network, ws, self._batch[1], self.optimizer)

    def step_phases(self, n: int) -> list[PhaseRecord]:
        return [self.step_phase() for _ in range(n)]

    def _workspace_of_batch(self) -> Workspace:
        return self._batches.workspace(len(self._batch[0]))

    # -- reporting ---------------------------------------------------------------------
    def evaluate(self, record: bool = True) -> Evaluation:
        """Loss and accuracy on the whole train and test splits with the current weights."""
        train_loss, train_acc = self._evaluator.metrics(self.X_train, self.Y_train, self.classification)
        test_loss, test_acc = self._evaluator.metrics(self.X_test, self.Y_test, self.classification)
        result = Evaluation(self.cycle, train_loss, test_loss, train_acc, test_acc)
        if record:
            self.history.evaluations.append(self.cycle, train_loss, test_loss, train_acc, test_acc)
        self.last_evaluation = result
        return result
