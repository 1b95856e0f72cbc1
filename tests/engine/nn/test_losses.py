"""Tests for nnstudio.engine.nn.losses: MSE and cross-entropy values and the pairing rules."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from nnstudio.engine.nn.activations import Sigmoid, Softmax
from nnstudio.engine.nn.losses import CROSS_ENTROPY_OUTPUTS, MSE, CrossEntropy, Loss, get_loss
from nnstudio.engine.nn.network import Network, NetworkSpec, SpecError


def _mse_value(a, y, z=None):
    a, y = np.asarray(a, float), np.asarray(y, float)
    return MSE().value(a, y, z, a - y)


def test_mse_of_hand_example():
    """MSE = Σ(y−a)² / (batch·outputs) on a 2×2 example worked by hand."""
    a = [[0.2, 0.9], [0.6, 0.1]]
    y = [[0.0, 1.0], [1.0, 0.0]]
    # errors 0.2, 0.1, 0.4, 0.1 → squares 0.04 + 0.01 + 0.16 + 0.01 = 0.22, over 4 entries
    assert _mse_value(a, y) == pytest.approx(0.055, abs=1e-15)


def test_mse_of_single_output_is_seed_formula():
    """For one output and one sample MSE is just error²."""
    assert _mse_value([[0.75]], [[1.0]]) == pytest.approx(0.0625, abs=1e-16)


def test_mse_matches_torch_mse_loss():
    """MSE equals torch.nn.MSELoss() (mean reduction) on random data."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, y = rng.random((6, 3)), rng.random((6, 3))
    expected = torch.nn.MSELoss()(torch.from_numpy(a), torch.from_numpy(y)).item()
    assert _mse_value(a, y) == pytest.approx(expected, rel=1e-14)


def test_softmax_cross_entropy_is_minus_mean_sum_y_log_p():
    """Softmax cross-entropy equals −(1/batch) Σ y log p with p = softmax(z)."""
    rng = np.random.default_rng(1)
    z = rng.normal(size=(5, 3))
    y = np.eye(3)[[0, 2, 1, 1, 0]]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -sum(y[i, k] * math.log(p[i, k]) for i in range(5) for k in range(3)) / 5
    got = CrossEntropy(softmax=True).value(p, y, z, p - y)
    assert got == pytest.approx(expected, rel=1e-13)


def test_sigmoid_cross_entropy_is_mean_binary_cross_entropy():
    """Sigmoid cross-entropy equals the mean over all entries of −[y log a + (1−y) log(1−a)]."""
    rng = np.random.default_rng(2)
    z = rng.normal(size=(4, 2))
    y = rng.random((4, 2))  # soft targets are allowed for binary cross-entropy
    a = 1.0 / (1.0 + np.exp(-z))
    terms = [-(y[i, k] * math.log(a[i, k]) + (1 - y[i, k]) * math.log(1 - a[i, k]))
             for i in range(4) for k in range(2)]
    got = CrossEntropy(softmax=False).value(a, y, z, a - y)
    assert got == pytest.approx(sum(terms) / len(terms), rel=1e-13)


def test_cross_entropies_match_torch():
    """Softmax and sigmoid cross-entropy equal torch's cross_entropy and BCE-with-logits."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    z = rng.normal(0, 2, size=(6, 4))
    labels = np.array([0, 3, 1, 2, 2, 0])
    y = np.eye(4)[labels]
    p = Softmax().forward(z)
    ce = torch.nn.functional.cross_entropy(torch.from_numpy(z), torch.from_numpy(labels)).item()
    assert CrossEntropy(softmax=True).value(p, y, z, p - y) == pytest.approx(ce, rel=1e-13)
    yb = rng.random((6, 4))
    a = Sigmoid().forward(z)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(torch.from_numpy(z), torch.from_numpy(yb)).item()
    assert CrossEntropy(softmax=False).value(a, yb, z, a - yb) == pytest.approx(bce, rel=1e-13)


def test_cross_entropy_of_huge_logits_is_finite_and_right():
    """Logits of ±1000 give large finite losses (≈ the margin), not inf/NaN, and no warnings."""
    z = np.array([[1000.0, -1000.0]])
    y = np.array([[0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = Softmax().forward(z)
        soft = CrossEntropy(softmax=True).value(p, y, z, p - y)
        a = Sigmoid().forward(z)
        sig = CrossEntropy(softmax=False).value(a, y, z, a - y)
    # −log softmax_1 = 2000; each sigmoid entry is wrong by 1000 → mean 1000.
    assert soft == pytest.approx(2000.0, rel=1e-12)
    assert sig == pytest.approx(1000.0, rel=1e-12)


def test_cross_entropy_of_confident_right_answer_is_near_zero():
    """Huge logits on the right class give a loss of (almost) exactly 0."""
    z = np.array([[800.0, -800.0]])
    y = np.array([[1.0, 0.0]])
    p = Softmax().forward(z)
    assert CrossEntropy(softmax=True).value(p, y, z, p - y) == pytest.approx(0.0, abs=1e-300)


@pytest.mark.parametrize("output", ["tanh", "relu", "leaky_relu", "linear"])
def test_cross_entropy_with_non_probability_output_is_refused(output):
    """NetworkSpec refuses cross_entropy on a tanh/relu/leaky_relu/linear output layer."""
    with pytest.raises(SpecError, match="cross_entropy"):
        NetworkSpec((2, 3, 1), ("sigmoid", output), "cross_entropy")


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_cross_entropy_with_probability_output_is_accepted(output):
    """cross_entropy on sigmoid or softmax outputs builds a network with the matching loss."""
    net = Network.from_spec(NetworkSpec((2, 3, 2), ("tanh", output), "cross_entropy"))
    assert isinstance(net.loss, CrossEntropy)
    assert net.loss.softmax == (output == "softmax")


def test_get_loss_names_and_unknown_loss():
    """get_loss builds MSE and the right cross-entropy; unknown names raise ValueError."""
    assert isinstance(get_loss("mse"), MSE)
    assert get_loss("cross_entropy", "softmax").softmax is True
    assert get_loss("cross_entropy", "sigmoid").softmax is False
    with pytest.raises(ValueError, match="hinge"):
        get_loss("hinge")
    with pytest.raises(SpecError):
        NetworkSpec((2, 1), ("sigmoid",), "hinge")


def test_mse_output_delta_is_two_err_over_size_times_derivative():
    """MSE's δ_L = 2(a−y)/(batch·outputs) ⊙ σ'(z) for a sigmoid output."""
    z = np.array([[0.3, -0.4], [1.1, 0.0], [-2.0, 0.5]])
    a = Sigmoid().forward(z)
    y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    err = a - y
    out = np.empty_like(z)
    MSE().output_delta(a, y, z, err, Sigmoid(), np.empty_like(z), out)
    np.testing.assert_allclose(out, 2 * (a - y) / 6 * a * (1 - a), rtol=1e-15)


def test_a_loss_must_define_its_value_and_output_delta():
    """The base cannot be built, nor a subclass missing output_delta."""
    with pytest.raises(TypeError):
        Loss()

    class ValueOnly(Loss):
        def value(self, a, y, z, err):
            return 0.0

    with pytest.raises(TypeError, match="output_delta"):
        ValueOnly()


def test_cross_entropy_sits_only_on_the_outputs_it_names():
    """CROSS_ENTROPY_OUTPUTS is what check_output accepts: sigmoid and softmax, nothing else."""
    assert CROSS_ENTROPY_OUTPUTS == ("sigmoid", "softmax")
    for name in CROSS_ENTROPY_OUTPUTS:
        CrossEntropy().check_output(name, 2)
    for name in ("tanh", "relu", "leaky_relu", "linear"):
        with pytest.raises(ValueError, match="sigmoid or softmax"):
            CrossEntropy().check_output(name, 2)
