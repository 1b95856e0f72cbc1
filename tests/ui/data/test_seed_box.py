"""The seed spin box holds every seed exactly, in the room six digits take."""

from PySide6.QtWidgets import QSpinBox

from nnstudio.engine.run.seeds import MAX_SEED
from nnstudio.ui.data.seed_box import ROOM_FOR, SeedSpinBox


def test_the_largest_seed_is_held_and_shown_exactly(qtbot):
    box = SeedSpinBox()
    qtbot.addWidget(box)
    box.setValue(MAX_SEED)
    assert (box.value(), box.text()) == (MAX_SEED, "2147483647")
    box.setValue(-1)
    assert box.value() == 0


def test_the_box_asks_for_no_more_room_than_a_six_digit_one(qtbot):
    """Ten digits of range would widen the side panel and the run bar: it asks what a 0-999999 box asks."""
    box, six_digits = SeedSpinBox(), QSpinBox()
    six_digits.setRange(0, ROOM_FOR)
    for widget in (box, six_digits):
        qtbot.addWidget(widget)
    assert (box.sizeHint(), box.minimumSizeHint()) == (six_digits.sizeHint(), six_digits.minimumSizeHint())
