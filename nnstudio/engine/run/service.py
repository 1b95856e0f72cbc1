"""The trainer's own process: commands in, snapshots out, over a pipe.

A Python thread that trains flat out starves the window of the GIL (see DESIGN.md, "Mind
the GIL"), so the window runs its ``TrainingSession`` here, in a child process, and a relay
thread on the window's side receives what this loop sends. Pure numpy and
multiprocessing: this module never imports Qt.

Messages to the child are ``(command, args)`` tuples, one per entry of ``COMMAND_TABLE``,
which says for each what arguments it takes (checked before anything runs), whether it
changes training and whether a snapshot answers it. A message that is malformed in any
way is answered with ``("error", text)`` naming the command and the problem, and the
loop goes on. The child answers with ``("snapshot", Snapshot)``, ``("error", text)``,
``("exported", path)``, ``("saved", path)`` (``save_session``), ``("opened", path)``
(``open_session``, followed by a snapshot of the reopened session that carries its data),
``("gradients", results)`` (``check_gradients``: a list of plain
``(layer, relative_error, checked, total)`` tuples), ``("landscape", LandscapeMap)``,
``("landscape_cut", LandscapeCut)``, ``("checkpoint", state)`` and, on quit,
``("bye", None)``. A snapshot's loss histories hold only the points recorded since
the snapshot before, or the whole series after any other change (``Snapshot.history_appended``;
``snapshot.HistoryReceiver`` puts them together again). An ``open_session`` that fails answers ``("error", text)`` and
keeps the current session. Every command but ``set_speed``, ``quit``, ``landscape``,
``landscape_cut`` and ``set_pinned_runs`` is followed by a snapshot.

``("checkpoint", state)`` carries ``TrainingSession.state()``: at most every
``CHECKPOINT_SECONDS``, and only after training changed. The window keeps the last one
and starts a new trainer from it (``serve(..., restore=state)``) if this one dies.

Inside a cycle and back in time (see ``TrainingSession``):

- ``("step_phase", ())``: one phase of the current cycle; the snapshot's ``phase`` names it.
- ``("rewind", (cycle,))``: show that cycle (pauses); the later cycles are kept.
- ``("undo", ())``: one cycle back (a cycle half stepped by phases: back to its start).
- ``("continue_from_here", ())``: forget the cycles after the one shown. Any training
  command, or a change of settings or weights, while rewound does this first.
- ``("check_gradients", ())``: answered with ``("gradients", results)``.
- ``("set_layer_view", (layer, i, j))`` or ``("set_layer_view", (None,))``: the
  snapshots' ``layer_view`` on (layer 1..L, neurons i and j) or off.
- ``("set_delta_rule", (rule,))``: backprop's rule for hidden deltas, "set" (standard) or
  the seed author's "accumulate", from the next cycle on; a fresh run starts with "set".
- ``("set_pinned_runs", (runs,))``: the window's pinned runs (``pinned_runs``), kept
  through resets and written to session files.
- ``("landscape", (request, directions, resolution, seed))``: a map of the loss around the
  weights shown (``landscape_session``), computed a slice at a time between commands and
  training; answered with ``("landscape", LandscapeMap)`` once done. A new request drops
  the unfinished one, which is never answered.
- ``("landscape_cut", (request,))``: answered at once with ``("landscape_cut", LandscapeCut)``.

A long ``step`` stops early only for a waiting command that changes training (pause,
reset, another step, a new network…); other commands (``set_speed``, ``snapshot``,
``export``…) wait until it is done.

Started with ``parent_pid`` (as the window does), the process ends itself within
``PARENT_CHECK_SECONDS`` of the window's process disappearing, wherever its main thread
is: training, stuck writing into a full pipe, or idle.
"""

from __future__ import annotations

import ctypes
import math
import multiprocessing as mp
import numbers
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.explain.landscape import DIRECTION_KINDS, MAX_RESOLUTION
from nnstudio.engine.io.errorlog import log_exception
from nnstudio.engine.io.sessionfile import load_session, save_session
from nnstudio.engine.nn.network import DELTA_RULES
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.landscape_session import LandscapeJob
from nnstudio.engine.run.pacing import Pacer
from nnstudio.engine.run.pinned_runs import pins_from_list
from nnstudio.engine.run.session import DataSpec, SessionConfig, TrainingSession

__all__ = [
    "COMMANDS", "COMMAND_TABLE", "Command", "SNAPSHOTS_PER_SECOND", "CHECKPOINT_SECONDS",
    "PARENT_CHECK_SECONDS", "TRAINER_FAILED_EXIT", "serve",
]

SNAPSHOTS_PER_SECOND = 30
CHECKPOINT_SECONDS = 2.0
PARENT_CHECK_SECONDS = 0.2
#: Time a loop turn gives an unfinished loss landscape (a 41×41 XOR map takes ~10 ms in all).
LANDSCAPE_SLICE_SECONDS = 0.01
IDLE_POLL_SECONDS = 0.25
#: Exit code of a trainer whose loop stopped on an unexpected exception (logged first).
TRAINER_FAILED_EXIT = 1

_REQUIRED = object()


# -- argument checks -------------------------------------------------------------------------
# Each check returns the value to use or raises ValueError saying what the value must be.

Check = Callable[[Any], Any]


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _whole(low: int) -> Check:
    def check(value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"must be a whole number ≥ {low}, got {_shown(value)}")
        return int(value)
    return check


def _bounded(low: int, high: int) -> Check:
    def check(value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}, got {_shown(value)}")
        return int(value)
    return check


def _finite(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {_shown(value)}")
    return float(value)


def _speed(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (math.isfinite(value) and value > 0):
        raise ValueError(f"must be a number of cycles per second > 0, or None for full speed, got {_shown(value)}")
    return float(value)


def _fraction(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"must be a number in [0, 1), got {_shown(value)}")
    return float(value)


def _optional(check: Check) -> Check:
    def optional(value):
        return None if value is None else check(value)
    return optional


def _choice(*options: str) -> Check:
    def check(value):
        if value not in options:  # strings only: `options` holds nothing else
            raise ValueError(f"must be one of {', '.join(options)}, got {_shown(value)}")
        return value
    return check


def _instance(kind: type, what: str) -> Check:
    def check(value):
        if not isinstance(value, kind):
            raise ValueError(f"must be {what}, got {type(value).__name__}")
        return value
    return check


def _sizes(value):
    ok = isinstance(value, (tuple, list)) and all(
        not isinstance(n, bool) and isinstance(n, numbers.Integral) and n >= 1 for n in value)
    if not ok:
        raise ValueError(f"must be a list of layer sizes (whole numbers of neurons ≥ 1), got {_shown(value)}")
    return tuple(int(n) for n in value)


def _names(value):
    if not isinstance(value, (tuple, list)) or not all(isinstance(name, str) for name in value):
        raise ValueError(f"must be a list of names, got {_shown(value)}")
    return tuple(value)


def _name(value):
    if not isinstance(value, str):
        raise ValueError(f"must be a name, got {_shown(value)}")
    return value


def _path(value):
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value or "\0" in value:
        raise ValueError(f"must be a file path, got {_shown(value)}")
    return value


@dataclass(frozen=True)
class _Param:
    name: str
    check: Check
    default: Any = _REQUIRED


def _arguments(*params: _Param) -> Callable[[tuple], tuple]:
    """A check of a whole argument tuple: its length, then each argument in turn."""
    required = sum(p.default is _REQUIRED for p in params)
    names = ", ".join(p.name for p in params)
    if not params:
        expected = "no arguments"
    elif required == len(params):
        expected = f"{len(params)} argument{'s' if len(params) > 1 else ''} ({names})"
    else:
        expected = f"{required} to {len(params)} arguments ({names})"

    def check(args: tuple) -> tuple:
        if not required <= len(args) <= len(params):
            raise ValueError(f"takes {expected}, got {len(args)}")
        values = []
        for index, param in enumerate(params):
            if index >= len(args):
                values.append(param.default)
                continue
            try:
                values.append(param.check(args[index]))
            except ValueError as exc:
                raise ValueError(f"{param.name} {exc}") from None
        return tuple(values)
    return check


def _pinned_runs(value):
    """The window's pins as plain dicts, each checked as a session file's would be."""
    return tuple(pin.to_dict() for pin in pins_from_list(list(value) if isinstance(value, (list, tuple)) else value))


def _layer_view_arguments(args: tuple) -> tuple:
    if len(args) == 1 and args[0] is None:
        return (None,)
    if len(args) != 3:
        raise ValueError(f"takes None (off) or 3 arguments (layer, i, j), got {_shown(args)}")
    return _arguments(_Param("layer", _whole(1)), _Param("i", _whole(0)), _Param("j", _whole(0)))(args)


# -- the commands ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    """One command of the protocol.

    Attributes
    ----------
    apply
        ``apply(server, *args)`` with the checked arguments.
    check
        Checks the argument tuple; ValueError says what is wrong. Returns the arguments to apply.
    changes_training
        It changes what is trained or how: a waiting one cuts a long step short, and a
        checkpoint follows.
    answered_by_snapshot
        A snapshot follows it.
    """

    apply: Callable[..., None]
    check: Callable[[tuple], tuple]
    changes_training: bool
    answered_by_snapshot: bool = True


class _Unreadable:
    """A message that could not be unpickled: answered with an error like any malformed one."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Server:
    def __init__(self, conn: Connection, session: TrainingSession, log_path: str | None) -> None:
        self.conn = conn
        self.session = session
        self.log_path = log_path
        self.speed: float | None = None  # cycles per second while running; None = flat out
        self.pacer = Pacer(None, SNAPSHOTS_PER_SECOND)
        self.last_sent = 0.0
        self.history_sent: tuple = (None, None, None)  # the history_marks of the last snapshot sent
        self.waiting: deque = deque()  # messages read while a long step ran, in order
        self.window_gone = False
        self.quitting = False
        self.changed = False  # since the last checkpoint
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
        snapshot = self.session.snapshot(since=self.history_sent)
        self.conn.send(("snapshot", snapshot))
        self.history_sent = snapshot.history_marks
        self.last_sent = time.perf_counter()

    def _receive(self):
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            raise
        except Exception as exc:  # noqa: BLE001 (bytes that do not unpickle: a malformed message)
            return _Unreadable(f"{type(exc).__name__}: {exc}")

    def _training_command_waiting(self) -> bool:
        """Read what waits in the pipe; True if any of it changes training (or the window left)."""
        try:
            while self.conn.poll():
                self.waiting.append(self._receive())
        except (EOFError, OSError):
            self.window_gone = True
        return self.window_gone or any(_changes_training(message) for message in self.waiting)

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
        name, command = _command_of(message)
        try:
            args = _checked_arguments(message)
            command.apply(self, *args)
            self.changed = self.changed or command.changes_training
        except (ValueError, OSError) as exc:  # refused: the learner's to fix
            self.conn.send(("error", str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"))
        except Exception as exc:  # noqa: BLE001 (a fault of ours must not end the trainer)
            log_exception(exc, f"the trainer failed on the command {name!r}", self.log_path)
            where = f" (details in {self.log_path})" if self.log_path else ""
            self.conn.send(("error", f"Internal error in the trainer on {name!r}: {type(exc).__name__}: {exc}{where}"))
        if not self.window_gone and (command is None or command.answered_by_snapshot):
            self.send_snapshot()
        return not self.quitting

    def train_a_while(self) -> None:
        session = self.session
        self.changed = True
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
        if not self.changed or time.perf_counter() - self.last_checkpoint < CHECKPOINT_SECONDS:
            return
        self.changed = False
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


def _command_of(message) -> tuple[str, Command | None]:
    """The message's command name (or "?") and its table entry (None if there is none)."""
    try:
        name = message[0]
    except (TypeError, IndexError, KeyError):
        return "?", None
    if not isinstance(name, str):
        return "?", None
    return name, COMMAND_TABLE.get(name)


def _checked_arguments(message) -> tuple:
    """The message's arguments as its command takes them; ValueError names what is wrong with it."""
    if isinstance(message, _Unreadable):
        raise ValueError(f"a command could not be read ({message.reason})")
    if not isinstance(message, (tuple, list)) or len(message) != 2:
        raise ValueError(f"a command must be a (name, arguments) pair, got {_shown(message)}")
    name, args = message
    if not isinstance(name, str):
        raise ValueError(f"a command's name must be a string, got {_shown(name)}")
    command = COMMAND_TABLE.get(name)
    if command is None:
        raise ValueError(f"unknown command {name!r}")
    if not isinstance(args, (tuple, list)):
        raise ValueError(f"{name}: the arguments must be a tuple, got {_shown(args)}")
    try:
        return command.check(tuple(args))
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _changes_training(message) -> bool:
    command = _command_of(message)[1]
    return command is not None and command.changes_training  # a malformed one waits its turn, refused then


def _session_call(method: str) -> Callable[..., None]:
    def apply(server: _Server, *args) -> None:
        getattr(server.session, method)(*args)
    return apply


_NO_ARGUMENTS = _arguments()
_PATH = _arguments(_Param("path", _path))

COMMAND_TABLE: dict[str, Command] = {
    "step": Command(_Server.step, _arguments(_Param("kind", _choice("cycle", "epoch"), "cycle"),
                                             _Param("n", _whole(1), 1)), True),
    "run": Command(_Server.run, _NO_ARGUMENTS, True),
    "pause": Command(_Server.pause, _NO_ARGUMENTS, True),
    "reset": Command(_session_call("reset"), _arguments(_Param("seed", _optional(_whole(0)), None)), True),
    "set_network": Command(_session_call("set_network"), _arguments(
        _Param("hidden", _sizes), _Param("activations", _names), _Param("loss", _optional(_name), None)), True),
    "set_data": Command(_session_call("set_data"), _arguments(_Param("data", _instance(DataSpec, "a DataSpec"))), True),
    "set_dataset": Command(_session_call("set_dataset"), _arguments(
        _Param("dataset", _instance(Dataset, "a Dataset")), _Param("test_fraction", _fraction, None)), True),
    "set_hyper": Command(_session_call("set_hyper"), _arguments(
        _Param("hyper", _instance(Hyperparameters, "Hyperparameters"))), True),
    "set_batch_size": Command(_session_call("set_batch_size"), _arguments(
        _Param("batch_size", _optional(_whole(1)))), True),
    "set_weight": Command(_Server.set_weight, _arguments(
        _Param("layer", _whole(0)), _Param("i", _whole(0)), _Param("j", _whole(0)), _Param("value", _finite)), True),
    "set_speed": Command(_Server.set_speed, _arguments(_Param("speed", _speed)), False, answered_by_snapshot=False),
    "export": Command(_Server.export, _arguments(
        _Param("path", _path), _Param("onnx_input", _optional(_choice("float32", "float64")), None)), False),
    "snapshot": Command(_session_call("resend_data"), _NO_ARGUMENTS, False),
    "save_session": Command(_Server.save_session, _PATH, False),
    "open_session": Command(_Server.open_session, _PATH, True),
    "import_weights": Command(_session_call("import_weights"), _PATH, True),
    "quit": Command(_Server.quit, _NO_ARGUMENTS, True, answered_by_snapshot=False),
    "step_phase": Command(_Server.step_phase, _NO_ARGUMENTS, True),
    "rewind": Command(_session_call("rewind"), _arguments(_Param("cycle", _whole(0))), True),
    "undo": Command(_session_call("undo"), _NO_ARGUMENTS, True),
    "continue_from_here": Command(_session_call("continue_from_here"), _NO_ARGUMENTS, True),
    "check_gradients": Command(_Server.check_gradients, _NO_ARGUMENTS, False),
    "set_layer_view": Command(_session_call("set_layer_view"), _layer_view_arguments, False),
    "landscape": Command(_Server.landscape, _arguments(
        _Param("request", _whole(0)), _Param("directions", _choice(*DIRECTION_KINDS), "pca"),
        _Param("resolution", _bounded(2, MAX_RESOLUTION), 41), _Param("seed", _whole(0), 0)),
        False, answered_by_snapshot=False),
    "landscape_cut": Command(_Server.landscape_cut, _arguments(_Param("request", _whole(0))), False,
                             answered_by_snapshot=False),
    "set_delta_rule": Command(_session_call("set_delta_rule"), _arguments(
        _Param("rule", _choice(*DELTA_RULES))), True),
    "set_pinned_runs": Command(_session_call("set_pinned_runs"), _arguments(_Param("runs", _pinned_runs)), False,
                               answered_by_snapshot=False),
}
COMMANDS = tuple(COMMAND_TABLE)


# -- the process -----------------------------------------------------------------------------

def _limit_blas_threads() -> None:
    """One BLAS thread: the window's process needs the other core (DESIGN.md, speed notes)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1)


def _parent_gone(parent_pid: int) -> bool:
    # An orphan is adopted by another process (init, a subreaper): its parent id changes.
    return os.name == "posix" and os.getppid() != parent_pid


def _watch_parent(parent_pid: int, sentinel) -> None:
    while True:
        gone = False
        if sentinel is not None:
            try:
                gone = bool(wait([sentinel], PARENT_CHECK_SECONDS))
            except (OSError, ValueError):
                sentinel = None
        else:
            time.sleep(PARENT_CHECK_SECONDS)
        if gone or _parent_gone(parent_pid):
            os._exit(0)  # the main thread may be stuck anywhere (a write into a full pipe): no cleanup


def _request_parent_death_signal() -> None:
    """On Linux, ask the kernel to kill this process when its parent dies (it works even while the GIL is held)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # the watchdog thread covers it


def _end_with_parent(parent_pid: int) -> None:
    """End this process whenever the window's process disappears, whatever the main thread is doing.

    A watchdog thread waits on the parent's sentinel (``multiprocessing``'s handle that
    becomes ready when the parent dies, on every platform) and checks the parent's id. On
    Linux the kernel is asked to kill us too.
    """
    if _parent_gone(parent_pid):
        os._exit(0)
    _request_parent_death_signal()
    parent = mp.parent_process()
    sentinel = parent.sentinel if parent is not None and parent.pid == parent_pid else None
    threading.Thread(target=_watch_parent, args=(parent_pid, sentinel), name="nnstudio-parent-watch",
                     daemon=True).start()


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
          log_path: str | None = None, parent_pid: int | None = None) -> None:
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
        ``_end_with_parent``). None when serving on a thread (tests).
    """
    if parent_pid is not None:
        _end_with_parent(parent_pid)
    _limit_blas_threads()
    try:
        server = _Server(conn, _starting_session(conn, config, restore), log_path)
        if generation is not None:
            server.session.generation = generation
        server.serve()
    except (EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass  # the window has gone; so do we
    except Exception as exc:  # noqa: BLE001 (logged with its traceback; the window offers a restart)
        log_exception(exc, "the trainer's loop stopped", log_path)
        raise SystemExit(TRAINER_FAILED_EXIT) from None
