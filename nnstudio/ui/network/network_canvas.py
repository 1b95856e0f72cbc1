"""The network diagram: neurons in columns, weights as lines, editable in place.

Colour convention: the window's one diverging scale (:mod:`nnstudio.ui.plotting.colormaps`),
orange below the centre, white at it, blue above it, the same in the data plot and
the heatmaps, so a colour means one thing everywhere on screen.

* Weights: line colour is the sign (orange negative, blue positive); line width
  is ``6 px * |w| / max|w|`` over the whole network, clamped to 0.5..6 px;
  weak lines are also fainter so big networks stay readable.
* Activations and neuron maps: centred on the activation's midpoint, over its
  range (:func:`~nnstudio.ui.plotting.colormaps.activation_levels`): a sigmoid's 0..1 runs
  orange-white-blue with white at 0.5, so its map shows where the neuron says
  "class 0" and "class 1"; tanh's -1..1 centres on 0; the input layer and ReLU,
  leaky ReLU and linear layers centre on 0 over ``max(1, max |value|)`` of the
  neuron values and maps of that column.
* Deltas δ (backward phases): centred on 0 over ``max |δ|`` of the layer's batch,
  as in the δ heatmap.
* Not computed yet (a layer the current phase has not reached): hatched grey,
  no number.

While a cycle is stepped phase by phase the neurons show that phase's quantity:
activations going forward, target, error = target − output and the loss beside
the output at the loss phase, δ going back. A caption under each column says
which. Neurons are numbered from 1 for people (the arrays count from 0).

The canvas never changes the network itself: edits are requests that it emits
(``sig_spec_changed``, ``sig_weight_edited``) and the owner answers with
:meth:`NetworkCanvas.set_spec` / :meth:`NetworkCanvas.set_state`.

A column header's menu picks the layer's activation: radio items, the current one
checked. The output menu lists every output activation and disables, with the reason as
its tooltip, those the task does not allow (``engine.model_fit.output_problem``, the rules
the training session applies), rather than offer a choice the session would revert.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QActionGroup, QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QInputDialog,
    QMenu,
    QWidget,
)

from nnstudio.engine.io.model_fit import output_problem
from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.learning.cycle_progress import CycleProgress, cycle_progress
from nnstudio.ui.network.canvas_items import (
    ButtonItem,
    CaptionItem,
    ColumnBandItem,
    ConnectionItem,
    ConnectionLinesItem,
    HeaderItem,
    NeuronItem,
    NoteItem,
    PhaseLabelItem,
)
from nnstudio.ui.network.connection_layer import WEIGHT_IMAGE_ABOVE, WeightCell, WeightImageItem
from nnstudio.ui.plotting.colormaps import (
    PENDING_FILL,
    PENDING_HATCH,
    activation_levels,
    format_short,
    format_value,
    scale_position,
    signed_lut,
    symmetric_levels,
    text_color_on,
)

__all__ = ["ACTIVATIONS", "OUTPUT_ACTIVATIONS", "MIN_NEURONS", "MAX_NEURONS", "NetworkCanvas", "value_lut"]

#: Activation functions a hidden layer may use (the output layer adds softmax).
ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUT_ACTIVATIONS: tuple[str, ...] = ACTIVATIONS + ("softmax",)
#: Neurons per hidden layer that the +/− buttons allow.
MIN_NEURONS = 1
MAX_NEURONS = 32

_NEW_LAYER_SIZE = 4
_BACKGROUND = QColor("#f6f7f9")
_BAND = QColor("#eceef2")
_NEUTRAL_LINE = QColor("#b4b9c1")
_NAN_LINE = QColor("#80868b")
_NAN_FILL = QColor("#9aa0a6")
_PHASES = {
    # direction: (band fill, band border, label fill, label text)
    "forward": (QColor("#e3f2e8"), QColor("#8cc9a0"), QColor("#1e8e3e"), "→ forward"),
    "backward": (QColor("#f1e6fb"), QColor("#c39be8"), QColor("#8430ce"), "← backward"),
}
# The loss phase: no direction, a neutral tint and a dark label carrying the loss.
_LOSS_BAND = (QColor("#e8eaed"), QColor("#9aa0a6"))
_LOSS_LABEL_FILL = QColor("#3c4043")
_MIN_LINE_W, _MAX_LINE_W = 0.5, 6.0
# An odd table has an entry exactly at the centre: a zero weight or a sigmoid's 0.5 is white.
_LUT_SIZE = 511
_CAPTION_H = 18.0
# What a column's neurons show, by mode: the caption's forms, longest first.
_CAPTIONS = {
    "input": ("input x", "x"),
    "activation": ("activation a", "a"),
    "delta": ("δ = ∂L/∂z", "δ"),
    "pending_forward": ("not computed yet", "not yet", "–"),
    "pending_backward": ("δ not computed yet", "not yet", "–"),
    "none": ("",),
}


@lru_cache(maxsize=1)
def value_lut() -> np.ndarray:
    """Return the (511, 3) uint8 diverging lookup table; index 0 is -1, 255 is 0, 510 is +1."""
    return signed_lut(_LUT_SIZE)


def _lut_index(t: np.ndarray) -> np.ndarray:
    """Map ``t`` in [-1, 1] (NaN allowed, drawn as the centre) to LUT indices."""
    t = np.nan_to_num(np.asarray(t, dtype=float), nan=0.0, posinf=1.0, neginf=-1.0)
    half = (_LUT_SIZE - 1) / 2
    return np.rint((np.clip(t, -1.0, 1.0) + 1.0) * half).astype(np.intp)


def _qcolor(rgb) -> QColor:
    return QColor(int(rgb[0]), int(rgb[1]), int(rgb[2]))


def _line_keys(flat: np.ndarray, wmax: float) -> list[tuple]:
    """The pen key of each weight's line: sign, width in quarter px, and how strongly it shows."""
    ratio = np.clip(np.abs(np.nan_to_num(flat, nan=0.0, posinf=wmax, neginf=wmax)) / wmax, 0.0, 1.0)
    width_q = np.rint(np.clip(_MAX_LINE_W * ratio, _MIN_LINE_W, _MAX_LINE_W) * 4).astype(int)
    # Weak lines fade out as well as thin out, so a dense layer shows its few strong
    # weights instead of a solid mesh.
    alpha = (np.rint((40 + 215 * ratio**1.5) / 5) * 5).astype(int)
    ok = np.isfinite(flat)
    return [("w", bool(flat[k] >= 0), int(width_q[k]), int(alpha[k])) if ok[k] else ("nan",) for k in range(len(flat))]


def _target_text(value: float) -> str:
    # class targets are 0/1: print them as such, not as 1.00
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e6 else format_short(value)


class NetworkCanvas(QGraphicsView):
    """Interactive drawing of a dense network, one column per layer.

    Scene coordinates equal viewport pixels (the layout is recomputed on every
    resize), so text and buttons keep their size however the window is sized.

    Parameters
    ----------
    parent : QWidget, optional
        Parent widget.

    Signals
    -------
    sig_weight_edited(int, int, int, float)
        ``(layer, i, j, value)``: the user typed a new weight for
        ``weights[layer][i, j]``.
    sig_neuron_selected(int, int)
        ``(layer, index)``: the user clicked a neuron (layer 0 = input).
    sig_spec_changed(tuple, tuple)
        ``(sizes, activations)``: the structure the user asked for; the drawing
        only changes when the owner calls :meth:`set_spec`.

    Attributes
    ----------
    show_neuron_maps : bool
        Whether neuron maps are drawn (read-only; use :meth:`set_show_neuron_maps`).
    """

    sig_weight_edited = Signal(int, int, int, float)  # layer, i, j, new value
    sig_neuron_selected = Signal(int, int)  # layer (0 = input), neuron index
    sig_spec_changed = Signal(object, object)  # sizes tuple[int, ...], activations tuple[str, ...]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkCanvas")
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
        self.setBackgroundBrush(_BACKGROUND)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 200)

        self._sizes: tuple[int, ...] = ()
        self._requested: tuple[tuple[int, ...], tuple[str, ...]] | None = None
        self._acts: tuple[str, ...] = ()
        self._task: str | None = None  # of the data: which output activations it allows
        self._loss = "mse"
        self._neurons: list[list[NeuronItem]] = []
        self._conns: list[list[ConnectionItem]] = []  # [layer][i * n_next + j]; empty for a weight image
        self._images: dict[int, WeightImageItem] = {}  # layer -> its weight matrix, for the large pairs
        self._wmax = 1.0  # the largest |w| drawn: full width and full colour
        self._centres: list[list[QPointF]] = []  # neuron centres per column, as laid out
        self._column_room: list[tuple[float, float]] = []  # per column: (radius, map side)
        self._headers: list[HeaderItem] = []
        self._bands: list[ColumnBandItem] = []
        self._buttons: dict[int, tuple[ButtonItem, ButtonItem]] = {}
        self._phase_label = PhaseLabelItem()
        self._loss_label = PhaseLabelItem()
        self._notes: list[NoteItem] = []  # one per output neuron: target and error at the loss phase
        self._captions: list[CaptionItem] = []
        self._lines = ConnectionLinesItem()
        self._conn_keys: list[list[tuple]] = []  # pen-cache key per connection, as _conns
        self._conn_names: list[list[str]] = []  # tooltip heading per connection, as _conns
        self._selected: tuple[int, int] | None = None
        self._highlight: tuple[int | None, str | None] = (None, None)
        self._show_maps = True
        self._state: dict = {}
        self._modes: list[str] = []  # what each column's neurons show (a key of _CAPTIONS)
        self._pen_cache: dict[tuple, QPen] = {}
        self._hover_pen_cache: dict[tuple, QPen] = {}
        self._press: tuple[QGraphicsItem | None, QPoint] | None = None
        self._editing: tuple[int, int, int] | None = None
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
        sizes_t = tuple(int(n) for n in sizes)
        acts_t = tuple(str(a) for a in activations)
        if len(sizes_t) < 2 or min(sizes_t) < 1:
            raise ValueError(f"need at least two layers of at least one neuron, got sizes {sizes_t}")
        if len(acts_t) != len(sizes_t) - 1:
            raise ValueError(f"need {len(sizes_t) - 1} activations (one per non-input layer), got {len(acts_t)}")
        for k, name in enumerate(acts_t, start=1):
            if name not in self._choices_for(sizes_t, k) or (name == "softmax" and sizes_t[-1] < 2):
                raise ValueError(f"activation {name!r} is not allowed for layer {k} of {sizes_t}")

        self._flush_timer.stop()
        self._pending = None
        self._state = {}
        self._centres = []  # of the old shape: laid out anew below
        self._scene.clear()  # deletes every item we own
        self._phase_label = PhaseLabelItem()
        self._scene.addItem(self._phase_label)
        self._loss_label = PhaseLabelItem()
        self._loss_label.setVisible(False)
        self._scene.addItem(self._loss_label)
        self._lines = ConnectionLinesItem()
        self._scene.addItem(self._lines)
        self._sizes, self._acts = sizes_t, acts_t
        self._requested = None  # the owner has answered: requests build on this shape again
        self._neurons = [[NeuronItem(c, k) for k in range(n)] for c, n in enumerate(sizes_t)]
        # A large pair is one item showing its weight matrix; a small one, a line per weight.
        self._images = {
            layer: WeightImageItem(layer, (sizes_t[layer], sizes_t[layer + 1]), value_lut(),
                                   lambda i, j, w, layer=layer: self._weight_tooltip(layer, i, j, w), self._cell_hover_pen)
            for layer in range(len(sizes_t) - 1) if sizes_t[layer] * sizes_t[layer + 1] > WEIGHT_IMAGE_ABOVE
        }
        self._conns = [
            [] if layer in self._images else
            [ConnectionItem(layer, i, j) for i in range(sizes_t[layer]) for j in range(sizes_t[layer + 1])]
            for layer in range(len(sizes_t) - 1)
        ]
        # Tooltip names are fixed by the shape: made once here, not on every weight update.
        self._conn_names = [[self._connection_name(item.layer, item.i, item.j) for item in items]
                            for items in self._conns]
        self._headers = [HeaderItem(c) for c in range(len(sizes_t))]
        self._bands = [ColumnBandItem() for _ in sizes_t]
        self._captions = [CaptionItem() for _ in sizes_t]
        self._notes = [NoteItem() for _ in range(sizes_t[-1])]
        self._buttons = {c: (ButtonItem(c, -1), ButtonItem(c, +1)) for c in range(1, len(sizes_t) - 1)}
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
            header.set_content(self._title(c), None if c == 0 else acts_t[c - 1])
        for c, (minus, plus) in self._buttons.items():
            name = self._layer_name(c)
            minus.set_button_enabled(sizes_t[c] > MIN_NEURONS, f"Remove a neuron from {name}")
            plus.set_button_enabled(sizes_t[c] < MAX_NEURONS, f"Add a neuron to {name}")
        if self._selected is not None and not self._valid_neuron(*self._selected):
            self._selected = None
        self.set_selected_neuron(self._selected)  # the new items need the ring too
        if self._highlight[0] is not None and self._highlight[0] >= len(sizes_t):
            self._highlight = (None, None)
        self._apply_state({})
        self._relayout()

    def spec(self) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """Return ``(sizes, activations)`` as drawn."""
        return self._sizes, self._acts

    def header_text(self, layer: int) -> str:
        """Return a column header, e.g. ``"Hidden 1 (4) · sigmoid"``."""
        return self._headers[layer].text()

    def activation_choices(self, layer: int) -> tuple[str, ...]:
        """Return the activations the header menu lists for column ``layer`` (>= 1), allowed or not."""
        if not 1 <= layer < len(self._sizes):
            raise ValueError(f"layer {layer} has no activation (columns 1..{len(self._sizes) - 1} do)")
        return self._choices_for(self._sizes, layer)

    @staticmethod
    def _choices_for(sizes: tuple[int, ...], layer: int) -> tuple[str, ...]:
        return OUTPUT_ACTIVATIONS if layer == len(sizes) - 1 else ACTIVATIONS

    def set_task(self, task: str | None, loss: str = "mse") -> None:
        """The data's task ("classification", "regression"; None: unknown) and the loss, which rule the output menu."""
        self._task, self._loss = task, loss

    def activation_refusal(self, layer: int, name: str) -> str:
        """Why column ``layer`` may not use activation ``name`` ("" if it may).

        Only the output layer has rules: those of ``output_problem`` for the task, and
        with no task known, softmax over a single neuron (the constant 1).
        """
        return self._refusal(self.requested_spec()[0], layer, name)

    def _refusal(self, sizes: tuple[int, ...], layer: int, name: str) -> str:
        if layer != len(sizes) - 1:
            return ""
        if self._task is None:
            return output_problem("classification", sizes[-1], name) if name == "softmax" else ""
        return output_problem(self._task, sizes[-1], name, self._loss)

    def _layer_name(self, c: int) -> str:
        if c == 0:
            return "Input"
        return "Output" if c == len(self._sizes) - 1 else f"Hidden {c}"

    def _title(self, c: int) -> str:
        return f"{self._layer_name(c)} ({self._sizes[c]})"

    # -------------------------------------------------------------- requests
    def request_add_neuron(self, layer: int) -> bool:
        """Ask for one more neuron in hidden column ``layer``; False (no signal) at the maximum."""
        return self._request_resize(layer, +1)

    def request_remove_neuron(self, layer: int) -> bool:
        """Ask for one neuron fewer in hidden column ``layer``; False (no signal) at the minimum."""
        return self._request_resize(layer, -1)

    def requested_spec(self) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """The shape requests build on: the last one asked for, until the owner draws one.

        Building on the drawn shape would lose clicks that come faster than a redraw (two
        quick "+" would add one neuron).
        """
        return self._requested or (self._sizes, self._acts)

    def _request(self, sizes: tuple[int, ...], acts: tuple[str, ...]) -> bool:
        self._requested = (sizes, acts)
        self.sig_spec_changed.emit(sizes, acts)
        return True

    def _request_resize(self, layer: int, delta: int) -> bool:
        sizes, acts = self.requested_spec()
        if not 1 <= layer < len(sizes) - 1:
            raise ValueError(f"only hidden columns (1..{len(sizes) - 2}) can be resized, got {layer}")
        n = sizes[layer] + delta
        if not MIN_NEURONS <= n <= MAX_NEURONS:
            return False
        return self._request(sizes[:layer] + (n,) + sizes[layer + 1 :], acts)

    def request_activation(self, layer: int, name: str) -> bool:
        """Ask for activation ``name`` in column ``layer``; False (no signal) if unchanged.

        Raises
        ------
        ValueError
            If ``name`` is not offered for that column (see :meth:`activation_choices`)
            or not allowed there (:meth:`activation_refusal` says why).
        """
        sizes, acts = self.requested_spec()
        if not 1 <= layer < len(sizes) or name not in self._choices_for(sizes, layer):
            raise ValueError(f"activation {name!r} is not offered for layer {layer}")
        if acts[layer - 1] == name:
            return False
        refusal = self._refusal(sizes, layer, name)
        if refusal:
            raise ValueError(f"activation {name!r} is not allowed for layer {layer}: {refusal}")
        return self._request(sizes, acts[: layer - 1] + (name,) + acts[layer:])

    def request_add_layer(self) -> bool:
        """Ask for a new hidden layer of 4 neurons just before the output layer."""
        sizes, acts = self.requested_spec()
        if not sizes:
            return False
        act = acts[-2] if len(acts) > 1 else "sigmoid"  # continue the last hidden layer's choice
        return self._request(sizes[:-1] + (_NEW_LAYER_SIZE,) + sizes[-1:], acts[:-1] + (act,) + acts[-1:])

    def request_remove_layer(self) -> bool:
        """Ask to drop the last hidden layer; False (no signal) when there is none."""
        sizes, acts = self.requested_spec()
        if len(sizes) <= 2:
            return False
        return self._request(sizes[:-2] + sizes[-1:], acts[:-2] + acts[-1:])

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
        s = self._sizes
        given = (weights, biases, activations, neuron_maps, deltas, target)
        if not s and any(x is not None for x in given):
            raise ValueError("set_spec must be called before set_state")
        n_w = len(s) - 1
        state = {
            "weights": self._checked("weights", weights, n_w, lambda k: (s[k], s[k + 1])),
            "biases": self._checked("biases", biases, n_w, lambda k: (s[k + 1],)),
            "activations": self._checked("activations", activations, len(s), lambda k: (s[k],)),
            "neuron_maps": self._checked("neuron_maps", neuron_maps, n_w, lambda k: (s[k + 1], None, None)),
            "deltas": self._checked("deltas", deltas, n_w, lambda k: (None, s[k + 1])),
            "target": None if target is None else self._checked("target", [target], 1, lambda k: (s[-1],))[0],
            "loss": None if loss is None else float(loss),
            "batch_size": batch_size,
            "progress": cycle_progress(phase, n_w, True, deltas is not None) if phase is not None and s else None,
        }
        self._pending = state
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Show what ``snapshot`` says about the network (see :meth:`set_state`), at once.

        The window already draws at most one snapshot a frame: applied now, the items
        are ready before the next paint, which then happens once (applied inside the
        paint, they would mark the scene changed and cost a second one).
        """
        s = snapshot
        if s.data is not None:
            self._task = s.data.dataset.task
        self._loss = s.spec.loss
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

    @staticmethod
    def _checked(name: str, arrays, count: int, shape_of) -> list[np.ndarray] | None:
        if arrays is None:
            return None
        arrays = list(arrays)
        if len(arrays) != count:
            raise ValueError(f"{name}: expected {count} arrays, got {len(arrays)}")
        out = []
        for k, a in enumerate(arrays):
            a = np.array(a, dtype=float)  # a copy: the owner may keep training in place
            want = shape_of(k)
            if a.ndim != len(want) or any(w is not None and w != g for w, g in zip(want, a.shape)) or 0 in a.shape:
                shown = tuple("H" if w is None else w for w in want)
                raise ValueError(f"{name}[{k}]: expected shape {shown}, got {a.shape}")
            out.append(a)
        return out

    def _apply_pending(self) -> None:
        if self._pending is not None:
            state, self._pending = self._pending, None
            self._apply_state(state)

    def _apply_state(self, state: dict) -> None:
        maps_before = self._state.get("neuron_maps") is not None
        self._state = state
        if self._images and maps_before != (state.get("neuron_maps") is not None):
            self._place_weight_images()  # the maps take room beside the neurons, or give it back
        self._modes = self._column_modes(state)
        self._update_connections(state.get("weights"))
        self._update_neurons()
        self._update_maps(state.get("neuron_maps"))
        self._update_loss_notes()

    def _pen(self, key: tuple) -> QPen:
        # Equal weights share one QPen; reusing equal pens also lets
        # QGraphicsLineItem.setPen skip unchanged lines entirely.
        pen = self._pen_cache.get(key)
        if pen is None:
            if key[0] == "neutral":
                pen = QPen(_NEUTRAL_LINE, 1.0)
            elif key[0] == "nan":
                pen = QPen(_NAN_LINE, 1.0, Qt.PenStyle.DashLine)
            else:
                _, positive, width_q, alpha = key
                # Fade by mixing towards the panel colour rather than by alpha:
                # Qt's raster engine draws translucent antialiased wide lines
                # about 15x slower than opaque ones (measured: 115 vs 7.5 ms
                # for 1024 lines), which decides whether 64x32 layers animate.
                rgb = value_lut()[-1 if positive else 0].astype(float)
                bg = np.array([_BAND.red(), _BAND.green(), _BAND.blue()], dtype=float)
                mixed = bg + (rgb - bg) * (alpha / 255.0)
                pen = QPen(QColor(*(int(round(v)) for v in mixed)), width_q / 4.0)
            pen.setCosmetic(True)  # width in screen px whatever the transform
            # Flat caps keep Qt on its fast path for wide cosmetic lines (round
            # caps: 520 ms vs 20 ms for 2368 six-px lines); the ends are hidden
            # under the neurons anyway.
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            self._pen_cache[key] = pen
        return pen

    def _hover_pen(self, key: tuple) -> QPen:
        # Hover shows the sign at full strength, however faint the line is.
        pen = self._hover_pen_cache.get(key)
        if pen is None:
            if key[0] == "w":
                rgb = value_lut()[-1 if key[1] else 0]
                color = QColor(int(rgb[0]), int(rgb[1]), int(rgb[2])).darker(115)
            else:
                color = QColor("#5f6368")
            pen = QPen(color, max(3.0, self._pen(key).widthF() + 2.0))
            pen.setCosmetic(True)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)  # a single line: no speed concern
            self._hover_pen_cache[key] = pen
        return pen

    def _weight_tooltip(self, layer: int, i: int, j: int, value: float | None) -> str:
        name = self._connection_name(layer, i, j)
        return f"{name}\nno value yet" if value is None else f"{name}\nw = {format_value(value)}\nClick to edit"

    def _cell_hover_pen(self, value: float | None) -> QPen:
        """The hovered weight of a matrix, drawn as its connection: the sign's colour, 3 px."""
        if value is None or not np.isfinite(value):
            return self._hover_pen(("neutral",))
        return self._hover_pen(("w", bool(value >= 0), 4, 255))

    def _update_connections(self, weights: list[np.ndarray] | None) -> None:
        if weights is None:
            for image in self._images.values():
                image.set_weights(None, 1.0)
            neutral = ("neutral",)
            self._conn_keys = [[neutral] * len(items) for items in self._conns]
            for items, names in zip(self._conns, self._conn_names):
                for item, name in zip(items, names):
                    item.set_base_pen(self._pen(neutral), self._hover_pen(neutral))
                    item.setToolTip(f"{name}\nno value yet")
            self._regroup_lines()
            return
        self._conn_keys = []
        finite = [np.abs(w[np.isfinite(w)]) for w in weights]
        wmax = self._wmax = max((float(f.max()) for f in finite if f.size), default=0.0) or 1.0
        for layer, (w, items, names) in enumerate(zip(weights, self._conns, self._conn_names)):
            if layer in self._images:
                self._images[layer].set_weights(w, wmax)
                self._conn_keys.append([])
                continue
            flat = w.ravel()
            keys = _line_keys(flat, wmax)
            for k, item in enumerate(items):
                key = keys[k]
                item.set_base_pen(self._pen(key), self._hover_pen(key))
                item.setToolTip(f"{names[k]}\nw = {format_value(flat[k])}\nClick to edit")
            self._conn_keys.append(keys)
        self._regroup_lines()

    def _regroup_lines(self) -> None:
        """Hand the lines to the batch painter, grouped by pen, weakest first."""
        groups: dict[tuple, list[QLineF]] = {}
        for keys, items in zip(self._conn_keys, self._conns):
            for key, item in zip(keys, items):
                groups.setdefault(key, []).append(item._line)  # no copy: read-only here
        order = sorted(groups, key=lambda key: (key[0] == "w", key[2:] if key[0] == "w" else ()))
        self._lines.set_groups([(self._pen(key), groups[key]) for key in order])

    def _connection_name(self, layer: int, i: int, j: int) -> str:
        return f"Weight from {self._layer_name(layer)} neuron {i + 1} to {self._layer_name(layer + 1)} neuron {j + 1}"

    def _column_modes(self, state: dict) -> list[str]:
        """What each column's neurons show: a key of ``_CAPTIONS``."""
        n_cols = len(self._sizes)
        if not n_cols or state.get("activations") is None:
            return ["none"] * n_cols
        progress: CycleProgress | None = state.get("progress")
        modes = ["input"] + ["activation"] * (n_cols - 1)
        if progress is None:
            return modes
        for c in range(1, n_cols):
            if progress.in_backward:
                modes[c] = "delta" if progress.delta_ready(c - 1) else "pending_backward"
            elif not progress.activation_ready(c - 1):
                modes[c] = "pending_forward"
        return modes

    def _column_levels(self, c: int) -> tuple[float, float]:
        """The colour scale of column ``c``'s neurons (and maps), for its mode."""
        state, mode = self._state, self._modes[c]
        if mode == "delta":
            return symmetric_levels(state["deltas"][c - 1])
        name = "input" if c == 0 else self._acts[c - 1]
        values = [state["activations"][c]] if state.get("activations") is not None else []
        maps = state.get("neuron_maps")
        if c > 0 and maps is not None:
            values.append(maps[c - 1])
        return activation_levels(name, np.concatenate([np.ravel(v) for v in values]) if values else None)

    def _update_neurons(self) -> None:
        state, lut = self._state, value_lut()
        activations, biases = state.get("activations"), state.get("biases")
        for c, items in enumerate(self._neurons):
            mode = self._modes[c] if c < len(self._modes) else "none"
            act_name = "input" if c == 0 else self._acts[c - 1]
            values = None
            if mode in ("input", "activation"):
                values = activations[c]
            elif mode == "delta":
                values = state["deltas"][c - 1][0]
            colours = lut[_lut_index(scale_position(values, self._column_levels(c)))] if values is not None else None
            for k, item in enumerate(items):
                if mode == "none":
                    item.set_look(QColor(PENDING_FILL), None, QColor(PENDING_HATCH))
                elif values is None:
                    item.set_pending(QColor(PENDING_FILL), QColor(PENDING_HATCH))
                elif not np.isfinite(values[k]):
                    item.set_look(_NAN_FILL, format_short(values[k]) if item.radius >= 12.5 else None, QColor("white"))
                else:
                    text = format_short(values[k]) if item.radius >= 12.5 else None
                    item.set_look(_qcolor(colours[k]), text, QColor(text_color_on(colours[k])))
                item.setToolTip(self._neuron_tooltip(c, k, mode, act_name, biases))
        for c, caption in enumerate(self._captions):
            caption.set_texts(*_CAPTIONS[self._modes[c] if c < len(self._modes) else "none"])

    def _neuron_tooltip(self, c: int, k: int, mode: str, act_name: str, biases) -> str:
        state = self._state
        head = f"{self._layer_name(c)} · neuron {k + 1}" + ("" if c == 0 else f" · {act_name}")
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
        if c == len(self._sizes) - 1 and mode == "activation" and state.get("target") is not None:
            target = state["target"][k]
            output = activations[c][k]
            lines.append(f"target t = {format_value(target)}")
            lines.append(f"error t − a = {format_value(target - output, signed=True)}")
            if state.get("loss") is not None:
                batch = state.get("batch_size")
                over = f" (mean over the batch of {batch})" if batch else ""
                lines.append(f"loss = {format_value(state['loss'])}{over}")
        if c > 0 and biases is not None:
            lines.append(f"bias b = {format_value(biases[c - 1][k], signed=True)}")
        return "\n".join(lines)

    def _show_loss_notes(self) -> bool:
        progress: CycleProgress | None = self._state.get("progress")
        return (progress is not None and progress.at_loss and self._state.get("target") is not None
                and self._state.get("activations") is not None)

    def _update_loss_notes(self) -> None:
        """Target and error beside each output neuron, the loss over the column: the loss phase only."""
        show = self._show_loss_notes()
        for note in self._notes:
            note.setVisible(show)
        self._loss_label.setVisible(show and self._state.get("loss") is not None)
        if show:
            self._place_loss_notes()

    def _note_lines(self, k: int, compact: bool) -> list[str]:
        target = float(self._state["target"][k])
        error = target - float(self._state["activations"][-1][k])
        if compact:
            return [f"t {_target_text(target)}", f"e {format_short(error, signed=True)}"]
        return [f"target {_target_text(target)}", f"error {format_short(error, signed=True)}"]

    def _place_loss_notes(self) -> None:
        """Right of each output neuron if the card fits there, else below it, else compact on the right."""
        if not self._show_loss_notes() or not self._bands:
            return
        c = len(self._sizes) - 1
        items = self._neurons[c]
        right_edge = self._scene.sceneRect().right() - 3
        spacing = (items[1].pos().y() - items[0].pos().y()) if len(items) > 1 else float("inf")
        for k, (neuron, note) in enumerate(zip(items, self._notes)):
            centre, r = neuron.pos(), neuron.radius
            lines = self._note_lines(k, compact=False)
            w, h = note.size_for(lines)
            if centre.x() + r + 6 + w <= right_edge:
                note.set_lines(lines)
                note.setPos(centre.x() + r + 6, centre.y() - h / 2)
            elif spacing >= 2 * r + h + 8:
                note.set_lines(lines)
                note.setPos(min(centre.x() - w / 2, right_edge - w), centre.y() + r + 4)
            else:
                lines = self._note_lines(k, compact=True)
                w, h = note.size_for(lines)
                note.set_lines(lines)
                note.setPos(min(centre.x() + r + 4, right_edge - w), centre.y() - h / 2)
        loss = self._state.get("loss")
        if loss is not None:
            self._loss_label.set_content(f"loss {format_value(loss)}", _LOSS_LABEL_FILL, QColor("white"))
            self._place_pill(self._loss_label, self._bands[c].rect())

    def _update_maps(self, maps: list[np.ndarray] | None) -> None:
        lut = value_lut()
        for c, items in enumerate(self._neurons[1:], start=1):
            if maps is None:
                for item in items:
                    item.set_map(None)
                continue
            stack = maps[c - 1]
            # A map is the neuron's activation over the plane: the activation's scale, in every phase.
            name = self._acts[c - 1]
            values = [np.ravel(stack)]
            activations = self._state.get("activations")
            if activations is not None and self._modes[c] == "activation":
                values.append(np.ravel(activations[c]))
            levels = activation_levels(name, np.concatenate(values))
            rgb = np.ascontiguousarray(lut[_lut_index(scale_position(stack, levels))])  # (n, H, W, 3) uint8
            _, h, w, _ = rgb.shape
            for k, item in enumerate(items):
                image = QImage(rgb[k].data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
                item.set_map(QPixmap.fromImage(image))

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
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
        if direction is not None and direction not in _PHASES:
            raise ValueError(f"direction must be 'forward', 'backward' or None, got {direction!r}")
        if layer is not None and not 0 <= layer < len(self._sizes):
            raise ValueError(f"layer {layer} out of range for {len(self._sizes)} columns")
        self._highlight = (layer, direction if layer is not None else None)
        self._apply_highlight()

    def highlight(self) -> tuple[int | None, str | None]:
        """Return ``(layer, direction)`` as set by :meth:`set_highlight`."""
        return self._highlight

    def _apply_highlight(self) -> None:
        layer, direction = self._highlight
        for c, band in enumerate(self._bands):
            if c == layer:
                fill, border = _PHASES[direction][:2] if direction is not None else _LOSS_BAND
                band.set_colors(fill, border)
            else:
                band.set_colors(_BAND)
        if layer is None or direction is None or not self._bands:
            self._phase_label.setVisible(False)
            return
        _, _, label_fill, text = _PHASES[direction]
        self._phase_label.set_content(text, label_fill, QColor("white"))
        self._place_pill(self._phase_label, self._bands[layer].rect())
        self._phase_label.setVisible(True)

    def _place_pill(self, pill: PhaseLabelItem, band: QRectF) -> None:
        """Centre ``pill`` on the top edge of ``band``, inside the scene however narrow the column."""
        half = pill.boundingRect().width() / 2
        scene = self._scene.sceneRect()
        x = min(max(band.center().x(), scene.left() + half + 2), scene.right() - half - 2)
        pill.setPos(x, band.top())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._relayout()

    def _relayout(self) -> None:
        """Place every item from the viewport size (scene units = viewport px)."""
        vw = max(self.viewport().width(), 200)
        vh = max(self.viewport().height(), 150)
        self._scene.setSceneRect(0, 0, vw, vh)
        self._lines.set_rect(QRectF(0, 0, vw, vh))
        if not self._sizes:
            return
        ncols = len(self._sizes)
        margin = 10.0
        colw = (vw - 2 * margin) / ncols
        for header in self._headers:
            header.set_width(colw - 6)
        header_h = max(h.height() for h in self._headers)
        buttons_h = 36.0 if self._buttons else 0.0
        band_top = margin + header_h + 14  # room for the phase label's upper half
        band_bottom = vh - margin - buttons_h
        y0, y1 = band_top + 16, band_bottom - 12 - _CAPTION_H  # neuron centres live here; the caption below
        avail = max(y1 - y0, 20.0)
        centres: list[list[QPointF]] = []
        self._column_room = []  # per column: (radius, map side)
        for c, n in enumerate(self._sizes):
            x = margin + colw * (c + 0.5)
            self._headers[c].setPos(x, margin)
            self._bands[c].set_rect(QRectF(x - colw / 2 + 5, band_top, colw - 10, band_bottom - band_top))
            self._captions[c].set_width(colw - 10)
            self._captions[c].setPos(x, band_bottom - _CAPTION_H / 2 - 3)
            spacing = min(avail / n, 64.0)
            radius = float(np.clip(min(spacing * 0.38, colw * 0.14), 2.0, 18.0))
            map_side = 0.0
            if self._show_maps and c > 0:
                map_side = float(min(spacing * 0.9, 46.0, colw / 2 - radius - 14))
            self._column_room.append((radius, map_side))
            col = []
            for k, item in enumerate(self._neurons[c]):
                p = QPointF(x, y0 + avail / 2 + (k - (n - 1) / 2) * spacing)
                item.set_geometry(p, radius, map_side)
                col.append(p)
            centres.append(col)
            if c in self._buttons:
                minus, plus = self._buttons[c]
                by = band_bottom + buttons_h / 2 + 1
                minus.setPos(x - ButtonItem.SIZE / 2 - 4, by)
                plus.setPos(x + ButtonItem.SIZE / 2 + 4, by)
        for layer, items in enumerate(self._conns):
            n_next = self._sizes[layer + 1]
            for k, item in enumerate(items):
                item.set_endpoints(centres[layer][k // n_next], centres[layer + 1][k % n_next])
        self._centres = centres
        self._place_weight_images()
        self._regroup_lines()
        # Text visibility depends on the radius, which just changed.
        self._update_neurons()
        self._place_loss_notes()
        self._apply_highlight()

    def _place_weight_images(self) -> None:
        """Each weight matrix between its two columns, row i level with neuron i of the left one."""
        centres = self._centres
        if not self._images or not centres:
            return
        maps_shown = self._state.get("neuron_maps") is not None
        for layer, image in self._images.items():
            sources, targets = centres[layer], centres[layer + 1]
            (r_in, _), (r_out, map_side) = self._column_room[layer], self._column_room[layer + 1]
            left = sources[0].x() + r_in + 6
            right = targets[0].x() - r_out - 6 - (map_side + 5 if maps_shown and map_side >= 12 else 0)
            pitch = sources[1].y() - sources[0].y() if len(sources) > 1 else 2 * r_in + 8
            top, bottom = sources[0].y() - pitch / 2, sources[-1].y() + pitch / 2
            image.set_geometry(sources, targets, QRectF(left, top, max(right - left, 1.0), bottom - top))

    # ----------------------------------------------------------- interaction
    def selected_neuron(self) -> tuple[int, int] | None:
        """Return ``(layer, index)`` of the selected neuron, or None."""
        return self._selected

    def set_selected_neuron(self, selection: tuple[int, int] | None) -> None:
        """Select a neuron (or none) from code; emits nothing."""
        if selection is not None and not self._valid_neuron(*selection):
            raise ValueError(f"no neuron {selection} in a network of sizes {self._sizes}")
        self._selected = None if selection is None else (int(selection[0]), int(selection[1]))
        for c, col in enumerate(self._neurons):
            for k, item in enumerate(col):
                item.set_selected_ring(self._selected == (c, k))

    def _valid_neuron(self, layer: int, index: int) -> bool:
        return 0 <= layer < len(self._sizes) and 0 <= index < self._sizes[layer]

    def edit_weight(self, layer: int, i: int, j: int) -> bool:
        """Ask the user for a new value of ``weights[layer][i, j]`` and emit it.

        Returns
        -------
        bool
            True if a value was accepted and ``sig_weight_edited`` emitted.
        """
        if not (0 <= layer < len(self._sizes) - 1 and 0 <= i < self._sizes[layer] and 0 <= j < self._sizes[layer + 1]):
            raise ValueError(f"no connection {(layer, i, j)} in a network of sizes {self._sizes}")
        self._apply_pending()
        weights = self._state.get("weights")
        current = float(weights[layer][i, j]) if weights is not None else 0.0
        self._editing = (layer, i, j)
        try:
            value = self._ask_weight(current)
        finally:
            self._editing = None
        if value is None:
            return False
        self.sig_weight_edited.emit(layer, i, j, float(value))
        return True

    def _ask_weight(self, current: float) -> float | None:
        """Show a dialog for a new weight; return it, or None if cancelled (tests override this)."""
        where = ""
        if self._editing is not None:
            layer, i, j = self._editing
            where = f"{self._layer_name(layer)} neuron {i + 1} → {self._layer_name(layer + 1)} neuron {j + 1}\n"
        value, ok = QInputDialog.getDouble(
            self, "Edit weight", f"{where}New weight:", current if np.isfinite(current) else 0.0, -1e6, 1e6, 4
        )
        return float(value) if ok else None

    def activation_menu(self, layer: int) -> QMenu:
        """The header menu of column ``layer``: one radio item per activation, the current one checked.

        A choice the task does not allow is disabled, its tooltip saying why. The caller
        owns the menu.
        """
        menu = QMenu(self)
        menu.setObjectName("activationMenu")
        menu.setToolTipsVisible(True)
        group = QActionGroup(menu)
        group.setExclusive(True)
        sizes, acts = self.requested_spec()
        current = acts[layer - 1]
        for name in self.activation_choices(layer):
            action = menu.addAction(name)
            action.setData(name)
            action.setCheckable(True)
            action.setChecked(name == current)
            group.addAction(action)
            refusal = self._refusal(sizes, layer, name)
            if refusal and name != current:
                action.setEnabled(False)
                action.setToolTip(refusal)
        return menu

    def _choose_activation(self, layer: int, global_pos: QPoint) -> str | None:
        """Pop up the activation menu for ``layer``; return the choice or None."""
        menu = self.activation_menu(layer)
        try:
            chosen = menu.exec(global_pos)
            return chosen.data() if chosen is not None else None
        finally:
            menu.deleteLater()

    def _open_activation_menu(self, layer: int, global_pos: QPoint) -> None:
        name = self._choose_activation(layer, global_pos)
        if name is not None:
            self.request_activation(layer, name)

    def _item_at(self, pos: QPoint) -> QGraphicsItem | None:
        """Return the topmost interactive item under a viewport position."""
        for item in self.items(pos):
            while item is not None and not isinstance(
                    item, (NeuronItem, ConnectionItem, WeightImageItem, ButtonItem, HeaderItem)):
                item = item.parentItem()
            if item is not None:
                return item
        return None

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = (self._item_at(event.position().toPoint()), event.position().toPoint())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            super().mouseReleaseEvent(event)
            return
        pressed, start = self._press
        self._press = None
        pos = event.position().toPoint()
        if (pos - start).manhattanLength() > 6:
            return  # a drag, not a click
        event.accept()
        item = self._item_at(pos)
        if item is not pressed:
            return
        if item is None:
            self.set_selected_neuron(None)
        elif isinstance(item, NeuronItem):
            self.set_selected_neuron((item.layer, item.index))
            self.sig_neuron_selected.emit(item.layer, item.index)
        elif isinstance(item, ConnectionItem):
            self.edit_weight(item.layer, item.i, item.j)
        elif isinstance(item, WeightImageItem):
            cell = item.cell_at(self.mapToScene(pos))
            if cell is not None:
                self.edit_weight(item.layer, *cell)
        elif isinstance(item, ButtonItem) and item.is_button_enabled():
            self._request_resize(item.layer, item.delta)
        elif isinstance(item, HeaderItem) and item.layer > 0:
            self._open_activation_menu(item.layer, self.mapToGlobal(pos))

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt override)
        item = self._item_at(event.pos())
        if isinstance(item, HeaderItem) and item.layer > 0:
            self._open_activation_menu(item.layer, event.globalPos())
        elif isinstance(item, ConnectionItem):
            self.edit_weight(item.layer, item.i, item.j)
        elif isinstance(item, WeightImageItem) and item.cell_at(self.mapToScene(event.pos())) is not None:
            self.edit_weight(item.layer, *item.cell_at(self.mapToScene(event.pos())))
        else:
            super().contextMenuEvent(event)

    # ------------------------------------------------------------ for tests
    def connection_item(self, layer: int, i: int, j: int) -> ConnectionItem | WeightCell:
        """Return the line item for ``weights[layer][i, j]`` (state applied first).

        For a pair drawn as a weight matrix, a ``WeightCell`` that answers the same
        questions (tooltip, line, pen, hovered) and says where its cell is.
        """
        self._apply_pending()
        image = self._images.get(layer)
        if image is not None:
            if not (0 <= i < self._sizes[layer] and 0 <= j < self._sizes[layer + 1]):
                raise IndexError(f"no connection {(layer, i, j)} in a network of sizes {self._sizes}")
            value = image.weight(i, j)
            key = ("neutral",) if value is None else _line_keys(np.array([value]), self._wmax)[0]
            return WeightCell(image, i, j, self._pen(key))
        return self._conns[layer][i * self._sizes[layer + 1] + j]

    def weight_image_item(self, layer: int) -> WeightImageItem | None:
        """The item showing weight layer ``layer`` as a matrix, or None when it is drawn as lines."""
        self._apply_pending()
        return self._images.get(layer)

    def neuron_item(self, layer: int, index: int) -> NeuronItem:
        """Return the item for neuron ``index`` of column ``layer`` (state applied first)."""
        self._apply_pending()
        return self._neurons[layer][index]

    def neuron_map_item(self, layer: int, index: int) -> QGraphicsPixmapItem:
        """Return the QGraphicsPixmapItem showing a neuron's map (layer >= 1)."""
        return self.neuron_item(layer, index).map_item

    def output_note_item(self, index: int) -> NoteItem:
        """Return the card beside output neuron ``index`` (target and error at the loss phase)."""
        self._apply_pending()
        return self._notes[index]

    def loss_item(self) -> PhaseLabelItem:
        """Return the label over the output column that shows the loss at the loss phase."""
        self._apply_pending()
        return self._loss_label

    def caption_texts(self) -> list[str]:
        """What each column's caption says its neurons show, as drawn at the current width."""
        self._apply_pending()
        return [caption.text() for caption in self._captions]

    def header_item(self, layer: int) -> HeaderItem:
        """Return the header item of column ``layer``."""
        return self._headers[layer]

    def button_items(self, layer: int) -> tuple[ButtonItem, ButtonItem]:
        """Return the ``(minus, plus)`` buttons of hidden column ``layer``."""
        return self._buttons[layer]
