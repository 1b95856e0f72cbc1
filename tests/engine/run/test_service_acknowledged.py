"""The trainer acknowledges each numbered command exactly once, in the order the commands were sent."""

from support.service_pipe import stop_service
from support.service_thread import receive, start_service

from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig

CONFIG = SessionConfig(data=DataSpec("xor", n_samples=40))
#: A step this long would take minutes: it ends only because the commands behind it cut it short.
ENDLESS = 10**8
#: Commands a paused trainer answers with one snapshot each (the refused step too, after its error).
ANSWERED = [
    ("step", ("cycle", 2)), ("set_hyper", (Hyperparameters(learning_rate=0.5),)), ("set_batch_size", (4,)),
    ("step", ("cycle", 0)), ("step_phase", ()), ("undo", ()), ("set_weight", (0, 0, 0, 0.25)),
    ("reset", (3,)), ("set_data", (DataSpec("circle", n_samples=40),)), ("step", ("epoch", 1)), ("snapshot", ()),
]


def numbered(commands, first: int = 1) -> list[tuple]:
    return [(name, args, seq) for seq, (name, args) in enumerate(commands, first)]


def acknowledgements_until(conn, last: int) -> tuple[list[int], list[str]]:
    """The ``acknowledged`` of every snapshot up to the one that acknowledges ``last``, and the errors meanwhile."""
    seen, errors = [], []
    while not seen or seen[-1] < last:
        assert conn.poll(10.0), f"no acknowledgement of command {last}; seen {seen}"
        kind, payload = conn.recv()
        if kind == "snapshot":
            seen.append(payload.acknowledged)
        elif kind == "error":
            errors.append(payload)
    return seen, errors


def test_each_command_a_snapshot_answers_is_acknowledged_once_in_order():
    conn, thread = start_service(CONFIG)
    assert receive(conn, "snapshot").acknowledged == 0
    for message in numbered(ANSWERED):
        conn.send(message)
    seen, errors = acknowledgements_until(conn, len(ANSWERED))
    assert seen == list(range(1, len(ANSWERED) + 1))
    assert errors == ["step: n must be a whole number ≥ 1, got 0 (command 4)"]
    stop_service(conn, thread)


def test_commands_read_during_a_long_step_are_each_acknowledged_once_in_order():
    """The endless step is cut short by the burst behind it; the step and every command after it get one snapshot."""
    conn, thread = start_service(CONFIG)
    receive(conn, "snapshot")
    burst = [("step", ("cycle", ENDLESS))] + ANSWERED
    for message in numbered(burst):
        conn.send(message)
    seen, errors = acknowledgements_until(conn, len(burst))
    assert seen == list(range(1, len(burst) + 1))
    assert len(errors) == 1
    stop_service(conn, thread)


def test_a_command_no_snapshot_answers_is_acknowledged_by_the_next_one():
    """set_speed and set_pinned_runs send nothing back: the next snapshot acknowledges them with its own command."""
    commands = [("step", ("cycle", 1)), ("set_speed", (5.0,)), ("set_pinned_runs", ((),)), ("snapshot", ()),
                ("set_speed", (None,)), ("step", ("cycle", 1))]
    conn, thread = start_service(CONFIG)
    receive(conn, "snapshot")
    for message in numbered(commands):
        conn.send(message)
    seen, errors = acknowledgements_until(conn, len(commands))
    assert (seen, errors) == ([1, 4, 6], [])
    stop_service(conn, thread)

