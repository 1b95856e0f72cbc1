import multiprocessing
import os
import sys
import tempfile
import time
import weakref

import pytest

# Qt tests draw offscreen so that CI needs no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Remembered window settings go to a throwaway folder, never the user's.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nnstudio-test-config-")
# So does the log of unexpected errors (the platform's state folder).
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="nnstudio-test-state-")

#: How long a test's threads and child processes may take to end after its teardown.
LEAK_GRACE_S = 5.0

_started_qthreads: "weakref.WeakSet" = weakref.WeakSet()


def _track_qthreads() -> None:
    """Remember every QThread started from now on; Qt keeps no list of them.

    Only once PySide6 is loaded (by pytest-qt or a test module): the engine and CLI tests
    also run where Qt is not installed.
    """
    qt_core = sys.modules.get("PySide6.QtCore")
    if qt_core is None or getattr(qt_core.QThread.start, "tracked", False):
        return
    start = qt_core.QThread.start

    def tracked_start(thread, *args, **kwargs):
        _started_qthreads.add(thread)
        return start(thread, *args, **kwargs)

    tracked_start.tracked = True
    qt_core.QThread.start = tracked_start


def _running_qthreads() -> set:
    running = set()
    for thread in list(_started_qthreads):
        try:
            if thread.isRunning():
                running.add(thread)
        except RuntimeError:  # its C++ object is gone, so it is not running
            pass
    return running


def _describe_thread(thread) -> str:
    try:
        return f"QThread {thread.objectName() or type(thread).__name__!r}"
    except RuntimeError:
        return "a QThread"


@pytest.fixture(autouse=True)
def no_leaked_threads_or_processes():
    """Fail a test that leaves a QThread running or a child process alive after its teardown.

    What ran before the test (a module's fixture) is left alone. A leak is ended here, after
    the failure is recorded, so that the next test starts clean.
    """
    _track_qthreads()
    processes_before = {p.pid for p in multiprocessing.active_children()}
    threads_before = _running_qthreads()
    yield
    deadline = time.monotonic() + LEAK_GRACE_S
    leaked = []
    for process in multiprocessing.active_children():
        if process.pid not in processes_before:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                leaked.append(f"child process {process.name} (pid {process.pid})")
                process.kill()
                process.join(LEAK_GRACE_S)
    for thread in _running_qthreads() - threads_before:
        if not thread.wait(max(0, int((deadline - time.monotonic()) * 1000))):
            leaked.append(f"{_describe_thread(thread)} still running")
            thread.quit()
            thread.wait(int(LEAK_GRACE_S * 1000))
    if leaked:
        pytest.fail(f"the test left {', '.join(leaked)} after its teardown ({LEAK_GRACE_S:g} s allowed)",
                    pytrace=False)
