"""TrainingWorker: the window's single point of contact with training.

The worker lives on a QThread. It starts the trainer's child process
(``nnstudio.engine.run.service``), forwards the window's commands to it, and relays what comes
back as Qt signals. Between commands it waits in ``Connection.poll``, which holds no GIL,
so the window stays responsive while the child trains flat out.

If the child dies (killed, or a fault), the worker says so once (``sig_trainer_died``) and
waits; ``restart`` starts a new child from the last checkpoint the old one sent. The
worker's own loop lasts as long as the window.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QStandardPaths, Signal, Slot

from nnstudio.engine.io.errorlog import LOG_NAME, log_exception
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.service import serve
from nnstudio.engine.run.snapshot import HistoryReceiver, newest_of

__all__ = ["TrainingWorker", "default_log_path", "exit_if_trainer_bootstrapping", "UNGUARDED_MAIN_EXIT",
           "UNGUARDED_MAIN_MESSAGE"]

POLL_SECONDS = 0.01
JOIN_SECONDS = 1.0
#: Exit code of a trainer's process that found itself running the window's script again.
UNGUARDED_MAIN_EXIT = 78
UNGUARDED_MAIN_MESSAGE = (
    "The trainer could not start: the script that opens this window has no "
    "'if __name__ == \"__main__\":' guard, so the trainer's process ran the script again. "
    "Put the code that creates the window under that guard."
)


def default_log_path() -> Path:
    """``nnstudio/nnstudio.log`` in the platform's state folder (``~/.local/state`` on Linux)."""
    paths = QStandardPaths
    for location in (paths.StandardLocation.GenericStateLocation, paths.StandardLocation.GenericDataLocation):
        folder = paths.writableLocation(location)
        if folder:
            return Path(folder) / "nnstudio" / LOG_NAME
    return Path(tempfile.gettempdir()) / "nnstudio" / LOG_NAME


def exit_if_trainer_bootstrapping() -> None:
    """End this process if it is a trainer's, still starting, that is running the window's script.

    multiprocessing's spawn runs the parent's main script again in the child. Without an
    ``if __name__ == "__main__":`` guard that script would open a second window in the
    trainer's process; this ends it instead, with an exit code the window recognises.
    """
    main = sys.modules.get("__main__")
    bootstrapping = getattr(mp.current_process(), "_inheriting", False) or (
        getattr(main, "__name__", "") == "__mp_main__" and mp.parent_process() is None)
    if bootstrapping:
        try:
            sys.stderr.write(f"nnstudio: {UNGUARDED_MAIN_MESSAGE}\n")
            sys.stderr.flush()
        finally:
            os._exit(UNGUARDED_MAIN_EXIT)


def _describe_exit(exitcode: int | None, log_path: str | None) -> str:
    if exitcode is None:
        return "The trainer process stopped answering and was stopped."
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"The trainer process was killed ({name})."
    if exitcode == 0:
        return "The trainer process ended unexpectedly."
    details = f" Details are in {log_path}." if log_path else ""
    return f"The trainer process stopped on an error (exit code {exitcode}).{details}"


class TrainingWorker(QObject):
    """Relays commands to the trainer's process and its snapshots back.

    Signals
    -------
    sig_snapshot(object)
        The newest ``Snapshot``, with whole histories; older ones that arrived meanwhile are dropped.
    sig_error(str)
        A command was refused; the message says why.
    sig_exported(str)
        Weights were written to this path.
    sig_landscape(object), sig_landscape_cut(object)
        A ``LandscapeMap`` or ``LandscapeCut`` the window asked for (``landscape_session``).
    sig_saved(str), sig_opened(str)
        A session file was written to, or reopened from, this path.
    sig_trainer_died(str, bool)
        The trainer's process is gone: what happened, and whether ``restart`` can help.
    sig_finished()
        The loop has ended and the child process is gone.

    Attributes
    ----------
    trainer_pid
        The process id of the current trainer (None while there is none).
    checkpoint_cycle
        The cycle of the last checkpoint received (None before the first).
    """

    sig_snapshot = Signal(object)  # Snapshot
    sig_error = Signal(str)  # message
    sig_exported = Signal(str)  # path
    sig_gradients = Signal(object)  # [(layer, relative error, checked, total), ...]
    sig_landscape = Signal(object)  # LandscapeMap
    sig_landscape_cut = Signal(object)  # LandscapeCut
    sig_saved = Signal(str)  # path of the session file written
    sig_opened = Signal(str)  # path of the session file reopened
    sig_trainer_died = Signal(str, bool)  # message, restartable
    sig_finished = Signal()

    def __init__(self, config: SessionConfig | None = None, log_path: str | os.PathLike | None = None) -> None:
        exit_if_trainer_bootstrapping()
        super().__init__()
        self._config = config or SessionConfig()
        self._log_path = None if log_path is None else str(log_path)
        self._stop = threading.Event()
        self._conn = None
        self._process = None
        self._checkpoint: dict | None = None
        self._generation = 0  # of the newest snapshot relayed
        self._history = HistoryReceiver()  # whole loss curves again from the trainer's deltas

    @property
    def trainer_pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and self._conn is not None else None

    @property
    def checkpoint_cycle(self) -> int | None:
        checkpoint = self._checkpoint
        return None if checkpoint is None else checkpoint["trainer"]["cycle"]

    @Slot()
    def run(self) -> None:
        """The worker thread's loop: start the child, then relay until asked to stop."""
        try:
            self._start_child(self._config, None, None)
            while not self._stop.is_set():
                # Deliver queued command slots of this thread, then wait on the pipe.
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
                if self._conn is None:  # no trainer: wait for restart() or the end
                    self._stop.wait(POLL_SECONDS)
                    continue
                try:
                    if self._conn.poll(POLL_SECONDS):
                        self._drain()
                except (EOFError, OSError):
                    if not self._stop.is_set():
                        self._lose_child()
        except Exception as exc:  # noqa: BLE001 (a fault of ours: logged, and the window must hear of it)
            log_exception(exc, "the training worker's loop stopped", self._log_path)
            self.sig_trainer_died.emit(f"Training stopped on an internal error: {type(exc).__name__}: {exc}", False)
        finally:
            self._shutdown_child()
            self.sig_finished.emit()

    @Slot(object)
    def restart(self, config: SessionConfig) -> None:
        """Start a new trainer after the last one died: from its last checkpoint, else from ``config``."""
        if self._conn is None and not self._stop.is_set():
            self._start_child(config, self._checkpoint, self._generation + 1)

    def _start_child(self, config: SessionConfig, restore: dict | None, generation: int | None) -> None:
        context = mp.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=serve, args=(child_conn, config), name="nnstudio-trainer", daemon=True,
            kwargs={"restore": restore, "generation": generation, "log_path": self._log_path,
                    "parent_pid": os.getpid()},
        )
        try:
            self._process.start()
        except Exception as exc:  # noqa: BLE001 (spawning can fail many ways; the window must hear of it)
            log_exception(exc, "could not start the trainer", self._log_path)
            self._lose_child(f"Could not start the trainer: {type(exc).__name__}: {exc}.")
        finally:
            child_conn.close()

    def _lose_child(self, reason: str | None = None) -> None:
        """The trainer is gone: reap it and tell the window once, with what a restart would do."""
        conn, process = self._conn, self._process
        self._conn = None
        if conn is not None:
            conn.close()
        exitcode = None
        if process is not None and process.pid is not None:
            process.join(JOIN_SECONDS)
            if process.is_alive():
                process.terminate()
                process.join(JOIN_SECONDS)
            exitcode = process.exitcode
        if exitcode == UNGUARDED_MAIN_EXIT:
            self.sig_trainer_died.emit(UNGUARDED_MAIN_MESSAGE, False)
            return
        cycle = self.checkpoint_cycle
        resume = (f"from cycle {cycle}, its last checkpoint" if cycle is not None
                  else "from the current settings")
        text = reason or _describe_exit(exitcode, self._log_path)
        self.sig_trainer_died.emit(f"{text} Training is off until you press Restart trainer, which goes on {resume}.",
                                   True)

    def _drain(self) -> None:
        newest = None
        while self._conn.poll():
            kind, payload = self._conn.recv()
            if kind == "snapshot":
                # Every snapshot adds its history points, also those dropped right after.
                payload = self._history.complete(payload)
                newest = newest_of(newest, payload)
                self._generation = max(self._generation, payload.generation)
            elif kind == "checkpoint":
                self._checkpoint = payload
            elif kind == "error":
                self.sig_error.emit(payload)
            elif kind == "exported":
                self.sig_exported.emit(payload)
            elif kind == "gradients":
                self.sig_gradients.emit(payload)
            elif kind == "landscape":
                self.sig_landscape.emit(payload)
            elif kind == "landscape_cut":
                self.sig_landscape_cut.emit(payload)
            elif kind == "saved":
                self.sig_saved.emit(payload)
            elif kind == "opened":
                self.sig_opened.emit(payload)
        if newest is not None:
            self.sig_snapshot.emit(newest)

    @Slot(object)
    def send(self, command: tuple) -> None:
        """Forward ``(name, args)`` to the trainer (call through a queued signal).

        With no trainer running the command is dropped: the window has already said why.
        """
        if self._conn is not None and not self._stop.is_set():
            try:
                self._conn.send(command)
            except (OSError, ValueError):
                pass  # the trainer just died: the pipe's end tells the loop, which says so once

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
