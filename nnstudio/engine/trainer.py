"""The Trainer: steps a network through learning at every granularity.

One cycle is one mini-batch: feedforward layer by layer, the error and the loss, backprop
layer by layer, the weight update. A cycle is written once, as a generator that pauses
after each of those phases (``_cycle_phases``); a whole cycle simply runs it to the end.
Stepping phase by phase therefore ends on exactly the weights one cycle step gives, and
recording a learner's numbers (``PhaseRecord``) costs only when stepping by phases.

One epoch is one pass over the shuffled training set. The batch order, the noise and the
initial weights each take their random numbers from streams derived from one seed, so the
same seed and settings give the same run, bit for bit.

Divergence. A learning rate far too high makes the loss grow by orders of magnitude each
cycle until it overflows. Stepping stops at the first cycle whose batch loss is NaN,
infinite or runaway (above ``RUNAWAY_FACTOR`` times the targets' mean square, at least 1:
for standardised targets, errors a thousand standard deviations wide). ``checkpoint``
keeps the whole state before stepping; ``roll_back`` returns to the latest checkpoint whose
own loss proved sane (at most ``SANE_FACTOR`` times that scale), with the cycle counter,
batch position and loss history of that cycle. The CLI and the window both recover this way.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping

import numpy as np
import numpy.typing as npt

from .datasets import labels_from_outputs
from .history import History
from .network import (
    DELTA_RULES, Network, Workspace, backward_layer, backward_layer_accumulating, compute_loss, forward_layer,
)
from .optim import SGD, Hyperparameters, check_rng_state
from .timeline import Keyframe, capture, restore

__all__ = ["PHASE_KINDS", "PhaseRecord", "Evaluation", "Rollback", "Trainer", "RUNAWAY_FACTOR", "SANE_FACTOR",
           "CHECKPOINT_CYCLES"]

Array = npt.NDArray[np.floating]

PHASE_KINDS = ("forward", "loss", "backward", "update")

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
class PhaseRecord:
    """The numbers of one phase of a cycle, as the seed names them (read-only copies).

    ``kind`` is one of ``PHASE_KINDS``; ``layer`` is the weight layer for forward and
    backward phases (0 = input → first hidden), None otherwise. ``values``:

    - forward: ``input`` a[l], ``weights`` W[l], ``bias`` b[l], ``sum`` z, ``activation`` a[l+1]
    - loss: ``output``, ``target``, ``error`` (target − output), ``loss``
    - backward: ``delta`` δ[l], ``derivative`` f'(z[l]), ``grad_weights`` ∂L/∂W[l],
      ``grad_bias`` ∂L/∂b[l]
    - update: ``weight_updates``/``bias_updates`` (new − old, per layer), ``weights``,
      ``biases`` after the update, ``learning_rate``, ``noise_std``
    """

    cycle: int
    kind: str
    layer: int | None
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Evaluation:
    """Loss and accuracy on the whole splits (accuracy NaN for regression or no test split)."""

    cycle: int
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float


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


def _count(value, what: str) -> int:
    """``value`` as an int ≥ 0, or ValueError naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{what} must be a whole number ≥ 0, got {value!r}")
    return int(value)


def _frozen(array: np.ndarray) -> np.ndarray:
    copy = np.array(array, copy=True)
    copy.setflags(write=False)
    return copy


class Trainer:
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
        (``network.backward_layer_accumulating``); see ``set_delta_rule``.

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
            raise ValueError(f"training targets have shape {self.Y_train.shape}; expected ({len(self.X_train)}, {n_out})")
        if X_test is None or len(X_test) == 0:
            self.X_test = np.empty((0, n_in), dt)
            self.Y_test = np.empty((0, n_out), dt)
        else:
            self.X_test = np.ascontiguousarray(X_test, dtype=dt)
            self.Y_test = np.ascontiguousarray(Y_test, dtype=dt)
            if self.X_test.shape[1:] != (n_in,) or self.Y_test.shape != (len(self.X_test), n_out):
                raise ValueError("test inputs or targets do not fit the network")
        self._rows = np.hstack([self.X_train, self.Y_train])
        self._X_train_T = self.X_train.T
        self.classification = classification
        self.eval_every = eval_every
        self.seed = int(seed)
        shuffle_seq, noise_seq = np.random.SeedSequence(self.seed).spawn(2)
        self._shuffle_rng = np.random.default_rng(shuffle_seq)
        self.optimizer = SGD(network.flat, hyper or Hyperparameters(), np.random.default_rng(noise_seq))
        self.batch_size = None
        self.set_batch_size(batch_size)
        self.history = History()
        self.cycle = 0
        self.epoch = 0
        self._position = 0
        self._order: np.ndarray | None = None
        self._workspaces: dict[int, tuple[Workspace, Array, Array, Array, Array]] = {}
        self._eval_workspaces: dict[int, Workspace] = {}
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
        # Where a divergence may return to: the run's first state, the latest checkpoint whose
        # loss proved sane, and the latest one, whose loss its next cycle will tell.
        self._first_checkpoint: Keyframe | None = None
        self._sane_checkpoint: Keyframe | None = None
        self._pending_checkpoint: Keyframe | None = None
        # The "accumulate" rule's error kept per layer (None under "set"), and its copy at each
        # checkpoint (keyframes hold no such thing), by the frame's id.
        self._kept_deltas: list[Array] | None = None
        self._kept_at_checkpoint: dict[int, tuple[Keyframe, list[Array]]] = {}
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
        error the layer kept from earlier cycles (``network.backward_layer_accumulating``);
        its kept error is part of ``state()``, which then names the rule.
        """
        if rule not in DELTA_RULES:
            raise ValueError(f"delta rule {rule!r} is not one of {', '.join(DELTA_RULES)}")
        net = self.network
        self._kept_deltas = None if rule == "set" else [np.zeros(n, net.dtype) for n in net.spec.sizes[1:]]

    def set_batch_size(self, batch_size: int | None) -> None:
        """Rows per cycle from the next cycle on; None or ≥ the data size means full batch."""
        n = len(self.X_train)
        if batch_size is not None:
            batch_size = int(batch_size)
            if batch_size < 1:
                raise ValueError(f"batch size must be at least 1, got {batch_size}")
            if batch_size >= n:
                batch_size = None
        self.batch_size = batch_size

    @property
    def cycles_per_epoch(self) -> int:
        n = len(self.X_train)
        return 1 if self.batch_size is None else -(-n // self.batch_size)

    @property
    def cycles_left_in_epoch(self) -> int:
        """Cycles until the current epoch ends (counting the next one)."""
        rows_left = len(self.X_train) - self._position
        return 1 if self.batch_size is None else -(-rows_left // self.batch_size)

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

    # -- batches -----------------------------------------------------------------------
    def _workspace(self, batch: int) -> tuple[Workspace, Array, Array, Array, Array]:
        """The workspace for ``batch`` rows, the batch's gather buffer, and views of it.

        The views (inputs, their transpose, targets) are made once per batch size: every
        view costs a little, and a tiny network's cycle is made of such littles.
        """
        entry = self._workspaces.get(batch)
        if entry is None:
            net = self.network
            gathered = np.empty((batch, self._rows.shape[1]), net.dtype)
            n_in = self.X_train.shape[1]
            X, Y = gathered[:, :n_in], gathered[:, n_in:]
            entry = (net.workspace(batch), gathered, X, X.T, Y)
            self._workspaces[batch] = entry
        return entry

    def _next_batch(self) -> tuple[Workspace, Array, Array]:
        """The next mini-batch, set as the workspace's input, without advancing the position."""
        n = len(self.X_train)
        if self.batch_size is None:
            ws = self._workspace(n)[0]
            ws.set_input(self.X_train, self._X_train_T)
            ws.targets = self.Y_train
            return ws, self.X_train, self.Y_train
        if self._order is None:  # a new epoch: drawn once, so an aborted cycle replays the same batch
            self._order = self._shuffle_rng.permutation(n)
        rows = self._order[self._position : self._position + self.batch_size]
        ws, gathered, X, X_T, Y = self._workspace(len(rows))
        # One gather for inputs and targets together; X and Y are views of its halves.
        np.take(self._rows, rows, axis=0, out=gathered)
        ws.set_input(X, X_T)
        ws.targets = Y
        return ws, X, Y

    def _finish_cycle(self, ws: Workspace, batch_rows: int) -> None:
        loss = ws.loss
        if not loss <= self.runaway_loss:  # NaN fails every comparison
            if self.diverged_at is None:
                self.diverged_at, self.diverged_loss = self.cycle, float(loss)
        elif self._pending_checkpoint is not None and self._pending_checkpoint.cycle == self.cycle:
            if loss <= self.sane_loss:
                self._sane_checkpoint = self._pending_checkpoint
            self._pending_checkpoint = None
        self.history.batch_loss.append(self.cycle, loss)
        self.cycle += 1
        self.last_workspace = ws
        self._position += batch_rows
        if self._position >= len(self.X_train):
            self._position = 0
            self._order = None
            self.epoch += 1
            if self.eval_every is None:
                self.evaluate()
        if self.eval_every and self.cycle % self.eval_every == 0:
            self.evaluate()

    # -- the cycle ---------------------------------------------------------------------
    def _cycle_phases(self) -> Iterator[tuple[str, int | None]]:
        """One cycle, pausing after each phase; yields (kind, layer)."""
        ws, X, Y = self._next_batch()
        self._batch = (X, Y)
        net = self.network
        layers, loss = net.layers, net.loss
        for l, layer in enumerate(layers):
            forward_layer(layer, ws, l)
            yield "forward", l
        compute_loss(loss, ws, Y)
        yield "loss", None
        kept = self._kept_deltas
        for l in range(len(layers) - 1, -1, -1):
            if kept is None:
                backward_layer(layers, loss, ws, l, Y)
            else:
                backward_layer_accumulating(layers, loss, ws, l, Y, kept)
            yield "backward", l
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
        ws, X, Y = self._next_batch()
        net = self.network
        layers, loss = net.layers, net.loss
        for l, layer in enumerate(layers):
            forward_layer(layer, ws, l)
        compute_loss(loss, ws, Y)
        kept = self._kept_deltas
        if kept is None:
            for l in range(len(layers) - 1, -1, -1):
                backward_layer(layers, loss, ws, l, Y)
        else:
            for l in range(len(layers) - 1, -1, -1):
                backward_layer_accumulating(layers, loss, ws, l, Y, kept)
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
        return self._record(kind, layer)

    def step_phases(self, n: int) -> list[PhaseRecord]:
        return [self.step_phase() for _ in range(n)]

    # -- divergence ----------------------------------------------------------------------
    def checkpoint(self) -> None:
        """Keep the state now (weights, momentum, random streams, position, counters) for ``roll_back``.

        Call before stepping, and after anything that changes the weights or goes back in
        time (a rewind drops the checkpoints after the cycle it went back to). A diverged
        state or non-finite weights are never kept.
        """
        if self.diverged_at is not None or not self.network.is_finite():
            return
        for name in ("_sane_checkpoint", "_first_checkpoint"):
            frame = getattr(self, name)
            if frame is not None and frame.cycle > self.cycle:
                setattr(self, name, None)
        frame = capture(self)
        if self._first_checkpoint is None:
            self._first_checkpoint = frame
        self._pending_checkpoint = frame
        self._keep_deltas_with(frame)

    def _keep_deltas_with(self, frame: Keyframe) -> None:
        """Under the "accumulate" rule, remember the kept error beside checkpoint ``frame``."""
        live = {id(f) for f in (self._first_checkpoint, self._sane_checkpoint, self._pending_checkpoint)}
        for key in [key for key in self._kept_at_checkpoint if key not in live]:
            del self._kept_at_checkpoint[key]
        if self._kept_deltas is not None:
            self._kept_at_checkpoint[id(frame)] = (frame, [kept.copy() for kept in self._kept_deltas])

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
        learning settings and batch size stay as they are now; the batch losses and
        evaluations from that cycle on are cut (the cycle is evaluated afresh when asked).
        ``before(cycle)`` runs first, while the trainer still holds the diverged state (the
        window's timeline cuts itself there). RuntimeError if the run has not diverged.
        """
        at, loss = self.diverged_at, self.diverged_loss
        if at is None:
            raise RuntimeError("the run has not diverged: nothing to roll back")
        frame = self._sane_checkpoint or self._first_checkpoint
        if frame is None:
            raise RuntimeError("no checkpoint to roll back to")
        proven = frame is self._sane_checkpoint
        # Read before ``before``: a timeline rewind there puts back that cycle's settings.
        hyper, batch_size = self.hyper, self.batch_size
        if before is not None:
            before(frame.cycle)
        restore(self, frame)
        self.optimizer.hyper = hyper
        self.set_batch_size(batch_size)
        if self._kept_deltas is not None:
            saved = self._kept_at_checkpoint.get(id(frame))  # none: kept before the rule was on
            for l, kept in enumerate(self._kept_deltas):
                kept[...] = saved[1][l] if saved else 0.0
        np.copyto(self.previous_params, self.network.flat)
        self.diverged_at = self.diverged_loss = None
        self.history.batch_loss.truncate(frame.cycle - 1)
        self.history.evaluations.truncate(frame.cycle - 1)
        self._pending_checkpoint = None
        return Rollback(at, math.nan if loss is None else loss, frame.cycle, proven, self.runaway_loss)

    def abort_cycle(self) -> None:
        """Drop a cycle begun by phases (its update has not happened; nothing changed)."""
        self._cycle_in_progress = None
        self.last_phase = None

    # -- saving and resuming ------------------------------------------------------------
    def state(self) -> dict:
        """Copies of everything needed to continue this run bit for bit (``load_state``).

        Plain data: numpy arrays (``params``, ``order`` and the optimizer's and history's),
        ints, floats, None and the random streams' ``bit_generator.state`` dicts (of ints).
        ``hyper`` is a dict of ``Hyperparameters`` fields; ``last_evaluation`` a dict of
        ``Evaluation`` fields or None. Under the "accumulate" delta rule only, ``delta_rule``
        names it and ``kept_deltas`` holds each layer's kept error (a list of arrays); a
        state without them is the standard rule's.

        A cycle begun by phases (``phase_in_progress``) leaves no trace here: its update
        has not happened, and the batch order it drew is recorded, so a trainer loaded from
        this state replays that cycle whole, as ``abort_cycle`` would. ``state`` itself
        changes nothing: this trainer can go on with its phases.
        """
        last = self.last_evaluation
        state = {
            "params": self.network.flat.copy(),
            "optimizer": self.optimizer.state(),
            "hyper": asdict(self.hyper),
            "shuffle_rng": self._shuffle_rng.bit_generator.state,
            "order": None if self._order is None else self._order.copy(),
            "position": self._position,
            "cycle": self.cycle,
            "epoch": self.epoch,
            "batch_size": self.batch_size,
            "eval_every": self.eval_every,
            "history": self.history.state(),
            "last_evaluation": None if last is None else asdict(last),
            "diverged_at": self.diverged_at,
        }
        if self._kept_deltas is not None:
            state["delta_rule"] = "accumulate"
            state["kept_deltas"] = [kept.copy() for kept in self._kept_deltas]
        return state

    def load_state(self, state: dict) -> None:
        """Continue from ``state()`` of a trainer of the same network shape and data size.

        Everything is checked before anything changes: a refused state raises ValueError
        naming the problem and leaves this trainer as it was. A cycle begun by phases is
        dropped. The training data are this trainer's own; only their size is checked.
        """
        if not isinstance(state, dict):
            raise ValueError("trainer state must be a dict")
        missing = sorted({"params", "optimizer", "hyper", "shuffle_rng", "order", "position", "cycle",
                          "epoch", "batch_size", "history", "last_evaluation", "diverged_at"} - state.keys())
        if missing:
            raise ValueError(f"trainer state lacks {', '.join(missing)}")
        n, n_params = len(self.X_train), self.network.flat.size
        params = np.asarray(state["params"])
        if params.dtype.kind not in "fiu" or params.shape != (n_params,):
            raise ValueError(f"the weights have shape {params.shape} ({params.dtype}); "
                             f"the network has {n_params} parameters")
        if not np.isfinite(params).all():
            raise ValueError("the weights hold NaN or infinity")
        self.optimizer.check_state(state["optimizer"])
        check_rng_state(state["shuffle_rng"], "batch order")
        hyper = state["hyper"]
        if isinstance(hyper, Hyperparameters):
            hyper = asdict(hyper)
        if not isinstance(hyper, dict) or set(hyper) != set(Hyperparameters.__dataclass_fields__):
            raise ValueError(f"trainer hyper must name exactly {', '.join(Hyperparameters.__dataclass_fields__)}")
        hyper = Hyperparameters(**hyper)  # ValueError names a bad setting
        counts = {}
        for name in ("position", "cycle", "epoch"):
            counts[name] = _count(state[name], name)
        diverged_at = state["diverged_at"]
        if diverged_at is not None:
            diverged_at = _count(diverged_at, "diverged_at")
        batch_size = state["batch_size"]
        if batch_size is not None:
            batch_size = _count(batch_size, "batch size")
            if batch_size < 1:
                raise ValueError(f"batch size must be at least 1, got {batch_size}")
        eval_every = state.get("eval_every", self.eval_every)
        if eval_every is not None:
            eval_every = _count(eval_every, "eval_every")
        order = state["order"]
        if order is not None:
            order = np.asarray(order)
            if order.dtype.kind not in "iu" or order.shape != (n,):
                raise ValueError(f"the batch order has shape {order.shape} ({order.dtype}); the training split has {n} rows")
            if not np.array_equal(np.sort(order), np.arange(n)):
                raise ValueError("the batch order is not an order of the training rows")
        if counts["position"] >= n or (order is None and counts["position"]):
            raise ValueError(f"position {counts['position']} in the epoch does not fit {n} training rows "
                             f"{'with' if order is not None else 'without'} a batch order")
        self.history.check_state(state["history"])
        delta_rule = state.get("delta_rule", "set")
        if delta_rule not in DELTA_RULES:
            raise ValueError(f"delta rule {delta_rule!r} is not one of {', '.join(DELTA_RULES)}")
        kept_deltas = None
        if delta_rule == "accumulate":
            kept_deltas = state.get("kept_deltas")
            sizes = self.network.spec.sizes[1:]
            if not isinstance(kept_deltas, (list, tuple)) or len(kept_deltas) != len(sizes):
                raise ValueError(f"the accumulate rule's kept deltas must be {len(sizes)} arrays, one per layer")
            kept_deltas = [np.asarray(kept) for kept in kept_deltas]
            for kept, n in zip(kept_deltas, sizes):
                if kept.dtype.kind not in "fiu" or kept.shape != (n,) or not np.isfinite(kept).all():
                    raise ValueError(f"a kept delta has shape {kept.shape} ({kept.dtype}); its layer needs "
                                     f"{n} finite numbers")
        last = state["last_evaluation"]
        if last is not None:
            fields = tuple(Evaluation.__dataclass_fields__)
            if isinstance(last, Evaluation):
                last = asdict(last)
            if not isinstance(last, dict) or set(last) != set(fields):
                raise ValueError(f"last evaluation must name exactly {', '.join(fields)}")
            values = [last[k] for k in fields[1:]]
            if any(isinstance(v, bool) or not isinstance(v, (int, float, np.floating)) for v in values):
                raise ValueError("last evaluation's losses and accuracies must be numbers")
            last = Evaluation(_count(last["cycle"], "last evaluation cycle"), *(float(v) for v in values))
        # Checked: now change.
        self.abort_cycle()
        np.copyto(self.network.flat, params)
        self.optimizer.load_state(state["optimizer"])
        self.optimizer.hyper = hyper
        self._shuffle_rng.bit_generator.state = state["shuffle_rng"]
        self._order = None if order is None else order.astype(np.int64)
        self._position, self.cycle, self.epoch = counts["position"], counts["cycle"], counts["epoch"]
        self.set_batch_size(batch_size)
        self.eval_every = eval_every
        self.history.load_state(state["history"])
        self.last_evaluation = last
        self.diverged_at = diverged_at
        self.diverged_loss = None if diverged_at is None else math.nan
        self.last_workspace = None
        self.set_delta_rule(delta_rule)
        for kept, value in zip(self._kept_deltas or (), kept_deltas or ()):
            np.copyto(kept, value)
        # The loaded state is where this run starts, even one saved stopped at a divergence.
        self._first_checkpoint = self._pending_checkpoint = capture(self)
        self._sane_checkpoint = None
        self._keep_deltas_with(self._first_checkpoint)

    def _record(self, kind: str, layer: int | None) -> PhaseRecord:
        ws = self.last_workspace if kind == "update" else self._workspace_of_batch()
        X, Y = self._batch
        values: dict[str, Any]
        if kind == "forward":
            lay = self.network.layers[layer]
            values = {
                "input": ws.acts[layer], "weights": lay.W, "bias": lay.b,
                "sum": ws.sums[layer], "activation": ws.acts[layer + 1],
            }
        elif kind == "loss":
            values = {"output": ws.acts[-1], "target": Y, "error": -ws.err, "loss": ws.loss}
        elif kind == "backward":
            lay = self.network.layers[layer]
            values = {
                "delta": ws.deltas[layer],
                "derivative": lay.activation.derivative(ws.sums[layer], ws.acts[layer + 1]),
                "grad_weights": ws.grad_W[layer], "grad_bias": ws.grad_b[layer],
            }
        else:
            weight_updates, bias_updates = self.network.views(self.optimizer.updates)
            values = {
                "weight_updates": tuple(_frozen(u) for u in weight_updates),
                "bias_updates": tuple(_frozen(u) for u in bias_updates),
                "weights": tuple(_frozen(W) for W in self.network.weights),
                "biases": tuple(_frozen(b) for b in self.network.biases),
                "learning_rate": self.hyper.learning_rate,
                "noise_std": self.optimizer.last_noise_std,
            }
        frozen = {k: _frozen(v) if isinstance(v, np.ndarray) else v for k, v in values.items()}
        return PhaseRecord(self._phase_cycle, kind, layer, MappingProxyType(frozen))

    def _workspace_of_batch(self) -> Workspace:
        return self._workspace(len(self._batch[0]))[0]

    # -- reporting ---------------------------------------------------------------------
    def _split_metrics(self, X: Array, Y: Array) -> tuple[float, float]:
        if len(X) == 0:
            return float("nan"), float("nan")
        net = self.network
        # Its own workspaces: the cycle's stay as the last cycle left them, for display.
        ws = self._eval_workspaces.get(len(X))
        if ws is None:
            ws = self._eval_workspaces[len(X)] = net.workspace(len(X))
        net.run_forward(ws, X)
        output = ws.acts[-1]
        loss = compute_loss(net.loss, ws, Y)
        if not self.classification:
            return loss, float("nan")
        correct = labels_from_outputs(output) == labels_from_outputs(Y)
        return loss, float(correct.mean())

    def evaluate(self, record: bool = True) -> Evaluation:
        """Loss and accuracy on the whole train and test splits with the current weights."""
        train_loss, train_acc = self._split_metrics(self.X_train, self.Y_train)
        test_loss, test_acc = self._split_metrics(self.X_test, self.Y_test)
        result = Evaluation(self.cycle, train_loss, test_loss, train_acc, test_acc)
        if record:
            self.history.evaluations.append(self.cycle, train_loss, test_loss, train_acc, test_acc)
        self.last_evaluation = result
        return result

