"""Loss and accuracy curves over training cycles.

The widget only draws what it is given: the caller passes plain numpy arrays
(the whole history so far) and may do so every 20-50 ms while training runs.
All plot items are created once; updates go through ``setData``.

Cycles are whole numbers, so the cycle axis only ever has whole-number ticks, and
until a history spans :data:`MIN_CYCLE_SPAN` cycles the view is pinned to start at
cycle 0 (and the loss at 0): one point at cycle 0 would otherwise get an axis from
-40 to 40 and a loss axis four decimals wide.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QSignalBlocker, Qt
from PySide6.QtGui import QFont, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nnstudio.ui.plotting.colormaps import (
    AXIS_COLOR,
    BACKGROUND,
    BATCH_COLOR,
    GRID_ALPHA,
    HOVER_COLOR,
    MUTED_TEXT_COLOR,
    TEST_COLOR,
    TEXT_COLOR,
    TRAIN_COLOR,
    format_value,
)

__all__ = ["LossPlot", "format_metric", "MIN_CYCLE_SPAN", "ShortHistoryView", "PINNED_STYLES", "PinnedCurves"]

#: Pinned runs' pens: (grey, dash pattern) each, never orange or blue (those mean sign and
#: class across the window), thin and patterned so the current run's bold lines stay the headline.
PINNED_STYLES = (
    ("#3c4043", (1, 2)),  # dotted
    ("#5f6368", (6, 3)),  # dashed
    ("#3c4043", (8, 3, 1, 3)),  # dash-dot
    ("#80868b", (2, 2, 2, 6)),  # pairs of dots
)

#: Hover read-outs update at most this often (Hz); mouse moves arrive far faster.
HOVER_RATE_LIMIT = 30
#: Shown in the read-out line while the mouse is not over a plot.
HOVER_HINT = "Hover over the plot to read the values at a cycle."
#: Separator between read-out fields.
_SEP = " \u00b7 "

_EMPTY = np.empty(0, dtype=np.float64)
#: A history shorter than this many cycles is shown from cycle 0 to this, not auto-ranged.
MIN_CYCLE_SPAN = 10


def format_metric(value: float) -> str:
    """Format a loss value for the read-out: 4 decimals, scientific when tiny or huge.

    Parameters
    ----------
    value : float
        Value to format.

    Returns
    -------
    str
        ``'0.1234'`` for ordinary values, ``'3.210e-06'`` when fixed-point would
        print only zeros (late in training losses get very small).
    """
    return format_value(value)


def _finite_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return float64 copies/views of ``x`` and ``y`` with non-finite pairs dropped.

    NaN marks "not evaluated" (e.g. no test split); inf means a diverged run.
    Neither can be drawn, and leaving them in would make pyqtgraph's
    auto-range and clip-to-view work harder on every repaint.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and y lengths differ: {x.size} vs {y.size}")
    keep = np.isfinite(x) & np.isfinite(y)
    if keep.all():  # common case: no copy of a million-point history
        return x, y
    return x[keep], y[keep]


def _nearest_index(xs: np.ndarray, x: float) -> int:
    """Index of the value in the sorted, non-empty ``xs`` closest to ``x``."""
    i = int(np.searchsorted(xs, x))
    if i <= 0:
        return 0
    if i >= xs.size:
        return xs.size - 1
    return i if xs[i] - x < x - xs[i - 1] else i - 1


def _value_at(xs: np.ndarray, ys: np.ndarray, x: float) -> float | None:
    """``ys`` at exactly ``x`` in the sorted ``xs``, or None when ``x`` is absent."""
    i = int(np.searchsorted(xs, x))
    if i < xs.size and xs[i] == x:
        return float(ys[i])
    return None


class _LossAxis(pg.AxisItem):
    """Left axis whose log mode labels decades (plus 2 and 5 when there is room).

    pyqtgraph's default log ticks label every mantissa 1..9, which overlap on a
    plot a few hundred pixels tall. Linear mode is unchanged.
    """

    #: Vertical pixels a tick label needs to stay readable.
    MIN_LABEL_PIXELS = 18.0

    def __init__(self, orientation: str = "left") -> None:
        super().__init__(orientation)
        self._unlabelled: set[float] = set()

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802, N803 (pyqtgraph API)
        """Decades as major ticks; 2 and 5 (then all mantissas) labelled as space allows."""
        low, high = sorted((float(minVal), float(maxVal)))
        span = high - low
        self._unlabelled = set()
        if not (span > 0 and math.isfinite(span) and size > 0):
            return super().logTickValues(minVal, maxVal, size, stdTicks)
        px_per_decade = size / span
        step = max(1, math.ceil(self.MIN_LABEL_PIXELS / px_per_decade))
        decades = range(math.floor(low), math.ceil(high) + 1)
        majors = [float(d) for d in decades if low <= d <= high and d % step == 0]
        if px_per_decade >= 24 * self.MIN_LABEL_PIXELS:
            labelled_mantissas: tuple[int, ...] = (2, 3, 4, 5, 6, 7, 8, 9)
        elif px_per_decade >= 4 * self.MIN_LABEL_PIXELS:
            labelled_mantissas = (2, 5)
        else:
            labelled_mantissas = ()
        minors, unlabelled = [], set()
        if step == 1 and px_per_decade >= 2 * self.MIN_LABEL_PIXELS:
            # Unlabelled 3, 4, 6... ticks keep the uneven log spacing visible.
            for d in decades:
                for m in range(2, 10):
                    v = d + math.log10(m)
                    if low <= v <= high:
                        minors.append(v)
                        if m not in labelled_mantissas:
                            unlabelled.add(round(v, 9))
        if len(majors) + len(minors) - len(unlabelled) < 2:
            # Zoomed inside one decade: evenly spaced ticks in log space, all labelled
            # (pyqtgraph's own fallback drops them and leaves the axis bare).
            return stdTicks
        self._unlabelled = unlabelled
        return [(float(step), majors), (None, minors)]

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph API)
        """Plain numbers (0.01, 0.2, 1e-05) instead of 10-to-the-power glyphs."""
        return [
            "" if round(v, 9) in self._unlabelled else f"{10.0 ** v * scale:.3g}"
            for v in values
        ]


class _CycleAxis(pg.AxisItem):
    """Bottom axis of cycles: whole-number ticks only, large counts as 20k, 1.5M instead of 1e+06."""

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph API)
        """pyqtgraph's tick levels without those finer than one cycle (a cycle 2.5 does not exist)."""
        levels = [(spacing, offset) for spacing, offset in super().tickSpacing(minVal, maxVal, size) if spacing >= 1]
        return levels or [(1.0, 0.0)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph API)
        """Compact integer labels once cycles reach five digits."""
        if not values or spacing * scale < 1 or max(abs(v * scale) for v in values) < 10_000:
            return super().tickStrings(values, scale, spacing)
        strings = []
        for v in values:
            v *= scale
            for divisor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
                if abs(v) >= divisor:
                    strings.append(f"{v / divisor:.4g}{suffix}")
                    break
            else:
                strings.append(f"{v:.0f}")
        return strings


def _style_plot(plot: pg.PlotWidget, x_label: str, y_label: str) -> None:
    """Give a PlotWidget the light, boxed look shared by both tabs."""
    plot.setBackground(BACKGROUND)
    item = plot.getPlotItem()
    tick_font = QFont(plot.font())
    tick_font.setPointSizeF(max(8.0, tick_font.pointSizeF() - 1.0))
    label_style = {"color": TEXT_COLOR, "font-size": f"{tick_font.pointSizeF() + 1:.0f}pt"}
    grid_alpha = int(round(GRID_ALPHA * 255))
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setPen(pg.mkPen(AXIS_COLOR, width=1))
        axis.setTextPen(pg.mkPen(TEXT_COLOR))
        axis.setTickFont(tick_font)
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


def _add_legend(plot: pg.PlotWidget, corner: str = "top") -> pg.LegendItem:
    """Add a light legend in the top- or bottom-right corner.

    Decaying losses leave the top right empty; rising accuracy leaves the bottom right.
    """
    legend = plot.getPlotItem().addLegend(
        offset=(-8, 8 if corner == "top" else -8),
        brush=pg.mkBrush(255, 255, 255, 225),
        pen=pg.mkPen("#dadce0"),
        labelTextColor=TEXT_COLOR,
        verSpacing=-4,
    )
    return legend


class _HoverCursor:
    """A dashed vertical line plus one marker per series, created once per plot.

    Parameters
    ----------
    plot : pyqtgraph.PlotWidget
        Plot to decorate.
    colors : sequence of color-like
        Marker colour for each series, in the order passed to :meth:`show`.
    """

    def __init__(self, plot: pg.PlotWidget, colors: Sequence) -> None:
        item = plot.getPlotItem()
        self.line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(HOVER_COLOR, width=1, style=Qt.PenStyle.DashLine)
        )
        # One single-point PlotDataItem per series (not a bare ScatterPlotItem) so
        # markers follow log mode like the curves; single points are also immune
        # to the clip-to-view slicing the PlotItem applies to every data item.
        self.markers = [
            pg.PlotDataItem(
                symbol="o",
                symbolSize=8,
                pen=None,
                symbolBrush=pg.mkBrush(color),
                symbolPen=pg.mkPen("w", width=1.5),
                antialias=True,
            )
            for color in colors
        ]
        # ignoreBounds: hover decorations must never change the auto-range.
        item.addItem(self.line, ignoreBounds=True)
        for marker in self.markers:
            item.addItem(marker, ignoreBounds=True)
        self.hide()

    def show(self, x: float, values: Sequence[float | None]) -> None:
        """Place the line at ``x`` and a marker on each series that has a value there."""
        self.line.setPos(x)
        self.line.show()
        for marker, value in zip(self.markers, values):
            if value is None:
                marker.hide()
            else:
                marker.setData([x], [value])
                marker.show()

    def hide(self) -> None:
        """Hide line and markers."""
        self.line.hide()
        for marker in self.markers:
            marker.hide()


#: Evaluation curves longer than this are drawn without antialiasing.
SMOOTH_POINTS = 600
#: Long curves are cut down to about this many samples per pixel of width (peak-preserving).
#: pyqtgraph's 5 painted the noisy batch loss as ~10 vertices a pixel: 3× the paint time,
#: and a picture indistinguishable from 2 a pixel.
SAMPLES_PER_PIXEL = 2.0


def _thin_to_pixels(*curves: pg.PlotDataItem) -> None:
    for curve in curves:
        curve.opts["autoDownsampleFactor"] = SAMPLES_PER_PIXEL  # no setter: pyqtgraph reads the option


class ShortHistoryView:
    """Pins a plot's view while its history is shorter than :data:`MIN_CYCLE_SPAN` cycles.

    x runs from 0 to :data:`MIN_CYCLE_SPAN`; y from 0 to a little above the largest
    value (a loss), from a decade below the smallest to above the largest on a log
    axis, or over ``fixed_y`` (accuracy: 0 to 100 %). Once the history is long
    enough the plot auto-ranges again, from then on as pyqtgraph does (a user's zoom
    stops it).

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
        self._view.setRange(xRange=(0.0, float(MIN_CYCLE_SPAN)), yRange=self._y_range(ys), padding=0.02)

    def _y_range(self, ys: Sequence[np.ndarray]) -> tuple[float, float]:
        if self._fixed_y is not None:
            return self._fixed_y
        values = np.concatenate([np.asarray(y, dtype=np.float64).ravel() for y in ys]) if ys else _EMPTY
        values = values[np.isfinite(values)]
        if self._item.ctrl.logYCheck.isChecked():  # the view is in log10 units
            values = values[values > 0]
            if values.size == 0:
                return (-4.0, 0.0)
            return (math.floor(math.log10(values.min())) - 1.0, math.ceil(math.log10(values.max()) + 0.05))
        top = float(values.max()) if values.size else 0.0
        return (min(0.0, float(values.min())) if values.size else 0.0, 1.2 * top if top > 0 else 1.0)


def _pinned_pen(index: int, width: float) -> QPen:
    color, pattern = PINNED_STYLES[index % len(PINNED_STYLES)]
    pen = pg.mkPen(color, width=width)
    pen.setDashPattern(list(pattern))
    return pen


#: Longer pin labels are cut in the legend (the table above the plot has them whole).
PINNED_LABEL_CHARS = 30


def _legend_label(label: str) -> str:
    return label if len(label) <= PINNED_LABEL_CHARS else label[:PINNED_LABEL_CHARS - 1] + "\u2026"


class PinnedCurves(NamedTuple):
    """A pinned run as the plot draws it: its legend label and evaluated curves (k × 4)."""

    label: str
    cycles: np.ndarray
    evaluations: np.ndarray  # train loss, test loss, train accuracy, test accuracy


class LossPlot(QWidget):
    """Loss and accuracy versus training cycle, in two tabs.

    The "Loss" tab shows the noisy per-cycle mini-batch loss as a faint trace
    behind the full-set train and test losses; a "Log scale" check box in the
    tab bar switches the loss axis to log10. The "Accuracy" tab shows train and
    test accuracy in percent, or an explanation when the task is a regression.
    Hovering either plot shows the values at the nearest evaluated cycle in a
    read-out line below the plots.

    The object name is always ``"lossPlot"`` (tests and the main window find
    the widget by it).

    Parameters
    ----------
    parent : QWidget, optional
        Parent widget.

    Signals
    -------
    None. The log-scale state can be read with :meth:`is_log_scale`.

    Attributes
    ----------
    tabs : QTabWidget
        The "Loss" and "Accuracy" tabs.
    loss_plot : pyqtgraph.PlotWidget
        Loss plot (x "cycle", y "loss").
    accuracy_plot : pyqtgraph.PlotWidget
        Accuracy plot (x "cycle", y "accuracy (%)").
    batch_curve, train_curve, test_curve : pyqtgraph.PlotDataItem
        Mini-batch loss, full-set train loss and test loss.
    train_accuracy_curve, test_accuracy_curve : pyqtgraph.PlotDataItem
        Train and test accuracy, in percent.
    log_checkbox : QCheckBox
        "Log scale" toggle for the loss axis.
    readout : QLabel
        Hover read-out line, e.g. ``"cycle 120 · train 0.1234 · test 0.2345"``.
    accuracy_message : QLabel
        Shown instead of the accuracy plot when there is no accuracy (regression).
    """

    LOSS_TAB = 0
    ACCURACY_TAB = 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lossPlot")

        # Filtered (finite, float64) copies of the last history, for hover look-ups.
        self._batch: tuple[np.ndarray, np.ndarray] = (_EMPTY, _EMPTY)
        self._train: tuple[np.ndarray, np.ndarray] = (_EMPTY, _EMPTY)
        self._test: tuple[np.ndarray, np.ndarray] = (_EMPTY, _EMPTY)
        self._train_acc: tuple[np.ndarray, np.ndarray] = (_EMPTY, _EMPTY)
        self._test_acc: tuple[np.ndarray, np.ndarray] = (_EMPTY, _EMPTY)
        self._loss_cycles: np.ndarray = _EMPTY  # cycles with any evaluated loss
        self._accuracy_cycles: np.ndarray = _EMPTY  # cycles with any accuracy
        # Last hover position per plot, so new data refreshes a read-out the user is looking at.
        self._loss_hover: object | None = None
        self._accuracy_hover: object | None = None

        self._build_loss_tab()
        self._build_accuracy_tab()
        self._pinned_items: list[tuple[pg.PlotItem, pg.LegendItem, pg.PlotDataItem]] = []

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.loss_plot, "Loss")
        self.tabs.addTab(self._accuracy_stack, "Accuracy")

        self.log_checkbox = QCheckBox("Log scale", self)
        self.log_checkbox.setObjectName("lossLogScaleCheck")
        self.log_checkbox.setToolTip("Show the loss on a logarithmic axis")
        self.log_checkbox.toggled.connect(self._apply_log_scale)
        self.tabs.setCornerWidget(self.log_checkbox, Qt.Corner.TopRightCorner)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        # The PlotItem context menu has its own log toggle; mirror it so the two never disagree.
        self.loss_plot.getPlotItem().ctrl.logYCheck.toggled.connect(self._sync_log_checkbox)

        self.readout = QLabel(HOVER_HINT, self)
        self.readout.setObjectName("lossReadout")
        self.readout.setStyleSheet(f"color: {MUTED_TEXT_COLOR}; padding: 2px 6px;")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.readout)

        self._loss_view = ShortHistoryView(self.loss_plot)
        self._accuracy_view = ShortHistoryView(self.accuracy_plot, fixed_y=(0.0, 100.0))
        self._reset_ranges()

        # SignalProxy rate-limits hover handling; keep references or they are collected.
        self._loss_proxy = pg.SignalProxy(
            self.loss_plot.scene().sigMouseMoved, rateLimit=HOVER_RATE_LIMIT, slot=self._on_loss_mouse_moved
        )
        self._accuracy_proxy = pg.SignalProxy(
            self.accuracy_plot.scene().sigMouseMoved, rateLimit=HOVER_RATE_LIMIT, slot=self._on_accuracy_mouse_moved
        )
        # Mouse moves stop when the pointer leaves the widget, so clear the read-out on Leave.
        self.loss_plot.viewport().installEventFilter(self)
        self.accuracy_plot.viewport().installEventFilter(self)

    # ------------------------------------------------------------------ construction
    def _build_loss_tab(self) -> None:
        self.loss_plot = pg.PlotWidget(axisItems={"left": _LossAxis("left"), "bottom": _CycleAxis("bottom")})
        self.loss_plot.setObjectName("lossPlotLoss")
        _style_plot(self.loss_plot, "cycle", "loss")
        self._loss_legend = _add_legend(self.loss_plot)
        item = self.loss_plot.getPlotItem()
        # Thin and translucent: the noisy batch loss is context, not the headline.
        self.batch_curve = item.plot(name="train (batch)", pen=pg.mkPen(BATCH_COLOR, width=1))
        # Antialias only the short eval curves: smooth bold lines for little cost,
        # while the long batch trace stays on the fast aliased path.
        self.train_curve = item.plot(name="train", pen=pg.mkPen(TRAIN_COLOR, width=2.5), antialias=True)
        self.test_curve = item.plot(
            name="test", pen=pg.mkPen(TEST_COLOR, width=2.5, style=Qt.PenStyle.DashLine), antialias=True
        )
        self._test_in_legend = True
        _thin_to_pixels(self.batch_curve, self.train_curve, self.test_curve)
        self._loss_cursor = _HoverCursor(self.loss_plot, [TRAIN_COLOR, TEST_COLOR])

    def _build_accuracy_tab(self) -> None:
        self.accuracy_plot = pg.PlotWidget(axisItems={"bottom": _CycleAxis("bottom")})
        self.accuracy_plot.setObjectName("lossPlotAccuracy")
        _style_plot(self.accuracy_plot, "cycle", "accuracy (%)")
        self._accuracy_legend = _add_legend(self.accuracy_plot, corner="bottom")
        item = self.accuracy_plot.getPlotItem()
        self.train_accuracy_curve = item.plot(name="train", pen=pg.mkPen(TRAIN_COLOR, width=2.5), antialias=True)
        self.test_accuracy_curve = item.plot(
            name="test", pen=pg.mkPen(TEST_COLOR, width=2.5, style=Qt.PenStyle.DashLine), antialias=True
        )
        self._test_acc_in_legend = True
        _thin_to_pixels(self.train_accuracy_curve, self.test_accuracy_curve)
        self._accuracy_cursor = _HoverCursor(self.accuracy_plot, [TRAIN_COLOR, TEST_COLOR])

        self.accuracy_message = QLabel(
            f"<p style='font-size:large; color:{TEXT_COLOR};'><b>No accuracy for regression</b></p>"
            "<p>Accuracy counts correct class predictions, so it only exists for "
            "classification tasks.<br>Follow the loss on the Loss tab instead.</p>",
            self,
        )
        self.accuracy_message.setObjectName("accuracyMessage")
        self.accuracy_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.accuracy_message.setWordWrap(True)
        self.accuracy_message.setStyleSheet(
            f"background: white; color: {MUTED_TEXT_COLOR}; padding: 24px;"
        )

        self._accuracy_stack = QStackedWidget(self)
        self._accuracy_stack.addWidget(self.accuracy_plot)
        self._accuracy_stack.addWidget(self.accuracy_message)

    # ------------------------------------------------------------------ public API
    def set_history(
        self,
        batch_cycles: np.ndarray,
        batch_loss: np.ndarray,
        eval_cycles: np.ndarray,
        train_loss: np.ndarray,
        test_loss: np.ndarray,
        train_accuracy: np.ndarray,
        test_accuracy: np.ndarray,
    ) -> None:
        """Show the whole training history so far.

        Non-finite values are dropped point by point. Cycles must be increasing
        (clip-to-view and the hover look-up rely on it). The plots keep
        auto-ranging unless the user has zoomed or panned.

        Parameters
        ----------
        batch_cycles, batch_loss : numpy.ndarray
            1-D, same length: the mini-batch loss of every recorded cycle.
        eval_cycles : numpy.ndarray
            1-D: cycles at which the full train/test sets were evaluated.
        train_loss, test_loss : numpy.ndarray
            1-D, ``len(eval_cycles)``: full-set losses. ``test_loss`` is all-NaN
            when there is no test split.
        train_accuracy, test_accuracy : numpy.ndarray
            1-D, ``len(eval_cycles)``: accuracy as a fraction in [0, 1], shown in
            percent. All-NaN for regression tasks.

        Raises
        ------
        ValueError
            If paired arrays differ in length.
        """
        self._batch = _finite_xy(batch_cycles, batch_loss)
        self._train = _finite_xy(eval_cycles, train_loss)
        self._test = _finite_xy(eval_cycles, test_loss)
        train_acc_x, train_acc_y = _finite_xy(eval_cycles, train_accuracy)
        test_acc_x, test_acc_y = _finite_xy(eval_cycles, test_accuracy)
        self._train_acc = (train_acc_x, train_acc_y * 100.0)
        self._test_acc = (test_acc_x, test_acc_y * 100.0)
        # Eval arrays are short (one entry per evaluation), so the unions are cheap.
        self._loss_cycles = np.union1d(self._train[0], self._test[0])
        self._accuracy_cycles = np.union1d(train_acc_x, test_acc_x)

        self.batch_curve.setData(*self._batch)
        # Antialiased thick lines cost ~3 µs a vertex in Qt's raster engine: smooth while
        # the curves are short, crisp and cheap once a long run has made them long.
        smooth = self._train[0].size < SMOOTH_POINTS
        self.train_curve.setData(*self._train, antialias=smooth)
        self.test_curve.setData(*self._test, antialias=smooth)
        self.train_accuracy_curve.setData(*self._train_acc, antialias=smooth)
        self.test_accuracy_curve.setData(*self._test_acc, antialias=smooth)

        self._test_in_legend = self._show_in_legend(
            self._loss_legend, self.test_curve, "test", self._test[0].size > 0, self._test_in_legend
        )
        self._test_acc_in_legend = self._show_in_legend(
            self._accuracy_legend, self.test_accuracy_curve, "test", test_acc_x.size > 0, self._test_acc_in_legend
        )
        # Regression: evaluations exist but none produced an accuracy.
        no_accuracy = np.size(eval_cycles) > 0 and self._accuracy_cycles.size == 0
        self._accuracy_stack.setCurrentWidget(self.accuracy_message if no_accuracy else self.accuracy_plot)
        self._pin_short_history()
        if self._loss_hover is not None:
            self._on_loss_mouse_moved(self._loss_hover)
        elif self._accuracy_hover is not None:
            self._on_accuracy_mouse_moved(self._accuracy_hover)
        # pyqtgraph fits the range to new data lazily, inside the next paint, and that
        # re-layout schedules a second full repaint; settling it here paints once.
        for plot in (self.loss_plot, self.accuracy_plot):
            if plot.isVisible():
                plot.scene().prepareForPaint()

    def set_pinned_runs(self, runs: Sequence[PinnedCurves]) -> None:
        """Overlay pinned runs (at most ``len(PINNED_STYLES)`` styles, reused beyond that).

        Each run draws its train loss (and accuracy) in its pattern and its test curve in
        the same pattern, thinner; the legend names the run on its train curve. A new run
        of the current set-up (``clear``) leaves them in place.
        """
        for plot_item, legend, curve in self._pinned_items:
            legend.removeItem(curve)
            plot_item.removeItem(curve)
        self._pinned_items = []
        for index, run in enumerate(runs):
            ev = np.asarray(run.evaluations, np.float64).reshape(-1, 4)
            cycles = np.asarray(run.cycles, np.float64)
            for plot, legend, columns, scale in ((self.loss_plot, self._loss_legend, (0, 1), 1.0),
                                                 (self.accuracy_plot, self._accuracy_legend, (2, 3), 100.0)):
                plot_item = plot.getPlotItem()
                for column, width in zip(columns, (1.8, 1.0)):
                    x, y = _finite_xy(cycles, ev[:, column])
                    if x.size == 0:
                        continue
                    curve = pg.PlotDataItem(x, y * scale, pen=_pinned_pen(index, width), antialias=True)
                    curve.setZValue(-1)  # under the current run
                    plot_item.addItem(curve)
                    if width > 1.0:
                        legend.addItem(curve, html.escape(_legend_label(run.label)))  # a data name may be a file's
                    self._pinned_items.append((plot_item, legend, curve))

    def pinned_curves(self) -> list[pg.PlotDataItem]:
        """The drawn curves of the pinned runs (loss and accuracy tabs)."""
        return [curve for _, _, curve in self._pinned_items]

    def clear(self) -> None:
        """Remove all data, hide hover marks and resume auto-ranging (a new run starts)."""
        self.set_history(_EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY)
        self._loss_cursor.hide()
        self._accuracy_cursor.hide()
        self.readout.setText(HOVER_HINT)
        self._reset_ranges()

    def _reset_ranges(self) -> None:
        """Start over: cycles 0 to :data:`MIN_CYCLE_SPAN` until the history is longer, then auto-range."""
        for pin in (self._loss_view, self._accuracy_view):
            pin.pinned = False
        self._pin_short_history()

    def _pin_short_history(self) -> None:
        self._loss_view.update([self._batch[0], self._train[0], self._test[0]],
                               [self._batch[1], self._train[1], self._test[1]])
        self._accuracy_view.update([self._train_acc[0], self._test_acc[0]], [self._train_acc[1], self._test_acc[1]])

    def is_log_scale(self) -> bool:
        """Return True when the loss axis is logarithmic."""
        return self.log_checkbox.isChecked()

    def set_log_scale(self, enabled: bool) -> None:
        """Switch the loss axis to log10 (``True``) or linear (``False``).

        Parameters
        ----------
        enabled : bool
            Requested state; the check box follows with its signals blocked.
        """
        with QSignalBlocker(self.log_checkbox):
            self.log_checkbox.setChecked(bool(enabled))
        self._apply_log_scale(bool(enabled))

    # ------------------------------------------------------------------ internals
    @staticmethod
    def _show_in_legend(
        legend: pg.LegendItem, curve: pg.PlotDataItem, name: str, wanted: bool, present: bool
    ) -> bool:
        """Add or remove a legend entry only when its state changes; return the new state.

        Without a test split an empty "test" entry would suggest missing data.
        """
        if wanted and not present:
            legend.addItem(curve, name)
        elif present and not wanted:
            legend.removeItem(curve)
        return wanted

    def _apply_log_scale(self, enabled: bool) -> None:
        self.loss_plot.getPlotItem().setLogMode(x=False, y=enabled)
        self._pin_short_history()  # a pinned loss range is in other units now

    def _sync_log_checkbox(self, enabled: bool) -> None:
        with QSignalBlocker(self.log_checkbox):
            self.log_checkbox.setChecked(enabled)
        self._pin_short_history()

    def _on_tab_changed(self, index: int) -> None:
        # Log scale only concerns the loss tab; hide it rather than offering a dead control.
        self.log_checkbox.setVisible(index == self.LOSS_TAB)
        self._reset_hover()

    def _reset_hover(self) -> None:
        self._loss_hover = self._accuracy_hover = None
        self._loss_cursor.hide()
        self._accuracy_cursor.hide()
        self.readout.setText(HOVER_HINT)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        """Clear the hover read-out when the pointer leaves a plot."""
        if event.type() == QEvent.Type.Leave:
            # Deliver a still-queued move first, or it would re-show the read-out after the reset.
            self._loss_proxy.flush()
            self._accuracy_proxy.flush()
            self._reset_hover()
        return super().eventFilter(watched, event)

    @staticmethod
    def _scene_pos(event: object) -> QPointF:
        # SignalProxy delivers the signal arguments as a tuple; direct calls may pass the point.
        return event[0] if isinstance(event, (tuple, list)) else event  # type: ignore[index]

    def _view_x(self, plot: pg.PlotWidget, event: object) -> float | None:
        """Mouse x in data coordinates, or None when the pointer is outside the data area."""
        pos = self._scene_pos(event)
        view = plot.getPlotItem().getViewBox()
        if not view.sceneBoundingRect().contains(pos):
            return None
        return float(view.mapSceneToView(pos).x())

    def _on_loss_mouse_moved(self, event: object) -> None:
        """Update the read-out for a mouse move over the loss plot.

        Parameters
        ----------
        event : tuple of QPointF or QPointF
            Scene position, as delivered by :class:`pyqtgraph.SignalProxy`.
        """
        x = self._view_x(self.loss_plot, event)
        # Prefer evaluated cycles: that is where train and test can be compared.
        cycles = self._loss_cycles if self._loss_cycles.size else self._batch[0]
        if x is None or cycles.size == 0:
            self._reset_hover()
            return
        cycle = float(cycles[_nearest_index(cycles, x)])
        batch = _value_at(*self._batch, cycle)
        train = _value_at(*self._train, cycle)
        test = _value_at(*self._test, cycle)
        parts = [f"cycle {cycle:.0f}"]
        for label, value in (("batch", batch), ("train", train), ("test", test)):
            if value is not None:
                parts.append(f"{label} {format_metric(value)}")
        self.readout.setText(_SEP.join(parts))
        self._loss_cursor.show(cycle, [train, test])
        self._loss_hover = event

    def _on_accuracy_mouse_moved(self, event: object) -> None:
        """Update the read-out for a mouse move over the accuracy plot.

        Parameters
        ----------
        event : tuple of QPointF or QPointF
            Scene position, as delivered by :class:`pyqtgraph.SignalProxy`.
        """
        x = self._view_x(self.accuracy_plot, event)
        cycles = self._accuracy_cycles
        if x is None or cycles.size == 0:
            self._reset_hover()
            return
        cycle = float(cycles[_nearest_index(cycles, x)])
        train = _value_at(*self._train_acc, cycle)
        test = _value_at(*self._test_acc, cycle)
        parts = [f"cycle {cycle:.0f}"]
        for label, value in (("train", train), ("test", test)):
            if value is not None:
                parts.append(f"{label} {value:.1f} %")
        self.readout.setText(_SEP.join(parts))
        self._accuracy_cursor.show(cycle, [train, test])
        self._accuracy_hover = event

