"""The neuron inspector: one neuron's numbers for the sample shown, in the seed's terms.

Each quantity sits on its own line and ends in ``= value``; a quantity the cycle has not
computed yet says so in words, never as a zero. A regression output learns standardised
targets: its output, target and error say so, and give the value in the data's units beside.
"""

from __future__ import annotations

import html
import math

from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from nnstudio.engine.explain.inspect import NeuronReport
from nnstudio.engine.nn.activations import LEAKY_RELU_ALPHA
from nnstudio.ui.plotting.colormaps import MUTED_TEXT_COLOR
from nnstudio.ui.plotting.numbers import MINUS, format_number

__all__ = ["NeuronInspector", "report_html", "format_in_units", "NOT_COMPUTED", "NOT_REACHED", "STANDARDISED"]

#: Incoming terms written out in full; past this the sums are elided in the middle.
MAX_TERMS = 6
PLACEHOLDER = "Click a neuron on the network to see its numbers for the sample being shown."
NOT_COMPUTED = "not computed yet in this cycle"
NOT_REACHED = "Backprop has not reached this neuron yet in this cycle."
STANDARDISED = "standardised"
#: Significant figures of a value in the data's units (a price reads 412,350, not 4.124e5).
UNIT_DIGITS = 6

_MUTED = f"color:{MUTED_TEXT_COLOR}"

#: (activation written with {z} for the sum, {zb} for the sum bracketed when negative;
#:  its slope f′ in terms of y = the activation)
_FORMULAS = {
    "sigmoid": ("sigmoid({z}) = 1/(1+e<sup>−{zb}</sup>)", "y(1−y)"),
    "tanh": ("tanh({z})", "1 − y²"),
    "relu": ("max(0, {z})", "1 if sum &gt; 0 else 0"),
    "leaky_relu": (f"max({LEAKY_RELU_ALPHA:g} × {{zb}}, {{z}})", f"1 if sum &gt; 0 else {LEAKY_RELU_ALPHA:g}"),
    "linear": ("{z}", "1"),
    "softmax": ("e<sup>{z}</sup> / Σ e<sup>sums</sup>", ""),
}


def _n(value: float) -> str:
    return format_number(value)


def _b(value: float) -> str:
    """A number as a factor after an operator: bracketed when negative."""
    return f"({_n(value)})" if value < 0 else _n(value)


def _terms(pairs, limit: int = MAX_TERMS) -> str:
    """'(w₁ × x₁) + (w₂ × x₂) + …' with the middle elided for long sums."""
    parts = [f"({_n(a)} × {_b(b)})" for a, b in pairs]
    if len(parts) > limit:
        parts = parts[: limit - 2] + [f"… {len(parts) - limit + 1} more …"] + parts[-1:]
    return " + ".join(parts)


def format_in_units(value: float) -> str:
    """A value in the data's units, thousands separated: ``UNIT_DIGITS`` significant figures, whole part in full.

    Beyond 1e15 or below 1e-4 (and not zero) it is written as ``format_number`` does.
    """
    size = abs(value)
    if not math.isfinite(value) or size >= 1e15 or (0 < size < 1e-4):
        return format_number(value, UNIT_DIGITS)
    decimals = max(0, UNIT_DIGITS - 1 - math.floor(math.log10(size))) if size else 0
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("0", "-0") else text.replace("-", MINUS)


def _line(text: str, value: float, after: str = "") -> str:
    return f"{text} = <b>{_n(value)}</b>{after}<br>"


def _units(r: NeuronReport, value: float | None) -> str:
    """' (standardised) = 412,350 in price' after a value of a standardised output; '' otherwise."""
    if r.target_scaling is None or value is None:
        return ""
    name = html.escape(r.target_name) if r.target_name else "the target's units"
    return f" ({STANDARDISED}) = {format_in_units(value)} in {name}"


def _scaling_note(r: NeuronReport) -> str:
    if r.target_scaling is None:
        return ""
    mean, std = r.target_scaling
    name = html.escape(r.target_name) if r.target_name else "the target"
    return _muted(f"This output learns {name} standardised: ({name} − {format_in_units(mean)}) / "
                  f"{format_in_units(std)}, the mean and std of the training rows. In {name}: value × "
                  f"{format_in_units(std)} + {format_in_units(mean)}; an error × {format_in_units(std)}.")


def _muted(text: str) -> str:
    return f"<p style='{_MUTED}'><i>{text}</i></p>"


def _forward(r: NeuronReport) -> list[str]:
    if not r.computed:
        return [_muted(f"Sum and activation: {NOT_COMPUTED}. Feedforward reaches this layer in the phase "
                       f"“feedforward through layer {r.layer}”.")]
    act, _slope = _FORMULAS.get(r.activation, (html.escape(r.activation) + "({z})", "f′"))
    act = act.format(z=_n(r.weighted_sum), zb=_b(r.weighted_sum))
    return ["<p><b>Forward</b><br>",
            _line(f"sum = Σ w·x + b = {_terms(zip(r.weights, r.inputs))} + {_b(r.bias)}", r.weighted_sum),
            _line(f"act = {act}", r.output, _units(r, r.output_in_units)), "</p>"]


def _error_and_loss(r: NeuronReport) -> list[str]:
    if not (r.is_output and r.computed):
        return []
    if r.error is None:
        return [_muted(f"Error and loss: {NOT_COMPUTED} (the phase “error and loss” comes next).")]
    if r.loss_name == "mse":
        own = "Σ (target − output)² / outputs"
    elif r.activation == "softmax":
        own = "−Σ target · log(output)"
    else:
        own = "binary cross-entropy, mean over the outputs"
    on_scale = f" ({STANDARDISED} targets)" if r.target_scaling is not None else ""
    rows = ["<p><b>Error and loss</b><br>", _line("target", r.target, _units(r, r.target_in_units)),
            _line(f"error = target − output = {_n(r.target)} − {_b(r.output)}", r.error, _units(r, r.error_in_units)),
            _line(f"loss of this sample = {own}", r.sample_loss, on_scale)]
    if r.loss is not None:
        rows.append(_line(f"loss of the batch = mean over its {r.batch_size} sample{'s' * (r.batch_size != 1)}",
                          r.loss, on_scale))
    rows.append("</p>")
    return rows


def _delta(r: NeuronReport) -> list[str]:
    _act, slope = _FORMULAS.get(r.activation, (r.activation, "f′"))
    rows = ["<p><b>Backward (chain rule)</b><br>"]
    scale = f"{r.batch_size} × {r.n_outputs}"
    if r.delta_rule in ("mse", "mse_softmax"):
        rows.append(_line(f"∂L/∂y = 2 × (output − target) / (batch × outputs) = 2 × ({_n(r.output)} − "
                          f"{_b(r.target)}) / ({scale})", r.loss_gradient))
    if r.delta_rule == "mse":
        rows.append(_line(f"f′ = {slope}", r.derivative))
        rows.append(_line(f"delta = ∂L/∂y × f′ = {_n(r.loss_gradient)} × {_b(r.derivative)}", r.delta))
    elif r.delta_rule == "mse_softmax":
        rows.append(_line("Σ ∂L/∂y · y over the outputs", r.softmax_pull))
        rows.append(_line(f"delta = y × (∂L/∂y − Σ ∂L/∂y · y) = {_n(r.output)} × ({_n(r.loss_gradient)} − "
                          f"{_b(r.softmax_pull)})", r.delta))
    elif r.delta_rule == "cross_entropy":
        per = "batch" if r.activation == "softmax" else "(batch × outputs)"
        count = f"{r.batch_size}" if r.activation == "softmax" else f"({scale})"
        rows.append(_line(f"delta = (output − target) / {per} = ({_n(r.output)} − {_b(r.target)}) / {count}",
                          r.delta))
    else:
        rows.append(_line(f"Σ upper delta·w = {_terms(zip(r.upper_deltas, r.upper_weights))}", r.back_sum))
        rows.append(_line(f"f′ = {slope}", r.derivative))
        rows.append(_line(f"delta = (Σ upper delta·w) × f′ = {_n(r.back_sum)} × {_b(r.derivative)}", r.delta))
    rows.append("</p>")
    return rows


def _steps(r: NeuronReport) -> list[str]:
    rows = ["<p><b>Weight steps</b>: each Δw is −lr · delta · x, with x the inputs above<br>"]
    lr = _n(r.learning_rate)
    for i, (x, step) in enumerate(zip(r.inputs, r.gradient_step)):
        if i == MAX_TERMS:
            rows.append(f"… {len(r.inputs) - MAX_TERMS} more inputs …<br>")
            break
        applied = ""
        if r.applied_update is not None:
            applied = f" &nbsp;(applied this cycle: {_n(r.applied_update[i])})"
        rows.append(f"Δw<sub>{i + 1}</sub> = −{lr} × {_b(r.delta)} × {_b(x)} = <b>{_n(step)}</b>{applied}<br>")
    rows.append(_line(f"Δb = −lr · delta = −{lr} × {_b(r.delta)}", r.bias_step))
    extras = [name for name, on in (("momentum", r.momentum), ("L1", r.l1), ("L2", r.l2),
                                     ("noise", r.noise_std)) if on]
    if r.batch_size > 1 or extras:
        why = ["the other samples' deltas" if r.batch_size > 1 else ""] + extras
        rows.append(f"<i>The applied step also holds {', '.join(w for w in why if w)}.</i><br>")
    rows.append("</p>")
    return rows


def _report_rows(r: NeuronReport) -> list[str]:
    where = f"Output layer {r.layer}" if r.is_output else f"Hidden layer {r.layer}"
    rows = [f"<h3>{where}, neuron {r.index + 1} · {html.escape(r.activation)}</h3>"]
    if r.computed:
        rows.append(_scaling_note(r))
    rows += _forward(r)
    rows += _error_and_loss(r)
    if not r.computed:
        return rows
    if r.delta is None:
        return rows + [_muted(NOT_REACHED)]
    rows += _delta(r)
    rows += _steps(r)
    if r.activation == "sigmoid" and r.delta_rule != "cross_entropy":
        rows.append(_muted(
            "The seed writes the sigmoid's slope as y(y−1), which is −y(1−y). It takes error as "
            "target − output, so the two minus signs cancel: both move each weight by "
            "lr · error · y(1−y) · x."))
    return rows


def report_html(r: NeuronReport) -> str:
    """The report as rich text: forward, error and loss, backward and the weight steps."""
    # a break just before a paragraph ends would only add a blank line
    return "".join(_report_rows(r)).replace("<br></p>", "</p>")


class NeuronInspector(QWidget):
    """A panel (objectName ``neuronInspector``) showing one neuron's numbers.

    Attributes
    ----------
    title : QLabel
    text : QTextBrowser
        The rich-text report.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("neuronInspector")
        self.title = QLabel("<b>Neuron inspector</b>")
        self.text = QTextBrowser(objectName="neuronInspectorText")
        self.text.setOpenLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        self.set_report(None)

    def set_report(self, report: NeuronReport | None) -> None:
        """Show ``report``, or the hint when no neuron is selected."""
        if report is None:
            self.text.setHtml(f"<p style='{_MUTED}'>{PLACEHOLDER}</p>")
        else:
            scroll = self.text.verticalScrollBar().value()
            self.text.setHtml(report_html(report))
            self.text.verticalScrollBar().setValue(scroll)  # stepping keeps the reader's place

    def plain_text(self) -> str:
        return self.text.toPlainText()
