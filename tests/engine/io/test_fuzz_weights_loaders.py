"""Fuzzing load_weights with generated and corrupted weights files (hypothesis).

``test_formats_refused.py`` flips random bytes of two fixed weights files. Here random
networks of every shape, activation, loss and task saved with ``save_weights`` must load
back bit for bit; then their meta values are replaced with values of the wrong type (or
out of range), arrays reshaped, retyped or removed, and the bytes truncated or flipped:
``load_weights`` returns a ``ModelFile`` or raises ``FormatError``, nothing else.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.fuzzing import FUZZ, header_names, load_bytes
from support.model_files import assert_same_model

from nnstudio.engine.data.datasets import Normalizer
from nnstudio.engine.io.formats import FormatError, ModelFile, load_weights, save_weights
from nnstudio.engine.nn.activations import HIDDEN_ACTIVATIONS
from nnstudio.engine.nn.network import Network, NetworkSpec


@st.composite
def models(draw) -> ModelFile:
    """A random network with its metadata, as the trainer would export it."""
    n_layers = draw(st.integers(1, 5))
    sizes = tuple(draw(st.lists(st.integers(1, 7), min_size=n_layers + 1, max_size=n_layers + 1)))
    hidden = tuple(draw(st.sampled_from(HIDDEN_ACTIVATIONS)) for _ in range(n_layers - 1))
    outputs = list(HIDDEN_ACTIVATIONS) + (["softmax"] if sizes[-1] >= 2 else [])
    output = draw(st.sampled_from(outputs))
    loss = draw(st.sampled_from(["mse", "cross_entropy"] if output in ("sigmoid", "softmax") else ["mse"]))
    spec = NetworkSpec(sizes, hidden + (output,), loss)
    big = st.floats(-1e300, 1e300, allow_nan=False, width=64)
    weights = [np.array(draw(st.lists(big, min_size=a * b, max_size=a * b))).reshape(a, b)
               for a, b in itertools.pairwise(sizes)]
    biases = [np.array(draw(st.lists(big, min_size=b, max_size=b))) for b in sizes[1:]]
    network = Network(spec, weights, biases)
    mean = draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=sizes[0], max_size=sizes[0]))
    std = draw(st.lists(st.floats(1e-6, 1e6), min_size=sizes[0], max_size=sizes[0]))
    task = draw(st.sampled_from(["classification", "regression"]))
    n_classes = 2 if sizes[-1] == 1 else sizes[-1]
    class_names = ()
    if task == "classification" and draw(st.booleans()):
        class_names = tuple(draw(st.lists(header_names, min_size=n_classes, max_size=n_classes, unique=True)))
    feature_names = ()
    if draw(st.booleans()):
        feature_names = tuple(draw(st.lists(header_names, min_size=sizes[0], max_size=sizes[0], unique=True)))
    return ModelFile(network, Normalizer(np.array(mean), np.array(std)), task, class_names, feature_names,
                     draw(header_names))


def _saved(model: ModelFile, suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"w{suffix}"
        save_weights(path, model)
        return path.read_bytes()


@pytest.mark.slow
@FUZZ
@given(model=models(), suffix=st.sampled_from([".npz", ".json"]))
def test_a_random_network_round_trips_bit_for_bit(model, suffix):
    """Any shape, activation, loss and task: save_weights then load_weights gives the same model."""
    loaded = load_bytes(_saved(model, suffix), suffix, load_weights)
    assert_same_model(model, loaded)


#: Values of the wrong type or out of range, JSON-encodable (NaN and Infinity as Python's json writes them).
_WRONG = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 1, 2, 4097, 1.5, -0.0, 10**400, -10**400, 10**30, "", "x", "1",
                     "sigmoid", "mse", [], [1], [[]], [None], ["a", "a"], {}, {"mean": [0.0]},
                     {"mean": [], "std": []}, float("nan"), float("inf"), "1" * 5000, [[[[[]]]]]]),
    st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5)),
                 lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner,
                                                                                       max_size=3)),
                 max_leaves=8),
)
_META_PATHS = [("format",), ("version",), ("nnstudio_version",), ("sizes",), ("sizes", 0), ("sizes", -1),
               ("activations",), ("activations", 0), ("activations", -1), ("loss",), ("normalization",),
               ("normalization", "mean"), ("normalization", "std"), ("normalization", "mean", 0),
               ("normalization", "std", 0), ("task",), ("class_names",), ("class_names", 0),
               ("feature_names",), ("feature_names", 0), ("target_name",)]


def _set_path(meta: dict, path: tuple, value) -> None:
    node = meta
    for key in path[:-1]:
        node = node[key]
    last = path[-1]
    if isinstance(node, list):
        if not node:
            node.append(value)
            return
        node[last] = value
    else:
        node[last] = value


@st.composite
def meta_corruptions(draw, meta: dict) -> dict:
    meta = json.loads(json.dumps(meta))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add"]))
        if how == "replace":
            path = draw(st.sampled_from(_META_PATHS))
            with contextlib.suppress(
                KeyError, IndexError, TypeError
            ):  # an earlier change removed or retyped the parent
                _set_path(meta, path, draw(_WRONG))
        elif how == "delete":
            key = draw(st.sampled_from(sorted(meta) or ["sizes"]))
            meta.pop(key, None)
        else:
            meta[draw(st.text(max_size=6))] = draw(_WRONG)
    return meta


def _wrong_array(draw, array: np.ndarray, for_json: bool):
    how = draw(st.sampled_from(["transpose", "flatten", "scalar", "empty", "grow", "nan", "strings", "bools",
                                "nested", "int_huge", "complex", "float16", "int8"]))
    if how == "transpose":
        return array.T.copy()
    if how == "flatten":
        return array.ravel()
    if how == "scalar":
        return np.float64(1.0) if not for_json else 1.0
    if how == "empty":
        return np.zeros((0,) * max(1, array.ndim))
    if how == "grow":
        return np.zeros(tuple(n + 1 for n in array.shape))
    if how == "nan":
        bad = array.astype(np.float64).copy()
        bad.flat[0] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        return bad
    if how == "strings":
        return np.full(array.shape, "1.0") if not for_json else [["1.0"]]
    if how == "bools":
        return np.ones(array.shape, bool) if not for_json else True
    if how == "nested":
        return np.zeros(array.shape + (2,)) if not for_json else [[[1.0, 2.0]]]
    if how == "int_huge":
        return np.full(array.shape, np.iinfo(np.uint64).max, np.uint64) if not for_json else [[10**400]]
    if how == "complex":
        return np.ones(array.shape, complex) if not for_json else {"re": 1}
    if how == "float16":
        return array.astype(np.float16) if not for_json else "1.0"
    return np.clip(np.nan_to_num(array), -128, 127).astype(np.int8) if not for_json else None


@st.composite
def broken_weights(draw, suffix: str) -> bytes:
    model = draw(models())
    original = _saved(model, suffix)
    if suffix == ".npz":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "w.npz"
            path.write_bytes(original)
            with np.load(path, allow_pickle=False) as archive:
                content = {k: archive[k] for k in archive.files}
        meta = json.loads(str(content["meta"]))
    else:
        content = json.loads(original)
        meta = content["meta"]
    kinds = draw(st.lists(st.sampled_from(["meta", "meta", "array", "drop_array", "extra_array", "meta_raw"]),
                          min_size=1, max_size=3))
    raw_meta = None
    for kind in kinds:
        arrays = [k for k in content if k != "meta"]
        if kind == "meta":
            meta = draw(meta_corruptions(meta))
        elif kind == "array" and arrays:
            key = draw(st.sampled_from(sorted(arrays)))
            try:
                array = np.asarray(content[key], dtype=np.float64)
            except (OverflowError, TypeError, ValueError):
                continue  # an earlier draw already broke this array past what float64 holds
            with np.errstate(all="ignore"):  # casting 1e300 to float16 or int8 overflows, as meant
                content[key] = _wrong_array(draw, array, suffix == ".json")
        elif kind == "drop_array" and arrays:
            content.pop(draw(st.sampled_from(sorted(arrays))))
        elif kind == "extra_array":
            content[draw(st.sampled_from(["W99", "b99", "W-1", "w0", "extra", "W01"]))] = (
                np.zeros((1, 1)) if suffix == ".npz" else [[0.0]])
        elif kind == "meta_raw":
            raw_meta = draw(st.sampled_from(["", "{", "[]", "null", "1", '"x"', "{" * 5000, '{"sizes": [1e999]}',
                                             "NaN", '{"format": "nnstudio-weights", "version": 1}']))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"w{suffix}"
        meta_text = raw_meta if raw_meta is not None else json.dumps(meta)
        if suffix == ".npz":
            arrays = {k: np.asarray(v) for k, v in content.items() if k != "meta"}
            np.savez(path, meta=np.array(meta_text), **arrays)
        else:
            body = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in content.items() if k != "meta"}
            text = json.dumps(body)
            text = '{"meta": ' + meta_text + (", " + text[1:] if len(text) > 2 else "}")
            path.write_text(text, encoding="utf-8")
        data = path.read_bytes()
    if draw(st.integers(0, 4)) == 0:  # and sometimes the bytes break too
        data = bytearray(data)
        if draw(st.booleans()) and len(data) > 1:
            data = data[: draw(st.integers(0, len(data) - 1))]
        for _ in range(draw(st.integers(0, 4))):
            if data:
                data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
        data = bytes(data)
    return data


def assert_loads_or_format_error(data: bytes, suffix: str) -> None:
    try:
        model = load_bytes(data, suffix, load_weights)
    except FormatError as exc:
        assert str(exc)
        return
    assert isinstance(model, ModelFile)
    assert model.network.is_finite()
    spec = model.network.spec
    assert all(isinstance(n, int) for n in spec.sizes)
    assert [w.shape for w in model.network.weights] == list(zip(spec.sizes[:-1], spec.sizes[1:]))
    assert model.normalizer.mean.shape == (spec.sizes[0],)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".npz", ".json"])
@FUZZ
@given(data=st.data())
def test_a_weights_file_with_wrong_meta_or_arrays_loads_or_raises_format_error_only(suffix, data):
    """Meta values of the wrong type, reshaped/retyped/missing arrays, truncation, flips: ModelFile or FormatError."""
    assert_loads_or_format_error(data.draw(broken_weights(suffix)), suffix)


@pytest.mark.parametrize("suffix", [".npz", ".json"])
@pytest.mark.parametrize("sizes", [[10**400, 3, 1], [2, 3, -10**400], [2, 10**309, 1]])
def test_a_layer_size_too_big_for_a_float_is_a_format_error(tmp_path, suffix, sizes):
    """meta "sizes" holding an integer beyond float range: FormatError, not OverflowError."""
    model = ModelFile(Network.from_spec(NetworkSpec((2, 3, 1), ("tanh", "sigmoid"))), Normalizer.identity(2))
    path = tmp_path / f"w{suffix}"
    save_weights(path, model)
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            content = {k: archive[k] for k in archive.files}
        meta = json.loads(str(content.pop("meta")))
        meta["sizes"] = sizes
        np.savez(path, meta=np.array(json.dumps(meta)), **content)
    else:
        content = json.loads(path.read_text(encoding="utf-8"))
        content["meta"]["sizes"] = sizes
        path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(FormatError, match="w"):
        load_weights(path)


@pytest.mark.parametrize("sizes", ["231", ["2", "3", "1"], [2.0, 3.0, 1.0], [True, 3, 1]])
def test_layer_sizes_that_are_not_integers_are_refused(tmp_path, sizes):
    """meta "sizes" must be a list of integers: a string of digits or a list of strings is not a network shape."""
    model = ModelFile(Network.from_spec(NetworkSpec((2, 3, 1), ("tanh", "sigmoid"))), Normalizer.identity(2))
    path = tmp_path / "w.json"
    save_weights(path, model)
    content = json.loads(path.read_text(encoding="utf-8"))
    content["meta"]["sizes"] = sizes
    path.write_text(json.dumps(content), encoding="utf-8")
    try:
        loaded = load_weights(path)
    except FormatError:
        return
    # Whole floats (2.0) are tolerated by NetworkSpec by design; text is not a number.
    assert not any(isinstance(n, str) for n in (sizes if isinstance(sizes, list) else [sizes])), (
        f"meta sizes {sizes!r} loaded as a {loaded.network.spec.sizes} network")
