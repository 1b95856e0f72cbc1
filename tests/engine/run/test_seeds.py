"""The window's seed range and its wrap: nnstudio.engine.run.seeds."""

from nnstudio.engine.run.seeds import MAX_SEED, next_seed


def test_next_seed_counts_up_and_wraps_at_the_largest_seed():
    """0 → 1, 41 → 42, MAX_SEED − 1 → MAX_SEED, then MAX_SEED (and anything beyond) → 0."""
    assert MAX_SEED == 2**31 - 1  # the largest a Qt spin box holds
    assert [next_seed(s) for s in (0, 41, MAX_SEED - 1, MAX_SEED, MAX_SEED + 6)] == [1, 42, MAX_SEED, 0, 0]
