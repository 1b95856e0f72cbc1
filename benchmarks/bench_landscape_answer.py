"""How long the window waits for a loss landscape: request to answer, through the trainer's process.

    python benchmarks/bench_landscape_answer.py [--resolution 41] [--repeats 20] [--window]

The trainer runs in its own process (``engine.service.serve``, as the window starts it) on
the seed's XOR (2-4-1 sigmoid, 160 training rows), trained 300 cycles. Each request is a
PCA map of ``--resolution`` points a side; the time is from sending the request to
receiving the whole map, once with the trainer idle and once while it runs flat out
(it trains between the map's slices). Printed: the median and the worst over the repeats,
and the cycles the run made meanwhile.

With ``--window`` the whole window runs instead (offscreen unless a display is set): the
time from pressing Recompute in the landscape dock to the map drawn.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time

from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.service import serve


def _answer(conn, request: int) -> tuple[object, int | None]:
    """Read until the map answering ``request``; also the newest snapshot's cycle seen meanwhile."""
    cycle = None
    while True:
        kind, payload = conn.recv()
        if kind == "snapshot":
            cycle = payload.cycle
        elif kind == "landscape" and payload.request == request:
            return payload, cycle


def through_the_pipe(resolution: int, repeats: int) -> None:
    context = mp.get_context("spawn")
    conn, child_conn = context.Pipe()
    process = context.Process(target=serve, args=(child_conn, SessionConfig()), daemon=True)
    process.start()
    child_conn.close()
    try:
        conn.send(("step", ("cycle", 300)))
        while True:
            kind, payload = conn.recv()
            if kind == "snapshot" and payload.cycle == 300:
                break
        request = 0
        for running in (False, True):
            if running:
                conn.send(("run", ()))
            times, first, last = [], None, None
            for _ in range(repeats):
                request += 1
                start = time.perf_counter()
                conn.send(("landscape", (request, "pca", resolution, 0)))
                landscape, cycle = _answer(conn, request)
                times.append(time.perf_counter() - start)
                first = landscape.cycle if first is None else first
                last = cycle if cycle is not None else last
            state = "while running" if running else "idle"
            extra = f", the run went from cycle {first} to {last}" if running else ""
            print(f"{resolution}×{resolution} XOR 2-4-1 map {state}: median {1000 * statistics.median(times):.1f} ms, "
                  f"worst {1000 * max(times):.1f} ms over {repeats}{extra}")
        conn.send(("quit", ()))
    finally:
        process.join(2)
        if process.is_alive():
            process.terminate()


def in_the_window(resolution: int, repeats: int) -> None:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from nnstudio.ui import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(remember=False)
    window.resize(1440, 900)
    window.show()

    def wait_for(condition, seconds=30.0):
        deadline = time.perf_counter() + seconds
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError("the window did not answer in time")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)

    wait_for(lambda: window.latest is not None)
    window.send("step", "cycle", 300)
    wait_for(lambda: window.latest.cycle == 300)
    window.landscape_action.trigger()
    view = window.landscape_view
    view.grid_combo.setCurrentIndex(view.grid_combo.findData(resolution))
    wait_for(lambda: view.map is not None and view.map.alphas.size == resolution)
    times = []
    for _ in range(repeats):
        before = view.map
        start = time.perf_counter()
        view.recompute_button.click()
        wait_for(lambda: view.map is not before)
        times.append(time.perf_counter() - start)
    print(f"{resolution}×{resolution} XOR 2-4-1 map in the window, Recompute to drawn: "
          f"median {1000 * statistics.median(times):.1f} ms, worst {1000 * max(times):.1f} ms over {repeats}")
    window.close()
    QTimer.singleShot(0, app.quit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=41)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--window", action="store_true", help="measure in the window (Recompute to the map drawn)")
    args = parser.parse_args()
    if args.window:
        in_the_window(args.resolution, args.repeats)
    else:
        through_the_pipe(args.resolution, args.repeats)


if __name__ == "__main__":
    main()
