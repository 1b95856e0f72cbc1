import pytest

from nnstudio.engine.session import SessionConfig


@pytest.fixture
def make_window(qtbot):
    """Open MainWindows (no remembered settings); each is closed and joined after the test."""
    from nnstudio.ui import MainWindow

    windows = []

    def make(config: SessionConfig | None = None):
        window = MainWindow(config, remember=False)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.latest is not None, timeout=30_000)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        assert window._thread.isFinished(), "the training thread outlived its window"
