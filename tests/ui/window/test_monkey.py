"""The monkey (``support.monkey``) at a window: 2,000 random learner actions, and bursts of 100 clicks during Run.

A failure names the seed and the last 30 actions. Reproduce with the same seed::

    NNSTUDIO_MONKEY_SEED=<seed> NNSTUDIO_MONKEY_ACTIONS=<n> pytest tests/ui/window/test_monkey.py
"""

from __future__ import annotations

import os
import time

import pytest
from support.burst import burst
from support.monkey import Monkey
from support.monkey_actions import MAX_HIDDEN_LAYERS

SEED = int(os.environ.get("NNSTUDIO_MONKEY_SEED", "20240611"))
N_ACTIONS = int(os.environ.get("NNSTUDIO_MONKEY_ACTIONS", "2000"))


@pytest.mark.slow
@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
def test_two_thousand_random_learner_actions_break_nothing(qtbot, qtlog, tmp_path, capsys):
    """≥ 2,000 random actions: no exception, no Qt warning, and the canvas always shows the trainer's network."""
    from nnstudio.ui import MainWindow

    started = time.perf_counter()
    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.latest is not None, timeout=30_000)
    process = window.worker._process
    with qtbot.captureExceptions() as exceptions:
        monkey = Monkey(window, qtbot, qtlog, tmp_path, exceptions, SEED)
        try:
            monkey.run(N_ACTIONS)
            monkey.sync()
            monkey.check()
        finally:
            elapsed = time.perf_counter() - started
            with capsys.disabled():
                print(f"\nmonkey seed={SEED}: {sum(monkey.counts.values())} actions done, "
                      f"{sum(monkey.skipped.values())} skipped, {monkey.divergences} divergences rescued, "
                      f"in {elapsed:.1f} s; "
                      f"done {dict(sorted(monkey.counts.items()))}, skipped {dict(sorted(monkey.skipped.items()))}; "
                      f"seconds per kind {({k: round(v, 1) for k, v in monkey.seconds.most_common()})}")
        window.close()
    assert not exceptions, exceptions
    assert window._thread.isFinished(), "the training thread outlived the window"
    assert not process.is_alive() and process.exitcode is not None, "the trainer's process outlived the window"
    assert sum(monkey.counts.values()) >= 2000 or N_ACTIONS < 2000, monkey.counts


@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_after_a_burst_of_100_clicks_the_window_and_the_trainer_agree(make_window, qtbot, qtlog, tmp_path, seed):
    """100 random commands with no pause, during Run: once the trainer catches up, the window shows its state."""
    window = make_window()
    with qtbot.captureExceptions() as exceptions:
        monkey = Monkey(window, qtbot, qtlog, tmp_path, exceptions, seed)
        window.controls.run_button.click()
        qtbot.waitUntil(lambda: window.latest.running and window.latest.cycle > 20, timeout=20_000)
        kinds = burst(window, monkey.rng, 100, MAX_HIDDEN_LAYERS)
        monkey.log.append(f"burst of {len(kinds)}: {kinds}")
        monkey.counts["burst"] += 1
        if window.controls.run_button.isChecked():
            window.controls.run_button.click()  # pause, so the state can settle
        monkey.sync()
        monkey.check()
        hidden = window.latest.spec.sizes[1:-1]
        if window.config.hidden != hidden:
            monkey.fail(f"the window will remember hidden layers {window.config.hidden}, the trainer has {hidden}")
