"""The window's seed boxes show any seed a run can have exactly, as the trainer uses it."""

from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.seeds import MAX_SEED


def test_large_seeds_are_shown_exactly_not_clamped(in_process_window):
    """A config (from a session file or a script) with seeds beyond six digits shows them as they are."""
    config = SessionConfig(data=DataSpec("moons", seed=MAX_SEED), seed=5_000_000)
    run = in_process_window(config)
    window = run.window
    assert run.draw().config.seed == window.controls.seed_spin.value() == 5_000_000
    assert window.dataset_panel.seed_spin.value() == window.dataset_panel.data_spec()["seed"] == MAX_SEED


def test_new_seed_after_a_large_seed_is_the_next_one(in_process_window):
    run = in_process_window(SessionConfig(seed=5_000_000))
    seeds: list[int] = []
    run.window.controls.sig_new_seed.connect(seeds.append)
    run.window.controls.new_seed_button.click()
    assert seeds == [5_000_001] and run.window.config.seed == 5_000_001
