"""Training speed with the window open, beside headless, and how long the window's event loop stalls.

Run by hand from the repository root::

    python benchmarks/bench_ui.py [--seconds 4] [--drag-seconds 2] [--cases xor,spiral,digits]
    python benchmarks/bench_ui.py --cases custom --hidden 16,16 --dataset spiral

The cases are the shipped examples (``resources/examples``: ``xor`` = xor_sigmoid,
``spiral`` = spiral_deep, ``digits`` = digits_classifier), opened in the window as
Help › Examples does, and ``custom``: the window's default settings with the flags
``--hidden``, ``--dataset``, ``--batch-size``... applied. For each case, in one run so the
ratios hold on a noisy machine:

Each case runs in a process of its own, as the app has one window per process. For each:

1. Headless: the same session trains flat out (``run_for``) with one BLAS thread, as the
   trainer's child process does, half before the window and half after → cycles/s.
2. Run: ``MainWindow`` offscreen at 1440x880 (``QT_QPA_PLATFORM=offscreen`` unless set)
   runs for ``--seconds`` → cycles/s from the snapshots that reach the UI thread, and the
   time of each ``MainWindow.draw`` and of each panel's part of it.
3. Drag: paused, the rewind slider is dragged back and forth over the whole run for
   ``--drag-seconds``, a mouse move every 16 ms, as a learner scrubbing the history does.

Stalls: a 5 ms ``QTimer`` in the UI thread records the gaps between its ticks (the first
0.5 s of each phase ignored). Ticks come only when the loop turns, so the longest gap is
the longest the window was frozen, and a median far above 5 ms means the loop is
saturated.

The UI thread's CPU time per second of wall time is reported too: unlike the gaps and the
ratio it hardly depends on what else the machine runs, so it compares two versions of the
window measured under different loads.

The last lines are the summary: per case and phase the worst gap, the median gap,
window/headless and the UI thread's CPU share, then ``worst gap ms: X`` (over every case and phase) and
``window/headless: Y`` (the lowest ratio of any case). The targets are a worst gap of 50
ms, a median of 20 ms and a ratio of 0.80; they are reported, not enforced: the exit
status is 0 unless a window never showed a snapshot.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from threadpoolctl import threadpool_limits

from nnstudio.engine.data.datasets import resources_dir
from nnstudio.engine.io.sessionfile import load_session
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.session import TrainingSession

RATIO_TARGET = 0.80
WORST_GAP_TARGET_MS = 50.0
MEDIAN_GAP_TARGET_MS = 20.0
PROBE_INTERVAL_MS = 5
MOUSE_MOVE_MS = 16  # a drag's mouse moves, about one per 60 Hz frame
SETTLE_SECONDS = 0.5  # ignored at the start of each phase: the child's first chunk and one-off layout
FIRST_SNAPSHOT_TIMEOUT = 60.0  # spawning the trainer imports numpy afresh; a loaded machine is slow
WINDOW_SIZE = (1440, 880)
EXAMPLES = {"xor": "xor_sigmoid", "spiral": "spiral_deep", "digits": "digits_classifier"}


# -- configuration ---------------------------------------------------------------------
def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--cases",
        default="xor,spiral,digits",
        help="comma-separated: xor, spiral, digits (the shipped examples) and custom (default: the three examples)",
    )
    p.add_argument("--seconds", type=float, default=4.0, help="seconds of Run, and of headless training (default 4)")
    p.add_argument(
        "--drag-seconds", type=float, default=2.0, help="seconds of dragging the rewind slider; 0 skips it (default 2)"
    )
    p.add_argument("--breakdown", action="store_true", help="print each case's UI-thread time per panel")
    p.add_argument("--one-case", default=None, help=argparse.SUPPRESS)  # a case run in its own process
    custom = p.add_argument_group("the custom case")
    custom.add_argument("--hidden", default="4", help="hidden layer sizes, comma-separated; '' for none (default 4)")
    custom.add_argument("--activation", default="sigmoid", help="activation of the hidden layers (default sigmoid)")
    custom.add_argument("--batch-size", type=int, default=10, help="rows per cycle; 0 = full batch (default 10)")
    custom.add_argument("--dataset", default="xor", help="xor, circle, gaussians, spiral... (default xor)")
    custom.add_argument("--samples", type=int, default=200, help="samples generated (default 200)")
    custom.add_argument("--lr", type=float, default=None, help="learning rate (default: the app's)")
    args = p.parse_args(argv)
    args.cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in args.cases if c not in (*EXAMPLES, "custom")]
    if unknown or not args.cases:
        p.error(f"unknown case {unknown[0] if unknown else '(none)'!r}: pick from {', '.join((*EXAMPLES, 'custom'))}")
    if args.seconds <= SETTLE_SECONDS or args.drag_seconds < 0:
        p.error(f"--seconds must be above {SETTLE_SECONDS} and --drag-seconds at least 0")
    return args


def build_config(args: argparse.Namespace) -> SessionConfig:
    """The window's default config with the custom case's flags applied."""
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


@dataclass
class Case:
    name: str
    config: SessionConfig
    example: Path | None  # opened in the window as Help › Examples does

    def session(self) -> TrainingSession:
        return load_session(self.example) if self.example is not None else TrainingSession(self.config)


def make_case(name: str, args: argparse.Namespace) -> Case:
    if name == "custom":
        return Case(name, build_config(args), None)
    path = resources_dir() / "examples" / f"{EXAMPLES[name]}.nnstudio"
    return Case(name, load_session(path).config, path)


def describe(session: TrainingSession) -> str:
    config = session.config
    sizes = "-".join(map(str, session.network.spec.sizes))
    batch = config.batch_size or "full"
    return (
        f"{config.data.name} {session.dataset.n_samples} rows, {sizes} {'/'.join(dict.fromkeys(config.activations))}, "
        f"{config.loss}, batch {batch}, lr {config.hyper.learning_rate:g}"
    )


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

    def wrap(self, obj, attr: str, name: str) -> bool:
        """Time ``obj.attr`` by shadowing it on the instance; False if there is no such method.

        The app calls its panels through ``self.panel.method(...)``, and PySide calls a
        virtual such as ``paintEvent`` through the instance too, so an instance attribute
        catches every call without touching the classes.
        """
        original = getattr(obj, attr, None)
        if original is None:
            return False
        record = self.calls.setdefault(name, [])

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                record.append((start, time.perf_counter() - start))

        setattr(obj, attr, timed)
        return True

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
    # The draw timer's slot: a frame with a frame budget, or (older windows) the whole draw.
    timings.wrap(window, "_draw_frame" if hasattr(window, "_draw_frame") else "draw", "draw")
    for panel, method in (
        ("canvas", "show_snapshot"),
        ("data", "show"),
        ("loss_plot", "set_history"),
        ("activation_heatmap", "show_snapshot"),
        ("backprop_heatmap", "show_snapshot"),
        ("weight_delta_heatmap", "show_snapshot"),
        ("learning", "show"),
        ("guide_demos", "show"),
        ("controls", "set_counters"),
    ):
        name = f"{panel}.{method}"
        if timings.wrap(getattr(window, panel), method, name):
            rows.append((name, 1))
    # The canvas stores a snapshot and applies it on a zero-delay timer (or at the next paint).
    if timings.wrap(window.canvas, "_apply_state", "canvas apply (deferred)"):
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
    rows.append(("python gc", 0))
    panels = ("canvas", "dataset_panel", "insight_stack", "loss_plot", "heatmap_tabs")
    for view in window.findChildren(QGraphicsView):
        owner = next(
            (p for p in panels if view is getattr(window, p) or getattr(window, p).isAncestorOf(view)), "other"
        )
        name = f"paint {owner}"
        timings.wrap(view, "paintEvent", name)
        if (name, 1) not in rows:
            rows.append((name, 1))
    return rows


def _time_gc(timings: Timings):
    """Record Python's cyclic garbage collections: a full one over many Qt wrappers is a stall too."""
    import gc

    record = timings.calls.setdefault("python gc", [])
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            record.append((started[0], time.perf_counter() - started[0]))

    gc.callbacks.append(callback)
    return callback


def _quiet_offscreen_warnings() -> None:
    """The offscreen plugin warns about size hints on every show; that is noise here."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(mode, context, message):
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


@dataclass
class Phase:
    """What one phase (Run or Drag) measured in the window."""

    t_start: float
    t_end: float
    gaps: np.ndarray  # seconds between probe ticks after the settling time
    gap_ends: np.ndarray  # the tick that ended each gap (perf_counter seconds)
    ui_cpu: float = float("nan")  # CPU seconds of the UI thread per second: its own work, whatever the load
    rate: float = float("nan")  # cycles/s heard by the window (Run only)
    snapshots: int = 0
    rewinds: int = 0  # slider moves reported (Drag only)

    @property
    def elapsed(self) -> float:
        return self.t_end - self.t_start

    @property
    def worst_ms(self) -> float:
        return 1000.0 * float(np.max(self.gaps)) if self.gaps.size else float("nan")

    @property
    def median_ms(self) -> float:
        return 1000.0 * float(np.median(self.gaps)) if self.gaps.size else float("nan")


# -- the window ----------------------------------------------------------------------------
def window_run(case: Case, seconds: float, drag_seconds: float) -> dict:
    """Open the window on ``case``, Run for ``seconds``, drag the slider, and return what was measured."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Slot
    from PySide6.QtWidgets import QApplication

    from nnstudio.ui.window.main_window import MainWindow

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

    def wait_for(condition, what: str) -> None:
        deadline = time.perf_counter() + FIRST_SNAPSHOT_TIMEOUT
        while not condition():
            if time.perf_counter() > deadline:
                window.close()
                raise RuntimeError(f"{case.name}: {what} within {FIRST_SNAPSHOT_TIMEOUT:.0f} s")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.005)

    window = MainWindow(case.config if case.example is None else None, remember=False)
    probe = SnapshotProbe()
    window.worker.sig_snapshot.connect(probe.on_snapshot)
    window.resize(*WINDOW_SIZE)
    window.show()
    wait_for(lambda: window.latest is not None, "no snapshot drawn")
    if case.example is not None:
        generation = window.latest.generation
        window.sessions.open(case.example)
        wait_for(lambda: window.latest.generation > generation and window.latest.config == case.config,
                 "the example was not shown")
    # The first draw builds the canvas items and heatmaps and paints everything once: not Run's cost.
    spin(SETTLE_SECONDS)

    timings = Timings()
    rows = _hook_parts(window, timings)
    gc_callback = _time_gc(timings)
    probe_timer = QTimer(interval=PROBE_INTERVAL_MS)
    probe_timer.setTimerType(Qt.TimerType.PreciseTimer)
    probe_timer.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def gaps_between(t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        t = np.array([x for x in ticks if t0 + SETTLE_SECONDS <= x <= t1])
        return (np.diff(t), t[1:]) if t.size > 1 else (np.empty(0), np.empty(0))

    base_cycle = window.latest.cycle
    probe_timer.start()
    cpu_run = time.thread_time()
    t_run = time.perf_counter()
    window.send("set_speed", None)  # flat out, whatever speed the window starts a dataset at
    window.send("run")
    spin(seconds)
    t_end = time.perf_counter()
    cpu_end = time.thread_time()
    window.send("pause")
    # Throughput: the newest cycle the window heard of during Run, over the time it took to hear.
    during = [(t, c) for t, c in probe.arrivals if t_run <= t <= t_end]
    rate = 0.0
    if during:
        t_max, c_max = max(during, key=lambda tc: (tc[1], -tc[0]))
        rate = (c_max - base_cycle) / (t_max - t_run)
    run = Phase(t_run, t_end, *gaps_between(t_run, t_end), ui_cpu=(cpu_end - cpu_run) / (t_end - t_run),
                rate=rate, snapshots=len(during))

    drag = None
    if drag_seconds > 0:
        wait_for(lambda: not window.latest.running, "the run did not pause")
        spin(0.2)
        bar = window.timeline_bar
        slider = bar.slider
        low, high = slider.minimum(), slider.maximum()
        moves = [0]
        scrubbed: list[int] = []
        bar.sig_scrubbed.connect(scrubbed.append)
        period = max(2.0, drag_seconds / 2)  # right to left and back, at least once

        def move() -> None:
            # Sweep from the latest cycle to the first and back, as a hand dragging the handle.
            phase = (moves[0] * MOUSE_MOVE_MS / 1000.0) % period / period
            fraction = 1.0 - 2.0 * phase if phase < 0.5 else 2.0 * phase - 1.0
            slider.setValue(int(round(low + fraction * (high - low))))
            moves[0] += 1

        mouse = QTimer(interval=MOUSE_MOVE_MS)
        mouse.timeout.connect(move)
        slider.setSliderDown(True)
        cpu_drag = time.thread_time()
        t_drag = time.perf_counter()
        mouse.start()
        spin(drag_seconds)
        mouse.stop()
        slider.setSliderDown(False)
        t_drag_end = time.perf_counter()
        cpu_drag_end = time.thread_time()
        drag = Phase(t_drag, t_drag_end, *gaps_between(t_drag, t_drag_end), rewinds=len(scrubbed),
                     ui_cpu=(cpu_drag_end - cpu_drag) / (t_drag_end - t_drag),
                     snapshots=sum(1 for t, _ in probe.arrivals if t_drag <= t <= t_drag_end))
    probe_timer.stop()
    import gc

    gc.callbacks.remove(gc_callback)
    window.close()  # joins the worker thread, which joins the trainer process
    app.processEvents()
    return {
        "run": run, "drag": drag, "timings": timings, "rows": rows,
        "orphans": [p.name for p in mp.active_children()],
        "thread_finished": window._thread.isFinished(),  # private, but closing must have ended it
    }


# -- report ------------------------------------------------------------------------------
def _ms(a: np.ndarray, f) -> float:
    return 1000.0 * float(f(a)) if a.size else float("nan")


def _worst_gap_parts(timings: Timings, phase: Phase) -> str:
    """The timed parts that overlap the longest gap, longest first: what froze the window."""
    if not phase.gaps.size:
        return "no gaps"
    end = phase.gap_ends[int(np.argmax(phase.gaps))]
    start = end - float(np.max(phase.gaps))
    parts = []
    for name, calls in timings.calls.items():
        overlap = sum(min(s + d, end) - max(s, start) for s, d in calls if s < end and s + d > start)
        if overlap > 0.001:
            parts.append((overlap, name))
    return ", ".join(f"{name} {1000 * o:.0f} ms" for o, name in sorted(parts, reverse=True)) or "nothing timed"


def breakdown(w: dict, phase: Phase, title: str) -> list[str]:
    timings: Timings = w["timings"]
    lines = [
        f"  longest gap ({phase.worst_ms:.0f} ms) overlaps: {_worst_gap_parts(timings, phase)}",
        f"  UI thread during {title}, per part (paint = Qt repainting that panel's views):",
        f"  {'part':38}{'calls':>6}{'median ms':>11}{'max ms':>8}{'busy %':>8}",
    ]
    for name, indent in w["rows"]:
        d = timings.between(name, phase.t_start, phase.t_end)
        busy = 100.0 * d.sum() / phase.elapsed
        lines.append(f"  {'  ' * indent + name:38}{d.size:6d}{_ms(d, np.median):11.2f}{_ms(d, np.max):8.1f}{busy:8.1f}")
    return lines


def case_report(case: Case, text: str, headless: float, halves: list[float], w: dict, show_parts: bool) -> list[str]:
    run, drag = w["run"], w["drag"]
    draws = w["timings"].between("draw", run.t_start, run.t_end)
    lines = [
        f"{case.name}: {text}",
        f"  Run: {run.rate:.0f} cycles/s in the window, {headless:.0f} headless "
        f"(halves {halves[0]:.0f} / {halves[1]:.0f}); {run.snapshots / run.elapsed:.1f} snapshots/s, "
        f"{draws.size / run.elapsed:.1f} draws/s "
        f"(median {_ms(draws, np.median):.1f} ms, max {_ms(draws, np.max):.1f} ms); "
        f"loop gaps median {run.median_ms:.1f} ms, worst {run.worst_ms:.1f} ms; UI thread CPU {100 * run.ui_cpu:.0f} %",
    ]
    if show_parts:
        lines += breakdown(w, run, "Run")
    if drag is not None:
        ddraws = w["timings"].between("draw", drag.t_start, drag.t_end)
        lines.append(f"  Drag: {drag.rewinds} rewinds asked, {drag.snapshots} snapshots, {ddraws.size} draws "
                     f"(median {_ms(ddraws, np.median):.1f} ms, max {_ms(ddraws, np.max):.1f} ms); "
                     f"loop gaps median {drag.median_ms:.1f} ms, worst {drag.worst_ms:.1f} ms; "
                     f"UI thread CPU {100 * drag.ui_cpu:.0f} %")
        if show_parts:
            lines += breakdown(w, drag, "Drag")
    if w["orphans"] or not w["thread_finished"]:
        lines.append(f"  WARNING after close: training thread finished={w['thread_finished']}, "
                     f"live child processes={w['orphans']}")
    return lines


RESULT_PREFIX = "bench_ui result: "


def _phase_figures(phase: Phase | None) -> dict | None:
    if phase is None:
        return None
    return {"worst_ms": phase.worst_ms, "median_ms": phase.median_ms, "ui_cpu": phase.ui_cpu}


def run_case(name: str, args: argparse.Namespace) -> int:
    """One case in this process: its report, then one line of figures for the summary."""
    _quiet_offscreen_warnings()
    case = make_case(name, args)
    session = case.session()
    text = describe(session)
    session.run_for(0.2)  # warm-up: workspaces, first evaluations
    # Half the headless time before the window and half after, so slow drift in the
    # machine's load hits both sides of the ratio alike.
    before = headless_rate(session, args.seconds / 2)
    try:
        w = window_run(case, args.seconds, args.drag_seconds)
    except RuntimeError as exc:
        print(f"bench_ui: {exc}", file=sys.stderr)
        return 1
    after = headless_rate(session, args.seconds / 2)
    headless = (before[0] + after[0]) / (before[1] + after[1])
    halves = [before[0] / before[1], after[0] / after[1]]
    print("\n".join(case_report(case, text, headless, halves, w, args.breakdown)), flush=True)
    ratio = w["run"].rate / headless if headless else float("nan")
    print(RESULT_PREFIX + json.dumps({"name": name, "ratio": ratio, "run": _phase_figures(w["run"]),
                                      "drag": _phase_figures(w["drag"])}), flush=True)
    return 0


def summary(results: list[tuple[str, float, Phase, Phase | None]]) -> list[str]:
    lines = [f"{'case':14}{'worst gap ms':>14}{'median gap ms':>15}{'window/headless':>17}{'UI CPU %':>10}"]
    worst, ratios = [], []
    for name, ratio, run, drag in results:
        lines.append(
            f"{name + ' run':14}{run.worst_ms:14.1f}{run.median_ms:15.1f}{ratio:17.2f}{100 * run.ui_cpu:10.0f}"
        )
        worst.append(run.worst_ms)
        ratios.append(ratio)
        if drag is not None:
            lines.append(
                f"{name + ' drag':14}{drag.worst_ms:14.1f}{drag.median_ms:15.1f}{'':>17}{100 * drag.ui_cpu:10.0f}"
            )
            worst.append(drag.worst_ms)
    lines.append(f"targets: worst gap ≤ {WORST_GAP_TARGET_MS:.0f} ms, median gap ≤ {MEDIAN_GAP_TARGET_MS:.0f} ms, "
                 f"window/headless ≥ {RATIO_TARGET:.2f} (UI CPU: the window's own work, for comparing under load)")
    lines.append(f"worst gap ms: {np.nanmax(worst):.1f}")
    lines.append(f"window/headless: {np.nanmin(ratios):.2f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parse(argv)
    if args.one_case:
        return run_case(args.one_case, args)
    results = []
    passed_on = [a for a in argv if not a.startswith("--cases")]
    if "--cases" in argv:  # "--cases x,y": drop its value too
        at = argv.index("--cases")
        passed_on = argv[:at] + argv[at + 2:]
    for name in args.cases:
        child = subprocess.run([sys.executable, __file__, *passed_on, "--one-case", name],
                               stdout=subprocess.PIPE, text=True)
        figures = None
        for line in child.stdout.splitlines():
            if line.startswith(RESULT_PREFIX):
                figures = json.loads(line[len(RESULT_PREFIX):])
            else:
                print(line, flush=True)
        if child.returncode or figures is None:
            print(f"bench_ui: the {name} case failed (exit code {child.returncode})", file=sys.stderr)
            return 1
        drag = figures["drag"]
        results.append((name, figures["ratio"], SimpleNamespace(**figures["run"]),
                        None if drag is None else SimpleNamespace(**drag)))
    print("\n".join(["", *summary(results)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
