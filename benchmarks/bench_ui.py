"""Training speed with the window open, beside headless, and how long the window's event loop stalls.

Run by hand from the repository root::

    python benchmarks/bench_ui.py [--seconds 4] [--hidden 4] [--batch-size 10] [--dataset xor]

It measures, in one run so the ratios hold on a noisy machine:

1. Headless: a ``TrainingSession`` with the window's ``SessionConfig`` trains flat out
   (``run_for``) with one BLAS thread, as the trainer's child process does → cycles/s.
2. Window: ``MainWindow`` offscreen at 1440x880 (``QT_QPA_PLATFORM=offscreen`` unless set),
   Run for the same time → cycles/s from the snapshots that reach the UI thread, draws/s
   and the time of each ``MainWindow.draw``.
3. Stalls: a 5 ms ``QTimer`` in the UI thread records the gaps between its ticks during
   Run (the first 0.5 s ignored) → longest gap and 99th percentile. Ticks come only when
   the loop turns, so far fewer ticks than due means the UI thread is saturated.

It also breaks the UI thread's time down by panel (each panel's setter inside ``draw``,
the canvas's deferred update and each panel's paint), so a missed target points somewhere.
The last line is ``bench_ui: throughput ratio X.XX (target ≥ 0.50), max stall Y ms
(target ≤ 50)``. Targets are reported, not enforced: the exit status is 0 unless the
window never showed a snapshot.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from dataclasses import replace

import numpy as np
from threadpoolctl import threadpool_limits

from nnstudio.engine.session import SessionConfig, TrainingSession

RATIO_TARGET = 0.50
STALL_TARGET_MS = 50.0
PROBE_INTERVAL_MS = 5
SETTLE_SECONDS = 0.5  # ignored at the start of Run: the child's first chunk and one-off layout
FIRST_SNAPSHOT_TIMEOUT = 60.0  # spawning the trainer imports numpy afresh; a loaded machine is slow
WINDOW_SIZE = (1440, 880)


# -- configuration ---------------------------------------------------------------------
def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=4.0, help="seconds of Run, and of headless training (default 4)")
    p.add_argument("--hidden", default="4", help="hidden layer sizes, comma-separated; '' for none (default 4)")
    p.add_argument("--activation", default="sigmoid", help="activation of the hidden layers; the output keeps the app's (default sigmoid)")
    p.add_argument("--batch-size", type=int, default=10, help="rows per cycle; 0 = full batch (default 10)")
    p.add_argument("--dataset", default="xor", help="xor, circle, gaussians or spiral (default xor)")
    p.add_argument("--samples", type=int, default=200, help="samples generated (default 200)")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default: the app's)")
    return p.parse_args(argv)


def build_config(args: argparse.Namespace) -> SessionConfig:
    """The window's default config with the flags applied."""
    base = SessionConfig()
    hidden = tuple(int(n) for n in args.hidden.split(",") if n.strip())
    hyper = base.hyper if args.lr is None else replace(base.hyper, learning_rate=args.lr)
    return replace(
        base,
        data=replace(base.data, name=args.dataset, n_samples=args.samples),
        hidden=hidden,
        activations=(args.activation,) * len(hidden) + base.activations[-1:],
        hyper=hyper,
        batch_size=args.batch_size or None,
    )


def describe(config: SessionConfig, session: TrainingSession) -> str:
    sizes = "-".join(map(str, session.network.spec.sizes))
    batch = config.batch_size or "full"
    return (f"{config.data.name} {config.data.n_samples} samples, {sizes} {'/'.join(sorted(set(config.activations)))}, "
            f"{config.loss}, batch {batch}, lr {config.hyper.learning_rate:g}")


# -- headless ----------------------------------------------------------------------------
def headless_rate(session: TrainingSession, seconds: float) -> tuple[int, float]:
    """Cycles and seconds of flat-out training with one BLAS thread, as the trainer's child."""
    with threadpool_limits(1):
        start = time.perf_counter()
        cycles = session.run_for(seconds)
        return cycles, time.perf_counter() - start


# -- timing helpers ----------------------------------------------------------------------
class Timings:
    """Durations per named part, each stamped with its start (perf_counter seconds)."""

    def __init__(self) -> None:
        self.calls: dict[str, list[tuple[float, float]]] = {}

    def wrap(self, obj, attr: str, name: str) -> None:
        """Time ``obj.attr`` by shadowing it on the instance.

        The app calls its panels through ``self.panel.method(...)``, and PySide calls a
        virtual such as ``paintEvent`` through the instance too, so an instance attribute
        catches every call without touching the classes.
        """
        original = getattr(obj, attr)
        record = self.calls.setdefault(name, [])

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                record.append((start, time.perf_counter() - start))

        setattr(obj, attr, timed)

    def between(self, name: str, t0: float, t1: float) -> np.ndarray:
        """Durations (s) of the calls of ``name`` that started in [t0, t1]."""
        return np.array([d for s, d in self.calls.get(name, ()) if t0 <= s <= t1], dtype=float)


def _hook_parts(window, timings: Timings) -> list[tuple[str, int]]:
    """Wrap draw, each panel setter it calls, the canvas's deferred update and every paint.

    Returns (name, indent) rows for the breakdown table, in order.
    """
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QGraphicsView

    rows = [("draw", 0)]
    timings.wrap(window, "draw", "draw")
    for panel, method in (
        ("canvas", "set_state"),
        ("dataset_panel", "set_boundary"),
        ("loss_plot", "set_history"),
        ("activation_heatmap", "set_matrices"),
        ("weight_delta_heatmap", "set_matrices"),
        ("controls", "set_counters"),
        ("controls", "set_running"),
    ):
        name = f"{panel}.{method}"
        timings.wrap(getattr(window, panel), method, name)
        rows.append((name, 1))
    # set_state only stores; a zero-delay timer (or the next paint) applies it to the items.
    timings.wrap(window.canvas, "_apply_state", "canvas apply (deferred)")
    rows.append(("canvas apply (deferred)", 0))

    # A top-level UpdateRequest is one repaint of every dirty widget in the window.
    repaint = timings.calls.setdefault("window repaint", [])
    original_event = window.event

    def event(e):
        if e.type() != QEvent.Type.UpdateRequest:
            return original_event(e)
        start = time.perf_counter()
        try:
            return original_event(e)
        finally:
            repaint.append((start, time.perf_counter() - start))

    window.event = event
    rows.append(("window repaint", 0))
    panels = ("canvas", "dataset_panel", "loss_plot", "activation_heatmap", "weight_delta_heatmap")
    for view in window.findChildren(QGraphicsView):
        owner = next((p for p in panels if view is getattr(window, p) or getattr(window, p).isAncestorOf(view)), "other")
        name = f"paint {owner}"
        timings.wrap(view, "paintEvent", name)
        if (name, 1) not in rows:
            rows.append((name, 1))
    return rows


def _quiet_offscreen_warnings() -> None:
    """The offscreen plugin warns about size hints on every show; that is noise here."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(mode, context, message):
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


# -- the window ----------------------------------------------------------------------------
def window_run(config: SessionConfig, seconds: float) -> dict:
    """Open the window, Run for ``seconds``, and return what was measured."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Slot
    from PySide6.QtWidgets import QApplication

    from nnstudio.ui.main_window import MainWindow

    _quiet_offscreen_warnings()
    app = QApplication.instance() or QApplication(sys.argv[:1])

    class SnapshotProbe(QObject):
        """Lives in the UI thread, so a snapshot counts when it reaches the window (queued)."""

        def __init__(self) -> None:
            super().__init__()
            self.arrivals: list[tuple[float, int]] = []

        @Slot(object)
        def on_snapshot(self, snapshot) -> None:
            self.arrivals.append((time.perf_counter(), snapshot.cycle))

    ticks: list[float] = []

    def spin(secs: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(secs * 1000), loop.quit)
        loop.exec()

    window = MainWindow(config, remember=False)
    probe = SnapshotProbe()
    window.worker.sig_snapshot.connect(probe.on_snapshot)
    window.resize(*WINDOW_SIZE)
    window.show()

    deadline = time.perf_counter() + FIRST_SNAPSHOT_TIMEOUT
    while window.latest is None and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    if window.latest is None:
        window.close()
        raise RuntimeError(f"no snapshot drawn within {FIRST_SNAPSHOT_TIMEOUT:.0f} s of opening the window")
    # The first draw builds the canvas items and heatmaps and paints everything once: not Run's cost.
    spin(SETTLE_SECONDS)

    timings = Timings()
    rows = _hook_parts(window, timings)
    probe_timer = QTimer(interval=PROBE_INTERVAL_MS)
    probe_timer.setTimerType(Qt.TimerType.PreciseTimer)
    probe_timer.timeout.connect(lambda: ticks.append(time.perf_counter()))

    base_cycle = probe.arrivals[-1][1] if probe.arrivals else window.latest.cycle
    probe_timer.start()
    t_run = time.perf_counter()
    window.send("run")
    spin(seconds)
    t_end = time.perf_counter()
    window.send("pause")
    probe_timer.stop()

    # Throughput: the newest cycle the window heard of during Run, over the time it took to hear.
    during = [(t, c) for t, c in probe.arrivals if t_run <= t <= t_end]
    if during:
        t_max, c_max = max(during, key=lambda tc: (tc[1], -tc[0]))
        rate = (c_max - base_cycle) / (t_max - t_run)
    else:
        rate = 0.0
    t0 = t_run + SETTLE_SECONDS
    tick_times = np.array([t for t in ticks if t >= t0])
    gaps = np.diff(tick_times) if tick_times.size > 1 else np.array([np.nan])
    elapsed = t_end - t_run

    window.close()  # joins the worker thread, which joins the trainer process
    app.processEvents()
    orphans = [p.name for p in mp.active_children()]
    return {
        "rate": rate, "elapsed": elapsed,
        "snapshots_per_s": len(during) / elapsed, "timings": timings, "rows": rows,
        "t_run": t_run, "t_end": t_end, "gaps": gaps, "orphans": orphans,
        "expected_ticks": (t_end - t0) * 1000.0 / PROBE_INTERVAL_MS,
        "thread_finished": window._thread.isFinished(),  # private, but closing must have ended it
    }


# -- report ------------------------------------------------------------------------------
def _ms(a: np.ndarray, f) -> float:
    return 1000.0 * float(f(a)) if a.size else float("nan")


def _pair(a: float, b: float) -> str:
    return f"{a:.1f} / {b:.1f}"


def report(config_text: str, seconds: float, headless: float, halves: list[float], w: dict) -> str:
    timings: Timings = w["timings"]
    t_run, t_end, elapsed = w["t_run"], w["t_end"], w["elapsed"]
    draws = timings.between("draw", t_run, t_end)
    ratio = w["rate"] / headless if headless else float("nan")
    gap_max, gap_p99 = _ms(w["gaps"], np.nanmax), _ms(w["gaps"], lambda g: np.nanpercentile(g, 99))

    rows = [
        ("cycles/s", f"{headless:.0f}", f"{w['rate']:.0f}", ""),
        ("ratio window/headless", "", f"{ratio:.2f}", f"≥ {RATIO_TARGET:.2f}"),
        ("snapshots received/s", "", f"{w['snapshots_per_s']:.1f}", ""),
        ("draws/s", "", f"{draws.size / elapsed:.1f}", ""),
        ("draw median / max ms", "", _pair(_ms(draws, np.median), _ms(draws, np.max)), ""),
        ("loop gap max / p99 ms", "", _pair(gap_max, gap_p99), f"max ≤ {STALL_TARGET_MS:.0f}"),
    ]
    lines = [f"bench_ui: {config_text}; {seconds:g} s each", f"{'':24}{'headless':>12}{'window':>14}   target"]
    lines += [f"{label:24}{a:>12}{b:>14}   {target}".rstrip() for label, a, b, target in rows]
    lines += [
        f"(headless halves, before / after the window: {' / '.join(f'{h:.0f}' for h in halves)} cycles/s;"
        f" probe ticks {w['gaps'].size + 1} of ~{w['expected_ticks']:.0f} due: a starved timer means a busy loop)",
        "",
        "UI thread during Run, per part (paint = Qt repainting that panel's views):",
        f"{'part':38}{'calls':>6}{'median ms':>11}{'max ms':>8}{'busy %':>8}",
    ]
    for name, indent in w["rows"]:
        d = timings.between(name, t_run, t_end)
        busy = 100.0 * d.sum() / elapsed
        lines.append(f"{'  ' * indent + name:38}{d.size:6d}{_ms(d, np.median):11.2f}{_ms(d, np.max):8.1f}{busy:8.1f}")
    if w["orphans"] or not w["thread_finished"]:
        lines.append(f"WARNING after close: training thread finished={w['thread_finished']}, "
                     f"live child processes={w['orphans']}")
    lines.append(
        f"bench_ui: throughput ratio {ratio:.2f} (target ≥ {RATIO_TARGET:.2f}), "
        f"max stall {gap_max:.0f} ms (target ≤ {STALL_TARGET_MS:.0f})"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    config = build_config(args)
    session = TrainingSession(config)
    session.run_for(0.2)  # warm-up: workspaces, first evaluations
    # Half the headless time before the window and half after, so slow drift in the
    # machine's load hits both sides of the ratio alike.
    before = headless_rate(session, args.seconds / 2)
    try:
        w = window_run(config, args.seconds)
    except RuntimeError as exc:
        print(f"bench_ui: {exc}", file=sys.stderr)
        return 1
    after = headless_rate(session, args.seconds / 2)
    headless = (before[0] + after[0]) / (before[1] + after[1])
    halves = [before[0] / before[1], after[0] / after[1]]
    print(report(describe(config, session), args.seconds, headless, halves, w))
    return 0


if __name__ == "__main__":
    sys.exit(main())
