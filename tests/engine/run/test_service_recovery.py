"""The trainer's service recovering: restarting from a checkpoint; unexpected errors logged with their tracebacks."""

import multiprocessing as mp
import threading

import numpy as np
from support.service_pipe import start_service_with, stop_service
from support.service_thread import receive, start_service

from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run import service
from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.service import serve
from nnstudio.engine.run.session import TrainingSession

# -- checkpoints and restarting from them ----------------------------------------------------

def test_a_trainer_restored_from_a_checkpoint_goes_on_bit_for_bit(monkeypatch):
    """Checkpoint at cycle 30, a new trainer from it, 20 more cycles: the weights of 50 cycles in one session."""
    monkeypatch.setattr(service, "CHECKPOINT_SECONDS", 0.0)
    config = SessionConfig(hyper=Hyperparameters(learning_rate=1.5, momentum=0.5, noise=0.01))
    conn, thread = start_service(config)
    receive(conn, "snapshot")
    conn.send(("step", ("cycle", 30)))
    state = receive(conn, "checkpoint")
    assert state["trainer"]["cycle"] == 30
    stop_service(conn, thread)

    conn, thread = start_service_with(SessionConfig(), restore=state, generation=7)
    restored = receive(conn, "snapshot")
    assert restored.cycle == 30 and restored.generation == 7 and restored.message == ""
    assert restored.config == config
    conn.send(("step", ("cycle", 20)))
    after = receive(conn, "snapshot")
    stop_service(conn, thread)

    reference = TrainingSession(config)
    reference.step("cycle", 30)
    reference.step("cycle", 20)
    assert after.cycle == 50
    for ours, expected in zip(after.weights, reference.network.weights):
        np.testing.assert_array_equal(ours, expected)


def test_a_checkpoint_that_does_not_restore_is_reported_and_training_starts_from_the_config():
    conn, thread = start_service_with(SessionConfig(hidden=(3,)), restore={"config": "damaged"})
    assert "checkpoint could not be restored" in receive(conn, "error")
    assert receive(conn, "snapshot").spec.sizes == (2, 3, 1)
    stop_service(conn, thread)


# -- unexpected errors -----------------------------------------------------------------------

def test_an_unexpected_exception_is_logged_with_its_traceback_and_the_trainer_goes_on(monkeypatch, tmp_path, capsys):
    """A fault in a command: its traceback on stderr and in the log, an error naming the log, and training goes on."""
    def broken(self):
        return 1 / 0

    monkeypatch.setattr(TrainingSession, "check_gradients", broken)
    log = tmp_path / "state" / "nnstudio.log"
    conn, thread = start_service_with(log_path=str(log))
    receive(conn, "snapshot")
    conn.send(("check_gradients", ()))
    text = receive(conn, "error")
    assert "ZeroDivisionError" in text and str(log) in text
    assert receive(conn, "snapshot").cycle == 0
    conn.send(("step", ("cycle", 4)))
    assert receive(conn, "snapshot").cycle == 4
    stop_service(conn, thread)
    logged = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged and "in broken" in logged and "ZeroDivisionError" in logged
    assert "check_gradients" in logged
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_a_fault_in_the_loop_itself_is_logged_and_ends_the_trainer_with_an_exit_code(monkeypatch, tmp_path):
    """A fault outside any command (here in Run) is logged with its traceback and ends the loop with exit code 1."""
    def broken(self, seconds, max_cycles=None):
        raise RuntimeError("no more training")

    monkeypatch.setattr(TrainingSession, "run_for", broken)
    log = tmp_path / "nnstudio.log"
    ours, theirs = mp.Pipe()
    exit_codes = []

    def run():
        try:
            serve(theirs, SessionConfig(), log_path=str(log))
        except SystemExit as exc:
            exit_codes.append(exc.code)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    receive(ours, "snapshot")
    ours.send(("run", ()))
    thread.join(10)
    assert not thread.is_alive() and exit_codes == [service.TRAINER_FAILED_EXIT] and exit_codes[0] != 0
    logged = log.read_text(encoding="utf-8")
    assert "the trainer's loop stopped" in logged and "RuntimeError: no more training" in logged
    assert "Traceback (most recent call last)" in logged
