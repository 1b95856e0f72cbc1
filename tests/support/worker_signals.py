"""What a trainer's worker said, recorded on the test's thread: snapshots, acks, refusals, exports, deaths."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot


class WorkerSignals(QObject):
    """Lists of what the worker emitted, oldest first.

    A QObject on the test's thread: the worker's signals reach it queued, in the order
    they were emitted and after the window's own slots for the same emission (a plain
    callable would be called at once on the worker's thread). Snapshots are kept only if
    ``snapshots`` is true: a long run sends thousands.
    """

    def __init__(self, worker, snapshots: bool = False) -> None:
        super().__init__()
        self.snapshots, self.acknowledged, self.errors, self.exported, self.deaths = [], [], [], [], []
        if snapshots:
            worker.sig_snapshot.connect(self._on_snapshot)
        worker.sig_acknowledged.connect(self._on_acknowledged)
        worker.sig_error.connect(self._on_error)
        worker.sig_exported.connect(self._on_exported)
        worker.sig_trainer_died.connect(self._on_died)

    @Slot(object)
    def _on_snapshot(self, snapshot) -> None:
        self.snapshots.append(snapshot)

    @Slot(int)
    def _on_acknowledged(self, seq: int) -> None:
        self.acknowledged.append(seq)

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self.errors.append(message)

    @Slot(str)
    def _on_exported(self, path: str) -> None:
        self.exported.append(path)

    @Slot(str, bool)
    def _on_died(self, message: str, restartable: bool) -> None:
        self.deaths.append(message)
