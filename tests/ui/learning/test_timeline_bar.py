"""TimelineBar over a whole run: linear in cycles, a busy cursor for slow rewinds, an honest Continue."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import Qt
from support.widgets import shown

from nnstudio.ui.learning.timeline_bar import SLIDER_POSITIONS, TimelineBar


@pytest.fixture
def bar(qtbot) -> TimelineBar:
    return shown(qtbot, TimelineBar(), 900, 44)


def test_the_slider_runs_from_cycle_0_at_the_left_to_the_latest_at_the_right(bar, qtbot):
    """After a 240 000-cycle run a position is a cycle; moving the handle asks for that cycle."""
    bar.set_range(0, 240_000, 240_000, False)
    slider = bar.slider
    assert (slider.minimum(), slider.maximum(), slider.value()) == (0, 240_000, 240_000)
    assert slider.invertedAppearance() is False  # the minimum (cycle 0) at the left
    for cycle in (0, 1, 2_400, 120_000, 239_999, 240_000):
        assert bar.position_of(cycle) == cycle and bar.cycle_at(cycle) == cycle
    with qtbot.waitSignal(bar.sig_scrubbed, timeout=1000) as blocker:
        slider.setValue(2_400)  # the first 1 %
    assert blocker.args == [2_400]
    assert bar.label.text() == "cycle 2,400 of 240,000 (viewing the past)"


def test_a_run_past_a_c_int_is_spread_evenly_over_the_slider(bar, qtbot):
    """10¹² cycles: positions stay linear in cycles, each standing for about 931 of them."""
    last = 10**12
    bar.set_range(0, last, last, False)
    slider = bar.slider
    assert (slider.minimum(), slider.maximum(), slider.value()) == (0, SLIDER_POSITIONS, SLIDER_POSITIONS)
    assert bar.position_of(last // 4) == SLIDER_POSITIONS // 4
    assert bar.cycle_at(SLIDER_POSITIONS // 2) == last // 2
    width = last / SLIDER_POSITIONS  # cycles per position
    rng = random.Random(0)
    for cycle in [rng.randrange(last) for _ in range(200)]:
        position = bar.position_of(cycle)
        assert abs(position - cycle / width) <= 0.5
        assert abs(bar.cycle_at(position) - cycle) <= width / 2 + 1
    with qtbot.waitSignal(bar.sig_scrubbed, timeout=1000) as blocker:
        slider.setValue(SLIDER_POSITIONS // 8)
    assert blocker.args == [last // 8]
    assert bar.label.text() == "cycle 125,000,000,000 of 1,000,000,000,000 (viewing the past)"
    assert bar.value() == last // 8


def test_continue_from_here_says_what_it_drops_and_that_undo_does_not_bring_it_back(bar):
    """The button's tooltip names the cycle it continues from and the later cycles it drops for good."""
    bar.set_range(0, 5_000, 1_234, True)
    tip = bar.continue_button.toolTip()
    assert "cycle 1,234" in tip and "3,766 later cycles" in tip and "5,000" in tip
    assert "for good" in tip and "Undo" in tip
    bar.set_range(0, 5_000, 5_000, False)
    assert "Rewind first" in bar.continue_button.toolTip()


def test_a_slow_rewind_shows_the_busy_cursor_until_its_cycle_is_shown(bar, qtbot):
    """The cursor turns busy while the rewind asked for is pending; a snapshot showing that cycle ends it."""
    bar.set_range(0, 240_000, 240_000, False)
    bar.slider.setValue(100)
    assert bar.is_waiting()
    qtbot.waitUntil(lambda: bar.cursor().shape() == Qt.CursorShape.BusyCursor, timeout=2000)
    bar.set_range(0, 240_001, 240_001, False)  # a snapshot from before the rewind: still waiting
    assert bar.is_waiting() and bar.cursor().shape() == Qt.CursorShape.BusyCursor
    bar.set_range(0, 240_001, 100, True)
    assert not bar.is_waiting() and bar.cursor().shape() != Qt.CursorShape.BusyCursor


def test_a_rewind_that_can_no_longer_be_answered_stops_waiting(bar, qtbot):
    """A new run (Reset) whose range no longer holds the cycle asked for ends the wait."""
    bar.set_range(0, 5_000, 5_000, False)
    bar.slider.setValue(4_000)
    assert bar.is_waiting()
    bar.set_range(0, 0, 0, False)
    assert not bar.is_waiting() and bar.cursor().shape() != Qt.CursorShape.BusyCursor
