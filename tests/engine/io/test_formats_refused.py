"""Weights files (.npz and .json) that are pickled, malformed, unreadable or corrupted at random: FormatError only."""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.files import patch_zip_headers
from support.model_files import classification_model, regression_model
from support.pickle_trap import UNPICKLED, trapped_array

from nnstudio.engine.io.formats import FORMAT_VERSION, FormatError, ModelFile, load_weights, save_weights


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
@cache
def _valid_bytes(suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"w{suffix}"
        save_weights(path, classification_model())
        return path.read_bytes()


@cache
def _structure_offsets(suffix: str) -> tuple[int, ...]:
    """Offsets of the zip headers' fields (for .npz; signatures excluded), where a flipped bit changes how the file is
    read.
    """
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
    """Truncating or overwriting bytes of a valid file: load_weights returns a ModelFile or raises FormatError, nothing
    else.
    """
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
