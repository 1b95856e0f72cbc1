"""The docks around the views: the data table, the guide with its demonstrations, the loss landscape.

Also the side panel's room, which the guide and the landscape take on a narrow window.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow, QSplitter

from nnstudio.ui.data.data_table import DataTable
from nnstudio.ui.learning.compare_view import AuthorVariantDemo
from nnstudio.ui.learning.guide import GuideDemonstrations, GuideDock
from nnstudio.ui.learning.landscape_dock import LandscapeDock
from nnstudio.ui.window.window_dock import WindowDock

__all__ = ["GUIDE_TAKES_SIDE_BELOW", "DataTableDock", "SideRoom", "build_docks"]

#: Below this width the side panel makes room for the guide while it is open.
GUIDE_TAKES_SIDE_BELOW = 1200


class DataTableDock(WindowDock):
    """View › Data table: the rows at the bottom of the window, hidden until asked for.

    Its own size hint would take most of a short screen, so its first opening takes a
    quarter of the window, unless a saved layout set its height (``sized``).
    """

    def __init__(self, window: QMainWindow, table: DataTable) -> None:
        super().__init__("Data table", window, "dataTableDock", Qt.DockWidgetArea.BottomDockWidgetArea, table)

    def size_on_first_opening(self, window: QMainWindow) -> None:
        window.resizeDocks([self], [max(160, window.height() // 4)], Qt.Orientation.Vertical)


class SideRoom(QObject):
    """On a narrow window the side panel gives its room to the guide or the landscape while either is open.

    What they demonstrate is the network, the loss plot and the heatmaps; squeezed
    between the side panel and a dock they would be too small to watch. Step and Run go
    with the side panel, so the dock that has its room offers them instead.

    Attributes
    ----------
    side_before
        The side panel's width before a dock took its room (None while it has it).
    """

    def __init__(self, window: QMainWindow, main_split: QSplitter, guide: GuideDock, landscape: LandscapeDock) -> None:
        super().__init__(window)
        self._window, self._split, self._guide, self._landscape = window, main_split, guide, landscape
        self.side_before: int | None = None
        guide.visibilityChanged.connect(self._make_room_for_guide)
        # After the guide's own slot: the side panel gives way while either dock is open.
        guide.visibilityChanged.connect(self._make_room_for_docks)
        landscape.visibilityChanged.connect(self._make_room_for_docks)

    def _make_room_for_guide(self, visible: bool) -> None:
        sizes = self._split.sizes()
        if visible and self.side_before is None and sizes[0] > 0 and self._window.width() < GUIDE_TAKES_SIDE_BELOW:
            self.side_before = sizes[0]
            self._split.setSizes([0, sum(sizes)])
        elif not visible and self.side_before is not None:
            side, self.side_before = self.side_before, None
            if sizes[0] == 0:  # unless the learner has opened it again meanwhile
                self._split.setSizes([side, max(0, sum(sizes) - side)])
        self._guide.show_training_actions(visible and self.side_before is not None)

    def _make_room_for_docks(self, _visible: bool = False) -> None:
        guide, landscape = self._guide.isVisible(), self._landscape.isVisible()
        self._make_room_for_guide(guide or landscape)
        offered = self.side_before is not None
        self._guide.show_training_actions(offered and guide)
        self._landscape.show_training_actions(offered and landscape)


def build_docks(window: QMainWindow) -> None:
    """The guide and the landscape docks, hidden, and the demonstrations the guide runs in the window.

    Made now, hidden, so that a saved layout can bring them back where they were.
    """
    say, send = window.status.say, window.send
    guide = window.guide_dock = GuideDock(window)
    window.learning.guide = guide
    window.guide_demos = GuideDemonstrations(window.controls, window.loss_plot, send, window)
    guide.sig_action.connect(window.learning.demonstrate)
    guide.sig_action.connect(window.guide_demos.demonstrate)
    window.guide_demos.sig_status.connect(lambda text: say(text, 8000))
    window.author_demo = AuthorVariantDemo(window.pinned_runs, send, window)
    guide.sig_delta_rule.connect(lambda rule: send("set_delta_rule", rule))
    guide.sig_author_demo.connect(window.author_demo.start)
    window.author_demo.sig_result.connect(guide.show_author_result)
    window.author_demo.sig_result.connect(lambda text: say(text, 15000))
    window.landscape_dock = LandscapeDock(window, send)
    window.landscape_view = window.landscape_dock.view
    window.side_room = SideRoom(window, window.main_split, guide, window.landscape_dock)
