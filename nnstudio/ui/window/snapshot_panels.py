"""The window's panels as its draw loop sees them: each takes a snapshot through ``show_snapshot``."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol

from PySide6.QtWidgets import QWidget

from nnstudio.engine.run.snapshot import Snapshot

__all__ = ["SnapshotPanel", "SnapshotFeed", "OptionalPanel"]


class SnapshotPanel(Protocol):
    """A panel, or the presenter in front of one, that shows what a snapshot says.

    Not ``show``: on a widget that is ``QWidget.show``.
    """

    def show_snapshot(self, snapshot: Snapshot) -> None: ...


class SnapshotFeed:
    """A panel whose own way to take a snapshot has another name or needs more than the snapshot."""

    def __init__(self, show: Callable[[Snapshot], None]) -> None:
        self.show_snapshot = show


class OptionalPanel(NamedTuple):
    """A panel the frame budget may leave to a later frame, and the widget whose visibility says it is on screen."""

    panel: SnapshotPanel
    widget: QWidget

    def on_screen(self) -> bool:
        """A hidden tab, a collapsed splitter or a closed side panel is not."""
        widget = self.widget
        return widget.isVisible() and widget.width() > 0 and widget.height() > 0
