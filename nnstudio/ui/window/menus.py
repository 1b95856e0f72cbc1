"""The menu bar: File, Train, View and Help, and the window's actions with their shortcuts.

``build_menus(window)`` keeps each action as an attribute of the window (``step_action``,
``export_action``…), the handles scripts and tests find them by, as with ``build_panels``.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from nnstudio.ui.recording.record_dialog import RecordAnimationAction
from nnstudio.ui.window.export_menu import ExportMenu, ImportWeightsAction

__all__ = ["build_menus", "trainer_actions"]


def _action(window: QMainWindow, text: str, shortcut: str | None, slot, name: str) -> QAction:
    action = QAction(text, window, objectName=name)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    return action


def build_menus(window: QMainWindow) -> None:
    """Fill the window's menu bar; its panels, presenters, docks and status are built already."""
    menus = window.menuBar()
    sessions, controls, report = window.sessions, window.controls, window.status.say
    file_menu = menus.addMenu("&File")
    file_menu.addAction(sessions.open_action)
    file_menu.addMenu(sessions.recent_menu)
    file_menu.addAction(sessions.save_action)
    file_menu.addAction(sessions.save_as_action)
    file_menu.addSeparator()
    window.open_dataset_action = _action(window, "&Open dataset…", "Ctrl+O", window.data.open_dataset,
                                         "openDatasetAction")
    file_menu.addAction(window.open_dataset_action)
    window.import_weights_action = ImportWeightsAction(window, window.send)
    file_menu.addAction(window.import_weights_action)
    window.export_menu = ExportMenu(window, window.send, lambda text: report(text, 8000))
    file_menu.addMenu(window.export_menu)
    window.export_action = window.export_menu.actions_by_name["exportWeightsAction"]
    window.record_action = RecordAnimationAction(window, lambda text: report(text, 8000))
    file_menu.addAction(window.record_action)
    file_menu.addSeparator()
    window.quit_action = _action(window, "&Quit", "Ctrl+Q", window.close, "quitAction")
    file_menu.addAction(window.quit_action)

    train_menu = menus.addMenu("Tr&ain")  # Alt+T belongs to the Test set field
    window.step_action = _action(window, "&Step", "F10", controls.step_button.click, "stepAction")
    window.step_epoch_action = _action(window, "Step &epoch", "F11", controls.step_epoch_button.click,
                                       "stepEpochAction")
    window.run_action = _action(window, "&Run / Pause", "F5", controls.run_button.toggle, "runAction")
    window.reset_action = _action(window, "R&eset", "Ctrl+R", controls.reset_button.click, "resetAction")
    window.step_phase_action = _action(window, "Step &phase", "F9", controls.step_phase_button.click,
                                       "stepPhaseAction")
    window.undo_action = _action(window, "&Undo a cycle", "Ctrl+Z", lambda: window.send("undo"), "undoAction")
    window.check_gradients_action = _action(
        window, "&Check gradients", None, lambda: window.send("check_gradients"), "checkGradientsAction")
    for action in (window.step_phase_action, window.step_action, window.step_epoch_action, window.run_action,
                   window.reset_action, window.undo_action):
        train_menu.addAction(action)
    window.pin_run_action = _action(window, "&Pin run", None, window.pinned_runs.pin_current, "pinRunAction")
    train_menu.addSeparator()
    train_menu.addAction(window.pin_run_action)
    window.guide_dock.add_training_actions((window.step_phase_action, window.step_action, window.run_action))
    window.landscape_dock.add_training_actions((window.step_action, window.run_action))
    train_menu.addSeparator()
    train_menu.addAction(window.check_gradients_action)
    window.restart_trainer_action = _action(
        window, "Restart &trainer", None, window.restart_trainer, "restartTrainerAction")
    window.restart_trainer_action.setEnabled(False)
    train_menu.addSeparator()
    train_menu.addAction(window.restart_trainer_action)

    view_menu = menus.addMenu("&View")
    window.data_table_action = window.data_dock.toggleViewAction()
    window.data_table_action.setObjectName("dataTableAction")
    window.data_table_action.setShortcut(QKeySequence("Ctrl+T"))
    view_menu.addAction(window.data_table_action)
    window.landscape_action = window.landscape_dock.toggleViewAction()
    window.landscape_action.setObjectName("landscapeAction")
    window.landscape_action.setText("Loss &landscape")
    window.landscape_action.setShortcut(QKeySequence("Ctrl+L"))
    view_menu.addAction(window.landscape_action)

    help_menu = menus.addMenu("&Help")
    window.guide_action = _action(window, "&How a network learns", "F1", window.learning.show_guide, "guideAction")
    help_menu.addAction(window.guide_action)
    help_menu.addMenu(sessions.examples_menu)
    help_menu.addAction(_action(window, "&About NN Studio", None, lambda: _show_about(window), "aboutAction"))


def trainer_actions(window: QMainWindow) -> list[QAction]:
    """The actions that need the trainer: off while it is down."""
    sessions = window.sessions
    return [window.step_action, window.step_epoch_action, window.run_action, window.reset_action,
            window.step_phase_action, window.undo_action, window.check_gradients_action,
            window.open_dataset_action, window.import_weights_action,
            sessions.open_action, sessions.save_action, sessions.save_as_action,
            sessions.recent_menu.menuAction(), sessions.examples_menu.menuAction(), window.export_menu.menuAction()]


def _show_about(window: QMainWindow) -> None:
    QMessageBox.about(
        window, "About NN Studio",
        "<b>NN Studio</b><p>Build a neural network, pick data, and step through learning one "
        "feedforward/backprop cycle at a time.</p>",
    )
