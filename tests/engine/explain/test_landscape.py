"""The loss landscape: the map's numbers, its directions, chunking and the cut along the last update."""

from __future__ import annotations

import numpy as np
import pytest

from nnstudio.engine.explain.landscape import (
    LandscapePlane,
    LandscapeSpec,
    compute_landscape,
    iter_landscape,
    landscape_plane,
    losses_at,
    pca_plane,
    random_plane,
    update_cut,
)
from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer


def _linear_problem(n_in: int, n_out: int, rows: int = 50, seed: int = 3):
    """A network with no hidden layer and a linear output (MSE: a convex quadratic), its data and weights."""
    rng = np.random.default_rng(seed)
    spec = NetworkSpec((n_in, n_out), ("linear",), "mse")
    X = rng.normal(size=(rows, n_in))
    Y = rng.normal(size=(rows, n_out))
    net = Network(spec, [rng.normal(size=(n_in, n_out))], [rng.normal(size=n_out)])
    return net, X, Y


def _split(vector, n_in, n_out):
    """(W, b) of a no-hidden-layer network's flat vector, written out here from the weights file layout."""
    return vector[: n_in * n_out].reshape(n_in, n_out), vector[n_in * n_out :]


def _quadratic(X, Y, origin, d1, d2, alphas, betas, n_in, n_out):
    """MSE at origin + α·d1 + β·d2 in closed form: the residual is r0 + α·u + β·v, so the loss is a quadratic in (α, β).
    """
    ones = np.ones((len(X), 1))
    Xb = np.hstack([X, ones])

    def outputs(vector):
        W, b = _split(vector, n_in, n_out)
        return Xb @ np.vstack([W, b[None, :]])

    r0, u, v = outputs(origin) - Y, outputs(d1), outputs(d2)
    size = r0.size
    c, cu, cv = np.sum(r0 * r0), np.sum(r0 * u), np.sum(r0 * v)
    uu, vv, uv = np.sum(u * u), np.sum(v * v), np.sum(u * v)
    A, B = np.meshgrid(alphas, betas)  # rows β, columns α, as the map
    return (c + 2 * A * cu + 2 * B * cv + A * A * uu + 2 * A * B * uv + B * B * vv) / size


def test_convex_map_equals_the_analytic_quadratic():
    net, X, Y = _linear_problem(3, 2)
    spec = LandscapeSpec(resolution=11, alpha_range=(-2.0, 1.5), beta_range=(-0.5, 3.0), directions="random", seed=7)
    landscape = compute_landscape(spec, net, X, Y)
    plane = landscape.plane
    expected = _quadratic(X, Y, net.flat, plane.axes[0], plane.axes[1], spec.alphas, spec.betas, 3, 2)
    assert landscape.losses.shape == (11, 11)
    np.testing.assert_allclose(landscape.losses, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(landscape.alphas, np.linspace(-2.0, 1.5, 11))
    np.testing.assert_array_equal(landscape.betas, np.linspace(-0.5, 3.0, 11))


def test_gradient_descent_path_descends_on_the_map():
    # One weight and one bias: the PCA plane is the whole weight space, so the path drawn is the path taken.
    net, X, Y = _linear_problem(1, 1, rows=40, seed=5)
    trainer = Trainer(net, X, Y, hyper=Hyperparameters(learning_rate=0.05), batch_size=None, classification=False)
    trajectory = [net.flat.copy()]
    for _ in range(60):
        trainer.step_cycle()
        trajectory.append(net.flat.copy())
    trajectory = np.array(trajectory)
    plane = pca_plane(trajectory)
    np.testing.assert_allclose(plane.origin + plane.path @ plane.axes, trajectory, rtol=0, atol=1e-12)
    on_path = losses_at(net, X, Y, plane.origin + plane.path @ plane.axes)
    assert np.all(np.diff(on_path) <= 0)
    assert on_path[-1] < 0.5 * on_path[0]
    spec = LandscapeSpec.covering(plane.path, resolution=9)
    landscape = compute_landscape(spec, net, X, Y, trajectory)
    expected = _quadratic(X, Y, plane.origin, *plane.axes, spec.alphas, spec.betas, 1, 1)
    np.testing.assert_allclose(landscape.losses, expected, rtol=1e-12, atol=1e-12)
    lows, highs = plane.path.min(axis=0), plane.path.max(axis=0)
    assert spec.alpha_range[0] < lows[0] and spec.alpha_range[1] > highs[0]
    assert spec.beta_range[0] < lows[1] and spec.beta_range[1] > highs[1]


def test_pca_axes_are_orthonormal_principal_components_and_the_path_ends_at_origin():
    rng = np.random.default_rng(11)
    trajectory = np.cumsum(rng.normal(size=(12, 17)) * np.linspace(2.0, 0.1, 17), axis=0)
    plane = pca_plane(trajectory)
    np.testing.assert_allclose(plane.axes @ plane.axes.T, np.eye(2), rtol=0, atol=1e-12)
    assert plane.path.shape == (12, 2)
    assert plane.path[-1].tolist() == [0.0, 0.0]
    np.testing.assert_array_equal(plane.origin, trajectory[-1])
    differences = trajectory - trajectory[-1]
    np.testing.assert_allclose(plane.path, differences @ plane.axes.T, rtol=0, atol=1e-12)
    assert np.all(plane.path[0] <= 0)
    # The top two eigenvectors of DᵀD, found another way, span the same axes.
    values, vectors = np.linalg.eigh(differences.T @ differences)
    top = vectors[:, np.argsort(values)[::-1][:2]].T
    np.testing.assert_allclose(np.abs(np.sum(top * plane.axes, axis=1)), [1.0, 1.0], rtol=0, atol=1e-9)
    shares = np.sort(values)[::-1][:2] / values.sum()
    np.testing.assert_allclose(plane.explained, shares, rtol=1e-9)


def test_pca_of_a_planar_path_recovers_its_plane():
    rng = np.random.default_rng(2)
    basis, _ = np.linalg.qr(rng.normal(size=(9, 2)))
    centre = rng.normal(size=9)
    coords = rng.normal(size=(8, 2))
    coords[-1] = 0.0
    trajectory = centre + coords @ basis.T
    plane = pca_plane(trajectory)
    np.testing.assert_allclose(plane.axes.T @ plane.axes, basis @ basis.T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(plane.origin + plane.path @ plane.axes, trajectory, rtol=0, atol=1e-12)
    np.testing.assert_allclose(plane.explained.sum(), 1.0, rtol=1e-12)


def test_filter_normalised_directions_match_each_neurons_norm():
    rng = np.random.default_rng(4)
    sizes = (3, 5, 2)
    W0, b0 = rng.normal(size=(3, 5)), rng.normal(size=5)
    W1, b1 = rng.normal(size=(5, 2)) * 10, rng.normal(size=2)
    W0[:, 2] = 0.0  # a dead neuron: no direction there
    b0[1] = 0.0
    theta = np.concatenate([W0.ravel(), b0, W1.ravel(), b1])
    plane = random_plane(sizes, theta, seed=9)
    assert plane.axes.shape == (2, theta.size) and plane.path is None
    for axis in plane.axes:
        dW0, db0 = axis[:15].reshape(3, 5), axis[15:20]
        dW1, db1 = axis[20:30].reshape(5, 2), axis[30:]
        for W, dW in ((W0, dW0), (W1, dW1)):
            np.testing.assert_allclose(np.sqrt((dW**2).sum(axis=0)), np.sqrt((W**2).sum(axis=0)), rtol=1e-12)
        np.testing.assert_allclose(np.abs(db0), np.abs(b0), rtol=1e-12)
        np.testing.assert_allclose(np.abs(db1), np.abs(b1), rtol=1e-12)
        assert not dW0[:, 2].any() and db0[1] == 0.0
    assert not np.array_equal(plane.axes[0], plane.axes[1])
    again = random_plane(sizes, theta, seed=9)
    np.testing.assert_array_equal(again.axes, plane.axes)
    assert not np.array_equal(random_plane(sizes, theta, seed=10).axes, plane.axes)


def _xor_like(rows: int = 60, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 2))
    return X, (X[:, :1] * X[:, 1:] > 0).astype(float)


@pytest.mark.parametrize("hidden, output, loss", [((4,), "sigmoid", "mse"), ((3, 3), "softmax", "cross_entropy")])
def test_chunked_map_equals_the_one_shot_map_bit_for_bit(hidden, output, loss):
    X, Y = _xor_like()
    if output == "softmax":
        Y = np.hstack([Y, 1 - Y])
    spec = NetworkSpec.build(2, hidden, Y.shape[1], "tanh", output, loss)
    net = Network.from_spec(spec, seed=1)
    grid = LandscapeSpec(resolution=13, alpha_range=(-1.5, 1.0), beta_range=(-1.0, 2.0), directions="random", seed=3)
    whole = compute_landscape(grid, net, X, Y)
    for rows in (1, 2, 5, 13, 50):
        blocks = list(iter_landscape(grid, net, X, Y, whole.plane, rows_per_chunk=rows))
        assert [first for first, _ in blocks] == list(range(0, 13, rows))
        np.testing.assert_array_equal(np.vstack([block for _, block in blocks]), whole.losses)
    np.testing.assert_array_equal(compute_landscape(grid, net, X, Y).losses, whole.losses)
    assert np.isfinite(whole.losses).all()


@pytest.mark.parametrize("hidden, activation, output, loss", [
    ((4,), "sigmoid", "sigmoid", "mse"),
    ((5, 4), "relu", "softmax", "cross_entropy"),
    ((3,), "tanh", "sigmoid", "cross_entropy"),
    ((6,), "leaky_relu", "linear", "mse"),
])
def test_each_point_is_the_networks_own_loss(hidden, activation, output, loss):
    X, labels = _xor_like(40, seed=8)
    Y = np.hstack([labels, 1 - labels]) if output == "softmax" else labels
    net = Network.from_spec(NetworkSpec.build(2, hidden, Y.shape[1], activation, output, loss), seed=2)
    grid = LandscapeSpec(resolution=5, directions="random", seed=1)
    landscape = compute_landscape(grid, net, X, Y)
    probe = net.copy()
    for i, beta in enumerate(grid.betas):
        for j, alpha in enumerate(grid.alphas):
            np.copyto(
                probe.flat, landscape.plane.origin + alpha * landscape.plane.axes[0] + beta * landscape.plane.axes[1]
            )
            assert landscape.losses[i, j] == probe.loss_value(X, Y)
    assert landscape.losses[2, 2] == net.loss_value(X, Y)


def test_update_cut_spans_the_last_step():
    X, Y = _xor_like(80, seed=1)
    net = Network.from_spec(NetworkSpec.build(2, (4,), 1), seed=0)
    hyper = Hyperparameters(learning_rate=2.0, momentum=0.5, noise=0.05)
    trainer = Trainer(net, X, Y, hyper=hyper, batch_size=10, seed=4)
    trainer.keep_previous_weights = True
    trainer.step_cycle(25)
    before, update = trainer.previous_params.copy(), trainer.optimizer.updates.copy()
    assert np.abs(update).max() > 0
    loss_before = Network(net.spec, *net.views(before)).loss_value(X, Y)
    loss_after = trainer.evaluate(record=False).train_loss
    cut = update_cut(net, X, Y, before, update, [0.0, 1.0, 0.5, -1.0])
    assert cut[0] == loss_before
    assert cut[1] == loss_after
    for t, value in zip((0.5, -1.0), cut[2:]):
        probe = Network(net.spec, *net.views(before + t * update))
        np.testing.assert_allclose(value, probe.loss_value(X, Y), rtol=1e-14)
    onward = update_cut(net, X, Y, net.flat, update, [0.0, 1.0])
    assert onward[0] == loss_after
    assert onward[1] == Network(net.spec, *net.views(net.flat + update)).loss_value(X, Y)


def test_float32_network_maps_in_float32():
    X, Y = _xor_like(30)
    net = Network.from_spec(NetworkSpec.build(2, (4,), 1), seed=0, dtype=np.float32)
    landscape = compute_landscape(LandscapeSpec(resolution=3, directions="random"), net, X, Y)
    assert landscape.losses[1, 1] == net.loss_value(X.astype(np.float32), Y.astype(np.float32))


def test_points_that_overflow_are_non_finite_without_warnings():
    # pyproject turns the engine's RuntimeWarnings into errors, so a warning fails this test.
    net, X, Y = _linear_problem(2, 1)
    plane = LandscapePlane("random", net.flat.copy(), np.full((2, net.flat.size), 1e300))
    grid = LandscapeSpec(resolution=3, alpha_range=(-1e10, 1e10), beta_range=(0.0, 1.0), directions="random")
    (_, block), = iter_landscape(grid, net, X, Y, plane)
    assert block[0, 1] == net.loss_value(X, Y)
    outside = np.ones_like(block, dtype=bool)
    outside[0, 1] = False
    assert not np.isfinite(block[outside]).any()


@pytest.mark.parametrize("kwargs, message", [
    ({"resolution": 1}, "resolution must be a whole number from 2 to 1001, got 1"),
    ({"resolution": 0}, "resolution"),
    ({"resolution": 2.5}, "resolution"),
    ({"resolution": True}, "resolution"),
    ({"resolution": 5000}, "resolution"),
    ({"alpha_range": (float("nan"), 1.0)}, "alpha range must be two finite numbers"),
    ({"beta_range": (0.0, float("inf"))}, "beta range must be two finite numbers"),
    ({"alpha_range": (1.0, 1.0)}, "low < high"),
    ({"beta_range": (2.0, -2.0)}, "low < high"),
    ({"alpha_range": "ab"}, "alpha range must be two numbers"),
    ({"alpha_range": (1.0, 2.0, 3.0)}, "alpha range must be two numbers"),
    ({"directions": "hessian"}, "landscape directions 'hessian' are not one of pca, random"),
    ({"seed": -1}, "landscape seed"),
])
def test_bad_landscape_settings_are_refused_in_one_line(kwargs, message):
    with pytest.raises(ValueError, match=message) as caught:
        LandscapeSpec(**kwargs)
    assert "\n" not in str(caught.value)


def test_bad_trajectories_and_data_are_refused_in_one_line():
    net, X, Y = _linear_problem(2, 1)
    start = net.flat.copy()
    cases = [
        (lambda: pca_plane([start, start + 1]), "at least 3 points, got 2"),
        (lambda: pca_plane(start[None]), "at least 3 points, got 1"),
        (lambda: pca_plane([start, start, start]), "has not moved"),
        (lambda: pca_plane([start + 2, start + 1, start]), "moves along one line"),
        (lambda: pca_plane([start, start + np.nan, start]), "trajectory holds NaN or infinity"),
        (lambda: pca_plane(start), r"trajectory has shape \(3,\); expected \(n, n\)"),
        (lambda: pca_plane([[0.0, 1.0], [0.0]]), "trajectory must be an array of numbers"),
        (lambda: compute_landscape(LandscapeSpec(), net, X, Y), "PCA directions need the trajectory"),
        (lambda: landscape_plane(LandscapeSpec(), net, np.eye(4)), "have 4 parameters; the network has 3"),
        (
            lambda: compute_landscape(LandscapeSpec(directions="random"), net, X[:, :1], Y),
            r"inputs has shape \(50, 1\)",
        ),
        (lambda: compute_landscape(LandscapeSpec(directions="random"), net, X, Y[:10]), r"targets has shape \(10, 1\)"),
        (lambda: compute_landscape(LandscapeSpec(directions="random"), net, X[:0], Y[:0]), "at least one data row"),
        (lambda: list(iter_landscape(LandscapeSpec(), net, X, Y, random_plane((2, 1), start), 0)), "rows per chunk"),
        (lambda: random_plane((2, 1), start[:2]), r"parameters has shape \(2,\)"),
        (lambda: update_cut(net, X, Y, start, start, []), "at least one position t"),
        (lambda: update_cut(net, X, Y, start, start, [0.0, np.inf]), "cut positions t holds NaN or infinity"),
        (lambda: update_cut(net, X, Y, start, start[:1], [0.0]), r"update has shape \(1,\)"),
        (lambda: LandscapeSpec.covering([[0.0, np.nan]]), "path holds NaN"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message) as caught:
            call()
        assert "\n" not in str(caught.value)
