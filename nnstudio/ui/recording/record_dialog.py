"""File › Record animation…: the settings, the file, then a progress dialog with Stop and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnstudio.ui.plotting.figure_export import ask_export_path
from nnstudio.ui.recording.animation_writer import FILE_FILTERS, library_problem
from nnstudio.ui.recording.frame_composer import window_problem
from nnstudio.ui.recording.record_settings import PANELS, RecordSettings
from nnstudio.ui.recording.recorder import Recorder

__all__ = ["RecordAnimationAction", "RecordDialog", "RecordProgressDialog"]

HEIGHTS = (270, 360, 480, 720)


class RecordDialog(QDialog):
    """What to record: panels, cycles, a frame every N cycles, frames per second, frame height."""

    def __init__(self, parent: QWidget | None, settings: RecordSettings, note: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("recordDialog")
        self.setWindowTitle("Record animation")
        self.panels_combo = QComboBox(objectName="recordPanelsCombo")
        for key, label in PANELS.items():
            self.panels_combo.addItem(label, key)
        self.panels_combo.setCurrentIndex(self.panels_combo.findData(settings.panels))
        self.cycles_spin = self._spin("recordCyclesSpin", 1, 1_000_000, settings.cycles)
        self.every_spin = self._spin("recordEverySpin", 1, 100_000, settings.every)
        self.fps_spin = self._spin("recordFpsSpin", 1, 50, settings.fps)
        self.height_combo = QComboBox(objectName="recordHeightCombo")
        for height in HEIGHTS:
            self.height_combo.addItem(f"{height} px", height)
        self.height_combo.setCurrentIndex(max(0, self.height_combo.findData(settings.height)))
        self.summary = QLabel(objectName="recordSummary", wordWrap=True)
        form = QFormLayout()
        form.addRow("&Panels:", self.panels_combo)
        form.addRow("&Cycles to record:", self.cycles_spin)
        form.addRow("A frame &every:", self._with_unit(self.every_spin, "cycles"))
        form.addRow("&Frames per second:", self.fps_spin)
        form.addRow("Frame &height:", self.height_combo)
        explanation = QLabel(
            "Recording steps the training for you and takes a frame at exactly every N-th cycle, "
            "so the same seed gives the same animation. Stop ends it early and keeps the file; "
            "Cancel keeps nothing (training keeps the cycles it ran either way).",
            wordWrap=True,
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Record…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        if note:
            note_label = QLabel(note, objectName="recordNote", wordWrap=True, textFormat=Qt.TextFormat.PlainText)
            layout.addWidget(note_label)
        layout.addWidget(explanation)
        layout.addWidget(buttons)
        for spin in (self.cycles_spin, self.every_spin, self.fps_spin):
            spin.valueChanged.connect(self._update_summary)
        self._update_summary()

    @staticmethod
    def _spin(name: str, low: int, high: int, value: int) -> QSpinBox:
        spin = QSpinBox(objectName=name)
        spin.setRange(low, high)
        spin.setValue(value)
        return spin

    @staticmethod
    def _with_unit(spin: QSpinBox, unit: str) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(spin, 1)
        row.addWidget(QLabel(unit))
        return box

    def settings(self) -> RecordSettings:
        return RecordSettings(
            panels=self.panels_combo.currentData(), cycles=self.cycles_spin.value(),
            every=self.every_spin.value(), fps=self.fps_spin.value(), height=self.height_combo.currentData(),
        )

    def _update_summary(self) -> None:
        s = self.settings()
        seconds = s.frames / s.fps
        self.summary.setText(f"{s.frames} frames, {seconds:.1f} s at {s.fps} frames per second "
                             f"(the last frame held 2 s more).")


class RecordProgressDialog(QDialog):
    """Cycles recorded out of those asked for, with Stop (keep the file) and Cancel (keep nothing)."""

    def __init__(self, parent: QWidget, recorder: Recorder) -> None:
        super().__init__(parent)
        self.setObjectName("recordProgressDialog")
        self.setWindowTitle("Recording animation")
        self.setWindowModality(Qt.WindowModality.WindowModal)  # the recorder drives training meanwhile
        self.recorder = recorder
        self.label = QLabel(f"Recording to {recorder.path.name}…", objectName="recordProgressLabel",
                            textFormat=Qt.TextFormat.PlainText)
        self.bar = QProgressBar(objectName="recordProgressBar")
        self.bar.setRange(0, recorder.settings.cycles)
        self.bar.setValue(0)
        self.bar.setFormat("%v of %m cycles")
        self.stop_button = QPushButton("&Stop and save", objectName="recordStopButton")
        self.cancel_button = QPushButton("Cancel", objectName="recordCancelButton")
        self.stop_button.clicked.connect(recorder.stop)
        self.cancel_button.clicked.connect(recorder.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        self.setMinimumWidth(380)
        recorder.sig_progress.connect(self._on_progress)
        recorder.sig_finishing.connect(self._on_finishing)
        recorder.sig_finished.connect(lambda *_: self.done(QDialog.DialogCode.Accepted))

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setValue(done)

    def _on_finishing(self) -> None:
        self.label.setText(f"Finishing {self.recorder.path.name}…")
        self.stop_button.setEnabled(False)
        self.cancel_button.setEnabled(False)  # the file is being closed: it will be there

    def reject(self) -> None:  # Escape or the title bar's close: the same as Cancel
        self.recorder.cancel()


class RecordAnimationAction(QAction):
    """File › Record animation… (objectName ``recordAnimationAction``).

    Without Pillow (GIF) and imageio-ffmpeg (MP4) it says how to install them instead.
    ``ask_settings`` and ``ask_path`` are the places dialogs open, so tests replace them.
    """

    def __init__(self, window, report) -> None:
        super().__init__("Record &animation…", window, objectName="recordAnimationAction")
        self.setToolTip("Write the run as an animated GIF or MP4: a frame every N cycles of the network, "
                        "the decision boundary and the loss")
        self.window_ = window
        self._report = report
        self.settings = RecordSettings()
        self.recorder: Recorder | None = None
        self.progress: RecordProgressDialog | None = None
        self.triggered.connect(self.record)

    def available_formats(self) -> tuple[dict[str, str], list[str]]:
        """File filters whose encoder is installed, and the install hints of those that are not."""
        filters, hints = {}, []
        for description, suffix in FILE_FILTERS.items():
            problem = library_problem(suffix)
            if problem:
                hints.append(problem)
            else:
                filters[description] = suffix
        return filters, hints

    def ask_settings(self, note: str) -> RecordSettings | None:
        dialog = RecordDialog(self.window_, self.settings, note)
        return dialog.settings() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_path(self, filters: dict[str, str]) -> str | None:
        default = "training" + next(iter(filters.values()))
        return ask_export_path(self.window_, "Record animation", default, filters)

    def _tell(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Record animation", text, parent=self.window_)
        box.setObjectName("recordMessageBox")
        box.setTextFormat(Qt.TextFormat.PlainText)  # it may quote a file's name
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def record(self) -> None:
        if self.recorder is not None:
            return  # one recording at a time
        filters, hints = self.available_formats()
        if not filters:
            self._tell("Recording an animation needs an encoder, and none is installed.\n\n" + "\n".join(hints))
            return
        latest = self.window_.latest
        note = "\n".join(hints)
        if latest is not None and latest.rewound:
            note = (f"The run is rewound to cycle {latest.cycle}: recording goes on from there and drops "
                    "the later cycles, as Continue from here does.\n" + note).strip()
        settings = self.ask_settings(note)
        if settings is None:
            return
        self.settings = settings
        problem = window_problem(self.window_, settings.panels)
        if problem:
            self._tell(problem)
            return
        path = self.ask_path(filters)
        if not path:
            return
        recorder = Recorder(self.window_, path, settings)
        try:
            recorder.start()
        except ValueError as exc:
            recorder.deleteLater()
            self._tell(str(exc))
            return
        self.recorder = recorder
        recorder.sig_finished.connect(self._on_finished)
        self.progress = RecordProgressDialog(self.window_, recorder)
        self.progress.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.progress.show()

    def _on_finished(self, _written: bool, message: str) -> None:
        self._report(message)
        if self.recorder.outcome in ("failed", "empty"):
            self._tell(message)
        self.recorder.deleteLater()
        self.recorder = None
        self.progress = None
