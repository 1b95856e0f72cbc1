"""Where the window was: its size, place, docks and splitters, saved on close and brought back on open."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QMainWindow, QSplitter

from nnstudio.ui.window.window_layout import DEFAULT_SIZE, SIDE_WIDTH

__all__ = ["restore_geometry", "save_geometry", "LAYOUT_VERSION"]

#: Saved with the window state, so a layout saved by an older version is not restored.
LAYOUT_VERSION = 2


def _splitters(window: QMainWindow) -> dict[str, QSplitter]:
    return {"main": window.main_split, "views": window.views_split, "right": window.right_split}


def restore_geometry(window: QMainWindow, settings: QSettings) -> None:
    """Bring the window back as it was closed (size, place, docks, splitters), or fit the screen."""
    geometry = settings.value("window/geometry")
    if not (isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)):
        _fit_screen(window)
        return
    state = settings.value("window/state")
    if isinstance(state, QByteArray) and window.restoreState(state, LAYOUT_VERSION):
        window.data_dock.sized = True
    for name, splitter in _splitters(window).items():
        sizes = settings.value(f"window/splitters/{name}")
        if isinstance(sizes, QByteArray):
            splitter.restoreState(sizes)
    if not window.guide_dock.isHidden() and window.main_split.sizes()[0] == 0:
        window.side_room.side_before = SIDE_WIDTH  # closed while the guide had the side's room


def _fit_screen(window: QMainWindow) -> None:
    """First start: the default size, or the whole screen when that is smaller."""
    available = window.screen().availableGeometry()
    if DEFAULT_SIZE.width() <= available.width() and DEFAULT_SIZE.height() <= available.height():
        return
    window.resize(DEFAULT_SIZE.boundedTo(available.size()))
    window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def save_geometry(window: QMainWindow, settings: QSettings) -> None:
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState(LAYOUT_VERSION))
    for name, splitter in _splitters(window).items():
        settings.setValue(f"window/splitters/{name}", splitter.saveState())
    settings.remove("window/splitter")  # the three-pane layout of earlier versions
