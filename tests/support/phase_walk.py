"""Every neuron at every phase of a few cycles, with how far the cycle has got: for the inspector's tests."""

from __future__ import annotations

from typing import NamedTuple

from cycle_by_hand import walk_phases


class NeuronAtPhase(NamedTuple):
    """One neuron at one phase, with the cycle computed in plain numpy (``expected``) to compare it with."""

    kind: str  # "forward", "backward" or "update"
    trace: object
    expected: dict
    layer: int  # counted from 1, as the app does
    neuron: int
    fed: int  # the highest layer whose sums are computed at this phase
    lowest_delta: int | None  # the lowest layer index with its deltas computed, None before backpropagation


def neurons_at_every_phase(config, cycles_before: int = 2, cycles: int = 3):
    """Yield a ``NeuronAtPhase`` for every neuron of every layer at every phase that ``walk_phases`` steps."""
    n_layers = len(config.activations)
    for (kind, at), trace, expected in walk_phases(config, cycles_before, cycles):
        fed = at + 1 if kind == "forward" else n_layers
        lowest_delta = at if kind == "backward" else (0 if kind == "update" else None)
        for layer in range(1, n_layers + 1):
            for neuron in range(expected["W"][layer - 1].shape[1]):
                yield NeuronAtPhase(kind, trace, expected, layer, neuron, fed, lowest_delta)
