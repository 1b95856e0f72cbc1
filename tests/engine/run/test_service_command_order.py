"""The trainer's service: numbered commands acknowledged in order, and the commands that wait behind a long step."""

import pytest
from support.service_pipe import next_message, start_service_with, stop_service
from support.service_thread import receive, start_service
from support.small_datasets import drawn_xor_dataset

from nnstudio.engine.io.sessionfile import save_session
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.commands import COMMAND_TABLE, COMMANDS
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession

#: A step this long would take minutes: a test that waits for its end fails on the timeout instead.
ENDLESS = 10**8

XOR = drawn_xor_dataset()


# -- sequence numbers ----------------------------------------------------------------------

def test_snapshots_acknowledge_the_last_numbered_command_dealt_with():
    """Numbered commands: each snapshot echoes the last number applied; a command with no snapshot is acknowledged by
    the next.
    """
    conn, thread = start_service()
    assert receive(conn, "snapshot").acknowledged == 0
    conn.send(("step", ("cycle", 2), 1))
    snap = receive(conn, "snapshot")
    assert (snap.acknowledged, snap.cycle) == (1, 2)
    conn.send(("set_speed", (5.0,), 2))  # answered by no snapshot
    conn.send(("snapshot", (), 3))
    assert receive(conn, "snapshot").acknowledged == 3
    conn.send(("step", ("cycle", 1)))  # a bare command: applied, acknowledges nothing new
    snap = receive(conn, "snapshot")
    assert (snap.acknowledged, snap.cycle) == (3, 3)
    stop_service(conn, thread)


def test_numbered_commands_are_applied_in_order():
    """A burst of numbered commands read during a long step: each snapshot shows exactly the commands up to its number.
    """
    burst = [("step", ("cycle", ENDLESS), 1), ("step", ("cycle", 1), 2), ("step", ("cycle", 2), 3),
             ("reset", (), 4), ("step", ("cycle", 3), 5)]
    conn, thread = start_service_with(waiting=burst)
    seen = {}
    while seen.get(5) is None:
        snap = receive(conn, "snapshot")
        seen.setdefault(snap.acknowledged, snap.cycle)
    interrupted = seen[1]  # the endless step stopped early for the commands behind it
    assert interrupted < ENDLESS
    assert (seen[2], seen[3], seen[4], seen[5]) == (interrupted + 1, interrupted + 3, 0, 3)
    stop_service(conn, thread)


def test_a_refused_command_names_its_number_and_is_acknowledged():
    conn, thread = start_service()
    receive(conn, "snapshot")
    conn.send(("step", ("cycle", 0), 4))
    assert receive(conn, "error") == "step: n must be a whole number ≥ 1, got 0 (command 4)"
    assert receive(conn, "snapshot").acknowledged == 4
    stop_service(conn, thread)


def test_a_number_already_dealt_with_is_refused_as_out_of_order():
    conn, thread = start_service()
    receive(conn, "snapshot")
    conn.send(("step", ("cycle", 1), 5))
    assert receive(conn, "snapshot").acknowledged == 5
    for stale in (5, 2):
        conn.send(("step", ("cycle", 1), stale))
        assert receive(conn, "error") == f"step: out of order, command 5 was dealt with already (command {stale})"
        snap = receive(conn, "snapshot")
        assert (snap.acknowledged, snap.cycle) == (5, 1)  # not applied
    stop_service(conn, thread)


def test_a_restarted_trainer_acknowledges_from_where_its_predecessor_stopped():
    conn, thread = start_service_with(acknowledged=7)
    assert receive(conn, "snapshot").acknowledged == 7
    conn.send(("step", ("cycle", 1), 8))
    assert receive(conn, "snapshot").acknowledged == 8
    stop_service(conn, thread)

# -- a long step and the commands that wait behind it ----------------------------------------

def _valid_arguments(tmp_path):
    saved = tmp_path / "saved.nnstudio"
    save_session(saved, TrainingSession(SessionConfig()))
    weights = tmp_path / "imported.npz"
    TrainingSession(SessionConfig()).export(str(weights))
    return {
        "step": ("cycle", 1), "run": (), "pause": (), "reset": (3,), "set_network": ((3,), ("sigmoid", "sigmoid")),
        "set_data": (DataSpec("circle"),), "set_dataset": (XOR,), "set_hyper": (Hyperparameters(learning_rate=1.0),),
        "set_batch_size": (5,), "set_weight": (0, 0, 0, 0.5), "set_speed": (5.0,),
        "export": (str(tmp_path / "w.npz"),), "snapshot": (), "save_session": (str(tmp_path / "s.nnstudio"),),
        "open_session": (str(saved),), "import_weights": (str(weights),), "quit": (), "step_phase": (),
        "rewind": (0,), "undo": (), "continue_from_here": (), "check_gradients": (), "set_layer_view": (1, 0, 1),
        "landscape": (1, "pca", 21, 0), "landscape_cut": (2,), "set_delta_rule": ("accumulate",),
        "set_pinned_runs": ((),),
    }


def test_every_command_is_classed_as_changing_training_or_not():
    changing = {name for name, command in COMMAND_TABLE.items() if command.changes_training}
    assert changing == {"step", "run", "pause", "reset", "set_network", "set_data", "set_dataset", "set_hyper",
                        "set_batch_size", "set_weight", "open_session", "import_weights", "quit", "step_phase",
                        "rewind", "undo", "continue_from_here", "set_delta_rule"}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_only_a_command_that_changes_training_cuts_a_long_step_short(name, tmp_path):
    """Step ×N with a command waiting: a training change stops it early, anything else waits for its end."""
    args = _valid_arguments(tmp_path)[name]
    if COMMAND_TABLE[name].changes_training:
        conn, thread = start_service_with(waiting=[("step", ("cycle", ENDLESS)), (name, args)])
        receive(conn, "snapshot")  # the first, before any command
        stepped = receive(conn, "snapshot")  # the step's: it ended early
        assert 0 < stepped.cycle < ENDLESS
    else:
        cycles = 3000  # 47 chunks of 64: the waiting command is seen after the first
        conn, thread = start_service_with(waiting=[("step", ("cycle", cycles)), (name, args), ("snapshot", ())])
        receive(conn, "snapshot")
        assert receive(conn, "snapshot").cycle == cycles
        if name == "export":
            assert receive(conn, "exported") == args[0]
    if name != "quit":
        stop_service(conn, thread)
    else:
        receive(conn, "bye")
        thread.join(5)
        assert not thread.is_alive()


def test_commands_read_during_a_step_are_answered_after_it_in_order(tmp_path):
    """export, set_speed, snapshot behind a step: the step's snapshot, then each answer in turn."""
    path = str(tmp_path / "w.json")
    conn, thread = start_service_with(waiting=[("step", ("cycle", 640)), ("export", (path,)), ("set_speed", (0,)),
                                       ("snapshot", ())])
    receive(conn, "snapshot")
    answers = []
    while len(answers) < 5:
        kind, payload = next_message(conn)
        if kind != "checkpoint":
            answers.append((kind, payload.cycle if kind == "snapshot" else payload))
    assert answers[:3] == [("snapshot", 640), ("exported", path), ("snapshot", 640)]
    assert answers[3][0] == "error" and answers[3][1].startswith("set_speed: ")
    assert answers[4] == ("snapshot", 640)
    stop_service(conn, thread)
