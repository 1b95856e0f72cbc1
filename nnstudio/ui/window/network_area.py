"""The network area: the canvas under a bar with the network's summary, the delta-rule badge and − Layer / + Layer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.network.network_canvas import NetworkCanvas
from nnstudio.ui.plotting.colormaps import MUTED_TEXT_COLOR

__all__ = ["NetworkArea", "SummaryLabel", "network_summary", "summary_variants"]


def network_summary(sizes: tuple[int, ...], loss: str) -> str:
    """The shape, the loss and the parameter count, as the bar names them ("2-4-1 · MSE · 17 parameters")."""
    parameters = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    return (
        f"{'-'.join(map(str, sizes))} · {loss.upper() if loss == 'mse' else 'cross-entropy'} · {parameters} parameters"
    )


def summary_variants(text: str) -> list[str]:
    """``text`` and its shorter forms, longest first: "parameters" as "params", then without the count."""
    variants = [text]
    if text.endswith(" parameters"):
        variants.append(text.removesuffix(" parameters") + " params")
    head, separator, _count = text.rpartition(" \u00b7 ")
    if separator:
        variants.append(head)
    return variants


class SummaryLabel(QLabel):
    """A one-line label that paints the longest form of its text that fits, the rest elided.

    ``text()`` stays the whole summary; when a shorter form is painted, the tooltip holds the whole.
    """

    def __init__(self, object_name: str) -> None:
        super().__init__(objectName=object_name)
        # the bar gives it what is left: it never widens the window
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def shown_text(self) -> str:
        """What is painted at the current width."""
        metrics, width = self.fontMetrics(), self.contentsRect().width()
        variants = summary_variants(self.text())
        fitting = next((v for v in variants if metrics.horizontalAdvance(v) <= width), None)
        return fitting if fitting is not None else metrics.elidedText(variants[-1], Qt.TextElideMode.ElideRight, width)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._name_the_whole()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._name_the_whole()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         self.shown_text())

    def _name_the_whole(self) -> None:
        self.setToolTip("" if self.shown_text() == self.text() else self.text())


class NetworkArea(QWidget):
    """The network panel of the window: ``canvas`` and the bar above it.

    The canvas is given a new shape only when the snapshot's differs from the one drawn
    (laying the network out again is its costliest step); its values every snapshot.
    """

    def __init__(self) -> None:
        super().__init__()
        self.canvas = NetworkCanvas()
        self.add_layer_button = QPushButton("+ Layer", objectName="addLayerButton",
                                            toolTip="Add a hidden layer before the output (re-initialises the weights)")
        self.remove_layer_button = QPushButton("− Layer", objectName="removeLayerButton",
                                               toolTip="Remove the last hidden layer (re-initialises the weights)")
        self.summary = SummaryLabel("networkSummary")
        # Never train with the author's rule unknowingly: it is named beside the network.
        self.delta_rule_badge = QLabel(
            "Delta rule: += (author's variant)",
            objectName="deltaRuleBadge",
            toolTip="Backprop adds to the blame hidden layers kept (the guide's experiment); "
            "Reset goes back to the standard =",
        )
        self.delta_rule_badge.setStyleSheet(
            f"border: 1px solid {MUTED_TEXT_COLOR}; border-radius: 3px; padding: 0 4px;"
        )
        self.delta_rule_badge.hide()
        self._drawn_spec: tuple | None = None  # (sizes, activations, loss) the canvas and summary show

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("<b>Network</b>"))
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.delta_rule_badge)
        for button in (self.remove_layer_button, self.add_layer_button):
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance(button.text()) + 24)
            bar.addWidget(button)
        layout.addLayout(bar)
        layout.addWidget(self.canvas, 1)
        self.add_layer_button.clicked.connect(self.canvas.request_add_layer)
        self.remove_layer_button.clicked.connect(self.canvas.request_remove_layer)

    def show_snapshot(self, s: Snapshot) -> None:
        """The network of ``s``: its shape when new, its values, and the badge while the author's rule trains."""
        sizes, activations = s.spec.sizes, s.spec.activations
        if (sizes, activations, s.spec.loss) != self._drawn_spec:  # the summary names the loss
            self.canvas.set_spec(sizes, activations)
            self._drawn_spec = (sizes, activations, s.spec.loss)
            self.remove_layer_button.setEnabled(len(sizes) > 2)
            self.summary.setText(network_summary(sizes, s.spec.loss))
        self.canvas.show_snapshot(s)
        self.delta_rule_badge.setVisible(s.delta_rule == "accumulate")
