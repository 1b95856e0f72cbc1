"""Tests for nnstudio.engine.data.datasets: the stratified train/test split and the input normalizer."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from support.small_datasets import regression_dataset, three_class_dataset

from nnstudio.engine.data.datasets import (
    DatasetError,
    Normalizer,
    generate,
    train_test_split,
)

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
    d = three_class_dataset()
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
    d = regression_dataset(10)
    train, test = train_test_split(d, 0.0)
    assert len(train) == 10 and len(test) == 0
    train, test = train_test_split(d, 0.3)
    assert len(train) == 7 and len(test) == 3
    train, test = train_test_split(regression_dataset(2), 0.99)
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
