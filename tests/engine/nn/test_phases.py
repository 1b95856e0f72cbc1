"""Stepping inside a cycle through the session, the inspector's trace, gradient norms and checks."""

import multiprocessing as mp
import threading

import numpy as np
import pytest

from nnstudio.engine.explain.inspect import neuron_report
from nnstudio.engine.nn.gradcheck import check_gradients
from nnstudio.engine.nn.network import Network
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.commands import COMMANDS
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.service import serve
from nnstudio.engine.run.session import TrainingSession
from nnstudio.engine.run.snapshot_builder import MAX_HEATMAP_ROWS

#: Two hidden layers, momentum and noise: every part of the state moves.
DEEP = SessionConfig(hidden=(4, 3), activations=("tanh", "sigmoid", "sigmoid"),
                     hyper=Hyperparameters(learning_rate=0.5, momentum=0.9, noise=0.02), batch_size=10)
CYCLE_PHASES = [("forward", 0), ("forward", 1), ("forward", 2), ("loss", None),
                ("backward", 2), ("backward", 1), ("backward", 0), ("update", None)]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def same_run(a: TrainingSession, b: TrainingSession) -> None:
    """Both sessions' trainers hold the same bits (weights, momentum, streams, counters, losses)."""
    sa, sb = a.trainer.state(), b.trainer.state()
    assert np.array_equal(sa["params"], sb["params"])
    for key in ("velocity", "updates"):
        assert np.array_equal(sa["optimizer"][key], sb["optimizer"][key])
    for key in ("steps", "rng", "last_noise_std"):
        assert sa["optimizer"][key] == sb["optimizer"][key]
    for key in ("shuffle_rng", "position", "cycle", "epoch", "hyper", "batch_size"):
        assert sa[key] == sb[key]
    assert np.array_equal(sa["history"]["batch_loss"]["data"], sb["history"]["batch_loss"]["data"])


def test_phases_through_a_cycle_equal_one_step_with_the_phase_sequence():
    """forward 0,1,2, loss, backward 2,1,0, update: the same bits as one Step."""
    by_phase, by_step = TrainingSession(DEEP), TrainingSession(DEEP)
    for s in (by_phase, by_step):
        s.step("cycle", 3)
    assert by_phase.snapshot().phase is None
    seen = []
    for _ in CYCLE_PHASES:
        by_phase.step_phase()
        snap = by_phase.snapshot()
        seen.append(snap.phase)
        assert snap.cycle == (4 if snap.phase[0] == "update" else 3)
    assert seen == CYCLE_PHASES
    by_step.step("cycle", 1)
    same_run(by_phase, by_step)
    a, b = by_phase.snapshot(), by_step.snapshot()
    assert a.phase == ("update", None) and b.phase is None
    for x, y in zip((*a.weights, *a.weight_updates, *a.batch_activations, *a.batch_deltas),
                    (*b.weights, *b.weight_updates, *b.batch_activations, *b.batch_deltas)):
        assert np.array_equal(x, y)
    by_phase.step("cycle", 1)  # an ordinary step after the update: no phase any more
    assert by_phase.snapshot().phase is None


def test_snapshots_mid_cycle_show_what_the_phases_computed_so_far():
    """Activations as far as forward got (zeros beyond), deltas as far as backprop got, then the update."""
    session = TrainingSession(DEEP)
    session.step("cycle", 2)
    weights = [W.copy() for W in session.network.weights]
    biases = [b.copy() for b in session.network.biases]
    session.step_phase()  # forward 0
    ws = session.trainer.workspace_in_progress
    X, Y = ws.acts[0].copy(), ws.targets.copy()
    a1 = np.tanh(X @ weights[0] + biases[0])
    a2 = sigmoid(a1 @ weights[1] + biases[1])
    y = sigmoid(a2 @ weights[2] + biases[2])
    snap = session.snapshot()
    assert np.allclose(snap.batch_activations[0], a1[:MAX_HEATMAP_ROWS], rtol=0, atol=1e-14)
    assert not snap.batch_activations[1].any() and not snap.batch_activations[2].any()
    assert np.array_equal(snap.sample_activations[0], X[0])
    assert snap.batch_deltas is None
    t = snap.trace
    assert t.target is None and t.loss is None and t.deltas is None and t.weight_updates is None
    assert all(np.array_equal(u, v) for u, v in zip(t.weights, weights))
    assert not t.sums[1].any() and not t.activations[3].any()

    session.step_phase(), session.step_phase()  # forward 1, 2
    snap = session.snapshot()
    assert np.allclose(snap.batch_activations[2], y, rtol=0, atol=1e-14) and snap.batch_deltas is None
    session.step_phase()  # loss
    snap = session.snapshot()
    assert snap.trace.loss == pytest.approx(np.mean((y - Y) ** 2), rel=1e-13)
    assert np.array_equal(snap.trace.target, Y[0])

    delta2 = 2 * (y - Y) / Y.size * y * (1 - y)
    delta1 = (delta2 @ weights[2].T) * a2 * (1 - a2)
    delta0 = (delta1 @ weights[1].T) * (1 - a1 ** 2)
    session.step_phase()  # backward 2
    snap = session.snapshot()
    assert np.allclose(snap.batch_deltas[2], delta2, rtol=1e-12, atol=1e-16)
    assert not snap.batch_deltas[0].any() and not snap.batch_deltas[1].any()
    assert snap.trace.deltas[0] is None and snap.trace.deltas[1] is None  # not reached yet
    assert np.allclose(snap.trace.deltas[2], delta2[0], rtol=1e-12, atol=1e-16)
    session.step_phase(), session.step_phase()  # backward 1, 0
    snap = session.snapshot()
    assert np.allclose(snap.batch_deltas[0], delta0, rtol=1e-12, atol=1e-16)
    assert np.allclose(snap.trace.deltas[1], delta1[0], rtol=1e-12, atol=1e-16)
    assert snap.trace.weight_updates is None and snap.weights[0][0, 0] == weights[0][0, 0]

    session.step_phase()  # update
    snap = session.snapshot()
    assert snap.phase == ("update", None)
    assert all(np.array_equal(u, v) for u, v in zip(snap.trace.weights, weights))  # before the update
    assert all(np.array_equal(u, v) for u, v in zip(snap.trace.weight_updates, snap.weight_updates))
    assert not np.array_equal(snap.weights[0], weights[0])


def test_commands_mid_cycle_finish_or_drop_the_cycle():
    """Step finishes the cycle begun (it counts); reset, new shape, batch size or a weight edit drop it."""
    session = TrainingSession(DEEP)
    session.step_phase(), session.step_phase()
    session.step("cycle", 1)
    reference = TrainingSession(DEEP)
    reference.step("cycle", 1)
    same_run(session, reference)
    assert session.snapshot().phase is None

    session.step_phase()
    session.set_weight(0, 0, 0, 0.5)
    snap = session.snapshot()
    assert snap.phase is None and snap.cycle == 1 and not session.trainer.phase_in_progress
    assert snap.batch_deltas is None and snap.trace.deltas is None  # the half-written cycle is not shown
    session.step_phase(), session.step_phase()
    session.set_batch_size(5)
    assert session.snapshot().phase is None and session.trainer.batch_size == 5
    session.step_phase()
    session.set_hyper(Hyperparameters(learning_rate=0.1))  # goes on: the update will use it
    assert session.snapshot().phase == ("forward", 0)
    session.reset()
    snap = session.snapshot()
    assert snap.phase is None and snap.cycle == 0 and not session.trainer.phase_in_progress


def _hand_pass(W, b, X, Y):
    """Forward and backprop of a sigmoid/MSE net by the seed's formulas, batch at once."""
    acts, sums = [X], []
    for Wl, bl in zip(W, b):
        sums.append(acts[-1] @ Wl + bl)
        acts.append(sigmoid(sums[-1]))
    y = acts[-1]
    deltas = [None] * len(W)
    deltas[-1] = 2 * (y - Y) / Y.size * y * (1 - y)
    for layer in range(len(W) - 2, -1, -1):
        deltas[layer] = (deltas[layer + 1] @ W[layer + 1].T) * acts[layer + 1] * (1 - acts[layer + 1])
    return acts, sums, deltas


def test_inspector_numbers_equal_an_independent_computation():
    """z = a·w + b, sigmoid, error, δ by the chain rule, Δw = −lr·δ·a, from the weights before the update."""
    config = SessionConfig(hidden=(4,), hyper=Hyperparameters(learning_rate=0.7), batch_size=10)
    session = TrainingSession(config)
    session.step("cycle", 5)
    before = session.snapshot()
    W = [w.copy() for w in before.weights]
    b = [v.copy() for v in before.biases]
    session.step("cycle", 1)
    snap = session.snapshot()
    ws = session.trainer.last_workspace
    X, Y = ws.acts[0].copy(), ws.targets.copy()  # the batch's rows (data, not computation)
    norm = session.experiment.normalizer
    assert np.allclose(norm.apply(snap.sample_input[None])[0], X[0], atol=1e-12)
    acts, sums, deltas = _hand_pass(W, b, X, Y)
    lr = 0.7

    out = neuron_report(snap.trace, 2, 0)
    y, t = acts[2][0, 0], Y[0, 0]
    assert out.is_output and out.batch_size == 10
    assert np.allclose(out.weights, W[1][:, 0], rtol=0, atol=0) and out.bias == b[1][0]
    assert out.weighted_sum == pytest.approx(acts[1][0] @ W[1][:, 0] + b[1][0], rel=1e-13)
    assert out.output == pytest.approx(y, rel=1e-13)
    assert out.target == t and out.error == pytest.approx(t - y, rel=1e-12)
    assert out.loss == pytest.approx(np.mean((acts[2] - Y) ** 2), rel=1e-12)
    assert out.derivative == pytest.approx(y * (1 - y), rel=1e-12)
    assert out.delta == pytest.approx(2 * (y - t) / 10 * y * (1 - y), rel=1e-12)
    assert np.allclose(out.gradient_step, -lr * out.delta * acts[1][0], rtol=1e-12, atol=0)

    j = 2
    hidden = neuron_report(snap.trace, 1, j)
    a = acts[1][0, j]
    assert np.array_equal(hidden.inputs, X[0]) and np.array_equal(hidden.weights, W[0][:, j])
    assert hidden.weighted_sum == pytest.approx(X[0] @ W[0][:, j] + b[0][j], rel=1e-13)
    assert hidden.output == pytest.approx(a, rel=1e-13)
    assert hidden.back_sum == pytest.approx(deltas[1][0, 0] * W[1][j, 0], rel=1e-12)
    assert hidden.delta == pytest.approx(deltas[1][0, 0] * W[1][j, 0] * a * (1 - a), rel=1e-12)
    assert np.allclose(hidden.gradient_step, -lr * hidden.delta * X[0], rtol=1e-12, atol=0)
    # What the update applied to the neuron's weights: the whole batch's −lr·Σ δ·a.
    assert np.allclose(hidden.applied_update, -lr * X.T @ deltas[0][:, j], rtol=1e-12, atol=1e-17)
    assert np.allclose(before.weights[0] + snap.weight_updates[0], snap.weights[0], rtol=0, atol=1e-15)


def test_inspector_works_mid_cycle_and_on_a_new_run():
    """Before backprop only the forward terms; with no cycle yet, the first training rows."""
    session = TrainingSession()
    fresh = session.snapshot()
    report = neuron_report(fresh.trace, 2, 0)
    assert report.delta is None and report.target is not None and fresh.batch_deltas is None
    session.step_phase()
    report = neuron_report(session.snapshot().trace, 1, 0)
    assert report.delta is None and report.gradient_step is None


def test_gradient_norms_are_recorded_per_cycle_and_start_over_with_the_run():
    """‖∂L/∂W_l‖ of the last cycle per snapshot: (cycles, norms (n, L)); reset empties them."""
    session = TrainingSession(DEEP)
    snap = session.snapshot()
    assert snap.gradient_norms[0].shape == (0,) and snap.gradient_norms[1].shape == (0, 3)
    for _ in range(3):
        session.step("cycle", 2)
        snap = session.snapshot()
    cycles, norms = snap.gradient_norms
    assert list(cycles) == [1, 3, 5] and norms.shape == (3, 3)
    ws = session.trainer.last_workspace
    net = Network(session.network.spec, *session.network.views(session.trainer.previous_params))
    grads = net.backward(net.forward(ws.acts[0]), ws.targets)
    assert np.allclose(norms[-1], [np.linalg.norm(g) for g in grads.weights], rtol=1e-12)
    assert session.snapshot().gradient_norms[0].size == 3  # no new cycle, no new point
    for _ in CYCLE_PHASES:
        session.step_phase()
    assert list(session.snapshot().gradient_norms[0]) == [1, 3, 5, 6]
    session.reset()
    assert session.snapshot().gradient_norms[0].size == 0


def test_check_gradients_through_the_service_on_a_fresh_network():
    """("check_gradients", ()) answers ("gradients", [(layer, error, checked, total)]) all below 1e-6."""
    assert {"check_gradients", "step_phase", "rewind", "undo", "continue_from_here", "set_layer_view"} <= set(COMMANDS)
    ours, theirs = mp.Pipe()
    thread = threading.Thread(target=serve, args=(theirs, DEEP), daemon=True)
    thread.start()

    def receive(kind):
        while True:
            assert ours.poll(10), f"no {kind!r} message"
            message = ours.recv()
            if message[0] == kind:
                return message[1]

    receive("snapshot")
    ours.send(("check_gradients", ()))
    results = receive("gradients")
    assert [r[0] for r in results] == [0, 1, 2]
    for _layer, error, checked, total in results:
        assert type(error) is float and error < 1e-6 and 0 < checked <= total
    receive("snapshot")  # every command is followed by a snapshot
    ours.send(("step_phase", ()))
    assert receive("snapshot").phase == ("forward", 0)
    ours.send(("check_gradients", ()))  # mid-cycle: on the batch being stepped
    assert all(r[1] < 1e-6 for r in receive("gradients"))
    ours.send(("quit", ()))
    receive("bye")
    thread.join(5)


def test_check_gradients_uses_the_current_batch():
    """The last cycle's batch; before any cycle, the first training rows."""
    session = TrainingSession(DEEP)
    trainer = session.trainer

    def as_tuples(checks):
        return [(c.layer, c.relative_error, c.checked, c.total) for c in checks]

    assert session.check_gradients() == as_tuples(check_gradients(session.network, trainer.X_train[:32],
                                                                  trainer.Y_train[:32]))
    session.step("cycle", 7)
    ws = trainer.last_workspace
    results = session.check_gradients()
    assert results == as_tuples(check_gradients(session.network, ws.acts[0], ws.targets))
    assert [total for *_, total in results] == [12, 15, 4]
