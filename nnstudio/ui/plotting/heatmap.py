"""One matrix as a coloured grid: :class:`Heatmap`, with its title, colour bar, cell numbers and hover read-out.

Used for the last batch's activations and deltas δ (samples × neurons) and for the
weight updates ΔW (from neuron × to neuron), one per layer in
:class:`~nnstudio.ui.plotting.layer_heatmaps.LayerHeatmaps`. Every heatmap uses the
window's one diverging scale (:mod:`nnstudio.ui.plotting.colormaps`). A layer the
current phase has not computed yet is hatched grey with a note, never a colour that
would read as a value. Rows and columns are numbered from 1.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsRectItem, QLabel, QSizePolicy, QVBoxLayout, QWidget

from nnstudio.ui.plotting.axis_style import axis_label_style, style_axes, tick_font
from nnstudio.ui.plotting.colormaps import (
    BACKGROUND,
    FRAME_COLOR,
    MUTED_TEXT_COLOR,
    PENDING_FILL,
    TEXT_COLOR,
    colormap_for_mode,
)
from nnstudio.ui.plotting.heatmap_items import IndexAxis, PendingCover, style_color_bar
from nnstudio.ui.plotting.heatmap_levels import MODES, bar_ticks, drawable_matrix, safe_levels
from nnstudio.ui.plotting.hover import HOVER_RATE_LIMIT, scene_point
from nnstudio.ui.plotting.numbers import format_value

__all__ = ["Heatmap"]

#: Colour bars narrower than this label only their two ends.
_BAR_THREE_LABELS_PX = 110


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown heatmap mode {mode!r}; expected one of {MODES}")


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
        _check_mode(mode)
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
        self._row_axis = IndexAxis("left")
        self._col_axis = IndexAxis("bottom")
        self.plot_item: pg.PlotItem = self.graphics.addPlot(
            axisItems={"left": self._row_axis, "bottom": self._col_axis}
        )
        self._style_plot()

        # row-major: matrix[i, j] is pixel (x=j, y=i), so no transpose copy per update.
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.plot_item.addItem(self.image_item)

        # Hatched panel shown instead of the cells while the layer is not computed yet.
        self._cover = PendingCover(self.plot_item)
        self.plot_item.getViewBox().sigResized.connect(self._fit_pending_text)

        self.color_bar = pg.ColorBarItem(
            values=self._levels,
            colorMap=colormap_for_mode(mode),
            width=9,
            interactive=False,
            colorMapMenu=False,
            orientation="horizontal",
        )
        style_color_bar(self.color_bar, self._tick_font)
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
        view.setBorder(pg.mkPen(FRAME_COLOR, width=1))
        # A heatmap is a picture of a matrix, not a chart to explore: no pan/zoom to get lost in.
        view.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        self._tick_font = tick_font(self.font(), smaller_by=1.5, at_least=7.5)
        for axis in style_axes(item, font=self._tick_font):
            axis.setStyle(tickLength=-4, autoExpandTextSpace=True)

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
        _check_mode(mode)
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
        label_style = axis_label_style(self._tick_font, larger_by=0.5)
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
            full blue. Default: :func:`~nnstudio.ui.plotting.heatmap_levels.auto_levels` for the mode.
        note : str, optional
            The values are not computed yet (``NOT_COMPUTED``, say): the cells are
            hatched grey instead of coloured, with the note over them.

        Raises
        ------
        ValueError
            If ``matrix`` has more than 2 dimensions.
        """
        data = drawable_matrix(matrix)
        low, high = safe_levels(levels, data, self._mode)
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
        self._cover.cover(*data.shape, pending)
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
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_bar_ticks()

    def _fit_pending_text(self, *_: object) -> None:
        """Wrap the note to the width of the cells; when too narrow the read-out line says it instead."""
        width = self.plot_item.getViewBox().width()
        self._note_in_readout = not self._cover.fit_note(self._note, width, self._matrix.size > 0)
        if not self._hover_box.isVisible():
            self.readout.setText(self._resting_text())

    def _update_bar_ticks(self) -> None:
        """Label the bar (see :func:`~nnstudio.ui.plotting.heatmap_levels.bar_ticks`) for its levels and width."""
        low, high = self._levels
        wide = self.width() >= _BAR_THREE_LABELS_PX
        key = (low, high, wide, self._note is None)
        if key == self._bar_ticks_for:
            return
        self._bar_ticks_for = key
        # A wide bar's end labels reach past it by half their width: margins make room.
        self.graphics.ci.layout.setContentsMargins(2, 0, 20 if wide else 4, 2)
        if not self._row_numbers:
            self._row_axis.setWidth(16 if wide else 4)
        self.color_bar.axis.setTicks([bar_ticks(low, high, wide, has_values=self._note is None)])

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
        pos = scene_point(event)
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

    def leaveEvent(self, event) -> None:
        """Drop the hover read-out when the pointer leaves the widget."""
        self._proxy.flush()  # a queued move must not re-show the read-out afterwards
        self._hover_box.hide()
        self.readout.setText(self._resting_text())
        super().leaveEvent(event)
