"""Matrix heatmaps: one matrix per :class:`Heatmap`, one heatmap per layer in :class:`LayerHeatmaps`.

Used for the last batch's activations and deltas δ (samples × neurons) and for
the weight updates ΔW (from neuron × to neuron). Every heatmap uses the window's
one diverging scale (:mod:`nnstudio.ui.plotting.colormaps`): activations centred on their
activation's midpoint (0.5 for sigmoid), δ and ΔW on zero. A layer the current
phase has not computed yet is hatched grey with a note, never a colour that
would read as a value. Rows, neurons and samples are numbered from 1. Widgets
take plain numpy arrays (or a whole snapshot) and reuse their plot items.
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QGraphicsRectItem, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.learning.cycle_progress import snapshot_progress
from nnstudio.ui.plotting.colormaps import (
    AXIS_COLOR,
    BACKGROUND,
    MUTED_TEXT_COLOR,
    PENDING_FILL,
    PENDING_HATCH,
    TEXT_COLOR,
    activation_levels,
    colormap_for_mode,
    format_short,
    format_value,
    symmetric_levels,
)

__all__ = ["Heatmap", "LayerHeatmaps", "auto_levels", "layer_title", "EPSILON", "NOT_COMPUTED"]

#: Half-width of the level range when the data has no spread; levels are never (v, v).
EPSILON = 1e-12
#: Largest magnitude drawn; beyond it a cell shows the extreme colour.
VALUE_LIMIT = 1e37
#: Hover read-outs update at most this often (Hz).
HOVER_RATE_LIMIT = 30
#: The note under a layer the current phase has not reached.
NOT_COMPUTED = "not computed yet"
#: Colour bars narrower than this label only their two ends.
_BAR_THREE_LABELS_PX = 110

_MODES = ("sequential", "diverging")


def auto_levels(matrix: np.ndarray, mode: str) -> tuple[float, float]:
    """Colour levels for ``matrix`` when the caller gives none.

    Parameters
    ----------
    matrix : numpy.ndarray
        Data; non-finite values are ignored.
    mode : {'sequential', 'diverging'}
        'sequential' spans the data range (the colour scale's centre is its middle);
        'diverging' is symmetric, ``(-max|m|, +max|m|)``, so zero is always the white centre.

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


def _bar_label(value: float, signed: bool = False) -> str:
    """A colour-bar label: :func:`format_short` without trailing zeros ("1", "0.5", "-0.02")."""
    text = format_short(value, signed=signed)
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "+0") else text


def layer_title(layer: int, n_layers: int) -> str:
    """The canvas's name of the column weight layer ``layer`` feeds: "Hidden 1", ..., "Output".

    A no-break space keeps "Hidden 1" on one line when a narrow title wraps.
    """
    return "Output" if layer == n_layers - 1 else f"Hidden\u00a0{layer + 1}"


class _IndexAxis(pg.AxisItem):
    """Axis labelled with 1-based cell numbers at cell centres (people count from 1).

    The step (1, 2, 5, 10, 20, ...) is chosen at paint time from the axis length,
    so a 4-neuron layer shows every number and a 256-neuron layer stays legible;
    with a step above 1 the multiples of the step are labelled (and, from a step
    of 5, the first cell too, so the axis visibly starts at 1).

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
        """One tick level at ``i + 0.5`` for the cells numbered 1 and every ``step``-th number."""
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
        cells = [i for i in range(first, last + 1) if (i + 1) % step == 0]
        if step >= 5 and first == 0 and (not cells or cells[0] != 0):
            cells.insert(0, 0)  # number 1 starts the axis...
            if len(cells) > 1 and (cells[1] - cells[0]) * px_per_cell < self._min_pixels:
                del cells[1]  # ...unless the first multiple would crowd it
        return [(float(step), [i + 0.5 for i in cells])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph API)
        """The 1-based number of the cell under each tick."""
        return [str(int(round(v - 0.5)) + 1) for v in values]


class Heatmap(QWidget):
    """One matrix as a coloured grid with a title, a colour bar, axis numbers and a hover read-out.

    Row ``i`` of the matrix is drawn as the ``i``-th row from the top and column
    ``j`` as the ``j``-th column from the left; the axes and the read-out number
    them from 1 (``"sample 3, neuron 2: 0.8123"``). Under the plot a line shows
    the matrix shape, replaced by the hovered cell while hovering.
    The colour bar lies under the image, so narrow heatmaps side by side keep
    their width for the cells.

    Parameters
    ----------
    mode : {'sequential', 'diverging'}, optional
        Both use the one diverging scale. 'sequential': auto levels span the data
        range, centred on its middle; 'diverging': symmetric around zero.
    title, row_label, col_label : str, optional
        Title and axis labels; the labels also name rows and columns in the read-out.
    parent : QWidget, optional
        Parent widget.

    Attributes
    ----------
    title_label : QLabel
        The title, word-wrapped above the plot (never clipped).
    graphics : pyqtgraph.GraphicsLayoutWidget
        The drawing surface.
    plot_item : pyqtgraph.PlotItem
        Holds the image and axes; y is inverted so row 0 is on top.
    image_item : pyqtgraph.ImageItem
        Row-major image of the float32 matrix with a 256-entry uint8 LUT.
    color_bar : pyqtgraph.ColorBarItem
        Non-interactive horizontal colour bar under the plot, its ends and centre labelled.
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
        self._labels: tuple[str, str, str] | None = None
        self._nouns = (row_label or "row", col_label or "column")
        self._note: str | None = None
        self._bar_ticks_for: tuple | None = None
        self._row_numbers = True
        self._note_in_readout = False

        self.title_label = QLabel(self)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)  # a title may hold a user's names
        self.title_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        title_font = QFont(self.font())
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setStyleSheet(f"color: {TEXT_COLOR};")

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(BACKGROUND)
        self.graphics.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        # heatmaps side by side share the width equally, whatever their titles and numbers
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._row_axis = _IndexAxis("left")
        self._col_axis = _IndexAxis("bottom")
        self.plot_item: pg.PlotItem = self.graphics.addPlot(
            axisItems={"left": self._row_axis, "bottom": self._col_axis}
        )
        self._style_plot()

        # row-major: matrix[i, j] is pixel (x=j, y=i), so no transpose copy per update.
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.plot_item.addItem(self.image_item)

        # Hatched panel shown instead of the cells while the layer is not computed yet.
        self._pending_box = QGraphicsRectItem(0.0, 0.0, 1.0, 1.0)
        self._pending_box.setPen(pg.mkPen(None))
        self._pending_box.setBrush(QBrush(QColor(PENDING_HATCH), Qt.BrushStyle.BDiagPattern))
        self._pending_box.setZValue(5)
        self._pending_box.hide()
        self.plot_item.addItem(self._pending_box, ignoreBounds=True)
        self._pending_text = pg.TextItem(anchor=(0.5, 0.5), color=MUTED_TEXT_COLOR, fill=pg.mkBrush(255, 255, 255, 225))
        self._pending_text.setZValue(6)
        self._pending_text.hide()
        self.plot_item.addItem(self._pending_text, ignoreBounds=True)
        self.plot_item.getViewBox().sigResized.connect(self._fit_pending_text)

        self.color_bar = pg.ColorBarItem(
            values=self._levels,
            colorMap=colormap_for_mode(mode),
            width=9,
            interactive=False,
            colorMapMenu=False,
            orientation="horizontal",
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
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.title_label)
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
        # A frame, so cells at the white centre of the scale still show where the matrix ends.
        view.setBorder(pg.mkPen("#c4c9d0", width=1))
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
            axis.setStyle(tickLength=-4, autoExpandTextSpace=True)

    def _style_color_bar(self) -> None:
        bar = self.color_bar
        for side in ("left", "right", "top", "bottom"):
            bar.getAxis(side).setPen(pg.mkPen(AXIS_COLOR))
        bar.axis.setTextPen(pg.mkPen(TEXT_COLOR))
        bar.axis.setTickFont(self._tick_font)
        # the end labels reach past the bar by half their width, which the default would hide
        bar.axis.setStyle(tickLength=-3, tickTextOffset=2, hideOverlappingLabels=40)
        bar.axis.setHeight(18)
        bar.getAxis("top").setHeight(1)

    # ------------------------------------------------------------------ public API
    @property
    def mode(self) -> str:
        """Current mode, 'sequential' or 'diverging'."""
        return self._mode

    def set_mode(self, mode: str) -> None:
        """Switch between data-range ('sequential') and zero-centred ('diverging') auto levels.

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
            Shown above the plot, e.g. ``"Hidden 1 (4)"``; wraps when narrow.
        row_label, col_label : str
            Left (rows) and bottom (columns) axis labels; ``""`` hides the label.
        """
        labels = (title, row_label, col_label)
        if labels == self._labels:  # labels change layout; skip the work on every frame
            return
        self._labels = labels
        self.title_label.setText(title)
        self.title_label.setVisible(bool(title))
        label_style = {"color": TEXT_COLOR, "font-size": f"{self._tick_font.pointSizeF() + 0.5:.0f}pt"}
        # An empty label hides the label row entirely, giving the image the space.
        for side, text in (("left", row_label), ("bottom", col_label)):
            if text:
                self.plot_item.setLabel(side, text, **label_style)
            else:
                self.plot_item.getAxis(side).showLabel(False)

    def title(self) -> str:
        """The title shown above the plot."""
        return self.title_label.text()

    def set_row_numbers_visible(self, visible: bool) -> None:
        """Show or hide the row numbers (heatmaps side by side with the same rows need them once)."""
        self._row_numbers = visible
        self._row_axis.setStyle(showValues=visible)
        self._bar_ticks_for = None
        self._update_bar_ticks()

    def set_matrix(self, matrix: np.ndarray, levels: tuple[float, float] | None = None,
                   note: str | None = None) -> None:
        """Show ``matrix``.

        Parameters
        ----------
        matrix : numpy.ndarray
            ``(rows, cols)`` values (1-D is shown as one row). Non-finite cells
            are drawn transparent and ignored for auto levels. An empty matrix
            blanks the image.
        levels : tuple of float, optional
            ``(low, high)`` colour range: low full orange, their middle white, high
            full blue. Default: :func:`auto_levels` for the mode.
        note : str, optional
            The values are not computed yet (``NOT_COMPUTED``, say): the cells are
            hatched grey instead of coloured, with the note over them.

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
        if levels is None:
            levels = auto_levels(data, self._mode)
        low, high = (min(max(float(v), -VALUE_LIMIT), VALUE_LIMIT) for v in levels)
        if not high > low:
            centre = (low + high) / 2.0 if math.isfinite(low + high) else 0.0
            low, high = centre - EPSILON, centre + EPSILON
        if (data.size and note == self._note and (low, high) == self._levels and data.shape == self._matrix.shape
                and np.array_equal(data, self._matrix, equal_nan=True)):
            return  # the picture shown already (paused, or the same cycle again): nothing to redraw
        shape_changed = data.shape != self._matrix.shape
        self._matrix = data
        self._note = note
        self._levels = (low, high)

        view = self.plot_item.getViewBox()
        if data.size == 0 or note is not None:
            self.image_item.clear()
        else:
            self.image_item.setImage(data, autoLevels=False, levels=self._levels)
        pending = note is not None and data.size > 0
        self._pending_box.setRect(0.0, 0.0, float(data.shape[1]), float(data.shape[0]))
        self._pending_box.setVisible(pending)
        self._pending_text.setPos(data.shape[1] / 2.0, data.shape[0] / 2.0)
        self._fit_pending_text()
        view.setBackgroundColor(PENDING_FILL if pending else None)
        self.color_bar.setLevels(self._levels)
        self._update_bar_ticks()
        if shape_changed:
            self._update_geometry()
        self._hover_box.hide()
        self.readout.setText(self._resting_text())

    def matrix(self) -> np.ndarray:
        """Return the displayed float32 matrix (non-finite values replaced by NaN)."""
        return self._matrix

    def levels(self) -> tuple[float, float]:
        """Return the colour levels in use, ``(low, high)``."""
        return self._levels

    def note(self) -> str | None:
        """The note shown instead of values (None while values are shown)."""
        return self._note

    def is_pending(self) -> bool:
        """Whether the cells are drawn as "not computed yet"."""
        return self._note is not None

    # ------------------------------------------------------------------ internals
    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._update_bar_ticks()

    def _fit_pending_text(self, *_: object) -> None:
        """Wrap the note to the width of the cells; a narrow heatmap says only "not yet"."""
        width = self.plot_item.getViewBox().width()
        note = self._note or ""
        if width < 100 and note == NOT_COMPUTED:
            note = "not yet"
        self._pending_text.setHtml(f"<div style='text-align:center'>{html.escape(note)}</div>")
        self._pending_text.setTextWidth(max(30.0, min(width - 6.0, 220.0)))
        # too narrow for the note over the cells: the read-out line says it instead
        self._note_in_readout = self._note is not None and width < 48
        self._pending_text.setVisible(self._note is not None and self._matrix.size > 0 and not self._note_in_readout)
        if not self._hover_box.isVisible():
            self.readout.setText(self._resting_text())

    def _update_bar_ticks(self) -> None:
        """Label the bar's two ends, and its centre when there is room.

        A zero-centred bar too narrow for three labels says "±0.023" at its centre. A
        degenerate (epsilon-wide) bar, as an all-zero update gives, shows its centre
        only: "-1e-12 ... 1e-12" would be noise next to a plain white image.
        """
        low, high = self._levels
        centre = (low + high) / 2.0
        degenerate = high - low <= 4.0 * max(EPSILON, abs(centre) * 1e-6)
        wide = self.width() >= _BAR_THREE_LABELS_PX
        key = (low, high, degenerate, wide, self._note is None)
        if key == self._bar_ticks_for:
            return
        self._bar_ticks_for = key
        # A wide bar's end labels reach past it by half their width: margins make room.
        self.graphics.ci.layout.setContentsMargins(2, 0, 20 if wide else 4, 2)
        if not self._row_numbers:
            self._row_axis.setWidth(16 if wide else 4)
        if self._note is not None:
            ticks = []  # no values yet: a scale would label nothing
        elif degenerate:
            ticks = [(centre, _bar_label(centre))]
        elif wide:
            signed = low < 0 < high
            ticks = [(low, _bar_label(low)), (centre, _bar_label(centre)), (high, _bar_label(high, signed=signed))]
        elif math.isclose(low, -high):
            ticks = [(centre, f"\u00b1{_bar_label(high)}")]
        else:
            ticks = [(low, _bar_label(low)), (high, _bar_label(high))]
        self.color_bar.axis.setTicks([ticks])

    def _shape_text(self) -> str:
        rows, cols = self._matrix.shape
        return "empty" if self._matrix.size == 0 else f"{rows} \u00d7 {cols}"

    def _resting_text(self) -> str:
        return "not yet" if self._note is not None and self._note_in_readout else self._shape_text()

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
        if self._matrix.size and self._note is None and view.sceneBoundingRect().contains(pos):
            point = view.mapSceneToView(pos)
            row, col = math.floor(point.y()), math.floor(point.x())
            if 0 <= row < rows and 0 <= col < cols:
                value = float(self._matrix[row, col])
                text = format_value(value, signed=self._mode == "diverging")
                if not math.isfinite(value):
                    text = "n/a"
                row_noun, col_noun = self._nouns
                self.readout.setText(f"{row_noun} {row + 1}, {col_noun} {col + 1}: {text}")
                self._hover_box.setPos(col, row)
                self._hover_box.show()
                return
        self._hover_box.hide()
        self.readout.setText(self._resting_text())

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """Drop the hover read-out when the pointer leaves the widget."""
        self._proxy.flush()  # a queued move must not re-show the read-out afterwards
        self._hover_box.hide()
        self.readout.setText(self._resting_text())
        super().leaveEvent(event)


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

        self.heading_label = QLabel(default_heading if heading is None else heading, self)
        heading_font = QFont(self.font())
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() + 1.0)
        self.heading_label.setFont(heading_font)
        self.heading_label.setWordWrap(True)
        self.heading_label.setTextFormat(Qt.TextFormat.PlainText)
        self.heading_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.heading_label.setStyleSheet(f"color: {TEXT_COLOR};")

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
            when = "of the last cycle" if not stepping else "of the previous cycle (this one's comes at its update phase)"
            self.set_heading(f"Weight updates Δw {when} (from neuron × to neuron)")
            self.set_matrices(
                s.weight_updates, [f"into {layer_title(l, n_layers)}" for l in range(n_layers)],
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
        titles = [f"{layer_title(l, n_layers)} ({sizes[l + 1]})" for l in range(n_layers)]
        if self._kind == "activations":
            rows = s.batch_activations[0].shape[0]
            self.set_heading(f"Activations of {batch_words} ({rows} samples × neurons)")
            self.set_matrices(
                s.batch_activations, titles,
                levels=[activation_levels(a, m) for a, m in zip(activations, s.batch_activations)],
                pending=[not progress.activation_ready(l) for l in range(n_layers)],
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
            pending=[not progress.delta_ready(l) for l in range(n_layers)],
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
