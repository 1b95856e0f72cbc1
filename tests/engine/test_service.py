"""The trainer's process loop, driven over a pipe (here on a thread, no Qt)."""

import multiprocessing as mp
import threading

from nnstudio.engine.service import serve
from nnstudio.engine.session import SessionConfig


def start():
    ours, theirs = mp.Pipe()
    thread = threading.Thread(target=serve, args=(theirs, SessionConfig()), daemon=True)
    thread.start()
    return ours, thread


def receive(conn, kind, timeout=10.0):
    while True:
        assert conn.poll(timeout), f"no {kind!r} message"
        message = conn.recv()
        if message[0] == kind:
            return message[1]


def test_answers_a_step_with_a_snapshot_and_quits_on_request():
    """First a snapshot, a step answered by one showing it, and 'bye' on quit."""
    conn, thread = start()
    assert receive(conn, "snapshot").cycle == 0
    conn.send(("step", ("cycle", 3)))
    assert receive(conn, "snapshot").cycle == 3
    conn.send(("quit", ()))
    receive(conn, "bye")
    thread.join(5)
    assert not thread.is_alive()


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
    conn.send(("quit", ()))
    thread.join(5)


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
    conn.send(("quit", ()))
    thread.join(5)


def test_ends_when_the_window_goes_away():
    """Closing the window's end of the pipe ends the loop."""
    conn, thread = start()
    receive(conn, "snapshot")
    conn.close()
    thread.join(5)
    assert not thread.is_alive()
