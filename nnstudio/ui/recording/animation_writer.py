"""Animated GIF and MP4 files written frame by frame, atomically (no Qt here).

GIF goes through Pillow (the ``record`` extra), MP4 through imageio-ffmpeg (the
``record-mp4`` extra, an ffmpeg binary in a wheel). Neither is a requirement of the app:
:func:`library_problem` names the exact pip command when one is missing.

A GIF is streamed: each frame is compared with the one before, only the rectangle that
changed is quantised (its own 256-colour table) and LZW-encoded, so memory stays at two
frames however long the recording. An MP4 is piped raw to ffmpeg. Either way the file
appears under its name only when finished: a GIF is written through
:func:`nnstudio.engine.io.fileio.atomic_writer`; ffmpeg writes a temporary file beside
the target (it needs a seekable file for ``+faststart``), which is then copied in the
same way. :meth:`AnimationWriter.abort` leaves neither file behind.
"""

from __future__ import annotations

import abc
import contextlib
import importlib
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from nnstudio.engine.io.fileio import atomic_writer

__all__ = [
    "RECORD_FORMATS",
    "FILE_FILTERS",
    "INSTALL_HINTS",
    "AnimationWriter",
    "GifWriter",
    "Mp4Writer",
    "library_problem",
    "output_problem",
    "open_writer",
]

#: Suffix -> (what it is, the module it needs, the extra that installs it, that module's package).
RECORD_FORMATS: dict[str, tuple[str, str, str, str]] = {
    ".gif": ("an animated GIF", "PIL.GifImagePlugin", "record", "Pillow"),
    ".mp4": ("an MP4 video", "imageio_ffmpeg", "record-mp4", "imageio-ffmpeg"),
}
#: File-dialog filters (description -> suffix), GIF first.
FILE_FILTERS: dict[str, str] = {"Animated GIF": ".gif", "MP4 video": ".mp4"}
#: The one-line answer to a missing encoder, by suffix.
INSTALL_HINTS: dict[str, str] = {
    suffix: f"Recording {what} needs {package}, which is not installed: "
            f"pip install 'nnstudio[{extra}]' (or pip install {package})"
    for suffix, (what, _, extra, package) in RECORD_FORMATS.items()
}
#: H.264 players want sides that are multiples of this; MP4 frames are padded to it.
MP4_BLOCK = 16


def _suffix(path: str | os.PathLike) -> str:
    return Path(path).suffix.lower()


def library_problem(suffix: str) -> str | None:
    """None if ``suffix``'s encoder imports, else the message with the pip command that installs it."""
    suffix = suffix.lower()
    module = RECORD_FORMATS[suffix][1]
    try:
        importlib.import_module(module)
    except ImportError:
        return INSTALL_HINTS[suffix]
    return None


def output_problem(path: str | os.PathLike) -> str | None:
    """What stops an animation being written to ``path`` (one line), or None.

    The suffix must be ``.gif`` or ``.mp4``, its library installed and the folder present.
    """
    suffix = _suffix(path)
    if suffix not in RECORD_FORMATS:
        shown = f"'{suffix}'" if suffix else "no suffix"
        return f"cannot record an animation as {shown} ({Path(path).name}); use .gif or .mp4"
    problem = library_problem(suffix)
    if problem:
        return problem
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        return f"cannot record to {path}: the folder {folder} does not exist"
    return None


class AnimationWriter(abc.ABC):
    """Frames in (``(height, width, 3)`` uint8 RGB, all one size), a file out.

    ``add`` each frame, then ``finish`` (the file appears, whole) or ``abort`` (nothing
    appears, no temporary file is left). The last frame is held ``last_frame_ms`` so a
    looping animation shows where training got to before it starts again.
    """

    def __init__(self, path: str | os.PathLike, frame_ms: int, last_frame_ms: int) -> None:
        if frame_ms < 10:
            raise ValueError(f"a frame must last at least 10 ms, got {frame_ms}")
        self.path = Path(path)
        self.frame_ms = int(frame_ms)
        self.last_frame_ms = max(int(last_frame_ms), self.frame_ms)
        self.frames = 0
        self.size: tuple[int, int] | None = None  # (width, height)

    def _checked(self, frame: np.ndarray) -> np.ndarray:
        frame = np.asarray(frame)
        if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError(f"a frame must be (height, width, 3) uint8 RGB, got {frame.dtype} {frame.shape}")
        size = (frame.shape[1], frame.shape[0])
        if self.size is None:
            self.size = size
        elif size != self.size:
            raise ValueError(f"every frame must be {self.size[0]}×{self.size[1]}, got {size[0]}×{size[1]}")
        return np.ascontiguousarray(frame)

    @abc.abstractmethod
    def add(self, frame: np.ndarray) -> None:
        """Append one frame."""

    @abc.abstractmethod
    def finish(self) -> int:
        """Close the file under its name; returns its size in bytes."""

    @abc.abstractmethod
    def abort(self) -> None:
        """Drop the file being written (safe to call twice)."""


class GifWriter(AnimationWriter):
    """An endlessly looping GIF, streamed through Pillow's frame-level GIF functions."""

    def __init__(self, path: str | os.PathLike, frame_ms: int, last_frame_ms: int) -> None:
        super().__init__(path, frame_ms, last_frame_ms)
        from PIL import GifImagePlugin, Image  # the record extra; output_problem says how to install it

        self._gif, self._image = GifImagePlugin, Image
        self._file = atomic_writer(self.path, "wb")
        self._handle = self._file.__enter__()
        self._previous: np.ndarray | None = None
        self._waiting: tuple | None = None  # the last frame's (image, offset): its duration is not known yet

    def _quantised(self, rgb: np.ndarray):
        # Fast octree keeps the window's flat colours exact and takes a few ms a frame;
        # no dithering: it would speckle flat areas and defeat the LZW compression.
        image = self._image.fromarray(rgb)
        return image.quantize(256, method=self._image.Quantize.FASTOCTREE, dither=self._image.Dither.NONE)

    def add(self, frame: np.ndarray) -> None:
        frame = self._checked(frame)
        if self._previous is None:
            image = self._quantised(frame)
            header, _ = self._gif.getheader(image, info={"loop": 0, "duration": self.frame_ms})
            for part in header:
                self._handle.write(part)
            self._waiting = (image, (0, 0), False)
        else:
            self._write_waiting(self.frame_ms)
            changed = np.any(frame != self._previous, axis=2)
            rows, columns = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if rows.size == 0:  # nothing moved: one unchanged pixel keeps the frame (and its time) in the file
                top, bottom, left, right = 0, 1, 0, 1
            else:
                top, bottom, left, right = rows[0], rows[-1] + 1, columns[0], columns[-1] + 1
            image = self._quantised(frame[top:bottom, left:right])
            self._waiting = (image, (int(left), int(top)), True)
        self._previous = frame
        self.frames += 1

    def _write_waiting(self, duration_ms: int) -> None:
        image, offset, own_colours = self._waiting
        # disposal 1: the next frame is drawn over this one, so a frame need only hold what changed.
        params = {"duration": duration_ms, "disposal": 1}
        if own_colours:
            params["include_color_table"] = True
        for part in self._gif.getdata(image, offset, **params):
            self._handle.write(part)
        self._waiting = None

    def finish(self) -> int:
        if self._waiting is None:
            self.abort()
            raise ValueError("an animation needs at least one frame")
        self._write_waiting(self.last_frame_ms)
        self._handle.write(b";")  # GIF trailer
        file, self._file = self._file, None
        file.__exit__(None, None, None)  # renames the finished file over the target
        return self.path.stat().st_size

    def abort(self) -> None:
        self._waiting = None
        file, self._file = self._file, None
        if file is not None:
            file.__exit__(_Aborted, _Aborted(), None)  # the atomic writer removes its temporary file


class _Aborted(Exception):
    """Thrown into the atomic writer so that it drops its temporary file."""


class Mp4Writer(AnimationWriter):
    """An H.264 MP4 (yuv420p, plays everywhere) through imageio-ffmpeg's bundled ffmpeg."""

    def __init__(self, path: str | os.PathLike, frame_ms: int, last_frame_ms: int) -> None:
        super().__init__(path, frame_ms, last_frame_ms)
        import imageio_ffmpeg  # the record-mp4 extra; output_problem says how to install it

        self._ffmpeg = imageio_ffmpeg
        target = self.path.resolve()
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        self._temporary = Path(name)
        self._frames_out = None
        self._last: np.ndarray | None = None

    def _start(self) -> None:
        width, height = (math.ceil(side / MP4_BLOCK) * MP4_BLOCK for side in self.size)
        # The argument list goes to ffmpeg without a shell; "file:" and the absolute
        # path keep any file name from reading as an option or a protocol.
        self._frames_out = self._ffmpeg.write_frames(
            f"file:{self._temporary}", (width, height), fps=1000.0 / self.frame_ms, quality=8,
            macro_block_size=MP4_BLOCK, ffmpeg_log_level="error",
            output_params=["-f", "mp4", "-movflags", "+faststart"],
        )
        self._frames_out.send(None)

    def add(self, frame: np.ndarray) -> None:
        frame = self._checked(frame)
        if self._frames_out is None:
            self._start()
        width, height = self.size
        # Padded with the edge's own colour rather than scaled by ffmpeg (which would blur text).
        frame = np.pad(frame, ((0, -height % MP4_BLOCK), (0, -width % MP4_BLOCK), (0, 0)), mode="edge")
        self._frames_out.send(frame)
        self._last = frame
        self.frames += 1

    def finish(self) -> int:
        if self._last is None:
            self.abort()
            raise ValueError("an animation needs at least one frame")
        try:
            for _ in range(self.held_frames()):
                self._frames_out.send(self._last)
            self._frames_out.close()  # ffmpeg finishes the file and exits
            self._frames_out = None
            with open(self._temporary, "rb") as source, atomic_writer(self.path, "wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
        finally:
            self.abort()
        return self.path.stat().st_size

    def held_frames(self) -> int:
        """Copies of the last frame added so that it lasts ``last_frame_ms`` (a video has one frame rate)."""
        return max(0, round(self.last_frame_ms / self.frame_ms) - 1)

    def abort(self) -> None:
        frames_out, self._frames_out = self._frames_out, None
        if frames_out is not None:
            with contextlib.suppress(Exception):  # ffmpeg may already be gone; the file goes either way
                frames_out.close()
        with contextlib.suppress(FileNotFoundError):
            self._temporary.unlink()


def open_writer(path: str | os.PathLike, frame_ms: int, last_frame_ms: int) -> AnimationWriter:
    """The writer for ``path``'s suffix; ValueError (one line) if it cannot be written."""
    problem = output_problem(path)
    if problem:
        raise ValueError(problem)
    kind = GifWriter if _suffix(path) == ".gif" else Mp4Writer
    return kind(path, frame_ms, last_frame_ms)
