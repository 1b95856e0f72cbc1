"""File › Record animation: the run as an animated GIF or MP4, one frame every N cycles.

The recorder drives training itself: it pauses the trainer, takes a frame of the
chosen panels, steps ``every`` cycles, waits for the snapshot of exactly that cycle,
takes the next frame, and so on for ``cycles`` cycles (Stop ends early and keeps the
file, Cancel keeps nothing). Stepping rather than following a free Run is what puts a
frame at every multiple of ``every``: at full speed the trainer sends about 30 snapshots
a second whatever the cycle count, so "every 10 cycles" could not be kept, and a run's
frames would depend on the machine's speed. Stepped, the same seed and settings give
the same frames.

Frames are drawn on the window's thread (:mod:`nnstudio.ui.recording.frame_composer`):
the window draws the snapshot, then the panels are painted into one frame under a
caption naming the cycle. Encoding happens on a QThread
(:class:`~nnstudio.ui.recording.encoder_thread.EncoderThread`) fed through a queue; the
recorder steps on only while at most ``MAX_WAITING_FRAMES`` frames wait for it, so
memory stays bounded and the window never waits for the encoder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.plotting.loss_plot import LossPlot
from nnstudio.ui.recording.animation_writer import output_problem
from nnstudio.ui.recording.encoder_thread import EncoderThread
from nnstudio.ui.recording.frame_composer import FrameComposer, caption_of, panel_widgets, window_problem
from nnstudio.ui.recording.record_settings import LAST_FRAME_MS, MAX_WAITING_FRAMES, RecordSettings

__all__ = ["Recorder", "record_after_training"]


class Recorder(QObject):
    """One recording of a window's run to ``path``; :meth:`start` it, then it reports.

    Signals
    -------
    sig_progress(int, int)
        Cycles recorded so far, cycles asked for.
    sig_finishing()
        No more frames: the encoder is finishing the file.
    sig_finished(bool, str)
        Over: whether a file was written, and the line saying what happened.

    Attributes
    ----------
    frames_taken, frames_encoded
        Frames drawn, and encoded, so far.
    outcome
        When over: ``"written"``, ``"cancelled"``, ``"empty"`` (ended before its first frame) or ``"failed"``.
    encoder
        The :class:`EncoderThread` (its ``encode_seconds`` measures encoding).
    """

    sig_progress = Signal(int, int)
    sig_finishing = Signal()
    sig_finished = Signal(bool, str)

    def __init__(self, window, path: str | os.PathLike, settings: RecordSettings) -> None:
        super().__init__(window)
        self.window_ = window
        self.path = Path(path)
        self.settings = settings
        self.frames_taken = 0
        self.frames_encoded = 0
        self.state = "idle"  # idle, starting, drawing, stepping, waiting, finishing or cancelling, done
        self.outcome = ""
        self._start_cycle = 0
        self._last_cycle = 0
        self._target = 0
        self._generation = -1
        self._stop_reason = ""
        self._listening = False
        self._frame: QImage | None = None
        self._panel = 0
        self.composer: FrameComposer | None = None
        self.encoder: EncoderThread | None = None

    # -- starting ------------------------------------------------------------------------
    def start(self) -> None:
        """Pause training, then take the first frame and step on.

        ValueError (one line) if the file cannot be written or the window not recorded now.
        """
        window = self.window_
        loss_tabs = window.loss_plot.tabs
        if self.settings.panels in ("all", "loss") and loss_tabs.currentIndex() != LossPlot.LOSS_TAB:
            loss_tabs.setCurrentIndex(LossPlot.LOSS_TAB)  # the loss curves, not the accuracy tab
        problem = output_problem(self.path) or window_problem(window, self.settings.panels)
        if problem:
            raise ValueError(problem)
        self.composer = FrameComposer([w for _, w in panel_widgets(window, self.settings.panels)],
                                      self.settings.height)
        self.encoder = EncoderThread(self.path, self.settings.frame_ms, LAST_FRAME_MS, self)
        self.encoder.sig_encoded.connect(self._on_encoded)
        self.encoder.sig_written.connect(self._on_written)
        self.encoder.sig_failed.connect(self._on_failed)
        self.encoder.sig_aborted.connect(self._on_aborted)
        self.encoder.start()
        for signal, slot in self._worker_signals():
            signal.connect(slot)
        self._listening = True
        window.installEventFilter(self)
        self.state = "starting"
        window.send("pause")  # answered by a snapshot of the paused run: the first frame

    # -- the loop ------------------------------------------------------------------------
    def _on_snapshot(self, s: Snapshot) -> None:
        if s.running or self.state not in ("starting", "stepping"):
            return  # sent before the pause, or after the recording
        if self.state == "starting":
            self._generation = s.generation
            self._start_cycle = self._last_cycle = s.cycle
            self._take_frame(s)
            return
        if s.generation != self._generation:
            self._finish("the run was replaced (reset, new network or data)")
        elif s.cycle == self._target:
            self._last_cycle = s.cycle
            self._take_frame(s)
        elif s.cycle != self._last_cycle or s.message:
            # Divergence rolled training back, or something else moved it.
            self._finish(s.message or f"training went to cycle {s.cycle} instead of {self._target}")

    def _take_frame(self, s: Snapshot) -> None:
        """Draw ``s``, then paint the panels into a frame one per turn of the event loop, then step on.

        A frame is painted in pieces so that the window's longest pause is one panel's
        painting, not all of them.
        """
        self.window_.draw(s)
        self.state = "drawing"
        self._frame = self.composer.begin(caption_of(s))
        self._panel = 0
        QTimer.singleShot(0, self, self._paint_next)

    def _paint_next(self) -> None:
        if self.state != "drawing":
            return  # stopped or cancelled meanwhile: the frame is dropped
        self.composer.paint(self._frame, self._panel)
        self._panel += 1
        if self._panel < len(self.composer.widgets):
            QTimer.singleShot(0, self, self._paint_next)
            return
        frame, self._frame = self._frame, None
        self.encoder.put(frame)
        self.frames_taken += 1
        self._step_on()

    def cycles_recorded(self) -> int:
        return self._last_cycle - self._start_cycle

    def _step_on(self) -> None:
        done = self.cycles_recorded()
        self.sig_progress.emit(done, self.settings.cycles)
        if done >= self.settings.cycles:
            self._finish("")
        elif self.frames_taken - self.frames_encoded >= MAX_WAITING_FRAMES:
            self.state = "waiting"  # the encoder's next frame steps on
        else:
            n = min(self.settings.every, self.settings.cycles - done)
            self._target = self._last_cycle + n
            self.state = "stepping"
            self.window_.send("step", "cycle", n)

    def _on_encoded(self, frames: int) -> None:
        self.frames_encoded = frames
        if self.state == "waiting":
            self._step_on()

    # -- ending --------------------------------------------------------------------------
    def stop(self) -> None:
        """End now and keep the frames taken so far (a step under way is not waited for)."""
        if self.state in ("starting", "drawing", "stepping", "waiting"):
            self._finish("stopped")

    def cancel(self) -> None:
        """End now and write nothing (training keeps the cycles it ran).

        Once the last frame is in (``finishing``) the file is being closed and is kept.
        """
        if self.state not in ("starting", "drawing", "stepping", "waiting"):
            return
        self._disconnect()
        self.state = "cancelling"
        self.encoder.abort()

    def _finish(self, reason: str) -> None:
        self._disconnect()
        self._stop_reason = reason
        if self.frames_taken == 0:
            self.state = "cancelling"
            self.encoder.abort()
            return
        self.state = "finishing"
        self.sig_finishing.emit()
        self.encoder.finish()

    def _worker_signals(self) -> list:
        worker = self.window_.worker
        return [(worker.sig_snapshot, self._on_snapshot), (worker.sig_error, self._on_trainer_error),
                (worker.sig_trainer_died, self._on_trainer_died)]

    def _disconnect(self) -> None:
        if self._listening:
            self._listening = False
            for signal, slot in self._worker_signals():
                signal.disconnect(slot)

    def _on_trainer_error(self, message: str) -> None:
        self._finish(message)

    def _on_trainer_died(self, message: str, _restartable: bool) -> None:
        self._finish(message)

    def _end(self, outcome: str, message: str) -> None:
        self._disconnect()
        self.state = "done"
        self.outcome = outcome
        self.window_.removeEventFilter(self)
        self.encoder.wait()
        self.sig_finished.emit(outcome == "written", message)

    def _on_written(self, frames: int, size: int) -> None:
        cycles = self.cycles_recorded()
        why = f" (ended early: {self._stop_reason})" if self._stop_reason else ""
        self._end("written", f"Animation written to {self.path}: {frames} frames, {cycles} cycles, "
                        f"{_megabytes(size)}{why}")

    def _on_failed(self, message: str) -> None:
        self._end("failed", f"Could not record the animation: {message}")

    def _on_aborted(self) -> None:
        if self._stop_reason:
            self._end("empty", f"Recording ended before its first frame ({self._stop_reason}): no file was written.")
        else:
            self._end("cancelled", "Recording cancelled: no file was written.")

    def eventFilter(self, watched, event) -> bool:
        """The window closing ends the recording first (the encoder's thread must not outlive it)."""
        if watched is self.window_ and event.type() == QEvent.Type.Close and self.state != "done":
            self.cancel()
            if self.encoder is not None:
                self.encoder.wait()
        return False


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.2f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"


def record_after_training(window, path: str, settings: RecordSettings, timeout_s: float = 60.0) -> None:
    """Record ``settings.cycles`` cycles of ``window``'s run to ``path``, print the outcome, close and quit.

    The application's exit code is 0 when the file was written, 1 otherwise (the reason on
    stderr), also when the trainer has not answered within ``timeout_s``.
    """
    waited = {"ms": 0}

    def finished(written: bool, message: str) -> None:
        print(message if written else f"nnstudio: {message}", file=sys.stdout if written else sys.stderr)
        window.close()
        QApplication.instance().exit(0 if written else 1)

    def poll() -> None:
        waited["ms"] += timer.interval()
        if window.latest is not None:
            timer.stop()
            recorder = Recorder(window, path, settings)
            recorder.sig_finished.connect(finished)
            try:
                recorder.start()
            except ValueError as exc:
                finished(False, str(exc))
        elif waited["ms"] > timeout_s * 1000:
            timer.stop()
            finished(False, f"the trainer did not answer within {timeout_s:g} s")

    timer = QTimer(window, interval=50)
    timer.timeout.connect(poll)
    timer.start()
