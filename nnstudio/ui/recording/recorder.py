"""File › Record animation: the run as an animated GIF or MP4, one frame every N cycles.

The recorder drives training itself: it pauses the trainer, takes a frame of the
chosen panels, steps ``every`` cycles, waits for the snapshot of exactly that cycle,
takes the next frame, and so on for ``cycles`` cycles (Stop ends early and keeps the
file, Cancel keeps nothing). Stepping rather than following a free Run is what puts a
frame at every multiple of ``every``: at full speed the trainer sends about 30 snapshots
a second whatever the cycle count, so "every 10 cycles" could not be kept, and a run's
frames would depend on the machine's speed. Stepped, the same seed and settings give
the same frames.

Frames are drawn on the window's thread (widgets can be painted only there): the
window draws the snapshot, each panel is rendered through a scaling painter into one
frame, side by side under a caption naming the cycle. Encoding happens on a QThread
(:class:`EncoderThread`) fed through a queue; the recorder steps on only while at most
:data:`MAX_WAITING_FRAMES` frames wait for it, so memory stays bounded and the window
never waits for the encoder.
"""

from __future__ import annotations

import os
import queue
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QFont, QImage, QPainter, QPalette, QRegion
from PySide6.QtWidgets import QApplication, QWidget

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.plotting.loss_plot import LossPlot
from nnstudio.ui.plotting.numbers import format_number, format_percent
from nnstudio.ui.recording.animation_writer import open_writer, output_problem

__all__ = [
    "PANELS",
    "RecordSettings",
    "FrameComposer",
    "EncoderThread",
    "Recorder",
    "panel_widgets",
    "rgb_array",
    "window_problem",
    "record_after_training",
]

#: Panel choices: key -> what the learner reads.
PANELS: dict[str, str] = {
    "all": "Network, decision boundary and loss, side by side",
    "network": "Network",
    "data": "Decision boundary (or the data view)",
    "loss": "Loss",
}
#: Frames drawn but not yet encoded before the recorder waits for the encoder.
MAX_WAITING_FRAMES = 4
#: How long the last frame stays before the animation loops.
LAST_FRAME_MS = 2000
_GAP = 6


@dataclass(frozen=True)
class RecordSettings:
    """What to record: ``cycles`` cycles, a frame every ``every``, played at ``fps``, ``height`` pixels high."""

    panels: str = "all"
    cycles: int = 300
    every: int = 10
    fps: int = 10
    height: int = 360

    def __post_init__(self) -> None:
        if self.panels not in PANELS:
            raise ValueError(f"unknown panel choice {self.panels!r}; use one of {', '.join(PANELS)}")
        for name, low, high in (("cycles", 1, 10_000_000), ("every", 1, 10_000_000), ("fps", 1, 50),
                                ("height", 120, 2160)):
            value = getattr(self, name)
            if not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")

    @property
    def frames(self) -> int:
        """Frames a whole recording holds: the first state, then one every ``every`` cycles and one at the end."""
        return -(-self.cycles // self.every) + 1

    @property
    def frame_ms(self) -> int:
        return round(1000 / self.fps)


def panel_widgets(window, panels: str) -> list[tuple[str, QWidget]]:
    """The widgets to record for ``panels``, each with its name.

    The data panel is the decision-boundary plot, or for data that is not 2-D the view
    shown in its place (confusion matrix, predictions, digits).
    """
    data_plot = window.dataset_panel.plot
    data = data_plot if not data_plot.isHidden() else window.insight_stack.currentWidget()
    chosen = {"network": [("network", window.canvas)], "data": [("decision boundary", data)],
              "loss": [("loss plot", window.loss_plot.loss_plot)]}
    if panels == "all":
        return chosen["network"] + chosen["data"] + chosen["loss"]
    return chosen[panels]


def window_problem(window, panels: str) -> str | None:
    """Why ``window`` cannot be recorded now (one line), or None."""
    if not window.trainer_running:
        return "The trainer is not running: press Restart trainer first."
    if window.latest is None:
        return "There is nothing to record yet: the trainer has not answered."
    for name, widget in panel_widgets(window, panels):
        if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
            return f"The {name} is not on screen (a closed panel or a collapsed splitter): show it, or record another panel."
    return None


class FrameComposer:
    """Draws the panels side by side, each scaled to ``height``, under a one-line caption.

    The layout is fixed when made (from the panels' sizes then), so every frame has the
    same size even if the window is resized while recording.
    """

    def __init__(self, widgets: list[QWidget], height: int) -> None:
        if not widgets:
            raise ValueError("nothing to record: no panel chosen")
        self.widgets = list(widgets)
        self.caption_height = max(18, round(height * 0.07))
        self.places: list[QRect] = []
        x = 0
        for widget in self.widgets:
            width = max(1, round(height * widget.width() / max(1, widget.height())))
            self.places.append(QRect(x, self.caption_height, width, height))
            x += width + _GAP
        self.size = (x - _GAP, self.caption_height + height)
        self.font = QFont(QApplication.font())
        self.font.setPixelSize(max(10, round(self.caption_height * 0.62)))

    def begin(self, caption: str) -> QImage:
        """A new frame: the background and the caption, the panels still to paint."""
        width, height = self.size
        image = QImage(width, height, QImage.Format.Format_RGB32)
        palette = QApplication.palette()
        image.fill(palette.color(QPalette.ColorRole.Window))
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            painter.setFont(self.font)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            # Plain text: nothing in a caption is read as markup.
            painter.drawText(QRect(8, 0, width - 16, self.caption_height),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, caption)
        finally:
            painter.end()
        return image

    def paint(self, image: QImage, index: int) -> None:
        """Paint panel ``index`` as it is on screen now into its place in ``image``."""
        widget, place = self.widgets[index], self.places[index]
        if widget.width() <= 0 or widget.height() <= 0:
            return
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            painter.translate(place.topLeft())
            # Scaled as vectors, so text and lines stay sharp at any frame size.
            painter.scale(place.width() / widget.width(), place.height() / widget.height())
            # QGraphicsView overrides render() with a scene-rendering signature.
            QWidget.render(widget, painter, QPoint(0, 0), QRegion(),
                           QWidget.RenderFlag.DrawWindowBackground | QWidget.RenderFlag.DrawChildren)
        finally:
            painter.end()

    def compose(self, caption: str) -> QImage:
        """One whole frame at once."""
        image = self.begin(caption)
        for index in range(len(self.widgets)):
            self.paint(image, index)
        return image


def rgb_array(image: QImage) -> np.ndarray:
    """``image`` as a ``(height, width, 3)`` uint8 RGB array (a copy)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    rows = np.frombuffer(rgb.constBits(), np.uint8, count=stride * height)
    return rows.reshape(height, stride)[:, :width * 3].reshape(height, width, 3).copy()


def caption_of(snapshot: Snapshot) -> str:
    """``cycle 120 · train loss 0.0123 · test loss 0.0140 · train acc 97.5% …`` (numbers only)."""
    text = f"NN Studio · cycle {snapshot.cycle}"
    e = snapshot.evaluation
    if e is not None:
        text += f" · train loss {format_number(e.train_loss)} · test loss {format_number(e.test_loss)}"
        if e.train_accuracy == e.train_accuracy:
            text += f" · train acc {format_percent(e.train_accuracy)} · test acc {format_percent(e.test_accuracy)}"
    return text


class EncoderThread(QThread):
    """Encodes the frames put to it (QImages, no longer touched by the sender), in order, on its own thread.

    Signals
    -------
    sig_encoded(int)
        Frames encoded so far.
    sig_written(int, int)
        The file is in place: frames, bytes.
    sig_failed(str)
        It could not be written (the message says why); no file is left.
    sig_aborted()
        Cancelled; no file is left.

    Attributes
    ----------
    encode_seconds
        Time spent encoding (the writer's ``add`` and ``finish``), for measuring.
    """

    sig_encoded = Signal(int)
    sig_written = Signal(int, int)
    sig_failed = Signal(str)
    sig_aborted = Signal()

    _FINISH = object()

    def __init__(self, path: str | os.PathLike, frame_ms: int, last_frame_ms: int, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("recordEncoderThread")
        self.path = Path(path)
        self.frame_ms, self.last_frame_ms = frame_ms, last_frame_ms
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._aborted = False
        self.encode_seconds = 0.0

    def put(self, frame: QImage) -> None:
        self._queue.put(frame)

    def finish(self) -> None:
        self._queue.put(self._FINISH)

    def abort(self) -> None:
        """Stop at the next frame and remove what was written (frames still queued are dropped)."""
        self._aborted = True
        self._queue.put(self._FINISH)

    def run(self) -> None:
        writer = None
        try:
            while True:
                item = self._queue.get()
                if self._aborted:
                    break
                start = time.perf_counter()
                if item is self._FINISH:
                    if writer is None:
                        raise ValueError("no frame was recorded")
                    size = writer.finish()
                    self.encode_seconds += time.perf_counter() - start
                    self.sig_written.emit(writer.frames, size)
                    return
                if writer is None:
                    writer = open_writer(self.path, self.frame_ms, self.last_frame_ms)
                writer.add(rgb_array(item))
                self.encode_seconds += time.perf_counter() - start
                self.sig_encoded.emit(writer.frames)
        except Exception as exc:  # noqa: BLE001 (whatever went wrong, no half file stays and the window hears why)
            if writer is not None:
                writer.abort()
            self.sig_failed.emit(str(exc) or type(exc).__name__)
            return
        if writer is not None:
            writer.abort()
        self.sig_aborted.emit()


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

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
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
