"""TrainingSession: the state behind the window, without Qt."""

import numpy as np
import pytest

from nnstudio.engine.nn.network import SpecError
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession
from nnstudio.engine.run.snapshot import newest_of


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


# -- divergence: back to a sane checkpoint, counters and curves agreeing ------------------------
PLANE_CALM = SessionConfig(data=DataSpec("plane"), hyper=Hyperparameters(learning_rate=0.5))


def _stepped(config: SessionConfig, cycles: int) -> TrainingSession:
    session = TrainingSession(config)
    session.step("cycle", cycles)
    return session


def test_plane_at_lr_100_goes_back_to_sane_weights_and_the_cycle_shown_is_theirs():
    """200 calm cycles, then lr 100: the loss runs away within a few cycles; cycle 200's weights come back."""
    session = _stepped(PLANE_CALM, 200)
    calm = session.snapshot().evaluation.train_loss
    session.set_hyper(Hyperparameters(learning_rate=100.0))
    session.step("cycle", 2000)
    snap = session.snapshot()
    assert "Training diverged at cycle 20" in snap.message and "Paused at cycle 200" in snap.message
    assert "on standardised targets" in snap.message and "now 100" in snap.message
    assert snap.cycle == session.trainer.cycle == 200 and not snap.running
    reference = _stepped(PLANE_CALM, 200)  # the same run, stopped at cycle 200
    assert np.array_equal(session.network.flat, reference.network.flat)
    assert snap.evaluation.train_loss == calm < 0.1  # what the learner saw at cycle 200, not 4.9e235
    assert snap.batch_cycles.max() == 199 and snap.eval_cycles[-1] == 200  # the curves end at the cycle shown
    assert snap.timeline == (0, 200) and snap.hyper.learning_rate == 100.0
    session.set_hyper(Hyperparameters(learning_rate=0.5))
    session.step("cycle", 30)  # goes on from there exactly as the calm run does
    reference.step("cycle", 30)
    assert np.array_equal(session.network.flat, reference.network.flat)


def test_running_into_a_divergence_shows_the_restored_cycle_and_its_weights():
    """Run (run_for) on plane at lr 100: paused at the restored cycle, with exactly that cycle's weights."""
    config = SessionConfig(data=DataSpec("plane"), hyper=Hyperparameters(learning_rate=100.0))
    session = TrainingSession(config)
    session.running = True
    for _ in range(200):
        session.run_for(0.01)
        if not session.running:
            break
    snap = session.snapshot()
    assert "diverged" in snap.message and not snap.running
    restored = snap.cycle
    assert f"Paused at cycle {restored}" in snap.message
    reference = _stepped(config, restored)
    assert np.array_equal(session.network.flat, reference.network.flat)
    assert snap.evaluation.train_loss <= session.trainer.sane_loss
    assert snap.timeline[1] == restored and (len(snap.batch_cycles) == 0 or snap.batch_cycles.max() < restored)


def test_rewinding_after_a_divergence_reaches_the_cycles_before_it():
    """The timeline keeps the cycles up to the restored one, exactly; none after it."""
    session = _stepped(PLANE_CALM, 100)
    session.set_hyper(Hyperparameters(learning_rate=100.0))
    session.step("cycle", 500)
    assert session.trainer.cycle == 100
    session.rewind(40)
    assert np.array_equal(session.network.flat, _stepped(PLANE_CALM, 40).network.flat)
    with pytest.raises(ValueError, match="out of reach"):
        session.rewind(101)


# -- regression in the data's units -------------------------------------------------------------
def _prices(n: int = 200):
    from nnstudio.engine.data.datasets import Dataset

    X = np.random.default_rng(1).uniform(0.0, 10.0, size=(n, 2))
    return Dataset("prices", X, 1e5 * X[:, 0] + 3e5, "regression", ("rooms", "age"), "price")


def test_a_regression_on_prices_trains_and_shows_prices():
    """y = 1e5·rooms + 3e5: the session trains without diverging; the views are in dollars, the loss standardised."""
    session = TrainingSession(SessionConfig(hyper=Hyperparameters(learning_rate=0.5)))
    data = _prices()
    session.set_dataset(data)
    first = session.snapshot()
    assert "standardised" in first.message
    y_train = data.y[session.experiment.train_idx]
    assert first.target_scaling == pytest.approx((y_train.mean(), y_train.std()), rel=1e-12)
    session.step("cycle", 3000)
    snap = session.snapshot()
    assert "diverged" not in snap.message and snap.evaluation.test_loss < 0.01
    targets, predictions = snap.predictions
    assert np.array_equal(targets, data.y[session.experiment.test_idx])  # the data as they are
    # The standardised test loss is the dollars' MSE over std²: the same errors, in other units.
    rmse = np.sqrt(np.mean((predictions - targets) ** 2))
    assert rmse == pytest.approx(np.sqrt(snap.evaluation.test_loss) * y_train.std(), rel=1e-9)
    assert np.abs(predictions - targets).max() < 0.1 * y_train.std()
    # The output surface is in dollars too: inside the data it follows the line.
    rooms = np.linspace(*first.data.bounds[:2], snap.boundary.shape[1])
    inside = [16, 32, 48]
    np.testing.assert_allclose(snap.boundary[32, inside], 1e5 * rooms[inside] + 3e5, atol=0.1 * y_train.std())


def test_a_regression_session_reopens_and_continues_bit_for_bit(tmp_path):
    """The target scaling is derived from the data again: the reopened run goes on as the original does."""
    from nnstudio.engine.io.sessionfile import load_session, save_session

    session = TrainingSession(SessionConfig(hyper=Hyperparameters(learning_rate=0.5)))
    session.set_dataset(_prices())
    session.step("cycle", 77)
    save_session(tmp_path / "prices.nnstudio", session)
    reopened = load_session(tmp_path / "prices.nnstudio")
    assert reopened.experiment.target_scaling == session.experiment.target_scaling
    session.step("cycle", 40)
    reopened.step("cycle", 40)
    assert np.array_equal(session.network.flat, reopened.network.flat)
    assert np.array_equal(
        session.trainer.history.batch_loss.arrays()[1], reopened.trainer.history.batch_loss.arrays()[1]
    )
    assert np.array_equal(session.snapshot().predictions[1], reopened.snapshot().predictions[1])
