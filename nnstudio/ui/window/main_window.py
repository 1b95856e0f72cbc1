"""The NN Studio window: composes the panels, menus and status bar, and talks to the worker."""

from __future__ import annotations

import gc
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nnstudio.engine.io.sessionfile import SessionFileError, read_pinned_runs
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.snapshot import DataView, Snapshot, newest_of
from nnstudio.ui.data.data_presenter import DataPresenter, data_label
from nnstudio.ui.data.data_table import DataTable
from nnstudio.ui.data.dataset_panel import DatasetPanel
from nnstudio.ui.data.insight_views import InsightStack
from nnstudio.ui.learning.compare_view import AuthorVariantDemo, PinnedRunsPanel
from nnstudio.ui.learning.controls import TrainingControls
from nnstudio.ui.learning.guide import GuideDemonstrations, GuideDock
from nnstudio.ui.learning.landscape_view import LandscapeDock
from nnstudio.ui.learning.layer_view import LayerView
from nnstudio.ui.learning.learning_presenter import LearningPresenter
from nnstudio.ui.learning.timeline_bar import TimelineBar
from nnstudio.ui.network.inspector import NeuronInspector
from nnstudio.ui.network.network_canvas import NetworkCanvas
from nnstudio.ui.plotting.gradient_norm_plot import GradientNormPlot
from nnstudio.ui.plotting.layer_heatmaps import LayerHeatmaps
from nnstudio.ui.plotting.numbers import format_number, format_percent
from nnstudio.ui.plotting.loss_plot import LossPlot
from nnstudio.ui.recording.record_dialog import RecordAnimationAction
from nnstudio.ui.window.export_menu import ExportMenu, ImportWeightsAction
from nnstudio.ui.window.frame_budget import FrameBudget
from nnstudio.ui.window.session_menu import SessionFiles
from nnstudio.ui.window.settings import load_config, save_config
from nnstudio.ui.window.side_panel import SidePanel
from nnstudio.ui.window.worker import TrainingWorker, default_log_path, exit_if_trainer_bootstrapping

__all__ = ["MainWindow"]

#: The window redraws at most this often, whatever the trainer sends.
DRAW_INTERVAL_MS = 33
#: The panels that may wait a frame or two while training streams snapshots (the frame budget's).
OPTIONAL_PANELS = ("loss", "data", "heatmaps")
#: While snapshots stream, the loss curves (a pixel's move or less a frame) draw every other frame.
LOSS_EVERY = 2
JOIN_TIMEOUT_MS = 3000
#: The first window, before any saved geometry; a smaller screen gets a window that fits it.
DEFAULT_SIZE = QSize(1440, 880)
#: The canvas may get this narrow, so that a 1024-pixel screen holds the whole window.
MIN_CANVAS_WIDTH = 220
MIN_VIEW_WIDTH = 200
SIDE_WIDTH = 300
#: Below this width the side panel makes room for the guide while it is open.
GUIDE_TAKES_SIDE_BELOW = 1200
#: Saved with the window state, so a layout saved by an older version is not restored.
LAYOUT_VERSION = 2
FIRST_HINT = "Press Step (F10) for one feedforward/backprop cycle, or Run (F5) to watch it learn {dataset}."


def _freeze_live_objects() -> None:
    """Leave the objects alive now out of Python's full garbage collections until the next call.

    A full collection walks every tracked object (some 80,000 with the window up): a
    15-30 ms stall at a random moment of a run. The objects alive once a run's first
    snapshot is drawn (modules, classes, the window's widgets, the canvas's items for
    this network) mostly live as long as the run, so they are frozen then, and later
    collections walk only what is newer. Unfrozen and collected first, so that what an
    earlier run left behind is freed, not kept for good.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _fmt(value: float, percent: bool = False) -> str:
    return format_percent(value) if percent else format_number(value)


class MainWindow(QMainWindow):
    """The whole app's window; constructible with no arguments.

    Signals
    -------
    sig_command(object)
        A ``(name, args)`` command for the trainer, delivered to the worker's thread.
    sig_restart(object)
        Start a new trainer (the last one died); the ``SessionConfig`` to use without a checkpoint.

    Attributes
    ----------
    canvas, dataset_panel, controls, loss_plot, activation_heatmap, weight_delta_heatmap
        The panels.
    latest
        The newest Snapshot drawn (None before the first).
    data_view
        The data as last drawn (a ``DataView``).
    trainer_running
        False from the trainer's death until Restart trainer: commands are not sent meanwhile.
    frame_budget
        The ``FrameBudget`` that picks the optional panels (loss curves, data views,
        heatmaps) each frame draws while snapshots stream in.
    log_path
        Where tracebacks of unexpected errors go (the trainer's and, under ``run_app``, the window's).
    """

    sig_command = Signal(object)  # (name, args)
    sig_restart = Signal(object)  # SessionConfig

    def __init__(self, config: SessionConfig | None = None, remember: bool = True,
                 confirm_close: bool | None = None, log_path: str | Path | None = None) -> None:
        exit_if_trainer_bootstrapping()  # before anything: a window must not open in the trainer's process
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle("NN Studio")
        self._settings = QSettings("nnstudio", "NN Studio") if remember else None
        if config is None:
            config = load_config(self._settings) if self._settings is not None else SessionConfig()
        self.config = config
        self.latest: Snapshot | None = None
        self._pending: Snapshot | None = None
        self._generation = -1
        self._drawn_spec = None
        self.frame_budget = FrameBudget(OPTIONAL_PANELS, every={"loss": LOSS_EVERY})
        self._frame_seconds: float | None = None  # the last frame's setters, its repaint still to add
        self._repaint_seconds = 0.0  # Qt's repaints of the window since that frame
        self._loss_drawn: tuple | None = None  # (generation, history marks) the loss plot shows
        self._closing = False
        self.trainer_running = True
        self._announce_restart = False
        self.log_path = Path(log_path) if log_path is not None else default_log_path()
        # Scripted windows (tests, screenshots) never stop to ask about unsaved work.
        self.confirm_close = remember if confirm_close is None else confirm_close

        self._build_panels()
        self._build_menus()
        self._show_config(config)
        self._connect()
        self._start_worker(config)
        self._restore_geometry()
        self.statusBar().showMessage(FIRST_HINT.format(dataset=data_label(config.data.name)))

    # -- construction ------------------------------------------------------------------
    def _build_panels(self) -> None:
        self.canvas = NetworkCanvas()
        self.dataset_panel = DatasetPanel()
        self.controls = TrainingControls()
        self.loss_plot = LossPlot()
        self.activation_heatmap = LayerHeatmaps(
            kind="activations", heading="Neuron activations of the last batch (samples × neurons)",
            object_name="activationHeatmap",
        )
        self.weight_delta_heatmap = LayerHeatmaps(
            kind="deltas", heading="Weight deltas of the last update (from neuron × to neuron)",
            object_name="weightDeltaHeatmap",
        )
        self.add_layer_button = QPushButton("+ Layer", objectName="addLayerButton",
                                            toolTip="Add a hidden layer before the output (re-initialises the weights)")
        self.remove_layer_button = QPushButton("− Layer", objectName="removeLayerButton",
                                               toolTip="Remove the last hidden layer (re-initialises the weights)")
        self.network_summary = QLabel(objectName="networkSummary")
        # Never train with the author's rule unknowingly: it is named beside the network.
        self.delta_rule_badge = QLabel("Delta rule: += (author's variant)", objectName="deltaRuleBadge",
                                       toolTip="Backprop adds to the blame hidden layers kept (the guide's experiment); "
                                               "Reset goes back to the standard =")
        self.delta_rule_badge.setStyleSheet("border: 1px solid #5f6368; border-radius: 3px; padding: 0 4px;")
        self.delta_rule_badge.hide()
        self.pinned_runs = PinnedRunsPanel()

        # The side panel scrolls on a short screen; the run bar under it stays in view.
        left_content = QWidget()
        left_layout = QVBoxLayout(left_content)
        left_layout.setContentsMargins(0, 0, 4, 0)
        self.insight_stack = InsightStack()
        self.insight_stack.setVisible(False)
        self.insight_stack.setMinimumHeight(300)
        left_layout.addWidget(self.dataset_panel, 3)
        left_layout.addWidget(self.insight_stack, 3)
        left_layout.addWidget(self.controls.descent_box, 0)
        left = SidePanel(left_content, "sidePanel")
        side = QWidget(objectName="sideColumn")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(4)
        side_layout.addWidget(left, 1)
        side_layout.addWidget(self.controls, 0)
        self.side_column = side

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        title = QLabel("<b>Network</b>")
        bar.addWidget(title)
        # On a narrow canvas the summary wraps rather than widen the window.
        self.network_summary.setWordWrap(True)
        self.network_summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.network_summary, 1)
        bar.addWidget(self.delta_rule_badge)
        for button in (self.remove_layer_button, self.add_layer_button):
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance(button.text()) + 24)
            bar.addWidget(button)
        centre_layout.addLayout(bar)
        self.canvas.setMinimumSize(MIN_CANVAS_WIDTH, 200)
        centre_layout.addWidget(self.canvas, 1)
        self.network_area = centre

        self.backprop_heatmap = LayerHeatmaps(kind="backprop", object_name="backpropDeltaHeatmap")
        self.inspector = NeuronInspector()
        self.gradient_norm_plot = GradientNormPlot()
        self.layer_view = LayerView()
        self.heatmap_tabs = QTabWidget(objectName="heatmapTabs")
        self.heatmap_tabs.addTab(self.activation_heatmap, "Activations")
        self.heatmap_tabs.addTab(self.backprop_heatmap, "Deltas δ")
        self.heatmap_tabs.addTab(self.weight_delta_heatmap, "Weight Δ")
        self.heatmap_tabs.addTab(self.inspector, "Inspector")
        self.heatmap_tabs.addTab(self.gradient_norm_plot, "Grad norms")
        self.heatmap_tabs.addTab(self.layer_view, "Layer view")
        self.heatmap_tabs.currentChanged.connect(lambda _: self._draw_heatmaps())
        self._let_views_give_way()

        self.right_split = QSplitter(Qt.Orientation.Vertical, objectName="rightSplitter")
        loss_area = QWidget(objectName="lossArea")
        loss_layout = QVBoxLayout(loss_area)
        loss_layout.setContentsMargins(0, 0, 0, 0)
        loss_layout.setSpacing(0)
        loss_layout.addWidget(self.pinned_runs)
        loss_layout.addWidget(self.loss_plot, 1)
        self.right_split.addWidget(loss_area)
        self.right_split.addWidget(self.heatmap_tabs)
        self.right_split.setSizes([400, 400])

        # The timeline spans the views it rewinds, so its slider is long at any width.
        self.views_split = QSplitter(Qt.Orientation.Horizontal, objectName="viewsSplitter")
        self.views_split.addWidget(centre)
        self.views_split.addWidget(self.right_split)
        self.views_split.setCollapsible(0, False)
        # Every heatmap tab shows from 1366 pixels up; at 1024 the canvas keeps as much room.
        self.views_split.setStretchFactor(0, 1)
        self.views_split.setStretchFactor(1, 1)
        self.views_split.setSizes([570, 549])
        views = QWidget(objectName="viewsColumn")
        views_layout = QVBoxLayout(views)
        views_layout.setContentsMargins(0, 0, 0, 0)
        views_layout.setSpacing(2)
        views_layout.addWidget(self.views_split, 1)
        self.timeline_bar = TimelineBar()
        views_layout.addWidget(self.timeline_bar)

        self.main_split = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
        self.main_split.addWidget(side)
        self.main_split.addWidget(views)
        self.main_split.setCollapsible(1, False)
        self.main_split.setStretchFactor(0, 0)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setSizes([SIDE_WIDTH, DEFAULT_SIZE.width() - SIDE_WIDTH])
        self.setCentralWidget(self.main_split)
        self.resize(DEFAULT_SIZE)

        self.data_table = DataTable()
        self.data_dock = QDockWidget("Data table", self, objectName="dataTableDock")
        self.data_dock.setWidget(self.data_table)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.data_dock)
        self.data_dock.hide()
        # Its own size hint would take most of a short screen; a saved layout sets it instead.
        self._data_dock_sized = False
        self.data_dock.visibilityChanged.connect(self._size_data_dock)
        self.data = DataPresenter(self.dataset_panel, self.insight_stack, self.data_table, self.send)
        self.sessions = SessionFiles(self, self.send, self._settings)
        self.learning = LearningPresenter(
            self.canvas, self.controls, self.heatmap_tabs, self.activation_heatmap, self.backprop_heatmap,
            self.weight_delta_heatmap, self.inspector, self.gradient_norm_plot, self.layer_view,
            self.timeline_bar, self.send, self,
        )
        # Made now, hidden, so that a saved layout can bring it back where it was.
        self.guide_dock = GuideDock(self)
        self.learning.guide = self.guide_dock
        self.guide_demos = GuideDemonstrations(self.controls, self.loss_plot, self.send, self)
        self.guide_dock.sig_action.connect(self.learning.demonstrate)
        self.guide_dock.sig_action.connect(self.guide_demos.demonstrate)
        self.guide_demos.sig_status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.author_demo = AuthorVariantDemo(self.pinned_runs, self.send, self)
        self.guide_dock.sig_delta_rule.connect(lambda rule: self.send("set_delta_rule", rule))
        self.guide_dock.sig_author_demo.connect(self.author_demo.start)
        self.author_demo.sig_result.connect(self.guide_dock.show_author_result)
        self.author_demo.sig_result.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.pinned_runs.sig_curves_changed.connect(self.loss_plot.set_pinned_runs)
        self.pinned_runs.sig_pins_changed.connect(
            lambda pins: self.send("set_pinned_runs", tuple(pin.to_dict() for pin in pins)))
        self.pinned_runs.sig_status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._side_before_guide: int | None = None
        self.guide_dock.visibilityChanged.connect(self._make_room_for_guide)
        self.landscape_dock = LandscapeDock(self, self.send)
        self.landscape_view = self.landscape_dock.view
        # After the guide's own slot: on a narrow screen the side panel gives way while either dock is open.
        self.guide_dock.visibilityChanged.connect(self._make_room_for_docks)
        self.landscape_dock.visibilityChanged.connect(self._make_room_for_docks)
        self.sessions.confirm = self.confirm_close

        self.metrics_label = QLabel(objectName="metricsLabel")
        # Shown only while the trainer is down; permanent widgets, so no passing message hides them.
        self.trainer_stopped_label = QLabel(objectName="trainerStoppedLabel", textFormat=Qt.TextFormat.PlainText)
        self.trainer_stopped_label.setStyleSheet("color: #b00020;")
        self.restart_button = QPushButton("Restart trainer", objectName="restartTrainerButton",
                                          toolTip="Start a new trainer from the last checkpoint")
        self.restart_button.clicked.connect(self.restart_trainer)
        for widget in (self.trainer_stopped_label, self.restart_button):
            self.statusBar().addPermanentWidget(widget)
            widget.hide()
        self.statusBar().addPermanentWidget(self.metrics_label)
        # The window's frame resizes it; the grip's corner is better spent on the messages.
        self.statusBar().setSizeGripEnabled(False)

    def _size_data_dock(self, visible: bool) -> None:
        if visible and not self._data_dock_sized:
            self._data_dock_sized = True
            self.resizeDocks([self.data_dock], [max(160, self.height() // 4)], Qt.Orientation.Vertical)

    def _make_room_for_guide(self, visible: bool) -> None:
        """On a narrow screen the guide takes the side panel's room while it is open.

        What it demonstrates is the network, the loss plot and the heatmaps; squeezed
        between the side panel and the guide they would be too small to watch.
        """
        sizes = self.main_split.sizes()
        if visible and self._side_before_guide is None and sizes[0] > 0 and self.width() < GUIDE_TAKES_SIDE_BELOW:
            self._side_before_guide = sizes[0]
            self.main_split.setSizes([0, sum(sizes)])
        elif not visible and self._side_before_guide is not None:
            side, self._side_before_guide = self._side_before_guide, None
            if sizes[0] == 0:  # unless the learner has opened it again meanwhile
                self.main_split.setSizes([side, max(0, sum(sizes) - side)])
        # Step and Run go with the side panel: the guide offers them while it has its room.
        self.guide_dock.show_training_actions(visible and self._side_before_guide is not None)

    def _make_room_for_docks(self, _visible: bool = False) -> None:
        """The guide's rule for both docks: the side panel gives way while either is open on a narrow screen."""
        guide, landscape = self.guide_dock.isVisible(), self.landscape_dock.isVisible()
        self._make_room_for_guide(guide or landscape)
        offered = self._side_before_guide is not None
        self.guide_dock.show_training_actions(offered and guide)
        self.landscape_dock.show_training_actions(offered and landscape)

    def _let_views_give_way(self) -> None:
        """Long one-line texts inside the views give way rather than widen the window.

        Headings and messages wrap. The hover read-outs and the layer view's row of combo
        boxes stay one line (a wrapped read-out would reserve a second line under every
        plot): at the window's own sizes they have room, and only a splitter dragged far
        clips them.
        """
        for heatmaps in (self.activation_heatmap, self.backprop_heatmap, self.weight_delta_heatmap):
            heatmaps.heading_label.setWordWrap(True)
            heatmaps.empty_message.setWordWrap(True)
        for label in (self.loss_plot.readout, self.gradient_norm_plot.readout):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, label.sizePolicy().verticalPolicy())
        self.layer_view.setMinimumWidth(MIN_VIEW_WIDTH)  # its row of three combo boxes

    def _action(self, text: str, shortcut: str | None, slot, name: str) -> QAction:
        action = QAction(text, self, objectName=name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(self.sessions.open_action)
        file_menu.addMenu(self.sessions.recent_menu)
        file_menu.addAction(self.sessions.save_action)
        file_menu.addAction(self.sessions.save_as_action)
        file_menu.addSeparator()
        self.open_dataset_action = self._action("&Open dataset…", "Ctrl+O", self.data.open_dataset, "openDatasetAction")
        file_menu.addAction(self.open_dataset_action)
        self.import_weights_action = ImportWeightsAction(self, self.send)
        file_menu.addAction(self.import_weights_action)
        self.export_menu = ExportMenu(self, self.send, self._on_export_reported)
        file_menu.addMenu(self.export_menu)
        self.export_action = self.export_menu.actions_by_name["exportWeightsAction"]
        self.record_action = RecordAnimationAction(self, self._on_export_reported)
        file_menu.addAction(self.record_action)
        file_menu.addSeparator()
        self.quit_action = self._action("&Quit", "Ctrl+Q", self.close, "quitAction")
        file_menu.addAction(self.quit_action)

        train_menu = menus.addMenu("Tr&ain")  # Alt+T belongs to the Test set field
        self.step_action = self._action("&Step", "F10", self.controls.step_button.click, "stepAction")
        self.step_epoch_action = self._action("Step &epoch", "F11", self.controls.step_epoch_button.click, "stepEpochAction")
        self.run_action = self._action("&Run / Pause", "F5", self.controls.run_button.toggle, "runAction")
        self.reset_action = self._action("R&eset", "Ctrl+R", self.controls.reset_button.click, "resetAction")
        self.step_phase_action = self._action("Step &phase", "F9", self.controls.step_phase_button.click, "stepPhaseAction")
        self.undo_action = self._action("&Undo a cycle", "Ctrl+Z", lambda: self.send("undo"), "undoAction")
        self.check_gradients_action = self._action(
            "&Check gradients", None, lambda: self.send("check_gradients"), "checkGradientsAction")
        for action in (self.step_phase_action, self.step_action, self.step_epoch_action, self.run_action,
                       self.reset_action, self.undo_action):
            train_menu.addAction(action)
        self.pin_run_action = self._action("&Pin run", None, self.pinned_runs.pin_current, "pinRunAction")
        train_menu.addSeparator()
        train_menu.addAction(self.pin_run_action)
        self.guide_dock.add_training_actions((self.step_phase_action, self.step_action, self.run_action))
        self.landscape_dock.add_training_actions((self.step_action, self.run_action))
        train_menu.addSeparator()
        train_menu.addAction(self.check_gradients_action)
        self.restart_trainer_action = self._action(
            "Restart &trainer", None, self.restart_trainer, "restartTrainerAction")
        self.restart_trainer_action.setEnabled(False)
        train_menu.addSeparator()
        train_menu.addAction(self.restart_trainer_action)

        view_menu = menus.addMenu("&View")
        self.data_table_action = self.data_dock.toggleViewAction()
        self.data_table_action.setObjectName("dataTableAction")
        self.data_table_action.setShortcut(QKeySequence("Ctrl+T"))
        view_menu.addAction(self.data_table_action)
        self.landscape_action = self.landscape_dock.toggleViewAction()
        self.landscape_action.setObjectName("landscapeAction")
        self.landscape_action.setText("Loss &landscape")
        self.landscape_action.setShortcut(QKeySequence("Ctrl+L"))
        view_menu.addAction(self.landscape_action)

        help_menu = menus.addMenu("&Help")
        self.guide_action = self._action("&How a network learns", "F1", self.learning.show_guide, "guideAction")
        help_menu.addAction(self.guide_action)
        help_menu.addMenu(self.sessions.examples_menu)
        help_menu.addAction(self._action("&About NN Studio", None, self._show_about, "aboutAction"))

    def _connect(self) -> None:
        c = self.controls
        c.sig_step.connect(lambda n: self.send("step", "cycle", n))
        c.sig_step_phase.connect(lambda: self.send("step_phase"))
        self.learning.sig_status.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.learning.sig_status_withdrawn.connect(self._withdraw_status)
        c.sig_step_epoch.connect(lambda: self.send("step", "epoch", 1))
        c.sig_run_toggled.connect(lambda running: self.send("run" if running else "pause"))
        c.sig_reset.connect(lambda: self.send("reset"))
        c.sig_new_seed.connect(self._on_new_seed)
        c.sig_hyper_changed.connect(self._on_hyper_changed)
        c.sig_batch_size_changed.connect(self._on_batch_size_changed)
        c.sig_speed_changed.connect(lambda speed: self.send("set_speed", speed))
        c.sig_loss_changed.connect(self._on_loss_changed)
        c.sig_status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.data.dataset_chosen = c.apply_dataset_defaults
        self.data.sig_data_in_use.connect(c.show_data_in_use)
        self.data.sig_data_spec_changed.connect(self._on_data_spec_changed)
        self.data.sig_status.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.canvas.sig_spec_changed.connect(self._on_canvas_spec_changed)
        self.canvas.sig_weight_edited.connect(lambda l, i, j, v: self.send("set_weight", l, i, j, v))
        self.add_layer_button.clicked.connect(self.canvas.request_add_layer)
        self.remove_layer_button.clicked.connect(self.canvas.request_remove_layer)
        self._draw_timer = QTimer(self, interval=DRAW_INTERVAL_MS)
        self._draw_timer.timeout.connect(self._draw_frame)
        self._draw_timer.start()

    def _start_worker(self, config: SessionConfig) -> None:
        self._thread = QThread(self)
        self._thread.setObjectName("trainingThread")
        self.worker = TrainingWorker(config, self.log_path)
        self.worker.moveToThread(self._thread)
        self._thread.started.connect(self.worker.run)
        self.worker.sig_finished.connect(self._thread.quit)
        self.worker.sig_snapshot.connect(self._on_snapshot)
        self.worker.sig_error.connect(self._on_error)
        self.worker.sig_trainer_died.connect(self._on_trainer_died)
        self.worker.sig_exported.connect(self._on_exported)
        self.worker.sig_gradients.connect(self._on_gradients)
        self.worker.sig_landscape.connect(self.landscape_view.set_map)
        self.worker.sig_landscape_cut.connect(self.landscape_view.set_cut)
        # Bound methods of objects on this thread: Qt queues them here. (A bare lambda would
        # run on the worker's thread.)
        self.worker.sig_saved.connect(self.sessions.on_saved)
        self.worker.sig_saved.connect(self._on_session_saved)
        self.worker.sig_opened.connect(self.sessions.on_opened)
        self.worker.sig_opened.connect(self._show_opened_pins)
        self.sessions.sig_title_changed.connect(self.setWindowTitle)
        self.sessions.sig_status.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.sig_command.connect(self.worker.send)
        self.sig_restart.connect(self.worker.restart)
        self._thread.start()

    def _show_config(self, config: SessionConfig) -> None:
        self.controls.set_hyperparameters(config.hyper, config.batch_size)
        self.controls.set_seed(config.seed)
        self.controls.set_loss(config.loss, config.activations[-1])
        d = config.data
        if d.custom:  # drawn or imported: the generator controls keep what they showed
            return
        self.dataset_panel.set_data_spec({
            "name": d.name, "n_samples": d.n_samples, "noise": d.noise, "seed": d.seed,
            "test_fraction": d.test_fraction, "features": d.features,
        })

    def _splitters(self) -> dict[str, QSplitter]:
        return {"main": self.main_split, "views": self.views_split, "right": self.right_split}

    def _restore_geometry(self) -> None:
        """Bring the window back as it was closed (size, place, docks, splitters), or fit the screen."""
        if self._settings is None:
            return
        geometry = self._settings.value("window/geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self._fit_screen()
            return
        state = self._settings.value("window/state")
        if isinstance(state, QByteArray) and self.restoreState(state, LAYOUT_VERSION):
            self._data_dock_sized = True
        for name, splitter in self._splitters().items():
            sizes = self._settings.value(f"window/splitters/{name}")
            if isinstance(sizes, QByteArray):
                splitter.restoreState(sizes)
        if not self.guide_dock.isHidden() and self.main_split.sizes()[0] == 0:
            self._side_before_guide = SIDE_WIDTH  # closed while the guide had the side's room

    def _fit_screen(self) -> None:
        """First start: the default size, or the whole screen when that is smaller."""
        available = self.screen().availableGeometry()
        if DEFAULT_SIZE.width() <= available.width() and DEFAULT_SIZE.height() <= available.height():
            return
        self.resize(DEFAULT_SIZE.boundedTo(available.size()))
        self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def _save_geometry(self) -> None:
        settings = self._settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        for name, splitter in self._splitters().items():
            settings.setValue(f"window/splitters/{name}", splitter.saveState())
        settings.remove("window/splitter")  # the three-pane layout of earlier versions

    # -- commands ----------------------------------------------------------------------
    def send(self, name: str, *args) -> None:
        """Queue a command for the trainer (while it is down: say so instead)."""
        if not self.trainer_running:
            self.statusBar().showMessage("The trainer is not running: press Restart trainer first.", 6000)
            return
        self.sessions.note_command(name)
        self.sig_command.emit((name, args))

    def _on_new_seed(self, seed: int) -> None:
        self.config = replace(self.config, seed=seed)
        self.send("reset", seed)

    def _on_hyper_changed(self, hyper: Hyperparameters) -> None:
        self.config = replace(self.config, hyper=hyper)
        self.send("set_hyper", hyper)

    def _on_batch_size_changed(self, batch_size: int | None) -> None:
        self.config = replace(self.config, batch_size=batch_size)
        self.send("set_batch_size", batch_size)

    def _on_data_spec_changed(self, data: DataSpec) -> None:
        self.config = replace(self.config, data=data)
        self.controls.set_running(False)

    def _on_canvas_spec_changed(self, sizes: tuple[int, ...], activations: tuple[str, ...]) -> None:
        hidden = tuple(sizes[1:-1])
        self.config = replace(self.config, hidden=hidden, activations=tuple(activations))
        self.controls.set_running(False)
        self.send("set_network", hidden, tuple(activations))

    def _on_loss_changed(self, loss: str) -> None:
        sizes, activations = self.canvas.requested_spec()
        self.config = replace(self.config, loss=loss)
        self.controls.set_running(False)
        self.send("set_network", tuple(sizes[1:-1]), tuple(activations), loss)

    def export_weights(self, path: str) -> None:
        """Ask the trainer to write the model to ``path`` (.npz, .json, .onnx, .py, _torch.py)."""
        self.send("export", path)

    def _on_export_reported(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _withdraw_status(self, text: str) -> None:
        """Clear ``text`` from the status bar if it is still the message shown (it no longer holds)."""
        if self.statusBar().currentMessage() == text:
            self.statusBar().clearMessage()

    # -- what comes back ---------------------------------------------------------------
    def _on_snapshot(self, snapshot: Snapshot) -> None:
        # Keep only the newest; the draw timer paints it at most every DRAW_INTERVAL_MS.
        self._pending = newest_of(self._pending, snapshot)

    def _on_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        box = QMessageBox(QMessageBox.Icon.Warning, "NN Studio", message, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # it may quote a file's name
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- the trainer's process going and coming back -------------------------------------
    def _trainer_actions(self) -> list[QAction]:
        sessions = self.sessions
        return [self.step_action, self.step_epoch_action, self.run_action, self.reset_action,
                self.step_phase_action, self.undo_action, self.check_gradients_action, self.open_dataset_action,
                self.import_weights_action,
                sessions.open_action, sessions.save_action, sessions.save_as_action,
                sessions.recent_menu.menuAction(), sessions.examples_menu.menuAction(), self.export_menu.menuAction()]

    def _set_training_enabled(self, enabled: bool) -> None:
        for widget in (self.side_column, self.network_area, self.timeline_bar):
            widget.setEnabled(enabled)
        for action in self._trainer_actions():
            action.setEnabled(enabled)

    def _on_trainer_died(self, message: str, restartable: bool) -> None:
        """Training controls off, the reason shown, and Restart trainer offered if it can help."""
        self.trainer_running = False
        self.sessions.trainer_ready = False
        self._announce_restart = False
        self.controls.set_running(False)
        self._set_training_enabled(False)
        self.trainer_stopped_label.setText(message)
        self.trainer_stopped_label.setToolTip(message)
        self.trainer_stopped_label.show()
        self.restart_button.setVisible(restartable)
        self.restart_trainer_action.setEnabled(restartable)
        self.statusBar().clearMessage()

    def restart_trainer(self) -> None:
        """Start a new trainer after the last one died: from its last checkpoint, else from the settings."""
        if self.trainer_running:
            return
        # Drawn or imported data lived in the trainer: without a checkpoint, the default data.
        config = replace(self.config, data=DataSpec()) if self.config.data.custom else self.config
        self.trainer_running = True
        self.sessions.trainer_ready = True
        self._announce_restart = True
        self.trainer_stopped_label.hide()
        self.restart_button.hide()
        self.restart_trainer_action.setEnabled(False)
        self._set_training_enabled(True)
        self.statusBar().showMessage("Restarting the trainer…")
        self.sig_restart.emit(config)

    def _on_gradients(self, results: list) -> None:
        """Show the gradient check: backprop against finite differences, per layer."""
        lines = [f"W{layer}: relative error {error:.2e} ({checked} of {total} weights checked)"
                 for layer, error, checked, total in results]
        verdict = "agree" if all(r[1] < 1e-6 for r in results) else "DISAGREE"
        text = f"Backprop and finite differences {verdict} on the current batch.\n\n" + "\n".join(lines)
        self.statusBar().showMessage(f"Gradient check: backprop and finite differences {verdict}.", 8000)
        self.last_gradient_check = results
        box = QMessageBox(QMessageBox.Icon.Information, "Check gradients", text, parent=self)
        box.setObjectName("gradientCheckBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _show_opened_pins(self, path: str) -> None:
        """The reopened session's pinned runs (none for a file without them)."""
        try:
            self.pinned_runs.set_pins(read_pinned_runs(path))
        except SessionFileError as exc:  # the trainer read it a moment ago; changed since
            self.statusBar().showMessage(str(exc), 8000)

    def _on_session_saved(self, path: str) -> None:
        self.statusBar().showMessage(f"Session saved to {path}", 8000)

    def _on_exported(self, path: str) -> None:
        self.statusBar().showMessage(f"Weights written to {path}", 8000)

    def _draw_pending(self) -> None:
        """Draw the newest snapshot received now, in every visible panel (what the draw timer does next)."""
        snapshot, self._pending = self._pending, None
        if snapshot is not None:
            self.draw(snapshot)

    def _draw_frame(self) -> None:
        """The draw timer's tick: the newest snapshot, and the optional panels the frame budget allows.

        While snapshots stream in (Run, or the rewind slider dragged) a frame that cost more
        than the budget leaves some optional panels to the next ones, the longest-waiting
        drawn first; the first snapshot of a run and a single step or change draw them all.
        Panels left waiting catch up on the next ticks, with or without a new snapshot.
        """
        budget = self.frame_budget
        if self._frame_seconds is not None:
            budget.frame_done(self._frame_seconds + self._repaint_seconds)
            self._frame_seconds = None
        snapshot, self._pending = self._pending, None
        if snapshot is None and not budget.any_due():
            budget.frame_done(0.0)  # an idle tick: room for every panel again
            return
        start = time.perf_counter()
        self._repaint_seconds = 0.0
        new_run = snapshot is not None and self._draw_always(snapshot)
        s = self.latest
        visible = self._visible_panels()
        if (s.running or s.rewound) and not new_run:
            chosen = budget.choose(visible)
        else:
            chosen = [name for name in budget.panels if budget.is_due(name) and name in visible]
        self._draw_optional(s, chosen)
        self._frame_seconds = time.perf_counter() - start

    def event(self, event) -> bool:  # noqa: N802 (Qt API)
        """Count the time of each repaint of the window (all its panels) toward the frame budget."""
        if event.type() != QEvent.Type.UpdateRequest:
            return super().event(event)
        start = time.perf_counter()
        try:
            return super().event(event)
        finally:
            self._repaint_seconds += time.perf_counter() - start

    def _visible_panels(self) -> set[str]:
        """The optional panels on screen now (a hidden tab, a collapsed splitter or a closed side panel is not)."""
        widgets = {"loss": self.loss_plot, "data": self.side_column, "heatmaps": self.heatmap_tabs}
        return {name for name, widget in widgets.items()
                if widget.isVisible() and widget.width() > 0 and widget.height() > 0}

    def draw(self, s: Snapshot) -> None:
        """Show ``s`` in every visible panel (one hidden now catches up when shown)."""
        self._draw_always(s)
        visible = self._visible_panels()
        self._draw_optional(s, [name for name in self.frame_budget.panels if name in visible])

    def _draw_optional(self, s: Snapshot, names) -> None:
        for name in names:
            if name == "loss":
                self._draw_loss(s)
            elif name == "data":
                self.data.show(s)
            else:
                self._draw_heatmaps(s)
            self.frame_budget.drawn(name)

    def _draw_loss(self, s: Snapshot) -> None:
        """The loss curves, redrawn only when the history has changed (not while scrubbing the past)."""
        drawn = (s.generation, None if s.history_marks is None else s.history_marks[:2])
        if self._loss_drawn is not None and drawn == self._loss_drawn and drawn[1] is not None:
            return
        if self._loss_drawn is None or self._loss_drawn[0] != s.generation:
            self.loss_plot.clear()
        ev = s.evaluations
        self.loss_plot.set_history(s.batch_cycles, s.batch_loss, s.eval_cycles, ev[:, 0], ev[:, 1], ev[:, 2], ev[:, 3])
        self._loss_drawn = drawn

    def _draw_always(self, s: Snapshot) -> bool:
        """What every frame shows of ``s`` (counters, network, rewind bar, messages); True for a new run."""
        new_run = s.generation != self._generation
        if new_run and self._announce_restart:
            self._announce_restart = False
            self.statusBar().showMessage(f"Trainer restarted at cycle {s.cycle} (epoch {s.epoch}).", 8000)
        self._generation = s.generation
        self.latest = s
        if new_run and s.config != self.config:  # a reopened session, or the trainer adjusted it
            self.config = s.config
            self._show_config(s.config)
        sizes, activations = s.spec.sizes, s.spec.activations
        if (sizes, activations, s.spec.loss) != self._drawn_spec:  # the summary names the loss
            self.canvas.set_spec(sizes, activations)
            self._drawn_spec = (sizes, activations, s.spec.loss)
            hidden = len(sizes) - 2
            self.remove_layer_button.setEnabled(hidden > 0)
            self.network_summary.setText(
                f"{'-'.join(map(str, sizes))} · {s.spec.loss.upper() if s.spec.loss == 'mse' else 'cross-entropy'}"
                f" · {sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))} parameters"
            )
        self.canvas.show_snapshot(s)
        self.frame_budget.mark_due()
        if s.data is not None:  # said once: the data's panels take it now, whatever the budget
            self.data.show(s)
            self.frame_budget.drawn("data")
        self.learning.show(s)
        self.landscape_view.show_snapshot(s)  # hidden, it only keeps it
        self.guide_demos.show(s)
        view = self.data.data
        self.pinned_runs.show_snapshot(s, None if view is None else view.dataset)
        self.author_demo.show(s)
        self.delta_rule_badge.setVisible(s.delta_rule == "accumulate")
        self.guide_dock.show_delta_rule(s.delta_rule)
        self.controls.set_counters(s.cycle, s.epoch)
        if s.running != self.controls.run_button.isChecked():
            self.controls.set_running(s.running)
        e = s.evaluation
        if e is not None:
            text = f"train loss {_fmt(e.train_loss)} · test loss {_fmt(e.test_loss)}"
            if e.train_accuracy == e.train_accuracy:
                text += f" · train acc {_fmt(e.train_accuracy, True)} · test acc {_fmt(e.test_accuracy, True)}"
            self.metrics_label.setText(text)
        if s.message:
            self.statusBar().showMessage(s.message, 6000)
        if new_run:
            _freeze_live_objects()
        return new_run

    def _draw_heatmaps(self, s: Snapshot | None = None) -> None:
        """Fill the heatmap tab in view; the hidden one catches up when it is shown."""
        s = s or self.latest
        if s is None:
            return
        current = self.heatmap_tabs.currentWidget()
        if isinstance(current, LayerHeatmaps):
            current.show_snapshot(s)

    @property
    def data_view(self) -> DataView | None:
        """The data as last drawn."""
        return self.data.data

    # -- lifetime ----------------------------------------------------------------------
    def _show_about(self) -> None:
        QMessageBox.about(
            self, "About NN Studio",
            "<b>NN Studio</b><p>Build a neural network, pick data, and step through learning one "
            "feedforward/backprop cycle at a time.</p>",
        )

    def _confirm_quit(self) -> bool:
        """Ask about unsaved work, training paused meanwhile; it runs on if the window stays open."""
        if not self.sessions.dirty:
            return True
        was_running = self.trainer_running and self.controls.run_button.isChecked()
        if was_running:
            self.send("pause")
        worker = self.worker
        if self.sessions.confirm_discard(worker.sig_saved, (worker.sig_error, worker.sig_trainer_died)):
            return True
        if was_running and self.trainer_running:
            self.send("run")
        return False

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if not self._closing and self.sessions.confirm and not self._confirm_quit():
            event.ignore()
            return
        if not self._closing:
            self._closing = True
            self._draw_timer.stop()
            if self._settings is not None:
                save_config(self._settings, self.config)
                self._save_geometry()
            self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the trainer (thread and process) and wait for both; safe to call twice."""
        self.worker.request_stop()
        self._thread.quit()
        if not self._thread.wait(JOIN_TIMEOUT_MS):
            self.statusBar().showMessage("The training thread did not stop in time.")
