"""The status bar: passing messages, the last evaluation's metrics, and the notice that the trainer has stopped."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QPushButton

from nnstudio.engine.nn.evaluation import Evaluation
from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.plotting.numbers import format_number, format_percent

__all__ = ["WindowStatus", "metrics_text", "gradient_check_text"]

#: Relative error under which backprop and finite differences agree.
GRADIENTS_AGREE_BELOW = 1e-6


def metrics_text(e: Evaluation) -> str:
    """The whole-split losses, and the accuracies for classification ("train loss 0.12 · …")."""
    text = f"train loss {format_number(e.train_loss)} · test loss {format_number(e.test_loss)}"
    if e.train_accuracy == e.train_accuracy:  # NaN for regression
        text += f" · train acc {format_percent(e.train_accuracy)} · test acc {format_percent(e.test_accuracy)}"
    return text


def gradient_check_text(results: list) -> tuple[str, str]:
    """The verdict ("agree" or "DISAGREE") and the report, a line per layer, of a gradient check."""
    lines = [f"W{layer}: relative error {error:.2e} ({checked} of {total} weights checked)"
             for layer, error, checked, total in results]
    verdict = "agree" if all(r[1] < GRADIENTS_AGREE_BELOW for r in results) else "DISAGREE"
    return verdict, f"Backprop and finite differences {verdict} on the current batch.\n\n" + "\n".join(lines)


class WindowStatus(QObject):
    """The window's status bar and the message boxes that go with its messages.

    Attributes
    ----------
    metrics_label
        The last evaluation's losses and accuracies (objectName ``metricsLabel``).
    trainer_stopped_label, restart_button
        Shown only while the trainer is down (``trainerStoppedLabel``, ``restartTrainerButton``);
        permanent widgets, so no passing message hides them.
    """

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        bar = self.bar = window.statusBar()
        self.metrics_label = QLabel(objectName="metricsLabel")
        self.trainer_stopped_label = QLabel(objectName="trainerStoppedLabel", textFormat=Qt.TextFormat.PlainText)
        self.trainer_stopped_label.setStyleSheet("color: #b00020;")
        self.restart_button = QPushButton("Restart trainer", objectName="restartTrainerButton",
                                          toolTip="Start a new trainer from the last checkpoint")
        for widget in (self.trainer_stopped_label, self.restart_button):
            bar.addPermanentWidget(widget)
            widget.hide()
        bar.addPermanentWidget(self.metrics_label)
        # The window's frame resizes it; the grip's corner is better spent on the messages.
        bar.setSizeGripEnabled(False)

    def say(self, text: str, milliseconds: int = 0) -> None:
        self.bar.showMessage(text, milliseconds)

    def withdraw(self, text: str) -> None:
        """Clear ``text`` from the status bar if it is still the message shown (it no longer holds)."""
        if self.bar.currentMessage() == text:
            self.bar.clearMessage()

    def show_snapshot(self, s: Snapshot) -> None:
        """The metrics of ``s`` and its message, if it has one."""
        if s.evaluation is not None:
            self.metrics_label.setText(metrics_text(s.evaluation))
        if s.message:
            self.bar.showMessage(s.message, 6000)

    def show_trainer_stopped(self, message: str, restartable: bool) -> None:
        self.trainer_stopped_label.setText(message)
        self.trainer_stopped_label.setToolTip(message)
        self.trainer_stopped_label.show()
        self.restart_button.setVisible(restartable)
        self.bar.clearMessage()

    def hide_trainer_stopped(self) -> None:
        self.trainer_stopped_label.hide()
        self.restart_button.hide()

    def show_exported(self, path: str) -> None:
        self.bar.showMessage(f"Weights written to {path}", 8000)

    def show_session_saved(self, path: str) -> None:
        self.bar.showMessage(f"Session saved to {path}", 8000)

    def show_error(self, message: str) -> None:
        """A refused command: said in the status bar and in a box that does not block the window."""
        self.bar.showMessage(message, 8000)
        box = QMessageBox(QMessageBox.Icon.Warning, "NN Studio", message, parent=self._window)
        box.setTextFormat(Qt.TextFormat.PlainText)  # it may quote a file's name
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_gradient_check(self, results: list) -> None:
        """Backprop against finite differences, per layer: the verdict here, the numbers in a box."""
        verdict, text = gradient_check_text(results)
        self.bar.showMessage(f"Gradient check: backprop and finite differences {verdict}.", 8000)
        box = QMessageBox(QMessageBox.Icon.Information, "Check gradients", text, parent=self._window)
        box.setObjectName("gradientCheckBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
