"""The words on the diagram: layer names, tooltips and the output neurons' cards.

Neurons are numbered from 1 for people (the arrays count from 0).
"""

from __future__ import annotations

from nnstudio.ui.plotting.numbers import format_short, format_value


def layer_name(c: int, n_cols: int) -> str:
    """"Input", "Hidden 1", ... or "Output" for column ``c`` of ``n_cols``."""
    if c == 0:
        return "Input"
    return "Output" if c == n_cols - 1 else f"Hidden {c}"


def column_title(c: int, sizes: tuple[int, ...]) -> str:
    """A column header's title, e.g. "Hidden 1 (4)"."""
    return f"{layer_name(c, len(sizes))} ({sizes[c]})"


def connection_name(layer: int, i: int, j: int, n_cols: int) -> str:
    """The heading of a connection's tooltip."""
    return (f"Weight from {layer_name(layer, n_cols)} neuron {i + 1} "
            f"to {layer_name(layer + 1, n_cols)} neuron {j + 1}")


def weight_tooltip(name: str, value: float | None) -> str:
    """A connection's tooltip under its heading ``name``: its weight (None: none yet)."""
    return f"{name}\nno value yet" if value is None else f"{name}\nw = {format_value(value)}\nClick to edit"


def weight_dialog_heading(layer: int, i: int, j: int, n_cols: int) -> str:
    """The line that names the connection in the edit-weight dialog."""
    return f"{layer_name(layer, n_cols)} neuron {i + 1} → {layer_name(layer + 1, n_cols)} neuron {j + 1}\n"


def neuron_tooltip(state: dict, sizes: tuple[int, ...], c: int, k: int, mode: str, act_name: str) -> str:
    """Neuron ``k`` of column ``c``: what it shows in ``mode`` (a key of ``canvas_state.CAPTIONS``)."""
    head = f"{layer_name(c, len(sizes))} · neuron {k + 1}" + ("" if c == 0 else f" · {act_name}")
    lines = [head]
    activations = state.get("activations")
    if mode == "none":
        lines.append("activation: –")
    elif mode == "input":
        lines.append(f"input x = {format_value(activations[c][k])} (standardised)")
    elif mode == "pending_forward":
        lines.append("activation: not computed yet (feedforward reaches this layer in a later phase)")
    else:
        lines.append(f"activation a = {format_value(activations[c][k])}")
    if mode == "delta":
        lines.append(f"δ = ∂L/∂z = {format_value(state['deltas'][c - 1][0][k], signed=True)}")
    elif mode == "pending_backward":
        lines.append("δ: not computed yet (backprop reaches this layer in a later phase)")
    if c == len(sizes) - 1 and mode == "activation" and state.get("target") is not None:
        target = state["target"][k]
        output = activations[c][k]
        lines.append(f"target t = {format_value(target)}")
        lines.append(f"error t − a = {format_value(target - output, signed=True)}")
        if state.get("loss") is not None:
            batch = state.get("batch_size")
            over = f" (mean over the batch of {batch})" if batch else ""
            lines.append(f"loss = {format_value(state['loss'])}{over}")
    biases = state.get("biases")
    if c > 0 and biases is not None:
        lines.append(f"bias b = {format_value(biases[c - 1][k], signed=True)}")
    return "\n".join(lines)


def target_text(value: float) -> str:
    """A target as read: class targets are 0/1, so print them as such, not as 1.00."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e6 else format_short(value)


def note_lines(state: dict, k: int, compact: bool) -> list[str]:
    """The card beside output neuron ``k``: its target and error, spelt out or abbreviated."""
    target = float(state["target"][k])
    error = target - float(state["activations"][-1][k])
    if compact:
        return [f"t {target_text(target)}", f"e {format_short(error, signed=True)}"]
    return [f"target {target_text(target)}", f"error {format_short(error, signed=True)}"]


def loss_text(loss: float) -> str:
    """The pill over the output column at the loss phase."""
    return f"loss {format_value(loss)}"
