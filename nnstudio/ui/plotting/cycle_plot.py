"""What the loss and gradient-norm plots share: a styled plot over cycles, thin curves, a pinned short-history view.

Cycles are whole numbers, so the cycle axis only ever has whole-number ticks, and
until a history spans :data:`~nnstudio.ui.plotting.cycle_series.MIN_CYCLE_SPAN` cycles
the view is pinned to start at cycle 0 (and the loss at 0): one point at cycle 0 would
otherwise get an axis from -40 to 40 and a loss axis four decimals wide.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from nnstudio.ui.plotting.axis_style import axis_label_style, style_axes, tick_font
from nnstudio.ui.plotting.colormaps import AXIS_COLOR, BACKGROUND, GRID_ALPHA, MUTED_TEXT_COLOR
from nnstudio.ui.plotting.cycle_axes import CycleAxis, DecadeLogAxis
from nnstudio.ui.plotting.cycle_series import MIN_CYCLE_SPAN, short_history_y_range

__all__ = [
    "HOVER_HINT",
    "LogScaleSwitch",
    "SMOOTH_POINTS",
    "SAMPLES_PER_PIXEL",
    "ShortHistoryView",
    "cycle_plot_widget",
    "readout_label",
    "readout_text",
    "style_plot",
    "thin_to_pixels",
]

#: Shown in the read-out line while the mouse is not over a plot.
HOVER_HINT = "Hover over the plot to read the values at a cycle."
#: Separator between read-out fields.
READOUT_SEPARATOR = " \u00b7 "
#: Evaluation curves longer than this are drawn without antialiasing.
SMOOTH_POINTS = 600
#: Long curves are cut down to about this many samples per pixel of width (peak-preserving).
#: pyqtgraph's 5 painted the noisy batch loss as ~10 vertices a pixel: 3× the paint time,
#: and a picture indistinguishable from 2 a pixel.
SAMPLES_PER_PIXEL = 2.0


def style_plot(plot: pg.PlotWidget, x_label: str, y_label: str) -> None:
    """Give a PlotWidget the window's light, boxed chart look."""
    plot.setBackground(BACKGROUND)
    item = plot.getPlotItem()
    ticks = tick_font(plot.font())
    label_style = axis_label_style(ticks)
    grid_alpha = int(round(GRID_ALPHA * 255))
    for axis in style_axes(item, font=ticks):
        # Grid on these two axes only (PlotItem.showGrid would add top/right grids
        # too, drawing every line twice) and for two tick levels: replaying the
        # grid pictures dominated the repaint cost (~20 ms -> ~6 ms per frame).
        axis.setStyle(maxTickLevel=1)
        axis.setGrid(grid_alpha)
        # "loss (x0.001)" reads as a different quantity to a learner: plain numbers.
        axis.enableAutoSIPrefix(False)
    item.getAxis("left").setWidth(56)  # fixed width: the plot does not jitter as tick labels change
    item.setLabel("bottom", x_label, **label_style)
    item.setLabel("left", y_label, **label_style)
    # A frame around the data area reads as a finished chart; a ViewBox border is
    # cheaper than showing value-less top/right axes.
    item.getViewBox().setBorder(pg.mkPen(AXIS_COLOR, width=1))
    item.getViewBox().setDefaultPadding(0.02)
    # Downsampling + clipping keep repaints cheap even after a million cycles;
    # set on the PlotItem so every curve added later inherits them.
    item.setDownsampling(auto=True, mode="peak")
    item.setClipToView(True)


def cycle_plot_widget(
    object_name: str, y_label: str, parent: QWidget | None = None, log_axis: bool = True
) -> pg.PlotWidget:
    """A styled plot over cycles: whole-number cycle ticks, and (``log_axis``) decade labels on a log y axis."""
    axes = (
        {"left": DecadeLogAxis("left"), "bottom": CycleAxis("bottom")} if log_axis else {"bottom": CycleAxis("bottom")}
    )
    plot = pg.PlotWidget(parent, axisItems=axes)
    plot.setObjectName(object_name)
    style_plot(plot, "cycle", y_label)
    return plot


def thin_to_pixels(*curves: pg.PlotDataItem) -> None:
    """Downsample ``curves`` to :data:`SAMPLES_PER_PIXEL` samples a pixel instead of pyqtgraph's 5."""
    for curve in curves:
        curve.opts["autoDownsampleFactor"] = SAMPLES_PER_PIXEL  # no setter: pyqtgraph reads the option


def readout_label(parent: QWidget, object_name: str) -> QLabel:
    """The hover read-out line under a cycle plot, showing :data:`HOVER_HINT` until hovered."""
    label = QLabel(HOVER_HINT, parent)
    label.setObjectName(object_name)
    label.setStyleSheet(f"color: {MUTED_TEXT_COLOR}; padding: 2px 6px;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def readout_text(cycle: float, fields: Sequence[tuple[str, str]]) -> str:
    """The hover read-out line: ``cycle 120 · train 0.1234 · test 0.2345``."""
    return READOUT_SEPARATOR.join([f"cycle {cycle:.0f}", *(f"{label} {value}" for label, value in fields)])


class ShortHistoryView:
    """Pins a plot's view while its history is shorter than ``MIN_CYCLE_SPAN`` cycles.

    x runs from 0 to ``MIN_CYCLE_SPAN``; y as :func:`~nnstudio.ui.plotting.cycle_series.short_history_y_range`
    gives it for the plot's scale, or over ``fixed_y`` (accuracy: 0 to 100 %). Once the
    history is long enough the plot auto-ranges again, from then on as pyqtgraph does
    (a user's zoom stops it).

    Parameters
    ----------
    plot : pyqtgraph.PlotWidget
        The plot to manage.
    fixed_y : tuple of float, optional
        The y range while pinned, instead of one fitted to the values.
    """

    def __init__(self, plot: pg.PlotWidget, fixed_y: tuple[float, float] | None = None) -> None:
        self._view = plot.getPlotItem().getViewBox()
        self._item = plot.getPlotItem()
        self._fixed_y = fixed_y
        self.pinned = False

    def update(self, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> None:
        """Pin or release the view for the series now drawn (finite values only)."""
        last = max((float(x.max()) for x in xs if x.size), default=0.0)
        if last >= MIN_CYCLE_SPAN:
            if self.pinned:
                self.pinned = False
                self._view.enableAutoRange()
            return
        self.pinned = True
        self._view.disableAutoRange()
        y_range = self._fixed_y or short_history_y_range(ys, log=self._item.ctrl.logYCheck.isChecked())
        self._view.setRange(xRange=(0.0, float(MIN_CYCLE_SPAN)), yRange=y_range, padding=0.02)

    def restart(self, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> None:
        """Start over (a new run): pinned from cycle 0 until the history is long enough."""
        self.pinned = False
        self.update(xs, ys)


class LogScaleSwitch:
    """The log-scale state of a cycle plot widget, kept in its ``log_checkbox``.

    The widget applies a new state in its ``_apply_log_scale(enabled)`` and follows the
    plot's context-menu toggle in its ``_sync_log_checkbox(enabled)``.
    """

    log_checkbox: QCheckBox

    def _add_log_checkbox(self, plot: pg.PlotWidget, object_name: str, tooltip: str, checked: bool) -> QCheckBox:
        """Create ``log_checkbox`` for ``plot``, mirrored with the plot's own menu toggle so the two never disagree."""
        self.log_checkbox = QCheckBox("Log scale", self)
        self.log_checkbox.setObjectName(object_name)
        self.log_checkbox.setToolTip(tooltip)
        self.log_checkbox.setChecked(checked)
        self.log_checkbox.toggled.connect(self._apply_log_scale)
        plot.getPlotItem().ctrl.logYCheck.toggled.connect(self._sync_log_checkbox)
        return self.log_checkbox

    def is_log_scale(self) -> bool:
        """Return True when the y axis is logarithmic."""
        return self.log_checkbox.isChecked()

    def set_log_scale(self, enabled: bool) -> None:
        """Switch the y axis to log10 (``True``) or linear (``False``); the check box follows silently."""
        with QSignalBlocker(self.log_checkbox):
            self.log_checkbox.setChecked(bool(enabled))
        self._apply_log_scale(bool(enabled))
