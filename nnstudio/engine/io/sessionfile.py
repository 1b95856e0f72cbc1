"""Session files (``.nnstudio``): save the whole session, reopen it exactly.

A session file is a compressed ``.npz`` (a zip of deflated ``.npy`` arrays: zeros and
index arrays shrink, so an untrained digits session is ~26 KB), written atomically.
Its ``meta`` entry is one JSON string (a plain unicode array, so the file loads with
``allow_pickle=False``)::

    format            "nnstudio-session"
    version           1, or 2 for a trainer under the "accumulate" delta rule (files of a
                      newer version than this reads are refused)
    nnstudio_version  the version that wrote it
    config            SessionConfig.to_dict(): data spec, hidden sizes, activations, loss,
                      hyper-parameters, batch size, seed
    network           {"sizes": [n_in, ..., n_out]}
    dataset           name, task, feature_names, target_name, class_names, n_samples,
                      n_features, sha256 (of X and y; ``session.data_digest``)
    trainer           cycle, epoch, position, batch_size, eval_every, diverged_at, hyper,
                      steps, last_noise_std, noise_rng and shuffle_rng (the numpy PCG64
                      ``bit_generator.state`` dicts, of ints), has_order, last_evaluation
                      (null or cycle, train_loss, test_loss, train_accuracy, test_accuracy),
                      history {batch_loss, evaluations: {offered, stride, capacity}};
                      version 2 only: delta_rule ("accumulate")
    pinned_runs       optional: up to four runs pinned to compare against
                      (``pinned_runs.PinnedRun.to_dict()``); files without it open with none

and the numbers are arrays:

    params, velocity, updates     (n_parameters,) float64: weights W0, b0, W1, b1, ...
                                  flat, momentum buffer, last update
    train_idx, test_idx           int64 row indices of the split
    order                         int64 batch order of the current epoch (if has_order)
    kept_deltas                   version 2 only: (n_neurons,) float64, the error each
                                  non-input layer kept, layer after layer
    norm_mean, norm_std           (n_features,) float64 input normalisation
    history_batch_loss            (k, 2) float64: cycle, batch loss
    history_evaluations           (k, 5) float64: cycle, train/test loss, train/test accuracy
    X, y                          drawn or imported data only (config.data.custom); generated
                                  and shipped data are made again from the config and must
                                  hash to ``dataset.sha256``

Loading reads the zip entry by entry (``npz_archive``), never unpickles, refuses anything malformed,
truncated, corrupted (each entry's CRC is checked) or oversized (the file, and what its
entries say they unpack to, are each held to ``MAX_SESSION_BYTES``; an entry is never
unpacked beyond what it says) with ``SessionFileError``
naming the problem, and checks every shape against the meta and the trainer's state
(``TrainerState.check``) before building the new session, so a bad file never yields a
half-built one.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np

from nnstudio import __version__
from nnstudio.engine.data.datasets import REAL_DATASETS, TASKS
from nnstudio.engine.io.fileio import atomic_writer, check_readable
from nnstudio.engine.io.npz_archive import mismatch, read_checked_archive
from nnstudio.engine.nn.layer_passes import n_parameters
from nnstudio.engine.nn.trainer_state import TrainerState
from nnstudio.engine.nn.value_checks import whole_number
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.pinned_runs import PinnedRun, pins_from_list
from nnstudio.engine.run.session import TrainingSession

__all__ = [
    "FORMAT_NAME", "FORMAT_VERSION", "SESSION_SUFFIX", "MAX_SESSION_BYTES", "SessionFileError",
    "save_session", "load_session", "session_to_file_content", "session_state_from_file_content",
    "read_pinned_runs",
]

FORMAT_NAME = "nnstudio-session"
#: The newest version this writes and reads: 2 when the file holds a kept error, else 1.
FORMAT_VERSION = 2
SESSION_SUFFIX = ".nnstudio"
MAX_SESSION_BYTES = 512 * 1024 * 1024

_TRAINER_SCALARS = ("cycle", "epoch", "position", "batch_size", "eval_every", "diverged_at", "hyper", "steps",
                    "last_noise_std", "noise_rng", "shuffle_rng", "has_order", "last_evaluation", "history")
_DATASET_KEYS = ("name", "task", "feature_names", "target_name", "class_names", "n_samples", "n_features", "sha256")
_HISTORY_COLUMNS = {"batch_loss": 2, "evaluations": 5}


class SessionFileError(ValueError):
    """A session file that cannot be read or written; the message names the problem."""


# -- writing ------------------------------------------------------------------------------

def session_to_file_content(session: TrainingSession) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays) of ``session`` as a session file holds them."""
    state = session.state()
    trainer = state["trainer"]
    trainer_state = TrainerState.from_dict(trainer)
    history = trainer["history"]
    dataset = {k: v for k, v in state["dataset"].items() if k not in ("X", "y")}
    meta = {
        "format": FORMAT_NAME,
        "version": 1 if trainer_state.kept_deltas is None else 2,
        "nnstudio_version": __version__,
        "config": state["config"],
        "network": {"sizes": list(session.network.spec.sizes)},
        "dataset": dataset,
        "trainer": {
            **_trainer_meta(trainer_state), "eval_every": trainer["eval_every"],
            "last_evaluation": trainer["last_evaluation"],
            "history": {key: {k: history[key][k] for k in ("offered", "stride", "capacity")}
                        for key in _HISTORY_COLUMNS},
        },
    }
    if state.get("pinned_runs"):
        meta["pinned_runs"] = list(state["pinned_runs"])
    arrays = {
        **_trainer_arrays(trainer_state),
        "train_idx": np.asarray(state["train_idx"], np.int64),
        "test_idx": np.asarray(state["test_idx"], np.int64),
        "norm_mean": np.asarray(state["normalizer"]["mean"], np.float64),
        "norm_std": np.asarray(state["normalizer"]["std"], np.float64),
        "history_batch_loss": np.asarray(history["batch_loss"]["data"], np.float64),
        "history_evaluations": np.asarray(history["evaluations"]["data"], np.float64),
    }
    if "X" in state["dataset"]:
        arrays["X"] = np.asarray(state["dataset"]["X"], np.float64)
        arrays["y"] = np.asarray(state["dataset"]["y"])
    return meta, arrays


def _trainer_meta(state: TrainerState) -> dict:
    """The trainer state's numbers and settings, as the file's meta names them."""
    meta = {
        "cycle": state.cycle, "epoch": state.epoch, "position": state.position, "batch_size": state.batch_size,
        "diverged_at": state.diverged_at, "hyper": asdict(state.hyper), "steps": state.steps,
        "last_noise_std": state.last_noise_std, "noise_rng": state.noise_rng.to_dict(),
        "shuffle_rng": state.shuffle_rng.to_dict(), "has_order": state.order is not None,
    }
    if state.kept_deltas is not None:
        meta["delta_rule"] = "accumulate"
    return meta


def _trainer_arrays(state: TrainerState) -> dict[str, np.ndarray]:
    """The trainer state's vectors, as the file's arrays."""
    arrays = {"params": np.asarray(state.params, np.float64), "velocity": np.asarray(state.velocity, np.float64),
              "updates": np.asarray(state.updates, np.float64)}
    if state.order is not None:
        arrays["order"] = np.asarray(state.order, np.int64)
    if state.kept_deltas is not None:
        arrays["kept_deltas"] = np.concatenate(state.kept_deltas).astype(np.float64)
    return arrays


def _trainer_state_dict(meta: dict, arrays: dict[str, np.ndarray], sizes: list[int]) -> dict:
    """``TrainerState.to_dict()`` from the file's meta and arrays (shapes checked already)."""
    state = {
        "params": arrays["params"],
        "optimizer": {"velocity": arrays["velocity"], "updates": arrays["updates"], "steps": meta["steps"],
                      "last_noise_std": meta["last_noise_std"], "rng": meta["noise_rng"]},
        "hyper": meta["hyper"],
        "shuffle_rng": meta["shuffle_rng"],
        "order": arrays["order"] if meta["has_order"] else None,
        "position": meta["position"], "cycle": meta["cycle"], "epoch": meta["epoch"],
        "batch_size": meta["batch_size"], "diverged_at": meta["diverged_at"],
    }
    if "delta_rule" in meta:
        state["delta_rule"] = meta["delta_rule"]
    if "kept_deltas" in arrays:
        state["kept_deltas"] = np.split(arrays["kept_deltas"], np.cumsum(sizes[1:-1]))
    return state


def save_session(path: str | os.PathLike, session: TrainingSession) -> None:
    """Write ``session`` to ``path`` atomically: a reader sees the old file or the whole new one.

    Raises SessionFileError when the weights are not finite or the file cannot be written.
    """
    path = Path(path)
    if not session.network.is_finite():
        raise SessionFileError("the weights hold NaN or infinity; refusing to save the session")
    meta, arrays = session_to_file_content(session)
    # NaN in meta (a missing test accuracy) is written as JSON's common NaN extension.
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    try:
        with atomic_writer(path, "wb") as handle:
            np.savez_compressed(handle, **arrays)
    except OSError as exc:
        raise SessionFileError(f"{path.name}: cannot write the file ({exc.strerror or exc})") from None


# -- reading ------------------------------------------------------------------------------

def _dict(value, what: str, keys) -> dict:
    if not isinstance(value, dict):
        raise SessionFileError(f"meta {what} must be an object")
    missing = [k for k in keys if k not in value]
    if missing:
        raise SessionFileError(f"meta {what} lacks {', '.join(missing)}")
    return value


def _whole(value, what: str) -> int:
    try:
        return whole_number(value, f"meta {what}")
    except ValueError as error:
        raise SessionFileError(str(error)) from None


def _array(arrays: dict, key: str, kinds: str, shape: tuple) -> np.ndarray:
    """``arrays[key]`` checked for dtype kind and shape (None in ``shape`` matches any length)."""
    array = arrays[key]
    if array.dtype.kind not in kinds:
        raise SessionFileError(
            f"array {key!r} has type {array.dtype}, expected {'integers' if kinds == 'iu' else 'numbers'}"
        )
    if array.ndim != len(shape) or any(want is not None and got != want for got, want in zip(array.shape, shape)):
        wanted = "(" + ", ".join("k" if n is None else str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
        raise SessionFileError(f"array {key!r} has shape {array.shape}, expected {wanted}")
    return array


def session_state_from_file_content(meta: dict, arrays: dict[str, np.ndarray]) -> dict:
    """The ``TrainingSession.state()`` a file holds, every shape checked against its meta.

    Raises SessionFileError (without the file name) for anything that does not fit.
    """
    if meta.get("format") != FORMAT_NAME:
        raise SessionFileError(f"meta format is {meta.get('format')!r}, expected {FORMAT_NAME!r}")
    version = meta.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise SessionFileError(f"format version {version!r} is not one this nnstudio reads (1 to {FORMAT_VERSION}); "
                               "it may have been written by a newer NN Studio")
    _dict(meta, "", ("config", "network", "dataset", "trainer"))
    try:
        config = SessionConfig.from_dict(meta["config"])
    except ValueError as exc:
        raise SessionFileError(f"meta {exc}") from None
    sizes = _dict(meta["network"], "network", ("sizes",))["sizes"]
    if not isinstance(sizes, list) or len(sizes) < 2 or not all(
            not isinstance(n, bool) and isinstance(n, int) and n >= 1 for n in sizes):
        raise SessionFileError("meta network sizes must be a list of at least two positive whole numbers")
    if list(config.hidden) != sizes[1:-1] or len(config.activations) != len(sizes) - 1:
        raise SessionFileError("meta network sizes do not match the hidden layers and activations in config")
    dataset = _dict(meta["dataset"], "dataset", _DATASET_KEYS)
    trainer = _dict(meta["trainer"], "trainer", _TRAINER_SCALARS)
    custom = config.data.custom
    n_samples, n_features = (
        _whole(dataset["n_samples"], "dataset n_samples"),
        _whole(dataset["n_features"], "dataset n_features"),
    )
    if n_features != sizes[0]:
        raise SessionFileError(f"the network takes {sizes[0]} inputs, the data have {n_features} features")
    task, class_names = dataset["task"], dataset["class_names"]
    if task not in TASKS or not isinstance(class_names, list):
        raise SessionFileError(f"meta dataset task {task!r} or class names are not valid")
    n_outputs = len(class_names) if task == "classification" and len(class_names) > 2 else 1
    if n_outputs != sizes[-1]:
        raise SessionFileError(f"the network has {sizes[-1]} outputs, the data need {n_outputs}")
    if not custom and config.data.name not in REAL_DATASETS and config.data.n_samples != n_samples:
        # Also bounds the rows a forged config could make the generator produce.
        raise SessionFileError(f"meta dataset has {n_samples} rows, its config asks for {config.data.n_samples!r}")
    if not isinstance(trainer["has_order"], bool):
        raise SessionFileError("meta trainer has_order must be true or false")
    accumulating = trainer.get("delta_rule", "set") != "set"  # a rule not known is named by TrainerState

    expected = {"params", "velocity", "updates", "train_idx", "test_idx", "norm_mean", "norm_std",
                "history_batch_loss", "history_evaluations"}
    if trainer["has_order"]:
        expected.add("order")
    if accumulating:
        expected.add("kept_deltas")
    if custom:
        expected |= {"X", "y"}
    if set(arrays) != expected:
        raise SessionFileError(f"the arrays do not match the meta ({mismatch(expected, arrays)})")

    # Every shape checked before anything is built.
    n_params = n_parameters(tuple(sizes))
    for key in ("params", "velocity", "updates"):
        _array(arrays, key, "f", (n_params,))
    if accumulating:
        _array(arrays, "kept_deltas", "f", (sum(sizes[1:]),))
    train_idx = _array(arrays, "train_idx", "iu", (None,))
    test_idx = _array(arrays, "test_idx", "iu", (None,))
    if len(train_idx) + len(test_idx) != n_samples or len(train_idx) == 0:
        raise SessionFileError(f"the split has {len(train_idx)} + {len(test_idx)} rows; the data have {n_samples}")
    if not np.array_equal(np.sort(np.concatenate([train_idx, test_idx])), np.arange(n_samples)):
        raise SessionFileError("the split's row indices are not the data's rows, each once")
    for key in ("norm_mean", "norm_std"):
        _array(arrays, key, "f", (n_features,))
    for key, columns in _HISTORY_COLUMNS.items():
        _array(arrays, f"history_{key}", "f", (None, columns))
    if custom:
        _array(arrays, "X", "f", (n_samples, n_features))
        _array(arrays, "y", "iu" if task == "classification" else "f", (n_samples,))

    trainer_state = _trainer_state_dict(trainer, arrays, sizes)
    try:
        TrainerState.from_dict(trainer_state).check(sizes, len(train_idx))
    except ValueError as exc:
        raise SessionFileError(f"the trainer's state: {exc}") from None
    history_meta = _dict(trainer["history"], "trainer history", tuple(_HISTORY_COLUMNS))
    history = {}
    for key in _HISTORY_COLUMNS:
        series = _dict(history_meta[key], f"trainer history {key}", ("offered", "stride", "capacity"))
        history[key] = {"data": arrays[f"history_{key}"], "offered": series["offered"],
                        "stride": series["stride"], "capacity": series["capacity"]}
    try:
        pins = pins_from_list(meta.get("pinned_runs", []))
    except ValueError as exc:
        raise SessionFileError(f"meta {exc}") from None
    info = {k: dataset[k] for k in _DATASET_KEYS}
    if custom:
        info["X"], info["y"] = arrays["X"], arrays["y"]
    return {
        "config": meta["config"],
        "dataset": info,
        "train_idx": train_idx,
        "test_idx": test_idx,
        "normalizer": {"mean": arrays["norm_mean"], "std": arrays["norm_std"]},
        "trainer": {**trainer_state, "eval_every": trainer["eval_every"], "history": history,
                    "last_evaluation": trainer["last_evaluation"]},
        "pinned_runs": [pin.to_dict() for pin in pins],
    }


def load_session(path: str | os.PathLike) -> TrainingSession:
    """A new, paused ``TrainingSession`` continuing exactly where the saved one was.

    Raises SessionFileError naming the problem; nothing else is changed by a refusal.
    """
    path = Path(path)
    name = path.name
    check_readable(path, SessionFileError, "session", MAX_SESSION_BYTES)
    meta, arrays = read_checked_archive(path, SessionFileError, "session", MAX_SESSION_BYTES)
    try:
        state = session_state_from_file_content(meta, arrays)
    except SessionFileError as exc:
        raise SessionFileError(f"{name}: {exc}") from None
    try:
        session = TrainingSession.from_state(state)
    except Exception as exc:  # noqa: BLE001 (whatever a bad file provokes, the user hears why)
        detail = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
        raise SessionFileError(f"{name}: cannot reopen the session: {detail}") from None
    if list(session.network.spec.sizes) != meta["network"]["sizes"]:
        raise SessionFileError(f"{name}: the network built from the config is not the one saved")
    return session


def read_pinned_runs(path: str | os.PathLike) -> tuple[PinnedRun, ...]:
    """The runs a session file pins (none for a file without them); SessionFileError names a problem.

    The window calls it once the trainer has reopened the file, to show its pins.
    """
    path = Path(path)
    meta, _arrays = read_checked_archive(path, SessionFileError, "session", MAX_SESSION_BYTES)
    try:
        return pins_from_list(meta.get("pinned_runs", []))
    except ValueError as exc:
        raise SessionFileError(f"{path.name}: meta {exc}") from None
