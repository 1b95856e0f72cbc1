"""Tests for nnstudio.engine.data.datasets: added input features, target encoding, the Dataset's fields and accuracy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from support.small_datasets import regression_dataset, three_class_dataset

from nnstudio.engine.data.datasets import (
    FEATURE_LABELS,
    FEATURES,
    Dataset,
    DatasetError,
    accuracy,
    add_features,
    generate,
    labels_from_outputs,
    plane_bounds,
)

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
        (regression_dataset(), ["sin_x1"], "2 features.*has 1"),
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
    d = three_class_dataset()
    assert d.n_classes == 3 and d.n_outputs == 3
    assert np.array_equal(d.targets(np.array([0, 1, 2])), np.eye(3))


def test_targets_regression_is_value_column():
    """Regression targets are the values as one column, with no classes."""
    d = regression_dataset()
    assert d.n_classes == 0 and d.n_outputs == 1
    assert np.array_equal(d.targets()[:, 0], d.y)


def test_subset_keeps_metadata():
    """subset picks rows and keeps names and classes."""
    d = three_class_dataset()
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
