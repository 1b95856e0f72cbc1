"""Session files for the tests: a noisy config, a small saved XOR session, and copying a file with edits."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np

from nnstudio.engine.io.sessionfile import save_session
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession


def noisy_config(**changes) -> SessionConfig:
    """A 2-6-5-1 spiral session in which every saved part moves: batches, momentum, L2 and annealed noise."""
    config = SessionConfig(
        data=DataSpec("spiral", n_samples=120, noise=0.2, seed=4, test_fraction=0.25),
        hidden=(6, 5), activations=("tanh", "relu", "sigmoid"), loss="mse",
        hyper=Hyperparameters(learning_rate=0.2, momentum=0.9, l2=1e-3, noise=0.05, noise_decay=0.55),
        batch_size=7, seed=11,
    )
    return replace(config, **changes)


@cache
def xor_session_bytes() -> bytes:
    """The bytes of a 2-3-1 XOR session saved after 23 cycles."""
    session = TrainingSession(noisy_config(data=DataSpec("xor", n_samples=40, seed=2), hidden=(3,),
                                           activations=("tanh", "sigmoid")))
    session.step("cycle", 23)
    session.snapshot()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.nnstudio"
        save_session(path, session)
        return path.read_bytes()


def write_file(tmp_path: Path, data: bytes, name: str = "bad.nnstudio") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rewrite_session_file(source: Path, target: Path, meta_edit=None, arrays_edit=None) -> None:
    """Copy a session file, editing its meta (a dict) and/or arrays on the way."""
    with np.load(source, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(str(arrays.pop("meta")))
    if meta_edit:
        meta_edit(meta)
    if arrays_edit:
        arrays_edit(arrays)
    arrays["meta"] = np.array(json.dumps(meta))
    with open(target, "wb") as handle:
        np.savez(handle, **arrays)
