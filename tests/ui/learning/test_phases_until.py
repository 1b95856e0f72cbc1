"""How many phase steps the window sends to reach a phase (the engine's cycle order)."""

from nnstudio.ui.learning.learning_presenter import phases_until


def test_from_a_cycle_boundary_the_count_follows_the_cycle_order():
    """Two weight layers: forward 0, forward 1, loss, backward 1, backward 0, update."""
    assert phases_until(("forward", 0), 2, None) == 1
    assert phases_until(("loss", None), 2, None) == 3
    assert phases_until(("backward", 0), 2, None) == 5
    assert phases_until(("update", None), 2, ("update", None)) == 6


def test_a_phase_already_passed_is_reached_in_the_next_cycle():
    """From the loss, forward 0 lies past backward 1, backward 0, update: four steps."""
    assert phases_until(("forward", 0), 2, ("loss", None)) == 4
    assert phases_until(("backward", 1), 2, ("loss", None)) == 1
