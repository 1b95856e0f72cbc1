"""Weights files (.npz and .json): exact round trips, the documented layout, atomic writes, refusals."""

from __future__ import annotations

import json
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.files import patch_zip_headers
from support.pickle_trap import UNPICKLED, trapped_array

from nnstudio.engine.data.datasets import Normalizer
from nnstudio.engine.io import fileio
from nnstudio.engine.io.formats import FORMAT_NAME, FORMAT_VERSION, FormatError, ModelFile, load_weights, save_weights
from nnstudio.engine.nn.network import Network, NetworkSpec

# Values a careless writer would round: thirds, subnormals, the largest float, signed zero.
AWKWARD = np.array([1 / 3, -2 / 3, 0.1 + 0.2, 5e-324, 1e-310, 1.7976931348623157e308 / 1e10, -0.0, 123456.789e-7])


def classification_model(seed: int = 0) -> ModelFile:
    """3 inputs -> 5 tanh -> 3 softmax, cross-entropy; awkward weights, non-zero biases."""
    net = Network.from_spec(NetworkSpec((3, 5, 3), ("tanh", "softmax"), "cross_entropy"), seed=seed)
    values = np.random.default_rng(seed).standard_normal(net.flat.size)
    values[: AWKWARD.size] = AWKWARD / np.where(np.abs(AWKWARD) > 1e10, 1e300, 1.0)
    net.flat[:] = values
    normalizer = Normalizer(np.array([0.1, -2.5, 1 / 3]), np.array([1.5, 0.25, 7.000000000000001]))
    return ModelFile(net, normalizer, "classification", ("a", "b", "c"), ("f1", "f2", "f3"), "kind")


def regression_model(seed: int = 1) -> ModelFile:
    """2 inputs -> 4 relu -> 1 linear, mse, regression with named features and target."""
    net = Network.from_spec(NetworkSpec((2, 4, 1), ("relu", "linear"), "mse"), seed=seed)
    net.flat[:] = np.random.default_rng(seed).standard_normal(net.flat.size) * 3
    normalizer = Normalizer(np.array([1e6, -1e-6]), np.array([2e5, 3e-7]))
    return ModelFile(net, normalizer, "regression", (), ("area", "age"), "price")


MODELS = {"classification": classification_model, "regression": regression_model}


def _bits(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64)


def assert_same_model(a: ModelFile, b: ModelFile) -> None:
    assert a.network.spec == b.network.spec
    for x, y in zip(a.network.weights + a.network.biases, b.network.weights + b.network.biases):
        assert x.shape == y.shape
        assert np.array_equal(_bits(x), _bits(y))  # bit for bit, signed zeros included
    assert np.array_equal(_bits(a.normalizer.mean), _bits(b.normalizer.mean))
    assert np.array_equal(_bits(a.normalizer.std), _bits(b.normalizer.std))
    assert (a.task, a.class_names, a.feature_names, a.target_name) == (
        b.task, b.class_names, b.feature_names, b.target_name)


# -- round trips -------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".npz", ".json"])
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_round_trip_is_exact(tmp_path, suffix, kind):
    """save then load gives the same weights, biases, normaliser, names and task, bit for bit."""
    model = MODELS[kind]()
    path = tmp_path / f"model{suffix}"
    save_weights(path, model)
    loaded = load_weights(path)
    assert_same_model(model, loaded)
    X = np.random.default_rng(5).normal(size=(7, model.network.spec.sizes[0])) * model.normalizer.std
    assert np.array_equal(model.predict(X), loaded.predict(X))


def test_npz_and_json_hold_the_same_content(tmp_path):
    """The .npz and .json of one model load to identical models and identical meta."""
    model = classification_model()
    save_weights(tmp_path / "m.npz", model)
    save_weights(tmp_path / "m.json", model)
    assert_same_model(load_weights(tmp_path / "m.npz"), load_weights(tmp_path / "m.json"))
    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        npz_meta = json.loads(str(archive["meta"]))
    assert npz_meta == json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["meta"]


def test_suffix_is_case_insensitive(tmp_path):
    """M.NPZ and M.JSON are written and read like their lower-case forms."""
    model = regression_model()
    for name in ("M.NPZ", "M.JSON"):
        save_weights(tmp_path / name, model)
        assert_same_model(model, load_weights(tmp_path / name))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["M.JSON", "M.NPZ"]


# -- the layout ----------------------------------------------------------------------------------
def test_npz_loads_with_plain_np_load_and_has_the_documented_arrays(tmp_path):
    """np.load(allow_pickle=False) reads W0.., b0.. as float64 (fan_in, fan_out) / (fan_out,) and a meta string."""
    model = classification_model()
    path = tmp_path / "m.npz"
    save_weights(path, model)
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["W0", "W1", "b0", "b1", "meta"]
        assert archive["W0"].shape == (3, 5) and archive["W1"].shape == (5, 3)
        assert archive["b0"].shape == (5,) and archive["b1"].shape == (3,)
        for key in ("W0", "W1", "b0", "b1"):
            assert archive[key].dtype == np.float64
        assert np.array_equal(_bits(archive["W0"]), _bits(model.network.weights[0]))
        meta_array = archive["meta"]
    assert meta_array.dtype.kind == "U" and meta_array.ndim == 0


def test_npz_meta_is_a_json_string_with_the_documented_fields(tmp_path):
    """meta: format 'nnstudio-weights', integer version, sizes, activations, loss, normalization mean/std, names."""
    model = classification_model()
    path = tmp_path / "m.npz"
    save_weights(path, model)
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(str(archive["meta"]))
    assert meta["format"] == "nnstudio-weights" == FORMAT_NAME
    assert isinstance(meta["version"], int) and meta["version"] == FORMAT_VERSION == 1
    assert meta["sizes"] == [3, 5, 3]
    assert meta["activations"] == ["tanh", "softmax"]
    assert meta["loss"] == "cross_entropy"
    assert meta["normalization"] == {"mean": [0.1, -2.5, 1 / 3], "std": [1.5, 0.25, 7.000000000000001]}
    assert meta["task"] == "classification"
    assert meta["class_names"] == ["a", "b", "c"]
    assert meta["feature_names"] == ["f1", "f2", "f3"]
    assert meta["target_name"] == "kind"
    assert isinstance(meta["nnstudio_version"], str)


def test_json_file_holds_meta_object_and_nested_lists(tmp_path):
    """The .json is one object: a meta object and W/b as nested lists of numbers."""
    model = regression_model()
    path = tmp_path / "m.json"
    save_weights(path, model)
    content = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(content) == ["W0", "W1", "b0", "b1", "meta"]
    assert np.array(content["W0"]).shape == (2, 4) and np.array(content["b1"]).shape == (1,)
    assert np.array_equal(_bits(np.array(content["W1"])), _bits(model.network.weights[1]))
    assert content["meta"]["task"] == "regression" and content["meta"]["class_names"] == []


def test_a_hand_written_json_without_optional_meta_loads_with_defaults(tmp_path):
    """Only format, version, sizes and activations are required; the rest defaults (identity normaliser, mse)."""
    path = tmp_path / "hand.json"
    path.write_text(json.dumps({
        "meta": {"format": FORMAT_NAME, "version": 1, "sizes": [2, 1], "activations": ["sigmoid"]},
        "W0": [[1.0], [-1.0]], "b0": [0.5],
    }))
    model = load_weights(path)
    assert model.network.spec.loss == "mse" and model.task == "classification"
    assert np.array_equal(model.normalizer.mean, [0.0, 0.0]) and np.array_equal(model.normalizer.std, [1.0, 1.0])
    z = np.array([[2.0, 1.0]]) @ np.array([[1.0], [-1.0]]) + 0.5
    np.testing.assert_allclose(model.predict([[2.0, 1.0]]), 1 / (1 + np.exp(-z)), rtol=1e-15)


# -- refusing to write ------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".npz", ".json"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_refused_and_leave_an_existing_file_intact(tmp_path, suffix, bad):
    """NaN or infinite weights: FormatError, no new file, an old file keeps its bytes."""
    model = classification_model()
    model.network.flat[4] = bad
    fresh = tmp_path / f"fresh{suffix}"
    with pytest.raises(FormatError, match="NaN or infinity"):
        save_weights(fresh, model)
    assert not fresh.exists()
    existing = tmp_path / f"old{suffix}"
    save_weights(existing, regression_model())
    before = existing.read_bytes()
    with pytest.raises(FormatError):
        save_weights(existing, model)
    assert existing.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"old{suffix}"]


def test_unknown_suffix_is_refused_for_save_and_load(tmp_path):
    """.pt or no suffix: FormatError naming the suffix, and nothing written."""
    with pytest.raises(FormatError, match=r"\.pt"):
        save_weights(tmp_path / "w.pt", regression_model())
    with pytest.raises(FormatError, match="none"):
        save_weights(tmp_path / "weights", regression_model())
    (tmp_path / "w.txt").write_text("x")
    with pytest.raises(FormatError, match=r"\.txt"):
        load_weights(tmp_path / "w.txt")
    assert [p.name for p in tmp_path.iterdir()] == ["w.txt"]


def _existing(tmp_path, suffix):
    path = tmp_path / f"weights{suffix}"
    save_weights(path, regression_model())
    return path, path.read_bytes()


def test_npz_write_failing_midway_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    """np.savez writing some bytes then failing with OSError: FormatError, old file intact, no stray file."""
    path, before = _existing(tmp_path, ".npz")

    def half_write(handle, **arrays):
        handle.write(b"PK\x03\x04" + b"\x00" * 100)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", half_write)
    with pytest.raises(FormatError, match="No space left"):
        save_weights(path, classification_model())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_npz_write_interrupted_by_any_exception_leaves_the_old_file(tmp_path, monkeypatch):
    """Even a non-OSError (e.g. KeyboardInterrupt) midway leaves the old file and no temporary file."""
    path, before = _existing(tmp_path, ".npz")

    def interrupted(handle, **arrays):
        handle.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_weights(path, classification_model())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize("suffix", [".npz", ".json"])
@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_failing_flush_or_rename_leaves_the_old_file(tmp_path, monkeypatch, suffix, step):
    """fsync or the final rename failing after the bytes were written: FormatError, old file intact, no stray file."""
    path, before = _existing(tmp_path, suffix)

    def fail(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(fileio.os, step, fail)
    with pytest.raises(FormatError, match="cannot write"):
        save_weights(path, classification_model())
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_writing_into_a_missing_folder_raises_format_error(tmp_path):
    """A folder that does not exist: FormatError naming the file, nothing created."""
    with pytest.raises(FormatError, match="w.npz"):
        save_weights(tmp_path / "no" / "w.npz", regression_model())
    assert not (tmp_path / "no").exists()


# -- refusing to read --------------------------------------------------------------------------------
def test_pickled_object_array_is_refused_without_unpickling(tmp_path):
    """An .npz whose arrays need pickle is refused with FormatError, and nothing is unpickled."""
    path = tmp_path / "evil.npz"
    meta = classification_model().meta()
    np.savez(path, W0=trapped_array(), meta=np.array(json.dumps(meta)))
    with pytest.raises(FormatError, match="evil.npz"):
        load_weights(path)
    assert UNPICKLED == []
    with np.load(path, allow_pickle=True) as archive:  # the trap does fire when pickle is allowed
        archive["W0"]
    assert UNPICKLED == ["unpickled"]


def test_plain_object_array_is_refused(tmp_path):
    """np.savez(p, W0=np.array([object()], dtype=object)) is refused with FormatError."""
    path = tmp_path / "obj.npz"
    np.savez(path, W0=np.array([object()], dtype=object))
    with pytest.raises(FormatError):
        load_weights(path)


def _valid_npz(tmp_path) -> dict[str, np.ndarray]:
    path = tmp_path / "valid.npz"
    save_weights(path, regression_model())
    with np.load(path, allow_pickle=False) as archive:
        return {k: archive[k] for k in archive.files}


def _meta(**changes) -> np.ndarray:
    meta = regression_model().meta()
    meta.update(changes)
    return np.array(json.dumps(meta))


BAD_NPZ = {
    "no meta": (lambda a: a.pop("meta"), "meta"),
    "meta as bytes": (lambda a: a.update(meta=np.array(b"{}")), "meta"),
    "meta as an array of strings": (lambda a: a.update(meta=np.array(["{}", "{}"])), "meta"),
    "meta not json": (lambda a: a.update(meta=np.array("{not json")), "JSON"),
    "meta json list": (lambda a: a.update(meta=np.array("[1, 2]")), "meta"),
    "meta json null": (lambda a: a.update(meta=np.array("null")), "meta"),
    "wrong format name": (lambda a: a.update(meta=_meta(format="other")), "format"),
    "newer version": (lambda a: a.update(meta=_meta(version=FORMAT_VERSION + 1)), "version"),
    "version as text": (lambda a: a.update(meta=_meta(version="1")), "version"),
    "no sizes": (lambda a: a.update(meta=_meta(sizes=None)), "network"),
    "unknown activation": (lambda a: a.update(meta=_meta(activations=["relu", "swish"])), "swish"),
    "unknown loss": (lambda a: a.update(meta=_meta(loss="hinge")), "hinge"),
    "missing W1": (lambda a: a.pop("W1"), "W1"),
    "extra array": (lambda a: a.update(W2=np.zeros((1, 1))), "W2"),
    "transposed W0": (lambda a: a.update(W0=a["W0"].T.copy()), "W0"),
    "bias as a matrix": (lambda a: a.update(b0=np.zeros((4, 2))), "b0"),
    "nan weight": (lambda a: a["W1"].__setitem__((0, 0), np.nan), "W1"),
    "infinite bias": (lambda a: a["b0"].__setitem__(0, np.inf), "b0"),
    "boolean weights": (lambda a: a.update(W0=np.ones((2, 4), bool)), "W0"),
    "complex weights": (lambda a: a.update(W0=np.ones((2, 4), complex)), "W0"),
    "text weights": (lambda a: a.update(W0=np.full((2, 4), "1.0")), "W0"),
    "normalization of the wrong length": (
        lambda a: a.update(meta=_meta(normalization={"mean": [0.0], "std": [1.0]})), "normali"),
    "zero std": (lambda a: a.update(meta=_meta(normalization={"mean": [0.0, 0.0], "std": [1.0, 0.0]})), "normali"),
    "unknown task": (lambda a: a.update(meta=_meta(task="ranking")), "ranking"),
    "class names not strings": (lambda a: a.update(meta=_meta(class_names=[1, 2])), "class_names"),
    "feature names of the wrong count": (lambda a: a.update(meta=_meta(feature_names=["a", "b", "c"])), "feature"),
    "target name not a string": (lambda a: a.update(meta=_meta(target_name=3)), "target_name"),
}


def _assert_refused_naming(path, word: str) -> None:
    """Loading ``path`` raises FormatError (never another exception) naming the file and ``word``."""
    with pytest.raises(FormatError) as info:
        load_weights(path)
    assert path.name in str(info.value) and word.lower() in str(info.value).lower()


def _valid_json(tmp_path) -> dict:
    path = tmp_path / "valid.json"
    save_weights(path, regression_model())
    return json.loads(path.read_text(encoding="utf-8"))


BAD_JSON = {
    "wrong W0 shape": (lambda c: c.update(W0=[[0.0] * 3] * 2), "W0"),
    "wrong b1 shape": (lambda c: c.update(b1=[0.0, 1.0]), "b1"),
    "ragged W0": (lambda c: c.update(W0=[[0.0] * 4, [0.0] * 3]), "W0"),
    "W0 of strings": (lambda c: c.update(W0=[["a"] * 4] * 2), "W0"),
    "W0 as an object": (lambda c: c.update(W0={"a": 1}), "W0"),
    "W0 null": (lambda c: c.update(W0=None), "W0"),
    "integer too big for a float": (lambda c: c["W0"][0].__setitem__(0, 10 ** 400), "W0"),
    "no meta": (lambda c: c.pop("meta"), "meta"),
    "meta a list": (lambda c: c.update(meta=[1]), "meta"),
    "extra key": (lambda c: c.update(notes=[1.0]), "notes"),
    "NaN weight": (lambda c: c["W1"][0].__setitem__(0, float("nan")), "W1"),
}


def _bad_npz(tmp_path, change) -> Path:
    arrays = _valid_npz(tmp_path)
    change(arrays)
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    return path


def _bad_json(tmp_path, change) -> Path:
    content = _valid_json(tmp_path)
    change(content)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


BAD_FILES = {**{f"npz: {case}": (_bad_npz, *bad) for case, bad in BAD_NPZ.items()},
             **{f"json: {case}": (_bad_json, *bad) for case, bad in BAD_JSON.items()}}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_malformed_file_is_refused_with_a_message_naming_the_problem(tmp_path, case):
    """Each malformed .npz or .json raises FormatError (never another exception) naming the file and the problem."""
    write_bad_file, change, word = BAD_FILES[case]
    _assert_refused_naming(write_bad_file(tmp_path, change), word)


@pytest.mark.parametrize("text", ["", "[]", "{", "\ufeff{}", "null", "[" * 100000])
def test_json_that_is_not_a_weights_object_is_refused(tmp_path, text):
    """Empty, truncated, non-object or absurdly nested JSON: FormatError."""
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError):
        load_weights(path)


def test_missing_file_and_directory_are_refused(tmp_path):
    """A path that does not exist or is a folder: FormatError naming it."""
    with pytest.raises(FormatError, match="nothere.npz"):
        load_weights(tmp_path / "nothere.npz")
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(FormatError, match="directory"):
        load_weights(tmp_path / "folder.json")


@pytest.mark.parametrize(
    "patch",
    [{"method": 99}, {"method": 14}, {"flag": 0x01}, {"flag": 0x20}, {"flag": 0x40}],
    ids=["unknown compression", "lzma compression", "encrypted", "patched data", "strong encryption"],
)
def test_zip_entries_python_cannot_read_are_refused_with_format_error(tmp_path, patch):
    """An .npz whose zip headers claim an unsupported method or encryption: FormatError, not a zipfile exception."""
    good = tmp_path / "good.npz"
    save_weights(good, regression_model())
    bad = tmp_path / "odd.npz"
    bad.write_bytes(patch_zip_headers(good.read_bytes(), **patch))
    with pytest.raises(FormatError, match="odd.npz"):
        load_weights(bad)


# -- corruption, at random ----------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _valid_bytes(suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"w{suffix}"
        save_weights(path, classification_model())
        return path.read_bytes()


@lru_cache(maxsize=None)
def _structure_offsets(suffix: str) -> tuple[int, ...]:
    """Offsets of the zip headers' fields (for .npz; signatures excluded), where a flipped bit changes how the file is read."""
    data = _valid_bytes(suffix)
    offsets: set[int] = set()
    for signature, length in ((b"PK\x03\x04", 30), (b"PK\x01\x02", 46), (b"PK\x05\x06", 22)):
        start = 0
        while (i := data.find(signature, start)) >= 0:
            offsets.update(range(i + 4, min(i + length, len(data))))
            start = i + 4
    return tuple(sorted(offsets)) or (0,)


@st.composite
def corruptions(draw, suffix: str) -> bytes:
    """A valid file truncated at a random offset and/or with bits of random bytes flipped (often in zip headers)."""
    original = _valid_bytes(suffix)
    data = bytearray(original)
    truncate = draw(st.booleans())
    if truncate:
        data = data[: draw(st.integers(0, len(data) - 1))]
    if data and (not truncate or draw(st.booleans())):
        anywhere = st.integers(0, len(original) - 1)
        position = st.one_of(anywhere, st.sampled_from(_structure_offsets(suffix)))
        for _ in range(draw(st.integers(1, 8))):
            offset = draw(position)
            if offset < len(data):
                data[offset] ^= draw(st.integers(1, 255))  # flip some of its bits
    return bytes(data)


@pytest.mark.parametrize("suffix", [".npz", ".json"])
@settings(max_examples=100, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_a_corrupted_file_loads_or_raises_format_error_only(suffix, data):
    """Truncating or overwriting bytes of a valid file: load_weights returns a ModelFile or raises FormatError, nothing else."""
    corrupted = data.draw(corruptions(suffix))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"w{suffix}"
        path.write_bytes(corrupted)
        try:
            model = load_weights(path)
        except FormatError as exc:
            assert str(exc)
        else:
            assert isinstance(model, ModelFile)
            assert model.network.is_finite()
