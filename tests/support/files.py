"""A disk that fills up half way through a write, for the atomic-write tests."""

from __future__ import annotations

import os

from nnstudio.engine.io import fileio

DISK_FULL = "No space left on device"


class HalfWriter:
    """A file handle that writes half of what it is given, then fails as a full disk does."""

    def __init__(self, handle):
        self._handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()
        return False

    def write(self, data):
        self._handle.write(data[: len(data) // 2])
        self._handle.flush()
        raise OSError(28, DISK_FULL)

    def __getattr__(self, name):
        return getattr(self._handle, name)


def fill_the_disk_half_way(monkeypatch) -> None:
    """From now on (until ``monkeypatch.undo()``), every file ``engine.fileio`` opens fails half way."""
    real_fdopen = os.fdopen
    monkeypatch.setattr(fileio.os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))


def patch_zip_headers(data: bytes, *, flag: int | None = None, method: int | None = None) -> bytes:
    """Set the general-purpose flag and/or compression method of every zip entry (local and central headers)."""
    b = bytearray(data)
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = 0
        while (i := b.find(signature, start)) >= 0:
            if flag is not None:
                b[i + flag_at:i + flag_at + 2] = flag.to_bytes(2, "little")
            if method is not None:
                b[i + method_at:i + method_at + 2] = method.to_bytes(2, "little")
            start = i + 4
    return bytes(b)
