"""A drawn digit's inputs: standardised like the training digits, without exploding pixels."""

import numpy as np
import pytest

from nnstudio.engine.data.drawn_digit import STD_FLOOR, Z_LIMIT, drawn_digit_inputs
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession


def test_near_blank_pixels_are_floored_and_clipped_the_rest_standardised_as_trained():
    """std 0.04 (a pixel almost never inked): 16 ink gives 3, not 400; 1 ink gives 0.5; std 4: (x − m)/s."""
    mean = np.array([0.001, 0.001, 5.0, 8.0, 8.0])
    std = np.array([0.04, 0.04, 4.0, 4.0, 4.0])
    pixels = np.array([16.0, 1.0, 9.0, 0.0, 16.0])
    expected = [3.0, (1.0 - 0.001) / 2.0, 1.0, -2.0, 2.0]
    assert np.allclose(drawn_digit_inputs(pixels, mean, std), expected, rtol=1e-15, atol=0)
    many = drawn_digit_inputs(np.vstack([pixels, np.zeros(5)]), mean, std)
    assert many.shape == (2, 5) and np.allclose(many[1], [-0.0005, -0.0005, -1.25, -2.0, -2.0])
    assert STD_FLOOR == 2.0 and Z_LIMIT == 3.0


def test_inputs_of_the_wrong_width_are_refused():
    with pytest.raises(ValueError, match="do not fit"):
        drawn_digit_inputs(np.zeros(63), np.zeros(64), np.ones(64))


@pytest.mark.slow
def test_the_test_digits_classify_as_before():
    """The digits example after 2,000 cycles: the test split classifies (almost) as it did."""
    config = SessionConfig(data=DataSpec("digits", test_fraction=0.2, seed=0), hidden=(32,),
                           activations=("tanh", "softmax"), loss="cross_entropy",
                           hyper=Hyperparameters(learning_rate=0.1), batch_size=32, seed=0)
    session = TrainingSession(config)
    session.step("cycle", 2000)
    experiment = session.experiment
    X = experiment.dataset.X[experiment.test_idx]
    labels = experiment.dataset.targets(experiment.test_idx).argmax(axis=1)
    trained_way = experiment.network.predict(experiment.normalizer.apply(X)).argmax(axis=1)
    drawn_way = experiment.network.predict(
        drawn_digit_inputs(X, experiment.normalizer.mean, experiment.normalizer.std)).argmax(axis=1)
    assert np.mean(trained_way == labels) > 0.95
    assert np.mean(drawn_way == labels) >= np.mean(trained_way == labels) - 0.005
    assert np.mean(drawn_way != trained_way) < 0.01
