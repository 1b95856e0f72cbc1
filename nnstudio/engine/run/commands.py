"""The trainer's command protocol: each command's arguments, effects and answer, and how a message is read.

Messages to the trainer are ``(command, args, seq)`` tuples, one per entry of
``COMMAND_TABLE``, which says for each what arguments it takes (checked before anything
runs), whether it changes training and whether a snapshot answers it. ``seq`` numbers the
commands 1, 2, 3… in the order they are sent (the window's worker does); the trainer
applies them in that order and every snapshot's ``acknowledged`` is the number of the
last one it dealt with, so a sender knows when a command has taken effect. A bare
``(command, args)`` (a script or test driving the trainer directly) is applied without a
number and acknowledges nothing.

A message that is malformed in any way is answered with ``("error", text)`` naming the
command, the problem and, if it has one, its number; the loop goes on. The trainer
answers with ``("snapshot", Snapshot)``, ``("error", text)``, ``("exported", path)``,
``("saved", path)`` (``save_session``), ``("opened", path)`` (``open_session``, followed by
a snapshot of the reopened session that carries its data), ``("gradients", results)``
(``check_gradients``: a list of plain ``(layer, relative_error, checked, total)`` tuples),
``("landscape", LandscapeMap)``, ``("landscape_cut", LandscapeCut)``, ``("checkpoint",
state)`` and, on quit, ``("bye", None)``. A snapshot's loss histories hold only the points
recorded since the snapshot before, or the whole series after any other change
(``Snapshot.history_appended``; ``snapshot.HistoryReceiver`` puts them together again). An
``open_session`` that fails answers ``("error", text)`` and keeps the current session.
Every command but ``set_speed``, ``quit``, ``landscape``, ``landscape_cut`` and
``set_pinned_runs`` is followed by a snapshot.

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
  through resets and written to session files and checkpoints.
- ``("landscape", (request, directions, resolution, seed))``: a map of the loss around the
  weights shown (``landscape_session``), computed a slice at a time between commands and
  training; answered with ``("landscape", LandscapeMap)`` once done. A new request drops
  the unfinished one, which is never answered.
- ``("landscape_cut", (request,))``: answered at once with ``("landscape_cut", LandscapeCut)``.

A long ``step`` stops early only for a waiting command that changes training (pause,
reset, another step, a new network…); other commands (``set_speed``, ``snapshot``,
``export``…) wait until it is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.explain.landscape import DIRECTION_KINDS, MAX_RESOLUTION
from nnstudio.engine.nn.network import DELTA_RULES
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.argument_checks import (
    Param,
    arguments,
    bounded,
    choice,
    finite,
    fraction,
    instance,
    layer_view_arguments,
    name,
    names,
    optional,
    path,
    pinned_runs,
    shown,
    sizes,
    speed,
    whole,
)
from nnstudio.engine.run.config import DataSpec
from nnstudio.engine.run.seeds import MAX_SEED

__all__ = [
    "COMMANDS", "COMMAND_TABLE", "Command", "Unreadable", "changes_training", "checked_arguments", "command_of",
    "numbered", "sequence_of",
]


@dataclass(frozen=True)
class Command:
    """One command of the protocol.

    Attributes
    ----------
    apply
        ``apply(server, *args)`` with the checked arguments (``server``: the trainer's loop).
    check
        Checks the argument tuple; ValueError says what is wrong. Returns the arguments to apply.
    changes_training
        It changes what is trained or how: a waiting one cuts a long step short, and a
        checkpoint follows.
    answered_by_snapshot
        A snapshot follows it.
    changes_saved_state
        It changes what ``TrainingSession.state()`` holds without changing training (the
        pinned runs): a checkpoint follows, but a long step goes on.
    """

    apply: Callable[..., None]
    check: Callable[[tuple], tuple]
    changes_training: bool
    answered_by_snapshot: bool = True
    changes_saved_state: bool = False

    @property
    def makes_checkpoint_stale(self) -> bool:
        """The last checkpoint no longer holds what a restarted trainer must go on from."""
        return self.changes_training or self.changes_saved_state


class Unreadable:
    """A message that could not be unpickled: answered with an error like any malformed one."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _parts(message) -> tuple | None:
    """``message`` as a tuple of 2 or 3 parts, None if it is no such thing."""
    if isinstance(message, (tuple, list)) and len(message) in (2, 3):
        return tuple(message)
    return None


def command_of(message) -> tuple[str, Command | None]:
    """The message's command name (or "?") and its table entry (None if there is none)."""
    parts = _parts(message)
    if parts is None or not isinstance(parts[0], str):
        return "?", None
    return parts[0], COMMAND_TABLE.get(parts[0])


def sequence_of(message) -> int | None:
    """The message's sequence number; None if it has none (or not a whole number ≥ 1)."""
    parts = _parts(message)
    if parts is None or len(parts) < 3:
        return None
    try:
        return whole(1)(parts[2])
    except ValueError:
        return None


def numbered(text: str, sequence: int | None) -> str:
    """An answer's text naming the command's sequence number, when it has one."""
    return text if sequence is None else f"{text} (command {sequence})"


def checked_arguments(message) -> tuple:
    """The message's arguments as its command takes them; ValueError names what is wrong with it."""
    if isinstance(message, Unreadable):
        raise ValueError(f"a command could not be read ({message.reason})")
    parts = _parts(message)
    if parts is None:
        raise ValueError(f"a command must be a (name, arguments) pair or a (name, arguments, number) triple, "
                         f"got {shown(message)}")
    command_name, args = parts[:2]
    if not isinstance(command_name, str):
        raise ValueError(f"a command's name must be a string, got {shown(command_name)}")
    command = COMMAND_TABLE.get(command_name)
    if command is None:
        raise ValueError(f"unknown command {command_name!r}")
    if len(parts) == 3 and sequence_of(parts) is None:
        raise ValueError(f"{command_name}: the command's sequence number must be a whole number ≥ 1, "
                         f"got {shown(parts[2])}")
    if not isinstance(args, (tuple, list)):
        raise ValueError(f"{command_name}: the arguments must be a tuple, got {shown(args)}")
    try:
        return command.check(tuple(args))
    except ValueError as exc:
        raise ValueError(f"{command_name}: {exc}") from None


def changes_training(message) -> bool:
    command = command_of(message)[1]
    return command is not None and command.changes_training  # a malformed one waits its turn, refused then


def _server_call(method: str) -> Callable[..., None]:
    def apply(server, *args) -> None:
        getattr(server, method)(*args)
    return apply


def _session_call(method: str) -> Callable[..., None]:
    def apply(server, *args) -> None:
        getattr(server.session, method)(*args)
    return apply


_NO_ARGUMENTS = arguments()
_PATH = arguments(Param("path", path))

COMMAND_TABLE: dict[str, Command] = {
    "step": Command(_server_call("step"), arguments(Param("kind", choice("cycle", "epoch"), "cycle"),
                                                    Param("n", whole(1), 1)), True),
    "run": Command(_server_call("run"), _NO_ARGUMENTS, True),
    "pause": Command(_server_call("pause"), _NO_ARGUMENTS, True),
    "reset": Command(_session_call("reset"), arguments(Param("seed", optional(bounded(0, MAX_SEED)), None)), True),
    "set_network": Command(_session_call("set_network"), arguments(
        Param("hidden", sizes), Param("activations", names), Param("loss", optional(name), None)), True),
    "set_data": Command(_session_call("set_data"), arguments(Param("data", instance(DataSpec, "a DataSpec"))), True),
    "set_dataset": Command(_session_call("set_dataset"), arguments(
        Param("dataset", instance(Dataset, "a Dataset")), Param("test_fraction", fraction, None)), True),
    "set_hyper": Command(_session_call("set_hyper"), arguments(
        Param("hyper", instance(Hyperparameters, "Hyperparameters"))), True),
    "set_batch_size": Command(_session_call("set_batch_size"), arguments(
        Param("batch_size", optional(whole(1)))), True),
    "set_weight": Command(_server_call("set_weight"), arguments(
        Param("layer", whole(0)), Param("i", whole(0)), Param("j", whole(0)), Param("value", finite)), True),
    "set_speed": Command(_server_call("set_speed"), arguments(Param("speed", speed)), False,
                         answered_by_snapshot=False),
    "export": Command(_server_call("export"), arguments(
        Param("path", path), Param("onnx_input", optional(choice("float32", "float64")), None)), False),
    "snapshot": Command(_session_call("resend_data"), _NO_ARGUMENTS, False),
    "save_session": Command(_server_call("save_session"), _PATH, False),
    "open_session": Command(_server_call("open_session"), _PATH, True),
    "import_weights": Command(_session_call("import_weights"), _PATH, True),
    "quit": Command(_server_call("quit"), _NO_ARGUMENTS, True, answered_by_snapshot=False),
    "step_phase": Command(_server_call("step_phase"), _NO_ARGUMENTS, True),
    "rewind": Command(_session_call("rewind"), arguments(Param("cycle", whole(0))), True),
    "undo": Command(_session_call("undo"), _NO_ARGUMENTS, True),
    "continue_from_here": Command(_session_call("continue_from_here"), _NO_ARGUMENTS, True),
    "check_gradients": Command(_server_call("check_gradients"), _NO_ARGUMENTS, False),
    "set_layer_view": Command(_session_call("set_layer_view"), layer_view_arguments, False),
    "landscape": Command(_server_call("landscape"), arguments(
        Param("request", whole(0)), Param("directions", choice(*DIRECTION_KINDS), "pca"),
        Param("resolution", bounded(2, MAX_RESOLUTION), 41), Param("seed", bounded(0, MAX_SEED), 0)),
        False, answered_by_snapshot=False),
    "landscape_cut": Command(_server_call("landscape_cut"), arguments(Param("request", whole(0))), False,
                             answered_by_snapshot=False),
    "set_delta_rule": Command(_session_call("set_delta_rule"), arguments(
        Param("rule", choice(*DELTA_RULES))), True),
    "set_pinned_runs": Command(_session_call("set_pinned_runs"), arguments(Param("runs", pinned_runs)), False,
                               answered_by_snapshot=False, changes_saved_state=True),
}
COMMANDS = tuple(COMMAND_TABLE)
