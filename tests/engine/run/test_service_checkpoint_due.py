"""The trainer's checkpoints hold everything a restarted trainer must keep: pinning a run makes one due."""

from support.service_pipe import next_message, start_service_with, stop_service
from support.service_thread import receive, start_service

from nnstudio.engine.io.sessionfile import read_pinned_runs
from nnstudio.engine.run import service
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
