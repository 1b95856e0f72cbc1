"""A session as plain data to save (``TrainingSession.state``), and the checks that reopen it."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np

from nnstudio.engine.data.datasets import REAL_DATASETS, Dataset, Normalizer
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.history import History

if TYPE_CHECKING:  # the session is only passed in
    from nnstudio.engine.run.session import TrainingSession

__all__ = ["data_digest", "session_state", "saved_data"]

STATE_KEYS = ("config", "dataset", "train_idx", "test_idx", "normalizer", "trainer")


def data_digest(dataset: Dataset) -> str:
    """SHA-256 (hex) of a dataset's X and y, their dtypes and shapes: the same data, the same digest."""
    digest = hashlib.sha256()
    for array in (dataset.X, dataset.y):
        array = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def session_state(session: TrainingSession) -> dict:
    """``TrainingSession.state()``: see there."""
    d, exp, trainer = session.dataset, session.experiment, session.trainer
    dataset = {
        "name": d.name, "task": d.task, "feature_names": list(d.feature_names),
        "target_name": d.target_name, "class_names": list(d.class_names),
        "n_samples": d.n_samples, "n_features": d.n_features, "sha256": data_digest(d),
    }
    if session.config.data.custom:
        dataset["X"], dataset["y"] = d.X.copy(), d.y.copy()
    saved = trainer.state()
    if session.timeline.rewound:  # the cycle shown is saved, with the curves up to it
        history = History(trainer.history.batch_loss.capacity)
        history.load_state(saved["history"])
        history.batch_loss.truncate(trainer.cycle - 1)
        history.evaluations.truncate(trainer.cycle)
        saved["history"] = history.state()
    return {
        "config": session.config.to_dict(),
        "dataset": dataset,
        "train_idx": exp.train_idx.copy(),
        "test_idx": exp.test_idx.copy(),
        "normalizer": {"mean": exp.normalizer.mean.copy(), "std": exp.normalizer.std.copy()},
        "trainer": saved,
        "pinned_runs": list(session.pinned_runs),
    }


def saved_data(state) -> tuple[SessionConfig, Dataset, Normalizer]:
    """The config, data and normalizer of a ``state()``, checked; ValueError names what is wrong.

    Generated and shipped data are made again and must hash to the saved SHA-256: otherwise
    training could not continue as it would have.
    """
    if not isinstance(state, dict):
        raise ValueError("session state must be a dict")
    missing = sorted(set(STATE_KEYS) - state.keys())
    if missing:
        raise ValueError(f"session state lacks {', '.join(missing)}")
    config = SessionConfig.from_dict(state["config"])
    info = state["dataset"]
    if not isinstance(info, dict) or not isinstance(info.get("sha256"), str):
        raise ValueError("session dataset must be a dict with its sha256")
    if config.data.custom:
        try:
            dataset = Dataset(info["name"], info["X"], info["y"], info["task"], tuple(info["feature_names"]),
                              info["target_name"], tuple(info["class_names"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"the saved data are incomplete ({exc})") from None
        if data_digest(dataset) != info["sha256"]:
            raise ValueError(f"the saved data {dataset.name!r} are damaged: their SHA-256 does not match")
    else:
        dataset = config.data.load()
        if data_digest(dataset) != info["sha256"]:
            made = "read again from its file" if config.data.name in REAL_DATASETS else "regenerated from its settings"
            raise ValueError(
                f"the {config.data.name!r} data {made} differ from the data this session was trained on "
                "(SHA-256 mismatch): the generator or data file has changed since the session was saved")
    fitted, _ = config.fitted_to(dataset)
    if fitted != config:
        raise ValueError("the saved output layer or loss does not suit the data")
    norm = state["normalizer"]
    if not isinstance(norm, dict) or not {"mean", "std"} <= norm.keys():
        raise ValueError("session normalizer needs mean and std")
    normalizer = Normalizer(norm["mean"], norm["std"])
    if normalizer.mean.shape != (dataset.n_features,):
        raise ValueError(f"the normalizer has {normalizer.mean.size} features, the data {dataset.n_features}")
    return config, dataset, normalizer
