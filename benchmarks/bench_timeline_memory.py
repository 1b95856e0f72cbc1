"""What the timeline's keyframes really take beside what it counts against its budget.

Run by hand: ``python benchmarks/bench_timeline_memory.py [--keyframes 400]``.
For a 2-4-1 XOR net, a 2-8-8-8-1 one and a 64-32-10 digits net, under each delta rule,
records ``--keyframes`` keyframes of one kind: full ones (one every cycle), patches of a
weight edit, or patches of a learning-rate change. It prints, per keyframe, the bytes
tracemalloc sees freed when the timeline forgets them (measured) beside ``Timeline.nbytes``
(accounted), and their ratio. ``keyframes.KEYFRAME_OVERHEAD``, ``PATCH_OVERHEAD`` and
``ARRAY_OVERHEAD`` come from these figures.
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc
from dataclasses import replace

from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.keyframes import array_bytes
from nnstudio.engine.run.session import TrainingSession
from nnstudio.engine.run.timeline import Timeline

NETWORKS = {
    "2-4-1 xor": SessionConfig(hidden=(4,), activations=("sigmoid", "sigmoid"), batch_size=10),
    "2-8-8-8-1 xor": SessionConfig(hidden=(8, 8, 8), activations=("tanh",) * 3 + ("sigmoid",), batch_size=10),
    "64-32-10 digits": SessionConfig(data=DataSpec(name="digits"), hidden=(32,), activations=("tanh", "softmax"),
                                     loss="cross_entropy", batch_size=32),
}
KINDS = ("full", "weight edit", "learning rate")


def measure(config: SessionConfig, delta_rule: str, kind: str, keyframes: int) -> tuple[int, int]:
    """(measured, accounted) bytes of ``keyframes`` keyframes of ``kind`` beside the first."""
    trainer = TrainingSession(config).trainer
    trainer.set_delta_rule(delta_rule)
    tracemalloc.start()
    try:
        timeline = Timeline.for_trainer(trainer, budget=2**40, horizon=2**40,
                                        interval=1 if kind == "full" else 2**40)
        timeline.record(trainer)
        for k in range(keyframes):
            trainer.step_cycle(1)
            timeline.record(trainer)
            if kind == "weight edit":
                trainer.network.layers[0].W[0, 0] += 1e-3
                timeline.record(trainer, event=True)
            elif kind == "learning rate":
                trainer.set_hyperparameters(replace(trainer.hyper, learning_rate=0.1 + k * 1e-4))
                timeline.record(trainer, event=True)
        gc.collect()
        accounted = timeline.nbytes() - timeline._head_buffer.nbytes
        order = trainer._batches.order  # the trainer's own: not freed with the timeline
        if order is not None and any(frame.order is order for frame in timeline._frames):
            accounted -= array_bytes(order)
        before = tracemalloc.get_traced_memory()[0]
        timeline.clear()
        gc.collect()
        measured = before - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return measured, accounted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keyframes", type=int, default=400)
    args = parser.parse_args()
    n = args.keyframes + 1
    print(f"{'network':16} {'delta rule':10} {'keyframes':14} {'measured':>10} {'accounted':>10}  ratio")
    for name, config in NETWORKS.items():
        for rule in ("set", "accumulate"):
            for kind in KINDS:
                measured, accounted = measure(config, rule, kind, args.keyframes)
                print(f"{name:16} {rule:10} {kind:14} {measured / n:8.0f} B {accounted / n:8.0f} B  "
                      f"{accounted / measured:.3f}")


if __name__ == "__main__":
    main()
