"""Session files: save, reopen, continue bit for bit; refuse bad files cleanly."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.service_thread import receive, start_service
from support.trainer_states import assert_same_plain_data

from nnstudio.engine.data.datasets import Dataset, resources_dir
from nnstudio.engine.io import sessionfile
from nnstudio.engine.io.sessionfile import SessionFileError, load_session, save_session
from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer
from nnstudio.engine.run.commands import COMMANDS
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession
from nnstudio.engine.run.session_state import data_digest

EXAMPLES_DIR = resources_dir() / "examples"


# -- helpers ------------------------------------------------------------------------------

def _round_trip(session: TrainingSession, folder: Path) -> TrainingSession:
    path = folder / "s.nnstudio"
    save_session(path, session)
    return load_session(path)


def _assert_continues_identically(original: TrainingSession, folder: Path, cycles: int = 100) -> None:
    """Saved and reopened, stepped ``cycles`` cycles: the same as the original stepped so, bit for bit."""
    reopened = _round_trip(original, folder)
    assert_same_plain_data(original.state(), reopened.state())
    for session in (original, reopened):
        session.step("cycle", cycles)
    assert reopened.trainer.cycle == original.trainer.cycle
    assert_same_plain_data(original.state(), reopened.state())
    np.testing.assert_array_equal(reopened.network.flat, original.network.flat)
    np.testing.assert_array_equal(reopened.trainer.optimizer.velocity, original.trainer.optimizer.velocity)
    a, b = original.snapshot(), reopened.snapshot()
    np.testing.assert_array_equal(a.batch_loss, b.batch_loss)
    np.testing.assert_array_equal(a.evaluations, b.evaluations)
    assert (a.cycle, a.epoch) == (b.cycle, b.epoch)


def _noisy_config(**changes) -> SessionConfig:
    config = SessionConfig(
        data=DataSpec("spiral", n_samples=120, noise=0.2, seed=4, test_fraction=0.25),
        hidden=(6, 5), activations=("tanh", "relu", "sigmoid"), loss="mse",
        hyper=Hyperparameters(learning_rate=0.2, momentum=0.9, l2=1e-3, noise=0.05, noise_decay=0.55),
        batch_size=7, seed=11,
    )
    return replace(config, **changes)


def _rewrite(source: Path, target: Path, meta_edit=None, arrays_edit=None) -> None:
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


def _assert_refused_after(tmp_path: Path, message: str, **edits) -> None:
    """The xor session file rewritten with ``edits`` (``_rewrite``'s) is refused, the error matching ``message``."""
    target = tmp_path / "bad.nnstudio"
    _rewrite(_write(tmp_path, _xor_bytes(), "good.nnstudio"), target, **edits)
    with pytest.raises(SessionFileError, match=message):
        load_session(target)


@lru_cache(maxsize=None)
def _xor_bytes() -> bytes:
    session = TrainingSession(_noisy_config(data=DataSpec("xor", n_samples=40, seed=2), hidden=(3,),
                                            activations=("tanh", "sigmoid")))
    session.step("cycle", 23)
    session.snapshot()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.nnstudio"
        save_session(path, session)
        return path.read_bytes()


@lru_cache(maxsize=None)
def _xor_state() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.nnstudio"
        path.write_bytes(_xor_bytes())
        return load_session(path).state()


# -- continuing bit for bit -----------------------------------------------------------------

def test_generated_data_with_batches_momentum_and_noise_continues_bit_for_bit(tmp_path):
    """Mid-epoch, with momentum, L2 and annealed noise: reopened + 100 cycles == original + 100 cycles."""
    session = TrainingSession(_noisy_config())
    session.step("cycle", 137)  # 90 training rows in batches of 7: mid-epoch, a short last batch
    session.snapshot()  # records an evaluation
    session.set_hyper(replace(session.config.hyper, learning_rate=0.15))  # a changed setting is kept
    state = session.trainer.capture()
    assert state.order is not None and state.position
    assert session.trainer.optimizer.last_noise_std > 0
    _assert_continues_identically(session, tmp_path)


def test_generated_data_with_added_features_and_full_batch_continues_bit_for_bit(tmp_path):
    """Extra inputs (x1², sin x1) are made again from the spec; full batch has no batch order."""
    config = _noisy_config(data=DataSpec("circle", n_samples=80, seed=1, features=("x1_squared", "sin_x1")),
                           batch_size=None)
    session = TrainingSession(config)
    session.step("cycle", 30)
    assert session.trainer.capture().order is None
    _assert_continues_identically(session, tmp_path)


def test_regression_data_with_nan_accuracies_continues_bit_for_bit(tmp_path):
    """Regression: the last evaluation's accuracies are NaN and survive the JSON meta."""
    session = TrainingSession(_noisy_config(data=DataSpec("plane", n_samples=60, seed=3),
                                            activations=("tanh", "tanh", "linear")))
    session.step("cycle", 40)
    session.snapshot()
    assert np.isnan(session.trainer.last_evaluation.test_accuracy)
    _assert_continues_identically(session, tmp_path)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_custom_drawn_data_are_saved_in_the_file_and_continue_bit_for_bit(tmp_path, task):
    """Drawn data (no generator can make them again) travel in the file itself."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(50, 2))
    if task == "classification":
        dataset = Dataset("my drawing", X, (X[:, 0] * X[:, 1] > 0).astype(np.int64), task, ("x1", "x2"),
                          "label", ("blue", "orange"))
    else:
        dataset = Dataset("my drawing", X, X[:, 0] - X[:, 1] ** 2, task, ("x1", "x2"), "y")
    session = TrainingSession(_noisy_config(hyper=Hyperparameters(learning_rate=0.02, momentum=0.5, noise=0.01)))
    session.set_dataset(dataset, test_fraction=0.3)
    session.step("cycle", 61)
    reopened = _round_trip(session, tmp_path)
    assert reopened.config.data.custom and reopened.dataset.name == "my drawing"
    assert reopened.dataset.class_names == dataset.class_names
    np.testing.assert_array_equal(reopened.dataset.X, X)
    with np.load(tmp_path / "s.nnstudio", allow_pickle=False) as archive:
        assert {"X", "y"} <= set(archive.files)
    _assert_continues_identically(session, tmp_path)


def test_real_dataset_continues_bit_for_bit_and_is_not_stored(tmp_path):
    """Iris with softmax + cross-entropy: read again from resources/, not stored in the file."""
    config = _noisy_config(data=DataSpec("iris", seed=2), hidden=(5,), activations=("tanh", "softmax"),
                           loss="cross_entropy", batch_size=16)
    session = TrainingSession(config)
    session.step("epoch", 7)
    session.step("cycle", 3)
    _assert_continues_identically(session, tmp_path)
    with np.load(tmp_path / "s.nnstudio", allow_pickle=False) as archive:
        assert "X" not in archive.files and "y" not in archive.files


def test_untrained_session_round_trips(tmp_path):
    """At cycle 0 (no batch order drawn, no history, no evaluation yet) it reopens and continues alike."""
    session = TrainingSession()
    assert session.trainer.last_evaluation is None
    _assert_continues_identically(session, tmp_path)


def test_reopened_session_is_paused_with_a_message_and_a_data_view(tmp_path):
    """It opens paused, says where it is, and its first snapshot carries the data."""
    session = TrainingSession()
    session.step("cycle", 12)
    session.running = True
    reopened = _round_trip(session, tmp_path)
    assert not reopened.running
    snap = reopened.snapshot()
    assert snap.data is not None and snap.cycle == 12
    assert "cycle 12" in snap.message


def test_saved_file_is_an_npz_with_a_json_meta(tmp_path):
    """Readable with np.load(allow_pickle=False); meta names the format, version and every part."""
    session = TrainingSession(_noisy_config())
    session.step("cycle", 9)
    save_session(tmp_path / "s.nnstudio", session)
    with np.load(tmp_path / "s.nnstudio", allow_pickle=False) as archive:
        files = set(archive.files)
        meta = json.loads(str(archive["meta"]))
        assert archive["params"].dtype == np.float64
    assert files == {"meta", "params", "velocity", "updates", "train_idx", "test_idx", "order", "norm_mean",
                     "norm_std", "history_batch_loss", "history_evaluations"}
    assert meta["format"] == "nnstudio-session" and meta["version"] == 1
    assert {"config", "network", "dataset", "trainer", "nnstudio_version"} <= set(meta)
    assert meta["dataset"]["sha256"] == data_digest(session.dataset)
    assert meta["trainer"]["noise_rng"]["bit_generator"] == "PCG64"
    assert SessionConfig.from_dict(meta["config"]) == session.config


def _accumulating_session() -> TrainingSession:
    """A 2-6-5-1 session trained 33 cycles under the "accumulate" delta rule."""
    session = TrainingSession(_noisy_config())
    session.trainer.set_delta_rule("accumulate")
    session.step("cycle", 33)
    return session


@lru_cache(maxsize=None)
def _accumulating_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        save_session(Path(folder) / "a.nnstudio", _accumulating_session())
        return (Path(folder) / "a.nnstudio").read_bytes()


def test_the_accumulate_rule_and_its_kept_error_travel_in_a_version_2_file(tmp_path):
    """Saved as version 2 with each layer's kept error; reopened, the session goes on bit for bit."""
    session = _accumulating_session()
    kept = session.trainer.capture().kept_deltas
    save_session(tmp_path / "s.nnstudio", session)
    with np.load(tmp_path / "s.nnstudio", allow_pickle=False) as archive:
        meta = json.loads(str(archive["meta"]))
        saved = archive["kept_deltas"]
    assert meta["version"] == 2 and meta["trainer"]["delta_rule"] == "accumulate"
    assert saved.shape == (6 + 5 + 1,) and np.abs(saved).max() > 0  # layer after layer, an error kept
    assert [k.tobytes() for k in np.split(saved, [6, 11])] == [k.tobytes() for k in kept]
    assert load_session(tmp_path / "s.nnstudio").trainer.delta_rule == "accumulate"
    _assert_continues_identically(session, tmp_path)


@pytest.mark.parametrize("meta_edit, arrays_edit, message", [
    (None, lambda a: a.pop("kept_deltas"), "missing kept_deltas"),
    (None, lambda a: a.update(kept_deltas=a["kept_deltas"][:-1]), "kept_deltas"),
    (None, lambda a: a.update(kept_deltas=np.full_like(a["kept_deltas"], np.nan)), "kept delta"),
    (lambda m: m["trainer"].pop("delta_rule"), None, "unexpected kept_deltas"),
    (lambda m: m["trainer"].update(delta_rule="sometimes"), None, "delta rule"),
])
def test_a_version_2_file_with_a_bad_kept_error_is_refused(tmp_path, meta_edit, arrays_edit, message):
    source = _write(tmp_path, _accumulating_bytes(), "good.nnstudio")
    _rewrite(source, tmp_path / "bad.nnstudio", meta_edit=meta_edit, arrays_edit=arrays_edit)
    with pytest.raises(SessionFileError, match=message):
        load_session(tmp_path / "bad.nnstudio")


# -- the trainer's state --------------------------------------------------------------------

def _trainer(seed=0, **kwargs):
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(45, 3)), rng.random((45, 2))
    spec = NetworkSpec((3, 4, 2), ("tanh", "sigmoid"))
    options = dict(hyper=Hyperparameters(learning_rate=0.3, momentum=0.8, noise=0.1), batch_size=8,
                   seed=seed, eval_every=5)
    options.update(kwargs)
    return Trainer(Network.from_spec(spec, seed=seed), X, Y, X[:5], Y[:5], **options)


def test_trainer_state_round_trip_continues_bit_for_bit():
    """load_state(state()) into a trainer of another seed: both go on identically."""
    original = _trainer()
    original.step_cycle(23)
    copy = _trainer(seed=99, hyper=Hyperparameters(), batch_size=3, eval_every=None)
    copy.load_state(original.state())
    assert_same_plain_data(original.state(), copy.state())
    original.step_cycle(100)
    copy.step_cycle(100)
    assert_same_plain_data(original.state(), copy.state())


def test_trainer_state_is_a_copy_and_plain_data():
    """state() is not changed by later steps; its scalars are JSON-able."""
    trainer = _trainer()
    trainer.step_cycle(7)
    state = trainer.state()
    params = state["params"].copy()
    trainer.step_cycle(5)
    np.testing.assert_array_equal(state["params"], params)
    scalars = {k: v for k, v in state.items() if k not in ("params", "optimizer", "order", "history")}
    json.dumps(scalars)
    json.dumps(state["optimizer"]["rng"])


def test_a_cycle_in_progress_is_left_out_and_replayed_whole():
    """State taken between phases: the reloaded trainer runs that cycle whole, ending where the original ends."""
    original = _trainer()
    original.step_cycle(6)
    original.step_phases(3)
    assert original.phase_in_progress
    copy = _trainer(seed=5)
    copy.load_state(original.state())
    assert original.phase_in_progress and not copy.phase_in_progress and copy.cycle == 6
    original.step_cycle(10)  # finishes the begun cycle first
    copy.step_cycle(10)
    assert_same_plain_data(original.state(), copy.state())


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.update(params=s["params"][:-1]), "parameters"),
    (lambda s: s.update(params=np.full_like(s["params"], np.nan)), "NaN"),
    (lambda s: s["optimizer"].update(velocity=np.zeros(3)), "velocity"),
    (lambda s: s["optimizer"].update(steps=-1), "steps"),
    (lambda s: s.update(shuffle_rng={"bit_generator": "MT19937"}), "PCG64"),
    (lambda s: s["optimizer"].update(rng={**s["optimizer"]["rng"], "state": {"state": -1, "inc": 1}}), "PCG64"),
    (lambda s: s.update(order=np.zeros(45, dtype=np.int64)), "not an order"),
    (lambda s: s.update(order=np.arange(44)), "order"),
    (lambda s: s.update(order=None, position=8), "position"),
    (lambda s: s.update(position=45), "position"),
    (lambda s: s.update(cycle=1.5), "cycle"),
    (lambda s: s.update(batch_size=0), "batch size"),
    (lambda s: s.update(hyper={"learning_rate": 1}), "hyper"),
    (lambda s: s.update(hyper={**s["hyper"], "momentum": 2.0}), "momentum"),
    (lambda s: s["history"]["batch_loss"].update(stride=3), "stride"),
    (lambda s: s["history"].update(evaluations={**s["history"]["evaluations"], "data": np.zeros((2, 3))}), "history"),
    (lambda s: s.update(last_evaluation={"cycle": 1}), "evaluation"),
    (lambda s: s.pop("epoch"), "epoch"),
])
def test_trainer_load_state_refuses_bad_state_and_changes_nothing(edit, message):
    """A bad state raises ValueError naming the problem; the trainer is as it was."""
    source = _trainer()
    source.step_cycle(13)
    assert source.capture().order is not None
    state = source.state()
    edit(state)
    target = _trainer(seed=4)
    target.step_cycle(3)
    before = target.state()
    with pytest.raises(ValueError, match=message):
        target.load_state(state)
    assert_same_plain_data(before, target.state())


# -- refusing bad files ---------------------------------------------------------------------

def _write(tmp_path: Path, data: bytes, name="bad.nnstudio") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
def test_a_truncated_file_is_refused(tmp_path, fraction):
    """Cut anywhere: SessionFileError naming the file."""
    data = _xor_bytes()
    path = _write(tmp_path, data[: int(len(data) * fraction)])
    with pytest.raises(SessionFileError, match="bad.nnstudio"):
        load_session(path)


@pytest.mark.parametrize("cut", [1, 22, 23, 50])
def test_a_file_missing_its_last_bytes_is_refused(tmp_path, cut):
    """The zip's central directory sits at the end: losing any of it is refused."""
    path = _write(tmp_path, _xor_bytes()[:-cut])
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
    original = _xor_bytes()
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
    with np.load(_write(tmp_path, _xor_bytes(), "good.nnstudio"), allow_pickle=False) as archive:
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

    _rewrite(tmp_path / "good.nnstudio", tmp_path / "bad.nnstudio", arrays_edit=nudge)
    with pytest.raises(SessionFileError, match="damaged"):
        load_session(tmp_path / "bad.nnstudio")


_unpickled: list[str] = []


def _record_unpickling(what):
    _unpickled.append(what)
    return what


class _Trap:
    """Unpickling this records it: proves whether the loader unpickled anything."""

    def __reduce__(self):
        return (_record_unpickling, ("unpickled",))


@pytest.mark.parametrize("key", ["params", "meta", "smuggled"])
def test_a_pickled_object_array_is_refused_without_unpickling(tmp_path, key):
    """An entry that only pickle could load: refused, naming pickle, and nothing is unpickled."""
    source = _write(tmp_path, _xor_bytes(), "good.nnstudio")
    with np.load(source, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays[key] = np.array([_Trap()], dtype=object)
    target = tmp_path / "bad.nnstudio"
    with open(target, "wb") as handle:
        np.savez(handle, **arrays)  # allow_pickle is on when writing
    _unpickled.clear()
    with pytest.raises(SessionFileError, match="pickle"):
        load_session(target)
    assert _unpickled == []


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x05\x06" + bytes(18)])
def test_files_that_are_not_session_files_are_refused(tmp_path, content):
    """Empty, text, an empty zip: SessionFileError."""
    with pytest.raises(SessionFileError, match="bad.nnstudio"):
        load_session(_write(tmp_path, content))


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
    path = _write(tmp_path, _xor_bytes())
    monkeypatch.setattr(sessionfile, "MAX_SESSION_BYTES", len(_xor_bytes()) - 1)
    with pytest.raises(SessionFileError, match="limit"):
        load_session(path)
    monkeypatch.setattr(sessionfile, "MAX_SESSION_BYTES", len(_xor_bytes()) + 1)  # unpacks to more
    with pytest.raises(SessionFileError, match="unpacks"):
        load_session(path)


# -- writing --------------------------------------------------------------------------------

def test_a_failed_save_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    """Writes are atomic: a save that fails part way keeps the previous file whole."""
    path = tmp_path / "s.nnstudio"
    session = TrainingSession()
    save_session(path, session)
    before = path.read_bytes()

    def fail_half_way(handle, **arrays):
        handle.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", fail_half_way)
    session.step("cycle", 5)
    with pytest.raises(SessionFileError, match="No space left"):
        save_session(path, session)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["s.nnstudio"]


def test_non_finite_weights_are_not_saved(tmp_path):
    session = TrainingSession()
    session.network.flat[0] = np.nan
    with pytest.raises(SessionFileError, match="NaN"):
        save_session(tmp_path / "s.nnstudio", session)
    assert not (tmp_path / "s.nnstudio").exists()


# -- the trainer process --------------------------------------------------------------------

def test_service_saves_and_opens_sessions_and_a_bad_file_changes_nothing(tmp_path):
    """save_session → 'saved'; a bad open → 'error' with the session intact; a good open → the saved session."""
    assert {"save_session", "open_session"} <= set(COMMANDS)
    conn, thread = start_service()
    first = receive(conn, "snapshot")
    conn.send(("step", ("cycle", 7)))
    assert receive(conn, "snapshot").cycle == 7
    path = str(tmp_path / "s.nnstudio")
    conn.send(("save_session", (path,)))
    assert receive(conn, "saved") == path
    assert receive(conn, "snapshot").cycle == 7
    conn.send(("step", ("cycle", 5)))
    at_12 = receive(conn, "snapshot")
    assert at_12.cycle == 12

    bad = _write(tmp_path, _xor_bytes()[:100])
    conn.send(("open_session", (str(bad),)))
    assert conn.poll(10)
    kind, text = conn.recv()
    assert kind == "error" and "bad.nnstudio" in text
    after = receive(conn, "snapshot")
    assert after.cycle == 12 and after.generation == at_12.generation
    np.testing.assert_array_equal(after.weights[0], at_12.weights[0])

    conn.send(("open_session", (path,)))
    assert receive(conn, "opened") == path
    opened = receive(conn, "snapshot")
    assert opened.cycle == 7 and opened.data is not None and opened.generation > first.generation
    assert "reopened" in opened.message
    conn.send(("step", ("cycle", 5)))
    again = receive(conn, "snapshot")
    assert again.cycle == 12
    np.testing.assert_array_equal(again.weights[0], at_12.weights[0])  # the same five cycles as before
    conn.send(("quit", ()))
    receive(conn, "bye")
    thread.join(5)
    assert not thread.is_alive()


def test_service_reports_a_failed_save(tmp_path):
    conn, thread = start_service()
    receive(conn, "snapshot")
    conn.send(("save_session", (str(tmp_path / "no such folder" / "s.nnstudio"),)))
    assert conn.poll(10)
    kind, text = conn.recv()
    assert kind == "error" and "s.nnstudio" in text
    conn.send(("quit", ()))
    thread.join(5)


# -- the examples ---------------------------------------------------------------------------

def _examples_module():
    path = EXAMPLES_DIR / "make_examples.py"
    spec = importlib.util.spec_from_file_location("nnstudio_make_examples", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_examples_open_untrained_with_their_stated_settings():
    """Every example in make_examples.py is shipped, opens at cycle 0 and holds the config it states."""
    examples = _examples_module().EXAMPLES
    assert set(examples) == {"xor_sigmoid", "spiral_deep", "digits_classifier"}
    for name, example in examples.items():
        path = EXAMPLES_DIR / f"{name}.nnstudio"
        assert path.stat().st_size < 64 * 1024, name
        session = load_session(path)
        assert session.config == example.config, name
        assert session.trainer.cycle == 0
    xor = examples["xor_sigmoid"].config
    assert (xor.data.name, xor.hidden, xor.activations, xor.loss, xor.hyper.learning_rate, xor.batch_size) == (
        "xor", (4,), ("sigmoid", "sigmoid"), "mse", 2.0, 10)
    digits = load_session(EXAMPLES_DIR / "digits_classifier.nnstudio")
    assert digits.network.spec.sizes == (64, 32, 10) and digits.config.loss == "cross_entropy"


def test_examples_are_what_make_examples_writes_now(tmp_path):
    """The shipped files hold the state the script makes today (weights, split, normalisation)."""
    module = _examples_module()
    module.main(["--out", str(tmp_path)])
    for name in module.EXAMPLES:
        assert_same_plain_data(load_session(tmp_path / f"{name}.nnstudio").state(),
                     load_session(EXAMPLES_DIR / f"{name}.nnstudio").state())


@pytest.mark.slow
def test_spiral_example_learns_what_it_promises():
    """The deep spiral passes its stated train accuracy within its stated cycles."""
    example = _examples_module().EXAMPLES["spiral_deep"]
    session = load_session(EXAMPLES_DIR / "spiral_deep.nnstudio")
    session.step("cycle", example.cycles)
    assert session.trainer.evaluate(record=False).train_accuracy > example.min_train_accuracy >= 0.9


@pytest.mark.slow
@pytest.mark.parametrize("name", ["xor_sigmoid", "digits_classifier"])
def test_other_examples_learn_what_they_promise(name):
    example = _examples_module().EXAMPLES[name]
    session = load_session(EXAMPLES_DIR / f"{name}.nnstudio")
    session.step("cycle", example.cycles)
    assert session.trainer.evaluate(record=False).train_accuracy >= example.min_train_accuracy
