"""The window's seed range and its wrap: nnstudio.engine.run.seeds."""

from nnstudio.engine.run.seeds import MAX_SEED, next_seed


def test_next_seed_counts_up_and_wraps_at_the_largest_seed():
    """0 → 1, 41 → 42, 999998 → 999999, then 999999 (and anything beyond) → 0."""
    assert MAX_SEED == 999_999
    assert [next_seed(s) for s in (0, 41, 999_998, 999_999, 1_000_005)] == [1, 42, 999_999, 0, 0]
