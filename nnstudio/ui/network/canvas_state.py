"""The values the canvas shows, checked against its spec, and what each column's neurons show."""

from __future__ import annotations

import numpy as np

from nnstudio.ui.learning.cycle_progress import CycleProgress, cycle_progress
from nnstudio.ui.plotting.colormaps import activation_levels, symmetric_levels

#: What a column's neurons show, by mode: the caption's forms, longest first.
CAPTIONS = {
    "input": ("input x", "x"),
    "activation": ("activation a", "a"),
    "delta": ("δ = ∂L/∂z", "δ"),
    "pending_forward": ("not computed yet", "not yet", "–"),
    "pending_backward": ("δ not computed yet", "not yet", "–"),
    "none": ("",),
}


def checked_arrays(name: str, arrays, count: int, shape_of) -> list[np.ndarray] | None:
    """Copies of ``arrays`` (None stays None); ValueError unless there are ``count`` of the shapes ``shape_of(k)``.

    A None in a shape matches any length.
    """
    if arrays is None:
        return None
    arrays = list(arrays)
    if len(arrays) != count:
        raise ValueError(f"{name}: expected {count} arrays, got {len(arrays)}")
    out = []
    for k, a in enumerate(arrays):
        a = np.array(a, dtype=float)  # a copy: the owner may keep training in place
        want = shape_of(k)
        if a.ndim != len(want) or any(w is not None and w != g for w, g in zip(want, a.shape)) or 0 in a.shape:
            shown = tuple("H" if w is None else w for w in want)
            raise ValueError(f"{name}[{k}]: expected shape {shown}, got {a.shape}")
        out.append(a)
    return out


def checked_state(sizes: tuple[int, ...], weights, biases, activations, neuron_maps, *,
                  phase: tuple[str, int | None] | None, deltas, target, loss: float | None,
                  batch_size: int | None) -> dict:
    """``NetworkCanvas.set_state``'s arguments, checked against ``sizes``, as one dict."""
    s = sizes
    given = (weights, biases, activations, neuron_maps, deltas, target)
    if not s and any(x is not None for x in given):
        raise ValueError("set_spec must be called before set_state")
    n_w = len(s) - 1
    return {
        "weights": checked_arrays("weights", weights, n_w, lambda k: (s[k], s[k + 1])),
        "biases": checked_arrays("biases", biases, n_w, lambda k: (s[k + 1],)),
        "activations": checked_arrays("activations", activations, len(s), lambda k: (s[k],)),
        "neuron_maps": checked_arrays("neuron_maps", neuron_maps, n_w, lambda k: (s[k + 1], None, None)),
        "deltas": checked_arrays("deltas", deltas, n_w, lambda k: (None, s[k + 1])),
        "target": None if target is None else checked_arrays("target", [target], 1, lambda k: (s[-1],))[0],
        "loss": None if loss is None else float(loss),
        "batch_size": batch_size,
        "progress": cycle_progress(phase, n_w, True, deltas is not None) if phase is not None and s else None,
    }


def column_modes(state: dict, n_cols: int) -> list[str]:
    """What each column's neurons show: a key of :data:`CAPTIONS`."""
    if not n_cols or state.get("activations") is None:
        return ["none"] * n_cols
    progress: CycleProgress | None = state.get("progress")
    modes = ["input"] + ["activation"] * (n_cols - 1)
    if progress is None:
        return modes
    for c in range(1, n_cols):
        if progress.in_backward:
            modes[c] = "delta" if progress.delta_ready(c - 1) else "pending_backward"
        elif not progress.activation_ready(c - 1):
            modes[c] = "pending_forward"
    return modes


def column_levels(state: dict, mode: str, activation: str, c: int) -> tuple[float, float]:
    """The colour scale of column ``c``'s neurons (and maps), for its mode; ``activation`` is the column's."""
    if mode == "delta":
        return symmetric_levels(state["deltas"][c - 1])
    values = [state["activations"][c]] if state.get("activations") is not None else []
    maps = state.get("neuron_maps")
    if c > 0 and maps is not None:
        values.append(maps[c - 1])
    return activation_levels(activation, np.concatenate([np.ravel(v) for v in values]) if values else None)


def map_levels(state: dict, mode: str, activation: str, c: int) -> tuple[float, float]:
    """The colour scale of column ``c``'s maps: the activation's, in every phase."""
    values = [np.ravel(state["neuron_maps"][c - 1])]
    activations = state.get("activations")
    if activations is not None and mode == "activation":
        values.append(np.ravel(activations[c]))
    return activation_levels(activation, np.concatenate(values))


def has_loss_notes(state: dict) -> bool:
    """Whether the output neurons carry their target and error: at the loss phase, once both exist."""
    progress: CycleProgress | None = state.get("progress")
    return (progress is not None and progress.at_loss and state.get("target") is not None
            and state.get("activations") is not None)
