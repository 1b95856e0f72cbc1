"""Start the desktop app: checks that a display can be used, then opens ``MainWindow``."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .display_check import display_problem
from .engine.errorlog import log_exception

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


def _close_on_interrupt(window) -> None:
    """Ctrl+C in the launching terminal closes the window as File › Quit does.

    Python runs signal handlers only between bytecodes, and Qt's event loop is C++: a
    timer that wakes the interpreter a few times a second lets the handler run. Unsaved
    work is asked about; a second Ctrl+C closes without asking.
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


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nnstudio", description="Open NN Studio (or use 'nnstudio train|predict').")
    parser.add_argument("--screenshot", metavar="PNG", help="render the window offscreen after some training, save it, and exit")
    parser.add_argument("--cycles", type=int, default=400, help="cycles to train before the screenshot (default 400)")
    parser.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run_app(argv: list[str]) -> int:
    args = _parse(argv)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    problem = display_problem()
    if problem:
        print(f"nnstudio: cannot open the window: {problem}", file=sys.stderr)
        return 1
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from .ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("NN Studio")
    app.setOrganizationName("nnstudio")
    window = MainWindow(remember=not args.screenshot)
    install_error_log(window.log_path)
    window.show()
    _close_on_interrupt(window)
    if args.screenshot:
        from .ui.screenshot import capture_after_training

        capture_after_training(window, args.screenshot, args.cycles)
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), window.close)
    return app.exec()
