"""How the network learns, shown from each snapshot: phases, the inspector, the timeline,
gradient norms, the layer view, the gradient check and the guided page.

Keeps the window's composition (``main_window.py``) apart from what these views do.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from nnstudio.engine.explain.inspect import neuron_report
from nnstudio.engine.nn.phases import cycle_phase_order
from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.learning.controls import TrainingControls
from nnstudio.ui.learning.guide import GuideDock
from nnstudio.ui.learning.layer_view import LayerView
from nnstudio.ui.learning.timeline_bar import TimelineBar
from nnstudio.ui.network.inspector import NeuronInspector
from nnstudio.ui.network.network_canvas import NetworkCanvas
from nnstudio.ui.plotting.gradient_norm_plot import GradientNormPlot
from nnstudio.ui.plotting.layer_heatmaps import LayerHeatmaps

__all__ = ["LearningPresenter", "phases_until"]


def phases_until(target: tuple[str, int | None], n_layers: int, done: tuple[str, int | None] | None) -> int:
    """How many phase steps from ``done`` (the last phase, None at a cycle boundary) reach ``target``."""
    order = cycle_phase_order(n_layers)
    start = 0 if done is None or done == ("update", None) else order.index(tuple(done)) + 1
    end = order.index(target)
    return end - start + 1 if end >= start else len(order) - start + end + 1


class LearningPresenter(QObject):
    """Drives the learning views from snapshots and turns their actions into commands.

    Signals
    -------
    sig_status(str)
        A line for the status bar.
    sig_status_withdrawn(str)
        A line sent earlier that no longer holds (the phase it named is over): clear it if
        it is still shown.
    """

    sig_status = Signal(str)  # message
    sig_status_withdrawn = Signal(str)  # message

    def __init__(self, canvas: NetworkCanvas, controls: TrainingControls, tabs: QTabWidget,
                 activations: LayerHeatmaps, deltas: LayerHeatmaps, weight_deltas: LayerHeatmaps,
                 inspector: NeuronInspector, norms: GradientNormPlot, layer_view: LayerView,
                 timeline: TimelineBar, send: Callable[..., None], parent: QWidget) -> None:
        super().__init__(parent)
        self.canvas, self.controls, self.tabs, self._send = canvas, controls, tabs, send
        self.activations, self.deltas, self.weight_deltas = activations, deltas, weight_deltas
        self.inspector, self.norms, self.layer_view, self.timeline = inspector, norms, layer_view, timeline
        self.guide: GuideDock | None = None
        self.latest: Snapshot | None = None
        self.selected: tuple[int, int] | None = None
        self._layer_view_on: tuple | None = None
        self._phase_message: str | None = None  # the phase line last sent to the status bar
        self._target_name = ""  # of the data, for the inspector's values in the data's units
        canvas.sig_neuron_selected.connect(self._on_neuron_selected)
        timeline.sig_scrubbed.connect(lambda cycle: self._send("rewind", cycle))
        timeline.sig_continue.connect(lambda: self._send("continue_from_here"))
        layer_view.sig_choice_changed.connect(lambda _: self._update_layer_view_request())
        tabs.currentChanged.connect(lambda _: (self._update_layer_view_request(), self._show_current_tab()))

    # -- learner's actions -------------------------------------------------------------
    def _on_neuron_selected(self, layer: int, index: int) -> None:
        if layer == 0:
            self.selected = None
            self.sig_status.emit("An input neuron only passes its value on; pick a hidden or output neuron.")
            return
        self.selected = (layer, index)
        self.tabs.setCurrentWidget(self.inspector)
        self._show_inspector()  # already current: the tab change above does not redraw it

    def _update_layer_view_request(self) -> None:
        # Before the first snapshot there is no network to map yet: the first snapshot asks again.
        shown = self.tabs.currentWidget() is self.layer_view and self.layer_view.has_layers
        wanted = self.layer_view.choice() if shown else None
        if wanted != self._layer_view_on:
            self._layer_view_on = wanted
            self._send("set_layer_view", *(wanted if wanted is not None else (None,)))

    def resend_layer_view(self) -> None:
        """Ask a trainer that has just started (it maps no layer) for the layer view shown, if one is."""
        if self._layer_view_on is not None:
            self._send("set_layer_view", *self._layer_view_on)

    def show_guide(self) -> None:
        if self.guide is None:
            self.guide = GuideDock(self.parent())
            self.guide.sig_action.connect(self.demonstrate)
        self.guide.show()
        self.guide.raise_()

    def demonstrate(self, key: str) -> None:
        """Do what a paragraph of the guide describes, in the window."""
        s = self.latest
        if s is None:
            return
        n_layers = len(s.spec.sizes) - 1
        targets = {
            "feedforward": ("forward", 0), "sigmoid": ("forward", 0), "error": ("loss", None),
            "mse": ("loss", None), "chain_rule": ("backward", 0), "gradient_descent": ("update", None),
        }
        if key in targets:
            if key == "sigmoid" and n_layers > 1:
                self.canvas.set_selected_neuron((1, 0))
                self._on_neuron_selected(1, 0)
            for _ in range(phases_until(targets[key], n_layers, s.phase)):
                self._send("step_phase")
        # "learning_rate" and "noise" change a setting for a while: GuideDemonstrations runs them.

    # -- snapshots ---------------------------------------------------------------------
    def show_snapshot(self, s: Snapshot) -> None:
        """Draw what ``s`` says about learning; tabs out of view catch up when shown."""
        previous, self.latest = self.latest, s
        if s.data is not None:
            self._target_name = s.data.dataset.target_name
        self._show_phase(s)
        first, last = s.timeline
        self.timeline.set_range(first, last, s.cycle, s.rewound)
        if previous is None or previous.spec.sizes != s.spec.sizes:
            self.layer_view.set_layers(s.spec.sizes)
        if previous is not None and previous.generation != s.generation and s.layer_view is None:
            self._layer_view_on = None  # a reopened session starts with no layer view: asked for again below
        self._show_current_tab()
        self._update_layer_view_request()

    def _show_current_tab(self) -> None:
        s, current = self.latest, self.tabs.currentWidget()
        if s is None:
            return
        if current is self.norms and s.gradient_norms is not None:
            sizes = s.spec.sizes
            self.norms.set_norms(
                *s.gradient_norms, [f"W{index} ({a}→{b})" for index, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))]
            )
        elif current is self.layer_view:
            if s.layer_view is not None:
                v = s.layer_view
                self.layer_view.set_data(v.grid, v.points, v.labels)
            elif s.boundary is None:
                self.layer_view.set_unavailable("The layer view needs 2-D data (pick a generated dataset).")
        elif current is self.inspector:
            self._show_inspector()

    def _show_phase(self, s: Snapshot) -> None:
        if s.phase is None:
            self.canvas.set_highlight(None, None)
            if self._phase_message is not None:  # a Step, Run or rewind has moved on from it
                self.sig_status_withdrawn.emit(self._phase_message)
                self._phase_message = None
            return
        kind, layer = s.phase
        n_layers = len(s.spec.sizes) - 1
        if kind == "forward":
            self.canvas.set_highlight(layer + 1, "forward")
            if self.tabs.currentWidget() is not self.inspector:
                self.tabs.setCurrentWidget(self.activations)
        elif kind == "loss":
            self.canvas.set_highlight(n_layers, None)
        elif kind == "backward":
            self.canvas.set_highlight(layer + 1, "backward")
            if s.batch_deltas is not None and self.tabs.currentWidget() is not self.inspector:
                self.tabs.setCurrentWidget(self.deltas)  # the window draws the heatmap tab in view
        else:
            self.canvas.set_highlight(None, None)
            if self.tabs.currentWidget() is not self.inspector:
                self.tabs.setCurrentWidget(self.weight_deltas)
        names = {"forward": "feedforward through layer", "backward": "backprop through layer",
                 "loss": "error and loss", "update": "weight update"}
        where = f" {layer + 1}" if layer is not None else ""
        message = f"Cycle {s.cycle + (0 if kind == 'update' else 1)}: {names[kind]}{where}"
        if message != self._phase_message:
            self._phase_message = message
            self.sig_status.emit(message)

    def _show_inspector(self) -> None:
        s = self.latest
        if self.selected is None or s is None or s.trace is None:
            self.inspector.set_report(None)
            return
        layer, index = self.selected
        if layer >= len(s.spec.sizes) or index >= s.spec.sizes[layer]:
            self.selected = None
            self.inspector.set_report(None)
            return
        self.inspector.set_report(neuron_report(s.trace, layer, index, s.target_scaling, self._target_name))
