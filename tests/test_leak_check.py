"""The suite's own leak check: a test that leaves a child process or a QThread running fails."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = (Path(__file__).with_name("conftest.py")).read_text(encoding="utf-8")

LEAKS_A_PROCESS = """
import multiprocessing
import time


def test_starts_a_process_and_forgets_it():
    multiprocessing.get_context("spawn").Process(target=time.sleep, args=(60,), name="forgotten", daemon=True).start()


def test_starts_a_process_and_joins_it():
    process = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(0.1,))
    process.start()
    process.join()


def test_the_forgotten_process_was_ended():
    assert multiprocessing.active_children() == []
"""

LEAKS_A_QTHREAD = """
from PySide6.QtCore import QCoreApplication, QThread

app = QCoreApplication.instance() or QCoreApplication([])
kept = []


def test_starts_a_thread_and_leaves_it_running():
    thread = QThread()
    thread.setObjectName("forgottenThread")
    thread.start()
    kept.append(thread)


def test_starts_a_thread_and_ends_it():
    thread = QThread()
    thread.start()
    thread.quit()
    assert thread.wait(5000)


def test_the_forgotten_thread_was_stopped():
    assert not kept[0].isRunning()
"""


def run_with_the_suites_conftest(pytester, tests: str):
    """Run ``tests`` (one leaking test, two tidy ones) under tests/conftest.py: one error, three passes."""
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_leaks=tests)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    return result


@pytest.mark.slow
def test_a_process_left_alive_fails_its_test_and_is_ended(pytester):
    """The leaking test errors at teardown naming the process, which is then ended; the tidy test passes."""
    result = run_with_the_suites_conftest(pytester, LEAKS_A_PROCESS)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_starts_a_process_and_forgets_it*",
                                 "the test left child process forgotten (pid *) after its teardown*"])


@pytest.mark.slow
def test_a_qthread_left_running_fails_its_test_and_is_stopped(pytester):
    """The leaking test errors at teardown naming the thread, which is then stopped; the tidy test passes."""
    pytest.importorskip("PySide6.QtCore")
    result = run_with_the_suites_conftest(pytester, LEAKS_A_QTHREAD)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_starts_a_thread_and_leaves_it_running*",
                                 "the test left QThread 'forgottenThread' still running after its teardown*"])
