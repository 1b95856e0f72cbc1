"""Can Qt open a window here? Answered before Qt is imported, in words a user can act on.

Qt's X11 (xcb) plugin links against system libraries that pip cannot install. When one is
missing, Qt only says "could not load the Qt platform plugin xcb" and aborts. So we ask the
dynamic linker (``ldd``) which of the plugin's libraries it cannot find, and name the
Debian/Ubuntu packages that hold them, all in one ``apt install`` line.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["display_problem", "missing_xcb_libraries", "package_for_soname"]

#: Loaded by Qt at run time (dlopen), so ``ldd`` never lists it; Qt 6.5+ needs it for xcb.
_DLOPENED = ("xcb-cursor",)
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def package_for_soname(soname: str) -> str:
    """Debian's package name for a shared library: ``libxcb-icccm.so.4`` → ``libxcb-icccm4``.

    Debian names a library package after its soname, lower-cased, with a hyphen before the
    version when the name already ends in a digit (``libxkbcommon-x11.so.0`` →
    ``libxkbcommon-x11-0``).
    """
    match = re.fullmatch(r"(.+?)\.so\.(\d+)(?:\.\d+)*", soname)
    if match is None:
        return soname
    name, version = match.group(1).lower(), match.group(2)
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


def _xcb_plugin_files() -> list[Path]:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    candidates = [qt / "plugins" / "platforms" / "libqxcb.so", *sorted((qt / "lib").glob("libQt6XcbQpa.so*"))]
    return [path for path in candidates if path.is_file()][:2]


def missing_xcb_libraries() -> list[str]:
    """Sonames the xcb plugin needs that this system lacks (empty if all are there or unknown)."""
    missing: list[str] = []
    ldd = shutil.which("ldd")
    files = _xcb_plugin_files()
    if ldd and files:
        try:
            out = subprocess.run([ldd, *map(str, files)], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        missing.extend(dict.fromkeys(_NOT_FOUND.findall(out)))
    for name in _DLOPENED:
        if ctypes.util.find_library(name) is None:
            missing.append(f"lib{name}.so.0")
    return missing


def display_problem() -> str | None:
    """Why Qt could not open a window here (None if nothing is known to be wrong)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return ("no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). On a desktop, run from "
                "its terminal; headless, set QT_QPA_PLATFORM=offscreen.")
    if os.environ.get("WAYLAND_DISPLAY"):
        return None  # the Wayland plugin needs none of these
    missing = missing_xcb_libraries()
    if not missing:
        return None
    packages = " ".join(dict.fromkeys(package_for_soname(soname) for soname in missing))
    return (f"Qt's X11 (xcb) plugin needs system libraries that pip cannot install ({', '.join(missing)}). "
            f"Install them with your package manager, e.g. 'sudo apt install {packages}'.")
