"""The trainer's own process: commands in, snapshots out, over a pipe.

A Python thread that trains flat out starves the window of the GIL (see DESIGN.md, "Mind
the GIL"), so the window runs its ``TrainingSession`` here, in a child process, and a relay
thread on the window's side receives what this loop sends. Pure numpy and
multiprocessing: this module never imports Qt. The messages both ways are described in
``commands``.

``("checkpoint", state)`` carries ``TrainingSession.state()``: at most every
``CHECKPOINT_SECONDS``, and only after training or anything else the state holds (the
pinned runs) changed. The window keeps the last one and starts a new trainer from it
(``serve(..., restore=state)``) if this one dies.

Started with ``parent_pid`` (as the window does), the process ends itself when the
window's process disappears (``parent_watch``).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import replace
from multiprocessing.connection import Connection

from nnstudio.engine.io.errorlog import log_exception
from nnstudio.engine.io.sessionfile import load_session, save_session
from nnstudio.engine.run.commands import (
    Unreadable,
    changes_training,
    checked_arguments,
    command_of,
    numbered,
    sequence_of,
)
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.landscape_session import LandscapeJob
from nnstudio.engine.run.pacing import Pacer
from nnstudio.engine.run.parent_watch import end_with_parent
from nnstudio.engine.run.session import TrainingSession

__all__ = ["SNAPSHOTS_PER_SECOND", "CHECKPOINT_SECONDS", "TRAINER_FAILED_EXIT", "serve"]

SNAPSHOTS_PER_SECOND = 30
CHECKPOINT_SECONDS = 2.0
#: Time a loop turn gives an unfinished loss landscape (a 41×41 XOR map takes ~10 ms in all).
LANDSCAPE_SLICE_SECONDS = 0.01
IDLE_POLL_SECONDS = 0.25
#: Exit code of a trainer whose loop stopped on an unexpected exception (logged first).
TRAINER_FAILED_EXIT = 1


class _Server:
    def __init__(self, conn: Connection, session: TrainingSession, log_path: str | None, acknowledged: int = 0) -> None:
        self.conn = conn
        self.acknowledged = acknowledged  # the number of the last numbered command dealt with
        self.session = session
        self.log_path = log_path
        self.speed: float | None = None  # cycles per second while running; None = flat out
        self.pacer = Pacer(None, SNAPSHOTS_PER_SECOND)
        self.last_sent = 0.0
        self.history_sent: tuple = (None, None, None)  # the history_marks of the last snapshot sent
        self.waiting: deque = deque()  # messages read while a long step ran, in order
        self.window_gone = False
        self.quitting = False
        self.checkpoint_stale = False  # something the checkpoint holds changed since the last one
        self.last_checkpoint = time.perf_counter()
        self.landscape_job: LandscapeJob | None = None

    # -- what each command does ---------------------------------------------------------
    def quit(self) -> None:
        self.quitting = True

    def run(self) -> None:
        self.session.continue_from_here()
        self.session.running = True
        self.pacer.restart()

    def pause(self) -> None:
        self.session.running = False

    def step(self, kind: str, n: int) -> None:
        self.session.running = False
        self.session.step(kind, n, interrupted=self._training_command_waiting)

    def step_phase(self) -> None:
        self.session.running = False
        self.session.step_phase()

    def set_weight(self, layer: int, i: int, j: int, value: float) -> None:
        layers = self.session.network.layers
        if layer >= len(layers):
            raise ValueError(f"set_weight: no weight layer {layer}; the network has layers 0 to {len(layers) - 1}")
        rows, columns = layers[layer].W.shape
        if i >= rows or j >= columns:
            raise ValueError(f"set_weight: no weight [{i}, {j}] in layer {layer}, whose weights are {rows}×{columns}")
        self.session.set_weight(layer, i, j, value)

    def set_speed(self, speed: float | None) -> None:
        self.speed = speed
        self.pacer.set_speed(speed)

    def export(self, path: str, onnx_input: str | None = None) -> None:
        self.session.export(path, onnx_input)
        self.conn.send(("exported", path))

    def save_session(self, path: str) -> None:
        save_session(path, self.session)
        self.conn.send(("saved", path))

    def open_session(self, path: str) -> None:
        opened = load_session(path)  # a new session: a refused file leaves ours alone
        opened.generation = self.session.generation + 1  # the window sees a new run
        opened.resend_data()
        self.session = opened
        self.conn.send(("opened", path))

    def check_gradients(self) -> None:
        self.conn.send(("gradients", self.session.check_gradients()))

    def landscape(self, request: int, directions: str, resolution: int, seed: int) -> None:
        self.landscape_job = self.session.start_landscape(request, directions, resolution, seed)  # drops the old one

    def landscape_cut(self, request: int) -> None:
        self.conn.send(("landscape_cut", self.session.landscape_cut(request)))

    def advance_landscape(self) -> None:
        """A slice of the unfinished map; the map once it is done."""
        job = self.landscape_job
        if job is None:
            return
        try:
            done = job.advance(LANDSCAPE_SLICE_SECONDS)
        except Exception as exc:  # noqa: BLE001 (a fault of ours must not end the trainer)
            self.landscape_job = None
            log_exception(exc, "the trainer failed computing a loss landscape", self.log_path)
            self.conn.send(("error", f"The loss landscape could not be computed: {type(exc).__name__}: {exc}"))
            return
        if done:
            self.landscape_job = None
            self.conn.send(("landscape", job.result()))

    # -- the loop -----------------------------------------------------------------------
    def send_snapshot(self) -> None:
        # Only the history points recorded since the last snapshot: the window keeps the rest.
        snapshot = replace(self.session.snapshot(since=self.history_sent), acknowledged=self.acknowledged)
        self.conn.send(("snapshot", snapshot))
        self.history_sent = snapshot.history_marks
        self.last_sent = time.perf_counter()

    def _receive(self):
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            raise
        except Exception as exc:  # noqa: BLE001 (bytes that do not unpickle: a malformed message)
            return Unreadable(f"{type(exc).__name__}: {exc}")

    def _training_command_waiting(self) -> bool:
        """Read what waits in the pipe; True if any of it changes training (or the window left)."""
        try:
            while self.conn.poll():
                self.waiting.append(self._receive())
        except (EOFError, OSError):
            self.window_gone = True
        return self.window_gone or any(changes_training(message) for message in self.waiting)

    def _next_message(self):
        if self.waiting:
            return self.waiting.popleft()
        if not self.session.running:
            wait_s = IDLE_POLL_SECONDS
        else:
            wait_s = self.pacer.seconds_to_wait()
        if self.landscape_job is not None:
            wait_s = 0.0
        return self._receive() if self.conn.poll(wait_s) else None

    def dispatch(self, message) -> bool:
        """Check and apply one message, answer it; False when it is "quit"."""
        name, command = command_of(message)
        sequence = sequence_of(message)
        try:
            if sequence is not None and sequence <= self.acknowledged:
                raise ValueError(f"{name}: out of order, command {self.acknowledged} was dealt with already")
            args = checked_arguments(message)
            command.apply(self, *args)
            self.checkpoint_stale = self.checkpoint_stale or command.makes_checkpoint_stale
        except (ValueError, OSError) as exc:  # refused: the learner's to fix
            text = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
            self.conn.send(("error", numbered(text, sequence)))
        except Exception as exc:  # noqa: BLE001 (a fault of ours must not end the trainer)
            log_exception(exc, f"the trainer failed on the command {name!r}", self.log_path)
            where = f" (details in {self.log_path})" if self.log_path else ""
            text = f"Internal error in the trainer on {name!r}: {type(exc).__name__}: {exc}{where}"
            self.conn.send(("error", numbered(text, sequence)))
        if sequence is not None and sequence > self.acknowledged:
            self.acknowledged = sequence
        if not self.window_gone and (command is None or command.answered_by_snapshot):
            self.send_snapshot()
        return not self.quitting

    def train_a_while(self) -> None:
        session = self.session
        self.checkpoint_stale = True
        if self.speed is None:
            session.run_for(1.0 / SNAPSHOTS_PER_SECOND)
            # A run that stopped itself (it diverged) must say so at once.
            if not session.running or time.perf_counter() - self.last_sent >= 1.0 / SNAPSHOTS_PER_SECOND:
                self.send_snapshot()
        else:
            # On a deadline schedule, so the time cycles and snapshots take does not slow the run.
            cycles = self.pacer.take_due()
            if cycles:
                session.run_for(float("inf"), max_cycles=cycles)
                if self.pacer.snapshot_due() or not session.running:
                    self.send_snapshot()

    def send_checkpoint_if_due(self) -> None:
        if not self.checkpoint_stale or time.perf_counter() - self.last_checkpoint < CHECKPOINT_SECONDS:
            return
        self.checkpoint_stale = False
        self.last_checkpoint = time.perf_counter()
        try:
            state = self.session.state()
        except Exception as exc:  # noqa: BLE001 (the safety net must not bring training down)
            log_exception(exc, "the trainer could not take a checkpoint", self.log_path)
            return
        self.conn.send(("checkpoint", state))

    def serve(self) -> None:
        self.send_snapshot()
        while not self.window_gone:
            message = self._next_message()
            if message is not None:
                if not self.dispatch(message):
                    self.conn.send(("bye", None))
                    return
            elif self.session.running:
                self.train_a_while()
            self.advance_landscape()
            self.send_checkpoint_if_due()


def _limit_blas_threads() -> None:
    """One BLAS thread: the window's process needs the other core (DESIGN.md, speed notes)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def _starting_session(conn: Connection, config: SessionConfig, restore: dict | None) -> TrainingSession:
    if restore is not None:
        try:
            session = TrainingSession.from_state(restore)
            session.pop_message()  # the window says how it restarted
            return session
        except ValueError as exc:
            conn.send(("error", f"The last checkpoint could not be restored ({exc}); training starts afresh."))
    return TrainingSession(config)


def serve(conn: Connection, config: SessionConfig, *, restore: dict | None = None, generation: int | None = None,
          log_path: str | None = None, parent_pid: int | None = None, acknowledged: int = 0) -> None:
    """Entry point of the child process: serve ``conn`` until "quit" or the window is gone.

    Parameters
    ----------
    config
        The session to start, unless ``restore`` (a ``TrainingSession.state()``, the last
        checkpoint of a trainer that died) can be continued.
    generation
        The snapshots' generation to start at (the window tells runs apart by it).
    log_path
        Where tracebacks of unexpected errors are appended (besides stderr).
    parent_pid
        The window's process: this one ends itself when that one is gone (see
        ``parent_watch``). None when serving on a thread (tests).
    acknowledged
        The sequence number the commands start after (a restarted trainer goes on from the
        last one its predecessor acknowledged, so snapshots never acknowledge less).
    """
    if parent_pid is not None:
        end_with_parent(parent_pid)
    _limit_blas_threads()
    try:
        server = _Server(conn, _starting_session(conn, config, restore), log_path, acknowledged)
        if generation is not None:
            server.session.generation = generation
        server.serve()
    except (EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass  # the window has gone; so do we
    except Exception as exc:  # noqa: BLE001 (logged with its traceback; the window offers a restart)
        log_exception(exc, "the trainer's loop stopped", log_path)
        raise SystemExit(TRAINER_FAILED_EXIT) from None
