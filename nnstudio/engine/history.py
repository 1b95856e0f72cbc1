"""Loss history with bounded memory, however long training runs."""

from __future__ import annotations

import numpy as np

__all__ = ["ThinnedSeries", "History"]


class ThinnedSeries:
    """Points (x, y0, y1, ...) kept at a stride that doubles whenever the buffer fills.

    A million cycles keep at most ``capacity`` points, evenly spread over the whole run:
    when full, every other point is dropped and from then on only every ``stride``-th
    offered point is stored.
    """

    def __init__(self, n_columns: int, capacity: int = 1 << 15) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number ≥ 2")
        self.capacity = capacity
        self._data = np.empty((capacity, 1 + n_columns))
        self._size = 0
        self._offered = 0
        self.stride = 1

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

    def last(self) -> np.ndarray | None:
        return self._data[self._size - 1].copy() if self._size else None

    def state(self) -> dict:
        return {"data": self._data[: self._size].copy(), "offered": self._offered, "stride": self.stride}

    def load_state(self, state: dict) -> None:
        data = np.asarray(state["data"], dtype=float)
        if data.ndim != 2 or data.shape[1] != self._data.shape[1] or len(data) > self.capacity:
            raise ValueError("history does not fit this series")
        self._size = len(data)
        self._data[: self._size] = data
        self._offered = int(state["offered"])
        self.stride = int(state["stride"])


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

    def load_state(self, state: dict) -> None:
        self.batch_loss.load_state(state["batch_loss"])
        self.evaluations.load_state(state["evaluations"])
