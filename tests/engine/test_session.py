"""TrainingSession: the state behind the window, without Qt."""

import numpy as np
import pytest

from nnstudio.engine.network import SpecError
from nnstudio.engine.optim import Hyperparameters
from nnstudio.engine.session import DataSpec, SessionConfig, TrainingSession
from nnstudio.engine.snapshot import newest_of


def test_first_session_is_xor_with_a_2_4_1_network():
    """The default config is the window's first view."""
    s = TrainingSession().snapshot()
    assert s.spec.sizes == (2, 4, 1)
    assert s.data.name == "xor" and len(s.data.X_train) == 160 and len(s.data.X_test) == 40
    assert s.cycle == 0 and s.evaluation is not None


def test_snapshot_arrays_are_read_only_copies():
    """Changing the session later never changes a snapshot already handed out."""
    session = TrainingSession()
    snap = session.snapshot()
    before = snap.weights[0].copy()
    with pytest.raises(ValueError):
        snap.weights[0][0, 0] = 1.0
    session.step("cycle", 5)
    assert np.array_equal(snap.weights[0], before)
    assert not np.array_equal(session.snapshot().weights[0], before)


def test_data_is_sent_once_per_change():
    """Only the first snapshot after a data change carries the data view."""
    session = TrainingSession()
    assert session.snapshot().data is not None
    assert session.snapshot().data is None
    session.set_data(DataSpec("circle", n_samples=100))
    data = session.snapshot().data
    assert data.name == "circle" and len(data.X_train) + len(data.X_test) == 100


def test_newest_of_keeps_the_data_of_a_dropped_snapshot():
    """Coalescing snapshots never loses the one data view."""
    session = TrainingSession()
    first = session.snapshot()
    session.step("cycle", 1)
    second = session.snapshot()
    merged = newest_of(first, second)
    assert merged.cycle == 1 and merged.data is first.data
    assert newest_of(None, second) is second


def test_step_records_one_batch_loss_per_cycle_and_evaluates():
    """Each stepped cycle adds a batch-loss point; a snapshot evaluates the current weights."""
    session = TrainingSession()
    session.step("cycle", 3)
    snap = session.snapshot()
    assert list(snap.batch_cycles) == [0, 1, 2]
    assert snap.evaluation.cycle == 3 and snap.eval_cycles[-1] == 3


def test_reset_with_the_same_seed_replays_bit_for_bit():
    """Reset gives the same initial weights and, stepped again, the same weights."""
    session = TrainingSession()
    start = session.snapshot().weights
    session.step("cycle", 25)
    after = session.snapshot().weights
    session.reset()
    assert all(np.array_equal(a, b) for a, b in zip(session.snapshot().weights, start))
    session.step("cycle", 25)
    assert all(np.array_equal(a, b) for a, b in zip(session.snapshot().weights, after))
    session.reset(seed=7)
    assert not np.array_equal(session.snapshot().weights[0], start[0])


def test_a_bad_shape_is_refused_and_nothing_changes():
    """Softmax in a hidden layer is refused before the session changes."""
    session = TrainingSession()
    session.step("cycle", 4)
    with pytest.raises(SpecError):
        session.set_network((3,), ("softmax", "sigmoid"))
    snap = session.snapshot()
    assert snap.spec.sizes == (2, 4, 1) and snap.cycle == 4


def test_new_shape_reinitialises_and_says_so():
    """A new shape starts the run over and leaves a message for the window."""
    session = TrainingSession()
    session.step("cycle", 4)
    session.set_network((5, 3), ("tanh", "relu", "sigmoid"))
    snap = session.snapshot()
    assert snap.spec.sizes == (2, 5, 3, 1) and snap.cycle == 0
    assert "re-initialised" in snap.message


def test_hyperparameters_change_without_reset():
    """A new learning rate keeps the weights and counters."""
    session = TrainingSession()
    session.step("cycle", 4)
    weights = session.snapshot().weights
    session.set_hyper(Hyperparameters(learning_rate=0.1, momentum=0.5))
    snap = session.snapshot()
    assert snap.cycle == 4 and snap.hyper.momentum == 0.5
    assert all(np.array_equal(a, b) for a, b in zip(snap.weights, weights))


def test_set_weight_changes_exactly_that_weight():
    """A typed weight lands in W[layer][i, j] and nowhere else."""
    session = TrainingSession()
    before = session.snapshot().weights
    session.set_weight(1, 2, 0, 3.5)
    after = session.snapshot().weights
    assert after[1][2, 0] == 3.5
    changed = [np.argwhere(a != b).tolist() for a, b in zip(after, before)]
    assert changed == [[], [[2, 0]]]
    with pytest.raises(IndexError):
        session.set_weight(0, 9, 0, 1.0)


def test_boundary_and_neuron_maps_cover_the_plane():
    """2-D data gets a 64×64 boundary and a map per neuron of every layer."""
    snap = TrainingSession(SessionConfig(hidden=(3, 2), activations=("tanh", "tanh", "sigmoid"))).snapshot()
    assert snap.boundary.shape == (64, 64)
    assert [m.shape[0] for m in snap.neuron_maps] == [3, 2, 1]
    assert np.all((snap.boundary >= 0) & (snap.boundary <= 1))


def test_run_for_trains_for_about_the_time_given():
    """run_for trains a batch of cycles and stops near its deadline."""
    session = TrainingSession()
    done = session.run_for(0.05)
    assert done > 10 and session.trainer.cycle == done
    assert session.run_for(1.0, max_cycles=7) == 7


def test_divergence_pauses_and_restores_finite_weights():
    """A rate that blows the loss up stops at that cycle, restores finite weights and says what to try."""
    session = TrainingSession(SessionConfig(data=DataSpec("multigauss"), hyper=Hyperparameters(learning_rate=2.0)))
    session.step("cycle", 2000)
    snap = session.snapshot()
    assert "diverged at cycle" in snap.message and "smaller learning rate" in snap.message
    assert snap.cycle < 2000 and not snap.running
    assert all(np.isfinite(w).all() for w in snap.weights)
    session.step("cycle", 1)  # training can go on (and diverge again) from the restored weights
    assert session.trainer.cycle == snap.cycle + 1
