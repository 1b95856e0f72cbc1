"""Start the desktop app: checks that a display can be used, then opens ``MainWindow``."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from nnstudio.cli.parser import SCREENSHOT_CYCLES
from nnstudio.display_check import display_problem
from nnstudio.engine.io.errorlog import log_exception

__all__ = ["run_app", "install_error_log"]


def install_error_log(log_path: str | os.PathLike) -> None:
    """Unexpected exceptions in the window (in a slot, on any thread) go to stderr and the log, traceback and all."""
    def on_exception(kind, exc, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        log_exception(exc.with_traceback(tb), "unexpected error in the window", log_path)

    def on_thread_exception(args) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "a thread"
        log_exception(args.exc_value, f"unexpected error on {name}", log_path)

    sys.excepthook = on_exception
    threading.excepthook = on_thread_exception


def _close_on_interrupt(window, interrupted_already: bool) -> None:
    """Ctrl+C in the launching terminal closes the window as File › Quit does.

    Python runs signal handlers only between bytecodes, and Qt's event loop is C++: a
    timer that wakes the interpreter a few times a second lets the handler run. Unsaved
    work is asked about; a second Ctrl+C closes without asking. A Ctrl+C that came while
    the window was being built closes it as soon as the event loop runs.
    """
    from PySide6.QtCore import QTimer

    def on_interrupt(*_) -> None:
        if window.property("interrupted"):
            window.sessions.confirm = False
        window.setProperty("interrupted", True)
        window.close()

    signal.signal(signal.SIGINT, on_interrupt)
    window._interrupt_poll = QTimer(window, interval=200)
    window._interrupt_poll.timeout.connect(lambda: None)
    window._interrupt_poll.start()
    if interrupted_already:
        QTimer.singleShot(0, on_interrupt)


def run_app(args: argparse.Namespace) -> int:
    """Open the window with the options ``nnstudio.cli.parser.parse`` gave (no command); returns the exit code."""
    if args.screenshot or args.record:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    problem = display_problem()
    if problem:
        print(f"nnstudio: cannot open the window: {problem}", file=sys.stderr)
        return 1
    if args.record:
        from nnstudio.ui.recording.animation_writer import output_problem
        from nnstudio.ui.recording.record_settings import RecordSettings

        try:
            problem = output_problem(args.record)
            recording = RecordSettings(cycles=SCREENSHOT_CYCLES if args.cycles is None else args.cycles,
                                       every=10 if args.record_every is None else args.record_every)
        except ValueError as exc:
            problem = str(exc)
        if problem:
            print(f"nnstudio: {problem}", file=sys.stderr)
            return 2
    # Until the window can close itself, a Ctrl+C is only noted: an exception raised in the
    # middle of building it (its trainer process half started) would crash the interpreter.
    interrupts: list[int] = []
    signal.signal(signal.SIGINT, lambda number, frame: interrupts.append(number))
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from nnstudio.ui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("NN Studio")
    app.setOrganizationName("nnstudio")
    window = MainWindow(remember=not (args.screenshot or args.record))
    install_error_log(window.log_path)
    window.show()
    _close_on_interrupt(window, bool(interrupts))
    if args.screenshot:
        from nnstudio.ui.window.screenshot import capture_after_training

        cycles = SCREENSHOT_CYCLES if args.cycles is None else args.cycles
        capture_after_training(window, args.screenshot, cycles)
    if args.record:
        from nnstudio.ui.recording.recorder import record_after_training

        record_after_training(window, args.record, recording)
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), window.close)
    return app.exec()
