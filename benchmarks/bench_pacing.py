"""Measure a paced run's real speed: the trainer's process at N cycles per second, as the window runs it.

    python benchmarks/bench_pacing.py [--seconds 5] [--speeds 10,100,1000] [--dataset xor]

For each speed the trainer runs in its own process (``engine.service.serve``, as the
window starts it), paced at that speed; this process reads its snapshots for the given
time and prints the cycles per second reached and the snapshots per second sent.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time

from nnstudio.engine.service import serve
from nnstudio.engine.session import DataSpec, SessionConfig

WARM_UP_SECONDS = 0.5


def measure(speed: float | None, seconds: float, dataset: str) -> tuple[float, float]:
    """(cycles per second, snapshots per second) over ``seconds`` of a run paced at ``speed``."""
    context = mp.get_context("spawn")
    conn, child_conn = context.Pipe()
    process = context.Process(target=serve, args=(child_conn, SessionConfig(data=DataSpec(name=dataset))),
                              daemon=True)
    process.start()
    child_conn.close()
    try:
        conn.recv()  # the first snapshot: the trainer is ready
        conn.send(("set_speed", (speed,)))
        conn.send(("run", ()))
        start = time.perf_counter() + WARM_UP_SECONDS
        first = last = None
        snapshots = 0
        while True:
            now = time.perf_counter()
            if now >= start + seconds:
                break
            if not conn.poll(0.05):
                continue
            kind, payload = conn.recv()
            if kind != "snapshot" or now < start:
                continue
            if first is None:
                first = (now, payload.cycle)
            else:
                snapshots += 1
            last = (now, payload.cycle)
        conn.send(("quit", ()))
        span = last[0] - first[0]
        return (last[1] - first[1]) / span, snapshots / span
    finally:
        process.join(2)
        if process.is_alive():
            process.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--speeds", default="10,100,1000", help="cycles per second; 'full' for full speed")
    parser.add_argument("--dataset", default="xor")
    args = parser.parse_args()
    for text in args.speeds.split(","):
        speed = None if text == "full" else float(text)
        cycles, snapshots = measure(speed, args.seconds, args.dataset)
        asked = "full speed" if speed is None else f"{speed:g} cycles/s"
        print(f"{args.dataset}, {asked}: {cycles:.1f} cycles/s, {snapshots:.1f} snapshots/s over {args.seconds:g} s")


if __name__ == "__main__":
    main()
