"""NN Studio's window (PySide6 + pyqtgraph). Imports the engine; the engine never imports this."""

from nnstudio.ui.window.main_window import MainWindow

__all__ = ["MainWindow"]
