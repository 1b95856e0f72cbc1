"""Tests for nnstudio.engine.run.history: the thinned loss series with bounded memory."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnstudio.engine.run.history import History, ThinnedSeries


def _filled(n: int, capacity: int, n_columns: int = 2) -> ThinnedSeries:
    series = ThinnedSeries(n_columns, capacity)
    for i in range(n):
        series.append(float(i), *(float(i * (c + 2)) for c in range(n_columns)))
    return series


def test_keeps_every_point_until_capacity():
    """Up to capacity appends, every point is kept in order with its values."""
    series = _filled(16, capacity=16)
    x, values = series.arrays()
    np.testing.assert_array_equal(x, np.arange(16))
    np.testing.assert_array_equal(values, np.column_stack([2 * np.arange(16), 3 * np.arange(16)]))
    assert series.stride == 1
    assert len(series) == 16


def test_ten_times_capacity_spreads_points_evenly_over_the_whole_run():
    """After 10× capacity appends at most capacity points remain, evenly spaced from the first to near the last."""
    capacity, n = 16, 160
    series = _filled(n, capacity)
    x, values = series.arrays()
    assert len(x) <= capacity
    assert len(x) >= capacity // 2
    steps = np.diff(x)
    assert np.all(steps == steps[0]) and steps[0] == series.stride
    assert x[0] == 0
    assert x[-1] > n - 1 - series.stride  # the newest kept point is within one stride of the end
    np.testing.assert_array_equal(values[:, 0], 2 * x)  # values stay with their x


def test_stride_doubles_each_time_the_buffer_fills():
    """The stride goes 1, 2, 4, 8 as the series passes capacity, 2×, 4× capacity."""
    capacity = 8
    series = ThinnedSeries(1, capacity)
    strides = []
    for i in range(8 * capacity + 1):
        series.append(float(i), 0.0)
        strides.append(series.stride)
    assert strides[capacity - 1] == 1
    assert strides[capacity] == 2
    assert strides[2 * capacity] == 4
    assert strides[4 * capacity] == 8
    assert sorted(set(strides)) == [1, 2, 4, 8, 16]


@settings(max_examples=60, deadline=None)
@given(half=st.integers(1, 32), n=st.integers(0, 2000))
def test_kept_points_are_exactly_the_multiples_of_the_stride(half, n):
    """For any capacity and length, the kept x are 0, s, 2s, ... up to the last multiple of s below n."""
    capacity = 2 * half
    series = _filled(n, capacity, n_columns=1)
    x, values = series.arrays()
    assert len(x) <= capacity
    s = series.stride
    last = (n - 1) // s * s if n else -1
    np.testing.assert_array_equal(x, np.arange(0, last + 1, s))
    np.testing.assert_array_equal(values[:, 0], 2 * x)


def test_state_round_trip_continues_identically():
    """load_state(state()) restores points and stride, and later appends continue as without the trip."""
    original = _filled(100, capacity=16)
    copy = ThinnedSeries(2, 16)
    copy.load_state(original.state())
    for a, b in zip(original.arrays(), copy.arrays()):
        np.testing.assert_array_equal(a, b)
    assert copy.stride == original.stride and len(copy) == len(original)
    for i in range(100, 300):
        original.append(float(i), 1.0, 2.0)
        copy.append(float(i), 1.0, 2.0)
    for a, b in zip(original.arrays(), copy.arrays()):
        np.testing.assert_array_equal(a, b)
    assert copy.stride == original.stride


def test_state_is_a_copy():
    """Appending after state() does not change the saved state."""
    series = _filled(5, capacity=8)
    state = series.state()
    series.append(99.0, 0.0, 0.0)
    assert len(state["data"]) == 5


def test_load_state_refuses_a_series_of_another_shape():
    """State with other columns or more rows than capacity raises ValueError."""
    with pytest.raises(ValueError):
        ThinnedSeries(3, 16).load_state(_filled(5, 16, n_columns=2).state())
    with pytest.raises(ValueError):
        ThinnedSeries(2, 8).load_state(_filled(16, 16).state())


@pytest.mark.parametrize("capacity", [0, 1, 3, 7])
def test_capacity_must_be_even_and_at_least_two(capacity):
    """Odd or tiny capacities are refused."""
    with pytest.raises(ValueError):
        ThinnedSeries(1, capacity)


def test_last_and_empty_series():
    """last() is None when empty and the newest kept row otherwise; arrays() of nothing are empty."""
    series = ThinnedSeries(1, 4)
    assert series.last() is None
    x, values = series.arrays()
    assert x.shape == (0,) and values.shape == (0, 1)
    series.append(3.0, 0.25)
    np.testing.assert_array_equal(series.last(), [3.0, 0.25])


def test_arrays_are_copies():
    """Writing into arrays() output leaves the series unchanged."""
    series = _filled(4, capacity=8)
    x, values = series.arrays()
    x[:] = -1.0
    values[:] = -1.0
    np.testing.assert_array_equal(series.arrays()[0], np.arange(4))


def test_history_state_round_trip():
    """History.state()/load_state() round-trips both series."""
    history = History(capacity=8)
    for i in range(30):
        history.batch_loss.append(i, 1.0 / (i + 1))
    history.evaluations.append(10, 0.5, float("nan"), 0.75, float("nan"))
    restored = History(capacity=8)
    restored.load_state(history.state())
    for a, b in zip(history.batch_loss.arrays(), restored.batch_loss.arrays()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(history.evaluations.arrays(), restored.evaluations.arrays()):
        np.testing.assert_array_equal(a, b)
    assert History.EVAL_COLUMNS == ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
