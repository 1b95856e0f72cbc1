"""The 2-D data plane: data points over the network's decision boundary.

:class:`BoundaryPlot` shows training points as filled circles and test points as
white-filled rings, coloured by class, over a tinted heatmap of the network's
class-1 output. For regression the points are coloured by their target value
instead, and the heatmap shows the network's output, both on the same diverging
map (orange for low/negative, white in the middle, blue for high/positive, as in
TensorFlow Playground): the scale of :mod:`nnstudio.ui.plotting.colormaps`, shared by the
network canvas and the heatmaps. :func:`~nnstudio.ui.data.boundary_math.boundary_grid` gives the
caller the sample points on which to evaluate the network, in the orientation
:meth:`BoundaryPlot.set_boundary` expects; that module holds the plane's pure numpy maths.

Grid orientation (shared by ``boundary_grid`` and :meth:`BoundaryPlot.set_boundary`)
---------------------------------------------------------------------------------------
``grid[i, j]`` is the output at ``(xs[j], ys[i])``: columns run along x1 from
``xmin`` to ``xmax``, rows along x2 from ``ymin`` (row 0, drawn at the bottom) to
``ymax``. The samples include the bounds themselves, so the image is placed with
each pixel *centred* on its sample point and overhangs ``bounds`` by half a pixel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGraphicsWidget, QSizePolicy

from nnstudio.engine.explain.landscape import finite_range
from nnstudio.ui.data.boundary_items import (
    ContourCurve,
    StaticLegendSample,
    boundary_rect,
    point_tip,
    style_plane_axes,
)
from nnstudio.ui.data.boundary_math import (
    LUT_SIZE,
    Bounds,
    boundary_lut,
    check_bounds,
    class_ids,
    plane_xy,
    point_values,
    value_index,
)
from nnstudio.ui.plotting.colormaps import (
    AXIS_COLOR,
    BACKGROUND,
    CLASS_COLORS,
    TEXT_COLOR,
    signed_lut,
    symmetric_levels,
)

__all__ = ["BoundaryPlot"]

#: Legend sample for the split entries: neutral, so it does not suggest a class.
_SPLIT_LEGEND_COLOR = "#80868b"
_CONTOUR_PEN = pg.mkPen((60, 64, 67, 170), width=1.5)
_TRAIN_SIZE = 7
_TEST_SIZE = 8


class BoundaryPlot(pg.GraphicsLayoutWidget):
    """Scatter of the 2-D data over the decision-boundary heatmap, with a legend below.

    The view is fixed (no pan/zoom, aspect ratio 1) at the bounds given to
    :meth:`set_points`, so the picture only changes when the data does.

    Attributes
    ----------
    plot_item : pyqtgraph.PlotItem
        Axes x1 (bottom) and x2 (left).
    train_scatter, test_scatter : pyqtgraph.ScatterPlotItem
        Training points (filled, white outline) and test points (white fill,
        class-coloured ring). Per-point brushes/pens carry the class colour;
        each spot's ``data`` is its class id. With ``values`` (regression) the
        colour comes from the value, the training outline is grey (a white point
        on white would vanish) and each spot's ``data`` is its value.
    boundary_image : pyqtgraph.ImageItem
        Row-major heatmap of the class-1 output, levels (0, 1), below the points;
        for regression, of the network's output at the levels given.
    boundary_contour : pyqtgraph.IsocurveItem
        The 0.5 level line (classification only), a child of ``boundary_image``.
    value_levels : tuple of float or None
        The ``(lo, hi)`` the points were coloured with, None when they show classes.
    legend : pyqtgraph.LegendItem
        "class 0", "class 1", "train (n)", "test (n)" under the plot; one row, or
        two when the widget is too narrow. Its samples ignore clicks.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent=parent, show=False)
        self.setBackground(BACKGROUND)
        self.setAntialiasing(True)
        # Bilinear filtering turns the coarse boundary grid into a smooth field.
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.ci.setContentsMargins(4, 4, 8, 2)
        self.ci.setSpacing(0)

        self.plot_item: pg.PlotItem = self.addPlot(row=0, col=1)
        # Empty columns either side pad the plot to the bounds' shape (see
        # _fit_view_to_bounds). Their minimum width is 0, so they never make the
        # layout wider than the widget, they only give way.
        self._side_spacers = []
        for col in (0, 2):
            spacer = QGraphicsWidget()
            spacer.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            spacer.setMinimumSize(0, 0)
            spacer.setPreferredSize(0, 0)
            spacer.setMaximumWidth(0)
            self.addItem(spacer, row=0, col=col)
            self._side_spacers.append(spacer)
        self.plot_item.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        style_plane_axes(self.plot_item, self.font())

        self.boundary_image = pg.ImageItem(axisOrder="row-major")
        self.boundary_image.setLookupTable(boundary_lut())
        self.boundary_image.setZValue(-10)  # under the points (and anything else added later)
        self.boundary_image.setVisible(False)
        self.plot_item.addItem(self.boundary_image, ignoreBounds=True)
        self.boundary_contour = ContourCurve(level=0.5, pen=_CONTOUR_PEN, axisOrder="row-major")
        self.boundary_contour.setParentItem(self.boundary_image)  # shares the image's pixel coordinates
        self._contour_enabled = True
        self._boundary_shown: tuple | None = None  # (bounds and levels, grid) the image shows

        self._brushes = [pg.mkBrush(c) for c in CLASS_COLORS]
        self._rings = [pg.mkPen(c, width=2) for c in CLASS_COLORS]
        self._train_pen = pg.mkPen("w", width=1)
        # Regression: one brush and one (slightly darker, so white stays visible) ring per table entry.
        # The hues of the boundary's table without its transparency, so a point and the map under it agree.
        table = signed_lut(LUT_SIZE)
        self._value_brushes = [pg.mkBrush(*rgb) for rgb in table.tolist()]
        self._value_rings = [pg.mkPen(QColor(*rgb).darker(125), width=2) for rgb in table.tolist()]
        self._value_train_pen = pg.mkPen(AXIS_COLOR, width=0.8)
        self.value_levels: tuple[float, float] | None = None
        self._test_brush = pg.mkBrush(255, 255, 255, 235)
        self.train_scatter = pg.ScatterPlotItem(
            size=_TRAIN_SIZE, symbol="o", pen=self._train_pen, brush=self._brushes[0],
            hoverable=True, tip=point_tip("train"),
        )
        self.test_scatter = pg.ScatterPlotItem(
            size=_TEST_SIZE, symbol="o", pen=self._rings[0], brush=self._test_brush,
            hoverable=True, tip=point_tip("test"),
        )
        self.train_scatter.setZValue(10)
        self.test_scatter.setZValue(11)  # rings on top: fewer, and hollow so they hide little
        self.plot_item.addItem(self.train_scatter)
        self.plot_item.addItem(self.test_scatter)

        self.legend = self._make_legend()
        self._bounds: Bounds = (-1.0, 1.0, -1.0, 1.0)
        self._fit_size = (0.0, 0.0)  # (side padding, plot height) last applied
        self.ci.layout.setAlignment(self.plot_item, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.plot_item.getViewBox().sigResized.connect(self._fit_view_to_bounds)
        self.set_bounds(self._bounds)

    # ------------------------------------------------------------------ setup

    def _make_legend(self) -> pg.LegendItem:
        legend = pg.LegendItem(colCount=4, labelTextColor=TEXT_COLOR, horSpacing=2, verSpacing=-6,
                               labelTextSize=f"{max(8.0, self.font().pointSizeF() - 0.5):.1f}pt")
        samples = [
            (pg.ScatterPlotItem(size=_TRAIN_SIZE + 2, pen=self._train_pen, brush=self._brushes[0]), "class 0"),
            (pg.ScatterPlotItem(size=_TRAIN_SIZE + 2, pen=self._train_pen, brush=self._brushes[1]), "class 1"),
            (pg.ScatterPlotItem(size=_TRAIN_SIZE + 2, pen=self._train_pen, brush=_SPLIT_LEGEND_COLOR), "train"),
            (pg.ScatterPlotItem(size=_TEST_SIZE + 1, pen=pg.mkPen(_SPLIT_LEGEND_COLOR, width=2),
                                brush=self._test_brush), "test"),
        ]
        for item, name in samples:
            legend.addItem(StaticLegendSample(item), name)
        self._legend_dummies = [item for item, _ in samples]  # keep the sample items alive
        self.addItem(legend, row=1, col=0, colspan=3)
        self.ci.layout.setAlignment(legend, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        return legend

    def _fit_view_to_bounds(self, *_: object) -> None:
        """Shape the plot so its view box has the bounds' aspect ratio, at the top centre.

        With the aspect locked, a view box of another shape would show empty plane
        beside the data, where no boundary is drawn; shaping it instead makes the
        frame hug the bounds and the heatmap fill it. Width is taken by the side
        spacers and height capped by a maximum: unlike margins, neither raises the
        layout's minimum size, so the plot can never be pushed off the widget.
        """
        view, plot = self.plot_item.getViewBox(), self.plot_item
        left, top, right, bottom = self.ci.layout.getContentsMargins()
        # The widget's size, not the layout's: a layout wider than its minimum allows is clamped.
        cell_w = self.width() - left - right
        self._fit_legend(cell_w)  # first: its height depends on its rows
        if view.width() <= 1 or view.height() <= 1:
            return  # not laid out yet
        # The axes take a constant border around the view box; the cell is what the layout offers.
        extra_w, extra_h = plot.width() - view.width(), plot.height() - view.height()
        legend_h = self.legend.effectiveSizeHint(Qt.SizeHint.PreferredSize).height()
        cell_h = self.height() - top - bottom - legend_h - self.ci.layout.verticalSpacing()
        free_w, free_h = cell_w - extra_w, cell_h - extra_h
        if free_w <= 1 or free_h <= 1:
            return
        xmin, xmax, ymin, ymax = self._bounds
        ratio = (xmax - xmin) / (ymax - ymin)
        view_w, view_h = min(free_w, free_h * ratio), min(free_h, free_w / ratio)
        fit = ((free_w - view_w) / 2, extra_h + view_h)  # side padding, plot height
        if abs(fit[0] - self._fit_size[0]) < 0.5 and abs(fit[1] - self._fit_size[1]) < 0.5:
            return  # settled; this also ends the resize -> refit -> resize round trip
        self._fit_size = fit
        for spacer in self._side_spacers:
            spacer.setPreferredWidth(fit[0])
            spacer.setMaximumWidth(fit[0])
        plot.setMaximumHeight(fit[1])
        self.ci.layout.setRowMaximumHeight(0, fit[1])  # spare height goes below the legend, not between
        self._reapply_size()

    def resizeEvent(self, event) -> None:
        """Refit the view: a capped plot item does not resize (or signal) when its cell grows."""
        super().resizeEvent(event)
        if hasattr(self, "_fit_size"):  # the base __init__ resizes before ours has run
            self._fit_view_to_bounds()

    def _reapply_size(self) -> None:
        """Give the layout the widget's size again.

        pyqtgraph sizes the layout only on resize, clamped to the layout's
        minimum/maximum at that moment; after a refit changes those limits, the
        old clamp would stick (plot cut off or squashed) until the next resize.
        """
        self.ci.setGeometry(QRectF(0, 0, self.width(), self.height()))

    def _fit_legend(self, width: float) -> None:
        """Lay the legend out in one row when it fits ``width``, else in two; keep it at its natural width.

        The natural width keeps it compact and centred; two rows keep its minimum
        width below the widget's, which would otherwise push the plot off the edge.
        """
        layout, hint = self.legend.layout, Qt.SizeHint.PreferredSize
        left, _, right, _ = layout.getContentsMargins()
        one_row = left + right + sum(
            sample.effectiveSizeHint(hint).width() + label.effectiveSizeHint(hint).width()
            + 2 * layout.horizontalSpacing()
            for sample, label in self.legend.items
        )
        columns = 4 if width <= 0 or one_row <= width else 2
        if columns != self.legend.columnCount:
            self.legend.setColumnCount(columns)
            self._reapply_size()
        # At its natural size the legend sits right under the plot, and spare height goes below both.
        self.legend.setMaximumSize(layout.effectiveSizeHint(hint))

    # ------------------------------------------------------------------ API

    def set_bounds(self, bounds: Sequence[float]) -> None:
        """Show exactly ``(xmin, xmax, ymin, ymax)``; the locked aspect widens one axis to fill the widget."""
        self._bounds = xmin, xmax, ymin, ymax = check_bounds(bounds)
        self._fit_view_to_bounds()
        self.plot_item.getViewBox().setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0)

    @property
    def bounds(self) -> Bounds:
        """The ``(xmin, xmax, ymin, ymax)`` shown."""
        return self._bounds

    def set_points(self, X_train: np.ndarray, labels_train: np.ndarray | None, X_test: np.ndarray,
                   labels_test: np.ndarray | None, bounds: Sequence[float] | None = None, *,
                   values: tuple[np.ndarray, np.ndarray] | None = None,
                   levels: Sequence[float] | None = None) -> None:
        """Draw the training and test points.

        Parameters
        ----------
        X_train, X_test : numpy.ndarray, shape (n, n_features)
            Inputs; only the first two features are drawn (x2 = 0 for one feature).
        labels_train, labels_test : numpy.ndarray, shape (n,), or None
            Integer class ids; they pick the colours from :data:`CLASS_COLORS`.
            Ignored (and may be None) when ``values`` is given.
        bounds : sequence of 4 float or None, optional
            ``(xmin, xmax, ymin, ymax)`` to show, usually ``plane_bounds(dataset)``;
            None keeps the current view.
        values : pair of numpy.ndarray, optional
            ``(values_train, values_test)``, real targets (regression). The points are
            then coloured by value on the window's diverging scale instead of by class.
        levels : pair of float, optional
            The values drawn full orange and full blue; by default
            :func:`symmetric_levels` of all values, so white means zero. Pass the same
            levels to :meth:`set_boundary` for a heatmap that matches the points.

        Raises
        ------
        ValueError
            Mismatched lengths, non-integer labels, bad levels or malformed bounds.
        """
        xy_train, xy_test = plane_xy(X_train, "X_train"), plane_xy(X_test, "X_test")
        n_train, n_test = xy_train[0].size, xy_test[0].size
        if values is None:
            ids_train = class_ids(labels_train, n_train, "labels_train")
            ids_test = class_ids(labels_test, n_test, "labels_test")
        else:
            try:
                values_train, values_test = values
            except (TypeError, ValueError):
                raise ValueError("values must be a pair (values_train, values_test)") from None
            values_train = point_values(values_train, n_train, "values_train")
            values_test = point_values(values_test, n_test, "values_test")
            lo, hi = symmetric_levels(values_train, values_test) if levels is None else finite_range(levels, "levels")
        if bounds is not None:
            self.set_bounds(bounds)  # validate before touching the scatter items
        train_label, test_label = (self.legend.getLabel(d) for d in self._legend_dummies[:2])
        if values is None:
            self.value_levels = None
            n_colors = len(CLASS_COLORS)
            self.train_scatter.setPen(self._train_pen)
            self.train_scatter.setData(
                x=xy_train[0], y=xy_train[1], data=ids_train,
                brush=[self._brushes[c % n_colors] for c in ids_train],
            )
            self.test_scatter.setData(
                x=xy_test[0], y=xy_test[1], data=ids_test,
                pen=[self._rings[c % n_colors] for c in ids_test],
            )
            train_label.setText("class 0")
            test_label.setText("class 1")
        else:
            self.value_levels = (lo, hi)
            top = len(self._value_brushes) - 1
            # NaN (it cannot come from a valid dataset, but a caller's bug should not crash) shows as white
            index_train = value_index(values_train, lo, hi, top)
            index_test = value_index(values_test, lo, hi, top)
            self.train_scatter.setPen(self._value_train_pen)
            self.train_scatter.setData(
                x=xy_train[0], y=xy_train[1], data=[float(v) for v in values_train],
                brush=[self._value_brushes[i] for i in index_train],
            )
            self.test_scatter.setData(
                x=xy_test[0], y=xy_test[1], data=[float(v) for v in values_test],
                pen=[self._value_rings[i] for i in index_test],
            )
            # the two colour samples now name the ends of the value scale
            train_label.setText(f"{lo:.3g}")
            test_label.setText(f"{hi:+.3g}")
        self.legend.getLabel(self._legend_dummies[2]).setText(f"train ({n_train})")
        self.legend.getLabel(self._legend_dummies[3]).setText(f"test ({n_test})")
        self._fit_view_to_bounds()  # the longer labels may need a second legend row

    def set_boundary(self, grid: np.ndarray | None, bounds: Sequence[float] | None = None,
                     levels: Sequence[float] | None = None) -> None:
        """Show the network's class-1 output under the points, or hide it.

        Parameters
        ----------
        grid : numpy.ndarray, shape (H, W), or None
            Outputs at the :func:`boundary_grid` samples (row 0 = ``ymin``); values
            outside ``levels`` are clipped, NaN shows as undecided (their middle).
            None hides the heatmap.
        bounds : sequence of 4 float
            The ``(xmin, xmax, ymin, ymax)`` the grid was sampled on; required with a grid.
        levels : pair of float, optional
            The outputs drawn full orange and full blue, (0, 1) by default (a class-1
            probability). For regression pass the points' :attr:`value_levels`, so the
            heatmap and the points share one colour scale. The 0.5 contour (a class
            boundary) is drawn for the default levels only.

        Raises
        ------
        ValueError
            A grid that is not 2-D, missing/malformed bounds or bad levels.
        """
        if grid is None:
            self.boundary_image.setVisible(False)
            self._boundary_shown = None
            return
        grid = np.asarray(grid, dtype=np.float64)
        if grid.ndim != 2 or grid.size == 0:
            raise ValueError(f"grid must be a non-empty (H, W) array, got shape {grid.shape}")
        if bounds is None:
            raise ValueError("set_boundary needs the bounds the grid was sampled on")
        classes = levels is None
        lo, hi = (0.0, 1.0) if classes else finite_range(levels, "levels")
        key = (tuple(float(b) for b in bounds), lo, hi, self._contour_enabled)
        if (self._boundary_shown is not None and self._boundary_shown[0] == key
                and np.array_equal(self._boundary_shown[1], grid, equal_nan=True)
                and self.boundary_image.isVisible()):
            return  # the same picture (paused, or a rewind to a cycle shown already): nothing to redraw
        self._boundary_shown = (key, grid.copy())
        rect = boundary_rect(bounds, grid.shape)
        middle = (lo + hi) / 2
        # float32 halves the copy; NaN (a diverged net) would otherwise break levels and the isocurve
        image = np.clip(np.nan_to_num(grid, nan=middle, posinf=hi, neginf=lo), lo, hi).astype(np.float32)
        self.boundary_image.setImage(image, levels=(lo, hi), autoLevels=False)
        self.boundary_image.setRect(rect)
        # a regression output has no boundary; its zero line would only cut the picture into tiles
        self.boundary_contour.setData(image if classes and self._contour_enabled and min(image.shape) > 1 else None)
        self.boundary_image.setVisible(True)

    def set_contour_visible(self, visible: bool) -> None:
        """Show or hide the 0.5 contour line (takes effect at once and for later grids)."""
        self._contour_enabled = bool(visible)
        self.boundary_contour.setVisible(self._contour_enabled)
        self._boundary_shown = None  # the next grid redraws with or without its contour
