"""The window's link to the trainer: the worker on a thread of its own, and where what it relays goes."""

from __future__ import annotations

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QMainWindow

from nnstudio.engine.run.config import SessionConfig
from nnstudio.ui.window.worker import TrainingWorker

__all__ = ["resend_controls", "start_worker"]


def start_worker(window: QMainWindow, config: SessionConfig, start: bool) -> None:
    """Give ``window`` its ``worker`` on a ``trainingThread`` and connect what it relays; start it if ``start``.

    Only bound methods of objects on the window's thread are connected: Qt queues the
    worker's signals to them there. (A bare lambda would run on the worker's thread.)
    """
    thread = window._thread = QThread(window)
    thread.setObjectName("trainingThread")
    worker = window.worker = TrainingWorker(config, window.log_path)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.sig_finished.connect(thread.quit)
    worker.sig_snapshot.connect(window._on_snapshot)
    worker.sig_error.connect(window.status.show_error)
    worker.sig_trainer_died.connect(window._on_trainer_died)
    worker.sig_exported.connect(window.status.show_exported)
    worker.sig_gradients.connect(window._on_gradients)
    worker.sig_landscape.connect(window.landscape_view.set_map)
    worker.sig_landscape_cut.connect(window.landscape_view.set_cut)
    worker.sig_saved.connect(window.sessions.on_saved)
    worker.sig_saved.connect(window.status.show_session_saved)
    worker.sig_opened.connect(window.sessions.on_opened)
    worker.sig_opened.connect(window._show_opened_pins)
    if start:
        thread.start()


def resend_controls(window: QMainWindow) -> None:
    """Tell a trainer that has just started what the controls show and its checkpoint does not hold.

    The run speed and the layer view live in the trainer's process only: a restarted one
    would run flat out and map no layer while the controls still show them. Sent before
    any command the learner gives it.
    """
    window.send("set_speed", window.controls.speed())
    window.learning.resend_layer_view()
