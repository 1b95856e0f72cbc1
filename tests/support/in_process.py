"""A window with no trainer process, drawing snapshots of a training session run in the test's own process.

For panel tests in which a child process adds nothing: the session is the trainer's own
(``TrainingSession``), driven directly, and each ``draw`` hands the window a snapshot of
it as the trainer would send one, so the test needs no waiting and is not slow.
"""

from __future__ import annotations

from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.session import TrainingSession
from nnstudio.engine.run.snapshot import Snapshot


class InProcessRun:
    """``window`` (a trainer-less ``MainWindow``) and the ``session`` whose snapshots it draws."""

    def __init__(self, window, config: SessionConfig | None = None) -> None:
        self.window = window
        self.session = TrainingSession(config or window.config)

    def draw(self) -> Snapshot:
        """The session now, drawn in every visible panel as a snapshot from the trainer is."""
        snapshot = self.session.snapshot()
        self.window.draw(snapshot)
        return snapshot
