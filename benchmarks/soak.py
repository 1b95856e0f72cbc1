"""Soak: does memory stay flat over a long run? Headless, then with the window live.

Run by hand from the repository root::

    python benchmarks/soak.py [--headless-cycles 1000000] [--window-cycles 100000]

1. Headless: a ``TrainingSession`` with the default config (XOR, 2-4-1) steps
   ``--headless-cycles`` cycles in chunks of ``--chunk``, with one BLAS thread and a
   ``snapshot()`` after every chunk, as the trainer's process does after each Step.
2. Window: ``MainWindow`` offscreen (``QT_QPA_PLATFORM=offscreen`` unless set) presses
   Run and lets the trainer run flat out until a drawn snapshot's cycle reaches
   ``--window-cycles``.

Each part runs in its own fresh Python process (this script, re-invoked with
``--part``), so neither inherits the other's freed memory. RSS is read from
``/proc/<pid>/status`` (``VmRSS``; the peak is ``VmHWM``), for the UI process and for the
trainer's child process (``window.worker._process.pid``), at the start, every tenth of
the way and at the end. Growth is the last sample minus the first. The last line is::

    soak: headless growth X MB, window growth Y MB (UI) / Z MB (trainer), target < 50 MB

The target is reported, not enforced: the exit status is 0 unless a part failed to run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

TARGET_MB = 50.0
REPO = Path(__file__).resolve().parents[1]


def rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB, from /proc; (nan, nan) if it is gone."""
    values = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) / 1024  # kB
    except OSError:
        pass
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


# -- the parts, each in its own process -----------------------------------------------------------
def run_headless(cycles: int, chunk: int) -> dict:
    from threadpoolctl import threadpool_limits

    from nnstudio.engine.run.session import TrainingSession

    samples = []
    with threadpool_limits(1):
        session = TrainingSession()
        session.snapshot()
        every = max(chunk, cycles // 10)
        start = time.perf_counter()
        samples.append({"cycle": 0, "seconds": 0.0, "ui": rss_mb()})
        next_sample = every
        done = 0
        while done < cycles:
            n = min(chunk, cycles - done)
            session.step("cycle", n)
            session.snapshot()  # the trainer answers every Step with one
            if session.trainer.cycle == done:
                break  # no progress (cannot happen on XOR; guards the loop)
            done = session.trainer.cycle
            if done >= next_sample or done >= cycles:
                samples.append({"cycle": done, "seconds": time.perf_counter() - start, "ui": rss_mb()})
                next_sample += every
    return {"part": "headless", "samples": samples, "cycles": done,
            "config": "-".join(map(str, session.network.spec.sizes)) + f" on {session.config.data.name}"}


def run_window(cycles: int, timeout: float) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from nnstudio.ui import MainWindow

    app = QApplication(sys.argv[:1])
    window = MainWindow(remember=False)
    window.show()
    every = max(1, cycles // 10)
    state = {"samples": [], "next": 0, "start": None, "error": None, "presses": 0}
    opened = time.perf_counter()

    def sample(cycle: int) -> None:
        pid = window.worker._process.pid
        state["samples"].append({"cycle": cycle, "seconds": time.perf_counter() - state["start"],
                                 "ui": rss_mb(), "trainer": rss_mb(pid)})

    def tick() -> None:
        s = window.latest
        if time.perf_counter() - opened > timeout:
            state["error"] = f"timed out after {timeout:.0f} s at cycle {None if s is None else s.cycle}"
            finish()
            return
        if s is None:
            return
        if state["start"] is None:
            state["start"] = time.perf_counter()
            sample(s.cycle)
            state["next"] = every
        if s.cycle >= state["next"] or s.cycle >= cycles:
            sample(s.cycle)
            state["next"] += every
        if s.cycle >= cycles:
            finish()
        elif not s.running and not window.controls.run_button.isChecked():
            state["presses"] += 1  # first press, or again after a divergence paused it
            window.controls.run_button.click()

    def finish() -> None:
        timer.stop()
        window.close()
        app.quit()

    timer = QTimer(interval=20)
    timer.timeout.connect(tick)
    timer.start()
    app.exec()
    return {"part": "window", "samples": state["samples"], "error": state["error"], "presses": state["presses"],
            "cycles": state["samples"][-1]["cycle"] if state["samples"] else 0}


# -- the report -----------------------------------------------------------------------------------
def growth(samples: list[dict], key: str) -> float:
    return samples[-1][key][0] - samples[0][key][0]


def peak(samples: list[dict], key: str) -> float:
    return max(s[key][1] for s in samples)


def table(result: dict) -> str:
    samples = result["samples"]
    trainer = "trainer" in samples[0]
    head = f"{'cycle':>10} {'seconds':>8} {'UI RSS MB':>10} {'UI peak':>8}"
    if trainer:
        head += f" {'trainer RSS':>12} {'tr. peak':>9}"
    lines = [head]
    for s in samples:
        line = f"{s['cycle']:>10,} {s['seconds']:>8.1f} {s['ui'][0]:>10.1f} {s['ui'][1]:>8.1f}"
        if trainer:
            line += f" {s['trainer'][0]:>12.1f} {s['trainer'][1]:>9.1f}"
        lines.append(line)
    return "\n".join(lines)


def run_part(part: str, args: argparse.Namespace) -> dict:
    """This script again, in a fresh process, for one part; its JSON result."""
    command = [sys.executable, str(Path(__file__).resolve()), "--part", part,
               "--headless-cycles", str(args.headless_cycles), "--window-cycles", str(args.window_cycles),
               "--chunk", str(args.chunk), "--timeout", str(args.timeout)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"the {part} part failed (exit {done.returncode}):\n{done.stderr[-3000:]}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--headless-cycles", type=int, default=1_000_000)
    p.add_argument("--window-cycles", type=int, default=100_000)
    p.add_argument("--chunk", type=int, default=10_000, help="cycles per headless Step (default 10000)")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds the window part may take")
    p.add_argument("--part", choices=["headless", "window"], help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.part == "headless":
        print(json.dumps(run_headless(args.headless_cycles, args.chunk)))
        return 0
    if args.part == "window":
        print(json.dumps(run_window(args.window_cycles, args.timeout)))
        return 0

    headless = run_part("headless", args)
    samples = headless["samples"]
    print(f"headless: {headless['config']}, {headless['cycles']:,} cycles in {samples[-1]['seconds']:.1f} s "
          f"({headless['cycles'] / max(samples[-1]['seconds'], 1e-9):,.0f} cycles/s)")
    print(table(headless))
    h_growth = growth(samples, "ui")
    print(f"headless: peak RSS {peak(samples, 'ui'):.1f} MB, growth {h_growth:+.1f} MB\n")

    window = run_part("window", args)
    samples = window["samples"]
    if not samples:
        print(f"window: no snapshot was drawn ({window['error']})")
        return 1
    print(f"window: XOR 2-4-1, Run pressed {window['presses']}x, {window['cycles']:,} cycles in "
          f"{samples[-1]['seconds']:.1f} s ({window['cycles'] / max(samples[-1]['seconds'], 1e-9):,.0f} cycles/s)")
    print(table(window))
    ui_growth, tr_growth = growth(samples, "ui"), growth(samples, "trainer")
    print(f"window: UI peak RSS {peak(samples, 'ui'):.1f} MB, growth {ui_growth:+.1f} MB; "
          f"trainer peak RSS {peak(samples, 'trainer'):.1f} MB, growth {tr_growth:+.1f} MB")
    if window["error"]:
        print(f"window: {window['error']}")
    print(f"soak: headless growth {h_growth:.1f} MB, window growth {ui_growth:.1f} MB (UI) / "
          f"{tr_growth:.1f} MB (trainer), target < {TARGET_MB:.0f} MB")
    return 1 if window["error"] else 0


if __name__ == "__main__":  # guarded: the window's trainer is a spawned process that re-imports this file
    sys.exit(main())
