"""Gradient norm of every weight layer against training cycle.

On a log axis the curves show at a glance whether the layers learn at similar
speeds: in a deep sigmoid network the layers near the input get gradients
decades smaller than those near the output (vanishing gradients), and the
curves fall apart accordingly.

Like :class:`~nnstudio.ui.plotting.loss_plot.LossPlot` the widget only draws what it is
given (the whole history, possibly every 20-50 ms) and reuses its plot items; both are
cycle plots (:mod:`nnstudio.ui.plotting.cycle_plot`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from nnstudio.ui.plotting.colormaps import TEXT_COLOR, layer_colors
from nnstudio.ui.plotting.cycle_plot import (
    HOVER_HINT,
    SMOOTH_POINTS,
    LogScaleSwitch,
    ShortHistoryView,
    cycle_plot_widget,
    readout_label,
    readout_text,
)
from nnstudio.ui.plotting.cycle_series import EMPTY, nearest_index, value_at
from nnstudio.ui.plotting.hover import HoverCursor, PlotHover, view_x
from nnstudio.ui.plotting.numbers import MISSING, format_value
from nnstudio.ui.plotting.panel_heading import panel_heading

__all__ = ["GradientNormPlot", "TITLE"]

#: The panel's heading.
TITLE = "Gradient norm of each layer"

#: Legend entries per row (above the plot); deeper networks wrap to more rows.
_LEGEND_COLUMNS = 4


class GradientNormPlot(LogScaleSwitch, QWidget):
    """‖∂L/∂W‖ of each weight layer versus cycle, log-scale y by default; object name ``"gradientNormPlot"``.

    The log-scale state is read with :meth:`is_log_scale`.

    Attributes
    ----------
    plot : pyqtgraph.PlotWidget
        The plot (x "cycle", y "‖∂L/∂W‖"), object name ``"gradientNormPlotView"``.
    curves : list of pyqtgraph.PlotDataItem
        One curve per weight layer, named in the legend after ``layer_names``.
    legend : pyqtgraph.LegendItem
        Above the data area (in the plot's title row), as many entries per row as fit.
    log_checkbox : QCheckBox
        "Log scale" toggle, object name ``"gradientNormLogCheck"``, checked by default.
    heading : QLabel
        What the panel shows (:data:`TITLE`), object name ``"gradientNormHeading"``; the log switch beside it.
    readout : QLabel
        Hover read-out under the plot, e.g. ``"cycle 120 · W0 3.210e-06 · W1 0.0123"``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientNormPlot")
        self._cycles: np.ndarray = EMPTY  # every finite cycle, for the hover look-up
        self._raw: np.ndarray = np.empty((0, 0))  # (L, n): one contiguous row per layer, finite cycles only
        self._colors: list[str] = []  # one colour per curve
        self._smooth: bool | None = None  # pen style the curves have: smooth (short data) or fast
        self._series: list[tuple[np.ndarray, np.ndarray]] = []  # drawn (x, y) per layer
        self._names: list[str] = []
        self._hover: object | None = None
        self.curves: list[pg.PlotDataItem] = []

        self.plot = cycle_plot_widget("gradientNormPlotView", "\u2016\u2202L/\u2202W\u2016", self)
        self.legend = self._make_legend()
        self._cursor = HoverCursor(self.plot, [])

        self._add_log_checkbox(self.plot, "gradientNormLogCheck",
                               "Logarithmic axis: layers whose gradients differ by decades stay readable", checked=True)
        self.readout = readout_label(self, "gradientNormReadout")

        # The tab's label is short on a narrow window ("Norms"): the heading says what is drawn.
        self.heading = panel_heading(TITLE, self, "gradientNormHeading")
        header = QHBoxLayout()
        header.setContentsMargins(8, 6, 4, 0)
        header.addWidget(self.heading, 1)
        header.addWidget(self.log_checkbox)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.readout)  # the whole width: the log switch sits by the heading

        self.plot.getPlotItem().setLogMode(x=False, y=True)
        self._pin = ShortHistoryView(self.plot)
        self._reset_range()
        self._mouse = PlotHover(self.plot, self._on_mouse_moved, self._reset_hover)

    # ------------------------------------------------------------------ public API
    def set_norms(self, cycles: np.ndarray, norms: np.ndarray, layer_names: Sequence[str]) -> None:
        """Show the gradient norms recorded so far.

        Parameters
        ----------
        cycles : numpy.ndarray, shape (n,)
            Increasing cycle numbers (clip-to-view and the hover rely on the order).
        norms : numpy.ndarray, shape (n, L)
            ``norms[k, l]`` is ‖∂L/∂W_l‖ at ``cycles[k]``. Non-finite values are
            dropped; on the log scale non-positive ones are dropped too.
        layer_names : sequence of str, length L
            Legend entries, e.g. ``"W0 (2→4)"``.

        Raises
        ------
        ValueError
            If the shapes do not agree.
        """
        cycles = np.asarray(cycles, dtype=np.float64).ravel()
        norms = np.asarray(norms, dtype=np.float64)
        names = [str(name) for name in layer_names]
        if norms.ndim != 2 or norms.shape != (cycles.size, len(names)):
            raise ValueError(
                f"norms must have shape (len(cycles), len(layer_names)) = ({cycles.size}, {len(names)}), "
                f"got {norms.shape}"
            )
        keep = np.isfinite(cycles)
        if not keep.all():
            cycles, norms = cycles[keep], norms[keep]
        if (names == self._names and np.array_equal(cycles, self._cycles)
                and np.array_equal(norms.T, self._raw, equal_nan=True)):
            return  # nothing new (paused, or scrubbing the past): the curves stand
        # one contiguous row per layer: filtering and handing over a strided column costs more
        self._cycles, self._raw = cycles, np.ascontiguousarray(norms.T)
        if len(names) != len(self.curves):
            self._rebuild(names)
        elif names != self._names:
            for curve, name in zip(self.curves, names):
                self.legend.getLabel(curve).setText(name)
            self._names = names
            self._fit_legend()
        self._redraw()

    def clear(self) -> None:
        """Remove all data, hide the hover marks and resume auto-ranging (a new run starts)."""
        self._cycles, self._raw = EMPTY, np.empty((len(self.curves), 0))
        self._redraw()
        self._reset_hover()
        self._reset_range()

    # ------------------------------------------------------------------ internals
    def _make_legend(self) -> pg.LegendItem:
        """A one-row legend above the data area, where the title would go.

        Inside the view (as on the loss plot) it would hide data: curves decades
        apart fill the log axis from top to bottom, corners included.
        """
        item = self.plot.getPlotItem()
        legend = pg.LegendItem(
            colCount=_LEGEND_COLUMNS, labelTextColor=TEXT_COLOR, horSpacing=14, verSpacing=-6,
            labelTextSize=f"{max(8.0, self.font().pointSizeF() - 0.5):.1f}pt",
        )
        # Row 0 is the title row, unused here (zero height): the legend takes its place.
        item.layout.removeItem(item.titleLabel)
        item.titleLabel.hide()
        item.layout.addItem(legend, 0, 1, Qt.AlignmentFlag.AlignHCenter)
        item.layout.setRowMinimumHeight(0, 0)
        item.layout.setRowMaximumHeight(0, 1e6)
        return legend

    def _fit_legend(self) -> None:
        """As many entries per row as fit the width, at the legend's natural (centred) width.

        A fixed four columns would make the plot's minimum width that of the row
        and push the plot off a narrow widget; stretched to the full width the
        entries would drift apart.
        """
        hint = Qt.SizeHint.PreferredSize
        layout = self.legend.layout
        entries = [
            sample.effectiveSizeHint(hint).width() + label.effectiveSizeHint(hint).width()
            + 2 * layout.horizontalSpacing()
            for sample, label in self.legend.items
        ]
        if entries:
            fits = int((self.width() - 80) // max(entries))  # 80: the left axis and margins
            columns = max(1, min(len(entries), _LEGEND_COLUMNS, fits))
            if columns != self.legend.columnCount:
                self.legend.setColumnCount(columns)
        self.legend.setMaximumSize(layout.effectiveSizeHint(hint))

    def resizeEvent(self, event) -> None:
        """Re-flow the legend for the new width."""
        super().resizeEvent(event)
        self._fit_legend()

    def _rebuild(self, names: list[str]) -> None:
        """Replace the curves (and the hover markers, one per curve) for a new layer count."""
        item = self.plot.getPlotItem()
        for curve in self.curves:
            self.legend.removeItem(curve)
            item.removeItem(curve)
        self._cursor.remove_from(self.plot)
        colors = layer_colors(len(names))
        self.curves = [item.plot() for _ in colors]
        self._colors, self._smooth = colors, None  # pens are set by _redraw
        for curve, name in zip(self.curves, names):
            self.legend.addItem(curve, name)
        self._cursor = HoverCursor(self.plot, colors)
        self._names = names
        self._fit_legend()
        self._hover = None

    def _redraw(self) -> None:
        """Filter the stored norms for the current scale and hand them to the curves."""
        log = self.is_log_scale()
        self._series = []
        smooth = self._cycles.size < SMOOTH_POINTS
        if smooth != self._smooth:
            # Short: smooth, slightly bold lines. Long: 1-px aliased lines, Qt's fast path
            # (a wider pen tripled the paint time of a million-cycle history).
            self._smooth = smooth
            for curve, color in zip(self.curves, self._colors):
                curve.setPen(pg.mkPen(color, width=1.6 if smooth else 1))
        for layer, curve in enumerate(self.curves):
            y = self._raw[layer]
            # y > 0 also rejects NaN; y < inf rejects the rest of the non-finite
            keep = (y > 0) & (y < np.inf) if log else np.isfinite(y)
            # the common case keeps everything: no copy of a long history
            xy = (self._cycles, y) if keep.all() else (self._cycles[keep], y[keep])
            self._series.append(xy)
            curve.setData(*xy, antialias=smooth)
        self._pin.update([x for x, _ in self._series], [y for _, y in self._series])
        if self._hover is not None:
            self._on_mouse_moved(self._hover)
        if self.plot.isVisible():
            # settle pyqtgraph's lazy auto-range now, so new data costs one repaint, not two
            self.plot.scene().prepareForPaint()

    def _reset_range(self) -> None:
        """Start over: cycles from 0 (see ``ShortHistoryView``) until the history is long enough."""
        self._pin.restart([x for x, _ in self._series], [y for _, y in self._series])

    def _apply_log_scale(self, enabled: bool) -> None:
        self.plot.getPlotItem().setLogMode(x=False, y=enabled)
        self._redraw()  # zeros are drawn on the linear axis only; a pinned range follows the scale

    def _sync_log_checkbox(self, enabled: bool) -> None:
        if enabled != self.log_checkbox.isChecked():
            with QSignalBlocker(self.log_checkbox):
                self.log_checkbox.setChecked(enabled)
            self._redraw()

    def _reset_hover(self) -> None:
        self._hover = None
        self._cursor.hide()
        self.readout.setText(HOVER_HINT)

    def _on_mouse_moved(self, event: object) -> None:
        """Show every layer's norm at the recorded cycle nearest the pointer.

        Parameters
        ----------
        event : tuple of QPointF or QPointF
            Scene position, as delivered by :class:`pyqtgraph.SignalProxy`.
        """
        x = view_x(self.plot, event)
        if self._cycles.size == 0 or x is None:
            self._reset_hover()
            return
        cycle = float(self._cycles[nearest_index(self._cycles, x)])
        values = [value_at(xs, ys, cycle) for xs, ys in self._series]
        # "W0 (2→4)" is long for a read-out line; its first word names the layer
        fields = [(name.split(" ")[0], MISSING if value is None else format_value(value))
                  for name, value in zip(self._names, values)]
        self.readout.setText(readout_text(cycle, fields))
        self._cursor.show(cycle, values)
        self._hover = event
