"""Sessions in the window: save, reopen exactly, examples, unsaved work on quit."""

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox
from support.acknowledged import settle, wait_acknowledged
from support.refusals import refusals

from nnstudio.ui import MainWindow

TIMEOUT = 20_000


def step(window, qtbot, n):
    target = window.latest.cycle + n
    window.controls.step_count_spin.setValue(n)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.latest.cycle == target, timeout=TIMEOUT)


def test_a_reopened_session_continues_exactly_as_if_never_closed(make_window, qtbot, monkeypatch, tmp_path):
    """Save at cycle 30, go on to 50; reopen and step 20: the same weights, bit for bit."""
    window = make_window()
    window.controls.momentum_spin.setValue(0.5)
    step(window, qtbot, 30)
    path = tmp_path / "work.nnstudio"
    monkeypatch.setattr(window.sessions, "ask_save_path", lambda: str(path))
    window.sessions.save_action.trigger()
    wait_acknowledged(qtbot, window)
    assert not window.sessions.dirty and "work.nnstudio" in window.windowTitle()
    step(window, qtbot, 20)
    expected = [w.copy() for w in window.latest.weights]
    assert window.sessions.dirty and window.windowTitle().endswith("•")
    window.sessions.confirm = True  # as in the app: opening over unsaved work asks first
    monkeypatch.setattr(window.sessions, "ask_unsaved", lambda: QMessageBox.StandardButton.Discard)
    window.sessions.open(path)
    wait_acknowledged(qtbot, window)
    assert window.latest.cycle == 30 and not window.sessions.dirty
    assert window.controls.momentum_spin.value() == 0.5
    step(window, qtbot, 20)
    assert all(np.array_equal(a, b) for a, b in zip(window.latest.weights, expected))


def test_a_damaged_session_file_is_refused_and_nothing_changes(make_window, qtbot, tmp_path):
    """A truncated file gets a message; the work in the window stays as it was."""
    window = make_window()
    step(window, qtbot, 5)
    bad = tmp_path / "bad.nnstudio"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    window.sessions.open(bad)
    settle(qtbot, window)
    assert "bad.nnstudio" in refusals(window)[-1]
    assert window.latest.cycle == 5 and window.data_view.name == "xor"


def test_examples_open_from_the_help_menu(make_window, qtbot):
    """Help › Examples lists the shipped sessions; the spiral one opens with its deep network."""
    window = make_window()
    names = [a.objectName() for a in window.sessions.examples_menu.actions()]
    assert {"example_xor_sigmoid", "example_spiral_deep", "example_digits_classifier"} <= set(names)
    action = next(a for a in window.sessions.examples_menu.actions() if a.objectName() == "example_spiral_deep")
    action.trigger()
    qtbot.waitUntil(lambda: window.data_view.name == "spiral", timeout=TIMEOUT)
    assert len(window.latest.spec.sizes) == 5
    assert window.sessions.path is None  # an example is a template: Save asks for a name


@pytest.mark.slow
def test_quitting_with_unsaved_work_asks_first(qtbot, monkeypatch, tmp_path):
    """Cancel keeps the window open; Save writes the session, then the window closes."""
    window = MainWindow(remember=False, confirm_close=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.latest is not None, timeout=TIMEOUT)
    step(window, qtbot, 3)
    monkeypatch.setattr(window.sessions, "ask_unsaved", lambda: QMessageBox.StandardButton.Cancel)
    window.close()
    assert window.isVisible()
    path = tmp_path / "on_quit.nnstudio"
    monkeypatch.setattr(window.sessions, "ask_unsaved", lambda: QMessageBox.StandardButton.Save)
    monkeypatch.setattr(window.sessions, "ask_save_path", lambda: str(path))
    window.close()
    assert not window.isVisible() and path.stat().st_size > 0
    assert window._thread.isFinished()
