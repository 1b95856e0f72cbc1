"""Animated GIF and MP4 files, frame by frame, atomically (no Qt involved)."""

import sys

import numpy as np
import pytest

from nnstudio.ui.recording.animation_writer import INSTALL_HINTS, library_problem, open_writer, output_problem

Image = pytest.importorskip("PIL.Image", reason="the record extra (Pillow) is part of the test extra")


def frames(count: int, height: int = 60, width: int = 90) -> list[np.ndarray]:
    """A moving orange square over a grey ground and a blue bar growing: few colours, every frame different."""
    out = []
    for k in range(count):
        frame = np.full((height, width, 3), 236, np.uint8)
        frame[10:30, 5 + 7 * k:25 + 7 * k] = (230, 120, 30)
        frame[40:50, 0:10 + 6 * k] = (40, 110, 200)
        out.append(frame)
    return out


def decoded(path) -> tuple[list[np.ndarray], list[int], dict]:
    image = Image.open(path)
    pictures, durations = [], []
    for index in range(image.n_frames):
        image.seek(index)
        pictures.append(np.asarray(image.convert("RGB")))
        durations.append(image.info["duration"])
    return pictures, durations, image.info


def test_gif_holds_every_frame_exactly_with_its_duration(tmp_path):
    path = tmp_path / "run.gif"
    written = frames(6)
    writer = open_writer(path, frame_ms=100, last_frame_ms=1500)
    for frame in written:
        writer.add(frame)
    size = writer.finish()

    pictures, durations, info = decoded(path)
    assert size == path.stat().st_size
    assert len(pictures) == 6
    assert Image.open(path).size == (90, 60)
    for got, wanted in zip(pictures, written):  # three colours a frame: quantising loses nothing
        np.testing.assert_array_equal(got, wanted)
    assert durations == [100, 100, 100, 100, 100, 1500]  # the last frame is held before the loop
    assert info["loop"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.gif"]


def test_a_frame_like_the_one_before_is_kept_and_keeps_its_time(tmp_path):
    """An unchanged frame (a paused run) still counts: the animation's timing stays that of the cycles."""
    path = tmp_path / "still.gif"
    first, second = frames(2)
    writer = open_writer(path, frame_ms=200, last_frame_ms=200)
    for frame in (first, first, second):
        writer.add(frame)
    writer.finish()
    pictures, durations, _ = decoded(path)
    assert len(pictures) == 3 and durations == [200, 200, 200]
    np.testing.assert_array_equal(pictures[1], first)
    np.testing.assert_array_equal(pictures[2], second)


def test_abort_leaves_no_file_and_keeps_the_old_one(tmp_path):
    path = tmp_path / "run.gif"
    path.write_bytes(b"an earlier recording")
    writer = open_writer(path, frame_ms=100, last_frame_ms=100)
    for frame in frames(3):
        writer.add(frame)
    assert len(list(tmp_path.iterdir())) == 2  # the target and the temporary file being written
    writer.abort()
    assert [p.name for p in tmp_path.iterdir()] == ["run.gif"]
    assert path.read_bytes() == b"an earlier recording"


def test_frames_must_keep_one_size_and_be_rgb(tmp_path):
    writer = open_writer(tmp_path / "run.gif", frame_ms=100, last_frame_ms=100)
    writer.add(frames(1)[0])
    with pytest.raises(ValueError, match="every frame must be 90×60"):
        writer.add(frames(1, height=61)[0])
    with pytest.raises(ValueError, match="uint8 RGB"):
        writer.add(np.zeros((60, 90), np.uint8))
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_bad_outputs_are_named_in_one_line(tmp_path):
    assert output_problem(tmp_path / "run.gif") is None
    assert output_problem(tmp_path / "run.avi") == "cannot record an animation as '.avi' (run.avi); use .gif or .mp4"
    assert "no suffix" in output_problem(tmp_path / "run")
    missing = tmp_path / "nowhere" / "run.gif"
    assert output_problem(missing) == f"cannot record to {missing}: the folder {missing.parent} does not exist"
    with pytest.raises(ValueError, match="use .gif or .mp4"):
        open_writer(tmp_path / "run.webm", 100, 100)


def test_a_missing_encoder_names_the_pip_command(monkeypatch, tmp_path):
    for name in [m for m in sys.modules if m == "PIL" or m.startswith("PIL.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "PIL", None)  # import PIL now fails as if it were not installed
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    gif = ("Recording an animated GIF needs Pillow, which is not installed: "
           "pip install 'nnstudio[record]' (or pip install Pillow)")
    mp4 = ("Recording an MP4 video needs imageio-ffmpeg, which is not installed: "
           "pip install 'nnstudio[record-mp4]' (or pip install imageio-ffmpeg)")
    assert library_problem(".gif") == INSTALL_HINTS[".gif"] == gif
    assert library_problem(".MP4") == INSTALL_HINTS[".mp4"] == mp4
    assert output_problem(tmp_path / "run.gif") == gif
    with pytest.raises(ValueError) as refused:
        open_writer(tmp_path / "run.mp4", 100, 100)
    assert str(refused.value) == mp4
    assert list(tmp_path.iterdir()) == []


def test_mp4_plays_every_frame_and_holds_the_last(tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg", reason="MP4 needs the record-mp4 extra")
    path = tmp_path / "run.mp4"
    written = frames(5)  # 90×60: padded to 96×64 for the codec
    writer = open_writer(path, frame_ms=100, last_frame_ms=500)
    for frame in written:
        writer.add(frame)
    writer.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.mp4"]
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    assert tuple(meta["size"]) == (96, 64)
    assert meta["fps"] == 10
    video = [np.frombuffer(data, np.uint8).reshape(64, 96, 3) for data in reader]
    assert len(video) == 5 + 4  # the last frame 500 ms: four more copies at 100 ms
    for got, wanted in zip(video, written):  # lossy, but the picture is the same
        assert np.abs(got[:60, :90].astype(int) - wanted).mean() < 6
    assert np.abs(video[0][:60, :90].astype(int) - video[4][:60, :90]).mean() > 6


def test_mp4_abort_leaves_no_file(tmp_path):
    pytest.importorskip("imageio_ffmpeg", reason="MP4 needs the record-mp4 extra")
    writer = open_writer(tmp_path / "run.mp4", frame_ms=100, last_frame_ms=100)
    for frame in frames(3):
        writer.add(frame)
    writer.abort()
    assert list(tmp_path.iterdir()) == []
