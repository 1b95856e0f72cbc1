"""A seed of any valid length is readable whole in the seed boxes; six-digit seeds keep the side panel narrow."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QWidget
from support.window_size import TIMEOUT, resize_window

from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.seeds import MAX_SEED
from nnstudio.ui.data.seed_box import ROOM_FOR, SeedSpinBox


def _shows_every_digit(box: SeedSpinBox) -> bool:
    edit = box.lineEdit()
    return edit.fontMetrics().horizontalAdvance(edit.text()) <= edit.contentsRect().width()


def _seed_boxes(window) -> tuple[SeedSpinBox, SeedSpinBox]:
    return window.dataset_panel.seed_spin, window.controls.seed_spin


def test_a_ten_digit_seed_from_a_session_is_readable_whole_at_1024_by_700(in_process_window, qtbot):
    window = in_process_window(SessionConfig(data=DataSpec("moons", seed=MAX_SEED), seed=MAX_SEED)).window
    resize_window(window, qtbot, 1024, 700)
    for box in _seed_boxes(window):
        assert box.text() == "2147483647"
        qtbot.waitUntil(lambda box=box: _shows_every_digit(box), timeout=TIMEOUT)


def test_six_digit_seeds_leave_the_side_panel_as_wide_as_it_was(in_process_window, qtbot):
    """Only a longer seed asks for more room: set as a session or the Reset command sets it (no signals)."""
    window = in_process_window().window
    resize_window(window, qtbot, 1024, 700)
    side = window.findChild(QWidget, "sidePanel")
    width = side.width()
    for box in _seed_boxes(window):
        with QSignalBlocker(box):
            box.setValue(ROOM_FOR)
    qtbot.waitUntil(lambda: all(_shows_every_digit(box) for box in _seed_boxes(window)), timeout=TIMEOUT)
    assert side.width() == width
    for box in _seed_boxes(window):
        with QSignalBlocker(box):
            box.setValue(MAX_SEED)
    qtbot.waitUntil(lambda: all(_shows_every_digit(box) for box in _seed_boxes(window)), timeout=TIMEOUT)


def test_the_box_asks_for_a_longer_seeds_width_only_while_it_shows_one(qtbot):
    box = SeedSpinBox()
    qtbot.addWidget(box)
    six_digits = box.minimumSizeHint().width()
    box.setValue(ROOM_FOR)
    assert box.minimumSizeHint().width() == six_digits
    box.setValue(MAX_SEED)
    ten_digits = box.minimumSizeHint().width()
    metrics = box.fontMetrics()
    assert ten_digits - six_digits == metrics.horizontalAdvance(str(MAX_SEED)) - metrics.horizontalAdvance(
        str(ROOM_FOR))
    box.setValue(7)
    assert box.minimumSizeHint().width() == six_digits
