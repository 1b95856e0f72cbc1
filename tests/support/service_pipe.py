"""More of the service on a thread: serve()'s options, commands already waiting, the next message, a clean stop."""

from __future__ import annotations

import multiprocessing as mp
import threading
from multiprocessing.connection import Connection

from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.service import serve
from support.service_thread import receive


def start_service_with(config: SessionConfig | None = None, waiting=(), **serve_options):
    """(our end of the pipe, the serving thread); the pipe already holds the ``waiting`` messages when it starts.

    ``serve_options`` go to ``serve`` (``restore``, ``generation``, ``acknowledged``, ``log_path`` …).
    """
    ours, theirs = mp.Pipe()
    for message in waiting:
        ours.send(message)
    thread = threading.Thread(target=serve, args=(theirs, config or SessionConfig()), kwargs=serve_options,
                              daemon=True)
    thread.start()
    return ours, thread


def next_message(conn: Connection, timeout: float = 10.0):
    """The next message, whatever its kind; ``timeout`` s of silence fails the test."""
    assert conn.poll(timeout), "no message"
    return conn.recv()


def stop_service(conn: Connection, thread: threading.Thread) -> None:
    """Quit: the trainer says bye and its thread ends."""
    conn.send(("quit", ()))
    receive(conn, "bye")
    thread.join(5)
    assert not thread.is_alive()
