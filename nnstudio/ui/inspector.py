"""The neuron inspector: one neuron's numbers for the sample shown, in the seed's terms."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from ..engine.inspect import NeuronReport

__all__ = ["NeuronInspector", "report_html"]

#: Incoming terms written out in full; past this the sums are elided in the middle.
MAX_TERMS = 6
PLACEHOLDER = "Click a neuron on the network to see its numbers for the sample being shown."

_FORMULAS = {
    "sigmoid": ("sigmoid(sum) = 1/(1+e<sup>−sum</sup>)", "y(1−y)"),
    "tanh": ("tanh(sum)", "1 − y²"),
    "relu": ("max(0, sum)", "1 if sum &gt; 0 else 0"),
    "leaky_relu": ("max(0.01·sum, sum)", "1 if sum &gt; 0 else 0.01"),
    "linear": ("sum", "1"),
    "softmax": ("e<sup>sum</sup> / Σ e<sup>sums</sup>", "y(1−y) on its own output"),
}


def _n(value: float) -> str:
    """A number as the learner reads it: 4 significant figures, a true minus sign."""
    text = f"{value:.4g}"
    return text.replace("-", "−")


def _terms(pairs, limit: int = MAX_TERMS) -> str:
    """'(w₁ × x₁) + (w₂ × x₂) + …' with the middle elided for long sums."""
    parts = [f"({_n(a)} × {_n(b)})" for a, b in pairs]
    if len(parts) > limit:
        parts = parts[: limit - 2] + [f"… {len(parts) - limit + 1} more …"] + parts[-1:]
    return " + ".join(parts)


def report_html(r: NeuronReport) -> str:
    """The report as rich text: forward, error, backward and the weight steps."""
    where = "Output" if r.is_output else f"Hidden layer {r.layer}"
    act, slope = _FORMULAS.get(r.activation, (r.activation, "f′"))
    rows = [f"<h3>{where}, neuron {r.index + 1} · {html.escape(r.activation)}</h3>", "<p><b>Forward</b><br>"]
    rows.append(f"sum = Σ w·x + b = {_terms(zip(r.weights, r.inputs))} + {_n(r.bias)} = <b>{_n(r.weighted_sum)}</b><br>")
    shown_sum = _n(r.weighted_sum) if r.weighted_sum >= 0 else f"({_n(r.weighted_sum)})"
    act_text = act.replace("sum", shown_sum) if r.activation in ("sigmoid", "tanh", "relu") else act
    rows.append(f"act = {act_text} = <b>{_n(r.output)}</b></p>")
    if r.is_output and r.error is not None:
        rows.append("<p><b>Error and loss</b><br>")
        rows.append(f"error = target − output = {_n(r.target)} − {_n(r.output)} = <b>{_n(r.error)}</b><br>")
        if r.loss is not None:
            rows.append(f"loss of this batch = <b>{_n(r.loss)}</b></p>")
    if r.delta is not None:
        rows.append("<p><b>Backward (chain rule)</b><br>")
        if r.is_output:
            if r.derivative is not None:
                rows.append(f"delta = −(2 / (batch × outputs)) · error · {slope} = <b>{_n(r.delta)}</b> "
                            f"(with {slope} = {_n(r.derivative)}, batch {r.batch_size})<br>")
            else:
                rows.append(f"delta = (output − target) / batch = <b>{_n(r.delta)}</b><br>")
        else:
            upper = _terms(zip(r.upper_deltas, r.upper_weights))
            rows.append(f"delta = (Σ upper delta·w) · {slope} = ({upper}) × {_n(r.derivative)} "
                        f"= {_n(r.back_sum)} × {_n(r.derivative)} = <b>{_n(r.delta)}</b><br>")
        rows.append("</p><p><b>Weight steps</b> Δw = −lr · delta · a<br>")
        for i, (a, step) in enumerate(zip(r.inputs, r.gradient_step)):
            if i == MAX_TERMS:
                rows.append(f"… {len(r.inputs) - MAX_TERMS} more inputs …<br>")
                break
            applied = ""
            if r.applied_update is not None:
                applied = f" &nbsp;(applied this cycle: {_n(r.applied_update[i])})"
            rows.append(f"Δw<sub>{i + 1}</sub> = −{_n(r.learning_rate)} × {_n(r.delta)} × {_n(a)} = "
                        f"<b>{_n(step)}</b>{applied}<br>")
        extras = [name for name, on in (("momentum", r.momentum), ("L1", r.l1), ("L2", r.l2),
                                         ("noise", r.noise_std)) if on]
        if r.batch_size > 1 or extras:
            why = ["the whole batch's deltas" if r.batch_size > 1 else ""] + extras
            rows.append(f"<i>The applied step also holds {', '.join(w for w in why if w)}.</i><br>")
        rows.append("</p>")
        if r.activation == "sigmoid":
            rows.append(
                "<p style='color:#5f6368'><i>The seed writes the sigmoid's slope as y(y−1), which is "
                "−y(1−y). It takes error as target − output, so the two minus signs cancel: both "
                "move each weight by lr · error · y(1−y) · a.</i></p>"
            )
    else:
        rows.append("<p style='color:#5f6368'><i>Backprop has not reached this neuron yet in this cycle.</i></p>")
    return "".join(rows)


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
            self.text.setHtml(f"<p style='color:#5f6368'>{PLACEHOLDER}</p>")
        else:
            scroll = self.text.verticalScrollBar().value()
            self.text.setHtml(report_html(report))
            self.text.verticalScrollBar().setValue(scroll)  # stepping keeps the reader's place

    def plain_text(self) -> str:
        return self.text.toPlainText()
