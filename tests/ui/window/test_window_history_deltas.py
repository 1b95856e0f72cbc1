"""The window's loss curves, put together from the trainer's history deltas, are the trainer's own.

The reference is a headless ``TrainingSession`` given the same commands: training is
deterministic, so its batch-loss series (cycles and losses, thinned alike) must equal
what the window shows, bit for bit, after Run, a rewind with Continue, and a reset.
"""

import numpy as np
import pytest

from nnstudio.engine.run.session import TrainingSession

TIMEOUT = 60_000


def _paused_after_running_past(window, qtbot, cycle):
    window.send("set_speed", None)
    window.send("run")
    qtbot.waitUntil(lambda: window.latest.running and window.latest.cycle >= cycle, timeout=TIMEOUT)
    window.send("pause")
    qtbot.waitUntil(lambda: not window.latest.running, timeout=TIMEOUT)
    return window.latest.cycle


def _assert_batch_curve(window, reference):
    x, values = reference.trainer.history.batch_loss.arrays()
    shown = window.latest
    np.testing.assert_array_equal(shown.batch_cycles, x)
    np.testing.assert_array_equal(shown.batch_loss, values[:, 0])


@pytest.mark.slow
def test_run_rewind_continue_and_reset_keep_the_curves_the_trainers(make_window, qtbot):
    window = make_window()
    config = window.latest.config
    reference = TrainingSession(config)

    # Past the history's 32,768 points, so that the trainer thins it and resends it whole.
    cycle = _paused_after_running_past(window, qtbot, 40_000)
    reference.step("cycle", cycle)
    assert reference.trainer.history.batch_loss.stride > 1
    _assert_batch_curve(window, reference)

    back = cycle // 3
    window.send("rewind", back)
    qtbot.waitUntil(lambda: window.latest.cycle == back and window.latest.rewound, timeout=TIMEOUT)
    _assert_batch_curve(window, reference)  # viewing the past: the whole run's curves stay
    window.send("continue_from_here")
    qtbot.waitUntil(lambda: not window.latest.rewound, timeout=TIMEOUT)
    reference.rewind(back)
    reference.continue_from_here()
    _assert_batch_curve(window, reference)

    later = _paused_after_running_past(window, qtbot, back + 3000)
    reference.step("cycle", later - back)
    _assert_batch_curve(window, reference)

    generation = window.latest.generation
    window.send("reset")
    qtbot.waitUntil(lambda: window.latest.generation > generation, timeout=TIMEOUT)
    assert window.latest.batch_cycles.size == 0
    window.send("step", "cycle", 7)
    qtbot.waitUntil(lambda: window.latest.cycle == 7, timeout=TIMEOUT)
    _assert_batch_curve(window, _stepped(config, 7))


def _stepped(config, cycles):
    session = TrainingSession(config)
    session.step("cycle", cycles)
    return session
