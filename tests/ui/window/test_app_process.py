"""The app as a process: it trains, closes and exits cleanly."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support.processes import alive, process_state, wait_for

REPO = Path(__file__).resolve().parents[3]


def app_env(**extra: str) -> dict:
    """The environment an app under test runs in: offscreen, importing this checkout."""
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO), **extra)


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], check=False, capture_output=True, text=True,
                          timeout=timeout, env=app_env(), cwd=REPO)


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


#: Opens a window and calls ``tick(window)`` every 20 ms once the trainer's first snapshot is drawn.
DRIVEN_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from nnstudio.ui import MainWindow


def drive(tick):
    app = QApplication([])
    window = MainWindow(remember=False)
    window.show()
    timer = QTimer(interval=20)
    timer.timeout.connect(lambda: window.latest is not None and tick(window))
    timer.start()
    return app, timer
"""


@pytest.mark.slow
def test_app_runs_thousands_of_cycles_then_exits_zero():
    """A window that runs a few thousand cycles and closes exits 0 with no thread warnings."""
    result = run_python(DRIVEN_WINDOW + textwrap.dedent("""
        asked = []

        def check(window):
            if not asked:
                window.send("set_speed", None)
                asked.append(window.send("run"))
            elif window.latest.cycle >= 5000:
                print(window.latest.cycle)
                window.close()
                app.quit()

        app, timer = drive(check)
        QTimer.singleShot(90_000, lambda: (print("timed out", file=sys.stderr), app.exit(7)))
        sys.exit(app.exec())
    """))
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 5000
    assert "QThread" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_screenshot_mode_renders_the_window_to_a_png(tmp_path):
    """python -m nnstudio --screenshot out.png trains a little, saves the window and exits 0."""
    out = tmp_path / "window.png"
    result = subprocess.run([sys.executable, "-m", "nnstudio", "--screenshot", str(out), "--cycles", "50"],
                            check=False, capture_output=True, text=True, timeout=120, env=app_env(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 20_000
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- the trainer's process never outlives the window's -----------------------------------------

# The app as a learner runs it, guarded; MODE "run" presses Run, "long_step" asks for Step ×10⁸.
# Once the trainer is busy it prints the trainer's pid, then waits to be killed.
KILLED_APP = DRIVEN_WINDOW + """

def main():
    asked = []

    def tick(window):
        if not asked:
            if sys.argv[1] == "run":
                window.controls.run_button.click()
            else:
                window.send("step", "cycle", 10**8)
            asked.append(True)
        elif sys.argv[1] != "run" or (window.latest.running and window.latest.cycle > 0):
            timer.stop()
            print("TRAINER", window.worker.trainer_pid, flush=True)

    app, timer = drive(tick)
    app.exec()


if __name__ == "__main__":
    main()
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("mode", ["run", "long_step"])
def test_a_sigkilled_window_leaves_no_trainer_behind(tmp_path, mode):
    """Run (or a long Step), SIGKILL the window's process: no trainer process remains 3 s later."""
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent(KILLED_APP), encoding="utf-8")
    app = subprocess.Popen([sys.executable, str(script), mode], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True, env=app_env(), cwd=tmp_path)
    trainer = None
    try:
        line = app.stdout.readline()
        assert line.startswith("TRAINER "), line
        trainer = int(line.split()[1])
        start_cpu = process_state(trainer)[1]
        assert wait_for(lambda: process_state(trainer)[1] > start_cpu + 0.3, 30), "the trainer is not training"
        app.send_signal(signal.SIGKILL)
        app.wait(10)
        assert wait_for(lambda: not alive(trainer), 3.0), "a trainer process outlived its window by 3 s"
    finally:
        app.kill()
        if trainer is not None and alive(trainer):
            os.kill(trainer, signal.SIGKILL)


UNGUARDED_SCRIPT = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from nnstudio.ui import MainWindow

app = QApplication([])
window = MainWindow(remember=False)
window.show()
timer = QTimer(interval=20)
timer.timeout.connect(lambda: window.trainer_stopped_label.isVisible() and app.quit())
timer.start()
QTimer.singleShot(60_000, lambda: (print("no answer"), app.quit()))
app.exec()
print("LABEL", window.trainer_stopped_label.text(), "|", window.restart_button.isVisibleTo(window))
window.close()
"""


@pytest.mark.slow
def test_a_window_embedded_without_a_main_guard_says_to_add_the_guard(tmp_path):
    """A script that makes MainWindow at import level: the window says what to do, no bootstrapping traceback."""
    script = tmp_path / "embed.py"
    script.write_text(textwrap.dedent(UNGUARDED_SCRIPT), encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], check=False, capture_output=True, text=True, timeout=120,
                            env=app_env(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    label = next(line for line in result.stdout.splitlines() if line.startswith("LABEL "))
    assert 'if __name__ == "__main__":' in label and "guard" in label and label.endswith("| False")
    assert "bootstrapping" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_unexpected_errors_in_the_window_are_logged_with_their_traceback(tmp_path, monkeypatch, capsys):
    """run_app's hooks: an exception escaping a slot or a thread goes to stderr and the log, traceback and all."""
    import threading

    from nnstudio.app import install_error_log

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    log = tmp_path / "state" / "nnstudio.log"
    install_error_log(log)

    def slot_that_fails():
        return {}["missing"]

    try:
        slot_that_fails()
    except KeyError:
        sys.excepthook(*sys.exc_info())
    thread = threading.Thread(target=lambda: 1 / 0, name="relay")
    thread.start()
    thread.join()
    logged = log.read_text(encoding="utf-8")
    assert "unexpected error in the window" in logged and "in slot_that_fails" in logged and "KeyError" in logged
    assert "unexpected error on relay" in logged and "ZeroDivisionError" in logged
    assert logged.count("Traceback (most recent call last)") == 2
    assert "slot_that_fails" in capsys.readouterr().err


def child_pids(pid: int) -> list[int]:
    children = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                children.extend(int(child) for child in f.read().split())
        except FileNotFoundError:
            pass
    return children


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_in_the_launching_terminal_closes_the_app(tmp_path):
    """SIGINT (Ctrl+C) to `python -m nnstudio` closes the window; the app and its trainer exit cleanly."""
    app = subprocess.Popen([sys.executable, "-m", "nnstudio"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=app_env(XDG_CONFIG_HOME=str(tmp_path)), cwd=tmp_path)
    try:
        assert wait_for(lambda: app.poll() is None and child_pids(app.pid), 60), "no trainer started"
        trainer = child_pids(app.pid)[0]
        app.send_signal(signal.SIGINT)
        _, stderr = app.communicate(timeout=30)
        assert app.returncode == 0, stderr
        assert "KeyboardInterrupt" not in stderr
        assert wait_for(lambda: not alive(trainer), 3.0)
    finally:
        app.kill()
