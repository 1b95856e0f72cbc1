"""The numbers behind a heatmap (no widgets): the matrix as drawn, its levels, the colour bar's and axes' ticks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnstudio.ui.plotting.heatmap_levels import (
    EPSILON,
    VALUE_LIMIT,
    bar_ticks,
    drawable_matrix,
    index_tick_cells,
    layer_title,
    safe_levels,
)


def test_drawable_matrix_is_float32_rows_with_nan_for_what_cannot_be_drawn():
    data = drawable_matrix([1.0, math.inf, math.nan, 1e39, 1e38, -2.5])
    assert data.dtype == np.float32 and data.shape == (1, 6)
    assert np.isnan(data[0, 1:4]).all()  # inf, NaN, and 1e39 (inf in float32)
    assert data[0, 4] == np.float32(VALUE_LIMIT) and data[0, 5] == np.float32(-2.5)
    with pytest.raises(ValueError, match=r"2-D matrix, got shape \(2, 2, 2\)"):
        drawable_matrix(np.zeros((2, 2, 2)))


def test_safe_levels_are_never_empty_nor_beyond_the_drawable_range():
    assert safe_levels((5.0, 5.0), np.zeros((1, 1), np.float32), "sequential") == (5.0 - EPSILON, 5.0 + EPSILON)
    assert safe_levels((-1e39, 1e39), np.zeros((1, 1), np.float32), "sequential") == (-VALUE_LIMIT, VALUE_LIMIT)
    data = np.array([[0.25, -0.75]], np.float32)
    assert safe_levels(None, data, "diverging") == (-0.75, 0.75)
    assert safe_levels(None, data, "sequential") == (-0.75, 0.25)


def test_a_wide_bar_labels_both_ends_and_its_centre_without_trailing_zeros():
    assert bar_ticks(0.0, 1.0, wide=True) == [(0.0, "0"), (0.5, "0.5"), (1.0, "1")]
    assert bar_ticks(-2.0, 2.0, wide=True) == [(-2.0, "-2"), (0.0, "0"), (2.0, "+2")]  # zero-centred: signed top


def test_a_narrow_bar_labels_its_ends_or_says_plus_minus_at_a_zero_centre():
    assert bar_ticks(0.1, 0.4, wide=False) == [(0.1, "0.1"), (0.4, "0.4")]
    assert bar_ticks(-0.5, 0.5, wide=False) == [(0.0, "\u00b10.5")]


def test_a_degenerate_bar_shows_its_centre_and_a_pending_one_nothing():
    assert bar_ticks(-EPSILON, EPSILON, wide=True) == [(0.0, "0")]
    assert bar_ticks(0.0, 1.0, wide=True, has_values=False) == []


def test_index_ticks_number_every_cell_when_there_is_room():
    """Four cells over 200 px (50 px a cell): cells 1 to 4 all numbered."""
    assert index_tick_cells(4, 0.0, 4.0, 200.0, 16.0) == (1, [0, 1, 2, 3])


def test_index_ticks_thin_to_a_round_step_and_keep_the_first_cell():
    """256 cells over 256 px with 16 px a label: step 20 (1, 2, 5, 10, 20), cells 1, 20, 40, ..., 240."""
    step, cells = index_tick_cells(256, 0.0, 256.0, 256.0, 16.0)
    assert step == 20
    assert cells == [0, *range(19, 256, 20)]


def test_index_ticks_of_nothing_are_none():
    assert index_tick_cells(0, 0.0, 4.0, 200.0, 16.0) is None
    assert index_tick_cells(4, 1.0, 1.0, 200.0, 16.0) is None


def test_layer_titles_name_the_canvas_columns():
    assert [layer_title(index, 3) for index in range(3)] == ["Hidden\u00a01", "Hidden\u00a02", "Output"]
