"""TrainingWorker: the window's single point of contact with training.

The worker lives on a QThread. It starts the trainer's child process
(``nnstudio.engine.service``), forwards the window's commands to it, and relays what comes
back as Qt signals. Between commands it waits in ``Connection.poll``, which holds no GIL,
so the window stays responsive while the child trains flat out.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import time

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Signal, Slot

from ..engine.service import serve
from ..engine.session import SessionConfig
from ..engine.snapshot import newest_of

__all__ = ["TrainingWorker"]

POLL_SECONDS = 0.01
JOIN_SECONDS = 1.0


class TrainingWorker(QObject):
    """Relays commands to the trainer's process and its snapshots back.

    Signals
    -------
    sig_snapshot(object)
        The newest ``Snapshot``; older ones that arrived meanwhile are dropped.
    sig_error(str)
        A command was refused; the message says why.
    sig_exported(str)
        Weights were written to this path.
    sig_saved(str), sig_opened(str)
        A session file was written to, or reopened from, this path.
    sig_finished()
        The loop has ended and the child process is gone.
    """

    sig_snapshot = Signal(object)  # Snapshot
    sig_error = Signal(str)  # message
    sig_exported = Signal(str)  # path
    sig_gradients = Signal(object)  # [(layer, relative error, checked, total), ...]
    sig_saved = Signal(str)  # path of the session file written
    sig_opened = Signal(str)  # path of the session file reopened
    sig_finished = Signal()

    def __init__(self, config: SessionConfig | None = None) -> None:
        super().__init__()
        self._config = config or SessionConfig()
        self._stop = threading.Event()
        self._conn = None
        self._process = None

    @Slot()
    def run(self) -> None:
        """The worker thread's loop: start the child, then relay until asked to stop."""
        context = mp.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=serve, args=(child_conn, self._config), name="nnstudio-trainer", daemon=True
        )
        try:
            try:
                self._process.start()
            finally:
                child_conn.close()
            while not self._stop.is_set():
                # Deliver queued command slots of this thread, then wait on the pipe.
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
                if self._conn.poll(POLL_SECONDS):
                    self._drain()
        except (EOFError, OSError):
            if not self._stop.is_set():
                self.sig_error.emit("The trainer process stopped unexpectedly.")
        except Exception as exc:  # noqa: BLE001 (spawning can fail many ways; the window must hear of it)
            self.sig_error.emit(f"Could not start the trainer: {type(exc).__name__}: {exc}")
        finally:
            self._shutdown_child()
            self.sig_finished.emit()

    def _drain(self) -> None:
        newest = None
        while self._conn.poll():
            kind, payload = self._conn.recv()
            if kind == "snapshot":
                newest = newest_of(newest, payload)
            elif kind == "error":
                self.sig_error.emit(payload)
            elif kind == "exported":
                self.sig_exported.emit(payload)
            elif kind == "gradients":
                self.sig_gradients.emit(payload)
            elif kind == "saved":
                self.sig_saved.emit(payload)
            elif kind == "opened":
                self.sig_opened.emit(payload)
        if newest is not None:
            self.sig_snapshot.emit(newest)

    @Slot(object)
    def send(self, command: tuple) -> None:
        """Forward ``(name, args)`` to the trainer (call through a queued signal)."""
        if self._conn is not None and not self._stop.is_set():
            try:
                self._conn.send(command)
            except (OSError, ValueError):
                self.sig_error.emit("The trainer process is not running.")

    def request_stop(self) -> None:
        """Thread-safe: end the loop at its next turn."""
        self._stop.set()

    def _shutdown_child(self) -> None:
        conn, process = self._conn, self._process
        if conn is not None:
            try:
                conn.send(("quit", ()))
                # Keep reading until it says goodbye: a trainer blocked writing a big snapshot
                # into a full pipe would never get to read "quit" otherwise.
                deadline = time.monotonic() + JOIN_SECONDS
                while time.monotonic() < deadline:
                    if conn.poll(0.02) and conn.recv()[0] == "bye":
                        break
            except (OSError, ValueError, EOFError):
                pass
        if process is not None and process.pid is not None:
            process.join(JOIN_SECONDS / 4)
            if process.is_alive():
                process.terminate()
                process.join(JOIN_SECONDS)
        if conn is not None:
            conn.close()
        self._conn = None
