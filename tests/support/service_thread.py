"""The trainer's service run on a thread of the test's own process, spoken to over a pipe as the worker does."""

from __future__ import annotations

import multiprocessing as mp
import threading
from multiprocessing.connection import Connection

from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.service import serve


def start_service(config: SessionConfig | None = None) -> tuple[Connection, threading.Thread]:
    """(our end of the pipe, the thread serving the other end) for a session of ``config``."""
    ours, theirs = mp.Pipe()
    thread = threading.Thread(target=serve, args=(theirs, config or SessionConfig()), daemon=True)
    thread.start()
    return ours, thread


def receive(conn: Connection, kind: str, timeout: float = 10.0):
    """The value of the next ``kind`` message; an "error" before it, or ``timeout`` s of silence, fails the test."""
    while True:
        assert conn.poll(timeout), f"no {kind!r} message"
        message = conn.recv()
        if message[0] == kind:
            return message[1]
        assert message[0] != "error", message[1]
