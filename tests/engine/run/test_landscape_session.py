"""The loss landscape in the trainer: the path it is made from, the map over the pipe, the cut."""

import multiprocessing as mp
import threading
from dataclasses import replace

import numpy as np
import pytest

from nnstudio.engine.explain.landscape import LandscapeSpec, compute_landscape, pca_plane, random_plane
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run import service
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.landscape_session import (
    CUT_TS,
    MAX_TRAJECTORY,
    flat_parameters,
    plane_coordinates,
    trajectory,
)
from nnstudio.engine.run.service import serve
from nnstudio.engine.run.session import TrainingSession

XOR = SessionConfig()  # 2-4-1 sigmoid, MSE, lr 2, batch 10: the seed's XOR


def weights_at(cycles, config=XOR):
    """The parameters at each of ``cycles`` (increasing), by stepping a fresh session one cycle at a time."""
    session, found = TrainingSession(config), {}
    for cycle in range(max(cycles) + 1):
        if cycle in cycles:
            found[cycle] = session.network.flat.copy()
        if cycle < max(cycles):
            session.step("cycle", 1)
    return np.array([found[c] for c in cycles])


def path_of(session):
    return trajectory(session.timeline, session.trainer.cycle, session.network.flat)


# -- the path ----------------------------------------------------------------------------------

def test_the_path_is_the_weights_every_16_cycles_then_the_weights_now():
    session = TrainingSession(XOR)
    cycles, points = path_of(session)
    assert cycles.tolist() == [0] and np.array_equal(points[0], session.network.flat)
    session.step("cycle", 40)
    cycles, points = path_of(session)
    assert cycles.tolist() == [0, 16, 32, 40]
    assert np.array_equal(points, weights_at([0, 16, 32, 40]))


def test_a_long_path_is_thinned_evenly_and_keeps_its_ends():
    session = TrainingSession(XOR)
    session.step("cycle", 300)
    cycles, points = trajectory(session.timeline, 300, session.network.flat, limit=10)
    assert len(cycles) <= 10 and cycles[0] == 0 and cycles[-1] == 300
    assert np.all(np.diff(cycles) > 0)
    assert np.diff(cycles).max() <= 2 * 300 / 9  # no gap much wider than an even spread's
    assert np.array_equal(points[-1], session.network.flat)
    assert np.array_equal(points[:-1], weights_at(cycles[:-1].tolist()))


def test_the_path_stays_bounded_over_a_long_run():
    session = TrainingSession(replace(XOR, batch_size=1))
    session.step("cycle", 8000)  # ~280 keyframes
    assert len(session.timeline.full_keyframe_cycles) > MAX_TRAJECTORY
    cycles, points = path_of(session)
    assert len(cycles) <= MAX_TRAJECTORY and cycles[0] == 0 and cycles[-1] == 8000
    assert points.shape == (len(cycles), session.network.flat.size)


def test_a_rewind_shows_the_path_up_to_the_cycle_shown_and_continuing_drops_the_rest():
    session = TrainingSession(XOR)
    session.step("cycle", 100)
    session.rewind(40)
    cycles, points = path_of(session)
    assert cycles.tolist() == [0, 16, 32, 40]
    assert np.array_equal(points, weights_at([0, 16, 32, 40]))
    # A new branch from cycle 40, with another learning rate: nothing of the old cycles 41-100 stays.
    session.set_hyper(Hyperparameters(learning_rate=0.5))
    session.step("cycle", 10)
    cycles, points = path_of(session)
    assert cycles.tolist() == [0, 16, 32, 48, 50]
    branch = TrainingSession(XOR)
    branch.step("cycle", 40)
    branch.set_hyper(Hyperparameters(learning_rate=0.5))
    branch.step("cycle", 8)
    assert np.array_equal(points[3], branch.network.flat)


@pytest.mark.parametrize("change", ["reset", "network", "data"])
def test_a_new_run_starts_a_new_path(change):
    session = TrainingSession(XOR)
    session.step("cycle", 50)
    if change == "reset":
        session.reset(3)
    elif change == "network":
        session.set_network((3,), ("sigmoid", "sigmoid"))
    else:
        session.set_data(DataSpec("circle"))
    cycles, points = path_of(session)
    assert cycles.tolist() == [0] and np.array_equal(points[0], session.network.flat)


# -- the plane's coordinates -----------------------------------------------------------------------

def test_plane_coordinates_recover_a_point_made_on_the_plane():
    rng = np.random.default_rng(5)
    origin = rng.standard_normal(17)
    axes = rng.standard_normal((2, 17))  # not orthogonal, like random directions
    point = origin + 0.75 * axes[0] - 1.5 * axes[1]
    assert np.allclose(plane_coordinates(origin, axes, point), [0.75, -1.5], atol=1e-12)
    both = plane_coordinates(origin, axes, np.stack([point, origin]))
    assert np.allclose(both, [[0.75, -1.5], [0.0, 0.0]], atol=1e-12)


def test_flat_parameters_lay_out_weights_as_the_network_does():
    session = TrainingSession(XOR)
    net = session.network
    assert np.array_equal(flat_parameters(net.weights, net.biases), net.flat)


# -- the map, computed in the session ------------------------------------------------------------

def window_spec(path, resolution):
    """The PCA map the window gets: the path with a quarter of its extent around it, half its α extent ahead."""
    spec = LandscapeSpec.covering(path, resolution)
    extent = path[:, 0].max() - path[:, 0].min()
    return replace(spec, alpha_range=(spec.alpha_range[0], max(spec.alpha_range[1], 0.5 * extent)))


def finish(job):
    while not job.advance(0.0):
        pass
    return job.result()


def test_the_map_is_compute_landscape_of_the_path_and_the_weights_now():
    session = TrainingSession(XOR)
    session.step("cycle", 100)
    got = finish(session.start_landscape(7, "pca", 21))
    cycles = list(range(0, 100, 16)) + [100]
    path = weights_at(cycles)
    plane = pca_plane(path)
    spec = window_spec(plane.path, 21)
    want = compute_landscape(spec, session.network, session.trainer.X_train, session.trainer.Y_train, path)
    assert (got.request, got.cycle, got.kind, got.note) == (7, 100, "pca", "")
    assert got.path_cycles.tolist() == cycles
    assert np.array_equal(got.losses, want.losses)
    assert np.array_equal(got.alphas, want.alphas) and np.array_equal(got.betas, want.betas)
    assert np.array_equal(got.path, plane.path) and np.array_equal(got.explained, plane.explained)
    assert got.contains((0.0, 0.0)) and not got.contains((got.alphas[-1] + 1e-9, 0.0))
    assert got.alphas[-1] >= 0.5 * (got.path[:, 0].max() - got.path[:, 0].min())  # room where the descent heads


def test_pca_is_impossible_at_cycle_0_so_the_map_uses_random_directions_and_says_why():
    session = TrainingSession(XOR)
    got = finish(session.start_landscape(1, "pca", 11, seed=4))
    assert got.kind == "random" and got.explained is None
    assert "PCA needs 3" in got.note and "Random directions" in got.note
    plane = random_plane(session.network.spec.sizes, session.network.flat, 4)
    assert np.array_equal(got.axes, plane.axes)
    assert (got.alphas[0], got.alphas[-1], got.betas[0], got.betas[-1]) == (-1.0, 1.0, -1.0, 1.0)
    want = compute_landscape(LandscapeSpec(11, directions="random", seed=4), session.network,
                             session.trainer.X_train, session.trainer.Y_train)
    assert np.array_equal(got.losses, want.losses)


def mse_of_xor_net(params, X, Y):
    """The 2-4-1 sigmoid network's MSE, written out in plain numpy."""
    W0, b0, W1, b1 = params[:8].reshape(2, 4), params[8:12], params[12:16].reshape(4, 1), params[16:17]
    hidden = 1 / (1 + np.exp(-(X @ W0 + b0)))
    out = 1 / (1 + np.exp(-(hidden @ W1 + b1)))
    return np.mean((out - Y) ** 2)


def test_the_cut_passes_through_the_loss_before_and_after_the_last_step():
    session = TrainingSession(XOR)
    session.step("cycle", 30)
    cut = session.landscape_cut(9)
    X, Y = session.trainer.X_train, session.trainer.Y_train
    before, after = weights_at([29, 30])
    assert (cut.request, cut.cycle) == (9, 30)
    zero, one = np.flatnonzero(CUT_TS == 0.0)[0], np.flatnonzero(CUT_TS == 1.0)[0]
    assert cut.losses[zero] == pytest.approx(mse_of_xor_net(before, X, Y), rel=1e-12)
    assert cut.losses[one] == pytest.approx(mse_of_xor_net(after, X, Y), rel=1e-12)
    t = CUT_TS[-1]
    assert cut.losses[-1] == pytest.approx(mse_of_xor_net(before + t * (after - before), X, Y), rel=1e-9)
    assert cut.update_norm == pytest.approx(np.linalg.norm(after - before), rel=1e-12)


def test_before_any_update_the_cut_is_flat_at_the_loss_now():
    session = TrainingSession(XOR)
    cut = session.landscape_cut(0)
    loss = mse_of_xor_net(session.network.flat, session.trainer.X_train, session.trainer.Y_train)
    assert cut.update_norm == 0.0
    assert np.allclose(cut.losses, loss, rtol=1e-12)


# -- over the pipe ---------------------------------------------------------------------------

def start_with_waiting(messages, config=XOR):
    ours, theirs = mp.Pipe()
    for message in messages:
        ours.send(message)
    thread = threading.Thread(target=serve, args=(theirs, config), daemon=True)
    thread.start()
    return ours, thread


def messages_until(conn, done, timeout=20.0):
    seen = []
    while not seen or not done(seen[-1]):
        assert conn.poll(timeout), f"nothing after {[kind for kind, _ in seen]}"
        seen.append(conn.recv())
    return seen


def stop(conn, thread):
    conn.send(("quit", ()))
    messages_until(conn, lambda m: m[0] == "bye")
    thread.join(5)
    assert not thread.is_alive()


def is_map(request):
    return lambda m: m[0] == "landscape" and m[1].request == request


def test_over_the_pipe_the_map_equals_compute_landscape_on_the_same_inputs():
    conn, thread = start_with_waiting([("step", ("cycle", 100)), ("landscape", (3, "pca", 41, 0))])
    got = messages_until(conn, is_map(3))[-1][1]
    session = TrainingSession(XOR)
    session.step("cycle", 100)
    cycles = list(range(0, 100, 16)) + [100]
    path = weights_at(cycles)
    spec = window_spec(pca_plane(path).path, 41)
    want = compute_landscape(spec, session.network, session.trainer.X_train, session.trainer.Y_train, path)
    assert got.cycle == 100 and got.losses.shape == (41, 41)
    assert np.array_equal(got.losses, want.losses)
    assert np.array_equal(got.origin, path[-1])
    stop(conn, thread)


def test_steps_are_answered_while_a_map_is_computed(monkeypatch):
    """One block of rows a turn: the step behind the request is answered long before the map."""
    monkeypatch.setattr(service, "LANDSCAPE_SLICE_SECONDS", 0.0)
    conn, thread = start_with_waiting([("landscape", (1, "random", 201, 0)), ("step", ("cycle", 1))])
    seen = messages_until(conn, is_map(1))
    kinds = [(kind, getattr(payload, "cycle", None)) for kind, payload in seen]
    assert ("snapshot", 1) in kinds[:-1]
    assert seen[-1][1].cycle == 0  # the weights the request saw
    stop(conn, thread)


def test_training_runs_on_while_a_map_is_computed_and_the_map_arrives(monkeypatch):
    monkeypatch.setattr(service, "LANDSCAPE_SLICE_SECONDS", 0.0)
    conn, thread = start_with_waiting([("run", ()), ("landscape", (1, "random", 41, 0))])
    seen = messages_until(conn, is_map(1))
    cycles = [payload.cycle for kind, payload in seen if kind == "snapshot" and payload.running]
    assert len(cycles) >= 2 and cycles[-1] > cycles[0]
    stop(conn, thread)


def test_a_new_request_cancels_the_unfinished_one(monkeypatch):
    monkeypatch.setattr(service, "LANDSCAPE_SLICE_SECONDS", 0.0)  # a 401-row map cannot finish in one turn
    conn, thread = start_with_waiting([("landscape", (1, "random", 401, 0)), ("landscape", (2, "random", 21, 5))])
    seen = messages_until(conn, is_map(2))
    conn.send(("landscape_cut", (3,)))
    seen += messages_until(conn, lambda m: m[0] == "landscape_cut")
    maps = [payload.request for kind, payload in seen if kind == "landscape"]
    assert maps == [2]
    assert seen[-1][1].request == 3
    stop(conn, thread)


def test_a_bad_request_is_refused_by_name_and_the_trainer_goes_on():
    conn, thread = start_with_waiting([("landscape", (2, "pca", 1, 0)), ("landscape", (4, "sideways")),
                                       ("landscape_cut", (3,))])
    seen = messages_until(conn, lambda m: m[0] == "landscape_cut")
    assert [payload for kind, payload in seen if kind == "error"] == [
        "landscape: resolution must be a whole number from 2 to 1001, got 1",
        "landscape: directions must be one of pca, random, got 'sideways'"]
    assert not [kind for kind, _ in seen if kind == "landscape"]
    stop(conn, thread)
