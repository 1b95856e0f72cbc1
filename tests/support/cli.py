"""Running the command line in tests: in-process results, real processes, and usage errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The packages no command-line path may import.
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph")
#: Exit code of :data:`NO_QT_MAIN` when something tried to load Qt.
QT_IMPORTED_EXIT = 99

# ``python -m nnstudio ARGS`` with every Qt binding blocked by a meta-path hook: an attempt
# to import one, or one found loaded at the end, exits QT_IMPORTED_EXIT naming it.
NO_QT_MAIN = f"""
import runpy, sys, traceback
QT_MODULES = {QT_MODULES!r}
attempts = []


class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in QT_MODULES:
            attempts.append(name)
            raise ImportError('Qt is not allowed here: ' + name)
        return None


sys.meta_path.insert(0, NoQt())
sys.argv = ['nnstudio'] + sys.argv[1:]
try:
    runpy.run_module('nnstudio', run_name='__main__', alter_sys=True)
except SystemExit as exc:
    code = exc.code
except BaseException:
    traceback.print_exc()
    code = 1
else:
    code = 0
loaded = [m for m in sys.modules if m.split('.')[0] in QT_MODULES]
if attempts or loaded:
    print('Qt was imported: ' + ', '.join(attempts + loaded), file=sys.stderr)
    sys.exit({QT_IMPORTED_EXIT})
sys.exit(code)
"""


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:
        """The JSON object on the last line of stdout."""
        return json.loads(self.out.strip().splitlines()[-1])


def subprocess_env() -> dict:
    """The environment for a child Python that imports this checkout's ``nnstudio``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONWARNINGS", None)
    return env


def _run(command: list[str], cwd: Path, timeout: float) -> Result:
    proc = subprocess.run(command, cwd=cwd, env=subprocess_env(), capture_output=True, text=True, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_module(cwd: Path, *args, timeout: float = 60) -> Result:
    """``python -m nnstudio ARGS`` as a real process in ``cwd`` (stdout/stderr are pipes, not TTYs)."""
    return _run([sys.executable, "-m", "nnstudio", *map(str, args)], cwd, timeout)


def run_without_qt(cwd: Path, *args, timeout: float = 60) -> Result:
    """``python -m nnstudio ARGS`` in a process where importing any Qt binding fails."""
    result = _run([sys.executable, "-c", NO_QT_MAIN, *map(str, args)], cwd, timeout)
    assert result.code != QT_IMPORTED_EXIT, result.err
    return result


def assert_usage_error(result: Result, *words: str) -> None:
    """Exit 2, exactly one non-empty line on stderr mentioning every word, no traceback."""
    assert result.code == 2, (result.code, result.err)
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"expected one stderr line, got {result.err!r}"
    for word in words:
        assert word.lower() in lines[0].lower(), f"{word!r} not in {lines[0]!r}"


def write_csv(path: Path, header, rows) -> Path:
    """A CSV file; floats written with repr so they read back exactly."""
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(repr(float(v)) if isinstance(v, (float, np.floating)) else str(v) for v in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def three_class_rows(n_per_class: int = 20, seed: int = 0):
    """Rows (x1, x2, label) of three well-separated blobs labelled 'a', 'b', 'c'."""
    rng = np.random.default_rng(seed)
    centres = {"a": (-3.0, 0.0), "b": (3.0, 0.0), "c": (0.0, 4.0)}
    rows = []
    for label, (cx, cy) in centres.items():
        for _ in range(n_per_class):
            rows.append((cx + 0.3 * rng.standard_normal(), cy + 0.3 * rng.standard_normal(), label))
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]
