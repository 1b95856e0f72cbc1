"""Tests for nnstudio.engine.data.datasets: generators, input features, encoding, splits, scaling and CSV files."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnstudio.engine.data.datasets import (
    FEATURE_LABELS,
    FEATURES,
    GENERATOR_NAMES,
    GENERATOR_TASKS,
    MAX_CSV_BYTES,
    Dataset,
    DatasetError,
    Normalizer,
    accuracy,
    add_features,
    generate,
    labels_from_outputs,
    load_csv,
    plane_bounds,
    save_csv,
    train_test_split,
)

CLASSIFIERS = [name for name in GENERATOR_NAMES if GENERATOR_TASKS[name] == "classification"]
REGRESSORS = [name for name in GENERATOR_NAMES if GENERATOR_TASKS[name] == "regression"]


def _write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _three_class() -> Dataset:
    X = np.arange(24, dtype=float).reshape(12, 2)
    y = np.array([0, 1, 2] * 4)
    return Dataset("three", X, y, "classification", ("a", "b"), "kind", ("r", "g", "b"))


def _regression(n: int = 10) -> Dataset:
    X = np.linspace(-1, 1, n).reshape(n, 1)
    return Dataset("reg", X, 3.0 * X[:, 0] + 0.25, "regression", ("x",), "y")


# ------------------------------------------------------------------ generators

def test_generator_names_and_tasks():
    """The eight generators come in the documented order, six classification then two regression."""
    assert GENERATOR_NAMES == ("xor", "circle", "gaussians", "spiral", "moons", "checkerboard", "plane", "multigauss")
    assert tuple(GENERATOR_TASKS) == GENERATOR_NAMES
    assert REGRESSORS == ["plane", "multigauss"]
    with pytest.raises(TypeError):
        GENERATOR_TASKS["xor"] = "regression"  # read-only


@pytest.mark.parametrize("name", CLASSIFIERS)
@pytest.mark.parametrize("n", [4, 7, 200])
def test_generator_shape_dtype_and_balance(name, n):
    """Every classification generator gives 2-D float64 inputs, int64 labels and exactly balanced classes."""
    d = generate(name, n_samples=n)
    assert d.X.shape == (n, 2) and d.X.dtype == np.float64
    assert d.y.shape == (n,) and d.y.dtype == np.int64
    assert d.feature_names == ("x1", "x2") and d.class_names == ("0", "1")
    assert d.task == "classification" and d.n_outputs == 1
    assert np.count_nonzero(d.y == 1) == n // 2
    assert np.count_nonzero(d.y == 0) == n - n // 2


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_generator_same_seed_is_bit_identical(name):
    """The same arguments reproduce the data bit for bit."""
    a, b = generate(name, 50, 0.2, seed=3), generate(name, 50, 0.2, seed=3)
    assert a.X.tobytes() == b.X.tobytes() and a.y.tobytes() == b.y.tobytes()


@pytest.mark.parametrize("name", REGRESSORS)
@pytest.mark.parametrize("n", [4, 7, 200])
def test_regression_generator_shape_task_and_dtype(name, n):
    """A regression generator gives (n, 2) float64 inputs, a float64 target "y" and no classes."""
    d = generate(name, n_samples=n)
    assert d.X.shape == (n, 2) and d.X.dtype == np.float64
    assert d.y.shape == (n,) and d.y.dtype == np.float64
    assert d.task == "regression" and d.class_names == () and d.n_outputs == 1
    assert d.feature_names == ("x1", "x2") and d.target_name == "y"


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_generator_seed_and_noise_change_data(name):
    """A different seed or a different noise level gives different inputs."""
    base = generate(name, 50, 0.1, seed=0)
    assert not np.array_equal(base.X, generate(name, 50, 0.1, seed=1).X)
    assert not np.array_equal(base.X, generate(name, 50, 0.3, seed=0).X)


@pytest.mark.parametrize("name", REGRESSORS)
def test_regression_seed_changes_inputs_and_noise_changes_targets_only(name):
    """Another seed draws other inputs; another noise level keeps the inputs and changes y."""
    base = generate(name, 50, 0.1, seed=0)
    assert not np.array_equal(base.X, generate(name, 50, 0.1, seed=1).X)
    noisier = generate(name, 50, 0.3, seed=0)
    assert np.array_equal(base.X, noisier.X) and not np.array_equal(base.y, noisier.y)


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_generator_stays_in_plot_range(name):
    """At the default noise the inputs stay roughly inside [-6, 6]."""
    d = generate(name, 400)
    assert np.abs(d.X).max() < 7.5


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_generated_data_is_read_only(name):
    """X and y cannot be modified in place."""
    d = generate(name, 8)
    with pytest.raises(ValueError):
        d.X[0, 0] = 1.0
    with pytest.raises(ValueError):
        d.y[0] = 1


def test_xor_noise_zero_four_samples_is_truth_table():
    """xor with noise 0 and 4 samples is exactly the XOR truth table in ±1 coordinates."""
    d = generate("xor", n_samples=4, noise=0.0)
    rows = {(float(x1), float(x2), int(y)) for (x1, x2), y in zip(d.X, d.y)}
    assert rows == {(1.0, 1.0, 0), (-1.0, -1.0, 0), (1.0, -1.0, 1), (-1.0, 1.0, 1)}


def test_xor_labels_follow_sign_rule():
    """With small noise every xor label is 1 exactly where the signs of x1 and x2 differ."""
    d = generate("xor", 200, noise=0.1)
    assert np.array_equal(d.y, (np.sign(d.X[:, 0]) != np.sign(d.X[:, 1])).astype(np.int64))


def test_circle_radii_without_noise():
    """Without noise, class 1 lies in the disc r <= 2 and class 0 in the ring 3 <= r <= 5."""
    d = generate("circle", 300, noise=0.0)
    r = np.hypot(d.X[:, 0], d.X[:, 1])
    assert r[d.y == 1].max() <= 2.0
    assert r[d.y == 0].min() >= 3.0 and r[d.y == 0].max() <= 5.0


def test_gaussians_centres():
    """The gaussian blobs are centred near (+1.5, +1.5) for class 1 and (-1.5, -1.5) for class 0."""
    d = generate("gaussians", 2000, noise=0.1)
    assert np.allclose(d.X[d.y == 1].mean(axis=0), [1.5, 1.5], atol=0.1)
    assert np.allclose(d.X[d.y == 0].mean(axis=0), [-1.5, -1.5], atol=0.1)


def test_spiral_radius_up_to_five():
    """Without noise the spiral arms stay within radius 5."""
    r = np.hypot(*generate("spiral", 200, noise=0.0).X.T)
    assert r.max() <= 5.0 and r.max() > 4.5


def test_moons_are_two_half_circles_of_radius_three():
    """Without noise class 0 is the upper half circle of radius 3 about (-1.5, -0.75), class 1 the lower one about (1.5, 0.75)."""
    d = generate("moons", 200, noise=0.0)
    upper, lower = d.X[d.y == 0], d.X[d.y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0] + 1.5, upper[:, 1] + 0.75), 3.0, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.5, lower[:, 1] - 0.75), 3.0, rtol=1e-12)
    assert np.all(upper[:, 1] >= -0.75 - 1e-12) and np.all(lower[:, 1] <= 0.75 + 1e-12)
    assert np.abs(d.X[:, 0]).max() == pytest.approx(4.5)


def test_moons_interleave_so_no_straight_line_splits_them():
    """Each moon's tip lies in the half disc the other moon bounds, so the classes' convex hulls overlap."""
    d = generate("moons", 200, noise=0.0)
    upper, lower = d.X[d.y == 0], d.X[d.y == 1]
    tip0, tip1 = upper[np.argmax(upper[:, 0])], lower[np.argmin(lower[:, 0])]
    np.testing.assert_allclose([tip0, tip1], [[1.5, -0.75], [-1.5, 0.75]], atol=1e-12)
    # The lower moon's hull is the half disc below y = 0.75 about (1.5, 0.75); the upper's mirrors it.
    assert np.hypot(tip0[0] - 1.5, tip0[1] - 0.75) < 3 and tip0[1] < 0.75
    assert np.hypot(tip1[0] + 1.5, tip1[1] + 0.75) < 3 and tip1[1] > -0.75


def test_checkerboard_without_noise_alternates_on_a_4x4_grid():
    """Without noise every point lies in [-5, 5]² and its class is (column + row) % 2 of its 2.5-wide square."""
    d = generate("checkerboard", 400, noise=0.0)
    assert np.all(np.abs(d.X) <= 5.0)
    cells = np.floor((d.X + 5.0) / 2.5).astype(int)
    assert np.array_equal(cells.sum(axis=1) % 2, d.y)
    counts = np.bincount(cells[:, 0] * 4 + cells[:, 1], minlength=16)
    assert counts.tolist() == [25] * 16  # 200 per class dealt evenly over its 8 squares


def test_checkerboard_near_the_origin_follows_the_xor_sign_rule():
    """In the four central squares class 1 is where the signs of x1 and x2 differ, as in xor."""
    d = generate("checkerboard", 400, noise=0.0)
    central = np.all(np.abs(d.X) < 2.5, axis=1)
    assert np.count_nonzero(central) == 100
    signs_differ = (np.sign(d.X[central, 0]) != np.sign(d.X[central, 1])).astype(np.int64)
    assert np.array_equal(d.y[central], signs_differ)


def test_plane_target_is_a_tenth_of_x1_plus_x2():
    """Without noise plane's y is (x1 + x2) / 10 exactly, with inputs uniform in [-6, 6]²."""
    d = generate("plane", 500, noise=0.0)
    assert np.array_equal(d.y, (d.X[:, 0] + d.X[:, 1]) / 10.0)
    assert np.all(np.abs(d.X) <= 6.0) and np.abs(d.X).max() > 5.9
    assert np.abs(d.y).max() <= 1.2


def test_plane_noise_is_gaussian_on_the_target_with_sd_noise():
    """The residual y - (x1 + x2)/10 has mean about 0 and standard deviation about ``noise``."""
    d = generate("plane", 4000, noise=0.2, seed=5)
    residual = d.y - (d.X[:, 0] + d.X[:, 1]) / 10.0
    assert abs(residual.mean()) < 0.02 and residual.std() == pytest.approx(0.2, rel=0.05)


def test_multigauss_is_six_smooth_bumps_within_plus_minus_one():
    """Without noise multigauss's y is the sum of six Gaussian bumps (sd 1.5, heights ±1), within [-1, 1]."""
    d = generate("multigauss", 3000, noise=0.0)
    centres = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    expected = sum(h * np.exp(-((d.X[:, 0] - cx) ** 2 + (d.X[:, 1] - cy) ** 2) / (2 * 1.5**2))
                   for cx, cy, h in centres)
    np.testing.assert_allclose(d.y, expected, rtol=1e-12, atol=1e-15)
    assert np.abs(d.y).max() <= 1.0 and d.y.max() > 0.9 and d.y.min() < -0.9
    assert np.all(np.abs(d.X) <= 6.0)


@pytest.mark.parametrize("name", REGRESSORS)
def test_regression_targets_stay_in_a_sensible_range(name):
    """At the default noise regression targets stay within about [-1.5, 1.5]."""
    d = generate(name, 1000)
    assert np.abs(d.y).max() < 1.6 and d.y.std() > 0.3


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"name": "ring"}, "xor, circle, gaussians, spiral, moons, checkerboard, plane, multigauss"),
        ({"name": "xor", "n_samples": 3}, "n_samples"),
        ({"name": "xor", "noise": -0.1}, "noise"),
        ({"name": "xor", "noise": math.nan}, "noise"),
        ({"name": "xor", "seed": -1}, "seed"),
    ],
)
def test_generate_rejects_bad_arguments(kwargs, fragment):
    """Unknown names, too few samples, negative noise and bad seeds raise DatasetError."""
    with pytest.raises(DatasetError, match=fragment):
        generate(**kwargs)


# ------------------------------------------------------------------ input features

def test_feature_names_and_labels():
    """FEATURES lists the five extra inputs in order, each with its display label."""
    assert FEATURES == ("x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2")
    assert FEATURE_LABELS == {"x1_squared": "x1²", "x2_squared": "x2²", "x1_x2": "x1·x2",
                              "sin_x1": "sin x1", "sin_x2": "sin x2"}


def test_add_features_values_are_computed_from_x1_and_x2():
    """All five features append x1², x2², x1·x2, sin x1 and sin x2 of the raw inputs, keeping the rest."""
    d = generate("circle", 50, seed=2)
    out = add_features(d, FEATURES)
    x1, x2 = d.X[:, 0], d.X[:, 1]
    assert out.X.shape == (50, 7)
    assert np.array_equal(out.X[:, :2], d.X)
    assert np.array_equal(out.X[:, 2:], np.column_stack([x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)]))
    assert out.feature_names == ("x1", "x2", "x1²", "x2²", "x1·x2", "sin x1", "sin x2")
    assert out.y.tobytes() == d.y.tobytes()
    assert (out.name, out.task, out.target_name, out.class_names) == (d.name, d.task, d.target_name, d.class_names)


def test_add_features_keeps_features_order_whatever_the_order_given():
    """Features come in FEATURES order, not the order asked, and a repeated name counts once."""
    d = generate("xor", 20)
    out = add_features(d, ["sin_x2", "x1_squared", "sin_x2"])
    assert out.feature_names == ("x1", "x2", "x1²", "sin x2")
    assert np.array_equal(out.X[:, 2:], np.column_stack([d.X[:, 0] ** 2, np.sin(d.X[:, 1])]))


def test_add_features_on_regression_keeps_targets():
    """Regression data gains the columns and keeps its float targets."""
    d = generate("plane", 30)
    out = add_features(d, ("x1_x2",))
    assert out.task == "regression" and out.y.tobytes() == d.y.tobytes()
    assert np.array_equal(out.X[:, 2], d.X[:, 0] * d.X[:, 1])


def test_add_features_with_no_features_returns_the_same_dataset():
    """An empty feature list gives back the dataset itself."""
    d = generate("xor", 8)
    assert add_features(d, ()) is d and add_features(d, []) is d


@pytest.mark.parametrize(
    "dataset, features, fragment",
    [
        (generate("xor", 8), ["x1_cubed"], "'x1_cubed'.*x1_squared, x2_squared, x1_x2, sin_x1, sin_x2"),
        (generate("xor", 8), "sin_x1", "string"),
        (_regression(), ["sin_x1"], "2 features.*has 1"),
        (add_features(generate("xor", 8), ["sin_x1"]), ["x1_squared"], "2 features.*has 3"),
        (Dataset("big", np.array([[1e200, 1.0], [0.0, 1.0]]), np.array([0, 1]), "classification",
                 ("x1", "x2"), "label", ("0", "1")), ["x1_squared"], "overflow"),
    ],
)
def test_add_features_rejects_bad_requests(dataset, features, fragment):
    """Unknown names, a bare string, a dataset without exactly 2 features and overflow raise DatasetError."""
    with pytest.raises(DatasetError, match=fragment):
        add_features(dataset, features)


def test_plane_bounds_pad_the_data():
    """plane_bounds pads each axis by margin × span, and a constant axis by margin."""
    d = Dataset("p", np.array([[0.0, 1.0], [10.0, 1.0]]), np.array([0, 1]), "classification",
                ("a", "b"), "c", ("0", "1"))
    assert plane_bounds(d, margin=0.1) == (-1.0, 11.0, 0.9, 1.1)


# ------------------------------------------------------------------ encoding

def test_targets_two_classes_is_one_column():
    """Two classes encode as one 0/1 column."""
    d = generate("xor", 6)
    t = d.targets()
    assert t.shape == (6, 1) and t.dtype == np.float64
    assert np.array_equal(t[:, 0], d.y)
    assert np.array_equal(d.targets(np.array([2, 0])), t[[2, 0]])


def test_targets_three_classes_is_one_hot():
    """Three classes encode one-hot, one column per class."""
    d = _three_class()
    assert d.n_classes == 3 and d.n_outputs == 3
    assert np.array_equal(d.targets(np.array([0, 1, 2])), np.eye(3))


def test_targets_regression_is_value_column():
    """Regression targets are the values as one column, with no classes."""
    d = _regression()
    assert d.n_classes == 0 and d.n_outputs == 1
    assert np.array_equal(d.targets()[:, 0], d.y)


def test_subset_keeps_metadata():
    """subset picks rows and keeps names and classes."""
    d = _three_class()
    s = d.subset(np.array([1, 4]))
    assert np.array_equal(s.X, d.X[[1, 4]]) and np.array_equal(s.y, [1, 1])
    assert (s.class_names, s.feature_names, s.target_name) == (d.class_names, d.feature_names, d.target_name)
    assert d.subset(np.array([], dtype=np.int64)).n_samples == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"X": np.array([[np.nan, 1.0]])},
        {"X": np.zeros(2)},
        {"y": np.array([0.0])},
        {"y": np.array([2])},
        {"y": np.array([0, 1])},
        {"class_names": ("0",)},
        {"feature_names": ("a", "a")},
        {"feature_names": ("a", "c")},
        {"task": "clustering"},
    ],
)
def test_dataset_validates_fields(kwargs):
    """Bad shapes, dtypes, non-finite values, ids or names raise DatasetError."""
    fields = {"name": "d", "X": np.zeros((1, 2)), "y": np.array([0]), "task": "classification",
              "feature_names": ("a", "b"), "target_name": "c", "class_names": ("0", "1")}
    with pytest.raises(DatasetError):
        Dataset(**{**fields, **kwargs})


def test_dataset_copies_its_inputs():
    """Changing the caller's arrays later does not change the dataset."""
    X, y = np.zeros((2, 1)), np.array([0, 1])
    d = Dataset("d", X, y, "classification", ("a",), "c", ("0", "1"))
    X[0, 0], y[0] = 5.0, 1
    assert d.X[0, 0] == 0.0 and d.y[0] == 0


def test_labels_from_outputs_hand_cases():
    """One column thresholds at 0.5; several columns take the argmax."""
    assert labels_from_outputs(np.array([[0.2], [0.5], [0.9]])).tolist() == [0, 1, 1]
    out = labels_from_outputs(np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]]))
    assert out.tolist() == [1, 0] and out.dtype == np.int64


def test_accuracy_hand_cases():
    """accuracy is the fraction of correct rows, and nan with no rows."""
    assert accuracy(np.array([[0.9], [0.1], [0.4], [0.6]]), np.array([1, 0, 1, 1])) == 0.75
    assert accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 0])) == 1.0
    assert math.isnan(accuracy(np.zeros((0, 1)), np.zeros(0, dtype=np.int64)))


# ------------------------------------------------------------------ splits

def test_split_proportions_and_partition():
    """The split is a partition of all rows with about test_fraction in the test set."""
    d = generate("spiral", 200)
    train, test = train_test_split(d, 0.25, seed=1)
    assert train.dtype == np.int64 and test.dtype == np.int64
    assert len(test) == 50 and len(train) == 150
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(200))


def test_split_is_stratified():
    """Each class is split in the same proportion, so both sides hold every class."""
    d = _three_class()
    train, test = train_test_split(d, 0.25, seed=0)
    assert np.bincount(d.y[test], minlength=3).tolist() == [1, 1, 1]
    assert np.bincount(d.y[train], minlength=3).tolist() == [3, 3, 3]
    train, test = train_test_split(d, 0.01, seed=0)  # rounds to 0 per class, but kept at 1
    assert set(d.y[test].tolist()) == {0, 1, 2}


def test_split_is_deterministic_per_seed():
    """The same seed gives the same split; another seed a different one."""
    d = generate("circle", 100)
    a, b, c = (train_test_split(d, 0.2, seed=s) for s in (4, 4, 5))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])


def test_split_zero_fraction_and_regression():
    """test_fraction 0 gives an empty test set; regression splits by count; training is never empty."""
    d = _regression(10)
    train, test = train_test_split(d, 0.0)
    assert len(train) == 10 and len(test) == 0
    train, test = train_test_split(d, 0.3)
    assert len(train) == 7 and len(test) == 3
    train, test = train_test_split(_regression(2), 0.99)
    assert len(train) == 1 and len(test) == 1


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 1.5, math.nan, True])
def test_split_rejects_bad_fraction(fraction):
    """test_fraction outside [0, 1) raises DatasetError."""
    with pytest.raises(DatasetError, match="test_fraction"):
        train_test_split(generate("xor", 20), fraction)


# ------------------------------------------------------------------ normalizer

def test_normalizer_fit_apply_standardises():
    """After fit and apply each column has mean 0 and std 1; the input is untouched."""
    X = np.random.default_rng(0).normal([3.0, -2.0], [5.0, 0.1], size=(100, 2))
    before = X.copy()
    Z = Normalizer.fit(X).apply(X)
    assert np.allclose(Z.mean(axis=0), 0.0) and np.allclose(Z.std(axis=0), 1.0)
    assert np.array_equal(X, before)


def test_normalizer_constant_column_gets_std_one():
    """A constant column gets std 1 so it is shifted, not divided by zero."""
    X = np.column_stack([np.full(5, 0.1), np.arange(5.0)])
    n = Normalizer.fit(X)
    assert n.std[0] == 1.0
    assert np.allclose(n.apply(X)[:, 0], 0.0)


def test_normalizer_identity_and_dict_round_trip():
    """identity changes nothing, and to_dict/from_dict (through JSON) round-trips exactly."""
    X = np.array([[1.5, -2.0]])
    assert np.array_equal(Normalizer.identity(2).apply(X), X)
    n = Normalizer.fit(np.random.default_rng(1).normal(size=(20, 3)))
    d = json.loads(json.dumps(n.to_dict()))
    assert all(type(v) is float for v in d["mean"] + d["std"])
    back = Normalizer.from_dict(d)
    assert np.array_equal(back.mean, n.mean) and np.array_equal(back.std, n.std)


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {"mean": [0.0]},
        {"mean": [0.0], "std": [1.0, 1.0]},
        {"mean": [0.0], "std": [0.0]},
        {"mean": [0.0], "std": [-1.0]},
        {"mean": ["0"], "std": [1.0]},
        {"mean": [math.nan], "std": [1.0]},
        {"mean": [0.0], "std": [math.inf]},
        {"mean": [10**400], "std": [1.0]},
        {"mean": [], "std": []},
        {"mean": 0.0, "std": 1.0},
    ],
)
def test_normalizer_from_dict_rejects_bad_dicts(bad):
    """Malformed normalizer dicts raise DatasetError."""
    with pytest.raises(DatasetError):
        Normalizer.from_dict(bad)


# ------------------------------------------------------------------ CSV

def test_load_csv_good_file(tmp_path):
    """A clean file loads with its values, names, a numeric classification target and the file stem."""
    path = _write(tmp_path, "x1, x2 ,label\n0.5,1,1\n\n-2,3e2,0\n 4 ,5,2\n")
    d = load_csv(path)
    assert d.name == "data" and d.task == "classification"
    assert d.feature_names == ("x1", "x2") and d.target_name == "label"
    assert d.class_names == ("0", "1", "2")
    assert np.array_equal(d.X, [[0.5, 1.0], [-2.0, 300.0], [4.0, 5.0]])
    assert d.y.tolist() == [1, 0, 2]


def test_load_csv_regression_auto_and_forced(tmp_path):
    """Non-integer targets are regression; many distinct integers too; task can be forced."""
    d = load_csv(_write(tmp_path, "a,y\n1,0.5\n2,1.25\n"))
    assert d.task == "regression" and d.y.tolist() == [0.5, 1.25] and d.class_names == ()
    many = "a,y\n" + "".join(f"{i},{i}\n" for i in range(21))
    assert load_csv(_write(tmp_path, many)).task == "regression"
    assert load_csv(_write(tmp_path, "a,y\n1,0\n2,1\n"), task="regression").y.dtype == np.float64


def test_load_csv_target_by_name_and_semicolons(tmp_path):
    """target picks a named column, and a semicolon-separated file is read too."""
    d = load_csv(_write(tmp_path, "y;a;b\n1.5;1;2\n2.5;3;4\n"), target="y", name="mine")
    assert d.name == "mine" and d.target_name == "y" and d.feature_names == ("a", "b")
    assert d.task == "regression" and d.y.tolist() == [1.5, 2.5]
    assert np.array_equal(d.X, [[1.0, 2.0], [3.0, 4.0]])


def test_load_csv_string_class_labels(tmp_path):
    """String labels become classes sorted lexically, y indexing them."""
    d = load_csv(_write(tmp_path, "a,b,kind\n1,2,dog\n3,4,cat\n5,6,emu\n7,8,cat\n"))
    assert d.task == "classification" and d.class_names == ("cat", "dog", "emu")
    assert d.y.tolist() == [1, 0, 2, 0] and d.n_outputs == 3


def test_load_csv_numeric_classes_sort_numerically(tmp_path):
    """Numeric class labels sort by value and equal values share one class."""
    d = load_csv(_write(tmp_path, "a,c\n1,10\n2,9\n3,2.0\n4,2\n"), task="classification")
    assert d.class_names == ("2", "9", "10") and d.y.tolist() == [2, 1, 0, 0]


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("x1,x2,y\n1,2,0\n3,abc,1\n", ["line 3", "'x2'", "'abc' is not a number"]),
        ("x1,x2,y\n1,2,0\n3,,1\n", ["line 3", "'x2'", "empty"]),
        ("x1,x2,y\n1,nan,0\n", ["line 2", "'x2'", "finite"]),
        ("x1,x2,y\n1,2,0\n\n1,-inf,1\n", ["line 4", "'x2'", "finite"]),
        ("x1,x2,y\n1,1e999,0\n", ["line 2", "'x2'", "finite"]),
        ("x1,x2,y\n1,2,0\n1,2\n", ["line 3", "2 cells", "header has 3"]),
        ("x1,x2,y\n1,2,0\n1,2,3,4\n", ["line 3", "4 cells"]),
        ("x1,x2,y\n1,2,0.5\n1,2,nan\n", ["line 3", "'y'", "finite"]),
        ("x1,x2,y\n1,2,\n", ["line 2", "'y'", "empty"]),
        ("x1,x1,y\n1,2,0\n", ["line 1", "duplicate", "'x1'"]),
        ("x1,,y\n1,2,0\n", ["line 1", "column 2", "empty name"]),
        ("only\n1\n2\n", ["line 1", "at least 2 columns"]),
        ("x1,x2,y\n", ["no data rows"]),
        ("x1,x2,y\n\n\n", ["no data rows"]),
        ("", ["empty"]),
        ("  \n\n", ["empty"]),
        (",,\n", ["empty"]),
        ("1,2,3\n4,5,6\n", ["line 1", "header"]),
        ("x1,x2,y\n1,2,a\n3,4,a\n", ["single class", "'a'"]),
        ("x1,x2,y\n1_0,2,0\n", ["line 2", "'x1'", "'1_0' is not a number"]),
        ("x1,x2,y\n1,2,0\n1," + "9" * 200_000 + ",1\n", ["line 3", "cannot read it as CSV"]),
        ("x1,x2,y\n1,2,0\n3,4,1\n", None),
    ],
)
def test_load_csv_bad_files(tmp_path, text, fragments):
    """Each kind of bad file raises DatasetError naming the file, line and column at fault."""
    path = _write(tmp_path, text)
    if fragments is None:  # control: the same shape of file loads
        assert load_csv(path).n_samples == 2
        return
    with pytest.raises(DatasetError) as info:
        load_csv(path)
    message = str(info.value)
    assert message.startswith("data.csv")
    for fragment in fragments:
        assert fragment in message, message


def test_load_csv_missing_file_and_directory(tmp_path):
    """A missing path or a directory raises DatasetError saying so."""
    with pytest.raises(DatasetError, match="no such file"):
        load_csv(tmp_path / "absent.csv")
    with pytest.raises(DatasetError, match="directory"):
        load_csv(tmp_path)


def test_load_csv_too_big(tmp_path):
    """A file over MAX_CSV_BYTES is refused before parsing, stating the limit."""
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(MAX_CSV_BYTES + 1)  # sparse: no real 50 MB written
    with pytest.raises(DatasetError, match="50 MB"):
        load_csv(path)


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"x1,x2,y\n1,2,\x00\n", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"x1,x2,y\n1,2,0\n1,\xe9,1\n", "line 3: not UTF-8"),
    ],
)
def test_load_csv_binary_or_not_utf8(tmp_path, data, fragment):
    """Binary content or bytes that are not UTF-8 raise DatasetError."""
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    with pytest.raises(DatasetError, match=fragment):
        load_csv(path)


def test_load_csv_utf8_bom_and_crlf(tmp_path):
    """A UTF-8 byte-order mark and Windows line ends are accepted."""
    path = tmp_path / "data.csv"
    path.write_bytes("\ufeffx1,x2,y\r\n1,2,0\r\n3,4,1\r\n".encode())
    d = load_csv(path)
    assert d.feature_names == ("x1", "x2") and d.y.tolist() == [0, 1]


def test_load_csv_bad_target_and_task(tmp_path):
    """An unknown target column lists the columns; a bad task or non-numeric regression target is refused."""
    path = _write(tmp_path, "x1,x2,kind\n1,2,a\n3,4,b\n")
    with pytest.raises(DatasetError, match="'nope'.*'x1', 'x2', 'kind'"):
        load_csv(path, target="nope")
    with pytest.raises(DatasetError, match="classification, regression"):
        load_csv(path, task="ranking")
    with pytest.raises(DatasetError) as info:
        load_csv(path, task="regression")
    assert "line 2" in str(info.value) and "'kind'" in str(info.value)


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_save_load_round_trip_generated(tmp_path, name):
    """save_csv then load_csv gives back bit-identical inputs, labels and names."""
    d = generate(name, 37, noise=0.3, seed=9)
    save_csv(d, tmp_path / "out.csv")
    back = load_csv(tmp_path / "out.csv", name=d.name)
    assert back.X.tobytes() == d.X.tobytes() and back.y.tobytes() == d.y.tobytes()
    assert (back.task, back.feature_names, back.target_name, back.class_names) == (
        d.task, d.feature_names, d.target_name, d.class_names)


def test_save_load_round_trip_regression_and_strings(tmp_path):
    """Regression with integer-valued targets and string classes both round-trip without a task hint."""
    X = np.array([[0.1, -0.0], [1e-300, 123456789.123456789], [2.5, 3.0]])
    reg = Dataset("r", X, np.array([1.0, 2.0, 1.0]), "regression", ("a b", "c,d"), "t")
    save_csv(reg, tmp_path / "r.csv")
    back = load_csv(tmp_path / "r.csv")
    assert back.task == "regression" and back.feature_names == ("a b", "c,d")
    assert back.X.tobytes() == X.tobytes() and back.y.tobytes() == reg.y.tobytes()
    cls = Dataset("c", X, np.array([2, 0, 1]), "classification", ("a", "b"), "k", ("ant", "bee", "cat"))
    save_csv(cls, tmp_path / "c.csv")
    back = load_csv(tmp_path / "c.csv")
    assert back.class_names == cls.class_names and back.y.tolist() == [2, 0, 1]


def test_save_csv_is_atomic(tmp_path):
    """A failing write leaves the old file in place."""
    path = tmp_path / "keep.csv"
    path.write_text("old")
    bad = generate("xor", 4)
    object.__setattr__(bad, "class_names", ("0",))  # corrupt it: the label-1 rows fail mid-write
    with pytest.raises(IndexError):
        save_csv(bad, path)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


_CSV_ALPHABET = st.sampled_from(list("0123456789.,;\t\n\r -+eExyabnNaIf\"'") + ["nan", "inf", "\u00e9", "\x00"])


@settings(max_examples=150, deadline=None)
@given(st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200),
    st.lists(_CSV_ALPHABET, max_size=120).map("".join),
    st.lists(st.lists(st.sampled_from(["1", "-2.5", "x", "", "nan", "3e4", "a b"]), min_size=1, max_size=4)
             .map(",".join), max_size=8).map(lambda rows: "\n".join(["x1,x2,y", *rows])),
))
def test_load_csv_fuzz_returns_dataset_or_dataset_error(content):
    """Arbitrary text or bytes either load as a Dataset or raise DatasetError, nothing else."""
    data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(data)
        try:
            d = load_csv(path)
        except DatasetError:
            return
        assert isinstance(d, Dataset) and d.n_samples >= 1 and np.all(np.isfinite(d.X))
