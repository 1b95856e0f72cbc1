"""The NN Studio window: composes the panels, menus and status bar, and talks to the worker."""

from __future__ import annotations

import gc
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, QTimer, Signal
from PySide6.QtWidgets import QMainWindow

from nnstudio.engine.io.sessionfile import SessionFileError, read_pinned_runs
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.snapshot import DataView, Snapshot, newest_of
from nnstudio.ui.data.data_presenter import DataPresenter, data_label
from nnstudio.ui.learning.learning_presenter import LearningPresenter
from nnstudio.ui.window.docks import build_docks
from nnstudio.ui.window.frame_budget import FrameBudget
from nnstudio.ui.window.learner_settings import LearnerSettings, show_config
from nnstudio.ui.window.menus import build_menus, trainer_actions
from nnstudio.ui.window.session_menu import SessionFiles
from nnstudio.ui.window.settings import load_config, save_config
from nnstudio.ui.window.snapshot_panels import OptionalPanel, SnapshotFeed, SnapshotPanel
from nnstudio.ui.window.status_bar import WindowStatus
from nnstudio.ui.window.trainer_link import resend_controls, start_worker
from nnstudio.ui.window.window_geometry import restore_geometry, save_geometry
from nnstudio.ui.window.window_layout import build_panels
from nnstudio.ui.window.worker import default_log_path, exit_if_trainer_bootstrapping

__all__ = ["MainWindow"]

#: The window redraws at most this often, whatever the trainer sends.
DRAW_INTERVAL_MS = 33
#: The panels that may wait a frame or two while training streams snapshots (the frame budget's).
OPTIONAL_PANELS = ("loss", "data", "heatmaps")
#: While snapshots stream, the loss curves (a pixel's move or less a frame) draw every other frame.
LOSS_EVERY = 2
JOIN_TIMEOUT_MS = 3000
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


class MainWindow(QMainWindow):
    """The whole app's window; constructible with no arguments.

    Parameters
    ----------
    config
        The settings to start with (default: the remembered ones, or the first-launch defaults).
    remember
        Read and keep the settings and layout between launches (off for scripted windows).
    confirm_close
        Ask about unsaved work on close (default: as ``remember``).
    log_path
        Where tracebacks of unexpected errors go.
    trainer
        Start the trainer's process. Without it nothing trains: the window shows only the
        snapshots given to ``draw`` (tests that draw snapshots made in their own process).

    Signals
    -------
    sig_command(object)
        A ``(name, args)`` command on its way to the trainer (``send`` hands it to the worker).
    sig_restart(object)
        A new trainer is starting (the last one died); the ``SessionConfig`` it uses without a checkpoint.

    Attributes
    ----------
    canvas, dataset_panel, controls, loss_plot, activation_heatmap, weight_delta_heatmap
        The panels (``window_layout.build_panels`` names them all).
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
                 confirm_close: bool | None = None, log_path: str | Path | None = None, *,
                 trainer: bool = True) -> None:
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
        # The last command sent, and whether the current run's settings reached the controls.
        self._last_sent = 0
        self._run_settings_taken = True
        self.frame_budget = FrameBudget(OPTIONAL_PANELS, every={"loss": LOSS_EVERY})
        self._frame_seconds: float | None = None  # the last frame's setters, its repaint still to add
        self._repaint_seconds = 0.0  # Qt's repaints of the window since that frame
        self._closing = False
        self.trainer_running = True
        self._announce_restart = False
        self.last_gradient_check: list | None = None  # [(layer, relative error, checked, total), ...]
        self.log_path = Path(log_path) if log_path is not None else default_log_path()
        # Scripted windows (tests, screenshots) never stop to ask about unsaved work.
        self.confirm_close = remember if confirm_close is None else confirm_close

        build_panels(self)
        self.heatmap_tabs.currentChanged.connect(lambda _: self._redraw_heatmaps())
        self.status = WindowStatus(self)
        self.metrics_label = self.status.metrics_label
        self.trainer_stopped_label = self.status.trainer_stopped_label
        self.restart_button = self.status.restart_button
        self._build_presenters()
        build_docks(self)
        build_menus(self)
        self._every_frame, self._optional = self._panels()
        show_config(self, config)
        self._connect()
        start_worker(self, config, trainer)
        if self._settings is not None:
            restore_geometry(self, self._settings)
        self.status.say(FIRST_HINT.format(dataset=data_label(config.data.name)))

    # -- construction ------------------------------------------------------------------
    def _build_presenters(self) -> None:
        """What stands between the panels and the trainer."""
        self.data = DataPresenter(self.dataset_panel, self.insight_stack, self.data_table, self.send)
        self.sessions = SessionFiles(self, self.send, self._settings)
        self.sessions.confirm = self.confirm_close
        self.learning = LearningPresenter(
            self.canvas, self.controls, self.heatmap_tabs, self.activation_heatmap, self.backprop_heatmap,
            self.weight_delta_heatmap, self.inspector, self.gradient_norm_plot, self.layer_view,
            self.timeline_bar, self.send, self,
        )

    def _panels(self) -> tuple[list[SnapshotPanel], dict[str, OptionalPanel]]:
        """The panels every frame draws, in order, and the optional ones by the frame budget's names."""
        every_frame = [
            self.network_area,
            SnapshotFeed(self._show_new_data),
            self.learning,
            self.landscape_view,  # hidden, it only keeps it
            SnapshotFeed(self.guide_demos.show),
            SnapshotFeed(lambda s: self.pinned_runs.show_snapshot(s, None if self.data_view is None
                                                                 else self.data_view.dataset)),
            SnapshotFeed(self.author_demo.show),
            SnapshotFeed(lambda s: self.guide_dock.show_delta_rule(s.delta_rule)),
            SnapshotFeed(self._show_run_state),
            self.status,  # last: the snapshot's own message outlasts the phase line the learning panel says
        ]
        optional = {"loss": OptionalPanel(self.loss_area, self.loss_plot),
                    "data": OptionalPanel(self.data, self.side_column),
                    "heatmaps": OptionalPanel(self.heatmap_tabs, self.heatmap_tabs)}
        return every_frame, optional

    def _connect(self) -> None:
        say = self.status.say
        self.learner_settings = LearnerSettings(self)
        self.controls.sig_status.connect(lambda text: say(text, 8000))
        self.learning.sig_status.connect(lambda text: say(text, 6000))
        self.learning.sig_status_withdrawn.connect(self.status.withdraw)
        self.data.sig_status.connect(lambda text: say(text, 6000))
        self.pinned_runs.sig_curves_changed.connect(self.loss_plot.set_pinned_runs)
        self.pinned_runs.sig_pins_changed.connect(
            lambda pins: self.send("set_pinned_runs", tuple(pin.to_dict() for pin in pins)))
        self.pinned_runs.sig_status.connect(lambda text: say(text, 8000))
        self.restart_button.clicked.connect(self.restart_trainer)
        self.sessions.sig_title_changed.connect(self.setWindowTitle)
        self.sessions.sig_status.connect(lambda text: say(text, 10000))
        self._draw_timer = QTimer(self, interval=DRAW_INTERVAL_MS)
        self._draw_timer.timeout.connect(self._draw_frame)
        self._draw_timer.start()

    # -- commands ----------------------------------------------------------------------
    def send(self, name: str, *args) -> int:
        """Queue a command for the trainer; its sequence number (0 while the trainer is down: said instead)."""
        if not self.trainer_running:
            self.status.say("The trainer is not running: press Restart trainer first.", 6000)
            return 0
        self.sessions.note_command(name)
        self.sig_command.emit((name, args))
        seq = self.worker.send((name, args))
        self._last_sent = max(self._last_sent, seq)
        return seq

    def export_weights(self, path: str) -> None:
        """Ask the trainer to write the model to ``path`` (.npz, .json, .onnx, .py, _torch.py)."""
        self.send("export", path)

    # -- what comes back ---------------------------------------------------------------
    def _on_snapshot(self, snapshot: Snapshot) -> None:
        # Keep only the newest; the draw timer paints it at most every DRAW_INTERVAL_MS.
        self._pending = newest_of(self._pending, snapshot)

    def _on_gradients(self, results: list) -> None:
        self.last_gradient_check = results
        self.status.show_gradient_check(results)

    def _show_opened_pins(self, path: str) -> None:
        """The reopened session's pinned runs (none for a file without them)."""
        try:
            self.pinned_runs.set_pins(read_pinned_runs(path))
        except SessionFileError as exc:  # the trainer read it a moment ago; changed since
            self.status.say(str(exc), 8000)

    # -- the trainer's process going and coming back -------------------------------------
    def _set_training_enabled(self, enabled: bool) -> None:
        for widget in (self.side_column, self.network_area, self.timeline_bar):
            widget.setEnabled(enabled)
        for action in trainer_actions(self):
            action.setEnabled(enabled)

    def _on_trainer_died(self, message: str, restartable: bool) -> None:
        """Training controls off, the reason shown, and Restart trainer offered if it can help."""
        self.trainer_running = False
        self.sessions.trainer_ready = False
        self._announce_restart = False
        self.controls.set_running(False)
        self._set_training_enabled(False)
        self.status.show_trainer_stopped(message, restartable)
        self.restart_trainer_action.setEnabled(restartable)

    def restart_trainer(self) -> None:
        """A new trainer after the last died: from its last checkpoint (else the settings), given the speed shown."""
        if self.trainer_running:
            return
        # Drawn or imported data lived in the trainer: without a checkpoint, the default data.
        config = replace(self.config, data=DataSpec()) if self.config.data.custom else self.config
        self.trainer_running = True
        self.sessions.trainer_ready = True
        self._announce_restart = True
        self.status.hide_trainer_stopped()
        self.restart_trainer_action.setEnabled(False)
        self._set_training_enabled(True)
        self.status.say("Restarting the trainer…")
        self.sig_restart.emit(config)
        self.worker.restart(config)
        resend_controls(self)

    # -- drawing -----------------------------------------------------------------------
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

    def event(self, event) -> bool:
        """Count the time of each repaint of the window (all its panels) toward the frame budget."""
        if event.type() != QEvent.Type.UpdateRequest:
            return super().event(event)
        start = time.perf_counter()
        try:
            return super().event(event)
        finally:
            self._repaint_seconds += time.perf_counter() - start

    def _visible_panels(self) -> set[str]:
        """The optional panels on screen now."""
        return {name for name, optional in self._optional.items() if optional.on_screen()}

    def draw(self, s: Snapshot) -> None:
        """Show ``s`` in every visible panel (one hidden now catches up when shown)."""
        self._draw_always(s)
        visible = self._visible_panels()
        self._draw_optional(s, [name for name in self.frame_budget.panels if name in visible])

    def _draw_optional(self, s: Snapshot, names) -> None:
        for name in names:
            self._optional[name].panel.show_snapshot(s)
            self.frame_budget.drawn(name)

    def _draw_always(self, s: Snapshot) -> bool:
        """What every frame shows of ``s`` (counters, network, rewind bar, messages); True for a new run."""
        new_run = s.generation != self._generation
        if new_run and self._announce_restart:
            self._announce_restart = False
            self.status.say(f"Trainer restarted at cycle {s.cycle} (epoch {s.epoch}).", 8000)
        self._generation = s.generation
        self.latest = s
        if new_run:
            self._run_settings_taken = False
        # A new run's settings (a reopened session, or the trainer adjusted them) are taken only
        # from a snapshot that has seen every command sent: an earlier one would undo edits on their way.
        if not self._run_settings_taken and s.acknowledged >= self._last_sent:
            self._run_settings_taken = True
            if s.config != self.config:
                self.config = s.config
                show_config(self, s.config)
        self.frame_budget.mark_due()
        for panel in self._every_frame:
            panel.show_snapshot(s)
        if new_run:
            _freeze_live_objects()
        return new_run

    def _show_new_data(self, s: Snapshot) -> None:
        if s.data is not None:  # said once: the data's panels take it now, whatever the budget
            self.data.show_snapshot(s)
            self.frame_budget.drawn("data")

    def _show_run_state(self, s: Snapshot) -> None:
        self.controls.set_counters(s.cycle, s.epoch)
        if s.running != self.controls.run_button.isChecked():
            self.controls.set_running(s.running)

    def _redraw_heatmaps(self) -> None:
        """Another tab chosen: a heatmap tab hidden until now catches up with the newest snapshot."""
        if self.latest is not None:
            self.heatmap_tabs.show_snapshot(self.latest)

    @property
    def data_view(self) -> DataView | None:
        """The data as last drawn."""
        return self.data.data

    # -- lifetime ----------------------------------------------------------------------
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

    def closeEvent(self, event) -> None:
        if not self._closing and self.sessions.confirm and not self._confirm_quit():
            event.ignore()
            return
        if not self._closing:
            self._closing = True
            self._draw_timer.stop()
            if self._settings is not None:
                save_config(self._settings, self.config)
                save_geometry(self, self._settings)
            self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the trainer (thread and process) and wait for both; safe to call twice."""
        self.worker.request_stop()
        self._thread.quit()
        if not self._thread.wait(JOIN_TIMEOUT_MS):
            self.status.say("The training thread did not stop in time.")
