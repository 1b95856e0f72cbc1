"""Tests for nnstudio.engine.nn.trainer: cycles, phases, epochs, determinism, history, evaluation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnstudio.engine.data.datasets import generate
from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.phases import PHASE_KINDS, cycle_phase_order
from nnstudio.engine.nn.trainer import Trainer

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])

NOISY = Hyperparameters(learning_rate=0.3, momentum=0.8, l1=1e-3, l2=1e-2, noise=0.05)


def _data(n=10, n_in=2, n_out=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.random((n, n_out))


def _trainer(sizes=(2, 3, 1), activations=("sigmoid", "sigmoid"), n=10, net_seed=1, **kwargs):
    X, Y = _data(n, sizes[0], sizes[-1])
    net = Network.from_spec(NetworkSpec(sizes, activations), seed=net_seed)
    return Trainer(net, X, Y, **kwargs)


def _phases_per_cycle(trainer):
    return 2 * trainer.network.spec.n_layers + 2


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- learning ----------------------------------------------------------------------------


def test_2_4_1_sigmoid_net_learns_xor_truth_table():
    """A 2-4-1 sigmoid/MSE net reaches 100% accuracy on the 4-row XOR truth table."""
    net = Network.from_spec(NetworkSpec((2, 4, 1), ("sigmoid", "sigmoid")), seed=0)
    trainer = Trainer(net, XOR_X, XOR_Y, hyper=Hyperparameters(learning_rate=2.0), seed=0)
    start = trainer.evaluate(record=False)
    trainer.step_cycle(2000)
    result = trainer.evaluate()
    assert result.train_accuracy == 1.0
    assert result.train_loss < start.train_loss / 10
    assert np.max(np.abs(net.predict(XOR_X) - XOR_Y)) < 0.2


def test_2_4_1_net_learns_generated_xor_with_mini_batches():
    """generate('xor', 4, noise=0) is learned too, with batch size 2 and momentum."""
    data = generate("xor", n_samples=4, noise=0.0)
    net = Network.from_spec(NetworkSpec((2, 4, 1), ("sigmoid", "sigmoid")), seed=0)
    trainer = Trainer(net, data.X, data.targets(), hyper=Hyperparameters(learning_rate=0.5, momentum=0.9),
                      batch_size=2, seed=0)
    trainer.step_epoch(1000)
    assert trainer.evaluate().train_accuracy == 1.0


# -- phases vs cycles --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hyper", "batch_size"),
    [
        (Hyperparameters(learning_rate=0.5), None),
        (Hyperparameters(learning_rate=0.5), 3),
        (NOISY, None),
        (NOISY, 3),
        (NOISY, 4),
    ],
)
def test_stepping_by_phases_equals_stepping_by_cycles_bit_for_bit(hyper, batch_size):
    """Whole cycles stepped phase by phase end on exactly step_cycle's weights, losses and counters."""
    kwargs = dict(sizes=(2, 4, 3, 1), activations=("tanh", "relu", "sigmoid"), hyper=hyper,
                  batch_size=batch_size, seed=7)
    by_phase, by_cycle = _trainer(**kwargs), _trainer(**kwargs)
    n_cycles = 9  # three epochs of batch 3 on 10 rows, with a short last batch each epoch
    for _ in range(n_cycles * _phases_per_cycle(by_phase)):
        by_phase.step_phase()
    by_cycle.step_cycle(n_cycles)
    assert not by_phase.phase_in_progress
    assert np.array_equal(by_phase.network.flat, by_cycle.network.flat)
    assert np.array_equal(by_phase.optimizer.velocity, by_cycle.optimizer.velocity)
    assert (by_phase.cycle, by_phase.epoch) == (by_cycle.cycle, by_cycle.epoch) == (n_cycles, by_cycle.epoch)
    for a, b in zip(by_phase.history.batch_loss.arrays(), by_cycle.history.batch_loss.arrays()):
        assert np.array_equal(a, b)
    for a, b in zip(by_phase.history.evaluations.arrays(), by_cycle.history.evaluations.arrays()):
        assert np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("phases_first", [1, 3, 5, 7])
def test_cycle_started_by_phases_and_finished_by_step_cycle_matches(phases_first):
    """A cycle begun by phases and finished by step_cycle counts once and gives step_cycle's bits."""
    kwargs = dict(sizes=(2, 4, 3, 1), activations=("tanh", "leaky_relu", "sigmoid"), hyper=NOISY,
                  batch_size=3, seed=3)
    mixed, plain = _trainer(**kwargs), _trainer(**kwargs)
    mixed.step_cycle(2)
    for _ in range(phases_first):
        mixed.step_phase()
    assert mixed.phase_in_progress
    assert mixed.cycle == 2
    mixed.step_cycle(3)  # finishes the begun cycle, then two more
    plain.step_cycle(5)
    assert not mixed.phase_in_progress
    assert mixed.cycle == plain.cycle == 5
    assert np.array_equal(mixed.network.flat, plain.network.flat)
    # and going on by phases afterwards still matches
    for _ in range(_phases_per_cycle(mixed)):
        mixed.step_phase()
    plain.step_cycle()
    assert np.array_equal(mixed.network.flat, plain.network.flat)


def test_step_epoch_finishes_a_cycle_begun_by_phases():
    """step_epoch completes a phase-begun cycle and stops at the epoch boundary like step_cycle would."""
    kwargs = dict(hyper=NOISY, batch_size=3, seed=2)
    mixed, plain = _trainer(**kwargs), _trainer(**kwargs)
    mixed.step_phase()
    mixed.step_epoch()
    plain.step_cycle(4)
    assert (mixed.cycle, mixed.epoch) == (4, 1)
    assert np.array_equal(mixed.network.flat, plain.network.flat)


def test_phase_sequence_of_a_two_hidden_layer_net():
    """A 2-hidden-layer cycle is forward 0,1,2, loss, backward 2,1,0, update."""
    trainer = _trainer(sizes=(2, 4, 3, 1), activations=("sigmoid", "sigmoid", "sigmoid"))
    records = trainer.step_phases(8)
    assert [(r.kind, r.layer) for r in records] == [
        ("forward", 0), ("forward", 1), ("forward", 2), ("loss", None),
        ("backward", 2), ("backward", 1), ("backward", 0), ("update", None),
    ]
    assert {r.kind for r in records} == set(PHASE_KINDS)
    assert tuple((r.kind, r.layer) for r in records) == cycle_phase_order(3)  # the order the views count on
    assert all(r.cycle == 0 for r in records)
    assert trainer.step_phase().cycle == 1


def test_phase_in_progress_tracks_the_cycle():
    """phase_in_progress is true from the first phase until the update phase."""
    trainer = _trainer()
    assert not trainer.phase_in_progress
    for _ in range(5):
        trainer.step_phase()
        assert trainer.phase_in_progress
    assert trainer.step_phase().kind == "update"
    assert not trainer.phase_in_progress
    assert trainer.cycle == 1


# -- phase records -----------------------------------------------------------------------


def test_phase_records_hold_what_the_docstring_says():
    """forward sum = input@W+b, loss error = target − output, backward grads, update = after − before."""
    X, Y = _data(6, 3, 2, seed=4)
    net = Network.from_spec(NetworkSpec((3, 4, 2), ("tanh", "sigmoid")), seed=5)
    net.biases[0][:] = [0.1, -0.2, 0.3, 0.05]
    before_W = [W.copy() for W in net.weights]
    before_b = [b.copy() for b in net.biases]
    lr = 0.7
    trainer = Trainer(net, X, Y, hyper=Hyperparameters(learning_rate=lr))
    f0, f1, loss, b1, b0, update = trainer.step_phases(6)

    # forward: values of the test's own forward pass
    np.testing.assert_array_equal(f0.values["input"], X)
    np.testing.assert_array_equal(f0.values["weights"], before_W[0])
    np.testing.assert_array_equal(f0.values["bias"], before_b[0])
    z0 = X @ before_W[0] + before_b[0]
    np.testing.assert_allclose(f0.values["sum"], z0, rtol=1e-14, atol=1e-15)
    h = np.tanh(z0)
    np.testing.assert_allclose(f0.values["activation"], h, rtol=1e-14, atol=1e-15)
    np.testing.assert_array_equal(f1.values["input"], f0.values["activation"])
    z1 = h @ before_W[1] + before_b[1]
    np.testing.assert_allclose(f1.values["sum"], z1, rtol=1e-13, atol=1e-15)
    out = _sig(z1)
    np.testing.assert_allclose(f1.values["activation"], out, rtol=1e-13)

    # loss: error = target − output, loss = Σ error² / outputs, averaged over the batch
    np.testing.assert_allclose(loss.values["output"], out, rtol=1e-13)
    np.testing.assert_array_equal(loss.values["target"], Y)
    np.testing.assert_allclose(loss.values["error"], Y - out, rtol=1e-12, atol=1e-15)
    assert loss.values["loss"] == pytest.approx(np.mean((Y - out) ** 2), rel=1e-13)

    # backward: δ, f'(z) and the gradients, by the chain rule written out here
    d_out = 2 * (out - Y) / Y.size * out * (1 - out)
    np.testing.assert_allclose(b1.values["derivative"], out * (1 - out), rtol=1e-12)
    np.testing.assert_allclose(b1.values["delta"], d_out, rtol=1e-11, atol=1e-16)
    np.testing.assert_allclose(b1.values["grad_weights"], h.T @ d_out, rtol=1e-11, atol=1e-16)
    np.testing.assert_allclose(b1.values["grad_bias"], d_out.sum(axis=0), rtol=1e-11, atol=1e-16)
    d_hid = (d_out @ before_W[1].T) * (1 - h**2)
    np.testing.assert_allclose(b0.values["derivative"], 1 - h**2, rtol=1e-12)
    np.testing.assert_allclose(b0.values["delta"], d_hid, rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(b0.values["grad_weights"], X.T @ d_hid, rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(b0.values["grad_bias"], d_hid.sum(axis=0), rtol=1e-10, atol=1e-16)

    # update: new − old, the new weights, −lr·gradient without momentum/noise
    for l in range(2):
        np.testing.assert_array_equal(update.values["weights"][l], net.weights[l])
        np.testing.assert_array_equal(update.values["biases"][l], net.biases[l])
        np.testing.assert_allclose(update.values["weight_updates"][l], net.weights[l] - before_W[l],
                                   rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(update.values["bias_updates"][l], net.biases[l] - before_b[l],
                                   rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(update.values["weight_updates"][0], -lr * b0.values["grad_weights"], rtol=1e-15)
    np.testing.assert_allclose(update.values["bias_updates"][1], -lr * b1.values["grad_bias"], rtol=1e-15)
    assert update.values["learning_rate"] == lr
    assert update.values["noise_std"] == 0.0


def test_update_record_reports_the_noise_std_of_that_update():
    """noise_std in the update record is σ_t = noise/(1+t)^decay of the update just applied."""
    trainer = _trainer(hyper=Hyperparameters(learning_rate=0.1, noise=0.4, noise_decay=0.5))
    trainer.step_cycle(3)
    update = trainer.step_phases(_phases_per_cycle(trainer))[-1]
    assert update.values["noise_std"] == pytest.approx(0.4 / (1 + 3) ** 0.5, rel=1e-14)


def test_phase_record_values_are_read_only_copies():
    """Record values can be neither reassigned nor written, and later cycles do not change them."""
    trainer = _trainer(sizes=(2, 3, 1), batch_size=4)
    records = trainer.step_phases(_phases_per_cycle(trainer))
    snapshot = {
        (r.kind, r.layer, k): (tuple(np.copy(x) for x in v) if isinstance(v, tuple) else np.copy(v))
        for r in records for k, v in r.values.items()
    }
    for record in records:
        with pytest.raises(TypeError):
            record.values["extra"] = 1  # type: ignore[index]
        for value in record.values.values():
            arrays = value if isinstance(value, tuple) else (value,)
            for array in arrays:
                if isinstance(array, np.ndarray):
                    assert not array.flags.writeable
                    with pytest.raises(ValueError):
                        array[...] = 0.0
    trainer.step_cycle(5)
    for (kind, layer, key), old in snapshot.items():
        record = next(r for r in records if (r.kind, r.layer) == (kind, layer))
        new = record.values[key]
        if isinstance(old, tuple):
            assert all(np.array_equal(a, b) for a, b in zip(old, new))
        else:
            assert np.array_equal(old, new)


# -- determinism -------------------------------------------------------------------------


def test_same_seed_and_settings_give_identical_runs():
    """Two trainers with equal seeds, data and settings produce bit-identical weights and histories."""
    a = _trainer(hyper=NOISY, batch_size=3, seed=11)
    b = _trainer(hyper=NOISY, batch_size=3, seed=11)
    a.step_epoch(5)
    b.step_epoch(5)
    assert np.array_equal(a.network.flat, b.network.flat)
    for sa, sb in ((a.history.batch_loss, b.history.batch_loss), (a.history.evaluations, b.history.evaluations)):
        for xa, xb in zip(sa.arrays(), sb.arrays()):
            assert np.array_equal(xa, xb, equal_nan=True)


def _batch_inputs(trainer, n_cycles):
    inputs = []
    for _ in range(n_cycles):
        records = trainer.step_phases(_phases_per_cycle(trainer))
        inputs.append(records[0].values["input"])
    return inputs


def test_different_seed_gives_a_different_batch_order():
    """Another trainer seed shuffles the rows differently; the same seed shuffles them the same."""
    same = [_batch_inputs(_trainer(batch_size=2, seed=s), 5) for s in (1, 1, 2)]
    assert all(np.array_equal(a, b) for a, b in zip(same[0], same[1]))
    assert not all(np.array_equal(a, b) for a, b in zip(same[0], same[2]))


def test_each_epoch_visits_every_row_once():
    """One epoch of mini-batches is a permutation of the training rows, reshuffled each epoch."""
    trainer = _trainer(batch_size=3, seed=4)
    X = trainer.X_train
    epochs = []
    for _ in range(2):
        rows = np.concatenate(_batch_inputs(trainer, trainer.cycles_per_epoch))
        assert rows.shape == X.shape
        assert sorted(map(tuple, rows)) == sorted(map(tuple, X))
        epochs.append(rows)
    assert not np.array_equal(epochs[0], epochs[1])


def test_noise_does_not_shift_the_batch_order():
    """Turning noise on changes the weights but not which rows each cycle uses."""
    quiet = _batch_inputs(_trainer(batch_size=3, seed=6, hyper=Hyperparameters(learning_rate=0.3)), 8)
    noisy = _batch_inputs(_trainer(batch_size=3, seed=6, hyper=Hyperparameters(learning_rate=0.3, noise=0.5)), 8)
    assert all(np.array_equal(a, b) for a, b in zip(quiet, noisy))


def test_abort_cycle_changes_nothing():
    """A cycle aborted after some phases leaves weights, counters and the next batch as they were."""
    kwargs = dict(hyper=NOISY, batch_size=3, seed=8)
    aborted, plain = _trainer(**kwargs), _trainer(**kwargs)
    first_try = aborted.step_phases(3)
    before = aborted.network.flat.copy()
    aborted.abort_cycle()
    assert not aborted.phase_in_progress
    assert aborted.cycle == 0
    assert np.array_equal(aborted.network.flat, before)
    retry = aborted.step_phase()
    np.testing.assert_array_equal(retry.values["input"], first_try[0].values["input"])
    aborted.step_cycle(12)
    plain.step_cycle(12)
    assert np.array_equal(aborted.network.flat, plain.network.flat)


# -- epochs and counters -----------------------------------------------------------------


@pytest.mark.parametrize(("batch_size", "per_epoch"), [(None, 1), (1, 10), (3, 4), (5, 2), (9, 2), (10, 1), (50, 1)])
def test_step_epoch_counts_epochs_and_cycles(batch_size, per_epoch):
    """cycles_per_epoch = ceil(n / batch); step_epoch(k) advances epoch by k and cycle by k·that."""
    trainer = _trainer(n=10, batch_size=batch_size)
    assert trainer.cycles_per_epoch == per_epoch == math.ceil(10 / (batch_size or 10))
    trainer.step_epoch()
    assert (trainer.epoch, trainer.cycle) == (1, per_epoch)
    trainer.step_epoch(2)
    assert (trainer.epoch, trainer.cycle) == (3, 3 * per_epoch)


def test_step_epoch_from_mid_epoch_finishes_the_current_epoch():
    """step_epoch after a partial epoch stops at the next epoch boundary."""
    trainer = _trainer(n=10, batch_size=3)
    trainer.step_cycle(1)
    assert trainer.epoch == 0
    trainer.step_epoch()
    assert (trainer.epoch, trainer.cycle) == (1, 4)


def test_batch_size_validation():
    """Batch size below 1 is refused; at or above the data size it means full batch."""
    trainer = _trainer(n=10)
    with pytest.raises(ValueError):
        trainer.set_batch_size(0)
    trainer.set_batch_size(10)
    assert trainer.batch_size is None
    trainer.set_batch_size(4)
    assert trainer.batch_size == 4 and trainer.cycles_per_epoch == 3


def test_trainer_refuses_data_that_does_not_fit():
    """Training data with the wrong width, wrong target shape or no rows raises ValueError."""
    net = Network.from_spec(NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid")))
    with pytest.raises(ValueError):
        Trainer(net, np.zeros((4, 3)), np.zeros((4, 1)))
    with pytest.raises(ValueError):
        Trainer(net, np.zeros((4, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError):
        Trainer(net, np.zeros((0, 2)), np.zeros((0, 1)))
    with pytest.raises(ValueError):
        Trainer(net, np.zeros((4, 2)), np.zeros((4, 1)), np.zeros((2, 3)), np.zeros((2, 1)))


def test_changing_hyperparameters_mid_run_keeps_counters_weights_and_momentum():
    """set_hyperparameters changes nothing until the next update, which then uses the new settings."""
    trainer = _trainer(hyper=Hyperparameters(learning_rate=0.3, momentum=0.9, noise=0.1), batch_size=3)
    trainer.step_cycle(6)
    state = (trainer.cycle, trainer.epoch, trainer.optimizer.steps, len(trainer.history.batch_loss))
    flat, velocity = trainer.network.flat.copy(), trainer.optimizer.velocity.copy()
    new = Hyperparameters(learning_rate=0.05, momentum=0.5, noise=0.2)
    trainer.set_hyperparameters(new)
    assert trainer.hyper == new
    assert (trainer.cycle, trainer.epoch, trainer.optimizer.steps, len(trainer.history.batch_loss)) == state
    assert np.array_equal(trainer.network.flat, flat)
    assert np.array_equal(trainer.optimizer.velocity, velocity)
    # the noise schedule's t is not reset either
    assert trainer.optimizer.noise_std() == pytest.approx(0.2 / (1 + 6) ** 0.55)
    records = trainer.step_phases(_phases_per_cycle(trainer))
    grad = np.concatenate([p.ravel() for r in reversed(records[3:5]) for p in (r.values["grad_weights"],
                                                                               r.values["grad_bias"])])
    expected_velocity = 0.5 * velocity + grad
    np.testing.assert_allclose(trainer.optimizer.velocity, expected_velocity, rtol=1e-14, atol=1e-16)
    assert trainer.cycle == 7


# -- history and evaluation --------------------------------------------------------------


def test_history_has_one_batch_loss_per_cycle_and_an_evaluation_per_epoch():
    """batch_loss gets (cycle, loss before the update) every cycle; evaluations come at each epoch end."""
    trainer = _trainer(n=10, batch_size=3)
    losses = []
    for _ in range(12):
        records = trainer.step_phases(_phases_per_cycle(trainer))
        losses.append(records[2].values["loss"])
    x, values = trainer.history.batch_loss.arrays()
    np.testing.assert_array_equal(x, np.arange(12))
    np.testing.assert_array_equal(values[:, 0], losses)
    ex, ev = trainer.history.evaluations.arrays()
    np.testing.assert_array_equal(ex, [4, 8, 12])
    assert ev.shape == (3, 4)
    net = trainer.network
    assert ev[-1, 0] == pytest.approx(net.loss_value(trainer.X_train, trainer.Y_train), rel=1e-14)
    assert trainer.last_evaluation.cycle == 12


def test_eval_every_evaluates_every_n_cycles():
    """eval_every=5 records an evaluation after cycles 5, 10, 15 instead of at epoch ends."""
    trainer = _trainer(n=10, batch_size=3, eval_every=5)
    trainer.step_cycle(16)
    np.testing.assert_array_equal(trainer.history.evaluations.arrays()[0], [5, 10, 15])


def test_batch_loss_history_thins_after_its_capacity():
    """Past the history's capacity batch_loss keeps at most that many evenly spaced points."""
    from nnstudio.engine.run.history import History

    trainer = _trainer(n=4)
    trainer.history = History(capacity=8)
    trainer.step_cycle(40)
    x, _ = trainer.history.batch_loss.arrays()
    assert len(x) <= 8
    assert np.all(np.diff(x) == trainer.history.batch_loss.stride)
    assert x[0] == 0 and x[-1] >= 40 - trainer.history.batch_loss.stride


def test_evaluate_without_test_split_gives_nan_test_values():
    """With no test split the test loss and accuracy are NaN; train values are real numbers."""
    trainer = _trainer()
    result = trainer.evaluate()
    assert math.isnan(result.test_loss) and math.isnan(result.test_accuracy)
    assert math.isfinite(result.train_loss) and 0.0 <= result.train_accuracy <= 1.0
    assert trainer.history.evaluations.last()[0] == 0


def test_evaluate_for_regression_gives_nan_accuracy():
    """classification=False: losses are computed, accuracies are NaN on both splits."""
    X, Y = _data(8)
    net = Network.from_spec(NetworkSpec((2, 3, 1), ("tanh", "linear")), seed=0)
    trainer = Trainer(net, X[:6], Y[:6], X[6:], Y[6:], classification=False)
    result = trainer.evaluate(record=False)
    assert math.isnan(result.train_accuracy) and math.isnan(result.test_accuracy)
    assert result.train_loss == pytest.approx(np.mean((net.predict(X[:6]) - Y[:6]) ** 2), rel=1e-14)
    assert result.test_loss == pytest.approx(np.mean((net.predict(X[6:]) - Y[6:]) ** 2), rel=1e-14)
    assert len(trainer.history.evaluations) == 0


def test_evaluate_accuracy_on_both_splits():
    """Accuracy is the fraction of rows whose thresholded output matches the 0/1 target."""
    X = np.array([[1.0], [-1.0], [2.0], [-2.0], [3.0]])
    Y = np.array([[1.0], [0.0], [0.0], [0.0], [1.0]])
    net = Network(NetworkSpec((1, 1), ("sigmoid",)), [np.array([[1.0]])], [np.zeros(1)])
    trainer = Trainer(net, X[:4], Y[:4], X[4:], Y[4:])
    result = trainer.evaluate()
    # outputs > 0.5 exactly where x > 0: train rows right, right, wrong, right; test row right
    assert result.train_accuracy == 0.75
    assert result.test_accuracy == 1.0
    expected = np.mean((_sig(X[:4]) - Y[:4]) ** 2)
    assert result.train_loss == pytest.approx(expected, rel=1e-14)


def test_evaluate_does_not_disturb_the_cycle():
    """Evaluating between phases leaves the phase-stepped cycle's numbers unchanged."""
    kwargs = dict(hyper=NOISY, seed=1)
    with_eval, plain = _trainer(**kwargs), _trainer(**kwargs)
    for _ in range(_phases_per_cycle(with_eval) * 3):
        with_eval.step_phase()
        with_eval.evaluate(record=False)
    plain.step_cycle(3)
    assert np.array_equal(with_eval.network.flat, plain.network.flat)


# -- divergence ------------------------------------------------------------------------------
def _one_weight_line(lr: float, target: float = 0.0, w: float = 0.5) -> Trainer:
    """y = w·x + b on the one row x = 1: the error e = w + b − target becomes e·(1 − 4·lr) each cycle.

    MSE e² has gradient 2e for w (x = 1) and for b, so both move by −lr·2e and e by −4·lr·e.
    """
    net = Network(NetworkSpec((1, 1), ("linear",)), [[[w]]], [[0.0]])
    return Trainer(net, [[1.0]], [[target]], hyper=Hyperparameters(learning_rate=lr), classification=False,
                   eval_every=0)


def _step_with_checkpoints(trainer: Trainer, cycles: int) -> None:
    for _ in range(cycles):
        trainer.checkpoint()
        trainer.step_cycle(1)


def test_a_runaway_loss_is_a_divergence_before_it_overflows():
    """lr 5: e = 0.5·(−19)^c, loss 0.25·361^c: 0.25, 90.25, 32580.25, then 1.18e7 > 1e6 stops it at cycle 3."""
    trainer = _one_weight_line(5.0)
    trainer.step_cycle(100)
    assert trainer.diverged_at == 3 and trainer.cycle == 4
    assert trainer.diverged_loss == pytest.approx(0.25 * 19.0**6, rel=1e-12)
    _, losses = trainer.history.batch_loss.arrays()
    np.testing.assert_allclose(losses[:, 0], [0.25, 90.25, 32580.25, 0.25 * 19.0**6], rtol=1e-12)


def test_a_large_honest_loss_on_large_targets_is_not_a_divergence():
    """Target 1000 (unscaled): a first loss of ~1e6 is the targets' own scale, and lr 0.1 converges (e·0.6 a cycle)."""
    trainer = _one_weight_line(0.1, target=1000.0)
    trainer.step_cycle(60)
    assert trainer.diverged_at is None
    _, losses = trainer.history.batch_loss.arrays()
    assert losses[0, 0] == pytest.approx(999.5**2) and losses[-1, 0] == pytest.approx(999.5**2 * 0.36**59, rel=1e-9)


def test_roll_back_returns_to_the_last_checkpoint_whose_loss_was_sane():
    """lr 1.5 (e·(−5) a cycle), a checkpoint every cycle: losses 0.25, 6.25, 156.25, 3906.25, 97656.25, 2.4e6.

    Cycle 1 (6.25 ≤ 10) is the last sane one: w = 0.5 − 1.5·2·0.5 = −1, b = −1.5.
    """
    trainer = _one_weight_line(1.5)
    _step_with_checkpoints(trainer, 10)
    rollback = trainer.roll_back()
    assert (rollback.diverged_at, rollback.cycle, rollback.proven) == (5, 1, True)
    assert "ran away to 2.44e+06" in rollback.cause()
    assert trainer.cycle == 1 and trainer.epoch == 1 and trainer.diverged_at is None
    assert trainer.network.weights[0][0, 0] == -1.0 and trainer.network.biases[0][0] == -1.5
    cycles, losses = trainer.history.batch_loss.arrays()
    assert cycles.tolist() == [0.0] and losses[:, 0].tolist() == [0.25]
    assert trainer.evaluate().train_loss == 6.25  # (−1 − 1.5)²


def test_a_loss_far_above_the_start_is_not_a_checkpoint_to_return_to():
    """lr 5 (e·(−19) a cycle): cycles 1 and 2 (losses 90.25, 32580.25) are finite but no sane return: back to cycle 0."""
    trainer = _one_weight_line(5.0)
    _step_with_checkpoints(trainer, 10)
    rollback = trainer.roll_back()
    assert (rollback.diverged_at, rollback.cycle) == (3, 0)
    assert trainer.network.weights[0][0, 0] == 0.5 and trainer.network.biases[0][0] == 0.0
    assert len(trainer.history.batch_loss) == 0 and len(trainer.history.evaluations) == 0


def test_nan_loss_and_overflowed_weights_are_divergences_too():
    """A NaN loss stops stepping; weights an update made infinite are noticed by check_divergence."""
    trainer = _one_weight_line(0.1)
    trainer.step_cycle(2)
    trainer.network.layers[0].W[0, 0] = np.inf
    assert trainer.check_divergence() == 2 and math.isnan(trainer.diverged_loss)
    trainer.step_cycle(5)
    assert trainer.cycle == 2  # stepping stops at a divergence
    rollback = trainer.roll_back()
    assert rollback.cycle == 0 and rollback.cause() == "the loss became NaN"
    assert trainer.network.is_finite()
    trainer = _one_weight_line(0.1)
    trainer.network.layers[0].b[0] = np.nan
    trainer.step_cycle(3)
    assert trainer.diverged_at == 0 and trainer.cycle == 1


def test_roll_back_without_a_divergence_is_refused():
    trainer = _one_weight_line(0.1)
    trainer.step_cycle(3)
    with pytest.raises(RuntimeError, match="not diverged"):
        trainer.roll_back()


def test_after_a_roll_back_training_goes_on_exactly_as_from_that_cycle():
    """Mini-batches, momentum and noise: back at cycle 7, five more cycles equal a straight run of 12, bit for bit."""
    hyper = Hyperparameters(learning_rate=0.1, momentum=0.5, noise=0.01)

    def trainer():
        X, Y = _data(n=20, n_in=2, n_out=1, seed=4)
        net = Network.from_spec(NetworkSpec((2, 3, 1), ("tanh", "linear")), seed=2)
        return Trainer(net, X, Y, hyper=hyper, batch_size=3, seed=9, classification=False, eval_every=0)

    diverging = trainer()
    diverging.step_cycle(7)
    diverging.checkpoint()
    diverging.set_hyperparameters(Hyperparameters(learning_rate=1e4))
    diverging.step_cycle(50)
    assert diverging.diverged_at is not None
    rollback = diverging.roll_back()
    assert rollback.cycle == 7 and diverging.hyper.learning_rate == 1e4  # the settings stay as they are now
    diverging.set_hyperparameters(hyper)
    diverging.step_cycle(5)
    straight = trainer()
    straight.step_cycle(12)
    ours, theirs = diverging.state(), straight.state()
    for key in ("params", "order"):
        assert np.array_equal(ours[key], theirs[key]), key
    for key in ("cycle", "epoch", "position", "shuffle_rng"):
        assert ours[key] == theirs[key], key
    assert np.array_equal(ours["optimizer"]["velocity"], theirs["optimizer"]["velocity"])
    assert np.array_equal(diverging.history.batch_loss.arrays()[1], straight.history.batch_loss.arrays()[1])


def test_a_loaded_run_rolls_back_no_further_than_where_it_was_loaded():
    """A trainer continued from state() forgets the other run's checkpoints: a divergence returns to the loaded cycle."""
    first = _one_weight_line(0.1)
    first.step_cycle(4)
    second = _one_weight_line(0.1, w=3.0)
    second.load_state(first.state())
    second.set_hyperparameters(Hyperparameters(learning_rate=1e4))
    second.step_cycle(10)
    assert second.diverged_at == 5  # the loss of cycle 4's weights was sane; the update after it was not
    rollback = second.roll_back()
    assert rollback.cycle == 4 and np.array_equal(second.network.flat, first.network.flat)
    saved = second.state()
    saved["diverged_at"] = 7  # a file saved while stopped at a divergence
    third = _one_weight_line(0.1)
    third.load_state(saved)
    assert third.roll_back().cycle == 4 and np.array_equal(third.network.flat, first.network.flat)
