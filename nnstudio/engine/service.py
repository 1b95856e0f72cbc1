"""The trainer's own process: commands in, snapshots out, over a pipe.

A Python thread that trains flat out starves the window of the GIL (see DESIGN.md, "Mind
the GIL"), so the window runs its ``TrainingSession`` here, in a child process, and a relay
thread on the window's side receives what this loop sends. Pure numpy and
multiprocessing: this module never imports Qt.

Messages to the child are ``(command, args)`` tuples (see ``COMMANDS``); the child answers
with ``("snapshot", Snapshot)``, ``("error", text)``, ``("exported", path)``,
``("saved", path)`` (``save_session``), ``("opened", path)`` (``open_session``, followed by
a snapshot of the reopened session that carries its data), ``("gradients", results)``
(``check_gradients``: a list of plain ``(layer, relative_error, checked, total)`` tuples)
and, on quit, ``("bye", None)``. An ``open_session`` that fails answers
``("error", text)`` and keeps the current session. Every command but ``set_speed`` and
``quit`` is followed by a snapshot.

Inside a cycle and back in time (see ``TrainingSession``):

- ``("step_phase", ())``: one phase of the current cycle; the snapshot's ``phase`` names it.
- ``("rewind", (cycle,))``: show that cycle (pauses); the later cycles are kept.
- ``("undo", ())``: one cycle back (a cycle half stepped by phases: back to its start).
- ``("continue_from_here", ())``: forget the cycles after the one shown. Any training
  command, or a change of settings or weights, while rewound does this first.
- ``("check_gradients", ())``: answered with ``("gradients", results)``.
- ``("set_layer_view", (layer, i, j))`` or ``("set_layer_view", (None,))``: the
  snapshots' ``layer_view`` on (layer 1..L, neurons i and j) or off.
"""

from __future__ import annotations

import os
import time
from multiprocessing.connection import Connection

from .session import SessionConfig, TrainingSession
from .sessionfile import load_session, save_session

__all__ = ["COMMANDS", "SNAPSHOTS_PER_SECOND", "serve"]

SNAPSHOTS_PER_SECOND = 30
COMMANDS = (
    "step", "run", "pause", "reset", "set_network", "set_data", "set_dataset", "set_hyper", "set_batch_size",
    "set_weight", "set_speed", "export", "snapshot", "save_session", "open_session", "quit",
    "step_phase", "rewind", "undo", "continue_from_here", "check_gradients", "set_layer_view",
)


def _limit_blas_threads() -> None:
    """One BLAS thread: the window's process needs the other core (DESIGN.md, speed notes)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


class _Server:
    def __init__(self, conn: Connection, config: SessionConfig) -> None:
        self.conn = conn
        self.session = TrainingSession(config)
        self.speed: float | None = None  # cycles per second while running; None = flat out
        self.last_sent = 0.0

    def send_snapshot(self) -> None:
        self.conn.send(("snapshot", self.session.snapshot()))
        self.last_sent = time.perf_counter()

    def handle(self, command: str, args: tuple) -> bool:
        """Apply one command; False when the loop should end."""
        session = self.session
        if command == "quit":
            return False
        if command == "run":
            session.continue_from_here()
            session.running = True
        elif command == "pause":
            session.running = False
        elif command == "step":
            session.running = False
            session.step(*args, interrupted=self.conn.poll)
        elif command == "reset":
            session.reset(*args)
        elif command == "set_network":
            session.set_network(*args)
        elif command == "set_data":
            session.set_data(*args)
        elif command == "set_dataset":
            session.set_dataset(*args)
        elif command == "set_hyper":
            session.set_hyper(*args)
        elif command == "set_batch_size":
            session.set_batch_size(*args)
        elif command == "set_weight":
            session.set_weight(*args)
        elif command == "step_phase":
            session.running = False
            session.step_phase()
        elif command == "rewind":
            session.rewind(*args)
        elif command == "undo":
            session.undo()
        elif command == "continue_from_here":
            session.continue_from_here()
        elif command == "check_gradients":
            self.conn.send(("gradients", session.check_gradients()))
        elif command == "set_layer_view":
            session.set_layer_view(*args)
        elif command == "set_speed":
            self.speed = args[0]
        elif command == "export":
            session.export(*args)
            self.conn.send(("exported", args[0]))
        elif command == "snapshot":
            session.resend_data()
        elif command == "save_session":
            save_session(args[0], session)
            self.conn.send(("saved", args[0]))
        elif command == "open_session":
            opened = load_session(args[0])  # a new session: a refused file leaves ours alone
            opened.generation = session.generation + 1  # the window sees a new run
            opened.resend_data()
            self.session = opened
            self.conn.send(("opened", args[0]))
        else:
            raise ValueError(f"unknown command {command!r}")
        return True

    def train_a_while(self) -> None:
        session = self.session
        if self.speed is None:
            session.run_for(1.0 / SNAPSHOTS_PER_SECOND)
            # A run that stopped itself (it diverged) must say so at once.
            if not session.running or time.perf_counter() - self.last_sent >= 1.0 / SNAPSHOTS_PER_SECOND:
                self.send_snapshot()
        else:
            session.run_for(float("inf"), max_cycles=1)
            self.send_snapshot()

    def serve(self) -> None:
        parent = os.getppid()
        self.send_snapshot()
        while True:
            running = self.session.running
            wait = 0.0 if running and self.speed is None else (1.0 / self.speed if running else 0.25)
            if self.conn.poll(wait):
                command, args = self.conn.recv()
                try:
                    if not self.handle(command, args):
                        self.conn.send(("bye", None))
                        return
                except Exception as exc:  # a bad command must not kill the trainer
                    self.conn.send(("error", f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)))
                if command != "set_speed":
                    self.send_snapshot()
                continue
            if self.session.running:
                self.train_a_while()
            elif os.getppid() != parent:  # the window died without saying goodbye
                return


def serve(conn: Connection, config: SessionConfig) -> None:
    """Entry point of the child process."""
    _limit_blas_threads()
    try:
        _Server(conn, config).serve()
    except (EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass  # the window has gone; so do we
