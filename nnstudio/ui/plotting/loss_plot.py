"""Loss and accuracy curves over training cycles, in two tabs.

The widget only draws what it is given: the caller passes plain numpy arrays
(the whole history so far) and may do so every 20-50 ms while training runs.
All plot items are created once; updates go through ``setData``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from nnstudio.ui.plotting.colormaps import (
    BATCH_COLOR,
    FAINT_LINE_COLOR,
    MUTED_TEXT_COLOR,
    TEST_COLOR,
    TEXT_COLOR,
    TRAIN_COLOR,
)
from nnstudio.ui.plotting.cycle_plot import (
    HOVER_HINT,
    SMOOTH_POINTS,
    LogScaleSwitch,
    ShortHistoryView,
    cycle_plot_widget,
    readout_label,
    readout_text,
    thin_to_pixels,
)
from nnstudio.ui.plotting.cycle_series import EMPTY, finite_xy, nearest_index, value_at
from nnstudio.ui.plotting.hover import HoverCursor, PlotHover, view_x
from nnstudio.ui.plotting.numbers import format_value
from nnstudio.ui.plotting.pinned_curves import PinnedCurves, PinnedOverlay

__all__ = ["LossPlot"]


def _add_legend(plot: pg.PlotWidget, corner: str = "top") -> pg.LegendItem:
    """Add a light legend in the top- or bottom-right corner.

    Decaying losses leave the top right empty; rising accuracy leaves the bottom right.
    """
    return plot.getPlotItem().addLegend(
        offset=(-8, 8 if corner == "top" else -8),
        brush=pg.mkBrush(255, 255, 255, 225),
        pen=pg.mkPen(FAINT_LINE_COLOR),
        labelTextColor=TEXT_COLOR,
        verSpacing=-4,
    )


def _train_and_test_curves(plot: pg.PlotWidget) -> tuple[pg.PlotDataItem, pg.PlotDataItem]:
    """Bold train (solid) and test (dashed) curves, antialiased while short."""
    item = plot.getPlotItem()
    train = item.plot(name="train", pen=pg.mkPen(TRAIN_COLOR, width=2.5), antialias=True)
    test = item.plot(name="test", pen=pg.mkPen(TEST_COLOR, width=2.5, style=Qt.PenStyle.DashLine), antialias=True)
    return train, test


class LossPlot(LogScaleSwitch, QWidget):
    """Loss and accuracy versus training cycle, in two tabs; the object name is always ``"lossPlot"``.

    The "Loss" tab shows the noisy per-cycle mini-batch loss as a faint trace
    behind the full-set train and test losses; a "Log scale" check box in the
    tab bar switches the loss axis to log10. The "Accuracy" tab shows train and
    test accuracy in percent, or an explanation when the task is a regression.
    Hovering either plot shows the values at the nearest evaluated cycle in a
    read-out line below the plots. The log-scale state is read with :meth:`is_log_scale`.

    Attributes
    ----------
    tabs : QTabWidget
        The "Loss" and "Accuracy" tabs.
    loss_plot, accuracy_plot : pyqtgraph.PlotWidget
        Loss (y "loss") and accuracy (y "accuracy (%)") against cycle.
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
        self._batch: tuple[np.ndarray, np.ndarray] = (EMPTY, EMPTY)
        self._train: tuple[np.ndarray, np.ndarray] = (EMPTY, EMPTY)
        self._test: tuple[np.ndarray, np.ndarray] = (EMPTY, EMPTY)
        self._train_acc: tuple[np.ndarray, np.ndarray] = (EMPTY, EMPTY)
        self._test_acc: tuple[np.ndarray, np.ndarray] = (EMPTY, EMPTY)
        self._loss_cycles: np.ndarray = EMPTY  # cycles with any evaluated loss
        self._accuracy_cycles: np.ndarray = EMPTY  # cycles with any accuracy
        # Last hover position per plot, so new data refreshes a read-out the user is looking at.
        self._loss_hover: object | None = None
        self._accuracy_hover: object | None = None

        self._build_loss_tab()
        self._build_accuracy_tab()
        self._pinned = PinnedOverlay((self.loss_plot, self._loss_legend), (self.accuracy_plot, self._accuracy_legend))

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.loss_plot, "Loss")
        self.tabs.addTab(self._accuracy_stack, "Accuracy")

        self._add_log_checkbox(
            self.loss_plot, "lossLogScaleCheck", "Show the loss on a logarithmic axis", checked=False
        )
        self.tabs.setCornerWidget(self.log_checkbox, Qt.Corner.TopRightCorner)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.readout = readout_label(self, "lossReadout")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.readout)

        self._loss_view = ShortHistoryView(self.loss_plot)
        self._accuracy_view = ShortHistoryView(self.accuracy_plot, fixed_y=(0.0, 100.0))
        self._reset_ranges()
        self._loss_mouse = PlotHover(self.loss_plot, self._on_loss_mouse_moved, self._reset_hover)
        self._accuracy_mouse = PlotHover(self.accuracy_plot, self._on_accuracy_mouse_moved, self._reset_hover)

    # ------------------------------------------------------------------ construction
    def _build_loss_tab(self) -> None:
        self.loss_plot = cycle_plot_widget("lossPlotLoss", "loss")
        self._loss_legend = _add_legend(self.loss_plot)
        # Thin and translucent: the noisy batch loss is context, not the headline.
        self.batch_curve = self.loss_plot.getPlotItem().plot(name="train (batch)", pen=pg.mkPen(BATCH_COLOR, width=1))
        # Antialias only the short eval curves: smooth bold lines for little cost,
        # while the long batch trace stays on the fast aliased path.
        self.train_curve, self.test_curve = _train_and_test_curves(self.loss_plot)
        self._test_in_legend = True
        thin_to_pixels(self.batch_curve, self.train_curve, self.test_curve)
        self._loss_cursor = HoverCursor(self.loss_plot, [TRAIN_COLOR, TEST_COLOR])

    def _build_accuracy_tab(self) -> None:
        self.accuracy_plot = cycle_plot_widget("lossPlotAccuracy", "accuracy (%)", log_axis=False)
        self._accuracy_legend = _add_legend(self.accuracy_plot, corner="bottom")
        self.train_accuracy_curve, self.test_accuracy_curve = _train_and_test_curves(self.accuracy_plot)
        self._test_acc_in_legend = True
        thin_to_pixels(self.train_accuracy_curve, self.test_accuracy_curve)
        self._accuracy_cursor = HoverCursor(self.accuracy_plot, [TRAIN_COLOR, TEST_COLOR])

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
        self._batch = finite_xy(batch_cycles, batch_loss)
        self._train = finite_xy(eval_cycles, train_loss)
        self._test = finite_xy(eval_cycles, test_loss)
        train_acc_x, train_acc_y = finite_xy(eval_cycles, train_accuracy)
        test_acc_x, test_acc_y = finite_xy(eval_cycles, test_accuracy)
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
        """Overlay pinned runs (see :class:`~nnstudio.ui.plotting.pinned_curves.PinnedOverlay`).

        A new run of the current set-up (``clear``) leaves them in place.
        """
        self._pinned.show(runs)

    def pinned_curves(self) -> list[pg.PlotDataItem]:
        """The drawn curves of the pinned runs (loss and accuracy tabs)."""
        return self._pinned.curves()

    def clear(self) -> None:
        """Remove all data, hide hover marks and resume auto-ranging (a new run starts)."""
        self.set_history(EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY)
        self._loss_cursor.hide()
        self._accuracy_cursor.hide()
        self.readout.setText(HOVER_HINT)
        self._reset_ranges()

    def _reset_ranges(self) -> None:
        """Start over: cycles from 0 until the history is long enough, then auto-range."""
        for pin in (self._loss_view, self._accuracy_view):
            pin.pinned = False
        self._pin_short_history()

    def _pin_short_history(self) -> None:
        self._loss_view.update([self._batch[0], self._train[0], self._test[0]],
                               [self._batch[1], self._train[1], self._test[1]])
        self._accuracy_view.update([self._train_acc[0], self._test_acc[0]], [self._train_acc[1], self._test_acc[1]])

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

    def _on_loss_mouse_moved(self, event: object) -> None:
        """Show batch, train and test loss at the cycle nearest the pointer (a SignalProxy tuple or a QPointF)."""
        x = view_x(self.loss_plot, event)
        # Prefer evaluated cycles: that is where train and test can be compared.
        cycles = self._loss_cycles if self._loss_cycles.size else self._batch[0]
        if x is None or cycles.size == 0:
            self._reset_hover()
            return
        cycle = float(cycles[nearest_index(cycles, x)])
        values = {label: value_at(*series, cycle) for label, series in
                  (("batch", self._batch), ("train", self._train), ("test", self._test))}
        self.readout.setText(readout_text(cycle, [(k, format_value(v)) for k, v in values.items() if v is not None]))
        self._loss_cursor.show(cycle, [values["train"], values["test"]])
        self._loss_hover = event

    def _on_accuracy_mouse_moved(self, event: object) -> None:
        """Show train and test accuracy at the evaluated cycle nearest the pointer."""
        x = view_x(self.accuracy_plot, event)
        cycles = self._accuracy_cycles
        if x is None or cycles.size == 0:
            self._reset_hover()
            return
        cycle = float(cycles[nearest_index(cycles, x)])
        train = value_at(*self._train_acc, cycle)
        test = value_at(*self._test_acc, cycle)
        fields = [(label, f"{value:.1f} %") for label, value in (("train", train), ("test", test)) if value is not None]
        self.readout.setText(readout_text(cycle, fields))
        self._accuracy_cursor.show(cycle, [train, test])
        self._accuracy_hover = event
