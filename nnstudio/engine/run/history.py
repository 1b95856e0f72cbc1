"""Loss history with bounded memory, however long training runs, and its CSV export.

``write_history_csv(history, path)`` writes one table, header
``cycle,batch_loss,train_loss,test_loss,train_accuracy,test_accuracy``, one row per cycle
at which anything was recorded, in increasing cycle order. ``cycle`` counts the updates
made before the measurement, so ``batch_loss`` at cycle c is the loss of mini-batch c+1
before its update and the evaluation at cycle c is of the weights after c updates.
``batch_loss`` is filled where the batch loss was recorded (every cycle, or every
``stride``-th once a long run thins its history); the four evaluation columns are filled
at the cycles where the whole splits were evaluated, and empty elsewhere (so an evaluation
row always has ``train_loss``). Values are exact (``repr`` of the float); ``nan`` means the
quantity does not exist (no test split; accuracy in regression) or the loss diverged.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import os
from dataclasses import dataclass

import numpy as np

from nnstudio.engine.io.fileio import atomic_write_text

__all__ = ["ThinnedSeries", "SeriesMark", "History", "HISTORY_CSV_COLUMNS", "write_history_csv"]

#: Every series, and every change to one other than appending, gets a number never used before.
_LINEAGES = itertools.count(1)


@dataclass(frozen=True)
class SeriesMark:
    """How far a reader has read a ``ThinnedSeries``: its lineage then and the points it held."""

    lineage: int
    size: int


class ThinnedSeries:
    """Points (x, y0, y1, ...) kept at a stride that doubles whenever the buffer fills.

    A million cycles keep at most ``capacity`` points, evenly spread over the whole run:
    when full, every other point is dropped and from then on only every ``stride``-th
    offered point is stored.

    ``lineage`` changes whenever the points held change other than by appending (thinned,
    cut back, loaded), so a reader that kept a ``mark()`` can ask for only the points
    appended since (``points_since``).
    """

    def __init__(self, n_columns: int, capacity: int = 1 << 15) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number ≥ 2")
        self.capacity = capacity
        self._data = np.empty((capacity, 1 + n_columns))
        self._size = 0
        self._offered = 0
        self.stride = 1
        self.lineage = next(_LINEAGES)

    def __len__(self) -> int:
        return self._size

    def append(self, x: float, *values: float) -> None:
        offered = self._offered
        self._offered = offered + 1
        if offered % self.stride:
            return
        if self._size == self.capacity:
            kept = self._data[::2].copy()
            self._size = len(kept)
            self._data[: self._size] = kept
            self.stride *= 2
            self.lineage = next(_LINEAGES)
            if offered % self.stride:
                return
        row = self._data[self._size]
        row[0] = x
        row[1:] = values
        self._size += 1

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies: x (n,) and the columns (n, n_columns)."""
        data = self._data[: self._size]
        return data[:, 0].copy(), data[:, 1:].copy()

    def mark(self) -> SeriesMark:
        """Where a reader that has every point held now stands."""
        return SeriesMark(self.lineage, self._size)

    def points_since(self, mark: SeriesMark | None) -> tuple[np.ndarray, np.ndarray, bool]:
        """Copies (x, columns, whole): the points appended since ``mark``, or all of them.

        ``whole`` is False when ``mark`` was taken from this series and only appends
        happened since: x and the columns then hold the new points alone (perhaps none).
        Otherwise (no mark, another series, or thinned, cut back or loaded since) they hold
        every point and ``whole`` is True.
        """
        if mark is not None and mark.lineage == self.lineage and mark.size <= self._size:
            data = self._data[mark.size: self._size]
            return data[:, 0].copy(), data[:, 1:].copy(), False
        x, values = self.arrays()
        return x, values, True

    def truncate(self, max_x: float) -> None:
        """Forget the points after ``max_x`` (keep those with x ≤ max_x; x must not decrease).

        The stride stays; the count of offered points restarts right after the last kept
        one, so the next point offered is kept and the spacing goes on as before. For a
        series offered one point per cycle from cycle 0 (the batch loss) that count is the
        same as a run that stopped there would have.
        """
        size = int(np.searchsorted(self._data[: self._size, 0], max_x, side="right"))
        if size == self._size:
            return
        self._size = size
        self._offered = size * self.stride
        self.lineage = next(_LINEAGES)

    def last(self) -> np.ndarray | None:
        return self._data[self._size - 1].copy() if self._size else None

    def state(self) -> dict:
        return {"data": self._data[: self._size].copy(), "offered": self._offered, "stride": self.stride,
                "capacity": self.capacity}

    def check_state(self, state: dict) -> np.ndarray:
        """The state's points as float64 (n, 1 + n_columns); ValueError if it cannot be this series'."""
        try:
            data, offered, stride = state["data"], state["offered"], state["stride"]
        except (KeyError, TypeError):
            raise ValueError("history state needs 'data', 'offered' and 'stride'") from None
        data = np.asarray(data)
        if data.dtype.kind not in "fiu":
            raise ValueError(f"history points must be numbers, not {data.dtype}")
        data = data.astype(float)
        if data.ndim != 2 or data.shape[1] != self._data.shape[1] or len(data) > self.capacity:
            raise ValueError("history does not fit this series")
        capacity = state.get("capacity", self.capacity)
        if capacity != self.capacity:
            raise ValueError(f"history kept {capacity} points at most, this series keeps {self.capacity}")
        for name, value in (("offered", offered), ("stride", stride)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"history {name!r} must be a whole number ≥ 0, got {value!r}")
        if stride < 1 or stride & (stride - 1):
            raise ValueError(f"history stride must be a power of two, got {stride}")
        if len(data) > offered:
            raise ValueError("history holds more points than were ever offered")
        return data

    def load_state(self, state: dict) -> None:
        data = self.check_state(state)
        self._size = len(data)
        self._data[: self._size] = data
        self._offered = int(state["offered"])
        self.stride = int(state["stride"])
        self.lineage = next(_LINEAGES)


class History:
    """What training has done so far.

    Attributes
    ----------
    batch_loss
        (cycle, loss of that cycle's mini-batch before its update), every cycle, thinned.
    evaluations
        (cycle, train_loss, test_loss, train_accuracy, test_accuracy) on the whole splits;
        NaN where there is no test split or no accuracy (regression).
    """

    EVAL_COLUMNS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")

    def __init__(self, capacity: int = 1 << 15) -> None:
        self.batch_loss = ThinnedSeries(1, capacity)
        self.evaluations = ThinnedSeries(len(self.EVAL_COLUMNS), capacity)

    def state(self) -> dict:
        return {"batch_loss": self.batch_loss.state(), "evaluations": self.evaluations.state()}

    def check_state(self, state: dict) -> None:
        """ValueError unless ``state`` fits both series (nothing changes either way)."""
        if not isinstance(state, dict) or not {"batch_loss", "evaluations"} <= state.keys():
            raise ValueError("history state needs 'batch_loss' and 'evaluations'")
        self.batch_loss.check_state(state["batch_loss"])
        self.evaluations.check_state(state["evaluations"])

    def load_state(self, state: dict) -> None:
        """Both series or neither: the state is checked whole before either changes."""
        self.check_state(state)
        self.batch_loss.load_state(state["batch_loss"])
        self.evaluations.load_state(state["evaluations"])


HISTORY_CSV_COLUMNS = ("cycle", "batch_loss", *History.EVAL_COLUMNS)


def _cell(value: float) -> str:
    value = float(value)
    return repr(value) if math.isfinite(value) else str(value)  # 'nan', 'inf', '-inf'


def write_history_csv(history: History, path: str | os.PathLike) -> None:
    """Write ``history`` to ``path`` as the CSV table of the module docstring, atomically.

    Raises ``OSError`` when the file cannot be written (the old file, if any, is kept).
    """
    rows: dict[int, list[str]] = {}
    empty = [""] * (len(HISTORY_CSV_COLUMNS) - 1)
    x, values = history.batch_loss.arrays()
    for cycle, (loss,) in zip(x, values):
        rows.setdefault(int(cycle), list(empty))[0] = _cell(loss)
    x, values = history.evaluations.arrays()
    for cycle, evaluation in zip(x, values):  # a repeated cycle keeps its last evaluation
        rows.setdefault(int(cycle), list(empty))[1:] = [_cell(v) for v in evaluation]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HISTORY_CSV_COLUMNS)
    for cycle in sorted(rows):
        writer.writerow([cycle, *rows[cycle]])
    atomic_write_text(path, buffer.getvalue())
