"""The recording's encoder: frames in, an animation file out, on its own thread so the window never waits."""

from __future__ import annotations

import os
import queue
import time
from pathlib import Path

from PySide6.QtCore import QThread, Signal
from PySide6.QtGui import QImage

from nnstudio.ui.recording.animation_writer import open_writer
from nnstudio.ui.recording.frame_composer import rgb_array

__all__ = ["EncoderThread"]


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
