"""Sessions in the window: save, open, recent files, examples, and unsaved work on quit.

The trainer owns the weights, so it writes and reads the ``.nnstudio`` files; this module
keeps the window's side: which file the work belongs to, whether it has changed since,
the recent-files list, and the question on quit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from nnstudio.engine.data.datasets import DatasetError, resources_dir
from nnstudio.engine.io.sessionfile import SESSION_SUFFIX

__all__ = ["SessionFiles", "MAX_RECENT", "UNCHANGING_COMMANDS", "examples_dir"]

MAX_RECENT = 8
RECENT_KEY = "session/recent"
SAVE_TIMEOUT_MS = 15_000
FILTER = f"NN Studio sessions (*{SESSION_SUFFIX})"
#: Commands that leave the work as it was (everything else makes it "unsaved").
UNCHANGING_COMMANDS = frozenset({"export", "save_session", "open_session", "snapshot", "set_speed", "pause",
                                 "landscape", "landscape_cut", "check_gradients", "set_layer_view"})


def examples_dir() -> Path | None:
    """The shipped example sessions' folder (``nnstudio.resources``), or None when it is missing."""
    try:
        return resources_dir() / "examples"
    except DatasetError:  # no data files installed: simply no examples
        return None


class SessionFiles(QObject):
    """The window's session file, its unsaved state, and the menus that act on them.

    Signals
    -------
    sig_title_changed(str)
        The window title to show ("NN Studio — spiral.nnstudio •").
    sig_status(str)
        A line for the status bar (why a save on quit did not happen).

    Attributes
    ----------
    trainer_ready
        False while the trainer's process is down: nothing can be saved then.
    """

    sig_title_changed = Signal(str)  # title
    sig_status = Signal(str)  # message

    def __init__(self, window: QWidget, send: Callable[..., None], settings: QSettings | None) -> None:
        super().__init__(window)
        self.window_, self._send, self._settings = window, send, settings
        self.path: Path | None = None
        self.dirty = False
        #: Ask before unsaved work is dropped (off for scripted windows: tests, screenshots).
        self.confirm = True
        self.trainer_ready = True
        self._last_saved: str | None = None
        self.open_action = self._action("&Open session…", "Ctrl+Shift+O", self.open_dialog, "openSessionAction")
        self.save_action = self._action("&Save session", "Ctrl+S", self.save, "saveSessionAction")
        self.save_as_action = self._action("Save session &as…", "Ctrl+Shift+S", self.save_as, "saveSessionAsAction")
        self.recent_menu = QMenu("Recent sessions", window, objectName="recentSessionsMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.examples_menu = QMenu("&Examples", window, objectName="examplesMenu")
        for path in self.example_paths():
            title = path.stem.replace("_", " ").capitalize()
            self.examples_menu.addAction(
                self._action(title, None, lambda _=False, p=path: self.open(p), f"example_{path.stem}")
            )

    def _action(self, text: str, shortcut: str | None, slot, name: str) -> QAction:
        action = QAction(text, self.window_, objectName=name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    @staticmethod
    def example_paths() -> list[Path]:
        folder = examples_dir()
        return sorted(folder.glob(f"*{SESSION_SUFFIX}")) if folder is not None else []

    # -- state -------------------------------------------------------------------------
    def note_command(self, name: str) -> None:
        """Every command the window sends passes here: most of them change the work."""
        if name not in UNCHANGING_COMMANDS and not self.dirty:
            self.dirty = True
            self._update_title()

    def on_saved(self, path: str) -> None:
        self.path, self.dirty = Path(path), False
        self._last_saved = path
        self._remember(path)
        self._update_title()

    def on_opened(self, path: str) -> None:
        self.path, self.dirty = Path(path), False
        if Path(path).parent != examples_dir():
            self._remember(path)
        else:
            self.path = None  # an example is a template: saving asks for a new name
        self._update_title()

    def _update_title(self) -> None:
        name = self.path.name if self.path else "untitled"
        self.sig_title_changed.emit(f"NN Studio — {name}{' •' if self.dirty else ''}")

    # -- commands ----------------------------------------------------------------------
    def ask_open_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.window_, "Open session", "", FILTER)
        return path or None

    def ask_save_path(self) -> str | None:
        start = str(self.path) if self.path else f"session{SESSION_SUFFIX}"
        path, _ = QFileDialog.getSaveFileName(self.window_, "Save session", start, FILTER)
        if path and not path.endswith(SESSION_SUFFIX):
            path += SESSION_SUFFIX
        return path or None

    def open_dialog(self) -> None:
        path = self.ask_open_path()
        if path:
            self.open(path)

    def open(self, path: str | Path) -> None:
        if self.confirm and not self.confirm_discard():
            return
        self._send("open_session", str(path))

    def save(self) -> None:
        if self.path is None:
            self.save_as()
        else:
            self._send("save_session", str(self.path))

    def save_as(self) -> None:
        path = self.ask_save_path()
        if path:
            self._send("save_session", path)

    def save_and_wait(self, saved_signal, failed_signals=()) -> bool:
        """Save, and wait (the event loop running) until the trainer says it is written.

        Any of ``failed_signals`` (a refused command, the trainer's death) ends the wait at
        once; so does a trainer that is already down.
        """
        if not self.trainer_ready:
            self.sig_status.emit("Not saved: the trainer is not running. Restart it (Train › Restart trainer) "
                                 "to save, or quit and discard the changes.")
            return False
        path = str(self.path) if self.path else self.ask_save_path()
        if not path:
            return False
        loop = QEventLoop()
        ending = (saved_signal, *failed_signals)
        for signal in ending:
            signal.connect(loop.quit)
        timeout = QTimer(singleShot=True, interval=SAVE_TIMEOUT_MS)
        timeout.timeout.connect(loop.quit)
        timeout.start()
        self._last_saved = None
        self._send("save_session", path)
        loop.exec()
        timed_out = not timeout.isActive()
        timeout.stop()
        for signal in ending:
            signal.disconnect(loop.quit)
        if self._last_saved == path:
            return True
        if timed_out:
            self.sig_status.emit(f"Not saved: the trainer did not confirm writing {Path(path).name} "
                                 f"within {SAVE_TIMEOUT_MS // 1000} s.")
        return False

    # -- unsaved work ------------------------------------------------------------------
    def ask_unsaved(self) -> QMessageBox.StandardButton:
        """Save, Discard or Cancel (tests replace this)."""
        return QMessageBox.question(
            self.window_, "Unsaved changes", "The current session has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )

    def confirm_discard(self, saved_signal=None, failed_signals=()) -> bool:
        """True when the work may be dropped: saved first, discarded, or nothing to lose.

        ``failed_signals`` end a save's wait at once (see ``save_and_wait``).
        """
        if not self.dirty:
            return True
        answer = self.ask_unsaved()
        if answer == QMessageBox.StandardButton.Discard:
            return True
        if answer == QMessageBox.StandardButton.Save and saved_signal is not None:
            return self.save_and_wait(saved_signal, failed_signals)
        return False

    # -- recent files ------------------------------------------------------------------
    def recent(self) -> list[str]:
        if self._settings is None:
            return []
        value = self._settings.value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value or []]

    def _remember(self, path: str) -> None:
        if self._settings is None:
            return
        paths = [p for p in self.recent() if p != str(path)]
        self._settings.setValue(RECENT_KEY, [str(path), *paths][:MAX_RECENT])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = [p for p in self.recent() if Path(p).exists()]
        if not paths:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for path in paths:
            self.recent_menu.addAction(Path(path).name, lambda p=path: self.open(p)).setToolTip(path)
