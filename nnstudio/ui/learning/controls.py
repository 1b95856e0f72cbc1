"""Training controls: step, run, reset, and the settings of gradient descent.

Only widgets and signals: the main window turns the signals into commands for the worker.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QStandardItemModel
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

from nnstudio.engine.nn.losses import CROSS_ENTROPY_OUTPUTS, LOSSES
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.seeds import next_seed
from nnstudio.ui.data.seed_box import SeedSpinBox
from nnstudio.ui.learning.speed_slider import SPEEDS, SpeedSlider, speed_text
from nnstudio.ui.learning.training_defaults import RateMemory, starting_point

__all__ = ["TrainingControls", "LOSS_LABELS"]

#: How each of the engine's losses reads in the combo box.
LOSS_LABELS = {"mse": "MSE", "cross_entropy": "Cross-entropy"}

_LOSS_TIPS = {
    "enabled": "The loss gradient descent minimises. Changing it re-initialises the weights.\n"
               "MSE: Σ error² / outputs. Cross-entropy: −Σ t·log y, for class probabilities.",
    "disabled": "Cross-entropy needs class targets and a sigmoid or softmax output layer; "
                "this network's output is {output}, so it trains on MSE.",
}


def _double_spin(name: str, low: float, high: float, step: float, decimals: int, tip: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(objectName=name, toolTip=tip)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setDecimals(decimals)
    spin.setKeyboardTracking(False)  # one signal per finished edit, not per keystroke
    return spin


class TrainingControls(QWidget):
    """Buttons that step and run training, counters, and the learning settings.

    The widget itself is the compact run bar (Step, Run, the speed, Reset, the seed,
    counters): the window keeps it in view at all times. The settings of gradient descent
    are a separate widget, :attr:`descent_box`, that the window places where there is room
    (it scrolls on a small screen); it follows this widget's enabled state.

    Each dataset starts from its own learning rate and run speed
    (:mod:`~nnstudio.ui.learning.training_defaults`) unless the learner chose their own: a rate set
    while on a dataset comes back with that dataset; a speed the learner chose stays for
    every dataset.

    Attributes
    ----------
    descent_box : QGroupBox
        "Gradient descent": learning rate, batch size, momentum, noise, L1, L2 and the
        loss (objectName ``"gradientDescentBox"``), not laid out inside this widget.
    speed_slider : SpeedSlider
        objectName ``"speedCombo"`` (the name of the combo box it replaced); also
        reachable as ``speed_combo``. ``speed_label`` (``"speedLabel"``) reads its value.
    """

    sig_step = Signal(int)  # step this many cycles
    sig_step_phase = Signal()  # step one phase of a cycle
    sig_step_epoch = Signal()
    sig_run_toggled = Signal(bool)  # run (True) or pause (False)
    sig_reset = Signal()  # start over with the current seed
    sig_new_seed = Signal(int)  # start over with this seed
    sig_hyper_changed = Signal(object)  # Hyperparameters
    sig_batch_size_changed = Signal(object)  # rows per cycle, None for the full training set
    sig_speed_changed = Signal(object)  # cycles per second, None for full speed
    sig_loss_changed = Signal(str)  # the engine's loss name, "mse" or "cross_entropy"
    sig_status = Signal(str)  # a line for the status bar

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
        self.step_count_spin.setAccessibleName("Cycles per step")
        self.step_epoch_button = QPushButton("Step epoch", objectName="stepEpochButton",
                                             toolTip="Cycles until every training row has been seen once (F11)")
        self.step_epoch_button.setIcon(icons.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward))
        self.run_button = QPushButton("Run", objectName="runButton", checkable=True,
                                      toolTip="Train continuously at the speed below; press again to pause (F5)")
        self.run_button.setIcon(icons.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.reset_button = QPushButton("Reset", objectName="resetButton",
                                        toolTip="Start over from the same initial weights: those of the seed (Ctrl+R)")
        self.reset_button.setIcon(icons.standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.speed_slider = SpeedSlider()
        self.speed_combo = self.speed_slider  # its name while it was a combo box
        self.speed_label = QLabel(objectName="speedLabel")
        self.speed_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.speed_caption = QLabel("Speed", objectName="speedCaption")
        self.speed_caption.setBuddy(self.speed_slider)
        speed_tip = ("How fast Run goes, from 1 cycle a second (watch each cycle) to full speed "
                     "(as fast as this computer trains)")
        for widget in (self.speed_slider, self.speed_label, self.speed_caption):
            widget.setToolTip(speed_tip)
        self.seed_spin = SeedSpinBox(objectName="seedSpin",
                                     toolTip="Seed of the initial weights, batch order and noise: "
                                             "the same seed replays the same run")
        self.seed_spin.setAccessibleName("Seed")
        self.seed_label = QLabel("Seed", objectName="seedLabel", toolTip=self.seed_spin.toolTip())
        self.seed_label.setBuddy(self.seed_spin)
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
                                       "Gaussian noise added to each update, decaying over time: "
                                       "helps escape poor minima")
        self.l1_spin = _double_spin("l1Spin", 0.0, 1.0, 0.001, 4,
                                    "L1 regularisation: pulls every weight towards zero by the same amount, "
                                    "so small ones end at zero (adds l1·sign(w) to the gradient)")
        self.l2_spin = _double_spin("l2Spin", 0.0, 1.0, 0.001, 4,
                                    "L2 regularisation: pulls weights towards zero, large ones most (adds l2·w)")
        self.loss_combo = QComboBox(objectName="lossCombo", toolTip=_LOSS_TIPS["enabled"])
        for name in LOSSES:
            self.loss_combo.addItem(LOSS_LABELS[name], name)
        self._noise_decay = Hyperparameters().noise_decay  # not shown: kept as the trainer has it

        # What each dataset starts with, and what the learner chose instead.
        self._rates = RateMemory()
        self._speed_chosen = False  # the learner moved the speed slider
        self._applying = False  # a change made here, not by the learner

        self._build_layout()
        self.set_hyperparameters(Hyperparameters(), 10)
        self._set_speed(starting_point("xor")[1])

        self.step_button.clicked.connect(lambda: self.sig_step.emit(self.step_count_spin.value()))
        self.step_epoch_button.clicked.connect(self.sig_step_epoch)
        self.step_phase_button.clicked.connect(self.sig_step_phase)
        self.run_button.toggled.connect(self._on_run_toggled)
        self.reset_button.clicked.connect(self.sig_reset)
        self.new_seed_button.clicked.connect(self._on_new_seed)
        self.seed_spin.valueChanged.connect(self.sig_new_seed)
        self.speed_slider.valueChanged.connect(self._on_speed_moved)
        for spin in (self.learning_rate_spin, self.momentum_spin, self.noise_spin, self.l1_spin, self.l2_spin):
            spin.valueChanged.connect(lambda _=None: self.sig_hyper_changed.emit(self.hyperparameters()))
        self.learning_rate_spin.valueChanged.connect(self._on_rate_edited)
        self.batch_size_spin.valueChanged.connect(lambda _: self.sig_batch_size_changed.emit(self.batch_size()))
        self.loss_combo.currentIndexChanged.connect(lambda _: self.sig_loss_changed.emit(self.loss()))

    def _build_layout(self) -> None:
        # Three narrow columns, so the run bar fits the side panel of a 1024-pixel screen.
        run_box = QGroupBox("Training", self, objectName="trainingBox")
        grid = QGridLayout(run_box)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        rows = (
            (self.step_button, self.step_count_spin, self.step_phase_button),
            (self.run_button, self.step_epoch_button, self.reset_button),
        )
        for row, widgets in enumerate(rows):
            for column, widget in enumerate(widgets):
                grid.addWidget(widget, row, column)
        speed_row = QHBoxLayout()
        speed_row.setSpacing(6)
        speed_row.addWidget(self.speed_caption)
        speed_row.addWidget(self.speed_slider, 1)
        speed_row.addWidget(self.speed_label)
        grid.addLayout(speed_row, 2, 0, 1, 3)
        seed_row = QHBoxLayout()
        seed_row.setSpacing(6)
        seed_row.addWidget(self.seed_label)
        seed_row.addWidget(self.seed_spin, 1)
        grid.addLayout(seed_row, 3, 0, 1, 2)
        grid.addWidget(self.new_seed_button, 3, 2)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        counters = QHBoxLayout()
        for text, label in (("Cycles", self.cycle_label), ("Epochs", self.epoch_label)):
            counters.addWidget(QLabel(text, run_box))
            counters.addWidget(label, 1)
            counters.addSpacing(12)
        grid.addLayout(counters, 4, 0, 1, 3)
        # The widest reading sets the label's width, so the slider does not jump as it changes.
        metrics = self.speed_label.fontMetrics()
        self.speed_label.setMinimumWidth(max(metrics.horizontalAdvance(text) for text, _ in SPEEDS) + 2)
        # Spin boxes would otherwise ask for their widest value and widen the bar.
        for widget in (self.step_count_spin, self.seed_spin):
            widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            widget.setMinimumWidth(64)
        self.speed_slider.setMinimumWidth(80)

        self.descent_box = QGroupBox("Gradient descent", objectName="gradientDescentBox")
        form = QFormLayout(self.descent_box)
        # Mnemonics clear of the data panel's (D, N, M, T, E, R, W) and the menus' (F, A, V, H).
        rows = (("&Learning rate", self.learning_rate_spin), ("&Batch size", self.batch_size_spin),
                ("M&omentum", self.momentum_spin), ("No&ise", self.noise_spin), ("L&1", self.l1_spin),
                ("L&2", self.l2_spin), ("Lo&ss", self.loss_combo))
        for text, field in rows:
            label = QLabel(text, self.descent_box)
            label.setBuddy(field)
            field.setAccessibleName(text.replace("&", ""))
            form.addRow(label, field)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(run_box)

    def changeEvent(self, event: QEvent) -> None:
        # The descent box sits elsewhere in the window, so it does not inherit our state.
        if event.type() == QEvent.Type.EnabledChange:
            self.descent_box.setEnabled(self.isEnabled())
        super().changeEvent(event)

    # -- values ------------------------------------------------------------------------
    def hyperparameters(self) -> Hyperparameters:
        return Hyperparameters(
            learning_rate=self.learning_rate_spin.value(),
            momentum=self.momentum_spin.value(),
            l1=self.l1_spin.value(),
            l2=self.l2_spin.value(),
            noise=self.noise_spin.value(),
            noise_decay=self._noise_decay,
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
            (self.l1_spin, hyper.l1),
            (self.l2_spin, hyper.l2),
            (self.batch_size_spin, 0 if batch_size is None else batch_size),
        )
        for spin, value in pairs:
            with QSignalBlocker(spin):
                spin.setValue(value)
        self._noise_decay = hyper.noise_decay

    def loss(self) -> str:
        return self.loss_combo.currentData()

    def set_loss(self, loss: str, output_activation: str) -> None:
        """Show ``loss`` without emitting; cross-entropy is offered only for a sigmoid or softmax output."""
        allowed = output_activation in CROSS_ENTROPY_OUTPUTS
        item = self.loss_combo.model().item(self.loss_combo.findData("cross_entropy")) \
            if isinstance(self.loss_combo.model(), QStandardItemModel) else None
        if item is not None:
            item.setEnabled(allowed)
        self.loss_combo.setToolTip(_LOSS_TIPS["enabled"] if allowed
                                   else _LOSS_TIPS["disabled"].format(output=output_activation))
        index = self.loss_combo.findData(loss)
        if index >= 0:
            with QSignalBlocker(self.loss_combo):
                self.loss_combo.setCurrentIndex(index)

    def set_seed(self, seed: int) -> None:
        with QSignalBlocker(self.seed_spin):
            self.seed_spin.setValue(seed)

    def speed(self) -> float | None:
        return self.speed_slider.speed()

    def set_running(self, running: bool) -> None:
        """Reflect the trainer's state without emitting sig_run_toggled."""
        with QSignalBlocker(self.run_button):
            self.run_button.setChecked(running)
        self._show_run_state(running)

    def set_counters(self, cycles: int, epochs: int) -> None:
        # Plain digits: scripts read the number straight from the label.
        self.cycle_label.setText(str(cycles))
        self.epoch_label.setText(str(epochs))

    # -- each dataset's starting point ---------------------------------------------------
    def show_data_in_use(self, key: str, label: str, task: str | None) -> None:
        """The trainer has this data now: its speed, unless the learner chose one; the rate is left alone.

        Always emits ``sig_speed_changed``: a trainer that has just started (or restarted)
        learns the speed this way.
        """
        rate, speed = self._rates.use(key, task)
        if not self._speed_chosen:
            self._set_speed(speed)
        self.learning_rate_spin.setToolTip(f"How far each update moves the weights (lr); "
                                           f"{rate:g} is a good start for this data")
        self.sig_speed_changed.emit(self.speed())

    def apply_dataset_defaults(self, key: str, label: str, task: str | None) -> str:
        """The learner picked other data: its learning rate and speed, unless they chose their own.

        The rate is the one the learner set while on this data before, else the data's
        starting rate. Emits ``sig_hyper_changed`` and ``sig_speed_changed`` for what
        changed (before the window sends the new data, so the new run starts with them)
        and returns a line for the status bar saying what was applied ("" if nothing).
        """
        rate, speed = self._rates.use(key, task)
        own = self._rates.own_rate(key)
        notes = []
        target = rate if own is None else own
        if target != self.learning_rate_spin.value():
            self._applying = True
            try:
                self.learning_rate_spin.setValue(target)  # emits sig_hyper_changed
            finally:
                self._applying = False
            if own is None:
                notes.append(f"Learning rate {target:g}, a good start for {label}.")
            else:
                notes.append(f"Learning rate {target:g}, the one you set for {label}.")
        if not self._speed_chosen and self.speed() != speed:
            self._set_speed(speed)
            self.sig_speed_changed.emit(self.speed())
            notes.append(f"Run speed {speed_text(speed)}.")
        return " ".join(notes)

    def _on_rate_edited(self, value: float) -> None:
        if not self._applying:
            self._rates.learner_set(value)

    # -- handlers ----------------------------------------------------------------------
    def _set_speed(self, speed: float | None) -> None:
        with QSignalBlocker(self.speed_slider):
            self.speed_slider.setValue(SpeedSlider.index_of(speed))
        self.speed_label.setText(self.speed_slider.currentText())

    def _on_speed_moved(self, _index: int) -> None:
        self.speed_label.setText(self.speed_slider.currentText())
        self._speed_chosen = True  # the window's own changes go through _set_speed, silently
        self.sig_speed_changed.emit(self.speed())

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
        seed = next_seed(self.seed_spin.value())
        self.set_seed(seed)
        self.sig_new_seed.emit(seed)
