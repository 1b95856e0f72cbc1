"""The timeline's memory: the bytes it counts against its budget are the bytes its keyframes take."""

import gc
import tracemalloc

import pytest
from support.small_trainers import small_trainer

from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.keyframes import array_bytes
from nnstudio.engine.run.timeline import Timeline

KEYFRAMES = 300


def learning_rate_change(trainer, k):
    trainer.set_hyperparameters(Hyperparameters(learning_rate=0.1 + k * 1e-4))


def weight_edit(trainer, k):
    trainer.network.layers[0].W[0, 0] += 1e-3


def measured_and_accounted(trainer, event=None) -> tuple[int, int]:
    """(bytes tracemalloc sees freed when the timeline forgets its keyframes, bytes it counts for them)."""
    tracemalloc.start()
    try:
        timeline = Timeline.for_trainer(trainer, budget=2**40, horizon=2**40, interval=1 if event is None else 2**40)
        timeline.record(trainer)
        for k in range(KEYFRAMES):
            trainer.step_cycle(1)
            timeline.record(trainer)
            if event is not None:
                event(trainer, k)
                timeline.record(trainer, event=True)
        gc.collect()
        accounted = timeline.nbytes() - timeline._head_buffer.nbytes
        if any(frame.order is trainer._batches.order for frame in timeline._frames):
            accounted -= array_bytes(trainer._batches.order)  # the trainer still holds it
        before = tracemalloc.get_traced_memory()[0]
        timeline.clear()
        gc.collect()
        return before - tracemalloc.get_traced_memory()[0], accounted
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("delta_rule", ["set", "accumulate"])
@pytest.mark.parametrize("event", [None, weight_edit, learning_rate_change], ids=["full", "weight", "rate"])
def test_the_bytes_counted_are_within_a_quarter_of_those_measured(delta_rule, event):
    """Full keyframes of a 2-4-1 net, or patches of its events: what the budget counts is what memory holds."""
    trainer = small_trainer((2, 4, 1), n=40, batch_size=5)
    trainer.set_delta_rule(delta_rule)
    measured, accounted = measured_and_accounted(trainer, event)
    assert measured > KEYFRAMES * 500  # the keyframes were kept while measured
    assert 0.75 <= accounted / measured <= 1.25


def test_in_the_smallest_budget_the_earliest_cycle_shown_can_always_be_reached():
    """Events every cycle fill the budget over and over: a rewind to the reach's start still gets there."""
    trainer = small_trainer((2, 4, 1), n=40, batch_size=5)
    timeline = Timeline.for_trainer(trainer, budget=1)
    timeline.record(trainer)
    for k in range(60):
        learning_rate_change(trainer, k)
        timeline.record(trainer, event=True)
        trainer.step_cycle(1)
        timeline.record(trainer)
        first, latest = timeline.span(trainer.cycle)
        timeline.rewind(trainer, first)
        assert trainer.cycle == first and timeline.nbytes() <= timeline.budget
        timeline.rewind(trainer, latest)
        assert trainer.cycle == latest and not timeline.rewound
