"""The trainer's process loop over a pipe (on a thread, no Qt): its answers, refused commands, run and pause."""

import pytest
from support.service_pipe import next_message, stop_service
from support.service_thread import receive, start_service
from support.small_datasets import drawn_xor_dataset

from nnstudio.engine.run.commands import COMMAND_TABLE, COMMANDS
from nnstudio.engine.run.config import DataSpec


def _steps_on_then_stops(conn, thread) -> None:
    """The loop still serves an untrained session: one cycle is stepped and reported; then it quits cleanly."""
    conn.send(("step", ("cycle", 1)))
    assert receive(conn, "snapshot").cycle == 1
    stop_service(conn, thread)


def test_answers_a_step_with_a_snapshot_and_quits_on_request():
    """First a snapshot, a step answered by one showing it, and 'bye' on quit."""
    conn, thread = start_service()
    assert receive(conn, "snapshot").cycle == 0
    conn.send(("step", ("cycle", 3)))
    assert receive(conn, "snapshot").cycle == 3
    stop_service(conn, thread)


def test_a_bad_command_is_answered_with_an_error_and_the_loop_goes_on():
    """An unknown command or a refused shape gets an error; the trainer keeps serving."""
    conn, thread = start_service()
    receive(conn, "snapshot")
    conn.send(("fly", ()))
    assert "unknown command" in receive(conn, "error")
    conn.send(("set_network", ((0,), ("sigmoid", "sigmoid"))))
    assert "neurons" in receive(conn, "error")
    assert receive(conn, "snapshot").spec.sizes == (2, 4, 1)  # unchanged by the refused shape
    _steps_on_then_stops(conn, thread)


XOR = drawn_xor_dataset()

# For every command, arguments it must refuse and a fragment of the answer that says why.
BAD_ARGUMENTS = {
    "step": [
        (("cycle", 0), "n must be a whole number ≥ 1"),
        (("hour", 1), "kind must be one of cycle, epoch"),
        (("cycle", 2.5), "n must be"),
        (("cycle", True), "n must be"),
        (("cycle", 1, 2), "takes 0 to 2"),
    ],
    "run": [((1,), "takes no arguments")],
    "pause": [(("now",), "takes no arguments")],
    "reset": [
        ((-1,), "seed must be a whole number from 0 to 2147483647"),
        (("seed",), "seed must be"),
        ((1.5,), "seed must be"),
        ((2**31,), "got 2147483648"),
    ],
    "set_network": [
        (((0,), ("sigmoid", "sigmoid")), "neurons"),
        (("4", ("sigmoid", "sigmoid")), "hidden must be"),
        (((4,),), "takes 2 to 3"),
        (((4,), "sigmoid"), "activations must be a list of names"),
        (((4,), ("bogus", "sigmoid")), "bogus"),
        (((4,), ("sigmoid", "sigmoid"), 3), "loss must be"),
    ],
    "set_data": [(("xor",), "data must be a DataSpec, got str"), ((DataSpec("nope"),), "unknown dataset 'nope'")],
    "set_dataset": [((None,), "dataset must be a Dataset"), ((XOR, 1.5), "test_fraction must be a number in [0, 1)")],
    "set_hyper": [(({"learning_rate": 1.0},), "hyper must be Hyperparameters, got dict"), ((), "takes 1 argument")],
    "set_batch_size": [
        ((0,), "batch_size must be a whole number ≥ 1"),
        (("full",), "batch_size must be"),
        ((), "takes 1 argument"),
    ],
    "set_weight": [
        ((0, 0, 0, float("nan")), "value must be a finite number"),
        ((0, 5, 0, 1.0), "no weight [5, 0]"),
        ((7, 0, 0, 1.0), "no weight layer 7"),
        ((0, 0, 0), "takes 4 arguments"),
        ((0, -1, 0, 1.0), "i must be a whole number ≥ 0"),
    ],
    "set_speed": [
        ((0,), "speed must be a number of cycles per second > 0"),
        ((-5,), "speed must be"),
        ((float("inf"),), "speed must be"),
        (("fast",), "speed must be"),
        ((), "takes 1 argument"),
    ],
    "export": [
        ((None,), "path must be a file path"),
        (("",), "path must be a file path"),
        ((3,), "path must be"),
        (("w.onnx", "int8"), "onnx_input must be one of float32, float64"),
    ],
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
    "set_layer_view": [
        ((0, 0, 0), "layer must be a whole number ≥ 1"),
        ((1, 0), "takes None (off) or 3"),
        ((2, 0, 9), "layer view"),
    ],
    "landscape": [
        ((), "takes 1 to 4 arguments"),
        ((-1,), "request must be a whole number ≥ 0"),
        ((1, "up"), "directions must be one of pca, random"),
        ((1, "pca", 1), "resolution must be a whole number from 2 to 1001"),
        ((1, "pca", 41, -2), "seed must be a whole number from 0 to 2147483647"),
    ],
    "landscape_cut": [((), "takes 1 argument"), (("a",), "request must be a whole number ≥ 0")],
    "set_delta_rule": [(("add",), "rule must be one of set, accumulate"), ((), "takes 1 argument")],
    "set_pinned_runs": [(([{"config": 1}],), "pinned run 1"), (("pins",), "at most 4")],
}


def test_every_command_has_bad_arguments_tested():
    assert set(BAD_ARGUMENTS) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(BAD_ARGUMENTS))
def test_bad_arguments_are_refused_by_name_and_the_trainer_goes_on(name):
    """Each command with malformed arguments: a clear error, nothing changed, and the loop still serves."""
    conn, thread = start_service()
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
    stop_service(conn, thread)


@pytest.mark.parametrize(
    "message",
    [
        "step",
        ("step",),
        ("step", ("cycle", 1), 3, 4),
        ("step", ("cycle", 1), 0),
        ("step", ("cycle", 1), True),
        (3, ()),
        (["step"], ()),
        ("step", "cycle"),
        ("step", None),
    ],
)
def test_a_malformed_message_is_refused_and_the_trainer_goes_on(message):
    conn, thread = start_service()
    receive(conn, "snapshot")
    conn.send(message)
    kind, text = next_message(conn)
    assert kind == "error" and ("command" in text or "arguments must be a tuple" in text), text
    assert next_message(conn)[0] == "snapshot"
    _steps_on_then_stops(conn, thread)


def test_speed_zero_is_refused_and_run_still_trains():
    """set_speed 0 once ended the loop (a division by zero); now it is refused and Run works."""
    conn, thread = start_service()
    receive(conn, "snapshot")
    conn.send(("set_speed", (0,)))
    assert "speed" in receive(conn, "error")
    conn.send(("set_speed", (200.0,)))
    conn.send(("run", ()))
    seen = [receive(conn, "snapshot").cycle for _ in range(5)]
    assert seen[-1] > seen[0]
    stop_service(conn, thread)


def test_run_sends_snapshots_until_paused():
    """Run trains on its own and reports; pause holds the count."""
    conn, thread = start_service()
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
    stop_service(conn, thread)


def test_ends_when_the_window_goes_away():
    """Closing the window's end of the pipe ends the loop."""
    conn, thread = start_service()
    receive(conn, "snapshot")
    conn.close()
    thread.join(5)
    assert not thread.is_alive()
