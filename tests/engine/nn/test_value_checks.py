"""Whole numbers from files and settings: one rule for what passes, one message naming the field and the range."""

import numpy as np
import pytest

from nnstudio.engine.nn.value_checks import whole_number


@pytest.mark.parametrize(("value", "low", "high"), [(0, 0, None), (7, 1, None), (np.int64(5), 0, 5), (2, 2, 2)])
def test_whole_numbers_in_range_come_back_as_plain_ints(value, low, high):
    checked = whole_number(value, "count", low, high)
    assert checked == int(value) and type(checked) is int


@pytest.mark.parametrize(("value", "low", "high", "message"), [
    (True, 0, None, "count must be a whole number ≥ 0, got True"),
    (1.0, 0, None, "count must be a whole number ≥ 0, got 1.0"),
    ("3", 0, None, "count must be a whole number ≥ 0, got '3'"),
    (0, 1, None, "count must be a whole number ≥ 1, got 0"),
    (6, 0, 5, "count must be a whole number from 0 to 5, got 6"),
    (-1, 0, 5, "count must be a whole number from 0 to 5, got -1"),
])
def test_anything_else_is_refused_with_the_field_and_the_range(value, low, high, message):
    with pytest.raises(ValueError) as caught:
        whole_number(value, "count", low, high)
    assert str(caught.value) == message
