"""Session files that are truncated, flipped, edited, pickled or not session files at all: refused cleanly."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.pickle_trap import UNPICKLED, trapped_array
from support.session_files import rewrite_session_file, write_file, xor_session_bytes
from support.trainer_states import assert_same_plain_data

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.io import sessionfile
from nnstudio.engine.io.sessionfile import SessionFileError, load_session, save_session
from nnstudio.engine.run.session import TrainingSession


def _assert_refused_after(tmp_path: Path, message: str, **edits) -> None:
    """The xor session file rewritten with ``edits`` (``rewrite_session_file``'s) is refused, matching ``message``."""
    target = tmp_path / "bad.nnstudio"
    rewrite_session_file(write_file(tmp_path, xor_session_bytes(), "good.nnstudio"), target, **edits)
    with pytest.raises(SessionFileError, match=message):
        load_session(target)


@cache
def _xor_state() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.nnstudio"
        path.write_bytes(xor_session_bytes())
        return load_session(path).state()




@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
def test_a_truncated_file_is_refused(tmp_path, fraction):
    """Cut anywhere: SessionFileError naming the file."""
    data = xor_session_bytes()
    path = write_file(tmp_path, data[: int(len(data) * fraction)])
    with pytest.raises(SessionFileError, match="bad.nnstudio"):
        load_session(path)


@pytest.mark.parametrize("cut", [1, 22, 23, 50])
def test_a_file_missing_its_last_bytes_is_refused(tmp_path, cut):
    """The zip's central directory sits at the end: losing any of it is refused."""
    path = write_file(tmp_path, xor_session_bytes()[:-cut])
    with pytest.raises(SessionFileError):
        load_session(path)


def _structure_offsets(data: bytes) -> tuple[int, ...]:
    """Offsets inside the zip's headers, where a flipped byte most often confuses a reader."""
    offsets: set[int] = set()
    for signature, length in ((b"PK\x03\x04", 30), (b"PK\x01\x02", 46), (b"PK\x05\x06", 22), (b"\x93NUMPY", 80)):
        start = 0
        while (i := data.find(signature, start)) >= 0:
            offsets.update(range(i, min(i + length, len(data))))
            start = i + 4
    return tuple(sorted(offsets))


@settings(max_examples=50, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_flipped_bytes_are_refused_or_change_nothing(data):
    """Random byte flips: either SessionFileError, or (a flip in a field no reader uses) the same session."""
    original = xor_session_bytes()
    corrupted = bytearray(original)
    position = st.one_of(st.integers(0, len(original) - 1), st.sampled_from(_structure_offsets(original)))
    for _ in range(data.draw(st.integers(1, 4))):
        corrupted[data.draw(position)] ^= data.draw(st.integers(1, 255))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "flipped.nnstudio"
        path.write_bytes(bytes(corrupted))
        try:
            session = load_session(path)
        except SessionFileError as exc:
            assert "flipped.nnstudio" in str(exc)
        else:
            assert_same_plain_data(_xor_state(), session.state())


@pytest.mark.parametrize("edit, message", [
    (lambda m: m.update(format="nnstudio-weights"), "format"),
    (lambda m: m.update(version=sessionfile.FORMAT_VERSION + 1), "newer"),
    (lambda m: m.update(version="1"), "version"),
    (lambda m: m.pop("trainer"), "trainer"),
    (lambda m: m["config"].update(hidden=[3, 3]), "hidden"),
    (lambda m: m["config"].update(loss="hinge"), "loss"),
    (lambda m: m["config"]["hyper"].update(learning_rate=-1), "learning rate"),
    (lambda m: m["config"]["data"].update(n_samples=10**12), "rows"),
    (lambda m: m["network"].update(sizes=[2, 5, 1]), "network sizes"),
    (lambda m: m["network"].update(sizes=[2, 3, 2]), "outputs"),
    (lambda m: m["dataset"].update(class_names=["a", "b", "c"]), "outputs"),
    (lambda m: m["dataset"].update(task="clustering"), "task"),
    (lambda m: m["trainer"].update(cycle=-5), "cycle"),
    (lambda m: m["trainer"].update(has_order=False), "order"),
    (lambda m: m["trainer"]["noise_rng"].update(bit_generator="MT19937"), "PCG64"),
    (lambda m: m["trainer"]["history"]["batch_loss"].update(capacity=8), "history"),
    (lambda m: m["trainer"].update(hyper={**m["trainer"]["hyper"], "momentum": 0.1}), "config"),
])
def test_a_file_with_bad_meta_is_refused(tmp_path, edit, message):
    """Wrong format name, newer version, inconsistent settings: SessionFileError naming the problem."""
    _assert_refused_after(tmp_path, message, meta_edit=edit)


@pytest.mark.parametrize("edit, message", [
    (lambda a: a.pop("velocity"), "missing velocity"),
    (lambda a: a.update(extra=np.zeros(2)), "unexpected extra"),
    (lambda a: a.update(params=a["params"][:-1]), "params"),
    (lambda a: a.update(params=a["params"].astype(np.int64)), "params"),
    (lambda a: a.update(velocity=np.full_like(a["velocity"], np.inf)), "NaN or infinity"),
    (lambda a: a.update(train_idx=a["train_idx"][:-1]), "split"),
    (lambda a: a.update(test_idx=a["train_idx"][: len(a["test_idx"])]), "rows"),
    (lambda a: a.update(order=a["order"][:-1]), "order"),
    (lambda a: a.update(norm_std=-a["norm_std"]), "std"),
    (lambda a: a.update(history_evaluations=np.zeros((3, 2))), "history_evaluations"),
])
def test_a_file_with_bad_arrays_is_refused(tmp_path, edit, message):
    """Missing, extra, misshapen or non-finite arrays: SessionFileError naming them."""
    _assert_refused_after(tmp_path, message, arrays_edit=edit)


@pytest.mark.parametrize("meta, message", [
    (np.array([1, 2]), "one JSON string"),
    (np.array("{not json"), "not valid JSON"),
    (np.array("[1, 2]"), "JSON object"),
    (None, "no 'meta'"),
])
def test_a_file_with_a_bad_meta_entry_is_refused(tmp_path, meta, message):
    """meta must be one string holding a JSON object."""
    with np.load(write_file(tmp_path, xor_session_bytes(), "good.nnstudio"), allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files if k != "meta"}
    if meta is not None:
        arrays["meta"] = meta
    with open(tmp_path / "bad.nnstudio", "wb") as handle:
        np.savez(handle, **arrays)
    with pytest.raises(SessionFileError, match=message):
        load_session(tmp_path / "bad.nnstudio")


def test_regenerated_data_that_no_longer_match_are_refused(tmp_path):
    """A stored SHA-256 that the regenerated data do not hash to: refused, naming the data and the hash."""
    _assert_refused_after(tmp_path, r"'xor' data regenerated .*SHA-256",
                          meta_edit=lambda m: m["dataset"].update(sha256="0" * 64))


def test_damaged_custom_data_are_refused(tmp_path):
    """Drawn data whose bytes no longer hash to the stored SHA-256 are refused as damaged."""
    session = TrainingSession()
    X = np.random.default_rng(0).normal(size=(20, 2))
    session.set_dataset(Dataset("drawn", X, (X[:, 0] > 0).astype(np.int64), "classification", ("x1", "x2"),
                                "label", ("a", "b")))
    save_session(tmp_path / "good.nnstudio", session)

    def nudge(arrays):
        arrays["X"] = arrays["X"].copy()
        arrays["X"][0, 0] += 1e-9

    rewrite_session_file(tmp_path / "good.nnstudio", tmp_path / "bad.nnstudio", arrays_edit=nudge)
    with pytest.raises(SessionFileError, match="damaged"):
        load_session(tmp_path / "bad.nnstudio")


@pytest.mark.parametrize("key", ["params", "meta", "smuggled"])
def test_a_pickled_object_array_is_refused_without_unpickling(tmp_path, key):
    """An entry that only pickle could load: refused, naming pickle, and nothing is unpickled."""
    source = write_file(tmp_path, xor_session_bytes(), "good.nnstudio")
    with np.load(source, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays[key] = trapped_array()
    target = tmp_path / "bad.nnstudio"
    with open(target, "wb") as handle:
        np.savez(handle, **arrays)  # allow_pickle is on when writing
    with pytest.raises(SessionFileError, match="pickle"):
        load_session(target)
    assert UNPICKLED == []


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x05\x06" + bytes(18)])
def test_files_that_are_not_session_files_are_refused(tmp_path, content):
    """Empty, text, an empty zip: SessionFileError."""
    with pytest.raises(SessionFileError, match="bad.nnstudio"):
        load_session(write_file(tmp_path, content))


def test_a_weights_file_is_not_a_session(tmp_path):
    """An nnstudio weights .npz is refused for its format name."""
    session = TrainingSession()
    session.export(str(tmp_path / "w.npz"))
    with pytest.raises(SessionFileError, match="nnstudio-weights"):
        load_session(tmp_path / "w.npz")


def test_missing_file_and_folder_are_refused(tmp_path):
    with pytest.raises(SessionFileError, match="no such file"):
        load_session(tmp_path / "nothing.nnstudio")
    with pytest.raises(SessionFileError, match="folder"):
        load_session(tmp_path)


def test_oversized_files_are_refused(tmp_path, monkeypatch):
    """Above the limit, by the file's size or by what its entries say they unpack to."""
    path = write_file(tmp_path, xor_session_bytes())
    monkeypatch.setattr(sessionfile, "MAX_SESSION_BYTES", len(xor_session_bytes()) - 1)
    with pytest.raises(SessionFileError, match="limit"):
        load_session(path)
    monkeypatch.setattr(sessionfile, "MAX_SESSION_BYTES", len(xor_session_bytes()) + 1)  # unpacks to more
    with pytest.raises(SessionFileError, match="unpacks"):
        load_session(path)
