"""Closing the window while it trains: the process exits 0 within a second, silently.

Each test runs the app in a child Python process (offscreen), as a learner would run it,
so that what happens at exit (thread joins, the trainer's process, Qt's teardown, the
interpreter's) is part of what is measured. The child prints one JSON line of
measurements; the parent checks the exit code, the timings and that stderr holds no
traceback, no QThread complaint and no Qt warning (bar the offscreen plugin's harmless
``propagateSizeHints`` notice).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
HARMLESS = "This plugin does not support propagateSizeHints()"
CLOSE_LIMIT_S = 1.0

# The child: a spiral learner with a 2-16-16-1 network presses Run, and once the cycles
# advance the window is closed. BURST > 0 first fires that many random commands at the
# window without letting a single event through. Guarded: the trainer's process is
# spawned and re-imports the main module.
CHILD = """
import json, os, sys, time

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.ui import MainWindow
from support.burst import burst

BURST = int(os.environ.get("BURST", "0"))
LONG_STEP = int(os.environ.get("LONG_STEP", "0"))
SEED = int(os.environ.get("BURST_SEED", "0"))


def main():
    app = QApplication(sys.argv)
    config = SessionConfig(data=DataSpec("spiral"), hidden=(16, 16), activations=("tanh", "tanh", "sigmoid"),
                           hyper=Hyperparameters(learning_rate=0.3))
    window = MainWindow(config, remember=False)
    window.show()
    report = {"errors": []}
    window.worker.sig_error.connect(report["errors"].append)
    state = {"first": None}
    opened = time.perf_counter()

    def close():
        process = window.worker._process
        report["cycle_at_close"] = window.latest.cycle
        report["running_at_close"] = window.latest.running
        print("CLOSING", flush=True)
        state["closing"] = t0 = time.perf_counter()
        window.close()
        app.quit()
        report["close_s"] = time.perf_counter() - t0
        report["thread_finished"] = window._thread.isFinished()
        report["trainer_alive"] = process.is_alive()
        report["trainer_exitcode"] = process.exitcode

    def tick():
        s = window.latest
        if time.perf_counter() - opened > 60:
            print("timed out waiting for the run", file=sys.stderr)
            app.exit(7)
            return
        if s is None:
            return
        if state["first"] is None:
            state["first"] = s.cycle
            if LONG_STEP:  # one press of Step that keeps the trainer busy for many seconds
                window.controls.step_count_spin.setValue(LONG_STEP)
                window.controls.step_button.click()
                state["stepped"] = time.perf_counter()
            else:
                window.controls.run_button.click()  # Run
            return
        if LONG_STEP:
            if time.perf_counter() - state["stepped"] > 0.5:
                timer.stop()
                close()
            return
        if s.running and s.cycle > state["first"] + 50:
            timer.stop()
            if BURST:
                t0 = time.perf_counter()
                report["burst"] = burst(window, np.random.default_rng(SEED), BURST)
                report["burst_s"] = time.perf_counter() - t0
            close()

    timer = QTimer(interval=10)
    timer.timeout.connect(tick)
    timer.start()
    code = app.exec()
    if "closing" in state:
        report["close_to_exec_return_s"] = time.perf_counter() - state["closing"]
    print(json.dumps(report), flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
"""


def run_child(tmp_path: Path, **env_extra) -> tuple[int, dict, str, float]:
    """Run the child; returns (exit code, its report, stderr, seconds from "CLOSING" to process exit)."""
    script = tmp_path / "close_mid_run.py"
    script.write_text(textwrap.dedent(CHILD), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "tests")]),
               **env_extra)
    stderr_path = tmp_path / "stderr.txt"
    lines: list[tuple[float, str]] = []

    def read(stream) -> None:  # timestamps each line as it comes
        for line in stream:
            lines.append((time.perf_counter(), line))

    with open(stderr_path, "w", encoding="utf-8") as err:
        child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=err, text=True,
                                 env=env, cwd=tmp_path)
        reader = threading.Thread(target=read, args=(child.stdout,), daemon=True)
        reader.start()
        try:
            code = child.wait(timeout=120)
        except subprocess.TimeoutExpired:
            child.kill()
            code = child.wait()
        exited_at = time.perf_counter()
        # A trainer left behind would keep the pipe open: don't wait for it for long.
        reader.join(5)
    stderr = stderr_path.read_text(encoding="utf-8")
    report = {}
    closing_at = None
    for at, line in list(lines):  # a copy: a reader left behind may still append
        if line.strip() == "CLOSING":
            closing_at = at
        elif line.startswith("{"):
            report = json.loads(line)
    exit_s = exited_at - closing_at if closing_at is not None else float("inf")
    return code, report, stderr, exit_s


def unexpected_stderr(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and line.strip() != HARMLESS]


def check_clean_exit(code: int, report: dict, stderr: str, exit_s: float) -> None:
    assert code == 0, f"exit code {code}\n{stderr}"
    assert "Traceback" not in stderr, stderr
    assert "QThread" not in stderr, stderr
    assert unexpected_stderr(stderr) == [], f"stderr holds more than the harmless notice:\n{stderr}"
    assert report.get("thread_finished") is True, report
    assert report.get("trainer_alive") is False and report.get("trainer_exitcode") is not None, report
    assert report["errors"] == [], f"the trainer refused commands: {report['errors']}"
    trainer = f"(the trainer's process exit code: {report['trainer_exitcode']})"
    assert report["close_s"] < CLOSE_LIMIT_S, f"window.close() + quit took {report['close_s']:.3f} s {trainer}"
    assert report["close_to_exec_return_s"] < CLOSE_LIMIT_S, report
    assert exit_s < CLOSE_LIMIT_S, f"the process exited {exit_s:.3f} s after the close began {trainer}"
    # The trainer must leave when asked ("quit"), not be killed when it failed to (-15: SIGTERM).
    assert report["trainer_exitcode"] == 0, (
        f"the trainer's process was terminated, exit code {report['trainer_exitcode']}"
    )


@pytest.mark.slow
def test_closing_during_run_exits_zero_within_a_second(tmp_path):
    """Run on spiral with a 2-16-16-1 net, close once the cycles advance: exit 0, < 1 s, no warnings."""
    code, report, stderr, exit_s = run_child(tmp_path)
    check_clean_exit(code, report, stderr, exit_s)
    assert report["running_at_close"], "the window was closed before the run had started"
    print(f"close {report['close_s'] * 1000:.0f} ms (event loop ended after "
          f"{report['close_to_exec_return_s'] * 1000:.0f} ms), exit {exit_s * 1000:.0f} ms after the close began, "
          f"at cycle {report['cycle_at_close']}")


@pytest.mark.slow
def test_closing_during_a_long_step_exits_zero_within_a_second(tmp_path):
    """Step ×100000 on the same net (many seconds of work), close half a second in: exit 0 within a second.

    A learner who typed a big step count and gives up closes the window; the trainer is
    busy inside one command and cannot read "quit" until it is done.
    """
    code, report, stderr, exit_s = run_child(tmp_path, LONG_STEP="100000")
    print(
        f"close {report.get('close_s', float('nan')) * 1000:.0f} ms, exit {exit_s * 1000:.0f} ms after the close began"
    )
    check_clean_exit(code, report, stderr, exit_s)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_closing_right_after_a_burst_of_100_commands_exits_zero_within_a_second(tmp_path, seed):
    """100 random commands fired without a pause during Run, then close at once: exit 0, < 1 s, no warnings."""
    code, report, stderr, exit_s = run_child(tmp_path, BURST="100", BURST_SEED=str(seed))
    check_clean_exit(code, report, stderr, exit_s)
    assert len(report["burst"]) == 100
    print(f"burst of 100 in {report['burst_s'] * 1000:.0f} ms; close {report['close_s'] * 1000:.0f} ms, "
          f"exit {exit_s * 1000:.0f} ms after the close began")
