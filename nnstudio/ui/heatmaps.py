"""Matrix heatmaps: one matrix per :class:`Heatmap`, one heatmap per layer in :class:`LayerHeatmaps`.

Used for neuron activations (samples x neurons, sequential colours) and weight
deltas (fan-in x fan-out, diverging colours centred on zero). Widgets take
plain numpy arrays and reuse their plot items on every update.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QGraphicsRectItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from nnstudio.ui.colormaps import (
    AXIS_COLOR,
    BACKGROUND,
    MUTED_TEXT_COLOR,
    TEXT_COLOR,
    colormap_for_mode,
)

__all__ = ["Heatmap", "LayerHeatmaps", "auto_levels", "EPSILON"]

#: Half-width of the level range when the data has no spread; levels are never (v, v).
EPSILON = 1e-12
#: Largest magnitude drawn; beyond it a cell shows the extreme colour.
VALUE_LIMIT = 1e37
#: Hover read-outs update at most this often (Hz).
HOVER_RATE_LIMIT = 30

_MODES = ("sequential", "diverging")


def auto_levels(matrix: np.ndarray, mode: str) -> tuple[float, float]:
    """Colour levels for ``matrix`` when the caller gives none.

    Parameters
    ----------
    matrix : numpy.ndarray
        Data; non-finite values are ignored.
    mode : {'sequential', 'diverging'}
        'sequential' spans the data range; 'diverging' is symmetric,
        ``(-max|m|, +max|m|)``, so zero is always the white centre.

    Returns
    -------
    tuple of float
        ``(low, high)`` with ``low < high`` (padded by :data:`EPSILON` when the
        data is constant, empty or all non-finite).
    """
    values = matrix[np.isfinite(matrix)] if matrix.size else matrix
    if mode == "diverging":
        bound = float(np.max(np.abs(values))) if values.size else 0.0
        bound = max(bound, EPSILON)
        return -bound, bound
    if values.size == 0:
        return 0.0, 1.0
    low, high = float(values.min()), float(values.max())
    if high - low <= EPSILON:
        # Relative pad so a constant 1e6 still gets a representable range.
        pad = max(EPSILON, abs(low) * 1e-6)
        return low - pad, high + pad
    return low, high


def _format_value(value: float, signed: bool) -> str:
    """Four decimals for ordinary values, scientific when fixed-point would show only zeros."""
    if not math.isfinite(value):
        return "n/a"
    sign = "+" if signed else ""
    if value == 0.0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:{sign}.4f}"
    return f"{value:{sign}.3e}"


class _IndexAxis(pg.AxisItem):
    """Axis labelled with 0-based cell indices at cell centres.

    The step (1, 2, 5, 10, 20, ...) is chosen at paint time from the axis length,
    so a 4-neuron layer shows every index and a 256-neuron layer stays legible.

    Attributes
    ----------
    count : int
        Number of cells along the axis; 0 shows no ticks.
    """

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.count = 0
        # Horizontal labels sit side by side and need more room than stacked ones.
        self._min_pixels = 26.0 if orientation in ("top", "bottom") else 16.0

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph API)
        """One tick level at ``i + 0.5`` for every ``step``-th cell in view."""
        low, high = sorted((float(minVal), float(maxVal)))
        if self.count <= 0 or size <= 0 or not high > low:
            return []
        px_per_cell = size / (high - low)
        step = 1
        for factor in itertools.cycle((2, 2.5, 2)):  # 1, 2, 5, 10, 20, 50, ...
            if step * px_per_cell >= self._min_pixels or step >= self.count:
                break
            step = int(step * factor)
        first = max(0, math.ceil(low - 0.5))
        last = min(self.count - 1, math.floor(high - 0.5))
        first = -(-first // step) * step  # round up to a multiple of step
        return [(float(step), [i + 0.5 for i in range(first, last + 1, step)])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph API)
        """Cell index under each tick."""
        return [str(int(round(v - 0.5))) for v in values]


class Heatmap(QWidget):
    """One matrix as a coloured grid with a colour bar, axis labels and a hover read-out.

    Row ``i`` of the matrix is drawn as the ``i``-th row from the top and column
    ``j`` as the ``j``-th column from the left; indices on the axes and in the
    read-out are 0-based like the array. Under the plot a line shows the
    matrix shape, replaced by ``"row 3, col 1: 0.8123"`` while hovering a cell.

    Parameters
    ----------
    mode : {'sequential', 'diverging'}, optional
        'sequential' (viridis; activations) or 'diverging' (blue-white-red
        centred on zero; deltas).
    title, row_label, col_label : str, optional
        Plot title and axis labels.
    parent : QWidget, optional
        Parent widget.

    Signals
    -------
    None.

    Attributes
    ----------
    graphics : pyqtgraph.GraphicsLayoutWidget
        The drawing surface.
    plot_item : pyqtgraph.PlotItem
        Holds the image, axes and title; y is inverted so row 0 is on top.
    image_item : pyqtgraph.ImageItem
        Row-major image of the float32 matrix with a 256-entry uint8 LUT.
    color_bar : pyqtgraph.ColorBarItem
        Non-interactive colour bar with tick labels, right of the plot.
    readout : QLabel
        Shape summary, or the hovered cell's value.
    """

    def __init__(
        self,
        mode: str = "sequential",
        title: str = "",
        row_label: str = "row",
        col_label: str = "column",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if mode not in _MODES:
            raise ValueError(f"unknown heatmap mode {mode!r}; expected one of {_MODES}")
        self._mode = mode
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._levels: tuple[float, float] = (0.0, 1.0)
        self._labels: tuple[str, str, str] = ("", "", "")
        self._bar_degenerate = False

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(BACKGROUND)
        self.graphics.ci.layout.setContentsMargins(2, 2, 6, 2)
        self._row_axis = _IndexAxis("left")
        self._col_axis = _IndexAxis("bottom")
        self.plot_item: pg.PlotItem = self.graphics.addPlot(
            axisItems={"left": self._row_axis, "bottom": self._col_axis}
        )
        self._style_plot()

        # row-major: matrix[i, j] is pixel (x=j, y=i), so no transpose copy per update.
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.plot_item.addItem(self.image_item)

        self.color_bar = pg.ColorBarItem(
            values=self._levels,
            colorMap=colormap_for_mode(mode),
            width=12,
            interactive=False,
            colorMapMenu=False,
        )
        self._style_color_bar()
        self.color_bar.setImageItem(self.image_item, insert_in=self.plot_item)

        # Outline of the hovered cell; a cosmetic pen keeps it 2 px at any zoom.
        pen = pg.mkPen(TEXT_COLOR, width=2)
        pen.setCosmetic(True)
        self._hover_box = QGraphicsRectItem(0.0, 0.0, 1.0, 1.0)
        self._hover_box.setPen(pen)
        self._hover_box.setZValue(10)
        self._hover_box.hide()
        self.plot_item.addItem(self._hover_box, ignoreBounds=True)

        self.readout = QLabel(self)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.readout.setStyleSheet(f"color: {MUTED_TEXT_COLOR};")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.readout)

        self._proxy = pg.SignalProxy(
            self.graphics.scene().sigMouseMoved, rateLimit=HOVER_RATE_LIMIT, slot=self._on_mouse_moved
        )
        self.set_labels(title, row_label, col_label)
        self._update_geometry()
        self._update_bar_ticks()

    # ------------------------------------------------------------------ construction
    def _style_plot(self) -> None:
        item = self.plot_item
        view = item.getViewBox()
        view.invertY(True)  # row 0 at the top, like the printed matrix
        view.setDefaultPadding(0.0)
        # A heatmap is a picture of a matrix, not a chart to explore: no pan/zoom to get lost in.
        view.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        tick_font = QFont(self.font())
        tick_font.setPointSizeF(max(7.5, tick_font.pointSizeF() - 1.5))
        self._tick_font = tick_font
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(AXIS_COLOR))
            axis.setTextPen(pg.mkPen(TEXT_COLOR))
            axis.setTickFont(tick_font)
            axis.setStyle(tickLength=-4)

    def _style_color_bar(self) -> None:
        bar = self.color_bar
        for side in ("left", "right", "top", "bottom"):
            bar.getAxis(side).setPen(pg.mkPen(AXIS_COLOR))
        bar.axis.setTextPen(pg.mkPen(TEXT_COLOR))
        bar.axis.setTickFont(self._tick_font)
        # Label only the major level: minor labels crowd a bar a few hundred pixels tall.
        bar.axis.setStyle(tickLength=-4, maxTextLevel=0)

    # ------------------------------------------------------------------ public API
    @property
    def mode(self) -> str:
        """Current mode, 'sequential' or 'diverging'."""
        return self._mode

    def set_mode(self, mode: str) -> None:
        """Switch between 'sequential' and 'diverging' colouring.

        Parameters
        ----------
        mode : {'sequential', 'diverging'}
            New mode; the current matrix is re-coloured with auto levels.
        """
        if mode not in _MODES:
            raise ValueError(f"unknown heatmap mode {mode!r}; expected one of {_MODES}")
        if mode == self._mode:
            return
        self._mode = mode
        self.color_bar.setColorMap(colormap_for_mode(mode))
        self.set_matrix(self._matrix)

    def set_labels(self, title: str, row_label: str, col_label: str) -> None:
        """Set the title and the axis labels.

        Parameters
        ----------
        title : str
            Shown above the plot, e.g. ``"layer 1 (4 neurons)"``.
        row_label, col_label : str
            Left (rows) and bottom (columns) axis labels; ``""`` hides the label.
        """
        labels = (title, row_label, col_label)
        if labels == self._labels:  # titles change layout; skip the work on every frame
            return
        self._labels = labels
        size = f"{self._tick_font.pointSizeF() + 1.5:.0f}pt"
        self.plot_item.setTitle(title or None, color=TEXT_COLOR, size=size, bold=True)
        label_style = {"color": TEXT_COLOR, "font-size": f"{self._tick_font.pointSizeF() + 0.5:.0f}pt"}
        # An empty label hides the label row entirely, giving the image the space.
        for side, text in (("left", row_label), ("bottom", col_label)):
            if text:
                self.plot_item.setLabel(side, text, **label_style)
            else:
                self.plot_item.getAxis(side).showLabel(False)

    def set_matrix(self, matrix: np.ndarray, levels: tuple[float, float] | None = None) -> None:
        """Show ``matrix``.

        Parameters
        ----------
        matrix : numpy.ndarray
            ``(rows, cols)`` values (1-D is shown as one row). Non-finite cells
            are drawn transparent and ignored for auto levels. An empty matrix
            blanks the image.
        levels : tuple of float, optional
            ``(low, high)`` colour range. Default: :func:`auto_levels` for the
            mode (data range, or symmetric around zero when diverging).

        Raises
        ------
        ValueError
            If ``matrix`` has more than 2 dimensions.
        """
        with np.errstate(over="ignore"):  # values beyond float32 become inf, masked below
            data = np.asarray(matrix, dtype=np.float32)
        if data.ndim == 1:
            data = data.reshape(1, -1)
        if data.ndim != 2:
            raise ValueError(f"heatmap needs a 2-D matrix, got shape {data.shape}")
        finite = np.isfinite(data)
        if not finite.all():
            # inf would saturate the scale; NaN is drawn as a transparent cell by ImageItem.
            data = np.where(finite, data, np.float32(np.nan))
        # pyqtgraph subtracts the low level in float32: keep values and levels far enough
        # from float32's limit that the difference cannot overflow.
        data = np.clip(data, -VALUE_LIMIT, VALUE_LIMIT)
        shape_changed = data.shape != self._matrix.shape
        self._matrix = data

        if levels is None:
            levels = auto_levels(data, self._mode)
        low, high = (min(max(float(v), -VALUE_LIMIT), VALUE_LIMIT) for v in levels)
        if not high > low:
            centre = (low + high) / 2.0 if math.isfinite(low + high) else 0.0
            low, high = centre - EPSILON, centre + EPSILON
        self._levels = (low, high)

        if data.size == 0:
            self.image_item.clear()
        else:
            self.image_item.setImage(data, autoLevels=False, levels=self._levels)
        self.color_bar.setLevels(self._levels)
        self._update_bar_ticks()
        if shape_changed:
            self._update_geometry()
        self._hover_box.hide()
        self.readout.setText(self._shape_text())

    def matrix(self) -> np.ndarray:
        """Return the displayed float32 matrix (non-finite values replaced by NaN)."""
        return self._matrix

    def levels(self) -> tuple[float, float]:
        """Return the colour levels in use, ``(low, high)``."""
        return self._levels

    # ------------------------------------------------------------------ internals
    def _update_bar_ticks(self) -> None:
        """Label a degenerate (epsilon-wide) colour bar with its centre value only.

        An all-zero delta matrix gets levels of +-1e-12; auto ticks would print
        meaningless "-1e-12 ... 1e-12" labels next to a plain white image.
        """
        low, high = self._levels
        centre = (low + high) / 2.0
        degenerate = high - low <= 4.0 * max(EPSILON, abs(centre) * 1e-6)
        if degenerate != self._bar_degenerate or degenerate:
            self._bar_degenerate = degenerate
            ticks = [[(centre, f"{centre:.4g}")]] if degenerate else None
            self.color_bar.axis.setTicks(ticks)

    def _shape_text(self) -> str:
        rows, cols = self._matrix.shape
        return "empty" if self._matrix.size == 0 else f"{rows} \u00d7 {cols}"

    def _update_geometry(self) -> None:
        """Ticks and range for a new matrix shape (not needed per value update).

        Cells stretch to fill the plot: with square cells a 8 x 1 or 2 x 16 matrix
        would shrink to a sliver inside a mostly empty frame.
        """
        rows, cols = self._matrix.shape
        empty = self._matrix.size == 0
        self._row_axis.count = 0 if empty else rows
        self._col_axis.count = 0 if empty else cols
        self._row_axis.picture = None  # force re-ticking even if the range is unchanged
        self._col_axis.picture = None
        self._row_axis.update()
        self._col_axis.update()
        self.plot_item.getViewBox().setRange(
            xRange=(0, max(cols, 1)), yRange=(0, max(rows, 1)), padding=0.0
        )

    def _on_mouse_moved(self, event: object) -> None:
        """Show the value of the cell under the mouse.

        Parameters
        ----------
        event : tuple of QPointF or QPointF
            Scene position, as delivered by :class:`pyqtgraph.SignalProxy`.
        """
        pos: QPointF = event[0] if isinstance(event, (tuple, list)) else event  # type: ignore[index]
        view = self.plot_item.getViewBox()
        rows, cols = self._matrix.shape
        if self._matrix.size and view.sceneBoundingRect().contains(pos):
            point = view.mapSceneToView(pos)
            row, col = math.floor(point.y()), math.floor(point.x())
            if 0 <= row < rows and 0 <= col < cols:
                value = float(self._matrix[row, col])
                signed = self._mode == "diverging"
                self.readout.setText(f"row {row}, col {col}: {_format_value(value, signed)}")
                self._hover_box.setPos(col, row)
                self._hover_box.show()
                return
        self._hover_box.hide()
        self.readout.setText(self._shape_text())

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """Drop the hover read-out when the pointer leaves the widget."""
        self._proxy.flush()  # a queued move must not re-show the read-out afterwards
        self._hover_box.hide()
        self.readout.setText(self._shape_text())
        super().leaveEvent(event)


class LayerHeatmaps(QWidget):
    """One :class:`Heatmap` per layer, side by side under a heading.

    A horizontal row reads best for the 1-5 layers of a teaching network: every
    layer is visible at once, in network order from input side to output side.
    Only the leftmost heatmap carries the row-axis label (shared, as in small
    multiples); each one keeps its own colour bar, since layers differ in scale.

    Parameters
    ----------
    kind : {'activations', 'deltas'}
        'activations': sequential colours, levels (0, 1) when all values lie in
        [0, 1] else the data range; rows "sample", columns "neuron".
        'deltas': diverging colours symmetric around 0; rows
        "from neuron (fan-in)", columns "to neuron (fan-out)".
    heading : str, optional
        Text above the heatmaps. Default: "Neuron activations — current batch"
        or "Weight deltas of the last update", by kind.
    object_name : str, optional
        If given, set as the Qt object name (the main window passes
        "activationHeatmap" / "weightDeltaHeatmap"); otherwise the name is left
        empty for the caller to set.
    parent : QWidget, optional
        Parent widget.

    Signals
    -------
    None.

    Attributes
    ----------
    heading_label : QLabel
        The heading.
    empty_message : QLabel
        Shown while there are no layers.
    """

    #: kind -> (heatmap mode, row label, column label, default heading)
    KINDS: dict[str, tuple[str, str, str, str]] = {
        "activations": ("sequential", "sample", "neuron", "Neuron activations \u2014 current batch"),
        "deltas": (
            "diverging",
            "from neuron (fan-in)",
            "to neuron (fan-out)",
            "Weight deltas of the last update",
        ),
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

        # One white card: heatmaps, heading and read-outs share the plot background.
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.white)
        self.setPalette(palette)

        self.heading_label = QLabel(default_heading if heading is None else heading, self)
        heading_font = QFont(self.font())
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() + 1.0)
        self.heading_label.setFont(heading_font)
        self.heading_label.setStyleSheet(f"color: {TEXT_COLOR};")

        noun = {"activations": "activations", "deltas": "weight deltas", "backprop": "deltas"}[kind]
        self.empty_message = QLabel(f"No layers yet \u2014 build a network to see its {noun}.", self)
        self.empty_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_message.setStyleSheet(f"color: {MUTED_TEXT_COLOR};")

        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(8)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(4)
        layout.addWidget(self.heading_label)
        layout.addWidget(self.empty_message, 1)
        layout.addLayout(self._row, 1)

    @property
    def kind(self) -> str:
        """'activations' or 'deltas'."""
        return self._kind

    @property
    def heatmaps(self) -> tuple[Heatmap, ...]:
        """The current per-layer heatmaps, left to right."""
        return tuple(self._heatmaps)

    def set_heading(self, text: str) -> None:
        """Replace the heading text."""
        self.heading_label.setText(text)

    def set_matrices(self, matrices: Sequence[np.ndarray], titles: Sequence[str]) -> None:
        """Show one matrix per layer.

        Existing heatmaps are reused when the layer count is unchanged, so this
        is cheap enough to call on every redraw; a different count rebuilds them.

        Parameters
        ----------
        matrices : sequence of numpy.ndarray
            One 2-D matrix per layer (activations: samples x neurons; deltas:
            fan-in x fan-out).
        titles : sequence of str
            One title per matrix, e.g. ``"layer 1 (4 neurons)"``.

        Raises
        ------
        ValueError
            If the two sequences differ in length.
        """
        if len(matrices) != len(titles):
            raise ValueError(f"{len(matrices)} matrices but {len(titles)} titles")
        if len(matrices) != len(self._heatmaps):
            self._rebuild(len(matrices))
        for index, (heatmap, matrix, title) in enumerate(zip(self._heatmaps, matrices, titles)):
            with np.errstate(over="ignore"):  # Heatmap masks the resulting inf
                data = np.asarray(matrix, dtype=np.float32)
            # Rows mean the same in every layer: one shared row label on the left,
            # as in small multiples, leaves the narrow heatmaps their width.
            heatmap.set_labels(title, self._row_label if index == 0 else "", self._col_label)
            heatmap.set_matrix(data, self._levels_for(data))

    def clear(self) -> None:
        """Remove all heatmaps and show the empty-state message."""
        self._rebuild(0)

    # ------------------------------------------------------------------ internals
    def _levels_for(self, data: np.ndarray) -> tuple[float, float] | None:
        """Fixed (0, 1) for activations in the unit interval, so colours mean the same every frame."""
        if self._kind != "activations" or data.size == 0:
            return None
        finite = data[np.isfinite(data)]
        if finite.size and finite.min() >= 0.0 and finite.max() <= 1.0:
            return (0.0, 1.0)
        return None

    def _rebuild(self, count: int) -> None:
        for heatmap in self._heatmaps:
            self._row.removeWidget(heatmap)
            heatmap.hide()
            heatmap.deleteLater()
        self._heatmaps = [
            Heatmap(self._mode, "", self._row_label, self._col_label, parent=self) for _ in range(count)
        ]
        for heatmap in self._heatmaps:
            self._row.addWidget(heatmap, 1)
        self.empty_message.setVisible(count == 0)
