"""File › Record animation: a frame every N cycles of the window's panels, encoded off the window's thread."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from nnstudio.ui.recording.frame_composer import FrameComposer, rgb_array
from nnstudio.ui.recording.record_settings import RecordSettings
from nnstudio.ui.recording.recorder import Recorder

Image = pytest.importorskip("PIL.Image", reason="the record extra (Pillow) is part of the test extra")

TIMEOUT = 60_000
REPO = Path(__file__).resolve().parents[3]


def gif_frames(path) -> list[np.ndarray]:
    image = Image.open(path)
    out = []
    for index in range(image.n_frames):
        image.seek(index)
        out.append(np.asarray(image.convert("RGB")))
    return out


def record(window, qtbot, path, settings) -> Recorder:
    recorder = Recorder(window, path, settings)
    with qtbot.waitSignal(recorder.sig_finished, timeout=TIMEOUT):
        recorder.start()
    return recorder


def test_a_recording_holds_a_frame_every_n_cycles_of_the_side_by_side_panels(make_window, qtbot, tmp_path):
    window = make_window()
    start = window.latest.cycle
    path = tmp_path / "xor.gif"
    recorder = record(window, qtbot, path, RecordSettings(cycles=30, every=10, height=200))

    assert recorder.outcome == "written"
    assert window.latest.cycle == start + 30  # the recorder trained the cycles itself
    frames = gif_frames(path)
    assert len(frames) == 30 // 10 + 1  # the state it started from, then cycles 10, 20, 30
    width, height = recorder.composer.size
    assert Image.open(path).size == (width, height)
    assert height == 200 + recorder.composer.caption_height
    assert len(recorder.composer.places) == 3  # network, decision boundary, loss
    for place in recorder.composer.places:  # each panel changes from frame to frame as the network learns
        region = (slice(place.top(), place.bottom() + 1), slice(place.left(), place.right() + 1))
        for before, after in zip(frames, frames[1:]):
            assert np.any(before[region] != after[region])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xor.gif"]


def test_the_same_seed_records_the_same_file(make_window, qtbot, tmp_path):
    """Stepped recording: frames at fixed cycles, so a replayed run gives the file again, byte for byte."""
    window = make_window()
    settings = RecordSettings(panels="network", cycles=20, every=5, height=160)
    record(window, qtbot, tmp_path / "first.gif", settings)
    window.controls.reset_button.click()  # the same initial weights and batches
    qtbot.waitUntil(lambda: window.latest.cycle == 0, timeout=TIMEOUT)
    record(window, qtbot, tmp_path / "again.gif", settings)
    assert len(gif_frames(tmp_path / "first.gif")) == 5
    assert (tmp_path / "first.gif").read_bytes() == (tmp_path / "again.gif").read_bytes()


def test_cancel_leaves_no_file_and_no_temporary_file(make_window, qtbot, tmp_path):
    window = make_window()
    recorder = Recorder(window, tmp_path / "long.gif", RecordSettings(cycles=1_000_000, every=1, height=160))
    recorder.start()
    qtbot.waitUntil(lambda: recorder.frames_encoded >= 3, timeout=TIMEOUT)
    assert any(tmp_path.iterdir())  # the file being written, under a temporary name
    with qtbot.waitSignal(recorder.sig_finished, timeout=TIMEOUT) as finished:
        recorder.cancel()
    assert finished.args == [False, "Recording cancelled: no file was written."]
    assert list(tmp_path.iterdir()) == []
    assert not recorder.encoder.isRunning()


def test_stop_keeps_the_frames_taken_so_far(make_window, qtbot, tmp_path):
    window = make_window()
    path = tmp_path / "early.gif"
    recorder = Recorder(window, path, RecordSettings(cycles=1_000_000, every=2, height=160))
    recorder.start()
    qtbot.waitUntil(lambda: recorder.frames_taken >= 3, timeout=TIMEOUT)
    with qtbot.waitSignal(recorder.sig_finished, timeout=TIMEOUT) as finished:
        recorder.stop()
    assert finished.args[0] is True and "(ended early: stopped)" in finished.args[1]
    assert len(gif_frames(path)) == recorder.frames_taken >= 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["early.gif"]


def test_frames_are_the_panels_as_drawn_scaled_to_the_height(qtbot):
    """Two plain panels of odd widths: each lands in its place, in its colour, at the asked height."""
    red, blue = QWidget(), QWidget()
    for widget, colour, width in ((red, "#ff0000", 41), (blue, "#0000ff", 63)):
        widget.setStyleSheet(f"background: {colour};")
        widget.setAutoFillBackground(True)
        widget.resize(width, 50)
        qtbot.addWidget(widget)
        widget.show()
    composer = FrameComposer([red, blue], height=100)
    frame = rgb_array(composer.compose("cycle 7"))
    first, second = composer.places
    assert (first.width(), first.height()) == (82, 100) and (second.width(), second.height()) == (126, 100)
    assert frame.shape == (composer.caption_height + 100, 82 + 6 + 126, 3)
    np.testing.assert_array_equal(frame[first.center().y(), first.center().x()], [255, 0, 0])
    np.testing.assert_array_equal(frame[second.center().y(), second.center().x()], [0, 0, 255])


def test_record_animation_says_how_to_install_a_missing_encoder(make_window, qtbot, monkeypatch):
    window = make_window()
    for name in [m for m in sys.modules if m == "PIL" or m.startswith("PIL.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    action = window.record_action
    monkeypatch.setattr(action, "ask_settings", lambda note: pytest.fail("no encoder: no settings to ask"))
    action.trigger()
    box = window.findChild(QMessageBox, "recordMessageBox")
    assert box is not None and box.isVisible()
    assert "pip install 'nnstudio[record]'" in box.text()
    assert "pip install 'nnstudio[record-mp4]'" in box.text()
    assert action.recorder is None


def test_the_menu_entry_records_with_the_chosen_settings(make_window, qtbot, monkeypatch, tmp_path):
    window = make_window()
    action = window.findChild(type(window.record_action), "recordAnimationAction")
    path = tmp_path / "menu.gif"
    monkeypatch.setattr(
        action, "ask_settings", lambda note: RecordSettings(panels="loss", cycles=12, every=4, height=150)
    )
    monkeypatch.setattr(action, "ask_path", lambda filters: str(path) if ".gif" in filters.values() else None)
    action.trigger()
    assert action.progress is not None and action.progress.isVisible()
    qtbot.waitUntil(lambda: action.recorder is None, timeout=TIMEOUT)
    assert window.statusBar().currentMessage().startswith(f"Animation written to {path}: 4 frames, 12 cycles")
    assert len(gif_frames(path)) == 4


@pytest.mark.slow
def test_the_app_records_offscreen_from_the_command_line(tmp_path):
    """nnstudio --record OUT.gif --cycles N trains N cycles in an offscreen window, writes the file, exits 0."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    path = tmp_path / "cli.gif"
    done = subprocess.run([sys.executable, "-m", "nnstudio", "--record", str(path), "--cycles", "20",
                           "--record-every", "5"], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Animation written to {path}: 5 frames, 20 cycles")
    assert len(gif_frames(path)) == 5
    refused = subprocess.run([sys.executable, "-m", "nnstudio", "--record", str(tmp_path / "cli.avi")],
                             capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "nnstudio: cannot record an animation as '.avi' (cli.avi); use .gif or .mp4"]


def test_closing_the_window_mid_recording_leaves_no_file(make_window, qtbot, tmp_path):
    window = make_window()
    recorder = Recorder(window, tmp_path / "closed.gif", RecordSettings(cycles=1_000_000, every=1, height=160))
    recorder.start()
    qtbot.waitUntil(lambda: recorder.frames_encoded >= 2, timeout=TIMEOUT)
    encoder = recorder.encoder
    window.close()
    assert not encoder.isRunning()  # joined before the window went
    assert list(tmp_path.iterdir()) == []


def test_the_settings_dialog_gives_its_settings_and_says_how_long_the_animation_lasts(qtbot):
    from nnstudio.ui.recording.record_dialog import RecordDialog

    dialog = RecordDialog(None, RecordSettings(), note="")
    qtbot.addWidget(dialog)
    assert dialog.settings() == RecordSettings(panels="all", cycles=300, every=10, fps=10, height=360)
    assert dialog.summary.text() == "31 frames, 3.1 s at 10 frames per second (the last frame held 2 s more)."
    dialog.panels_combo.setCurrentIndex(dialog.panels_combo.findData("loss"))
    dialog.cycles_spin.setValue(95)
    dialog.every_spin.setValue(20)
    dialog.fps_spin.setValue(4)
    dialog.height_combo.setCurrentIndex(dialog.height_combo.findData(720))
    assert dialog.settings() == RecordSettings(panels="loss", cycles=95, every=20, fps=4, height=720)
    assert dialog.summary.text().startswith("6 frames, 1.5 s at 4 frames per second")  # 0, 20, 40, 60, 80, 95
