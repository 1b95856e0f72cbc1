"""Loss and accuracy on the whole train and test splits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nnstudio.engine.data.datasets import labels_from_outputs
from nnstudio.engine.nn.layer_passes import Workspace, compute_loss
from nnstudio.engine.nn.network import Network
from nnstudio.engine.nn.value_checks import whole_number

__all__ = ["Evaluation", "evaluation_from_dict", "SplitEvaluator"]

Array = npt.NDArray[np.floating]


@dataclass(frozen=True)
class Evaluation:
    """Loss and accuracy on the whole splits (accuracy NaN for regression or no test split)."""

    cycle: int
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float


def evaluation_from_dict(last) -> Evaluation | None:
    """An ``Evaluation`` from its dict (or itself, or None); ValueError naming what is wrong."""
    if last is None or isinstance(last, Evaluation):
        return last
    fields = tuple(Evaluation.__dataclass_fields__)
    if not isinstance(last, dict) or set(last) != set(fields):
        raise ValueError(f"last evaluation must name exactly {', '.join(fields)}")
    values = [last[k] for k in fields[1:]]
    if any(isinstance(v, bool) or not isinstance(v, (int, float, np.floating)) for v in values):
        raise ValueError("last evaluation's losses and accuracies must be numbers")
    return Evaluation(whole_number(last["cycle"], "last evaluation cycle"), *(float(v) for v in values))


class SplitEvaluator:
    """Loss and accuracy of a network on whole splits, in workspaces of its own.

    Its own: the training cycle's workspaces stay as the last cycle left them, for display.
    """

    def __init__(self, network: Network) -> None:
        self.network = network
        self._workspaces: dict[int, Workspace] = {}

    def metrics(self, X: Array, Y: Array, classification: bool) -> tuple[float, float]:
        """(loss, accuracy) on inputs ``X`` and encoded targets ``Y``; NaN for what there is not."""
        if len(X) == 0:
            return float("nan"), float("nan")
        net = self.network
        ws = self._workspaces.get(len(X))
        if ws is None:
            ws = self._workspaces[len(X)] = net.workspace(len(X))
        net.run_forward(ws, X)
        loss = compute_loss(net.loss, ws, Y)
        if not classification:
            return loss, float("nan")
        correct = labels_from_outputs(ws.acts[-1]) == labels_from_outputs(Y)
        return loss, float(correct.mean())
