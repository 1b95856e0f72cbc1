"""File › Export's history CSV: history_export's exact text, the sources it accepts, what it refuses."""

from __future__ import annotations

import math
import os
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from support.histories import export_history

from nnstudio.engine.run.history import HISTORY_CSV_COLUMNS
from nnstudio.ui.plotting.history_export import export_history_csv

NAN = math.nan


def _hand_made_history():
    """Batch losses for cycles 0..4, evaluations at 0 and 4 (no test loss/accuracy at 4)."""
    batch_cycles = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    batch_loss = np.array([0.9, 0.7, 0.1 + 0.2, 0.4, 0.25])
    eval_cycles = np.array([0.0, 4.0])
    evaluations = np.array([[0.8, 0.85, 0.5, 0.45], [0.2, NAN, 0.9, NAN]])
    return batch_cycles, batch_loss, eval_cycles, evaluations


HAND_MADE_CSV = (
    "cycle,batch_loss,train_loss,test_loss,train_accuracy,test_accuracy\n"
    "0,0.9,0.8,0.85,0.5,0.45\n"
    "1,0.7,,,,\n"
    "2,0.30000000000000004,,,,\n"
    "3,0.4,,,,\n"
    "4,0.25,0.2,nan,0.9,nan\n"
)


def test_history_csv_keeps_evaluation_only_cycles(tmp_path):
    """An evaluated cycle without a batch point gets a row with an empty batch_loss; no points, only the header."""
    path = tmp_path / "history.csv"
    export_history_csv(([1.0], [0.5], [0.0, 3.0], [[0.4, NAN, NAN, NAN], [0.1, 0.2, 1.0, 1.0]]), path)
    assert path.read_text(encoding="utf-8").splitlines()[1:] == [
        "0,,0.4,nan,nan,nan",
        "1,0.5,,,,",
        "3,,0.1,0.2,1.0,1.0",
    ]
    export_history_csv(([], [], [], np.empty((0, 4))), path)
    assert path.read_text(encoding="utf-8") == HAND_MADE_CSV.splitlines(keepends=True)[0]


def test_history_csv_rejects_mismatched_arrays_and_writes_nothing(tmp_path):
    """Paired arrays must match and cycles must be finite; the message names the problem."""
    path = tmp_path / "history.csv"
    with pytest.raises(ValueError, match="lengths differ"):
        export_history_csv(([0, 1], [0.5], [], []), path)
    with pytest.raises(ValueError, match=r"shape \(1, 4\)"):
        export_history_csv(([], [], [0], [[0.1, 0.2]]), path)
    with pytest.raises(ValueError, match="finite"):
        export_history_csv(([NAN], [0.5], [], []), path)
    assert not path.exists()


def test_history_csv_text_is_exact(tmp_path):
    """Header, empty cells where not measured, nan where not existing, repr floats: exactly."""
    path = tmp_path / "history.csv"
    assert export_history_csv(_hand_made_history(), path) == path
    assert path.read_text(encoding="utf-8") == HAND_MADE_CSV


def test_export_history_csv_accepts_the_window_sources(tmp_path):
    """A snapshot-like object, an engine History, a 4-tuple and the 7 set_history arrays give the same file."""
    from nnstudio.engine.run.history import History

    bc, bl, ec, ev = _hand_made_history()
    history = History()
    for cycle, loss in zip(bc, bl):
        history.batch_loss.append(cycle, loss)
    for cycle, row in zip(ec, ev):
        history.evaluations.append(cycle, *row)
    sources = {
        "snapshot": SimpleNamespace(batch_cycles=bc, batch_loss=bl, eval_cycles=ec, evaluations=ev),
        "history": history,
        "four": (bc, bl, ec, ev),
        "seven": (bc, bl, ec, ev[:, 0], ev[:, 1], ev[:, 2], ev[:, 3]),
    }
    for name, source in sources.items():
        export_history_csv(source, tmp_path / f"{name}.csv")
        assert (tmp_path / f"{name}.csv").read_text(encoding="utf-8") == HAND_MADE_CSV, name
    with pytest.raises(TypeError, match="History"):
        export_history_csv(42, tmp_path / "x.csv")


def test_export_history_csv_from_the_loss_plot(loss_plot, tmp_path):
    """Read back from the curves: every cycle, losses exact, accuracies as fractions."""
    path = tmp_path / "history.csv"
    export_history_csv(loss_plot, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(HISTORY_CSV_COLUMNS) and len(lines) == 1 + 2000
    _, bl, _, trl, tel, tra, tea = export_history()
    cells = lines[1 + 100].split(",")  # cycle 100: batch point and second evaluation
    assert cells[:4] == ["100", repr(float(bl[100])), repr(float(trl[1])), repr(float(tel[1]))]
    assert float(cells[4]) == pytest.approx(tra[1], abs=1e-15)
    assert float(cells[5]) == pytest.approx(tea[1], abs=1e-15)
    assert lines[1 + 101].split(",")[2:] == ["", "", "", ""]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_history_csv_gets_ordinary_permissions(tmp_path):
    """The CSV is readable like any new file, and a replaced file keeps its mode."""
    path = tmp_path / "history.csv"
    export_history_csv(_hand_made_history(), path)
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    path.chmod(0o640)
    export_history_csv(_hand_made_history(), path)
    assert path.stat().st_mode & 0o777 == 0o640
