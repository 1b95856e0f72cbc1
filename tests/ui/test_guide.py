"""Tests for nnstudio.ui.guide.GuideDialog."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from nnstudio.ui.guide import GUIDE_ACTIONS, GUIDE_SECTIONS, GuideDialog


@pytest.fixture
def guide(qtbot) -> GuideDialog:
    dialog = GuideDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_guide_is_a_non_modal_dialog_with_its_title(guide):
    """The guide names itself "guideDialog", is titled "How a network learns" and does not block the window."""
    assert guide.objectName() == "guideDialog"
    assert guide.windowTitle() == "How a network learns"
    assert not guide.isModal()


def test_guide_has_one_paragraph_per_action_in_order():
    """The eight sections follow GUIDE_ACTIONS, each with a short body."""
    assert len(GUIDE_ACTIONS) == 8
    assert tuple(section.key for section in GUIDE_SECTIONS) == GUIDE_ACTIONS
    for section in GUIDE_SECTIONS:
        sentences = section.body.count(". ") + 1
        assert 2 <= sentences <= 4, section.key


def test_guide_has_a_show_me_button_per_action(guide):
    """Eight "Show me" buttons, named guideButton_<key>."""
    buttons = guide.findChildren(QPushButton, options=Qt.FindChildOption.FindChildrenRecursively)
    named = sorted(b.objectName() for b in buttons if b.objectName().startswith("guideButton_"))
    assert named == sorted(f"guideButton_{key}" for key in GUIDE_ACTIONS)
    assert all(guide.buttons[key].text() == "Show me" for key in GUIDE_ACTIONS)


@pytest.mark.parametrize("key", GUIDE_ACTIONS)
def test_each_button_emits_its_key(guide, qtbot, key):
    """Pressing a paragraph's button emits sig_action with that paragraph's key."""
    button = guide.findChild(QPushButton, f"guideButton_{key}")
    with qtbot.waitSignal(guide.sig_action, timeout=1000) as blocker:
        button.click()
    assert blocker.args == [key]


def test_key_formulas_are_in_the_text():
    """The paragraphs carry the formulas the seed explains."""
    text = " ".join(section.body for section in GUIDE_SECTIONS)
    for formula in ("1 / (1 + e<sup>&minus;sum</sup>)", "target &minus; output",
                    "dz/dx = dz/dy &middot; dy/dx", "&Delta;w = &minus;lr &middot; &delta; &middot; a"):
        assert formula in text
