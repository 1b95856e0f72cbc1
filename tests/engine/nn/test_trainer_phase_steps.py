"""Tests for nnstudio.engine.nn.trainer stepped phase by phase: equal to whole cycles, the phase order, the records."""

from __future__ import annotations

import numpy as np
import pytest
from support.small_trainers import NOISY, phases_per_cycle, random_data, sigmoid, small_trainer

from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.phases import PHASE_KINDS, cycle_phase_order
from nnstudio.engine.nn.trainer import Trainer

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
    kwargs = {"sizes": (2, 4, 3, 1), "activations": ("tanh", "relu", "sigmoid"), "hyper": hyper,
              "batch_size": batch_size, "seed": 7}
    by_phase, by_cycle = small_trainer(**kwargs), small_trainer(**kwargs)
    n_cycles = 9  # three epochs of batch 3 on 10 rows, with a short last batch each epoch
    for _ in range(n_cycles * phases_per_cycle(by_phase)):
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
    kwargs = {"sizes": (2, 4, 3, 1), "activations": ("tanh", "leaky_relu", "sigmoid"), "hyper": NOISY,
              "batch_size": 3, "seed": 3}
    mixed, plain = small_trainer(**kwargs), small_trainer(**kwargs)
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
    for _ in range(phases_per_cycle(mixed)):
        mixed.step_phase()
    plain.step_cycle()
    assert np.array_equal(mixed.network.flat, plain.network.flat)


def test_step_epoch_finishes_a_cycle_begun_by_phases():
    """step_epoch completes a phase-begun cycle and stops at the epoch boundary like step_cycle would."""
    kwargs = {"hyper": NOISY, "batch_size": 3, "seed": 2}
    mixed, plain = small_trainer(**kwargs), small_trainer(**kwargs)
    mixed.step_phase()
    mixed.step_epoch()
    plain.step_cycle(4)
    assert (mixed.cycle, mixed.epoch) == (4, 1)
    assert np.array_equal(mixed.network.flat, plain.network.flat)


def test_phase_sequence_of_a_two_hidden_layer_net():
    """A 2-hidden-layer cycle is forward 0,1,2, loss, backward 2,1,0, update."""
    trainer = small_trainer(sizes=(2, 4, 3, 1), activations=("sigmoid", "sigmoid", "sigmoid"))
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
    trainer = small_trainer()
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
    X, Y = random_data(6, 3, 2, seed=4)
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
    out = sigmoid(z1)
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
    for layer in range(2):
        np.testing.assert_array_equal(update.values["weights"][layer], net.weights[layer])
        np.testing.assert_array_equal(update.values["biases"][layer], net.biases[layer])
        np.testing.assert_allclose(update.values["weight_updates"][layer], net.weights[layer] - before_W[layer],
                                   rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(update.values["bias_updates"][layer], net.biases[layer] - before_b[layer],
                                   rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(update.values["weight_updates"][0], -lr * b0.values["grad_weights"], rtol=1e-15)
    np.testing.assert_allclose(update.values["bias_updates"][1], -lr * b1.values["grad_bias"], rtol=1e-15)
    assert update.values["learning_rate"] == lr
    assert update.values["noise_std"] == 0.0


def test_update_record_reports_the_noise_std_of_that_update():
    """noise_std in the update record is σ_t = noise/(1+t)^decay of the update just applied."""
    trainer = small_trainer(hyper=Hyperparameters(learning_rate=0.1, noise=0.4, noise_decay=0.5))
    trainer.step_cycle(3)
    update = trainer.step_phases(phases_per_cycle(trainer))[-1]
    assert update.values["noise_std"] == pytest.approx(0.4 / (1 + 3) ** 0.5, rel=1e-14)


def test_phase_record_values_are_read_only_copies():
    """Record values can be neither reassigned nor written, and later cycles do not change them."""
    trainer = small_trainer(sizes=(2, 3, 1), batch_size=4)
    records = trainer.step_phases(phases_per_cycle(trainer))
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
