"""The numbers behind the cycle plots (no widgets): finite points, the nearest cycle, the pinned range."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnstudio.ui.plotting.cycle_series import finite_xy, nearest_index, short_history_y_range, value_at

NAN, INF = math.nan, math.inf


def test_finite_xy_drops_every_pair_with_a_non_finite_side():
    x, y = finite_xy([0, 1, 2, 3, NAN], [0.5, NAN, INF, 0.25, 1.0])
    assert x.tolist() == [0.0, 3.0] and y.tolist() == [0.5, 0.25]
    assert x.dtype == y.dtype == np.float64


def test_finite_xy_hands_back_finite_float64_arrays_without_a_copy():
    """A long all-finite history is not copied on every redraw (views of the given arrays)."""
    cycles, loss = np.arange(5.0), np.linspace(1.0, 0.2, 5)
    x, y = finite_xy(cycles, loss)
    assert np.shares_memory(x, cycles) and np.shares_memory(y, loss)


def test_finite_xy_refuses_arrays_of_different_lengths():
    with pytest.raises(ValueError, match="lengths differ: 3 vs 2"):
        finite_xy([0, 1, 2], [0.5, 0.4])


@pytest.mark.parametrize(("x", "index"), [(-5.0, 0), (4.0, 0), (5.0, 0), (6.0, 1), (14.9, 1), (15.1, 2), (100.0, 2)])
def test_nearest_index_finds_the_closest_recorded_cycle(x, index):
    """Cycles 0, 10, 20: a tie goes to the earlier cycle, beyond either end to that end."""
    assert nearest_index(np.array([0.0, 10.0, 20.0]), x) == index


def test_value_at_answers_only_at_a_recorded_cycle():
    xs, ys = np.array([0.0, 10.0, 20.0]), np.array([0.9, 0.5, 0.1])
    assert value_at(xs, ys, 10.0) == 0.5
    assert value_at(xs, ys, 11.0) is None and value_at(xs, ys, 30.0) is None


def test_short_history_linear_range_starts_at_zero_with_room_above():
    """The first evaluation (loss 0.2872): 0 to a fifth above it; a negative value extends the bottom."""
    low, high = short_history_y_range([np.array([0.2872]), np.array([0.2860, NAN])], log=False)
    assert (low, high) == (0.0, pytest.approx(0.34464))
    assert short_history_y_range([np.array([-1.0, 2.0])], log=False) == (-1.0, pytest.approx(2.4))
    assert short_history_y_range([], log=False) == (0.0, 1.0)
    assert short_history_y_range([np.array([0.0, NAN, INF])], log=False) == (0.0, 1.0)


def test_short_history_log_range_spans_whole_decades():
    """0.05 and 0.2872 on a log axis: from 10^-3 (a decade below 0.05's) up to 10^0; zeros are skipped."""
    assert short_history_y_range([np.array([0.2872, 0.0]), np.array([0.05])], log=True) == (-3.0, 0)
    assert short_history_y_range([np.array([0.0, -1.0, NAN])], log=True) == (-4.0, 0.0)
