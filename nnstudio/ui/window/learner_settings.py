"""The learner's settings: what the controls and the canvas change reaches the window's config and the trainer.

The window keeps its ``SessionConfig`` (``window.config``) as the learner left it, so that
it can be remembered between launches and a new trainer can start from it; a snapshot
that brings another (a reopened session) is shown back in the controls.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow

from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.ui.data.dataset_panel import panel_spec

__all__ = ["LearnerSettings", "show_config"]


class LearnerSettings(QObject):
    """Connects the window's training controls, data presenter and canvas to ``window.config`` and ``window.send``."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        controls, send = window.controls, window.send
        controls.sig_step.connect(lambda n: send("step", "cycle", n))
        controls.sig_step_phase.connect(lambda: send("step_phase"))
        controls.sig_step_epoch.connect(lambda: send("step", "epoch", 1))
        controls.sig_run_toggled.connect(lambda running: send("run" if running else "pause"))
        controls.sig_reset.connect(lambda: send("reset"))
        controls.sig_new_seed.connect(self._on_new_seed)
        controls.sig_hyper_changed.connect(self._on_hyper_changed)
        controls.sig_batch_size_changed.connect(self._on_batch_size_changed)
        controls.sig_speed_changed.connect(lambda speed: send("set_speed", speed))
        controls.sig_loss_changed.connect(self._on_loss_changed)
        window.data.dataset_chosen = controls.apply_dataset_defaults
        window.data.sig_data_in_use.connect(controls.show_data_in_use)
        window.data.sig_data_spec_changed.connect(self._on_data_spec_changed)
        window.canvas.sig_spec_changed.connect(self._on_canvas_spec_changed)
        window.canvas.sig_weight_edited.connect(lambda layer, i, j, v: send("set_weight", layer, i, j, v))

    def _change(self, **changes) -> None:
        self._window.config = replace(self._window.config, **changes)

    def _on_new_seed(self, seed: int) -> None:
        self._change(seed=seed)
        self._window.send("reset", seed)

    def _on_hyper_changed(self, hyper: Hyperparameters) -> None:
        self._change(hyper=hyper)
        self._window.send("set_hyper", hyper)

    def _on_batch_size_changed(self, batch_size: int | None) -> None:
        self._change(batch_size=batch_size)
        self._window.send("set_batch_size", batch_size)

    def _on_data_spec_changed(self, data: DataSpec) -> None:
        self._change(data=data)
        self._window.controls.set_running(False)

    def _on_canvas_spec_changed(self, sizes: tuple[int, ...], activations: tuple[str, ...]) -> None:
        hidden = tuple(sizes[1:-1])
        self._change(hidden=hidden, activations=tuple(activations))
        self._window.controls.set_running(False)
        self._window.send("set_network", hidden, tuple(activations))

    def _on_loss_changed(self, loss: str) -> None:
        sizes, activations = self._window.canvas.requested_spec()
        self._change(loss=loss)
        self._window.controls.set_running(False)
        self._window.send("set_network", tuple(sizes[1:-1]), tuple(activations), loss)


def show_config(window: QMainWindow, config: SessionConfig) -> None:
    """Show ``config`` in the window's controls and data panel."""
    window.controls.set_hyperparameters(config.hyper, config.batch_size)
    window.controls.set_seed(config.seed)
    window.controls.set_loss(config.loss, config.activations[-1])
    if config.data.custom:  # drawn or imported: the generator controls keep what they showed
        return
    window.dataset_panel.set_data_spec(panel_spec(config.data))
