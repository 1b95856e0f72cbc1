"""Start the desktop app: checks that a display can be used, then opens ``MainWindow``."""

from __future__ import annotations

import argparse
import ctypes.util
import os
import sys
import threading

from .engine.errorlog import log_exception

__all__ = ["run_app", "install_error_log"]


def _display_problem() -> str | None:
    """Why Qt could not open a window here, in words a user can act on (None if fine)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return ("no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). On a desktop, run from "
                "its terminal; headless, set QT_QPA_PLATFORM=offscreen.")
    if os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and not ctypes.util.find_library("xcb-cursor"):
        return ("Qt's X11 (xcb) plugin needs the system library libxcb-cursor0, which pip cannot install. "
                "Install it with your package manager, e.g. 'sudo apt install libxcb-cursor0'.")
    return None


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
    problem = _display_problem()
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
    if args.screenshot:
        from .ui.screenshot import capture_after_training

        capture_after_training(window, args.screenshot, args.cycles)
    if args.quit_after is not None:
        QTimer.singleShot(int(args.quit_after * 1000), window.close)
    return app.exec()
