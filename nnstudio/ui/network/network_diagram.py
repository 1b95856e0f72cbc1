"""The network drawn: neurons in columns, weights as lines or matrices, values as colours.

Values take the colours :mod:`~nnstudio.ui.network.value_painting` describes. While a cycle
is stepped phase by phase the neurons show that phase's quantity: activations going forward,
target, error = target − output and the loss beside the output at the loss phase, δ going
back. A caption under each column says which.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.network import layout
from nnstudio.ui.network.canvas_state import checked_state, column_modes, has_loss_notes
from nnstudio.ui.network.column_items import ButtonItem, CaptionItem, ColumnBandItem, HeaderItem
from nnstudio.ui.network.connection_items import ConnectionItem, ConnectionLinesItem
from nnstudio.ui.network.connection_layer import WEIGHT_IMAGE_ABOVE, WeightImageItem
from nnstudio.ui.network.diagram_text import (
    column_title,
    connection_name,
    layer_name,
    weight_tooltip,
)
from nnstudio.ui.network.item_look import BACKGROUND, PHASES
from nnstudio.ui.network.neuron_item import NeuronItem
from nnstudio.ui.network.overlay_items import NoteItem, PhaseLabelItem
from nnstudio.ui.network.phase_marks import show_loss_cards, show_phase
from nnstudio.ui.network.spec_edits import MAX_NEURONS, MIN_NEURONS, checked_spec
from nnstudio.ui.network.value_painting import line_groups, paint_connections, paint_maps, paint_neurons
from nnstudio.ui.network.weight_pens import LUT_SIZE, WeightPens
from nnstudio.ui.plotting.colormaps import signed_lut


def _qrect(rect: layout.Rect) -> QRectF:
    return QRectF(rect.left, rect.top, rect.width, rect.height)


class NetworkDiagram(QGraphicsView):
    """The drawing of a dense network, one column per layer; :class:`NetworkCanvas` adds editing.

    Scene coordinates equal viewport pixels (the layout is recomputed on every
    resize), so text and buttons keep their size however the window is sized.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        # Items only move on resize, where rebuilding a BSP tree of thousands
        # of connection hit-areas costs more than linear hit tests (measured).
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setScene(self._scene)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundBrush(BACKGROUND)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 200)

        self._sizes: tuple[int, ...] = ()
        self._acts: tuple[str, ...] = ()
        self._neurons: list[list[NeuronItem]] = []
        self._conns: list[list[ConnectionItem]] = []  # [layer][i * n_next + j]; empty for a weight image
        self._images: dict[int, WeightImageItem] = {}  # layer -> its weight matrix, for the large pairs
        self._wmax = 1.0  # the largest |w| drawn: full width and full colour
        self._places: list[layout.ColumnPlace] = []  # as laid out; empty until the first layout of a shape
        self._headers: list[HeaderItem] = []
        self._bands: list[ColumnBandItem] = []
        self._buttons: dict[int, tuple[ButtonItem, ButtonItem]] = {}
        self._phase_label = PhaseLabelItem()
        self._loss_label = PhaseLabelItem()
        self._notes: list[NoteItem] = []  # one per output neuron: target and error at the loss phase
        self._captions: list[CaptionItem] = []
        self._lines = ConnectionLinesItem()
        self._conn_keys: list[list[tuple]] = []  # pen key per connection, as _conns
        self._conn_names: list[list[str]] = []  # tooltip heading per connection, as _conns
        self._highlight: tuple[int | None, str | None] = (None, None)
        self._show_maps = True
        self._state: dict = {}
        self._modes: list[str] = []  # what each column's neurons show (a key of canvas_state.CAPTIONS)
        self._pens = WeightPens()
        # Dirty flag: set_state only stores; one zero-delay timer applies the
        # newest state, so a burst of training steps between paints costs one
        # update of the items.
        self._pending: dict | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._apply_pending)

    # ------------------------------------------------------------------ spec
    def set_spec(self, sizes: Sequence[int], activations: Sequence[str]) -> None:
        """Rebuild the drawing for a network structure.

        Values are cleared (neutral grey lines, white neurons) until the next
        :meth:`set_state`; a selection that still exists is kept.

        Parameters
        ----------
        sizes : sequence of int
            Neurons per layer, input layer first; at least two layers.
        activations : sequence of str
            One activation per non-input layer.

        Raises
        ------
        ValueError
            If the sizes or activations are inconsistent or unknown.
        """
        sizes_t, acts_t = checked_spec(sizes, activations)
        self._flush_timer.stop()
        self._pending = None
        self._state = {}
        self._places = []  # of the old shape: laid out anew below
        self._scene.clear()  # deletes every item we own
        self._phase_label = PhaseLabelItem()
        self._scene.addItem(self._phase_label)
        self._loss_label = PhaseLabelItem()
        self._loss_label.setVisible(False)
        self._scene.addItem(self._loss_label)
        self._lines = ConnectionLinesItem()
        self._scene.addItem(self._lines)
        self._sizes, self._acts = sizes_t, acts_t
        n_cols = len(sizes_t)
        self._neurons = [[NeuronItem(c, k) for k in range(n)] for c, n in enumerate(sizes_t)]
        # A large pair is one item showing its weight matrix; a small one, a line per weight.
        self._images = {
            layer: WeightImageItem(layer, (sizes_t[layer], sizes_t[layer + 1]), signed_lut(LUT_SIZE),
                                   lambda i, j, w, layer=layer: self._weight_tooltip(layer, i, j, w),
                                   self._pens.cell_hover_pen)
            for layer in range(n_cols - 1) if sizes_t[layer] * sizes_t[layer + 1] > WEIGHT_IMAGE_ABOVE
        }
        self._conns = [
            [] if layer in self._images else
            [ConnectionItem(layer, i, j) for i in range(sizes_t[layer]) for j in range(sizes_t[layer + 1])]
            for layer in range(n_cols - 1)
        ]
        # Tooltip names are fixed by the shape: made once here, not on every weight update.
        self._conn_names = [[connection_name(item.layer, item.i, item.j, n_cols) for item in items]
                            for items in self._conns]
        self._headers = [HeaderItem(c) for c in range(n_cols)]
        self._bands = [ColumnBandItem() for _ in sizes_t]
        self._captions = [CaptionItem() for _ in sizes_t]
        self._notes = [NoteItem() for _ in range(sizes_t[-1])]
        self._buttons = {
            c: (ButtonItem(c, -1), ButtonItem(c, +1)) for c in range(n_cols) if layout.has_buttons(c, n_cols)
        }
        for item in (
            *self._bands,
            *self._captions,
            *self._notes,
            *self._headers,
            *(n for col in self._neurons for n in col),
            *(c for layer in self._conns for c in layer),
            *self._images.values(),
            *(b for pair in self._buttons.values() for b in pair),
        ):
            self._scene.addItem(item)
        for c, header in enumerate(self._headers):
            header.set_content(column_title(c, sizes_t), None if c == 0 else acts_t[c - 1])
        for c, (minus, plus) in self._buttons.items():
            name = layer_name(c, n_cols)
            minus.set_button_enabled(sizes_t[c] > MIN_NEURONS, f"Remove a neuron from {name}")
            plus.set_button_enabled(sizes_t[c] < MAX_NEURONS, f"Add a neuron to {name}")
        if self._highlight[0] is not None and self._highlight[0] >= n_cols:
            self._highlight = (None, None)
        self._apply_state({})
        self._relayout()

    def spec(self) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """Return ``(sizes, activations)`` as drawn."""
        return self._sizes, self._acts

    def header_text(self, layer: int) -> str:
        """Return a column header, e.g. ``"Hidden 1 (4) · sigmoid"``."""
        return self._headers[layer].text()

    def _layer_name(self, c: int) -> str:
        return layer_name(c, len(self._sizes))

    def _weight_tooltip(self, layer: int, i: int, j: int, value: float | None) -> str:
        return weight_tooltip(connection_name(layer, i, j, len(self._sizes)), value)

    # ----------------------------------------------------------------- state
    def set_state(
        self,
        weights: Sequence[np.ndarray] | None,
        biases: Sequence[np.ndarray] | None = None,
        activations: Sequence[np.ndarray] | None = None,
        neuron_maps: Sequence[np.ndarray] | None = None,
        *,
        phase: tuple[str, int | None] | None = None,
        deltas: Sequence[np.ndarray] | None = None,
        target: np.ndarray | None = None,
        loss: float | None = None,
        batch_size: int | None = None,
    ) -> None:
        """Show the network's values. Each call replaces the whole state; None clears a part.

        Parameters
        ----------
        weights : sequence of ndarray or None
            ``weights[l]`` has shape ``(sizes[l], sizes[l+1])``.
        biases : sequence of ndarray, optional
            ``biases[l]`` has shape ``(sizes[l+1],)``; shown in neuron tooltips.
        activations : sequence of ndarray, optional
            ``activations[l]`` has shape ``(sizes[l],)`` for every layer,
            input included: the values for the sample being shown.
        neuron_maps : sequence of ndarray, optional
            ``neuron_maps[k]`` has shape ``(sizes[k+1], H, W)``: each neuron's
            output over the input plane, row 0 drawn at the top.
        phase : tuple, optional
            The phase of the cycle just done, as ``Snapshot.phase``: ``("forward", l)``,
            ``("loss", None)``, ``("backward", l)``, ``("update", None)``; None outside
            phase stepping. Layers the phase has not reached are drawn "not computed yet";
            backward phases show δ instead of activations.
        deltas : sequence of ndarray, optional
            ``deltas[l]`` has shape ``(rows, sizes[l+1])``: δ of weight layer ``l`` for
            the batch, row 0 the sample shown (the colour scale spans the whole batch).
        target : ndarray, optional
            Shape ``(sizes[-1],)``: the shown sample's target, once the loss is computed.
        loss : float, optional
            The batch's loss, once computed.
        batch_size : int, optional
            Rows in the batch (for the loss tooltip).

        Raises
        ------
        ValueError
            If any array does not match the spec, or the phase is unknown.
        """
        self._pending = checked_state(self._sizes, weights, biases, activations, neuron_maps, phase=phase,
                                      deltas=deltas, target=target, loss=loss, batch_size=batch_size)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Show what ``snapshot`` says about the network (see :meth:`set_state`), at once.

        The window already draws at most one snapshot a frame: applied now, the items
        are ready before the next paint, which then happens once (applied inside the
        paint, they would mark the scene changed and cost a second one).
        """
        s = snapshot
        # Before the first cycle the trace is a preview over the first training rows, not a batch.
        trace = s.trace if s.phase is not None or s.batch_deltas is not None else None
        self.set_state(
            s.weights, s.biases, s.sample_activations, s.neuron_maps, phase=s.phase,
            deltas=s.batch_deltas if s.phase is not None else None,
            target=None if trace is None else trace.target, loss=None if trace is None else trace.loss,
            batch_size=None if trace is None else trace.batch_size,
        )
        self._flush_timer.stop()
        self._apply_pending()

    def _apply_pending(self) -> None:
        if self._pending is not None:
            state, self._pending = self._pending, None
            self._apply_state(state)

    def _apply_state(self, state: dict) -> None:
        maps_before = self._state.get("neuron_maps") is not None
        self._state = state
        if self._images and maps_before != (state.get("neuron_maps") is not None):
            self._place_weight_images()  # the maps take room beside the neurons, or give it back
        self._modes = column_modes(state, len(self._sizes))
        self._update_connections(state.get("weights"))
        self._update_neurons()
        paint_maps(self._neurons, state, self._modes, self._acts)
        self._update_loss_notes()

    def _update_connections(self, weights: list[np.ndarray] | None) -> None:
        self._conn_keys, wmax = paint_connections(self._conns, self._conn_names, self._images, weights, self._pens)
        if weights is not None:
            self._wmax = wmax
        self._regroup_lines()

    def _regroup_lines(self) -> None:
        self._lines.set_groups(line_groups(self._conn_keys, self._conns, self._pens))

    def _update_neurons(self) -> None:
        paint_neurons(self._neurons, self._captions, self._state, self._modes, self._sizes, self._acts)

    def _update_loss_notes(self) -> None:
        """Target and error beside each output neuron, the loss over the column: the loss phase only."""
        show = has_loss_notes(self._state)
        for note in self._notes:
            note.setVisible(show)
        self._loss_label.setVisible(show and self._state.get("loss") is not None)
        if show:
            self._place_loss_notes()

    def _place_loss_notes(self) -> None:
        if has_loss_notes(self._state) and self._bands:
            show_loss_cards(self._neurons[-1], self._notes, self._loss_label, self._bands[-1].rect(), self._state,
                            self._scene.sceneRect())

    def paintEvent(self, event) -> None:
        self._apply_pending()  # a grab() or paint before the timer fired still shows the newest state
        super().paintEvent(event)

    # ------------------------------------------------------------- look/feel
    def set_show_neuron_maps(self, show: bool) -> None:
        """Show or hide the neuron maps beside hidden and output neurons."""
        self._show_maps = bool(show)
        self._relayout()

    @property
    def show_neuron_maps(self) -> bool:
        """Whether neuron maps are drawn."""
        return self._show_maps

    def set_highlight(self, layer: int | None, direction: str | None) -> None:
        """Tint column ``layer`` and label it "→ forward" / "← backward"; ``layer=None`` clears.

        ``direction=None`` with a layer tints it neutrally, unlabelled (the loss phase,
        whose loss :meth:`set_state` labels).

        Raises
        ------
        ValueError
            If ``layer`` is out of range or ``direction`` is not
            ``"forward"``, ``"backward"`` or None.
        """
        if direction is not None and direction not in PHASES:
            raise ValueError(f"direction must be 'forward', 'backward' or None, got {direction!r}")
        if layer is not None and not 0 <= layer < len(self._sizes):
            raise ValueError(f"layer {layer} out of range for {len(self._sizes)} columns")
        self._highlight = (layer, direction if layer is not None else None)
        self._apply_highlight()

    def highlight(self) -> tuple[int | None, str | None]:
        """Return ``(layer, direction)`` as set by :meth:`set_highlight`."""
        return self._highlight

    def _apply_highlight(self) -> None:
        show_phase(self._bands, self._phase_label, *self._highlight, self._scene.sceneRect())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._relayout()

    def _relayout(self) -> None:
        """Place every item from the viewport size (scene units = viewport px)."""
        vw, vh = layout.view_size(self.viewport().width(), self.viewport().height())
        self._scene.setSceneRect(0, 0, vw, vh)
        self._lines.set_rect(QRectF(0, 0, vw, vh))
        if not self._sizes:
            return
        col_w = layout.column_width(vw, len(self._sizes))
        for header in self._headers:
            header.set_width(layout.header_width(col_w))
        header_h = max(h.height() for h in self._headers)
        self._places = layout.lay_out_columns(self._sizes, vw, vh, header_h, self._show_maps)
        centres = []
        for c, place in enumerate(self._places):
            self._headers[c].setPos(place.x, layout.MARGIN)
            self._bands[c].set_rect(_qrect(place.band))
            self._captions[c].set_width(place.caption_width)
            self._captions[c].setPos(place.x, place.caption_y)
            col = [QPointF(place.x, y) for y in place.neuron_ys]
            for item, p in zip(self._neurons[c], col):
                item.set_geometry(p, place.radius, place.map_side)
            centres.append(col)
            if c in self._buttons:
                for button, x in zip(self._buttons[c], place.button_xs()):
                    button.setPos(x, place.buttons_y)
        for layer, items in enumerate(self._conns):
            n_next = self._sizes[layer + 1]
            for k, item in enumerate(items):
                item.set_endpoints(centres[layer][k // n_next], centres[layer + 1][k % n_next])
        self._place_weight_images()
        self._regroup_lines()
        # Text visibility depends on the radius, which just changed.
        self._update_neurons()
        self._place_loss_notes()
        self._apply_highlight()

    def _place_weight_images(self) -> None:
        """Each weight matrix between its two columns, row i level with neuron i of the left one."""
        if not self._images or not self._places:
            return
        maps_shown = self._state.get("neuron_maps") is not None
        for layer, image in self._images.items():
            left, right = self._places[layer], self._places[layer + 1]
            sources = [QPointF(left.x, y) for y in left.neuron_ys]
            targets = [QPointF(right.x, y) for y in right.neuron_ys]
            image.set_geometry(sources, targets, _qrect(layout.weight_matrix_rect(left, right, maps_shown)))
