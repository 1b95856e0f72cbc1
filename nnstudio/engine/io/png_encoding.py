"""PNG bytes of an RGB pixel array, written with zlib alone (no imaging library)."""

from __future__ import annotations

import os
import struct
import zlib

import numpy as np
import numpy.typing as npt

from nnstudio.engine.io.fileio import atomic_write_bytes


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(pixels: npt.ArrayLike) -> bytes:
    """The PNG file of ``pixels`` (height, width, 3) uint8: 8-bit RGB, not interlaced."""
    pixels = np.asarray(pixels)
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8 or 0 in pixels.shape:
        raise ValueError(f"a PNG needs (height, width, 3) uint8 pixels, got {pixels.shape} {pixels.dtype}")
    height, width = pixels.shape[:2]
    rows = np.empty((height, 1 + 3 * width), np.uint8)
    rows[:, 0] = 0  # filter type 0: the row as it is
    rows[:, 1:] = pixels.reshape(height, 3 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
            + _chunk(b"IEND", b""))


def write_png(path: str | os.PathLike, pixels: npt.ArrayLike) -> None:
    """``encode_png(pixels)`` written to ``path`` atomically (OSError if it cannot be)."""
    atomic_write_bytes(path, encode_png(pixels))
