"""The app as a process: it trains, closes and exits cleanly."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=REPO)


def test_many_signal_emits_and_void_calls_do_not_crash():
    """Thousands of Signal.emit and QLabel.setText calls leave the interpreter sound (PySide6 6.12.0 crashed here)."""
    result = run_python("""
        import gc
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtWidgets import QApplication, QLabel
        app = QApplication([])
        class Emitter(QObject):
            sig = Signal(bool)
        emitter, label, seen = Emitter(), QLabel(), []
        emitter.sig.connect(seen.append)
        for i in range(5000):
            emitter.sig.emit(True)
            label.setText(str(i))
        gc.collect()
        print(len(seen))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5000"


@pytest.mark.slow
def test_app_runs_thousands_of_cycles_then_exits_zero():
    """A window that runs a few thousand cycles and closes exits 0 with no thread warnings."""
    result = run_python("""
        import sys
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        from nnstudio.ui import MainWindow
        app = QApplication([])
        window = MainWindow(remember=False)
        window.show()
        state = {"running": False}
        def check():
            latest = window.latest
            if latest is None:
                return
            if not state["running"]:
                window.send("set_speed", None)
                window.send("run")
                state["running"] = True
            elif latest.cycle >= 5000:
                print(latest.cycle)
                window.close()
                app.quit()
        timer = QTimer(interval=20)
        timer.timeout.connect(check)
        timer.start()
        QTimer.singleShot(90_000, lambda: (print("timed out", file=sys.stderr), app.exit(7)))
        sys.exit(app.exec())
    """)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 5000
    assert "QThread" not in result.stderr
    assert "Traceback" not in result.stderr


def test_screenshot_mode_renders_the_window_to_a_png(tmp_path):
    """python -m nnstudio --screenshot out.png trains a little, saves the window and exits 0."""
    out = tmp_path / "window.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-m", "nnstudio", "--screenshot", str(out), "--cycles", "50"],
                            capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 20_000
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
