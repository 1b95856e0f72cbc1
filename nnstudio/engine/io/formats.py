"""Weights files: ``.npz`` and ``.json`` in and out.

Both hold the same content. ``W0..W{L-1}`` shaped (fan_in, fan_out), ``b0..b{L-1}``, and
``meta``: the format name and version, layer sizes, activations, loss, the input
normalisation (mean, std) to apply to raw inputs, the task, class, feature and target
names, and the nnstudio version. In ``.npz`` the meta is one JSON string (a plain unicode
array, so the file loads with ``allow_pickle=False``); in ``.json`` it is an object.

Writes are atomic; loading never unpickles and refuses anything malformed with a
``FormatError`` naming the problem.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnstudio import __version__
from nnstudio.engine.data.datasets import TASKS, DatasetError, Normalizer
from nnstudio.engine.io.fileio import atomic_write_text, atomic_writer, check_readable
from nnstudio.engine.io.npz_archive import mismatch, split_meta
from nnstudio.engine.nn.network import Network, NetworkSpec, SpecError

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "WEIGHT_SUFFIXES",
    "FormatError",
    "ModelFile",
    "save_weights",
    "load_weights",
]

FORMAT_NAME = "nnstudio-weights"
FORMAT_VERSION = 1
WEIGHT_SUFFIXES = (".npz", ".json")
MAX_WEIGHTS_BYTES = 512 * 1024 * 1024


class FormatError(ValueError):
    """A weights file that cannot be read or written; the message names the problem."""


@dataclass(frozen=True, eq=False)
class ModelFile:
    """A trained network and what is needed to feed it raw inputs and read its outputs."""

    network: Network
    normalizer: Normalizer
    task: str = "classification"
    class_names: tuple[str, ...] = ()
    feature_names: tuple[str, ...] = ()
    target_name: str = "label"

    def __post_init__(self) -> None:
        n_in = self.network.spec.sizes[0]
        if self.normalizer.mean.shape != (n_in,):
            raise FormatError(f"normalisation has {self.normalizer.mean.size} features, the network takes {n_in}")
        if self.feature_names and len(self.feature_names) != n_in:
            raise FormatError(f"{len(self.feature_names)} feature names for {n_in} inputs")

    def meta(self) -> dict:
        spec = self.network.spec
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "nnstudio_version": __version__,
            "sizes": list(spec.sizes),
            "activations": list(spec.activations),
            "loss": spec.loss,
            "normalization": self.normalizer.to_dict(),
            "task": self.task,
            "class_names": list(self.class_names),
            "feature_names": list(self.feature_names),
            "target_name": self.target_name,
        }

    def predict(self, X_raw) -> np.ndarray:
        """Outputs (n, n_outputs) for raw (un-normalised) inputs."""
        return self.network.predict(self.normalizer.apply(X_raw))


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in WEIGHT_SUFFIXES:
        raise FormatError(f"{path.name}: unknown weights format {suffix or '(none)'}; use .npz or .json")
    return suffix


def save_weights(path: str | os.PathLike, model: ModelFile) -> None:
    """Write ``model`` to ``path`` (.npz or .json by its suffix), atomically."""
    path = Path(path)
    suffix = _suffix(path)
    if not model.network.is_finite():
        raise FormatError("the weights hold NaN or infinity; refusing to write them")
    weights, biases = model.network.weights, model.network.biases
    try:
        if suffix == ".npz":
            arrays = {f"W{layer}": np.asarray(W, np.float64) for layer, W in enumerate(weights)}
            arrays.update({f"b{layer}": np.asarray(b, np.float64) for layer, b in enumerate(biases)})
            arrays["meta"] = np.array(json.dumps(model.meta()))
            with atomic_writer(path, "wb") as handle:
                np.savez(handle, **arrays)
        else:
            content = {"meta": model.meta()}
            for layer, (W, b) in enumerate(zip(weights, biases)):
                content[f"W{layer}"] = np.asarray(W, np.float64).tolist()
                content[f"b{layer}"] = np.asarray(b, np.float64).tolist()
            atomic_write_text(path, json.dumps(content, indent=1) + "\n")
    except OSError as exc:
        raise FormatError(f"{path.name}: cannot write the file ({exc.strerror or exc})") from None


def _read_npz(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except Exception as exc:  # noqa: BLE001
        # A hostile zip can fail in many ways (BadZipFile, zlib.error, RuntimeError for an
        # encrypted entry, NotImplementedError for a compression method...); every one
        # means the same to the user. ValueError also covers an object array, which only
        # pickle could load.
        raise FormatError(f"{path.name}: not a readable .npz weights file ({type(exc).__name__}: {exc})") from None
    return split_meta(arrays, path.name, FormatError, "weights")


def _read_json(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FormatError(f"{path.name}: not a readable .json weights file ({exc})") from None
    if not isinstance(content, dict) or not isinstance(content.get("meta"), dict):
        raise FormatError(f"{path.name}: no 'meta' object; not an nnstudio weights file")
    arrays = {}
    for key, value in content.items():
        if key == "meta":
            continue
        try:
            arrays[key] = np.array(value, dtype=np.float64)
        except (ValueError, TypeError, OverflowError):
            raise FormatError(f"{path.name}: {key} is not an array of finite-size numbers") from None
    return content["meta"], arrays


def _str_tuple(meta: dict, key: str) -> tuple[str, ...]:
    value = meta.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise FormatError(f"meta {key!r} must be a list of non-empty strings")
    if len(set(value)) != len(value):
        raise FormatError(f"meta {key!r} has duplicate names")
    return tuple(value)


def load_weights(path: str | os.PathLike) -> ModelFile:
    """Read a weights file written by ``save_weights`` (or by hand in the same layout)."""
    path = Path(path)
    suffix = _suffix(path)
    check_readable(path, FormatError, "weights", MAX_WEIGHTS_BYTES, folder="directory")
    meta, arrays = _read_npz(path) if suffix == ".npz" else _read_json(path)
    name = path.name
    if meta.get("format") != FORMAT_NAME:
        raise FormatError(f"{name}: meta format is {meta.get('format')!r}, expected {FORMAT_NAME!r}")
    version = meta.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise FormatError(f"{name}: format version {version!r} is newer than this nnstudio reads ({FORMAT_VERSION})")
    try:
        spec = NetworkSpec(tuple(meta["sizes"]), tuple(meta["activations"]), meta.get("loss", "mse"))
    except (KeyError, TypeError, ValueError, SpecError) as exc:
        raise FormatError(f"{name}: the network in meta is not valid ({exc})") from None
    n_layers = spec.n_layers
    expected = {f"W{index}" for index in range(n_layers)} | {f"b{index}" for index in range(n_layers)}
    if set(arrays) != expected:
        raise FormatError(f"{name}: arrays do not match the {n_layers}-layer network in meta "
                          f"({mismatch(expected, arrays)})")
    for key, array in arrays.items():
        if array.dtype.kind not in "fiu":
            raise FormatError(f"{name}: {key} is not numeric")
        if not np.isfinite(array).all():
            raise FormatError(f"{name}: {key} holds NaN or infinity")
    try:
        network = Network(
            spec,
            [arrays[f"W{index}"] for index in range(n_layers)],
            [arrays[f"b{index}"] for index in range(n_layers)],
        )
    except SpecError as exc:
        raise FormatError(f"{name}: {exc}") from None
    try:
        normalizer = (
            Normalizer.from_dict(meta["normalization"])
            if meta.get("normalization") is not None
            else Normalizer.identity(spec.sizes[0])
        )
    except (DatasetError, TypeError) as exc:
        raise FormatError(f"{name}: normalization in meta is not valid ({exc})") from None
    task = meta.get("task", "classification")
    if task not in TASKS:
        raise FormatError(f"{name}: unknown task {task!r} in meta")
    target_name = meta.get("target_name", "label")
    if not isinstance(target_name, str):
        raise FormatError(f"{name}: meta 'target_name' must be a string")
    try:
        class_names = _str_tuple(meta, "class_names")
        if task == "classification" and class_names:
            n_out = spec.sizes[-1]
            if len(class_names) != (2 if n_out == 1 else n_out):
                raise FormatError(f"{len(class_names)} class names for {n_out} output(s)")
        return ModelFile(network, normalizer, task, class_names, _str_tuple(meta, "feature_names"), target_name)
    except FormatError as exc:
        raise FormatError(f"{name}: {exc}") from None
