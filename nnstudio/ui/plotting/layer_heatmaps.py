"""One heatmap per layer, side by side: :class:`LayerHeatmaps` for activations, δ and weight updates.

Activations are centred on their activation's midpoint (0.5 for sigmoid), δ and ΔW
on zero. The widget takes plain numpy arrays (or a whole snapshot) and reuses its
heatmaps.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.learning.cycle_progress import snapshot_progress
from nnstudio.ui.plotting.colormaps import MUTED_TEXT_COLOR, activation_levels, symmetric_levels
from nnstudio.ui.plotting.heatmap import Heatmap
from nnstudio.ui.plotting.heatmap_items import NOT_COMPUTED
from nnstudio.ui.plotting.heatmap_levels import EPSILON, layer_title
from nnstudio.ui.plotting.panel_heading import panel_heading

__all__ = ["LayerHeatmaps"]


class LayerHeatmaps(QWidget):
    """One :class:`Heatmap` per layer, side by side under a heading.

    A horizontal row reads best for the 1-5 layers of a teaching network: every
    layer is visible at once, in network order from input side to output side.
    Each heatmap keeps its own colour bar (layers differ in scale) under its
    cells, and its title wraps rather than being cut off. Where the rows mean the
    same in every layer (samples), only the leftmost heatmap numbers them.

    Parameters
    ----------
    kind : {'activations', 'deltas', 'backprop'}
        'activations': the last batch's activations, samples × neurons, centred on
        each activation's midpoint. 'deltas': the last update's ΔW, from neuron ×
        to neuron, centred on zero. 'backprop': the last batch's δ, samples ×
        neurons, centred on zero.
    heading : str, optional
        Text above the heatmaps; :meth:`show_snapshot` replaces it with one that
        names the batch or update shown.
    object_name : str, optional
        If given, set as the Qt object name (the main window passes
        "activationHeatmap" / "weightDeltaHeatmap" / "backpropDeltaHeatmap").
    parent : QWidget, optional
        Parent widget.

    Attributes
    ----------
    heading_label : QLabel
        The heading.
    empty_message : QLabel
        Shown while there is nothing to show: no layers, no batch or no update yet.
    """

    #: kind -> (heatmap mode, row noun, column noun, default heading)
    KINDS: dict[str, tuple[str, str, str, str]] = {
        "activations": ("sequential", "sample", "neuron", "Neuron activations \u2014 current batch"),
        "deltas": ("diverging", "from neuron", "to neuron", "Weight deltas of the last update"),
        "backprop": ("diverging", "sample", "neuron", "Backprop deltas δ — current batch"),
    }

    def __init__(
        self,
        kind: str = "activations",
        heading: str | None = None,
        parent: QWidget | None = None,
        *,
        object_name: str | None = None,
    ) -> None:
        super().__init__(parent)
        if kind not in self.KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {tuple(self.KINDS)}")
        if object_name:
            self.setObjectName(object_name)
        self._kind = kind
        self._mode, self._row_label, self._col_label, default_heading = self.KINDS[kind]
        self._heatmaps: list[Heatmap] = []
        # Each heatmap takes ~20 ms to build: a network's are built ahead, one per event-loop
        # turn, while there is nothing to show yet, not all at once when the first batch comes.
        self._wanted = 0
        self._prepare_timer = QTimer(self, singleShot=True, interval=0)
        self._prepare_timer.timeout.connect(self._prepare_one)
        noun = {"activations": "activations", "deltas": "weight deltas", "backprop": "deltas"}[kind]
        self._empty_text = f"No layers yet \u2014 build a network to see its {noun}."

        # One white card: heatmaps, heading and read-outs share the plot background.
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.white)
        self.setPalette(palette)

        self.heading_label = panel_heading(default_heading if heading is None else heading, self)

        self.empty_message = QLabel(self._empty_text, self)
        self.empty_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_message.setWordWrap(True)
        self.empty_message.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.empty_message.setStyleSheet(f"color: {MUTED_TEXT_COLOR}; padding: 12px;")

        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(6)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(4)
        layout.addWidget(self.heading_label)
        layout.addWidget(self.empty_message, 1)
        layout.addLayout(self._row, 1)

    @property
    def kind(self) -> str:
        """'activations', 'deltas' or 'backprop'."""
        return self._kind

    @property
    def heatmaps(self) -> tuple[Heatmap, ...]:
        """The current per-layer heatmaps, left to right."""
        return tuple(self._heatmaps)

    def set_heading(self, text: str) -> None:
        """Replace the heading text."""
        self.heading_label.setText(text)

    def set_matrices(
        self,
        matrices: Sequence[np.ndarray],
        titles: Sequence[str],
        *,
        levels: Sequence[tuple[float, float] | None] | None = None,
        pending: Sequence[bool] | None = None,
    ) -> None:
        """Show one matrix per layer.

        Existing heatmaps are reused when the layer count is unchanged, so this
        is cheap enough to call on every redraw; a different count rebuilds them.

        Parameters
        ----------
        matrices : sequence of numpy.ndarray
            One 2-D matrix per layer (activations, δ: samples x neurons; ΔW:
            fan-in x fan-out).
        titles : sequence of str
            One title per matrix, e.g. ``"Hidden 1 (4)"``.
        levels : sequence of (low, high) or None, optional
            Per layer, the colour range (centre = white). Default: activations in
            [0, 1] get (0, 1) (a sigmoid's range, white at 0.5), other activations
            ``(-m, m)`` with ``m = max(1, max|a|)``; δ and ΔW ``(-max|v|, max|v|)``.
        pending : sequence of bool, optional
            Per layer, True for "not computed yet": hatched grey with a note.

        Raises
        ------
        ValueError
            If the sequences differ in length.
        """
        n = len(matrices)
        if len(titles) != n:
            raise ValueError(f"{n} matrices but {len(titles)} titles")
        for name, given in (("levels", levels), ("pending", pending)):
            if given is not None and len(given) != n:
                raise ValueError(f"{n} matrices but {len(given)} {name}")
        if n != len(self._heatmaps):
            self._rebuild(n)
        self._show_heatmaps(n > 0, self._empty_text)
        for index, (heatmap, matrix, title) in enumerate(zip(self._heatmaps, matrices, titles)):
            with np.errstate(over="ignore"):  # Heatmap masks the resulting inf
                data = np.asarray(matrix, dtype=np.float32)
            # Rows mean the same in every layer: one shared row label on the left,
            # as in small multiples, leaves the narrow heatmaps their width.
            # Columns are named by the heading ("samples × neurons"): a label under each
            # narrow heatmap would be cut off, and the images would not line up without it.
            heatmap.set_labels(title, self._row_label if index == 0 else "", "")
            layer_levels = levels[index] if levels is not None else None
            note = NOT_COMPUTED if pending is not None and pending[index] else None
            heatmap.set_matrix(data, layer_levels or self._levels_for(data), note=note)

    def set_unavailable(self, message: str) -> None:
        """Show ``message`` instead of the heatmaps (no batch or no update to show yet)."""
        self._show_heatmaps(False, message)

    def is_unavailable(self) -> bool:
        """Whether a message stands in place of the heatmaps."""
        return not self.empty_message.isHidden()

    def prepare(self, count: int) -> None:
        """Have ``count`` heatmaps built (hidden) before values come, one per event-loop turn.

        Heatmaps built for another count are dropped, as ``set_matrices`` would.
        """
        if count != self._wanted:
            self._rebuild(0)
            self._wanted = count
        if len(self._heatmaps) < count and not self._prepare_timer.isActive():
            self._prepare_timer.start()

    def _prepare_one(self) -> None:
        if len(self._heatmaps) < self._wanted:
            heatmap = self._new_heatmap(len(self._heatmaps))
            heatmap.hide()  # shown with its values
            self._heatmaps.append(heatmap)
        if len(self._heatmaps) < self._wanted:
            self._prepare_timer.start()

    def clear(self) -> None:
        """Remove all heatmaps and show the empty-state message."""
        self._rebuild(0)
        self._show_heatmaps(False, self._empty_text)

    def show_snapshot(self, s: Snapshot) -> None:
        """Show what this kind of heatmap shows of snapshot ``s``.

        The activations and δ of the batch of the cycle shown (its rows, at most
        64), with the layers a phase has not reached yet hatched; the weight update
        of the last finished cycle. Before there is a batch or an update, a message
        says what will appear and when.
        """
        progress = snapshot_progress(s)
        sizes, activations = s.spec.sizes, s.spec.activations
        n_layers = len(sizes) - 1
        stepping = s.phase is not None and s.phase[0] != "update"
        batch_words = "this cycle's batch" if stepping else "the last batch"
        if self._kind == "deltas":
            if s.cycle == 0:  # the update phase has counted its cycle already
                self.prepare(n_layers)
                self.set_unavailable(
                    "No update yet: the weights change at the end of the first cycle, and "
                    "each weight's change Δw shows here."
                )
                return
            when = (
                "of the last cycle" if not stepping else "of the previous cycle (this one's comes at its update phase)"
            )
            self.set_heading(f"Weight updates Δw {when} (from neuron × to neuron)")
            self.set_matrices(
                s.weight_updates, [f"into {layer_title(layer, n_layers)}" for layer in range(n_layers)],
                levels=[symmetric_levels(u, floor=EPSILON) for u in s.weight_updates],
            )
            return
        if not progress.has_batch:
            self.prepare(n_layers)
            what = "activations" if self._kind == "activations" else "deltas δ"
            self.set_unavailable(
                f"No batch yet: Step (F10) runs one cycle, Step phase (F9) one phase of it; "
                f"the batch's {what} show here." if s.cycle == 0 else
                f"The batch of cycle {s.cycle} is not kept. Step on to see the next batch's {what}."
            )
            return
        titles = [f"{layer_title(layer, n_layers)} ({sizes[layer + 1]})" for layer in range(n_layers)]
        if self._kind == "activations":
            rows = s.batch_activations[0].shape[0]
            self.set_heading(f"Activations of {batch_words} ({rows} samples × neurons)")
            self.set_matrices(
                s.batch_activations, titles,
                levels=[activation_levels(a, m) for a, m in zip(activations, s.batch_activations)],
                pending=[not progress.activation_ready(layer) for layer in range(n_layers)],
            )
            return
        if s.batch_deltas is None:
            self.set_unavailable(
                "No δ yet: backprop computes them after the loss; Step phase (F9) on to the "
                "backward phases, or Step (F10) a whole cycle."
            )
            return
        rows = s.batch_deltas[0].shape[0]
        self.set_heading(f"Backprop δ = ∂L/∂z of {batch_words} ({rows} samples × neurons)")
        self.set_matrices(
            s.batch_deltas, titles,
            levels=[symmetric_levels(d, floor=EPSILON) for d in s.batch_deltas],
            pending=[not progress.delta_ready(layer) for layer in range(n_layers)],
        )

    # ------------------------------------------------------------------ internals
    def _show_heatmaps(self, visible: bool, message: str) -> None:
        self.empty_message.setText(message)
        self.empty_message.setVisible(not visible)
        for heatmap in self._heatmaps:
            heatmap.setVisible(visible)

    def _levels_for(self, data: np.ndarray) -> tuple[float, float] | None:
        """Activations: their range's centre is white, so a colour means the same every frame."""
        if self._kind != "activations" or data.size == 0:
            return None
        finite = data[np.isfinite(data)]
        if finite.size and finite.min() >= 0.0 and finite.max() <= 1.0:
            return activation_levels("sigmoid")
        return activation_levels("linear", finite)

    def _rebuild(self, count: int) -> None:
        self._prepare_timer.stop()
        self._wanted = count
        for heatmap in self._heatmaps:
            self._row.removeWidget(heatmap)
            heatmap.hide()
            heatmap.deleteLater()
        self._heatmaps = [self._new_heatmap(index) for index in range(count)]

    def _new_heatmap(self, index: int) -> Heatmap:
        heatmap = Heatmap(self._mode, "", self._row_label, self._col_label, parent=self)
        if self._kind != "deltas" and index > 0:  # samples: the same rows in every layer
            heatmap.set_row_numbers_visible(False)
        self._row.addWidget(heatmap, 1)
        return heatmap
