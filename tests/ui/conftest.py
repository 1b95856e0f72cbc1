import pytest

from nnstudio.engine.run.config import SessionConfig


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """A test that opens a whole window is slow: its trainer's process takes 0.4 s and more to start."""
    for item in items:
        if "make_window" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def make_window(qtbot):
    """Open MainWindows (no remembered settings); each is closed and joined after the test.

    Every test that uses this fixture is marked slow (see ``pytest_collection_modifyitems``).
    """
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


@pytest.fixture
def in_process_window(qtbot):
    """Open MainWindows without a trainer process, each with its ``InProcessRun``; closed after the test.

    ``make(config)`` draws the session's first snapshot, as a new window draws its trainer's.
    """
    from support.in_process import InProcessRun

    from nnstudio.ui import MainWindow

    windows = []

    def make(config: SessionConfig | None = None) -> InProcessRun:
        window = MainWindow(config, remember=False, trainer=False)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        run = InProcessRun(window)
        run.draw()
        return run

    yield make
    for window in windows:
        window.close()

