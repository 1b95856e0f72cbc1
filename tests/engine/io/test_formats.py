"""Weights files (.npz and .json): exact round trips, the documented layout, atomic writes and refused writes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from support.model_files import MODELS, assert_same_model, classification_model, float_bits, regression_model

from nnstudio.engine.io import fileio
from nnstudio.engine.io.formats import FORMAT_NAME, FORMAT_VERSION, FormatError, load_weights, save_weights


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
        assert np.array_equal(float_bits(archive["W0"]), float_bits(model.network.weights[0]))
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
    assert np.array_equal(float_bits(np.array(content["W1"])), float_bits(model.network.weights[1]))
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
