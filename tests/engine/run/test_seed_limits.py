"""One range for every seed (nnstudio.engine.run.seeds.check_seed): configs and session files obey it."""

from dataclasses import replace

import pytest

from nnstudio.engine.io.sessionfile import SessionFileError, session_state_from_file_content, session_to_file_content
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.seeds import MAX_SEED, check_seed
from nnstudio.engine.run.session import TrainingSession

RANGE = "from 0 to 2147483647"


def test_every_whole_number_from_0_to_the_largest_seed_is_taken():
    assert [check_seed(seed) for seed in (0, 7, 999_999, 5_000_000, MAX_SEED)] == [0, 7, 999_999, 5_000_000, MAX_SEED]


@pytest.mark.parametrize("bad", [-1, MAX_SEED + 1, 10**20, True, 1.0, "3", None])
def test_anything_else_is_refused_naming_the_field_and_the_range(bad):
    with pytest.raises(ValueError, match=f"^weights seed must be a whole number {RANGE}, got {bad!r}$"):
        check_seed(bad, "weights seed")


def test_a_config_with_seeds_beyond_six_digits_still_loads():
    """Files and scripts were never held to the window's old 999999: such seeds load as they are."""
    config = SessionConfig(data=DataSpec(seed=3_000_000), seed=5_000_000)
    assert SessionConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(("where", "seed", "named"), [
    ("config", -1, "config seed"), ("config", MAX_SEED + 1, "config seed"),
    ("data", -5, "config data seed"), ("data", 2**40, "config data seed"),
])
def test_a_config_with_a_seed_out_of_range_is_refused_by_name(where, seed, named):
    value = SessionConfig().to_dict()
    (value if where == "config" else value["data"])["seed"] = seed
    with pytest.raises(ValueError, match=f"^{named} must be a whole number {RANGE}, got {seed}$"):
        SessionConfig.from_dict(value)


def test_a_config_built_in_code_obeys_the_same_range():
    with pytest.raises(ValueError, match=f"^seed must be a whole number {RANGE}"):
        replace(SessionConfig(), seed=MAX_SEED + 1)
    with pytest.raises(ValueError, match=f"^data seed must be a whole number {RANGE}"):
        DataSpec(seed=-1)


def test_a_session_file_keeps_a_large_seed_and_refuses_one_out_of_range():
    session = TrainingSession(SessionConfig(data=DataSpec("xor", n_samples=40, seed=MAX_SEED), seed=5_000_000))
    meta, arrays = session_to_file_content(session)
    config = TrainingSession.from_state(session_state_from_file_content(meta, arrays)).config
    assert (config.seed, config.data.seed) == (5_000_000, MAX_SEED)
    meta["config"]["seed"] = MAX_SEED + 1
    with pytest.raises(SessionFileError, match=f"meta config seed must be a whole number {RANGE}"):
        session_state_from_file_content(meta, arrays)


def test_a_reset_to_a_seed_out_of_range_changes_nothing():
    session = TrainingSession(SessionConfig(data=DataSpec("xor", n_samples=40)))
    session.step("cycle", 3)
    with pytest.raises(ValueError, match=RANGE):
        session.reset(MAX_SEED + 1)
    assert (session.config.seed, session.trainer.cycle) == (0, 3)
    session.reset(MAX_SEED)
    assert (session.config.seed, session.trainer.cycle) == (MAX_SEED, 0)
