"""The tabs under the loss plot: the layer heatmaps, the inspector, gradient norms and the layer view."""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QTabWidget

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.plotting.layer_heatmaps import LayerHeatmaps

__all__ = ["COMPACT_NAMES", "HeatmapTabs"]

#: A tab's name when the bar is too narrow for the full ones: the diagram's notation or one plain word.
COMPACT_NAMES = {
    "Activations": "a",
    "Deltas δ": "δ",
    "Weight Δ": "ΔW",
    "Inspector": "Neuron",
    "Grad norms": "Norms",
    "Layer view": "Layers",
}


class HeatmapTabs(QTabWidget):
    """The heatmaps panel of the window (objectName ``heatmapTabs``).

    ``show_snapshot`` fills the heatmap tab in view only: a hidden one catches up when it
    is chosen (the window hands it the newest snapshot then). The other tabs are the
    learning presenter's.

    Where the full tab names do not fit (a 1024-pixel screen) the tabs show their
    ``COMPACT_NAMES`` rather than scroll arrows that hide the last ones; each tab's full
    name stays its tooltip and accessible name.
    """

    def __init__(self) -> None:
        super().__init__(objectName="heatmapTabs")
        self._full_names: list[str] = []

    def show_snapshot(self, s: Snapshot) -> None:
        current = self.currentWidget()
        if isinstance(current, LayerHeatmaps):
            current.show_snapshot(s)

    def full_name(self, index: int) -> str:
        """The name tab ``index`` was added with, whichever name it shows now."""
        return self._full_names[index]

    def tabInserted(self, index: int) -> None:
        super().tabInserted(index)
        name = self.tabText(index)
        self._full_names.insert(index, name)
        self.setTabToolTip(index, name)
        self.tabBar().setAccessibleTabName(index, name)
        self._fit_names()

    def tabRemoved(self, index: int) -> None:
        super().tabRemoved(index)
        del self._full_names[index]
        self._fit_names()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_names()

    def _fit_names(self) -> None:
        compact = self._width_of(self._full_names) > self._room()
        for index, name in enumerate(self._full_names):
            shown = COMPACT_NAMES.get(name, name) if compact else name
            if self.tabText(index) != shown:
                self.setTabText(index, shown)

    def _width_of(self, names: list[str]) -> int:
        """The bar's width were its tabs to show ``names``: each tab is its text plus the style's fixed padding."""
        bar, metrics = self.tabBar(), self.tabBar().fontMetrics()
        return sum(bar.tabSizeHint(index).width() - metrics.horizontalAdvance(bar.tabText(index))
                   + metrics.horizontalAdvance(name) for index, name in enumerate(names))

    def _room(self) -> int:
        # the style insets the bar a little from the panel's frame
        inset = self.tabBar().geometry().left() if self.tabBar().isVisible() else 0
        return self.width() - 2 * max(inset, 0)
