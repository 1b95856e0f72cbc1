"""Session files: save, reopen and continue bit for bit; the layout, atomic writes and the trainer process."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from support.service_thread import receive, start_service
from support.session_files import noisy_config, rewrite_session_file, write_file, xor_session_bytes
from support.trainer_states import assert_same_plain_data

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.io.sessionfile import SessionFileError, load_session, save_session
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.commands import COMMANDS
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession
from nnstudio.engine.run.session_state import data_digest

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



# -- continuing bit for bit -----------------------------------------------------------------

def test_generated_data_with_batches_momentum_and_noise_continues_bit_for_bit(tmp_path):
    """Mid-epoch, with momentum, L2 and annealed noise: reopened + 100 cycles == original + 100 cycles."""
    session = TrainingSession(noisy_config())
    session.step("cycle", 137)  # 90 training rows in batches of 7: mid-epoch, a short last batch
    session.snapshot()  # records an evaluation
    session.set_hyper(replace(session.config.hyper, learning_rate=0.15))  # a changed setting is kept
    state = session.trainer.capture()
    assert state.order is not None and state.position
    assert session.trainer.optimizer.last_noise_std > 0
    _assert_continues_identically(session, tmp_path)


def test_generated_data_with_added_features_and_full_batch_continues_bit_for_bit(tmp_path):
    """Extra inputs (x1², sin x1) are made again from the spec; full batch has no batch order."""
    config = noisy_config(data=DataSpec("circle", n_samples=80, seed=1, features=("x1_squared", "sin_x1")),
                           batch_size=None)
    session = TrainingSession(config)
    session.step("cycle", 30)
    assert session.trainer.capture().order is None
    _assert_continues_identically(session, tmp_path)


def test_regression_data_with_nan_accuracies_continues_bit_for_bit(tmp_path):
    """Regression: the last evaluation's accuracies are NaN and survive the JSON meta."""
    session = TrainingSession(noisy_config(data=DataSpec("plane", n_samples=60, seed=3),
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
    session = TrainingSession(noisy_config(hyper=Hyperparameters(learning_rate=0.02, momentum=0.5, noise=0.01)))
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
    config = noisy_config(data=DataSpec("iris", seed=2), hidden=(5,), activations=("tanh", "softmax"),
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
    session = TrainingSession(noisy_config())
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
    session = TrainingSession(noisy_config())
    session.trainer.set_delta_rule("accumulate")
    session.step("cycle", 33)
    return session


@cache
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
    source = write_file(tmp_path, _accumulating_bytes(), "good.nnstudio")
    rewrite_session_file(source, tmp_path / "bad.nnstudio", meta_edit=meta_edit, arrays_edit=arrays_edit)
    with pytest.raises(SessionFileError, match=message):
        load_session(tmp_path / "bad.nnstudio")


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

    bad = write_file(tmp_path, xor_session_bytes()[:100])
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
