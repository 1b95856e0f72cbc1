"""The trainer's state: everything the cycles that follow depend on, in one frozen value.

``Trainer.capture()`` takes a ``TrainerState``, ``Trainer.restore(state)`` puts one back
and ``Trainer.start_from(state)`` begins a run at one. The timeline's keyframes, the
divergence checkpoints and (through ``to_dict`` and ``from_dict``) ``Trainer.state()``,
the session file and the training process's checkpoints all hold this one state; its
checks (``TrainerState.check``) are the only ones. Not part of it: the loss history and
the last evaluation (records of the past, which the session keeps for the whole run),
and the evaluation schedule (the session's).

A cycle begun by phases leaves no trace in a state: its update has not happened, and the
batch order it drew is recorded, so a restored trainer replays that cycle whole.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.layer_passes import n_parameters
from nnstudio.engine.nn.network import DELTA_RULES
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.value_checks import whole_number

__all__ = ["RngState", "TrainerState", "read_only_copy"]

Array = npt.NDArray[np.floating]

_RNG_KEYS = {"bit_generator", "state", "has_uint32", "uinteger"}


def read_only_copy(array) -> np.ndarray:
    copy = np.array(array, copy=True)
    copy.setflags(write=False)
    return copy


_VECTOR_NAMES = ("the weights", "the optimizer velocity", "the last update")


def _shape(array) -> str:
    """"(3,) (float64)" for an array; the type's name for anything else."""
    if isinstance(array, np.ndarray):
        return f"{array.shape} ({array.dtype})"
    return f"? ({type(array).__name__})"


class RngState(NamedTuple):
    """A PCG64 generator's state, packed: a long run's keyframes hold thousands of them."""

    state: int
    inc: int
    has_uint32: int
    uinteger: int

    @classmethod
    def of(cls, generator: np.random.Generator) -> RngState:
        s = generator.bit_generator.state
        return cls(s["state"]["state"], s["state"]["inc"], s["has_uint32"], s["uinteger"])

    def put_into(self, generator: np.random.Generator) -> None:
        generator.bit_generator.state = self.to_dict()

    def to_dict(self) -> dict:
        """numpy's ``bit_generator.state`` dict (plain ints: JSON can hold it)."""
        return {"bit_generator": "PCG64", "state": {"state": self.state, "inc": self.inc},
                "has_uint32": self.has_uint32, "uinteger": self.uinteger}

    @classmethod
    def from_dict(cls, state, what: str) -> RngState:
        """From a ``bit_generator.state`` dict; ValueError unless it is a PCG64 state (see ``check``)."""
        inner = state.get("state") if isinstance(state, dict) else None
        if (not isinstance(state, dict) or set(state) != _RNG_KEYS or state["bit_generator"] != "PCG64"
                or not isinstance(inner, dict) or set(inner) != {"state", "inc"}):
            raise ValueError(f"the {what} stream's state is not a PCG64 generator state")
        packed = cls(inner["state"], inner["inc"], state["has_uint32"], state["uinteger"])
        packed.check(what)
        return packed

    def check(self, what: str) -> None:
        """ValueError unless numpy's PCG64 takes this state and keeps its numbers as given."""
        def whole(value, limit: int) -> bool:
            return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and 0 <= value < limit

        ok = (whole(self.state, 1 << 128) and whole(self.inc, 1 << 128) and whole(self.has_uint32, 2)
              and whole(self.uinteger, 1 << 32))
        if ok:
            try:
                generator = np.random.PCG64()  # a throwaway generator: numpy has the last word
                generator.state = self.to_dict()
                ok = generator.state == self.to_dict()
            except (ValueError, TypeError, KeyError, OverflowError):
                ok = False
        if not ok:
            raise ValueError(f"the {what} stream's state is not a PCG64 generator state")


@dataclass(frozen=True, eq=False, slots=True)
class TrainerState:
    """The trainer at the start of cycle ``cycle``; its arrays are read-only.

    ``vectors`` holds three rows laid out alike (one array: a long run keeps thousands of
    states): ``params``, the network's flat parameter vector (W0, b0, W1, b1, ...),
    ``velocity``, the momentum buffer, and ``updates``, the last update (new − old).
    ``steps`` and ``last_noise_std`` the optimizer's update count and last noise σ;
    ``noise_rng`` and ``shuffle_rng`` the noise and batch-order streams; ``order`` the
    current epoch's batch order (None between epochs or for full batches, else shared
    with the trainer and the other states of its epoch) and ``position`` the next row in
    it; ``hyper`` and ``batch_size`` the learning settings; ``diverged_at`` and
    ``diverged_loss`` a divergence not yet rolled back; ``kept_deltas`` the error each
    layer kept under the "accumulate" delta rule, None under "set".

    ``origin`` marks the trainer that captured it: ``Trainer.restore`` takes that
    trainer's own states as they are (a divergence's non-finite weights included) and
    checks any other whole first.
    """

    vectors: Array
    steps: int
    last_noise_std: float
    noise_rng: RngState
    shuffle_rng: RngState
    order: np.ndarray | None
    position: int
    cycle: int
    epoch: int
    hyper: Hyperparameters
    batch_size: int | None
    diverged_at: int | None = None
    diverged_loss: float | None = None
    kept_deltas: tuple[Array, ...] | None = None
    origin: object = field(default=None, repr=False)

    @property
    def params(self) -> Array:
        return self.vectors[0]

    @property
    def velocity(self) -> Array:
        return self.vectors[1]

    @property
    def updates(self) -> Array:
        return self.vectors[2]

    @property
    def delta_rule(self) -> str:
        return "set" if self.kept_deltas is None else "accumulate"

    # -- checks ---------------------------------------------------------------------------
    def check(self, sizes: Sequence[int], n_rows: int) -> None:
        """ValueError naming the first problem unless this state fits a trainer of a network
        of layer ``sizes`` on ``n_rows`` training rows, with finite numbers throughout."""
        n_params = n_parameters(tuple(sizes))
        vectors = self.vectors
        if not isinstance(vectors, np.ndarray) or vectors.dtype.kind not in "fiu" or vectors.shape != (3, n_params):
            raise ValueError(f"the weights, momentum and last update have shape {_shape(vectors)}; "
                             f"the network has {n_params} parameters")
        for name, row in zip(_VECTOR_NAMES, vectors):
            if not np.isfinite(row).all():
                raise ValueError(f"NaN or infinity in {name}")
        whole_number(self.steps, "optimizer steps")
        sigma = self.last_noise_std
        if isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.floating)) or not (
                math.isfinite(sigma) and sigma >= 0):
            raise ValueError(f"optimizer last_noise_std must be a finite number ≥ 0, got {sigma!r}")
        for name, what in (("noise_rng", "noise"), ("shuffle_rng", "batch order")):
            rng = getattr(self, name)
            if not isinstance(rng, RngState):
                raise ValueError(f"the {what} stream's state is not a PCG64 generator state")
            rng.check(what)
        for name in ("position", "cycle", "epoch"):
            whole_number(getattr(self, name), name)
        order = self.order
        if order is not None:
            if not isinstance(order, np.ndarray) or order.dtype.kind not in "iu" or order.shape != (n_rows,):
                raise ValueError(f"the batch order has shape {_shape(order)}; the training split has {n_rows} rows")
            if not np.array_equal(np.sort(order), np.arange(n_rows)):
                raise ValueError("the batch order is not an order of the training rows")
        if self.position >= n_rows or (order is None and self.position):
            raise ValueError(f"position {self.position} in the epoch does not fit {n_rows} training rows "
                             f"{'with' if order is not None else 'without'} a batch order")
        if not isinstance(self.hyper, Hyperparameters):
            raise ValueError("trainer hyper must be Hyperparameters")
        if self.batch_size is not None and whole_number(self.batch_size, "batch size") < 1:
            raise ValueError(f"batch size must be at least 1, got {self.batch_size}")
        if self.diverged_at is not None:
            whole_number(self.diverged_at, "diverged_at")
        loss = self.diverged_loss
        if (loss is None) != (self.diverged_at is None) or not (loss is None or isinstance(loss, (float, np.floating))):
            raise ValueError("a diverged state needs its loss (a number), and only a diverged one has one")
        self._check_kept_deltas(sizes)

    def _check_kept_deltas(self, sizes: Sequence[int]) -> None:
        kept = self.kept_deltas
        if kept is None:
            return
        layers = list(sizes)[1:]
        if not isinstance(kept, tuple) or len(kept) != len(layers):
            raise ValueError(f"the accumulate rule's kept deltas must be {len(layers)} arrays, one per layer")
        for array, n in zip(kept, layers):
            if (not isinstance(array, np.ndarray) or array.dtype.kind not in "fiu" or array.shape != (n,)
                    or not np.isfinite(array).all()):
                raise ValueError(f"a kept delta has shape {_shape(array)}; its layer needs {n} finite numbers")

    # -- as plain data --------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain data (arrays are copies; the rest JSON can hold), read by ``from_dict``.

        ``params``, ``optimizer`` (``velocity``, ``updates``, ``steps``, ``last_noise_std``,
        ``rng``), ``hyper`` (a dict of ``Hyperparameters`` fields), ``shuffle_rng``,
        ``order``, ``position``, ``cycle``, ``epoch``, ``batch_size``, ``diverged_at``; under
        the "accumulate" rule only, ``delta_rule`` and ``kept_deltas`` (a list of arrays).
        The random streams are ``bit_generator.state`` dicts. A divergence's loss is not
        kept: ``from_dict`` makes it NaN.
        """
        state = {
            "params": self.params.copy(),
            "optimizer": {"velocity": self.velocity.copy(), "updates": self.updates.copy(), "steps": self.steps,
                          "last_noise_std": self.last_noise_std, "rng": self.noise_rng.to_dict()},
            "hyper": asdict(self.hyper),
            "shuffle_rng": self.shuffle_rng.to_dict(),
            "order": None if self.order is None else self.order.copy(),
            "position": self.position,
            "cycle": self.cycle,
            "epoch": self.epoch,
            "batch_size": self.batch_size,
            "diverged_at": self.diverged_at,
        }
        if self.kept_deltas is not None:
            state["delta_rule"] = "accumulate"
            state["kept_deltas"] = [kept.copy() for kept in self.kept_deltas]
        return state

    @classmethod
    def from_dict(cls, state) -> TrainerState:
        """The state ``to_dict`` gave (ValueError naming what is missing or malformed).

        Arrays are taken as read-only copies; whether they fit a trainer is ``check``'s
        to say. An optimizer state without ``updates`` or ``last_noise_std`` (written
        before they were kept) has zeros.
        """
        if not isinstance(state, dict):
            raise ValueError("trainer state must be a dict")
        missing = sorted({"params", "optimizer", "hyper", "shuffle_rng", "order", "position", "cycle", "epoch",
                          "batch_size", "diverged_at"} - state.keys())
        if missing:
            raise ValueError(f"trainer state lacks {', '.join(missing)}")
        opt = state["optimizer"]
        if not isinstance(opt, dict) or not {"velocity", "steps", "rng"} <= opt.keys():
            raise ValueError("optimizer state needs 'velocity', 'steps' and 'rng'")
        params, velocity = np.asarray(state["params"]), np.asarray(opt["velocity"])
        updates = np.asarray(opt["updates"]) if "updates" in opt else np.zeros_like(params)
        if params.ndim != 1 or velocity.shape != params.shape or updates.shape != params.shape:
            raise ValueError(f"{', '.join(_VECTOR_NAMES)} must each hold the network's parameters; "
                             f"their shapes are {params.shape}, {velocity.shape} and {updates.shape}")
        vectors = np.stack((params, velocity, updates))
        vectors.setflags(write=False)
        hyper = state["hyper"]
        if isinstance(hyper, Hyperparameters):
            hyper = asdict(hyper)
        fields = Hyperparameters.__dataclass_fields__
        if not isinstance(hyper, dict) or set(hyper) != set(fields):
            raise ValueError(f"trainer hyper must name exactly {', '.join(fields)}")
        rule = state.get("delta_rule", "set")
        if rule not in DELTA_RULES:
            raise ValueError(f"delta rule {rule!r} is not one of {', '.join(DELTA_RULES)}")
        kept = None
        if rule == "accumulate":
            kept = state.get("kept_deltas")
            if not isinstance(kept, (list, tuple)):
                raise ValueError("the accumulate rule's kept deltas must be a list of arrays, one per layer")
            kept = tuple(read_only_copy(k) for k in kept)
        order = state["order"]
        diverged_at = state["diverged_at"]
        return cls(
            vectors=vectors, steps=opt["steps"],
            last_noise_std=opt.get("last_noise_std", 0.0), noise_rng=RngState.from_dict(opt["rng"], "noise"),
            shuffle_rng=RngState.from_dict(state["shuffle_rng"], "batch order"),
            order=None if order is None else read_only_copy(order), position=state["position"], cycle=state["cycle"],
            epoch=state["epoch"], hyper=Hyperparameters(**hyper),  # ValueError names a bad setting
            batch_size=state["batch_size"], diverged_at=diverged_at,
            diverged_loss=None if diverged_at is None else math.nan, kept_deltas=kept,
        )
