"""Mini-batches: the training rows in a shuffled order, one epoch after another."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from nnstudio.engine.nn.layer_passes import Workspace
from nnstudio.engine.nn.network import Network

__all__ = ["Batches"]

Array = npt.NDArray[np.floating]


class Batches:
    """Serves the training rows (``X``, ``Y``) as mini-batches, set as a workspace's input.

    Attributes
    ----------
    size
        Rows per batch; None for the full training set (no shuffling needed).
    order
        The current epoch's order of the rows, read-only (every state of the epoch shares
        it); None until the epoch's first batch draws it from ``rng``.
    position
        The next row of the order to serve.
    """

    def __init__(self, X: Array, Y: Array, network: Network, rng: np.random.Generator) -> None:
        self.X, self.Y = X, Y
        self._rows = np.hstack([X, Y])
        self._X_T = X.T
        self._network = network
        self.rng = rng
        self.size: int | None = None
        self.order: np.ndarray | None = None
        self.position = 0
        self._workspaces: dict[int, tuple[Workspace, Array, Array, Array, Array]] = {}

    def set_size(self, size: int | None) -> None:
        """Rows per batch from the next one on; None or ≥ the data size means full batch."""
        if size is not None:
            size = int(size)
            if size < 1:
                raise ValueError(f"batch size must be at least 1, got {size}")
            if size >= len(self.X):
                size = None
        self.size = size

    @property
    def per_epoch(self) -> int:
        return 1 if self.size is None else -(-len(self.X) // self.size)

    @property
    def left_in_epoch(self) -> int:
        """Batches until the current epoch ends (counting the next one)."""
        return 1 if self.size is None else -(-(len(self.X) - self.position) // self.size)

    def workspace(self, rows: int) -> Workspace:
        return self._entry(rows)[0]

    def _entry(self, rows: int) -> tuple[Workspace, Array, Array, Array, Array]:
        """The workspace for ``rows`` rows, the batch's gather buffer, and views of it.

        The views (inputs, their transpose, targets) are made once per batch size: every
        view costs a little, and a tiny network's cycle is made of such littles.
        """
        entry = self._workspaces.get(rows)
        if entry is None:
            net = self._network
            gathered = np.empty((rows, self._rows.shape[1]), net.dtype)
            n_in = self.X.shape[1]
            X, Y = gathered[:, :n_in], gathered[:, n_in:]
            entry = (net.workspace(rows), gathered, X, X.T, Y)
            self._workspaces[rows] = entry
        return entry

    def next(self) -> tuple[Workspace, Array, Array]:
        """The next batch (workspace, inputs, targets), set as the workspace's input; ``advance`` moves on."""
        if self.size is None:
            ws = self._entry(len(self.X))[0]
            ws.set_input(self.X, self._X_T)
            ws.targets = self.Y
            return ws, self.X, self.Y
        if self.order is None:  # a new epoch: drawn once, so an aborted cycle replays the same batch
            self.order = self.rng.permutation(len(self.X))
            self.order.setflags(write=False)
        rows = self.order[self.position : self.position + self.size]
        ws, gathered, X, X_T, Y = self._entry(len(rows))
        # One gather for inputs and targets together; X and Y are views of its halves.
        np.take(self._rows, rows, axis=0, out=gathered)
        ws.set_input(X, X_T)
        ws.targets = Y
        return ws, X, Y

    def advance(self, rows: int) -> bool:
        """Past the ``rows`` rows just served; True when that ended the epoch."""
        self.position += rows
        if self.position < len(self.X):
            return False
        self.position = 0
        self.order = None
        return True
