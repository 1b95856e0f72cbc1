"""How far the shown cycle has got: which layers' activations and deltas exist yet.

While a cycle is stepped phase by phase, a snapshot carries zeros for the layers its
phases have not reached. Those zeros are not values: the canvas and the heatmaps ask
this module which layers are real and draw the rest as "not computed yet".
"""

from __future__ import annotations

from dataclasses import dataclass

from nnstudio.engine.nn.phases import PHASE_KINDS
from nnstudio.engine.run.snapshot import Snapshot

__all__ = ["CycleProgress", "cycle_progress", "snapshot_progress"]


@dataclass(frozen=True)
class CycleProgress:
    """What the shown cycle has computed.

    Attributes
    ----------
    n_layers
        Weight layers of the network (one per non-input layer).
    has_batch
        A cycle's mini-batch is shown. False before the first cycle (and at a rewound
        cycle whose batch was not kept): the activations are then a preview, a forward
        pass of the first training rows, and there is no batch, loss or δ.
    fed_forward
        Weight layers whose activations exist: layer ``l``'s are real if ``l < fed_forward``.
    loss_done
        The error and the loss of the batch exist.
    lowest_delta
        δ exists for weight layers ``l >= lowest_delta``; None before backprop starts.
    phase
        The phase just done, as in ``Snapshot.phase``; None outside phase stepping.
    """

    n_layers: int
    has_batch: bool
    fed_forward: int
    loss_done: bool
    lowest_delta: int | None
    phase: tuple[str, int | None] | None

    def activation_ready(self, layer: int) -> bool:
        """Whether weight layer ``layer``'s activations (column ``layer + 1``) are computed."""
        return layer < self.fed_forward

    def delta_ready(self, layer: int) -> bool:
        """Whether weight layer ``layer``'s δ is computed."""
        return self.lowest_delta is not None and layer >= self.lowest_delta

    @property
    def in_backward(self) -> bool:
        """A backward phase was the last one done."""
        return self.phase is not None and self.phase[0] == "backward"

    @property
    def at_loss(self) -> bool:
        """The error-and-loss phase was the last one done."""
        return self.phase is not None and self.phase[0] == "loss"


def cycle_progress(phase: tuple[str, int | None] | None, n_layers: int, has_batch: bool,
                   has_deltas: bool) -> CycleProgress:
    """The progress a phase stands for.

    Parameters
    ----------
    phase
        ``("forward", l)``, ``("loss", None)``, ``("backward", l)``, ``("update", None)``
        or None (no phase stepping: a whole cycle, or none yet).
    n_layers
        Weight layers of the network.
    has_batch
        Whether a cycle's batch is shown (see :attr:`CycleProgress.has_batch`).
    has_deltas
        Whether the deltas of that batch exist (``Snapshot.batch_deltas`` is not None).

    Raises
    ------
    ValueError
        An unknown phase, or a layer out of range.
    """
    if phase is None:
        whole = has_batch and has_deltas
        return CycleProgress(n_layers, has_batch, n_layers, whole, 0 if whole else None, None)
    kind, layer = phase
    if kind not in PHASE_KINDS:
        raise ValueError(f"unknown phase {kind!r}; expected one of {PHASE_KINDS}")
    if kind in ("forward", "backward") and (layer is None or not 0 <= layer < n_layers):
        raise ValueError(f"phase {kind!r} needs a weight layer 0..{n_layers - 1}, got {layer!r}")
    phase = (kind, layer)
    if kind == "forward":
        return CycleProgress(n_layers, True, layer + 1, False, None, phase)
    if kind == "loss":
        return CycleProgress(n_layers, True, n_layers, True, None, phase)
    if kind == "backward":
        return CycleProgress(n_layers, True, n_layers, True, layer if has_deltas else None, phase)
    return CycleProgress(n_layers, True, n_layers, True, 0 if has_deltas else None, phase)


def snapshot_progress(s: Snapshot) -> CycleProgress:
    """The progress of the cycle ``s`` shows."""
    has_deltas = s.batch_deltas is not None
    return cycle_progress(s.phase, len(s.spec.sizes) - 1, s.phase is not None or has_deltas, has_deltas)
