"""The layer view: the input plane's grid and the data mapped through two neurons of a layer."""

import numpy as np
import pytest
from support.service_thread import receive, start_service

from nnstudio.engine.data.datasets import Dataset, Normalizer, plane_bounds
from nnstudio.engine.explain.layer_view import GRID_LINES, GRID_POINTS, grid_lines, layer_view
from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.session import TrainingSession

CONFIG = SessionConfig(hidden=(5, 3), activations=("tanh", "sigmoid", "sigmoid"))


def test_grid_lines_cross_the_plane():
    lines = grid_lines((-1.0, 3.0, 0.0, 2.0))
    assert len(lines) == 2 * GRID_LINES and all(line.shape == (GRID_POINTS, 2) for line in lines)
    assert np.all(lines[0][:, 1] == 0.0) and lines[0][0, 0] == -1.0 and lines[0][-1, 0] == 3.0
    assert np.all(lines[GRID_LINES][:, 0] == -1.0) and lines[-1][-1, 1] == 2.0


def test_mapped_points_are_the_network_activations_of_the_two_neurons():
    """(a_i, a_j) of a hidden layer, computed here by hand, for the grid and the data points."""
    rng = np.random.default_rng(3)
    net = Network.from_spec(NetworkSpec((2, 5, 3, 1), ("tanh", "sigmoid", "sigmoid")), seed=2)
    norm = Normalizer(np.array([0.5, -1.0]), np.array([2.0, 0.5]))
    points = rng.normal(size=(30, 2))
    labels = rng.integers(0, 2, 30)
    bounds = (-2.0, 2.0, -1.5, 1.5)
    view = layer_view(net, norm, bounds, 2, 2, 0, points, labels)
    assert (view.layer, view.i, view.j) == (2, 2, 0)
    assert len(view.grid) == 2 * GRID_LINES and view.points.shape == (30, 2) and np.array_equal(view.labels, labels)

    def by_hand(raw):
        x = (raw - norm.mean) / norm.std
        h1 = np.tanh(x @ net.weights[0] + net.biases[0])
        h2 = 1 / (1 + np.exp(-(h1 @ net.weights[1] + net.biases[1])))
        return h2[:, [2, 0]]

    assert np.allclose(view.points, by_hand(points), rtol=1e-13, atol=1e-15)
    for raw, mapped in zip(grid_lines(bounds), view.grid):
        assert np.allclose(mapped, by_hand(raw), rtol=1e-13, atol=1e-15)
    with pytest.raises(ValueError):
        view.points[0, 0] = 1.0  # read-only
    with pytest.raises(ValueError, match="layer 3 has 1 neuron, no neuron 2$"):  # counted from 1
        layer_view(net, norm, bounds, 3, 0, 1, points)  # the output layer has one neuron
    out = layer_view(net, norm, bounds, 3, 0, 0, points)  # i == j: the diagonal
    assert np.array_equal(out.points[:, 0], out.points[:, 1]) and out.labels is None


def test_session_layer_view_on_off_and_following_training():
    """The snapshot carries the view while it is on, for the current weights; a bad choice is refused."""
    session = TrainingSession(CONFIG)
    assert session.snapshot().layer_view is None
    session.set_layer_view(1, 4, 1)
    view = session.snapshot().layer_view
    d = session.dataset
    assert view.points.shape == (d.n_samples, 2) and np.array_equal(view.labels, d.y)
    expected = session.network.forward(session.experiment.normalizer.apply(d.X)).activations[1][:, [4, 1]]
    assert np.array_equal(view.points, expected)
    bounds = plane_bounds(d)
    first = session.network.forward(session.experiment.normalizer.apply(grid_lines(bounds)[0]))
    assert np.array_equal(view.grid[0], first.activations[1][:, [4, 1]])
    session.step("cycle", 20)
    assert not np.array_equal(session.snapshot().layer_view.points, view.points)
    for bad in ((0, 0, 1), (4, 0, 0), (1, 5, 0), (1, 0, -1)):
        with pytest.raises(ValueError):
            session.set_layer_view(*bad)
    assert session.snapshot().layer_view.layer == 1  # the refused choice left the view as it was
    session.set_network((2,), ("tanh", "sigmoid"))  # neuron 4 is gone: the view turns off
    assert session.snapshot().layer_view is None
    session.set_layer_view(2, 0, 0)
    assert session.snapshot().layer_view.points.shape == (d.n_samples, 2)
    session.set_layer_view(None)
    assert session.snapshot().layer_view is None


def test_no_layer_view_without_a_plane():
    """Three raw inputs have no 2-D plane: the view stays empty."""
    rng = np.random.default_rng(0)
    data = Dataset("cube", rng.normal(size=(60, 3)), rng.integers(0, 2, 60), "classification",
                   ("a", "b", "c"), "class", ("no", "yes"))
    session = TrainingSession(SessionConfig(), data)
    session.set_layer_view(1, 0, 1)
    assert session.snapshot().layer_view is None


def test_set_layer_view_through_the_service():
    ours, thread = start_service(CONFIG)
    receive(ours, "snapshot")
    ours.send(("set_layer_view", (2, 0, 2)))
    view = receive(ours, "snapshot").layer_view
    assert (view.layer, view.i, view.j) == (2, 0, 2) and len(view.grid) == 2 * GRID_LINES
    ours.send(("set_layer_view", (None,)))
    assert receive(ours, "snapshot").layer_view is None
    ours.send(("quit", ()))
    thread.join(5)
