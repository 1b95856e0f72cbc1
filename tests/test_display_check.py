"""The start-up check names every missing X11 library and the packages that hold them."""

import subprocess

import pytest

from nnstudio import display_check
from nnstudio.display_check import display_problem, missing_xcb_libraries, package_for_soname


@pytest.mark.parametrize("soname, package", [
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libdbus-1.so.3", "libdbus-1-3"),
    ("libGL.so.1", "libgl1"),
    ("libEGL.so.1.1.0", "libegl1"),
])
def test_soname_maps_to_the_debian_package(soname, package):
    """Names follow Debian's rule: lower case, a hyphen before the version after a digit."""
    assert package_for_soname(soname) == package


LDD_OUTPUT = """\
/x/libqxcb.so:
\tlinux-vdso.so.1 (0x00007ffd)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibX11-xcb.so.1 => /usr/lib/x86_64-linux-gnu/libX11-xcb.so.1 (0x00007f)
/x/libQt6XcbQpa.so.6:
\tlibxcb-icccm.so.4 => not found
\tlibxkbcommon-x11.so.0 => not found
"""


@pytest.fixture
def fake_linker(monkeypatch, tmp_path):
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    monkeypatch.setattr(display_check, "_xcb_plugin_files", lambda: [plugin])
    monkeypatch.setattr(display_check.shutil, "which", lambda name: "/usr/bin/ldd")
    monkeypatch.setattr(display_check.subprocess, "run",
                        lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout=LDD_OUTPUT, stderr=""))
    monkeypatch.setattr(display_check.ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(display_check.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")


def test_every_missing_library_is_listed_once(fake_linker):
    assert missing_xcb_libraries() == [
        "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxkbcommon-x11.so.0", "libxcb-cursor.so.0"]


def test_the_message_gives_one_apt_line_for_them_all(fake_linker):
    message = display_problem()
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libxcb-cursor0'" in message


def test_no_problem_when_offscreen_is_asked_for(fake_linker, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert display_problem() is None


def test_no_display_is_said_plainly(fake_linker, monkeypatch):
    monkeypatch.delenv("DISPLAY")
    assert "no display found" in display_problem()
