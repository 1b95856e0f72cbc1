"""The network area: the canvas under a bar with the network's summary, the delta-rule badge and − Layer / + Layer."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.network.network_canvas import NetworkCanvas
from nnstudio.ui.plotting.colormaps import MUTED_TEXT_COLOR

__all__ = ["NetworkArea", "network_summary"]


def network_summary(sizes: tuple[int, ...], loss: str) -> str:
    """The shape, the loss and the parameter count, as the bar names them ("2-4-1 · MSE · 17 parameters")."""
    parameters = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    return (
        f"{'-'.join(map(str, sizes))} · {loss.upper() if loss == 'mse' else 'cross-entropy'} · {parameters} parameters"
    )


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
        self.summary = QLabel(objectName="networkSummary")
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
        # On a narrow canvas the summary wraps rather than widen the window.
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
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
