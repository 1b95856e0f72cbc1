"""File › Export › Loss history: the window's history, from whichever source holds it, as the engine's CSV.

The table itself (columns, one row per cycle, exact values) belongs to
:func:`nnstudio.engine.run.history.write_history_csv`, so the window and
``nnstudio train --history`` produce the same file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pyqtgraph as pg

from nnstudio.engine.run.history import History, write_history_csv
from nnstudio.ui.plotting.loss_plot import LossPlot

__all__ = ["export_history_csv"]


def _checked_arrays(
    batch_cycles: object, batch_loss: object, eval_cycles: object, evaluations: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    b_x = np.asarray(batch_cycles, dtype=np.float64).ravel()
    b_y = np.asarray(batch_loss, dtype=np.float64).ravel()
    e_x = np.asarray(eval_cycles, dtype=np.float64).ravel()
    ev = np.asarray(evaluations, dtype=np.float64)
    if ev.size == 0:
        ev = ev.reshape(0, len(History.EVAL_COLUMNS))
    if b_x.shape != b_y.shape:
        raise ValueError(f"batch_cycles and batch_loss lengths differ: {b_x.size} vs {b_y.size}")
    if ev.ndim != 2 or ev.shape != (e_x.size, len(History.EVAL_COLUMNS)):
        raise ValueError(f"evaluations must have shape ({e_x.size}, {len(History.EVAL_COLUMNS)}), got {ev.shape}")
    if not (np.isfinite(b_x).all() and np.isfinite(e_x).all()):
        raise ValueError("cycles must be finite numbers")
    return b_x, b_y, e_x, ev


def _as_history(batch_cycles: object, batch_loss: object, eval_cycles: object, evaluations: object) -> History:
    """An engine History holding exactly these points (no thinning), for the engine's CSV writer."""
    b_x, b_y, e_x, ev = _checked_arrays(batch_cycles, batch_loss, eval_cycles, evaluations)
    points = max(b_x.size, e_x.size, 2)
    capacity = points + points % 2  # even, and large enough to keep every point
    history = History(capacity)
    history.load_state(
        {
            "batch_loss": {"data": np.column_stack([b_x, b_y]), "offered": b_x.size, "stride": 1, "capacity": capacity},
            "evaluations": {"data": np.column_stack([e_x, ev]), "offered": e_x.size, "stride": 1, "capacity": capacity},
        }
    )
    return history


def _curve_xy(curve: pg.PlotDataItem) -> tuple[np.ndarray, np.ndarray]:
    """The data given to a curve, before downsampling, clipping and log mode."""
    x, y = curve.getOriginalDataset()
    if x is None or y is None:
        return np.empty(0), np.empty(0)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def _arrays_from_loss_plot(loss_plot: LossPlot) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rebuild the history arrays from the curves (accuracy percent -> fraction).

    The curves hold finite points only: a value missing from one curve at an
    evaluated cycle comes back as NaN.
    """
    batch_x, batch_y = _curve_xy(loss_plot.batch_curve)
    series = [
        (_curve_xy(loss_plot.train_curve), 1.0),
        (_curve_xy(loss_plot.test_curve), 1.0),
        (_curve_xy(loss_plot.train_accuracy_curve), 100.0),
        (_curve_xy(loss_plot.test_accuracy_curve), 100.0),
    ]
    cycles = np.unique(np.concatenate([xy[0] for xy, _ in series]))
    evaluations = np.full((cycles.size, len(series)), np.nan)
    for column, ((x, y), divisor) in enumerate(series):
        evaluations[np.searchsorted(cycles, x), column] = y / divisor
    return batch_x, batch_y, cycles, evaluations


def _history_arrays(source: object) -> tuple:
    if isinstance(source, LossPlot):
        return _arrays_from_loss_plot(source)
    if all(hasattr(source, name) for name in ("batch_cycles", "batch_loss", "eval_cycles", "evaluations")):
        return tuple(getattr(source, name) for name in ("batch_cycles", "batch_loss", "eval_cycles", "evaluations"))
    if isinstance(source, Mapping):
        return source["batch_cycles"], source["batch_loss"], source["eval_cycles"], source["evaluations"]
    if isinstance(source, (tuple, list)) and len(source) == 4:
        return tuple(source)
    if isinstance(source, (tuple, list)) and len(source) == 7:  # the arguments of LossPlot.set_history
        batch_x, batch_y, eval_x, *columns = source
        return batch_x, batch_y, eval_x, np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
    raise TypeError(
        "expected a History, a snapshot with batch_cycles/batch_loss/eval_cycles/evaluations, a LossPlot, "
        f"or a 4- or 7-tuple of arrays; got {type(source).__name__}"
    )


def export_history_csv(loss_plot_or_arrays: object, path: str | os.PathLike) -> Path:
    """Write the loss history as CSV with :func:`nnstudio.engine.run.history.write_history_csv`.

    Columns ``HISTORY_CSV_COLUMNS``, one row per cycle at which anything was recorded
    (the engine's table); the file is the one ``nnstudio train --history`` writes,
    written atomically.

    Parameters
    ----------
    loss_plot_or_arrays
        Preferably the numbers themselves: an engine
        :class:`~nnstudio.engine.run.history.History`; a snapshot (anything with
        ``batch_cycles``, ``batch_loss``, ``eval_cycles``, ``evaluations``, such as
        the window's ``latest``) or a mapping with those keys; a 4-tuple
        ``(batch_cycles, batch_loss, eval_cycles, evaluations)``; or the 7 arrays
        given to :meth:`LossPlot.set_history`. A :class:`LossPlot` also works: its
        curves are read back, but they hold finite points only (a cycle whose
        evaluation was all NaN is lost) and accuracies return from percent, which
        can change the last digit.
    path : str or os.PathLike
        Target ``.csv`` file.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If paired lengths differ, ``evaluations`` is not ``(n, 4)`` or a cycle is not finite.
    OSError
        If the file cannot be written (an existing file is kept).
    """
    history = loss_plot_or_arrays if isinstance(loss_plot_or_arrays, History) else _as_history(
        *_history_arrays(loss_plot_or_arrays)
    )
    target = Path(path)
    write_history_csv(history, target)
    return target
