"""Weights files' models for the tests: two fixed ones with awkward numbers, and a bit-for-bit comparison."""

from __future__ import annotations

import numpy as np

from nnstudio.engine.data.datasets import Normalizer
from nnstudio.engine.io.formats import ModelFile
from nnstudio.engine.nn.network import Network, NetworkSpec

# Values a careless writer would round: thirds, subnormals, the largest float, signed zero.
AWKWARD = np.array([1 / 3, -2 / 3, 0.1 + 0.2, 5e-324, 1e-310, 1.7976931348623157e308 / 1e10, -0.0, 123456.789e-7])


def classification_model(seed: int = 0) -> ModelFile:
    """3 inputs -> 5 tanh -> 3 softmax, cross-entropy; awkward weights, non-zero biases."""
    net = Network.from_spec(NetworkSpec((3, 5, 3), ("tanh", "softmax"), "cross_entropy"), seed=seed)
    values = np.random.default_rng(seed).standard_normal(net.flat.size)
    values[: AWKWARD.size] = AWKWARD / np.where(np.abs(AWKWARD) > 1e10, 1e300, 1.0)
    net.flat[:] = values
    normalizer = Normalizer(np.array([0.1, -2.5, 1 / 3]), np.array([1.5, 0.25, 7.000000000000001]))
    return ModelFile(net, normalizer, "classification", ("a", "b", "c"), ("f1", "f2", "f3"), "kind")


def regression_model(seed: int = 1) -> ModelFile:
    """2 inputs -> 4 relu -> 1 linear, mse, regression with named features and target."""
    net = Network.from_spec(NetworkSpec((2, 4, 1), ("relu", "linear"), "mse"), seed=seed)
    net.flat[:] = np.random.default_rng(seed).standard_normal(net.flat.size) * 3
    normalizer = Normalizer(np.array([1e6, -1e-6]), np.array([2e5, 3e-7]))
    return ModelFile(net, normalizer, "regression", (), ("area", "age"), "price")


MODELS = {"classification": classification_model, "regression": regression_model}


def float_bits(a) -> np.ndarray:
    """The float64 values as integers: equal bits, signed zeros and NaN payloads included."""
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64)


def assert_same_model(a: ModelFile, b: ModelFile) -> None:
    """The same network, normalisation and names, every number bit for bit."""
    assert a.network.spec == b.network.spec
    for x, y in zip(a.network.weights + a.network.biases, b.network.weights + b.network.biases):
        assert x.shape == y.shape
        assert np.array_equal(float_bits(x), float_bits(y))  # bit for bit, signed zeros included
    assert np.array_equal(float_bits(a.normalizer.mean), float_bits(b.normalizer.mean))
    assert np.array_equal(float_bits(a.normalizer.std), float_bits(b.normalizer.std))
    assert (a.task, a.class_names, a.feature_names, a.target_name) == (
        b.task, b.class_names, b.feature_names, b.target_name)
