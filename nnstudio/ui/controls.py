"""Training controls: step, run, reset, and the settings of gradient descent.

Only widgets and signals: the main window turns the signals into commands for the worker.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..engine.optim import Hyperparameters

__all__ = ["TrainingControls", "SPEEDS"]

#: Run speeds offered: label and cycles per second (None = as fast as it can).
SPEEDS = (
    ("Full speed", None),
    ("100 cycles/s", 100.0),
    ("20 cycles/s", 20.0),
    ("5 cycles/s", 5.0),
    ("1 cycle/s", 1.0),
)
MAX_SEED = 999_999


def _double_spin(name: str, low: float, high: float, step: float, decimals: int, tip: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(objectName=name, toolTip=tip)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setDecimals(decimals)
    spin.setKeyboardTracking(False)  # one signal per finished edit, not per keystroke
    return spin


class TrainingControls(QWidget):
    """Buttons that step and run training, counters, and the learning settings.

    The widget itself is the compact run bar (Step, Run, Reset, seed, counters): the
    window keeps it in view at all times. The settings of gradient descent are a separate
    widget, :attr:`descent_box`, that the window places where there is room (it scrolls
    on a small screen); it follows this widget's enabled state.

    Signals
    -------
    sig_step(int)
        Step this many cycles.
    sig_step_phase()
        Step one phase of a cycle.
    sig_step_epoch()
        Step one epoch.
    sig_run_toggled(bool)
        Run (True) or pause (False).
    sig_reset()
        Start over with the current seed.
    sig_new_seed(int)
        Start over with this new seed.
    sig_hyper_changed(object)
        New ``Hyperparameters``.
    sig_batch_size_changed(object)
        New batch size (int), or None for the full training set.
    sig_speed_changed(object)
        Run speed in cycles per second, or None for full speed.

    Attributes
    ----------
    descent_box : QGroupBox
        "Gradient descent": learning rate, batch size, momentum, noise and L2
        (objectName ``"gradientDescentBox"``), not laid out inside this widget.
    """

    sig_step = Signal(int)  # cycles
    sig_step_phase = Signal()
    sig_step_epoch = Signal()
    sig_run_toggled = Signal(bool)  # running
    sig_reset = Signal()
    sig_new_seed = Signal(int)  # seed
    sig_hyper_changed = Signal(object)  # Hyperparameters
    sig_batch_size_changed = Signal(object)  # int | None
    sig_speed_changed = Signal(object)  # float | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        icons = self.style()
        self.step_button = QPushButton("Step", objectName="stepButton",
                                       toolTip="One feedforward/backprop cycle on one mini-batch (F10)")
        self.step_button.setIcon(icons.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward))
        self.step_phase_button = QPushButton("Step phase", objectName="stepPhaseButton",
                                             toolTip="One phase of a cycle: a layer forward, the loss, "
                                                     "a layer back, or the update (F9)")
        self.step_count_spin = QSpinBox(objectName="stepCountSpin", toolTip="Cycles per press of Step")
        self.step_count_spin.setRange(1, 100_000)
        self.step_count_spin.setPrefix("× ")
        self.step_epoch_button = QPushButton("Step epoch", objectName="stepEpochButton",
                                             toolTip="Cycles until every training row has been seen once (F11)")
        self.step_epoch_button.setIcon(icons.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward))
        self.run_button = QPushButton("Run", objectName="runButton", checkable=True,
                                      toolTip="Train continuously; press again to pause (F5)")
        self.run_button.setIcon(icons.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.reset_button = QPushButton("Reset", objectName="resetButton",
                                        toolTip="Start over from the same initial weights (Ctrl+R)")
        self.reset_button.setIcon(icons.standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.speed_combo = QComboBox(objectName="speedCombo", toolTip="How fast Run goes: slow down to watch each cycle")
        for label, speed in SPEEDS:
            self.speed_combo.addItem(label, speed)
        self.seed_spin = QSpinBox(objectName="seedSpin", toolTip="Seed of the initial weights, batch order and noise")
        self.seed_spin.setRange(0, MAX_SEED)
        self.seed_spin.setKeyboardTracking(False)
        self.new_seed_button = QPushButton("New seed", objectName="newSeedButton",
                                           toolTip="Fresh initial weights: next seed, then reset")

        self.cycle_label = QLabel("0", objectName="cycleCounterLabel")
        self.epoch_label = QLabel("0", objectName="epochCounterLabel")
        for label in (self.cycle_label, self.epoch_label):
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label.setMinimumWidth(70)
            font = label.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            font.setBold(True)
            label.setFont(font)

        # Up to 1e4 so a rate far too high (and the divergence it causes) can be tried;
        # adaptive steps move by about a tenth of the value at any size.
        self.learning_rate_spin = _double_spin("learningRateSpin", 0.0, 10_000.0, 0.05, 4,
                                               "How far each update moves the weights (lr)")
        self.learning_rate_spin.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.batch_size_spin = QSpinBox(objectName="batchSizeSpin",
                                        toolTip="Rows per cycle; 'full' uses the whole training set")
        self.batch_size_spin.setRange(0, 100_000)
        self.batch_size_spin.setSpecialValueText("full")
        self.batch_size_spin.setKeyboardTracking(False)
        self.momentum_spin = _double_spin("momentumSpin", 0.0, 0.99, 0.05, 2,
                                          "Keeps part of the last step's direction (v ← μ·v + g)")
        self.noise_spin = _double_spin("updateNoiseSpin", 0.0, 10.0, 0.01, 3,
                                       "Gaussian noise added to each update, decaying over time: helps escape poor minima")
        self.l2_spin = _double_spin("l2Spin", 0.0, 1.0, 0.001, 4, "L2 regularisation: pulls weights towards zero")

        self._build_layout()
        self.set_hyperparameters(Hyperparameters(), 10)

        self.step_button.clicked.connect(lambda: self.sig_step.emit(self.step_count_spin.value()))
        self.step_epoch_button.clicked.connect(self.sig_step_epoch)
        self.step_phase_button.clicked.connect(self.sig_step_phase)
        self.run_button.toggled.connect(self._on_run_toggled)
        self.reset_button.clicked.connect(self.sig_reset)
        self.new_seed_button.clicked.connect(self._on_new_seed)
        self.seed_spin.valueChanged.connect(self.sig_new_seed)
        self.speed_combo.currentIndexChanged.connect(lambda _: self.sig_speed_changed.emit(self.speed_combo.currentData()))
        for spin in (self.learning_rate_spin, self.momentum_spin, self.noise_spin, self.l2_spin):
            spin.valueChanged.connect(lambda _=None: self.sig_hyper_changed.emit(self.hyperparameters()))
        self.batch_size_spin.valueChanged.connect(lambda _: self.sig_batch_size_changed.emit(self.batch_size()))

    def _build_layout(self) -> None:
        # Three narrow columns, so the run bar fits the side panel of a 1024-pixel screen.
        run_box = QGroupBox("Training", self, objectName="trainingBox")
        grid = QGridLayout(run_box)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        rows = (
            (self.step_button, self.step_count_spin, self.step_phase_button),
            (self.run_button, self.speed_combo, self.step_epoch_button),
            (self.reset_button, self.seed_spin, self.new_seed_button),
        )
        for row, widgets in enumerate(rows):
            for column, widget in enumerate(widgets):
                grid.addWidget(widget, row, column)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        counters = QHBoxLayout()
        for text, label in (("Cycles", self.cycle_label), ("Epochs", self.epoch_label)):
            counters.addWidget(QLabel(text, run_box))
            counters.addWidget(label, 1)
            counters.addSpacing(12)
        grid.addLayout(counters, len(rows), 0, 1, 3)
        # Combo and spin boxes would otherwise ask for their widest item and widen the bar.
        self.speed_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.speed_combo.setMinimumContentsLength(7)
        for widget in (self.step_count_spin, self.seed_spin, self.speed_combo):
            widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            widget.setMinimumWidth(64)

        self.descent_box = QGroupBox("Gradient descent", objectName="gradientDescentBox")
        form = QFormLayout(self.descent_box)
        form.addRow("Learning rate", self.learning_rate_spin)
        form.addRow("Batch size", self.batch_size_spin)
        form.addRow("Momentum", self.momentum_spin)
        form.addRow("Noise", self.noise_spin)
        form.addRow("L2", self.l2_spin)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(run_box)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        # The descent box sits elsewhere in the window, so it does not inherit our state.
        if event.type() == QEvent.Type.EnabledChange:
            self.descent_box.setEnabled(self.isEnabled())
        super().changeEvent(event)

    # -- values ------------------------------------------------------------------------
    def hyperparameters(self) -> Hyperparameters:
        return Hyperparameters(
            learning_rate=self.learning_rate_spin.value(),
            momentum=self.momentum_spin.value(),
            l2=self.l2_spin.value(),
            noise=self.noise_spin.value(),
        )

    def batch_size(self) -> int | None:
        value = self.batch_size_spin.value()
        return None if value == 0 else value

    def set_hyperparameters(self, hyper: Hyperparameters, batch_size: int | None) -> None:
        """Show these settings without emitting anything."""
        pairs = (
            (self.learning_rate_spin, hyper.learning_rate),
            (self.momentum_spin, hyper.momentum),
            (self.noise_spin, hyper.noise),
            (self.l2_spin, hyper.l2),
            (self.batch_size_spin, 0 if batch_size is None else batch_size),
        )
        for spin, value in pairs:
            with QSignalBlocker(spin):
                spin.setValue(value)

    def set_seed(self, seed: int) -> None:
        with QSignalBlocker(self.seed_spin):
            self.seed_spin.setValue(seed)

    def speed(self) -> float | None:
        return self.speed_combo.currentData()

    def set_running(self, running: bool) -> None:
        """Reflect the trainer's state without emitting sig_run_toggled."""
        with QSignalBlocker(self.run_button):
            self.run_button.setChecked(running)
        self._show_run_state(running)

    def set_counters(self, cycles: int, epochs: int) -> None:
        # Plain digits: scripts read the number straight from the label.
        self.cycle_label.setText(str(cycles))
        self.epoch_label.setText(str(epochs))

    # -- handlers ----------------------------------------------------------------------
    def _show_run_state(self, running: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if running else QStyle.StandardPixmap.SP_MediaPlay
        self.run_button.setIcon(self.style().standardIcon(icon))
        self.run_button.setText("Pause" if running else "Run")
        for button in (self.step_button, self.step_epoch_button, self.step_phase_button):
            button.setEnabled(not running)

    def _on_run_toggled(self, running: bool) -> None:
        self._show_run_state(running)
        self.sig_run_toggled.emit(running)

    def _on_new_seed(self) -> None:
        seed = (self.seed_spin.value() + 1) % (MAX_SEED + 1)
        self.set_seed(seed)
        self.sig_new_seed.emit(seed)
