"""Comparing trainers' states bit for bit, every field of ``TrainerState`` included."""

from __future__ import annotations

import numpy as np

from nnstudio.engine.nn.trainer import Trainer


def assert_same_plain_data(a, b, where: str = "state") -> None:
    """Recursive equality of dicts, lists, arrays and scalars: arrays byte for byte (−0.0 is not 0.0), NaN equal to NaN.
    """
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{where}: keys {sorted(a)} != {sorted(b)}"
        for key in a:
            assert_same_plain_data(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), f"{where}: {a!r} != {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_plain_data(x, y, f"{where}[{i}]")
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), f"{where}: {a!r} != {b!r}"
        assert a.shape == b.shape and a.dtype == b.dtype, f"{where}: {a.shape} {a.dtype} != {b.shape} {b.dtype}"
        assert a.tobytes() == b.tobytes(), where
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), f"{where}: {a!r} != {b!r}"
    else:
        assert a == b and type(a) is type(b), f"{where}: {a!r} != {b!r}"


def assert_same_trainer_state(a: Trainer, b: Trainer) -> None:
    """Everything the two trainers carry on from (``capture``), the history aside, bit for bit."""
    sa, sb = a.capture(), b.capture()
    assert_same_plain_data(sa.to_dict(), sb.to_dict(), "trainer state")
    assert_same_plain_data(sa.diverged_loss, sb.diverged_loss, "diverged loss")
