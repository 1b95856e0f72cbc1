"""Measure File › Record animation: encoding speed, file size and the window's longest stall.

    python benchmarks/bench_record.py [--cycles 300] [--every 10] [--panels all] [--height 360] [--out DIR]

Opens the window (offscreen unless a display is set) on XOR, records ``--cycles`` cycles
with a frame every ``--every`` cycles to a GIF and, if imageio-ffmpeg is installed, an
MP4, and prints for each: frames, file size, wall time, the encoder's frames per second
(frames divided by the time the encoder's thread spent in Pillow or ffmpeg), and the
longest gap between ticks of a 5 ms timer on the window's thread while recording (what a
learner would feel as a stall) with the gap 99% of the ticks stay within.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=300)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--panels", default="all")
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--out", default=None, help="folder for the files (default: a temporary one)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nnstudio-bench-")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from nnstudio.ui import MainWindow
    from nnstudio.ui.recording.record_settings import RecordSettings
    from nnstudio.ui.recording.recorder import Recorder

    app = QApplication(sys.argv[:1])
    out = Path(args.out or tempfile.mkdtemp(prefix="nnstudio-record-"))
    out.mkdir(parents=True, exist_ok=True)
    suffixes = [".gif"] + ([".mp4"] if importlib.util.find_spec("imageio_ffmpeg") else [])
    settings = RecordSettings(panels=args.panels, cycles=args.cycles, every=args.every, height=args.height)
    for suffix in suffixes:
        window = MainWindow(remember=False, confirm_close=False)
        window.show()
        while window.latest is None:
            app.processEvents()
            time.sleep(0.01)
        gaps: list[float] = []
        last = [None]

        def tick() -> None:
            now = time.perf_counter()
            if last[0] is not None:
                gaps.append(now - last[0])
            last[0] = now

        ticker = QTimer(interval=5)
        ticker.timeout.connect(tick)
        recorder = Recorder(window, out / f"xor{suffix}", settings)
        result = {}
        recorder.sig_finished.connect(lambda written, message: result.update(written=written, message=message))
        start = time.perf_counter()
        ticker.start()
        recorder.start()
        while not result:
            app.processEvents()
            time.sleep(0.001)
        wall = time.perf_counter() - start
        ticker.stop()
        encoder = recorder.encoder
        size = (out / f"xor{suffix}").stat().st_size if result["written"] else 0
        print(f"{suffix[1:]}: {recorder.frames_taken} frames {recorder.composer.size[0]}x{recorder.composer.size[1]}, "
              f"{size / 1e6:.3f} MB, {wall:.2f} s in all, encoder {recorder.frames_taken / encoder.encode_seconds:.1f} "
              f"frames/s; the window's thread: longest stall {max(gaps) * 1000:.0f} ms, "
              f"99% of its 5 ms ticks within {sorted(gaps)[int(0.99 * (len(gaps) - 1))] * 1000:.0f} ms")
        print(f"  {result['message']}")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
