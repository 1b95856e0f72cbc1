"""The window's side panel: scrolls up and down on a short screen, never cuts anything off on the right.

Only layout: what the panel holds is given to it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

__all__ = ["SidePanel", "SHRINK_SLACK"]

#: The panel narrows only when its content needs this many pixels less than it has.
SHRINK_SLACK = 24


class SidePanel(QScrollArea):
    """A vertical scroll area exactly as wide as its content needs, whatever it shows.

    A plain scroll area takes its minimum width once; content that later needs more
    (the digits views of a real dataset) would be clipped on the right. This one follows
    the content's minimum width, plus room for the scroll bar, as it changes.

    Parameters
    ----------
    content : QWidget
        What the panel scrolls.
    object_name : str
        The panel's objectName.
    """

    def __init__(self, content: QWidget, object_name: str) -> None:
        super().__init__(objectName=object_name, widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)
        content.installEventFilter(self)
        self._follow_content()

    def _follow_content(self) -> None:
        content = self.widget()
        if content is not None:
            needed = content.minimumSizeHint().expandedTo(content.minimumSize()).width()
            needed += self.verticalScrollBar().sizeHint().width()
            # Grown at once; shrunk only by a real change of content: a read-out whose text
            # changes width every frame ("predicted: 3 (87%)") would otherwise move the
            # splitter, and relay out and repaint every view beside it, 30 times a second.
            if needed > self.minimumWidth() or needed < self.minimumWidth() - SHRINK_SLACK:
                self.setMinimumWidth(needed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The content's layout asks for a new geometry when what it shows changes.
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._follow_content()
        return super().eventFilter(watched, event)
