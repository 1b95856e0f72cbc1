"""Waiting until the trainer has dealt with the commands sent so far: their acknowledgement, never a sleep."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

#: Milliseconds a test waits for an acknowledgement before it fails.
ACKNOWLEDGED_TIMEOUT_MS = 20_000


def wait_acknowledged(qtbot, target, seq: int | None = None, timeout: int = ACKNOWLEDGED_TIMEOUT_MS) -> int:
    """Wait until the trainer has dealt with command ``seq`` (default: the last one sent); returns ``seq``.

    ``target`` is a ``MainWindow`` (then the wait lasts until the window has drawn the
    snapshot that says so: ``window.latest`` shows the command's effect) or a bare
    ``TrainingWorker`` (then every signal the worker emitted before that snapshot has been
    delivered). A command that no snapshot answers (``set_speed``, ``landscape``…) is
    acknowledged by the next snapshot: send ``"snapshot"`` after it and wait on that.
    """
    worker = getattr(target, "worker", target)
    seq = worker.sent if seq is None else seq
    assert seq > 0, "no command was sent (the trainer is down)"
    if worker is target:
        qtbot.waitUntil(lambda: worker.acknowledged >= seq, timeout=timeout)
        QCoreApplication.processEvents()  # the worker's signals are queued before the number is set
    else:
        qtbot.waitUntil(lambda: target.latest is not None and target.latest.acknowledged >= seq, timeout=timeout)
    return seq


def settle(qtbot, window, timeout: int = ACKNOWLEDGED_TIMEOUT_MS) -> int:
    """Send a ``snapshot`` command and wait until the window draws its answer: every earlier command has taken effect.
    """
    return wait_acknowledged(qtbot, window, window.send("snapshot"), timeout)
