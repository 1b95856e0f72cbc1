"""Experiment: the split, the normaliser fitted on training rows only, fitting checks, model files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnstudio.engine.data.datasets import Dataset, Normalizer, generate, train_test_split
from nnstudio.engine.io.formats import load_weights, save_weights
from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.experiment import Experiment, check_fits, default_output_activation


def _net(n_in: int = 2, n_out: int = 1, hidden=(4,), output: str = "sigmoid", seed: int = 0) -> Network:
    return Network.from_spec(NetworkSpec.build(n_in, hidden, n_out, "tanh", output), seed=seed)


def _shifted_dataset(seed: int = 0) -> Dataset:
    """Two classes whose features are far from zero mean and unit spread, so normalising matters."""
    rng = np.random.default_rng(seed)
    X = rng.normal(loc=[50.0, -3.0], scale=[10.0, 0.01], size=(120, 2))
    y = (X[:, 0] > 50.0).astype(np.int64)
    return Dataset("shifted", X, y, "classification", ("a", "b"), "label", ("lo", "hi"))


def test_normaliser_is_fitted_on_the_training_rows_only():
    """The normaliser's mean/std are the training rows' (computed here), not all rows'; test rows stay unseen."""
    data = _shifted_dataset()
    exp = Experiment(data, _net(), test_fraction=0.25, split_seed=3)
    X_train, X_test = data.X[exp.train_idx], data.X[exp.test_idx]
    np.testing.assert_allclose(exp.normalizer.mean, X_train.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(exp.normalizer.std, X_train.std(axis=0), rtol=1e-12)
    assert not np.allclose(exp.normalizer.mean, data.X.mean(axis=0), rtol=1e-12, atol=0)

    train_norm = exp.trainer.X_train
    np.testing.assert_allclose(train_norm.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(train_norm.std(axis=0), 1.0, rtol=1e-12)
    test_norm = exp.trainer.X_test
    np.testing.assert_allclose(test_norm, (X_test - X_train.mean(axis=0)) / X_train.std(axis=0), rtol=1e-12, atol=1e-12)
    assert np.all(np.abs(test_norm.mean(axis=0)) > 1e-6)  # not exactly centred: fitted elsewhere


def test_split_is_disjoint_covers_every_row_and_matches_train_test_split():
    """train_idx and test_idx partition the rows, as train_test_split(dataset, fraction, seed) gives them."""
    data = generate("circle", n_samples=90, seed=2)
    exp = Experiment(data, _net(), test_fraction=0.3, split_seed=8)
    assert sorted(np.concatenate([exp.train_idx, exp.test_idx]).tolist()) == list(range(90))
    expected_train, expected_test = train_test_split(data, 0.3, 8)
    assert np.array_equal(exp.train_idx, expected_train) and np.array_equal(exp.test_idx, expected_test)
    assert len(exp.test_idx) == 2 * round(0.3 * 45)  # stratified: 14 (13.5 rounded half up) per class


def test_normalize_false_uses_the_identity():
    """normalize=False feeds the raw inputs: mean 0, std 1, trainer inputs equal the raw training rows."""
    data = _shifted_dataset()
    exp = Experiment(data, _net(), normalize=False)
    assert np.array_equal(exp.normalizer.mean, [0.0, 0.0]) and np.array_equal(exp.normalizer.std, [1.0, 1.0])
    assert np.array_equal(exp.trainer.X_train, data.X[exp.train_idx])


def test_a_given_normaliser_is_used_as_is():
    """An explicit normalizer (e.g. from --init) is applied instead of fitting a new one."""
    data = _shifted_dataset()
    given = Normalizer(np.array([1.0, 2.0]), np.array([4.0, 8.0]))
    exp = Experiment(data, _net(), normalizer=given)
    assert exp.normalizer is given
    assert np.array_equal(exp.trainer.X_train, (data.X[exp.train_idx] - [1.0, 2.0]) / [4.0, 8.0])


def test_test_fraction_zero_keeps_every_row_for_training():
    """test_fraction=0: no test rows, the normaliser fitted on all rows."""
    data = _shifted_dataset()
    exp = Experiment(data, _net(), test_fraction=0.0)
    assert len(exp.test_idx) == 0 and len(exp.train_idx) == data.n_samples
    np.testing.assert_allclose(exp.normalizer.mean, data.X.mean(axis=0), rtol=1e-14)


def test_check_fits_names_both_input_sizes():
    """A 3-input network on 2-feature data: ValueError naming 3 inputs and 2 features."""
    data = generate("xor", n_samples=20)
    with pytest.raises(ValueError) as info:
        check_fits(NetworkSpec.build(3, (4,), 1), data)
    message = str(info.value)
    assert "3 inputs" in message and "2 features" in message and "xor" in message


def test_check_fits_names_both_output_sizes():
    """A 3-output network on 2-class data: ValueError naming 3 outputs and the 1 needed."""
    data = generate("xor", n_samples=20)
    with pytest.raises(ValueError) as info:
        check_fits(NetworkSpec.build(2, (4,), 3), data)
    assert "3 outputs" in str(info.value) and "needs 1" in str(info.value)


def test_check_fits_reports_inputs_and_outputs_together():
    """Both sizes wrong: one message naming both problems."""
    data = generate("xor", n_samples=20)
    with pytest.raises(ValueError) as info:
        check_fits(NetworkSpec.build(5, (), 2, output_activation="softmax"), data)
    assert "5 inputs" in str(info.value) and "2 outputs" in str(info.value)


def test_check_fits_accepts_a_fitting_network():
    """A 2-in/1-out network fits xor; a 3-class dataset needs 3 outputs."""
    check_fits(NetworkSpec.build(2, (4,), 1), generate("xor", n_samples=20))
    three = Dataset("t", np.arange(12.0).reshape(6, 2), np.array([0, 1, 2, 0, 1, 2]), "classification",
                    ("p", "q"), "label", ("a", "b", "c"))
    check_fits(NetworkSpec.build(2, (), 3), three)


def test_experiment_refuses_a_network_that_does_not_fit():
    """Experiment(dataset, network) raises ValueError when check_fits would."""
    with pytest.raises(ValueError, match="3 inputs"):
        Experiment(generate("xor", n_samples=20), _net(n_in=3))


def test_default_output_activation_by_task():
    """Sigmoid for classification, linear for regression."""
    assert default_output_activation(generate("xor", n_samples=8)) == "sigmoid"
    reg = Dataset("r", np.zeros((3, 1)), np.array([0.5, 1.5, 2.5]), "regression", ("x",), "y")
    assert default_output_activation(reg) == "linear"


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_model_file_round_trip_predicts_identically_on_raw_inputs(tmp_path, suffix):
    """After training, model_file() saved and loaded gives bit-identical outputs on raw inputs."""
    data = _shifted_dataset(seed=4)
    exp = Experiment(data, _net(hidden=(3, 2), seed=4), hyper=Hyperparameters(learning_rate=0.3),
                     batch_size=8, seed=4)
    exp.trainer.step_cycle(30)
    model = exp.model_file()
    assert (model.task, model.class_names, model.feature_names, model.target_name) == (
        "classification", ("lo", "hi"), ("a", "b"), "label")
    path = tmp_path / f"m{suffix}"
    save_weights(path, model)
    loaded = load_weights(path)
    X_raw = np.random.default_rng(9).normal(loc=[50.0, -3.0], scale=[20.0, 0.05], size=(40, 2))
    expected = exp.predict_raw(X_raw)
    assert np.array_equal(loaded.predict(X_raw), expected)
    assert np.array_equal(model.predict(X_raw), expected)
    # and predict_raw is the network on (x - mean) / std of the training rows
    X_train = data.X[exp.train_idx]
    manual = exp.network.predict((X_raw - X_train.mean(axis=0)) / X_train.std(axis=0))
    np.testing.assert_allclose(expected, manual, rtol=1e-12, atol=1e-15)


def test_model_file_of_a_regression_experiment_keeps_its_metadata(tmp_path):
    """A regression experiment's model file says regression, no class names, and its feature/target names."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(30, 3))
    data = Dataset("r", X, X @ [1.0, -2.0, 0.5], "regression", ("u", "v", "w"), "z")
    exp = Experiment(data, _net(n_in=3, output="linear"), test_fraction=0.2)
    save_weights(tmp_path / "r.json", exp.model_file())
    loaded = load_weights(tmp_path / "r.json")
    assert (loaded.task, loaded.class_names, loaded.feature_names, loaded.target_name) == (
        "regression", (), ("u", "v", "w"), "z")
    assert np.array_equal(loaded.predict(X), exp.predict_raw(X))


# -- regression targets on their own scale ------------------------------------------------------
def _prices(n: int = 200, seed: int = 0) -> Dataset:
    """House prices: y = 1e5·x + 3e5 exactly, x in [0, 10] (say, rooms)."""
    x = np.random.default_rng(seed).uniform(0.0, 10.0, size=(n, 1))
    return Dataset("prices", x, 1e5 * x[:, 0] + 3e5, "regression", ("rooms",), "price")


def test_target_scaling_fit_is_the_mean_and_population_std():
    """Hand-worked: [1, 2, 3, 4] has mean 2.5 and std √1.25; constant targets keep std 1."""
    from nnstudio.engine.run.experiment import TargetScaling

    scaling = TargetScaling.fit([1.0, 2.0, 3.0, 4.0])
    assert scaling.mean == 2.5 and scaling.std == math.sqrt(1.25)
    assert TargetScaling.fit([7.0, 7.0, 7.0]) == TargetScaling(7.0, 1.0)
    huge = TargetScaling.fit([1e200, 3e200])  # squares would overflow float64
    assert huge.mean == pytest.approx(2e200, rel=1e-15) and huge.std == pytest.approx(1e200, rel=1e-15)
    rng = np.random.default_rng(3)
    y = rng.normal(3e5, 1e5, size=1000)
    fitted = TargetScaling.fit(y)
    assert fitted.mean == pytest.approx(y.mean(), rel=1e-14) and fitted.std == pytest.approx(y.std(), rel=1e-12)


def test_regression_on_a_real_scale_learns_on_standardised_targets():
    """Prices ~1e5 at lr 0.5: the trainer sees targets of mean 0 and std 1, the loss stays small, no divergence."""
    data = _prices()
    exp = Experiment(data, _net(n_in=1, hidden=(), output="linear"), hyper=Hyperparameters(learning_rate=0.5),
                     batch_size=10)
    y_train = data.y[exp.train_idx]
    np.testing.assert_allclose(exp.trainer.Y_train[:, 0], (y_train - y_train.mean()) / y_train.std(), rtol=1e-12,
                               atol=1e-12)
    exp.trainer.step_epoch(100)
    assert exp.trainer.diverged_at is None
    result = exp.trainer.evaluate()
    assert result.train_loss < 1e-12 and result.test_loss < 1e-12  # an exact line, on the standardised scale


def test_predictions_exports_and_weights_of_a_regression_are_in_the_data_units(tmp_path):
    """y = 1e5·x + 3e5: predict_raw and the saved weights give prices; the weights are the line itself."""
    data = _prices()
    exp = Experiment(data, _net(n_in=1, hidden=(), output="linear"), hyper=Hyperparameters(learning_rate=0.5),
                     batch_size=10)
    exp.trainer.step_epoch(100)
    rooms = np.array([[0.0], [2.5], [7.0], [10.0]])
    prices = 1e5 * rooms[:, 0] + 3e5
    np.testing.assert_allclose(exp.predict_raw(rooms)[:, 0], prices, rtol=1e-9)
    save_weights(tmp_path / "prices.npz", exp.model_file())
    model = load_weights(tmp_path / "prices.npz")
    assert np.array_equal(model.predict(rooms), exp.predict_raw(rooms))
    # The file is the plain network of the README: raw x standardised, then a @ W + b, in dollars.
    mean, std = model.normalizer.mean[0], model.normalizer.std[0]
    W, b = model.network.weights[0][0, 0], model.network.biases[0][0]
    assert W / std == pytest.approx(1e5, rel=1e-9) and b - W * mean / std == pytest.approx(3e5, rel=1e-9)


def test_model_file_folds_the_scaling_into_the_output_layer():
    """Saved W_out = W·std and b_out = b·std + mean, computed here from the training targets."""
    data = _prices(60)
    exp = Experiment(data, _net(n_in=1, hidden=(3,), output="linear", seed=2), hyper=Hyperparameters(learning_rate=0.1))
    exp.trainer.step_cycle(20)
    y_train = data.y[exp.train_idx]
    m, s = y_train.mean(), y_train.std()
    folded = exp.model_file().network
    np.testing.assert_allclose(folded.weights[-1], exp.network.weights[-1] * s, rtol=1e-12)
    np.testing.assert_allclose(folded.biases[-1], exp.network.biases[-1] * s + m, rtol=1e-12)
    assert np.array_equal(folded.weights[0], exp.network.weights[0])  # hidden layers are untouched
    assert folded is not exp.network


def test_weights_in_data_units_are_unfolded_to_continue_training():
    """An Experiment started from a model file (as --init does) trains on where the file left off."""
    data = _prices(80)
    first = Experiment(
        data, _net(n_in=1, hidden=(3,), output="linear", seed=5), hyper=Hyperparameters(learning_rate=0.1)
    )
    first.trainer.step_cycle(40)
    model = first.model_file()
    network = Network(model.network.spec, model.network.weights, model.network.biases)
    again = Experiment(data, network, normalizer=model.normalizer, output_in_data_units=True)
    np.testing.assert_allclose(again.network.flat, first.network.flat, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(again.model_file().network.flat, model.network.flat, rtol=1e-12)


def test_a_non_linear_output_keeps_the_targets_as_they_are():
    """A tanh output cannot carry an affine scaling: targets unscaled, and the description says so."""
    data = Dataset("unit", np.linspace(-1, 1, 20)[:, None], np.linspace(-0.5, 0.5, 20), "regression", ("x",), "y")
    exp = Experiment(data, _net(n_in=1, hidden=(), output="tanh"))
    assert exp.target_scaling.is_identity
    assert np.array_equal(exp.trainer.Y_train[:, 0], data.y[exp.train_idx])
    assert "used as they are" in exp.describe_targets() and "tanh" in exp.describe_targets()
    assert exp.model_file().network is exp.network


def test_classification_has_no_target_scaling():
    """Class targets (0/1, one-hot) are never rescaled."""
    exp = Experiment(_shifted_dataset(), _net())
    assert exp.target_scaling.is_identity and exp.describe_targets() == ""
    assert set(np.unique(exp.trainer.Y_train)) == {0.0, 1.0}
