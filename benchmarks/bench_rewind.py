"""How long a far rewind takes after a long run, and what the run's keyframes cost.

Run by hand: ``python benchmarks/bench_rewind.py [--cycles 240000] [--hidden 4] [--budget-mb 64]``.
Trains the session's XOR network (batch 10, the seed settings) headless for ``--cycles``
cycles as Step does, then rewinds to cycles spread over the whole run (cycle 0, the first
1 %, the middle, the latest) and prints, for each, the seconds the rewind took and the
cycles it replayed, with the timeline's size, stride and replay bound. ``--hidden 128,128``
gives a bigger network, whose keyframes the budget thins harder.
"""

from __future__ import annotations

import argparse
import time

from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.session import TrainingSession
from nnstudio.engine.run.timeline import Timeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=240_000)
    parser.add_argument("--hidden", default="4", help="hidden layer sizes, e.g. 4 or 128,128")
    parser.add_argument("--budget-mb", type=float, default=64.0)
    args = parser.parse_args()
    hidden = tuple(int(n) for n in args.hidden.split(",") if n)
    config = SessionConfig(hidden=hidden, activations=("sigmoid",) * (len(hidden) + 1), batch_size=10)
    session = TrainingSession(config)
    trainer = session.trainer
    session.timeline = Timeline.for_trainer(trainer, budget=int(args.budget_mb * 2**20))
    session.timeline.record(trainer)

    start = time.perf_counter()
    session.step("cycle", args.cycles)
    trained = time.perf_counter() - start
    timeline = session.timeline
    print(f"network {config.spec(2, 1).sizes}, {trainer.network.flat.size} parameters")
    print(f"trained {args.cycles:,} cycles in {trained:.2f} s ({trained / args.cycles * 1e6:.1f} µs a cycle)")
    print(f"timeline: cycles {timeline.earliest:,}..{timeline.latest:,}, {len(timeline):,} keyframes, "
          f"{timeline.nbytes() / 2**20:.2f} MB of {timeline.budget / 2**20:.2f} MB, interval {timeline.interval}, "
          f"stride {timeline.stride}, a rewind replays at most {timeline.max_replay} cycles")

    replayed = []
    step_cycle = trainer.step_cycle

    def counted(n: int = 1) -> None:
        replayed.append(n)
        step_cycle(n)

    trainer.step_cycle = counted
    last = timeline.latest
    targets = [0, last // 100 - 7, last // 2 + 5, last - 1, last]
    for cycle in targets:
        replayed.clear()
        start = time.perf_counter()
        session.rewind(cycle)
        took = time.perf_counter() - start
        print(f"rewind to {cycle:>9,}: {took * 1e3:8.2f} ms, {sum(replayed):5d} cycles replayed")


if __name__ == "__main__":
    main()
