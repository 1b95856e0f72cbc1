"""The loss area: the pinned runs over the loss curves, redrawn only when the run's history has changed."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.learning.compare_view import PinnedRunsPanel
from nnstudio.ui.plotting.loss_plot import LossPlot

__all__ = ["LossArea"]


class LossArea(QWidget):
    """The loss panel of the window (objectName ``lossArea``): ``pinned_runs`` above ``loss_plot``.

    ``show_snapshot`` draws the curves. Scrubbing the past hands it the same history many
    times over, and a paused run the same again: those leave the plot alone.
    """

    def __init__(self, pinned_runs: PinnedRunsPanel, loss_plot: LossPlot) -> None:
        super().__init__(objectName="lossArea")
        self.pinned_runs, self.loss_plot = pinned_runs, loss_plot
        self._drawn: tuple | None = None  # (generation, history marks) the plot shows
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(pinned_runs)
        layout.addWidget(loss_plot, 1)

    def show_snapshot(self, s: Snapshot) -> None:
        """The loss curves of ``s``'s run, unless they are drawn already."""
        drawn = (s.generation, None if s.history_marks is None else s.history_marks[:2])
        if self._drawn is not None and drawn == self._drawn and drawn[1] is not None:
            return
        if self._drawn is None or self._drawn[0] != s.generation:
            self.loss_plot.clear()
        ev = s.evaluations
        self.loss_plot.set_history(s.batch_cycles, s.batch_loss, s.eval_cycles, ev[:, 0], ev[:, 1], ev[:, 2], ev[:, 3])
        self._drawn = drawn
