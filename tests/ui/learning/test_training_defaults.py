"""Each dataset's starting point and the rates a learner set on them (no widgets involved)."""

from nnstudio.ui.learning.training_defaults import RateMemory, starting_point


def test_a_rate_set_on_a_dataset_is_remembered_for_that_dataset_only():
    """xor starts at 2.0; 0.7 set on xor comes back with xor, not with spiral (0.3)."""
    rates = RateMemory()
    assert rates.use("xor", "classification") == starting_point("xor") == (2.0, 30.0)
    rates.learner_set(0.7)
    assert rates.own_rate("xor") == 0.7
    assert rates.use("spiral", "classification") == (0.3, 300.0)
    assert rates.own_rate("spiral") is None


def test_setting_the_starting_rate_again_forgets_the_learners_own():
    rates = RateMemory()
    rates.use("plane", "regression")
    rates.learner_set(0.05)
    rates.learner_set(0.1)  # plane's own starting rate
    assert rates.own_rate("plane") is None


def test_nothing_is_kept_before_any_data_is_in_use():
    rates = RateMemory()
    rates.learner_set(0.9)
    assert rates.own_rate("xor") is None and rates.key is None
