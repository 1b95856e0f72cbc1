"""Edits still on their way to the trainer are not undone by the first snapshot of a new run."""

from dataclasses import replace

import pytest
from support.acknowledged import settle
from support.burst import pick

from nnstudio.engine.run.config import SessionConfig

TIMEOUT = 20_000


def new_run_snapshot(run, acknowledged: int, config: SessionConfig | None = None):
    """The first snapshot of a new run, as the trainer would send it having dealt with commands up to ``acknowledged``.
    """
    snapshot = run.session.snapshot()
    return replace(snapshot, generation=run.window.latest.generation + 1, acknowledged=acknowledged,
                   config=config or snapshot.config)


def same_run_snapshot(run, acknowledged: int, config: SessionConfig):
    """A later snapshot of the run the window shows."""
    return replace(run.window.latest, acknowledged=acknowledged, config=config)


def edit_noise(window, value: float) -> int:
    """Type ``value`` into the update-noise box; the number of the command that carries it."""
    window.controls.noise_spin.setValue(value)
    return window.worker.sent


def with_noise(config: SessionConfig, noise: float) -> SessionConfig:
    return replace(config, hyper=replace(config.hyper, noise=noise))


def test_a_new_runs_snapshot_sent_before_an_edit_arrived_leaves_the_controls_alone(in_process_window):
    """Data changed, then the noise box clicked on: the new run's first snapshot still has the old noise."""
    run = in_process_window()
    window = run.window
    started = window.send("reset")  # the command that starts the new run
    edit_noise(window, 9.737)
    window.draw(new_run_snapshot(run, started, with_noise(window.config, 0.575)))
    assert window.controls.noise_spin.value() == 9.737
    assert window.config.hyper.noise == 9.737  # and the window remembers the edit, not the stale value


def test_the_new_runs_settings_come_with_the_snapshot_that_acknowledges_every_edit(in_process_window):
    """Settings the trainer chose for the new run (a reopened session) show once it has seen every edit."""
    run = in_process_window()
    window = run.window
    started = window.send("reset")
    last = edit_noise(window, 9.737)
    reopened = replace(with_noise(window.config, 9.737), batch_size=7)
    window.draw(new_run_snapshot(run, started, replace(reopened, batch_size=3)))
    assert window.controls.batch_size() != 3
    window.draw(same_run_snapshot(run, last, reopened))
    assert (window.controls.batch_size(), window.controls.noise_spin.value()) == (7, 9.737)
    assert window.config == reopened


def test_a_new_run_that_acknowledges_every_command_shows_its_settings(in_process_window):
    run = in_process_window()
    window = run.window
    seq = window.send("open_session", "elsewhere.nnstudio")
    opened = replace(with_noise(window.config, 0.25), seed=41)
    window.draw(new_run_snapshot(run, seq, opened))
    assert (window.controls.noise_spin.value(), window.controls.seed_spin.value()) == (0.25, 41)
    assert window.config == opened


def test_later_snapshots_of_a_run_whose_settings_were_taken_do_not_overwrite_edits(in_process_window):
    """Once a run's settings are shown the controls are the learner's: a lagging snapshot does not set them back."""
    run = in_process_window()
    window = run.window
    seq = window.send("reset")
    window.draw(new_run_snapshot(run, seq))
    edit_noise(window, 3.5)
    window.draw(same_run_snapshot(run, seq, with_noise(window.config, 0.5)))
    assert window.controls.noise_spin.value() == 3.5


@pytest.mark.parametrize("dataset", ["circle", "iris"])
def test_noise_clicks_across_a_change_of_data_end_with_the_controls_showing_the_trainers_settings(
        make_window, qtbot, dataset):
    """A burst of clicks on the update-noise box around a change of data: once settled, box and trainer agree."""
    window = make_window()
    noise = window.controls.noise_spin
    for _ in range(20):
        noise.stepUp()
    pick(window, dataset)
    for _ in range(37):
        noise.stepUp()
    window.controls.learning_rate_spin.setValue(0.125)
    settle(qtbot, window)
    assert window.data_view.name == dataset
    assert window.controls.hyperparameters() == window.latest.config.hyper == window.config.hyper
    assert noise.value() == pytest.approx(0.57)
