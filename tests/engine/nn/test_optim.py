"""Tests for nnstudio.engine.nn.optim: SGD with momentum, L1/L2 and annealed Gaussian noise."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import SGD, Hyperparameters
from nnstudio.engine.nn.trainer import Trainer


def _sgd(params, seed=0, **hyper):
    return SGD(params, Hyperparameters(**hyper), np.random.default_rng(seed))


def _grads(n_steps, size, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=size) for _ in range(n_steps)]


def test_plain_step_is_minus_learning_rate_times_gradient():
    """Without momentum, regularisation or noise: w ← w − lr·g, and updates = new − old."""
    w = np.array([0.5, -1.0, 2.0])
    opt = _sgd(w, learning_rate=0.1)
    opt.step(np.array([1.0, 2.0, -3.0]))
    np.testing.assert_allclose(w, [0.4, -1.2, 2.3], rtol=0, atol=1e-15)
    np.testing.assert_allclose(opt.updates, [-0.1, -0.2, 0.3], rtol=0, atol=1e-15)
    assert opt.steps == 1


def test_step_updates_params_in_place():
    """SGD updates the very array it was given (the network's flat vector)."""
    w = np.zeros(4)
    opt = _sgd(w, learning_rate=1.0)
    opt.step(np.ones(4))
    assert opt.params is w
    np.testing.assert_array_equal(w, -1.0)


@pytest.mark.parametrize(
    "hyper",
    [
        dict(learning_rate=0.3, momentum=0.9),
        dict(learning_rate=0.05, momentum=0.5, l2=0.01),
        dict(learning_rate=0.2, momentum=0.7, l1=0.003),
        dict(learning_rate=0.1, momentum=0.95, l1=0.002, l2=0.02),
        dict(learning_rate=0.1, l1=0.01, l2=0.05),
    ],
)
def test_momentum_and_regularisation_match_pytorch_formula_step_by_step(hyper):
    """v ← μv + (g + l2·w + l1·sign w); w ← w − lr·v, checked after every one of 15 steps."""
    rng = np.random.default_rng(2)
    w = rng.normal(size=7)
    w[3] = 0.0  # sign(0) = 0: L1 leaves an exact zero alone
    ref_w, ref_v = w.copy(), np.zeros(7)
    opt = _sgd(w, **hyper)
    lr, mu = hyper["learning_rate"], hyper.get("momentum", 0.0)
    l1, l2 = hyper.get("l1", 0.0), hyper.get("l2", 0.0)
    for g in _grads(15, 7):
        d = g + l2 * ref_w + l1 * np.sign(ref_w)
        ref_v = mu * ref_v + d
        before = ref_w.copy()
        ref_w = ref_w - lr * ref_v
        opt.step(g)
        np.testing.assert_allclose(w, ref_w, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(opt.updates, ref_w - before, rtol=1e-12, atol=1e-15)
        if mu:
            np.testing.assert_allclose(opt.velocity, ref_v, rtol=1e-14, atol=1e-15)


def test_first_momentum_step_equals_plain_step():
    """The velocity starts at zero, so the first momentum step is a plain gradient step (as in PyTorch)."""
    w1, w2 = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    g = np.array([0.3, 0.7])
    _sgd(w1, learning_rate=0.5, momentum=0.9).step(g)
    _sgd(w2, learning_rate=0.5).step(g)
    np.testing.assert_array_equal(w1, w2)


def test_l1_adds_l1_times_sign_of_weight():
    """With a zero gradient, L1 moves each weight by −lr·l1·sign(w) (zero stays zero)."""
    w = np.array([2.0, -3.0, 0.0, 1e-9])
    opt = _sgd(w, learning_rate=0.5, l1=0.1)
    opt.step(np.zeros(4))
    np.testing.assert_allclose(w, [2.0 - 0.05, -3.0 + 0.05, 0.0, 1e-9 - 0.05], rtol=0, atol=1e-15)


def test_l2_adds_l2_times_weight():
    """With a zero gradient, L2 shrinks each weight by the factor (1 − lr·l2)."""
    w = np.array([2.0, -3.0, 0.5])
    opt = _sgd(w, learning_rate=0.5, l2=0.2)
    opt.step(np.zeros(3))
    np.testing.assert_allclose(w, np.array([2.0, -3.0, 0.5]) * 0.9, rtol=1e-15)


def test_regularisation_does_not_modify_the_gradient():
    """The gradient array handed to step is left untouched, whatever is switched on."""
    g = np.array([1.0, 2.0, 3.0])
    opt = _sgd(np.array([1.0, -1.0, 1.0]), learning_rate=0.1, momentum=0.9, l1=0.1, l2=0.1, noise=0.1)
    opt.step(g)
    opt.step(g)
    np.testing.assert_array_equal(g, [1.0, 2.0, 3.0])


def test_matches_torch_sgd_with_momentum_and_weight_decay_on_a_2_3_1_net():
    """20 full-batch steps on a 2-3-1 sigmoid/MSE net equal torch.optim.SGD(momentum, weight_decay) to 1e-10."""
    torch = pytest.importorskip("torch")
    spec = NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid"))
    net = Network.from_spec(spec, seed=3)
    rng = np.random.default_rng(4)
    net.biases[0][:] = rng.normal(0, 0.5, 3)
    net.biases[1][:] = rng.normal(0, 0.5, 1)
    X = rng.normal(size=(8, 2))
    Y = rng.random((8, 1))
    lr, mu, wd = 0.5, 0.9, 0.01

    model = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 1), torch.nn.Sigmoid()
    ).double()
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(net.weights[0].T.copy()))
        model[0].bias.copy_(torch.from_numpy(net.biases[0].copy()))
        model[2].weight.copy_(torch.from_numpy(net.weights[1].T.copy()))
        model[2].bias.copy_(torch.from_numpy(net.biases[1].copy()))
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=mu, weight_decay=wd)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)

    trainer = Trainer(net, X, Y, hyper=Hyperparameters(learning_rate=lr, momentum=mu, l2=wd))
    for _ in range(20):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(Xt), Yt)
        loss.backward()
        opt.step()
        trainer.step_cycle()
        assert trainer.history.batch_loss.last()[1] == pytest.approx(loss.item(), rel=1e-10)
    np.testing.assert_allclose(net.weights[0], model[0].weight.detach().numpy().T, rtol=0, atol=1e-10)
    np.testing.assert_allclose(net.biases[0], model[0].bias.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(net.weights[1], model[2].weight.detach().numpy().T, rtol=0, atol=1e-10)
    np.testing.assert_allclose(net.biases[1], model[2].bias.detach().numpy(), rtol=0, atol=1e-10)


# -- noise -------------------------------------------------------------------------------


def test_zero_noise_adds_nothing_and_draws_no_random_numbers():
    """noise = 0: the update is exactly −lr·g and the noise stream is not touched."""
    w = np.array([1.0, 2.0])
    opt = _sgd(w, learning_rate=0.25, noise=0.0)
    state = opt.rng.bit_generator.state
    opt.step(np.array([0.4, -0.8]))
    np.testing.assert_array_equal(opt.updates, [-0.1, 0.2])
    assert opt.last_noise_std == 0.0
    assert opt.rng.bit_generator.state == state


def test_noise_with_the_same_seed_reproduces_and_another_seed_differs():
    """Two optimisers with the same noise seed take identical steps; another seed does not."""
    start = np.random.default_rng(0).normal(size=5)
    runs = []
    for seed in (7, 7, 8):
        w = start.copy()
        opt = _sgd(w, seed=seed, learning_rate=0.1, noise=0.3)
        for g in _grads(10, 5):
            opt.step(g)
        runs.append(w)
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_noise_std_decays_as_documented():
    """σ_t = noise / (1 + t)^noise_decay, reported before each step and seen in the updates' spread."""
    n = 40_000
    opt = _sgd(np.zeros(n), seed=3, learning_rate=0.7, noise=0.5, noise_decay=0.55)
    grad = np.full(n, 0.2)
    for t in range(30):
        expected = 0.5 / (1 + t) ** 0.55
        assert opt.noise_std() == pytest.approx(expected, rel=1e-14)
        opt.step(grad)
        assert opt.last_noise_std == pytest.approx(expected, rel=1e-14)
        noise = opt.updates - (-0.7 * 0.2)
        if t in (0, 9, 29):
            assert noise.std() == pytest.approx(expected, rel=0.03)
            assert abs(noise.mean()) < 5 * expected / math.sqrt(n)
    assert opt.steps == 30


def test_noise_std_with_zero_decay_stays_constant():
    """noise_decay = 0 keeps σ at the noise setting forever."""
    opt = _sgd(np.zeros(3), learning_rate=0.1, noise=0.2, noise_decay=0.0)
    for _ in range(5):
        opt.step(np.zeros(3))
    assert opt.noise_std() == 0.2


# -- hyperparameters ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["learning_rate", "momentum", "l1", "l2", "noise", "noise_decay"])
@pytest.mark.parametrize("value", [-0.1, -1e-12, float("nan"), float("inf"), float("-inf")])
def test_hyperparameters_refuse_negative_and_non_finite_values(name, value):
    """Every setting must be a finite number ≥ 0."""
    with pytest.raises(ValueError, match=name.replace("_", " ")):
        Hyperparameters(**{name: value})


@pytest.mark.parametrize("momentum", [1.0, 1.5])
def test_hyperparameters_refuse_momentum_of_one_or_more(momentum):
    """Momentum ≥ 1 would never forget a gradient; it is refused."""
    with pytest.raises(ValueError, match="momentum"):
        Hyperparameters(momentum=momentum)


def test_hyperparameters_accept_edge_values_and_replace_validates():
    """Zeros and momentum just below 1 are fine; replace() returns a new validated copy."""
    h = Hyperparameters(learning_rate=0.0, momentum=0.999, l1=0.0, l2=0.0, noise=0.0, noise_decay=0.0)
    h2 = h.replace(learning_rate=0.3)
    assert h2.learning_rate == 0.3 and h.learning_rate == 0.0 and h2.momentum == 0.999
    with pytest.raises(ValueError):
        h.replace(momentum=1.0)


def test_hyperparameter_defaults():
    """The defaults are the seed's: lr 0.5, no momentum, no regularisation, no noise, decay 0.55."""
    h = Hyperparameters()
    assert (h.learning_rate, h.momentum, h.l1, h.l2, h.noise, h.noise_decay) == (0.5, 0.0, 0.0, 0.0, 0.0, 0.55)
