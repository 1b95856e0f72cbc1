"""The trainer's checkpoints hold everything a restarted trainer must keep: pinning a run makes one due."""

from support.service_pipe import next_message, start_service_with, stop_service
from support.service_thread import receive, start_service
from support.trainer_states import assert_same_plain_data

from nnstudio.engine.io.sessionfile import read_pinned_runs
from nnstudio.engine.run import service
from nnstudio.engine.run.commands import COMMAND_TABLE
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.pinned_runs import pin_from_snapshot
from nnstudio.engine.run.session import TrainingSession


def _checkpoints_until_answered(conn) -> list[dict]:
    """Ask for a snapshot; the checkpoints sent before it answers."""
    conn.send(("snapshot", ()))
    checkpoints = []
    while (message := next_message(conn))[0] != "snapshot":
        assert message[0] != "error", message[1]
        if message[0] == "checkpoint":
            checkpoints.append(message[1])
    return checkpoints


def test_pins_made_after_the_last_checkpoint_survive_a_restart_into_the_saved_file(monkeypatch, tmp_path):
    """Step (a checkpoint), then pin: the next checkpoint holds the pin, so the restarted trainer saves it."""
    monkeypatch.setattr(service, "CHECKPOINT_SECONDS", 0.0)
    conn, thread = start_service()
    receive(conn, "snapshot")
    conn.send(("step", ("cycle", 5)))
    pin = pin_from_snapshot(receive(conn, "snapshot"))
    assert _checkpoints_until_answered(conn)[-1]["pinned_runs"] == []

    conn.send(("set_pinned_runs", ((pin.to_dict(),),)))
    checkpoints = _checkpoints_until_answered(conn)
    stop_service(conn, thread)
    assert checkpoints, "pinning a run sent no checkpoint"

    conn, thread = start_service_with(restore=checkpoints[-1])
    receive(conn, "snapshot")
    path = tmp_path / "after_restart.nnstudio"
    conn.send(("save_session", (str(path),)))
    receive(conn, "saved")
    stop_service(conn, thread)
    assert [saved.to_dict()["cycle"] for saved in read_pinned_runs(path)] == [pin.cycle]


def test_a_pin_waiting_behind_a_long_step_does_not_cut_it_short():
    """Pinning changes the checkpoint, not the training: the step waited behind runs all its cycles."""
    session = TrainingSession(SessionConfig())
    session.step("cycle", 5)
    pin = pin_from_snapshot(session.snapshot()).to_dict()
    conn, thread = start_service_with(waiting=[("step", ("cycle", 400), 1), ("set_pinned_runs", ((pin,),), 2),
                                               ("snapshot", (), 3)])
    while (snapshot := receive(conn, "snapshot")).acknowledged < 3:
        pass
    stop_service(conn, thread)
    assert snapshot.cycle == 400


def _leaves_the_state_alone(tmp_path) -> dict[str, tuple]:
    """Arguments for every command that makes no checkpoint due."""
    return {"set_speed": (10.0,), "export": (str(tmp_path / "model.npz"),), "snapshot": (),
            "save_session": (str(tmp_path / "kept.nnstudio"),), "check_gradients": (), "set_layer_view": (1, 0, 1),
            "landscape": (1, "random", 5, 0), "landscape_cut": (2,)}


def test_a_command_that_makes_no_checkpoint_due_leaves_the_checkpointed_state_as_it_was(monkeypatch, tmp_path):
    """Each such command, then a pause (which makes one due): the checkpoint holds what the one before held."""
    monkeypatch.setattr(service, "CHECKPOINT_SECONDS", 0.0)
    commands = _leaves_the_state_alone(tmp_path)
    assert set(commands) == {name for name, command in COMMAND_TABLE.items()
                             if not command.makes_checkpoint_stale}, "give each such command arguments here"
    conn, thread = start_service()
    receive(conn, "snapshot")
    conn.send(("step", ("cycle", 5)))
    before = receive(conn, "checkpoint")
    for name, args in commands.items():
        conn.send((name, args))
        conn.send(("pause", ()))
        assert_same_plain_data(before, receive(conn, "checkpoint"), f"after {name}")
    stop_service(conn, thread)
