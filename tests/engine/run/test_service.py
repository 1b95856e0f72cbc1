"""The trainer's process loop, driven over a pipe (here on a thread, no Qt)."""

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from support.processes import alive as running
from support.processes import process_state, wait_for

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.io.sessionfile import save_session
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run import service
from nnstudio.engine.run.commands import COMMAND_TABLE, COMMANDS
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.service import serve
from nnstudio.engine.run.session import TrainingSession

REPO = Path(__file__).resolve().parents[3]
#: A step this long would take minutes: a test that waits for its end fails on the timeout instead.
ENDLESS = 10**8


def start(config=None, **kwargs):
    ours, theirs = mp.Pipe()
    thread = threading.Thread(target=serve, args=(theirs, config or SessionConfig()), kwargs=kwargs, daemon=True)
    thread.start()
    return ours, thread


def start_with_waiting(messages, config=None):
    """A server whose pipe already holds ``messages`` when it starts: it reads them while it works."""
    ours, theirs = mp.Pipe()
    for message in messages:
        ours.send(message)
    thread = threading.Thread(target=serve, args=(theirs, config or SessionConfig()), daemon=True)
    thread.start()
    return ours, thread


def receive(conn, kind, timeout=10.0):
    while True:
        assert conn.poll(timeout), f"no {kind!r} message"
        message = conn.recv()
        if message[0] == kind:
            return message[1]


def next_message(conn, timeout=10.0):
    assert conn.poll(timeout), "no message"
    return conn.recv()


def stop(conn, thread):
    conn.send(("quit", ()))
    receive(conn, "bye")
    thread.join(5)
    assert not thread.is_alive()


def test_answers_a_step_with_a_snapshot_and_quits_on_request():
    """First a snapshot, a step answered by one showing it, and 'bye' on quit."""
    conn, thread = start()
    assert receive(conn, "snapshot").cycle == 0
    conn.send(("step", ("cycle", 3)))
    assert receive(conn, "snapshot").cycle == 3
    stop(conn, thread)


def test_a_bad_command_is_answered_with_an_error_and_the_loop_goes_on():
    """An unknown command or a refused shape gets an error; the trainer keeps serving."""
    conn, thread = start()
    receive(conn, "snapshot")
    conn.send(("fly", ()))
    assert "unknown command" in receive(conn, "error")
    conn.send(("set_network", ((0,), ("sigmoid", "sigmoid"))))
    assert "neurons" in receive(conn, "error")
    assert receive(conn, "snapshot").spec.sizes == (2, 4, 1)  # unchanged by the refused shape
    conn.send(("step", ("cycle", 1)))
    assert receive(conn, "snapshot").cycle == 1
    stop(conn, thread)


XOR = Dataset("drawn", np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 3),
              np.array([0, 1, 1, 0] * 3), "classification", ("x1", "x2"), "label", ("a", "b"))

# For every command, arguments it must refuse and a fragment of the answer that says why.
BAD_ARGUMENTS = {
    "step": [(("cycle", 0), "n must be a whole number ≥ 1"), (("hour", 1), "kind must be one of cycle, epoch"),
             (("cycle", 2.5), "n must be"), (("cycle", True), "n must be"), (("cycle", 1, 2), "takes 0 to 2")],
    "run": [((1,), "takes no arguments")],
    "pause": [(("now",), "takes no arguments")],
    "reset": [((-1,), "seed must be a whole number ≥ 0"), (("seed",), "seed must be"), ((1.5,), "seed must be")],
    "set_network": [(((0,), ("sigmoid", "sigmoid")), "neurons"), (("4", ("sigmoid", "sigmoid")), "hidden must be"),
                    (((4,),), "takes 2 to 3"), (((4,), "sigmoid"), "activations must be a list of names"),
                    (((4,), ("bogus", "sigmoid")), "bogus"), (((4,), ("sigmoid", "sigmoid"), 3), "loss must be")],
    "set_data": [(("xor",), "data must be a DataSpec, got str"), ((DataSpec("nope"),), "unknown dataset 'nope'")],
    "set_dataset": [((None,), "dataset must be a Dataset"), ((XOR, 1.5), "test_fraction must be a number in [0, 1)")],
    "set_hyper": [(({"learning_rate": 1.0},), "hyper must be Hyperparameters, got dict"), ((), "takes 1 argument")],
    "set_batch_size": [((0,), "batch_size must be a whole number ≥ 1"), (("full",), "batch_size must be"),
                       ((), "takes 1 argument")],
    "set_weight": [((0, 0, 0, float("nan")), "value must be a finite number"), ((0, 5, 0, 1.0), "no weight [5, 0]"),
                   ((7, 0, 0, 1.0), "no weight layer 7"), ((0, 0, 0), "takes 4 arguments"),
                   ((0, -1, 0, 1.0), "i must be a whole number ≥ 0")],
    "set_speed": [((0,), "speed must be a number of cycles per second > 0"), ((-5,), "speed must be"),
                  ((float("inf"),), "speed must be"), (("fast",), "speed must be"), ((), "takes 1 argument")],
    "export": [((None,), "path must be a file path"), (("",), "path must be a file path"), ((3,), "path must be"),
               (("w.onnx", "int8"), "onnx_input must be one of float32, float64")],
    "snapshot": [((1,), "takes no arguments")],
    "save_session": [((None,), "path must be a file path"), (("a\0b.nnstudio",), "path must be a file path")],
    "open_session": [((42,), "path must be a file path"), (("/no/such/folder/x.nnstudio",), "x.nnstudio")],
    "import_weights": [((None,), "path must be a file path"), (("/no/such/folder/w.npz",), "w.npz: no such file")],
    "quit": [(("now",), "takes no arguments")],
    "step_phase": [((1,), "takes no arguments")],
    "rewind": [((-1,), "cycle must be a whole number ≥ 0"), (("x",), "cycle must be"), ((10**6,), "10000")],
    "undo": [((1,), "takes no arguments")],
    "continue_from_here": [((1,), "takes no arguments")],
    "check_gradients": [((1,), "takes no arguments")],
    "set_layer_view": [((0, 0, 0), "layer must be a whole number ≥ 1"), ((1, 0), "takes None (off) or 3"),
                       ((2, 0, 9), "layer view")],
    "landscape": [((), "takes 1 to 4 arguments"), ((-1,), "request must be a whole number ≥ 0"),
                  ((1, "up"), "directions must be one of pca, random"),
                  ((1, "pca", 1), "resolution must be a whole number from 2 to 1001"),
                  ((1, "pca", 41, -2), "seed must be a whole number ≥ 0")],
    "landscape_cut": [((), "takes 1 argument"), (("a",), "request must be a whole number ≥ 0")],
    "set_delta_rule": [(("add",), "rule must be one of set, accumulate"), ((), "takes 1 argument")],
    "set_pinned_runs": [(([{"config": 1}],), "pinned run 1"), (("pins",), "at most 4")],
}


def test_every_command_has_bad_arguments_tested():
    assert set(BAD_ARGUMENTS) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(BAD_ARGUMENTS))
def test_bad_arguments_are_refused_by_name_and_the_trainer_goes_on(name):
    """Each command with malformed arguments: a clear error, nothing changed, and the loop still serves."""
    conn, thread = start()
    first = receive(conn, "snapshot")
    for args, why in BAD_ARGUMENTS[name]:
        conn.send((name, args))
        kind, text = next_message(conn)
        assert kind == "error", (name, args, kind)
        assert why in text, (name, args, text)
        if not why.startswith(("unknown", "bogus", "no weight", "10000", "layer view", "x.nnstudio", "w.npz")):
            assert text.startswith(f"{name}: "), text  # an argument check names the command
        if COMMAND_TABLE[name].answered_by_snapshot:
            kind, unchanged = next_message(conn)
            assert kind == "snapshot" and unchanged.cycle == 0 and unchanged.spec == first.spec
    conn.send(("step", ("cycle", 2)))
    after = receive(conn, "snapshot")
    assert after.cycle == 2 and after.generation == first.generation and after.spec == first.spec
    stop(conn, thread)


@pytest.mark.parametrize("message", [
    "step", ("step",), ("step", ("cycle", 1), 3, 4), ("step", ("cycle", 1), 0), ("step", ("cycle", 1), True), (3, ()), (["step"], ()), ("step", "cycle"), ("step", None),
])
def test_a_malformed_message_is_refused_and_the_trainer_goes_on(message):
    conn, thread = start()
    receive(conn, "snapshot")
    conn.send(message)
    kind, text = next_message(conn)
    assert kind == "error" and ("command" in text or "arguments must be a tuple" in text), text
    assert next_message(conn)[0] == "snapshot"
    conn.send(("step", ("cycle", 1)))
    assert receive(conn, "snapshot").cycle == 1
    stop(conn, thread)


def test_speed_zero_is_refused_and_run_still_trains():
    """set_speed 0 once ended the loop (a division by zero); now it is refused and Run works."""
    conn, thread = start()
    receive(conn, "snapshot")
    conn.send(("set_speed", (0,)))
    assert "speed" in receive(conn, "error")
    conn.send(("set_speed", (200.0,)))
    conn.send(("run", ()))
    seen = [receive(conn, "snapshot").cycle for _ in range(5)]
    assert seen[-1] > seen[0]
    stop(conn, thread)


def test_run_sends_snapshots_until_paused():
    """Run trains on its own and reports; pause holds the count."""
    conn, thread = start()
    receive(conn, "snapshot")
    conn.send(("run", ()))
    seen = [receive(conn, "snapshot").cycle for _ in range(3)]
    assert seen == sorted(seen) and seen[-1] > 0
    conn.send(("pause", ()))
    while True:
        snap = receive(conn, "snapshot")
        if not snap.running:
            break
    conn.send(("snapshot", ()))
    assert receive(conn, "snapshot").cycle == snap.cycle
    stop(conn, thread)


def test_ends_when_the_window_goes_away():
    """Closing the window's end of the pipe ends the loop."""
    conn, thread = start()
    receive(conn, "snapshot")
    conn.close()
    thread.join(5)
    assert not thread.is_alive()



# -- sequence numbers ----------------------------------------------------------------------

def test_snapshots_acknowledge_the_last_numbered_command_dealt_with():
    """Numbered commands: each snapshot echoes the last number applied; a command with no snapshot is acknowledged by the next."""
    conn, thread = start()
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
    stop(conn, thread)


def test_numbered_commands_are_applied_in_order():
    """A burst of numbered commands read during a long step: each snapshot shows exactly the commands up to its number."""
    burst = [("step", ("cycle", ENDLESS), 1), ("step", ("cycle", 1), 2), ("step", ("cycle", 2), 3),
             ("reset", (), 4), ("step", ("cycle", 3), 5)]
    conn, thread = start_with_waiting(burst)
    seen = {}
    while seen.get(5) is None:
        snap = receive(conn, "snapshot")
        seen.setdefault(snap.acknowledged, snap.cycle)
    interrupted = seen[1]  # the endless step stopped early for the commands behind it
    assert interrupted < ENDLESS
    assert (seen[2], seen[3], seen[4], seen[5]) == (interrupted + 1, interrupted + 3, 0, 3)
    stop(conn, thread)


def test_a_refused_command_names_its_number_and_is_acknowledged():
    conn, thread = start()
    receive(conn, "snapshot")
    conn.send(("step", ("cycle", 0), 4))
    assert receive(conn, "error") == "step: n must be a whole number ≥ 1, got 0 (command 4)"
    assert receive(conn, "snapshot").acknowledged == 4
    stop(conn, thread)


def test_a_number_already_dealt_with_is_refused_as_out_of_order():
    conn, thread = start()
    receive(conn, "snapshot")
    conn.send(("step", ("cycle", 1), 5))
    assert receive(conn, "snapshot").acknowledged == 5
    for stale in (5, 2):
        conn.send(("step", ("cycle", 1), stale))
        assert receive(conn, "error") == f"step: out of order, command 5 was dealt with already (command {stale})"
        snap = receive(conn, "snapshot")
        assert (snap.acknowledged, snap.cycle) == (5, 1)  # not applied
    stop(conn, thread)


def test_a_restarted_trainer_acknowledges_from_where_its_predecessor_stopped():
    conn, thread = start(acknowledged=7)
    assert receive(conn, "snapshot").acknowledged == 7
    conn.send(("step", ("cycle", 1), 8))
    assert receive(conn, "snapshot").acknowledged == 8
    stop(conn, thread)

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
        conn, thread = start_with_waiting([("step", ("cycle", ENDLESS)), (name, args)])
        receive(conn, "snapshot")  # the first, before any command
        stepped = receive(conn, "snapshot")  # the step's: it ended early
        assert 0 < stepped.cycle < ENDLESS
    else:
        cycles = 3000  # 47 chunks of 64: the waiting command is seen after the first
        conn, thread = start_with_waiting([("step", ("cycle", cycles)), (name, args), ("snapshot", ())])
        receive(conn, "snapshot")
        assert receive(conn, "snapshot").cycle == cycles
        if name == "export":
            assert receive(conn, "exported") == args[0]
    if name != "quit":
        stop(conn, thread)
    else:
        receive(conn, "bye")
        thread.join(5)
        assert not thread.is_alive()


def test_commands_read_during_a_step_are_answered_after_it_in_order(tmp_path):
    """export, set_speed, snapshot behind a step: the step's snapshot, then each answer in turn."""
    path = str(tmp_path / "w.json")
    conn, thread = start_with_waiting([("step", ("cycle", 640)), ("export", (path,)), ("set_speed", (0,)),
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
    stop(conn, thread)


# -- checkpoints and restarting from them ----------------------------------------------------

def test_a_trainer_restored_from_a_checkpoint_goes_on_bit_for_bit(monkeypatch):
    """Checkpoint at cycle 30, a new trainer from it, 20 more cycles: the weights of 50 cycles in one session."""
    monkeypatch.setattr(service, "CHECKPOINT_SECONDS", 0.0)
    config = SessionConfig(hyper=Hyperparameters(learning_rate=1.5, momentum=0.5, noise=0.01))
    conn, thread = start(config)
    receive(conn, "snapshot")
    conn.send(("step", ("cycle", 30)))
    state = receive(conn, "checkpoint")
    assert state["trainer"]["cycle"] == 30
    stop(conn, thread)

    conn, thread = start(SessionConfig(), restore=state, generation=7)
    restored = receive(conn, "snapshot")
    assert restored.cycle == 30 and restored.generation == 7 and restored.message == ""
    assert restored.config == config
    conn.send(("step", ("cycle", 20)))
    after = receive(conn, "snapshot")
    stop(conn, thread)

    reference = TrainingSession(config)
    reference.step("cycle", 30)
    reference.step("cycle", 20)
    assert after.cycle == 50
    for ours, expected in zip(after.weights, reference.network.weights):
        np.testing.assert_array_equal(ours, expected)


def test_a_checkpoint_that_does_not_restore_is_reported_and_training_starts_from_the_config():
    conn, thread = start(SessionConfig(hidden=(3,)), restore={"config": "damaged"})
    assert "checkpoint could not be restored" in receive(conn, "error")
    assert receive(conn, "snapshot").spec.sizes == (2, 3, 1)
    stop(conn, thread)


# -- unexpected errors -----------------------------------------------------------------------

def test_an_unexpected_exception_is_logged_with_its_traceback_and_the_trainer_goes_on(monkeypatch, tmp_path, capsys):
    """A fault in a command: its traceback on stderr and in the log, an error naming the log, and training goes on."""
    def broken(self):
        return 1 / 0

    monkeypatch.setattr(TrainingSession, "check_gradients", broken)
    log = tmp_path / "state" / "nnstudio.log"
    conn, thread = start(log_path=str(log))
    receive(conn, "snapshot")
    conn.send(("check_gradients", ()))
    text = receive(conn, "error")
    assert "ZeroDivisionError" in text and str(log) in text
    assert receive(conn, "snapshot").cycle == 0
    conn.send(("step", ("cycle", 4)))
    assert receive(conn, "snapshot").cycle == 4
    stop(conn, thread)
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


# -- the trainer's process outlives no window -------------------------------------------------

# The window's stand-in: it starts the trainer as the window does, gets it into STATE, prints
# the trainer's pid and waits to be killed. A grandchild keeps the window's end of the pipe
# open, never reading it, so the trainer sees no end of file and only its watch of the
# parent process can end it. KERNEL_HELP=0 also turns off Linux's parent-death signal.
WINDOW_STAND_IN = '''
import fcntl, multiprocessing as mp, os, struct, subprocess, sys, termios, time

from nnstudio.engine.run import parent_watch
from nnstudio.engine.run.service import serve
from nnstudio.engine.run.config import SessionConfig


def trainer(conn, parent_pid, kernel_help):
    if not kernel_help:
        parent_watch.request_parent_death_signal = lambda: None
    serve(conn, SessionConfig(), parent_pid=parent_pid)


def unread_bytes(conn):
    return struct.unpack("i", fcntl.ioctl(conn.fileno(), termios.FIONREAD, b"\\0" * 4))[0]


def main():
    state, kernel_help = sys.argv[1], sys.argv[2] == "1"
    context = mp.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=trainer, args=(theirs, os.getpid(), kernel_help), daemon=True)
    process.start()
    theirs.close()
    holder = subprocess.Popen([sys.executable, "-c", "import signal; signal.pause()"], pass_fds=[ours.fileno()])
    ours.recv()  # the first snapshot: the trainer serves
    if state == "full_pipe":
        ours.send(("run", ()))
        # Blocked writing: unread snapshots pile up, then stop growing for longer than 15 would take.
        seen, since = -1, time.monotonic()
        while time.monotonic() - since < 0.5 or seen <= 0:
            now = unread_bytes(ours)
            if now != seen:
                seen, since = now, time.monotonic()
            time.sleep(0.02)
    elif state == "long_step":
        ours.send(("step", ("cycle", 10**8)))
    print(process.pid, holder.pid, flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
'''








@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and the pipe's fill (Linux)")
@pytest.mark.parametrize("kernel_help", ["0", "1"], ids=["watchdog-only", "watchdog-and-pdeathsig"])
@pytest.mark.parametrize("state", ["idle", "full_pipe", "long_step"])
def test_the_trainer_ends_within_two_seconds_of_its_window_process_dying(state, kernel_help, tmp_path):
    """Idle, blocked writing into a full pipe, or deep in Step ×10⁸: the trainer is gone 2 s after a SIGKILLed window."""
    script = tmp_path / "window.py"
    script.write_text(WINDOW_STAND_IN, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    window = subprocess.Popen([sys.executable, str(script), state, kernel_help], stdout=subprocess.PIPE,
                              stdin=subprocess.PIPE, env=env, text=True)
    trainer_pid = holder_pid = None
    try:
        trainer_pid, holder_pid = map(int, window.stdout.readline().split())
        if state == "long_step":  # well into the step: it has trained for a while since the snapshot
            start_cpu = process_state(trainer_pid)[1]
            assert wait_for(lambda: process_state(trainer_pid)[1] > start_cpu + 0.3, 30)
        assert running(trainer_pid)
        window.kill()
        window.wait(10)
        assert wait_for(lambda: not running(trainer_pid), 2.0), f"the trainer ({state}) outlived its window by 2 s"
    finally:
        window.kill()
        for pid in (holder_pid, trainer_pid):
            if pid is not None and running(pid):
                os.kill(pid, signal.SIGKILL)
