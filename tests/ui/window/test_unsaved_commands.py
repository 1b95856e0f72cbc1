"""The unsaved-work marker: only commands that change what a session file holds set it."""

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from nnstudio.engine.run.session import TrainingSession
from nnstudio.ui.window.session_menu import SessionFiles


@pytest.fixture
def files(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    return SessionFiles(window, lambda *args: None, None)


@pytest.mark.parametrize("name", ["check_gradients", "set_layer_view"])
def test_looking_closer_leaves_the_work_saved(files, qtbot, name):
    """A gradient check or the layer view changes nothing a session file holds: no "•" in the title."""
    titles = []
    files.sig_title_changed.connect(titles.append)
    files.note_command(name)
    assert not files.dirty and titles == []
    files.note_command("step")  # training does change the work
    assert files.dirty and titles == ["NN Studio — untitled •"]


def _same_state(a, b) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same_state(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(_same_state, a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    return a == b


def test_gradient_check_and_layer_view_change_nothing_a_session_file_holds():
    """Why they may leave the work saved: the session's saved state is the same before and after."""
    session = TrainingSession()
    session.step("cycle", 7)
    before = session.state()
    session.check_gradients()
    session.set_layer_view(1, 0, 1)
    session.snapshot()
    session.set_layer_view(None)
    assert _same_state(session.state(), before)
    session.step("cycle", 1)
    assert not _same_state(session.state(), before)  # the comparison does see a change
