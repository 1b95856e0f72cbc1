"""What a layer has learned: the input plane as two of the layer's neurons see it.

After ConvNetJS's hidden-representation demo. The owner maps a grid of straight
lines of the 2-D input plane, and the data points, through the network up to a
layer and passes the activations of two chosen neurons; the widget draws the
grid as thin grey polylines and the points coloured by class. As training goes
on the layer bends and stretches the plane until the classes can be cut apart by
a straight line, which is all the next layer can do.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from nnstudio.ui.plotting.colormaps import CLASS_COLORS, MUTED_TEXT_COLOR, TEXT_COLOR
from nnstudio.ui.plotting.cycle_plot import style_plot
from nnstudio.ui.plotting.panel_heading import panel_heading

__all__ = ["LayerView", "TITLE", "layer_names"]

#: Grid lines: thin and translucent so the points stay the headline.
_GRID_PEN = pg.mkPen((95, 99, 104, 110), width=1)
_POINT_SIZE = 7
#: Points without a class (regression, or no labels given).
_NEUTRAL_COLOR = "#80868b"
_EMPTY = np.empty(0, dtype=np.float64)
#: The panel's heading.
TITLE = "How a layer bends the input plane"
_CAPTION = (
    "Grey lines: a square grid over the input plane, bent by the layer. "
    "The layer has done its job when a straight line can split the colours."
)


def layer_names(sizes: Sequence[int]) -> list[str]:
    """Combo entries for a network of ``sizes`` (input included): "Hidden 1", …, "Output"."""
    count = len(sizes) - 1
    return [f"Hidden {k}" for k in range(1, count)] + (["Output"] if count >= 1 else [])


def _polylines(lines: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Join polylines into one (x, y) pair with a NaN row between them.

    One PlotDataItem drawn with ``connect="finite"`` is far cheaper than one item
    per grid line, and the gaps keep the lines apart.
    """
    parts = []
    for line in lines:
        line = np.asarray(line, dtype=np.float64)
        if line.ndim != 2 or line.shape[1] != 2:
            raise ValueError(f"every grid line must have shape (m, 2), got {line.shape}")
        if line.shape[0]:
            parts.append(line)
            parts.append(np.full((1, 2), np.nan))
    if not parts:
        return _EMPTY, _EMPTY
    joined = np.concatenate(parts[:-1])
    return joined[:, 0], joined[:, 1]


class LayerView(QWidget):
    """The input plane and the data mapped through two neurons of one layer.

    The object name is always ``"layerView"``. Layers are counted 1..L, where 1
    is the first hidden layer and L the output layer. Neurons are shown to people
    counting from 1, as on the canvas; :meth:`choice` and the combos' item data
    give their indices from 0.

    Parameters
    ----------
    parent : QWidget, optional
        Parent widget.

    Signals
    -------
    sig_choice_changed(object)
        ``(layer, i, j)`` after the user picks another layer or neuron; never
        for :meth:`set_layers`. The owner then recomputes and calls :meth:`set_data`.

    Attributes
    ----------
    layer_combo, neuron_x_combo, neuron_y_combo : QComboBox
        Object names ``"layerViewLayerCombo"``, ``"layerViewNeuronXCombo"``,
        ``"layerViewNeuronYCombo"``; item data is the layer number / neuron index.
    plot : pyqtgraph.PlotWidget
        Axes "<layer> · neuron i+1" (bottom) and "<layer> · neuron j+1" (left).
    grid_curve : pyqtgraph.PlotDataItem
        All grid lines as one NaN-separated polyline.
    scatter : pyqtgraph.ScatterPlotItem
        The data points; per-point brushes from :data:`CLASS_COLORS`.
    message : QLabel
        Shown instead of the plot (controls and caption hidden) after :meth:`set_unavailable`.
    heading : QLabel
        What the panel shows (:data:`TITLE`), object name ``"layerViewHeading"``.
    caption : QLabel
        One-line explanation under the plot.
    """

    sig_choice_changed = Signal(object)  # (layer, i, j)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layerView")
        self._sizes: list[int] = []  # neurons per layer, index 0 = first hidden layer
        self._shown: tuple | None = None  # (points, labels, grid lines) drawn

        self.layer_combo = QComboBox(self, objectName="layerViewLayerCombo",
                                     toolTip="The layer whose view of the input plane is shown")
        self.neuron_x_combo = QComboBox(self, objectName="layerViewNeuronXCombo",
                                        toolTip="Neuron along the horizontal axis")
        self.neuron_y_combo = QComboBox(self, objectName="layerViewNeuronYCombo",
                                        toolTip="Neuron along the vertical axis")
        for combo in (self.layer_combo, self.neuron_x_combo, self.neuron_y_combo):
            # as wide as the longest item ("Hidden 1", "neuron 12"), never squeezed below it
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.layer_combo.activated.connect(self._on_layer_picked)
        # activated, not currentIndexChanged: it fires for the user's picks only
        self.neuron_x_combo.activated.connect(self._emit_choice)
        self.neuron_y_combo.activated.connect(self._emit_choice)

        # The tab's label is short on a narrow window ("Layers"): the heading says what is drawn.
        self.heading = panel_heading(TITLE, self, "layerViewHeading")
        self.heading.setContentsMargins(8, 6, 8, 0)
        self._controls = QWidget(self)
        controls = QHBoxLayout(self._controls)
        controls.setContentsMargins(4, 2, 4, 2)
        controls.setSpacing(4)
        pairs = (("Layer", self.layer_combo), ("x", self.neuron_x_combo), ("y", self.neuron_y_combo))
        for k, (text, combo) in enumerate(pairs):
            if k:
                controls.addSpacing(6)  # a gap between pairs, so each label reads with its combo
            label = QLabel(text, self._controls)
            label.setBuddy(combo)
            controls.addWidget(label)
            controls.addWidget(combo)
        controls.addStretch(1)

        self.plot = pg.PlotWidget(self)
        self.plot.setObjectName("layerViewPlot")
        style_plot(self.plot, "neuron 1", "neuron 2")
        item = self.plot.getPlotItem()
        # a learner's stray drag should not lose the view; it re-fits on every update anyway
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        # Clipping and auto-downsampling assume x increases along a curve; the warped grid
        # doubles back on itself, and a few thousand vertices need neither.
        item.setClipToView(False)
        item.setDownsampling(ds=1, auto=False)
        item.getViewBox().setDefaultPadding(0.05)
        self.grid_curve = item.plot(pen=_GRID_PEN, connect="finite", antialias=True)
        self.scatter = pg.ScatterPlotItem(size=_POINT_SIZE, pen=pg.mkPen("w", width=0.8), antialias=True)
        self.scatter.setZValue(10)
        item.addItem(self.scatter)
        self._brushes = [pg.mkBrush(c) for c in CLASS_COLORS]
        self._neutral = pg.mkBrush(_NEUTRAL_COLOR)

        self.message = QLabel(self, objectName="layerViewMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"background: white; color: {MUTED_TEXT_COLOR}; padding: 24px;")
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.plot)
        self._stack.addWidget(self.message)

        self.caption = QLabel(_CAPTION, self, objectName="layerViewCaption")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet(f"color: {MUTED_TEXT_COLOR}; padding: 2px 6px;")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.heading)
        layout.addWidget(self._controls)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self.caption)

    # ------------------------------------------------------------------ public API
    def set_layers(self, sizes: Sequence[int]) -> None:
        """Offer the layers of a network of ``sizes`` (input layer included).

        The current choice is kept when the layer still exists with the same role
        (hidden or output) and both neurons are still in it; otherwise it becomes
        the last hidden layer (the output layer when there is none) with neurons 0
        and 1 (0 and 0 in a one-neuron layer). Emits nothing: read :meth:`choice`.

        Parameters
        ----------
        sizes : sequence of int
            Neurons per layer, e.g. ``(2, 4, 4, 1)``; at least two entries.

        Raises
        ------
        ValueError
            Fewer than two layers, or a layer without neurons.
        """
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least an input and an output layer, all ≥ 1, got {sizes}")
        old_layers = len(self._sizes)
        layer, i, j = self.choice() if self._sizes else (0, 0, 0)
        self._sizes = sizes[1:]
        count = len(self._sizes)
        same_role = layer >= 1 and (layer == count) == (layer == old_layers)
        if not (same_role and layer <= count and max(i, j) < self._sizes[layer - 1]):
            layer = max(count - 1, 1)
            i, j = 0, min(1, self._sizes[layer - 1] - 1)
        with QSignalBlocker(self.layer_combo):
            self.layer_combo.clear()
            for number, name in enumerate(layer_names(sizes), start=1):
                self.layer_combo.addItem(name, number)
            self.layer_combo.setCurrentIndex(layer - 1)
        self._fill_neurons(i, j)

    @property
    def has_layers(self) -> bool:
        """Whether :meth:`set_layers` has given the view a network to choose from."""
        return bool(self._sizes)

    def choice(self) -> tuple[int, int, int]:
        """``(layer, i, j)``: layer 1..L (1 = first hidden), neurons i (x axis) and j (y axis).

        Raises
        ------
        RuntimeError
            Before :meth:`set_layers`.
        """
        if not self._sizes:
            raise RuntimeError("LayerView.choice() needs set_layers() first")
        return (self.layer_combo.currentIndex() + 1, self.neuron_x_combo.currentIndex(),
                self.neuron_y_combo.currentIndex())

    def set_data(self, grid_lines: Sequence[np.ndarray], points: np.ndarray,
                 labels: np.ndarray | None) -> None:
        """Draw the mapped grid and points, and show the plot (again).

        Parameters
        ----------
        grid_lines : sequence of numpy.ndarray, each (m, 2)
            Lines of the input plane, as activations (neuron i, neuron j).
        points : numpy.ndarray, shape (n, 2)
            The data points, mapped the same way.
        labels : numpy.ndarray, shape (n,), or None
            Integer class ids picking colours from :data:`CLASS_COLORS`; None
            (regression) draws every point grey.

        Raises
        ------
        ValueError
            Malformed shapes or lengths.
        """
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2) if np.size(points) else np.empty((0, 2))
        shown = self._shown
        if (
            shown is not None
            and self.is_available()
            and np.array_equal(shown[0], points)
            and (shown[1] is None) == (labels is None)
            and (labels is None or np.array_equal(shown[1], labels))
            and len(shown[2]) == len(grid_lines)
            and all(np.array_equal(a, b) for a, b in zip(shown[2], grid_lines))
        ):
            return  # the same picture (paused, or scrubbing back to it): nothing to redraw
        self._shown = (points.copy(), None if labels is None else np.array(labels), [np.array(g) for g in grid_lines])
        if labels is None:
            brushes = self._neutral
        else:
            labels = np.asarray(labels).ravel()
            if labels.shape[0] != points.shape[0]:
                raise ValueError(f"labels has {labels.shape[0]} entries for {points.shape[0]} points")
            ids = np.rint(labels.astype(np.float64)).astype(np.int64) % len(self._brushes)
            brushes = [self._brushes[c] for c in ids]
        self.grid_curve.setData(*_polylines(grid_lines))
        self.scatter.setData(x=points[:, 0], y=points[:, 1], brush=brushes)
        self._show_plot(True)

    def set_unavailable(self, text: str) -> None:
        """Show ``text`` (e.g. "The layer view needs 2-D data") instead of the plot."""
        self.message.setText(f"<p style='color:{TEXT_COLOR};'><b>No layer view</b></p><p>{text}</p>")
        self._show_plot(False)

    def is_available(self) -> bool:
        """Return True while the plot (not the message) is shown."""
        return self._stack.currentWidget() is self.plot

    # ------------------------------------------------------------------ internals
    def _show_plot(self, shown: bool) -> None:
        """Plot, controls and caption, or the message alone (choices about nothing would only confuse)."""
        self._stack.setCurrentWidget(self.plot if shown else self.message)
        self._controls.setVisible(shown)
        self.caption.setVisible(shown)

    def _fill_neurons(self, i: int, j: int) -> None:
        """List the chosen layer's neurons in both combos, select ``i`` and ``j``, relabel the axes."""
        layer = self.layer_combo.currentIndex() + 1
        size = self._sizes[layer - 1]
        for combo, index in ((self.neuron_x_combo, i), (self.neuron_y_combo, j)):
            with QSignalBlocker(combo):
                combo.clear()
                for neuron in range(size):
                    combo.addItem(f"neuron {neuron + 1}", neuron)
                combo.setCurrentIndex(index)
        self._label_axes()

    def _label_axes(self) -> None:
        layer, i, j = self.choice()
        name = self.layer_combo.itemText(layer - 1)
        item = self.plot.getPlotItem()
        # setLabel keeps the style style_plot gave the label
        item.getAxis("bottom").setLabel(f"{name} \u00b7 neuron {i + 1}")
        item.getAxis("left").setLabel(f"{name} \u00b7 neuron {j + 1}")

    def _on_layer_picked(self, _index: int) -> None:
        _layer, i, j = self.choice()
        size = self._sizes[self.layer_combo.currentIndex()]
        if max(i, j) >= size:  # the new layer is narrower: fall back to its first neurons
            i, j = 0, min(1, size - 1)
        self._fill_neurons(i, j)
        self.sig_choice_changed.emit(self.choice())

    def _emit_choice(self, _index: int) -> None:
        self._label_axes()
        self.sig_choice_changed.emit(self.choice())
