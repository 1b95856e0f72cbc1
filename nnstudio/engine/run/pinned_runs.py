"""Pinned runs: a finished run kept to compare the next ones against.

A learner pins the current run, changes one thing and trains again; the window overlays
the pinned curves and names what differs. A pin is plain JSON-able data (it lives in the
session file's meta): the run's settings, its evaluated curves and its final metrics.
``PinnedRun.from_dict`` checks everything a hostile file could put there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnstudio.engine.run.compare import format_setting
from nnstudio.engine.run.config import SessionConfig

__all__ = ["MAX_PINNED_RUNS", "PinnedRun", "pin_from_snapshot", "differences", "pins_from_list", "add_pin"]

#: More curves than this make the loss plot unreadable; a further pin replaces the oldest.
MAX_PINNED_RUNS = 4
#: Points kept per curve: enough for a smooth line, small in the session file.
MAX_CURVE_POINTS = 2000
_MAX_LABEL = 80


@dataclass(frozen=True, eq=False)
class PinnedRun:
    """One pinned run.

    ``config`` is ``SessionConfig.to_dict()``; ``data_digest`` tells apart data with the
    same name (drawn, edited); ``cycles`` and ``evaluations`` (k × 4: train loss, test loss,
    train accuracy, test accuracy; NaN where absent) are its evaluated curves, the last row
    its final metrics; ``cycle`` is the cycle it was pinned at.
    """

    config: dict
    delta_rule: str
    data_digest: str
    cycle: int
    cycles: np.ndarray
    evaluations: np.ndarray

    @property
    def session_config(self) -> SessionConfig:
        return SessionConfig.from_dict(self.config)

    @property
    def final(self) -> tuple[float, float, float, float]:
        """(train loss, test loss, train accuracy, test accuracy) at the last evaluation (NaN without one)."""
        if len(self.evaluations) == 0:
            return (math.nan,) * 4
        return tuple(float(v) for v in self.evaluations[-1])

    @property
    def gap(self) -> float:
        """Test loss − train loss: how much worse the run does on rows it never trained on."""
        train, test = self.final[:2]
        return test - train

    def to_dict(self) -> dict:
        return {"config": self.config, "delta_rule": self.delta_rule, "data_digest": self.data_digest,
                "cycle": self.cycle, "cycles": [int(c) for c in self.cycles],
                "evaluations": [[float(v) for v in row] for row in self.evaluations]}

    @classmethod
    def from_dict(cls, value: Any) -> PinnedRun:
        """A pin as ``to_dict`` gave it; ValueError names the first thing wrong."""
        if not isinstance(value, dict) or set(value) != {"config", "delta_rule", "data_digest", "cycle", "cycles",
                                                         "evaluations"}:
            raise ValueError("a pinned run must name exactly config, delta_rule, data_digest, cycle, cycles, "
                             "evaluations")
        SessionConfig.from_dict(value["config"])  # raises naming the bad entry
        if value["delta_rule"] not in ("set", "accumulate"):
            raise ValueError(f"a pinned run's delta rule must be set or accumulate, got {value['delta_rule']!r}"[:160])
        if not isinstance(value["data_digest"], str) or len(value["data_digest"]) > 128:
            raise ValueError("a pinned run's data_digest must be a short string")
        cycle = value["cycle"]
        if isinstance(cycle, bool) or not isinstance(cycle, int) or cycle < 0:
            raise ValueError("a pinned run's cycle must be a whole number ≥ 0")
        cycles, rows = value["cycles"], value["evaluations"]
        if not isinstance(cycles, list) or not isinstance(rows, list) or len(cycles) != len(rows):
            raise ValueError("a pinned run's cycles and evaluations must be lists of the same length")
        if len(cycles) > MAX_CURVE_POINTS:
            raise ValueError(f"a pinned run holds more than {MAX_CURVE_POINTS} points")
        if not all(not isinstance(c, bool) and isinstance(c, int) and c >= 0 for c in cycles):
            raise ValueError("a pinned run's cycles must be whole numbers ≥ 0")
        if any(b <= a for a, b in zip(cycles, cycles[1:])):
            raise ValueError("a pinned run's cycles must increase")
        if not all(isinstance(r, list) and len(r) == 4 and all(
                not isinstance(v, bool) and isinstance(v, (int, float)) for v in r) for r in rows):
            raise ValueError("each of a pinned run's evaluations must be four numbers")
        return cls(value["config"], value["delta_rule"], value["data_digest"], cycle,
                   _frozen(np.asarray(cycles, np.int64)), _frozen(np.asarray(rows, np.float64).reshape(-1, 4)))


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _thinned(cycles: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """At most ``MAX_CURVE_POINTS`` points, evenly spread, the last one kept."""
    if len(cycles) <= MAX_CURVE_POINTS:
        return cycles, rows
    keep = np.unique(np.linspace(0, len(cycles) - 1, MAX_CURVE_POINTS).round().astype(int))
    return cycles[keep], rows[keep]


def pin_from_snapshot(snapshot, data_digest: str = "") -> PinnedRun:
    """The run a snapshot shows, as a pin (its whole evaluated curves, thinned for the file)."""
    cycles, rows = _thinned(np.asarray(snapshot.eval_cycles, np.int64), np.asarray(snapshot.evaluations, np.float64))
    return PinnedRun(snapshot.config.to_dict(), getattr(snapshot, "delta_rule", "set"), data_digest,
                     int(snapshot.cycle), _frozen(cycles.copy()), _frozen(rows.reshape(-1, 4).copy()))


def pins_from_list(value: Any) -> tuple[PinnedRun, ...]:
    """Pins from a session file's list; ValueError names the bad one."""
    if not isinstance(value, list) or len(value) > MAX_PINNED_RUNS:
        raise ValueError(f"pinned runs must be a list of at most {MAX_PINNED_RUNS}")
    pins = []
    for number, item in enumerate(value, start=1):
        try:
            pins.append(PinnedRun.from_dict(item))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"pinned run {number}: {exc}") from None
    return tuple(pins)


def add_pin(pins: tuple[PinnedRun, ...], pin: PinnedRun) -> tuple[tuple[PinnedRun, ...], PinnedRun | None]:
    """``pins`` with ``pin`` added, and the oldest pin it replaced (None while there is room)."""
    if len(pins) < MAX_PINNED_RUNS:
        return (*pins, pin), None
    return (*pins[1:], pin), pins[0]


def _shown(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_setting("", float(value))
    return str(value)


def differences(pinned: PinnedRun, config: SessionConfig, delta_rule: str = "set", data_digest: str = "") -> list[str]:
    """What the pinned run set differently from ``config``, e.g. ``["lr 2 → 0.5", "seed 0 → 3"]``.

    Pinned value first, current value second; an empty list when they are the same set-up.
    """
    old = pinned.session_config
    found: list[str] = []

    def note(name: str, before: Any, after: Any) -> None:
        if before != after:
            found.append(f"{name} {_shown(before)} → {_shown(after)}")

    if old.data.name != config.data.name:
        note("data", old.data.name[:_MAX_LABEL // 2], config.data.name[:_MAX_LABEL // 2])
    else:
        for field in ("n_samples", "noise", "seed", "test_fraction"):
            note({"n_samples": "samples", "noise": "data noise", "seed": "data seed",
                  "test_fraction": "test fraction"}[field], getattr(old.data, field), getattr(config.data, field))
        if not found and pinned.data_digest and data_digest and pinned.data_digest != data_digest:
            found.append("data edited")
    note("shape", "-".join(map(str, old.hidden)) or "none", "-".join(map(str, config.hidden)) or "none")
    note("activations", "/".join(old.activations), "/".join(config.activations))
    note("loss", old.loss, config.loss)
    names = {"learning_rate": "lr", "noise_decay": "noise decay"}
    for field in type(old.hyper).__dataclass_fields__:
        note(names.get(field, field.replace("_", " ")), getattr(old.hyper, field), getattr(config.hyper, field))
    note("batch", "full" if old.batch_size is None else old.batch_size,
         "full" if config.batch_size is None else config.batch_size)
    note("seed", old.seed, config.seed)
    note("delta rule", "+=" if pinned.delta_rule == "accumulate" else "=", "+=" if delta_rule == "accumulate" else "=")
    return found
