"""Atomic file writes (a reader sees the old file or the whole new one), and the checks before a read."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_writer", "atomic_write_bytes", "atomic_write_text", "check_readable"]


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike, mode: str = "w", **open_kwargs) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success rename it over ``path``.

    If the body raises, the temporary file is removed and ``path`` keeps its old
    content. The rename is atomic because both names live in the same folder.
    """
    target = Path(path)
    permissions = _permissions_for(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        if hasattr(os, "fchmod"):
            # mkstemp makes the file owner-only; an export is an ordinary document.
            os.fchmod(fd, permissions)
        with os.fdopen(fd, mode, **open_kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def _permissions_for(target: Path) -> int:
    """Those of the file being replaced, else what a new file gets (0o666 less the umask)."""
    with contextlib.suppress(OSError):
        return target.stat().st_mode & 0o777
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_writer(path, "wb") as handle:
        handle.write(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_writer(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def check_readable(path: Path, error: type[Exception], kind: str, max_bytes: int, folder: str = "folder") -> None:
    """Raise ``error`` naming the problem if ``path`` is missing, unreadable, a folder or over ``max_bytes``."""
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise error(f"{name}: no such file ({path})") from None
    except OSError as exc:
        raise error(f"{name}: cannot read the file ({exc.strerror or exc})") from None
    if path.is_dir():
        raise error(f"{name}: is a {folder}, not a {kind} file")
    if size > max_bytes:
        raise error(f"{name}: larger than the {max_bytes >> 20} MB limit for {kind} files")
