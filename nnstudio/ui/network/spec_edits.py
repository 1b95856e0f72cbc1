"""The structure edits the diagram offers: a spec ``(sizes, activations)`` in, the one asked for out.

No Qt: the canvas turns clicks into these calls and emits what they return.
"""

from __future__ import annotations

from nnstudio.engine.io.model_fit import output_problem
from nnstudio.engine.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS

Spec = tuple[tuple[int, ...], tuple[str, ...]]

#: Neurons per hidden layer that the − / + buttons allow (the engine itself takes far larger layers).
MIN_NEURONS = 1
MAX_NEURONS = 32
#: Neurons in a hidden layer that + Layer adds.
NEW_LAYER_SIZE = 4
#: A new first hidden layer's activation, when there is no hidden layer to continue.
NEW_LAYER_ACTIVATION = "sigmoid"


def activation_choices(sizes: tuple[int, ...], layer: int) -> tuple[str, ...]:
    """The activations column ``layer`` lists, allowed or not: the output adds softmax to the hidden ones."""
    return tuple(ACTIVATIONS) if layer == len(sizes) - 1 else HIDDEN_ACTIVATIONS


def activation_refusal(sizes: tuple[int, ...], layer: int, name: str, task: str | None, loss: str) -> str:
    """Why column ``layer`` may not use ``name`` ("" if it may).

    Only the output layer has rules: those of ``output_problem`` for the task, and with
    no task known, softmax over a single neuron (the constant 1).
    """
    if layer != len(sizes) - 1:
        return ""
    if task is None:
        return output_problem("classification", sizes[-1], name) if name == "softmax" else ""
    return output_problem(task, sizes[-1], name, loss)


def checked_spec(sizes, activations) -> Spec:
    """``(sizes, activations)`` as tuples; ValueError naming the problem if they do not make a network."""
    sizes_t = tuple(int(n) for n in sizes)
    acts_t = tuple(str(a) for a in activations)
    if len(sizes_t) < 2 or min(sizes_t) < 1:
        raise ValueError(f"need at least two layers of at least one neuron, got sizes {sizes_t}")
    if len(acts_t) != len(sizes_t) - 1:
        raise ValueError(f"need {len(sizes_t) - 1} activations (one per non-input layer), got {len(acts_t)}")
    for k, name in enumerate(acts_t, start=1):
        if name not in activation_choices(sizes_t, k) or (name == "softmax" and sizes_t[-1] < 2):
            raise ValueError(f"activation {name!r} is not allowed for layer {k} of {sizes_t}")
    return sizes_t, acts_t


def resized(spec: Spec, layer: int, delta: int) -> Spec | None:
    """Hidden column ``layer`` with ``delta`` more neurons; None beyond MIN_NEURONS..MAX_NEURONS."""
    sizes, acts = spec
    if not 1 <= layer < len(sizes) - 1:
        raise ValueError(f"only hidden columns (1..{len(sizes) - 2}) can be resized, got {layer}")
    n = sizes[layer] + delta
    if not MIN_NEURONS <= n <= MAX_NEURONS:
        return None
    return sizes[:layer] + (n,) + sizes[layer + 1 :], acts


def with_activation(spec: Spec, layer: int, name: str, task: str | None, loss: str) -> Spec | None:
    """Column ``layer`` using ``name``; None if it already does.

    ValueError if ``name`` is not offered there or not allowed for the task.
    """
    sizes, acts = spec
    if not 1 <= layer < len(sizes) or name not in activation_choices(sizes, layer):
        raise ValueError(f"activation {name!r} is not offered for layer {layer}")
    if acts[layer - 1] == name:
        return None
    refusal = activation_refusal(sizes, layer, name, task, loss)
    if refusal:
        raise ValueError(f"activation {name!r} is not allowed for layer {layer}: {refusal}")
    return sizes, acts[: layer - 1] + (name,) + acts[layer:]


def with_hidden_layer(spec: Spec) -> Spec | None:
    """A new hidden layer just before the output, continuing the last hidden layer's activation; None without a spec."""
    sizes, acts = spec
    if not sizes:
        return None
    act = acts[-2] if len(acts) > 1 else NEW_LAYER_ACTIVATION
    return sizes[:-1] + (NEW_LAYER_SIZE,) + sizes[-1:], acts[:-1] + (act,) + acts[-1:]


def without_hidden_layer(spec: Spec) -> Spec | None:
    """The last hidden layer dropped; None when there is none."""
    sizes, acts = spec
    if len(sizes) <= 2:
        return None
    return sizes[:-2] + sizes[-1:], acts[:-2] + acts[-1:]
