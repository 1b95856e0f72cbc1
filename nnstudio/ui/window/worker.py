"""TrainingWorker: the window's single point of contact with training.

The worker lives on a QThread. It starts the trainer's child process
(``nnstudio.engine.run.service``), forwards the window's commands to it, and relays what comes
back as Qt signals. Its loop blocks in ``multiprocessing.connection.wait`` on the trainer's
pipe and a wakeup pipe, holding no GIL and taking no CPU while nothing happens, so the
window stays responsive while the child trains flat out. ``send`` and ``restart`` are called
on the window's thread: they queue the request and signal the wakeup pipe, so a command
goes out at once (the loop runs no Qt event loop that could deliver queued slot calls).

Every command gets a sequence number (1, 2, 3… over the window's life); the trainer's
snapshots acknowledge the last one it dealt with (``Snapshot.acknowledged``, see
``nnstudio.engine.run.commands``).

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
from collections import deque
from multiprocessing.connection import wait
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal

from nnstudio.engine.io.errorlog import LOG_NAME, log_exception
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.service import serve
from nnstudio.engine.run.snapshot import HistoryReceiver, newest_of

__all__ = ["TrainingWorker", "default_log_path", "exit_if_trainer_bootstrapping", "UNGUARDED_MAIN_EXIT",
           "UNGUARDED_MAIN_MESSAGE"]

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
    sig_acknowledged(int)
        The trainer has dealt with every command up to this sequence number (emitted after
        the snapshot that says so).
    sig_error(str)
        A command was refused; the message says why (and names the command's number).
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
    checkpoint
        The last checkpoint received (``TrainingSession.state()``; None before the first).
    checkpoint_cycle
        Its cycle.
    sent
        The sequence number of the last command queued (0 before the first).
    acknowledged
        The sequence number of the last command the trainer has dealt with, as of the
        newest snapshot relayed.
    """

    sig_snapshot = Signal(object)  # Snapshot
    sig_acknowledged = Signal(int)  # sequence number
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
        self.acknowledged = 0
        # What the window's thread hands the loop, under the lock: numbered commands in
        # order, a restart asked for, and whether the wakeup pipe holds a byte for them.
        self._lock = threading.Lock()
        self._outbox: deque[tuple] = deque()
        self._restart: tuple[SessionConfig, int] | None = None  # config, the number to acknowledge from
        self._sent = 0
        self._trainer_lost = False  # from the trainer's death to a restart: commands are dropped
        self._woken = False
        self._wake_receiver, self._wake_sender = mp.Pipe(duplex=False)

    @property
    def trainer_pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and self._conn is not None else None

    @property
    def checkpoint(self) -> dict | None:
        return self._checkpoint

    @property
    def checkpoint_cycle(self) -> int | None:
        checkpoint = self._checkpoint
        return None if checkpoint is None else checkpoint["trainer"]["cycle"]

    @property
    def sent(self) -> int:
        return self._sent

    # -- called on the window's thread -------------------------------------------------
    def send(self, command: tuple) -> int:
        """Queue ``(name, args)`` for the trainer; its sequence number. Thread-safe, returns at once.

        While the trainer is down the command is dropped (the window has already said why)
        and 0 is returned.
        """
        name, args = command
        with self._lock:
            if self._trainer_lost or self._stop.is_set():
                return 0
            self._sent += 1
            self._outbox.append((name, args, self._sent))
            self._wake()
            return self._sent

    def restart(self, config: SessionConfig) -> None:
        """Start a new trainer after the last one died: from its last checkpoint, else from ``config``. Thread-safe."""
        with self._lock:
            if self._trainer_lost:
                # Commands lost with the old trainer count as dealt with; those sent from now on go to the new one.
                self._restart = (config, self._sent)
                self._trainer_lost = False
                self._wake()

    def request_stop(self) -> None:
        """Thread-safe: end the loop at once."""
        with self._lock:
            self._stop.set()
            self._wake()

    def _wake(self) -> None:
        # One byte at most waits in the pipe (the lock is held), so this write never blocks.
        if not self._woken:
            self._woken = True
            self._wake_sender.send_bytes(b"!")

    # -- the worker's thread -----------------------------------------------------------
    def run(self) -> None:
        """The worker thread's loop: start the child, then relay until asked to stop."""
        try:
            self._start_child(self._config, None, None)
            while not self._stop.is_set():
                conn = self._conn
                ready = wait([self._wake_receiver] if conn is None else [self._wake_receiver, conn])
                if self._wake_receiver in ready:
                    self._take_requests()
                if conn is not None and conn in ready and conn is self._conn:
                    try:
                        self._drain()
                    except (EOFError, OSError):
                        if not self._stop.is_set():
                            self._lose_child()
        except Exception as exc:  # noqa: BLE001 (a fault of ours: logged, and the window must hear of it)
            log_exception(exc, "the training worker's loop stopped", self._log_path)
            self.sig_trainer_died.emit(f"Training stopped on an internal error: {type(exc).__name__}: {exc}", False)
        finally:
            with self._lock:
                self._stop.set()  # from now on send() drops commands: nothing would read them
            self._shutdown_child()
            self._wake_receiver.close()
            self._wake_sender.close()
            self.sig_finished.emit()

    def _take_requests(self) -> None:
        """Send the queued commands in order, or start the trainer a restart asked for."""
        with self._lock:
            while self._wake_receiver.poll():
                self._wake_receiver.recv_bytes()
            self._woken = False
            commands, self._outbox = self._outbox, deque()
            restart, self._restart = self._restart, None
        if self._stop.is_set():
            return
        if restart is not None:
            config, acknowledged = restart
            self._start_child(config, self._checkpoint, self._generation + 1, acknowledged)
        for message in commands:
            if self._conn is None:
                break
            try:
                self._conn.send(message)
            except (OSError, ValueError):
                break  # the trainer just died: the pipe's end tells the loop, which says so once

    def _start_child(self, config: SessionConfig, restore: dict | None, generation: int | None,
                     acknowledged: int = 0) -> None:
        context = mp.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=serve, args=(child_conn, config), name="nnstudio-trainer", daemon=True,
            kwargs={"restore": restore, "generation": generation, "log_path": self._log_path,
                    "parent_pid": os.getpid(), "acknowledged": acknowledged},
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
        with self._lock:
            self._trainer_lost = True
            self._outbox.clear()
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
        # The trainer's answers that go to the window as they are, one signal each.
        relayed = {"error": self.sig_error, "exported": self.sig_exported, "gradients": self.sig_gradients,
                   "landscape": self.sig_landscape, "landscape_cut": self.sig_landscape_cut,
                   "saved": self.sig_saved, "opened": self.sig_opened}
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
            elif kind in relayed:
                relayed[kind].emit(payload)
        if newest is not None:
            self.sig_snapshot.emit(newest)
            if newest.acknowledged > self.acknowledged:
                # After the signals above: whoever sees the number has their events queued already.
                self.acknowledged = newest.acknowledged
                self.sig_acknowledged.emit(newest.acknowledged)

    def _shutdown_child(self) -> None:
        conn, process = self._conn, self._process
        if conn is not None:
            try:
                with self._lock:
                    self._sent += 1
                    quit_message = ("quit", (), self._sent)
                conn.send(quit_message)
                # Keep reading until it says goodbye: a trainer blocked writing a big snapshot
                # into a full pipe would never get to read "quit" otherwise.
                deadline = time.monotonic() + JOIN_SECONDS
                while time.monotonic() < deadline and conn.poll(max(0.0, deadline - time.monotonic())):
                    if conn.recv()[0] == "bye":
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
