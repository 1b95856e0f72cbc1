"""The tabs under the loss plot: the layer heatmaps, the inspector, gradient norms and the layer view."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.plotting.layer_heatmaps import LayerHeatmaps

__all__ = ["HeatmapTabs"]


class HeatmapTabs(QTabWidget):
    """The heatmaps panel of the window (objectName ``heatmapTabs``).

    ``show_snapshot`` fills the heatmap tab in view only: a hidden one catches up when it
    is chosen (the window hands it the newest snapshot then). The other tabs are the
    learning presenter's.
    """

    def __init__(self) -> None:
        super().__init__(objectName="heatmapTabs")

    def show_snapshot(self, s: Snapshot) -> None:
        current = self.currentWidget()
        if isinstance(current, LayerHeatmaps):
            current.show_snapshot(s)
