"""Measure a paced run's real speed: the trainer's process at N cycles per second, as the window runs it.

    python benchmarks/bench_pacing.py [--seconds 5] [--speeds 10,100,1000] [--dataset xor] [--window]

For each speed the trainer runs in its own process (``engine.service.serve``, as the
window starts it), paced at that speed; this process reads its snapshots for the given
time and prints the cycles per second reached and the snapshots per second sent.
With ``--window`` the whole window runs instead (offscreen unless a display is set): the
speed is set on its slider, Run pressed, and the cycles counted from what it draws.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time

from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.service import serve

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


def measure_in_window(speed: float | None, seconds: float, dataset: str) -> tuple[float, float]:
    """(cycles per second, snapshots drawn per second) of the window's own run at ``speed``."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from nnstudio.ui import MainWindow
    from nnstudio.ui.learning.speed_slider import SpeedSlider

    app = QApplication.instance() or QApplication([])
    window = MainWindow(SessionConfig(data=DataSpec(name=dataset)), remember=False)
    window.show()
    samples: list[tuple[float, int, int]] = []  # (time, cycle, snapshot generation seen)
    draws = {"count": 0}
    original_draw = window.draw

    def counting_draw(snapshot):
        draws["count"] += 1
        original_draw(snapshot)

    window.draw = counting_draw
    state = {"started": None}

    def tick():
        latest = window.latest
        if latest is None:
            return
        if state["started"] is None:
            window.controls.speed_slider.setValue(SpeedSlider.index_of(speed))
            window.controls.run_button.click()
            state["started"] = time.perf_counter()
            return
        now = time.perf_counter()
        if now - state["started"] >= WARM_UP_SECONDS:
            samples.append((now, latest.cycle, draws["count"]))
        if now - state["started"] >= WARM_UP_SECONDS + seconds:
            window.close()
            app.quit()

    timer = QTimer(interval=20)
    timer.timeout.connect(tick)
    timer.start()
    app.exec()
    timer.stop()
    (t0, c0, d0), (t1, c1, d1) = samples[0], samples[-1]
    return (c1 - c0) / (t1 - t0), (d1 - d0) / (t1 - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--speeds", default="10,100,1000", help="cycles per second; 'full' for full speed")
    parser.add_argument("--dataset", default="xor")
    parser.add_argument("--window", action="store_true", help="measure the whole window, not the trainer alone")
    args = parser.parse_args()
    for text in args.speeds.split(","):
        speed = None if text == "full" else float(text)
        asked = "full speed" if speed is None else f"{speed:g} cycles/s"
        if args.window:
            cycles, draws = measure_in_window(speed, args.seconds, args.dataset)
            print(f"window, {args.dataset}, {asked}: {cycles:.1f} cycles/s, {draws:.1f} draws/s "
                  f"over {args.seconds:g} s")
        else:
            cycles, snapshots = measure(speed, args.seconds, args.dataset)
            print(f"{args.dataset}, {asked}: {cycles:.1f} cycles/s, {snapshots:.1f} snapshots/s "
                  f"over {args.seconds:g} s")


if __name__ == "__main__":
    main()
