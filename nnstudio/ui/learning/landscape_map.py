"""The landscape's map: the loss as a log-scaled image with contours and a colour bar, and the descent's path on it.

The loss is an amount, so the map uses the window's scale for amounts (white to
grey, as counts), on a log scale: orange and blue mean a sign or a class elsewhere. The
path is violet, the hue of gradients in this window, on a white halo.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QWidget

from nnstudio.engine.run.landscape_session import LandscapeMap
from nnstudio.ui.data.insight_views import confusion_lut
from nnstudio.ui.plotting.axis_style import style_axes, tick_font
from nnstudio.ui.plotting.colormaps import AXIS_COLOR, BACKGROUND, TEXT_COLOR
from nnstudio.ui.plotting.cycle_axes import log_tick_values
from nnstudio.ui.plotting.numbers import format_number

__all__ = ["CONTOUR_LEVELS", "PATH_COLOR", "LossMapPlot", "decade_ticks", "log_levels"]

#: Gradients are violet in this window (the backward pass, the gradient norms): so is the descent.
PATH_COLOR = "#5e2d91"
CONTOUR_LEVELS = 7


def log_levels(losses: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """log10 of the positive finite losses (NaN elsewhere) and its (low, high) for the colour scale."""
    with np.errstate(divide="ignore", invalid="ignore"):
        shown = np.where(np.isfinite(losses) & (losses > 0), np.log10(losses), np.nan)
    if np.isnan(shown).all():
        return shown, (0.0, 1.0)
    low, high = float(np.nanmin(shown)), float(np.nanmax(shown))
    return shown, (low, high) if high > low else (low - 0.5, high + 0.5)


def decade_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """Colour-bar ticks (log10 value, label) between ``low`` and ``high``: decades, 1-2-5 or every digit."""
    if high - low > 2.5:
        mantissas = (1.0,)
    elif high - low > 0.6:
        mantissas = (1.0, 2.0, 5.0)
    else:  # within a factor of four: every leading digit
        mantissas = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0)
    ticks = [(value, format_number(10.0**value, 2)) for value in log_tick_values(low, high, mantissas)]
    if len(ticks) < 2:  # too narrow a range for two such ticks: its ends
        ticks = [(v, format_number(10.0**v, 3)) for v in (low, high)]
    return ticks


class LossMapPlot(pg.GraphicsLayoutWidget):
    """The map (objectName ``landscapeMap``): log10 of the loss over the plane, its contours and colour bar, the path.

    Attributes
    ----------
    plot_item
        The plot in (α, β) the image and the path are drawn in.
    image_item
        The map: log10 of the loss, row i at β = ``map.betas[i]``.
    contours
        Iso-loss lines, evenly spaced in log10 between the colour bar's ends.
    path_item, current_item, start_item
        The descent's path, the weights now and where the path starts, in (α, β).
    color_bar
        The log colour scale, labelled in losses.
    tick_font
        The small font of the axes' numbers (the view's labels are set from it).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("landscapeMap")
        self.setBackground(BACKGROUND)
        self.setMinimumHeight(120)
        self.plot_item = self.addPlot()
        item = self.plot_item
        item.setMenuEnabled(False)
        item.hideButtons()
        view = item.getViewBox()
        view.setMouseEnabled(x=False, y=False)
        view.setDefaultPadding(0.0)
        view.setBorder(pg.mkPen(AXIS_COLOR, width=1))
        font = self.tick_font = tick_font(self.font(), smaller_by=1.5, at_least=7.5)
        self._label_style = {"color": TEXT_COLOR, "font-size": f"{font.pointSizeF() + 0.5:.1f}pt"}
        for axis in style_axes(item, font=font):
            axis.enableAutoSIPrefix(False)
        item.getAxis("left").setWidth(42)
        self.set_axis_labels("α", "β")

        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.image_item.setLookupTable(confusion_lut())  # the window's scale for amounts
        item.addItem(self.image_item)
        contour_pen = pg.mkPen(60, 64, 67, 90, width=1)
        contour_pen.setCosmetic(True)
        self.contours = [pg.IsocurveItem(level=0.0, pen=contour_pen, axisOrder="row-major")
                         for _ in range(CONTOUR_LEVELS)]
        for contour in self.contours:
            contour.setParentItem(self.image_item)  # the image's placement: its pixels are the grid

        self._path_halo = pg.PlotDataItem(pen=pg.mkPen("#ffffff", width=4.5))
        self.path_item = pg.PlotDataItem(pen=pg.mkPen(PATH_COLOR, width=2))
        self.start_item = pg.ScatterPlotItem(size=9, pen=pg.mkPen(TEXT_COLOR, width=1.5), brush=pg.mkBrush("#ffffff"))
        self.current_item = pg.ScatterPlotItem(size=11, pen=pg.mkPen("#ffffff", width=1.5),
                                               brush=pg.mkBrush(PATH_COLOR))
        for z, extra in enumerate((self._path_halo, self.path_item, self.start_item, self.current_item)):
            extra.setZValue(10 + z)
            item.addItem(extra)
        self._build_color_bar()

    def _build_color_bar(self) -> None:
        self.color_bar = pg.ColorBarItem(values=(0.0, 1.0), width=10, interactive=False, colorMapMenu=False,
                                         colorMap=pg.ColorMap(np.linspace(0, 1, 256), confusion_lut()))
        for side in ("left", "right", "top", "bottom"):
            self.color_bar.getAxis(side).setPen(pg.mkPen(AXIS_COLOR))
        self.color_bar.axis.setTextPen(pg.mkPen(TEXT_COLOR))
        self.color_bar.axis.setTickFont(self.tick_font)
        self.color_bar.axis.enableAutoSIPrefix(False)  # its values are log10: a "(x0.001)" would mislead
        self.color_bar.axis.setLabel("loss (log)", **self._label_style)
        self.color_bar.setImageItem(self.image_item)
        self.addItem(self.color_bar)

    def set_axis_labels(self, bottom: str, left: str) -> None:
        for side, text in (("bottom", bottom), ("left", left)):
            self.plot_item.setLabel(side, text, **self._label_style)
            self.plot_item.getAxis(side).resizeEvent(None)  # pyqtgraph centres a label only when resized

    def draw_map(self, m: LandscapeMap) -> None:
        """The loss of ``m`` as the image, its contours and colour levels, and axes naming its directions."""
        shown, (low, high) = log_levels(m.losses)
        n = len(m.alphas)
        da = (m.alphas[-1] - m.alphas[0]) / (n - 1)
        db = (m.betas[-1] - m.betas[0]) / (n - 1)
        self.image_item.setImage(shown, levels=(low, high), autoLevels=False)
        self.image_item.setRect(QRectF(m.alphas[0] - da / 2, m.betas[0] - db / 2, n * da, n * db))
        contoured = np.where(np.isnan(shown), high, shown)
        for contour, level in zip(self.contours, np.linspace(low, high, CONTOUR_LEVELS + 2)[1:-1]):
            contour.setData(contoured, level)
        self.color_bar.setLevels((low, high))
        self.color_bar.axis.setTicks([decade_ticks(low, high)])
        self.plot_item.setXRange(m.alphas[0] - da / 2, m.alphas[-1] + da / 2, padding=0)
        self.plot_item.setYRange(m.betas[0] - db / 2, m.betas[-1] + db / 2, padding=0)
        if m.kind == "pca":
            share = [f"{100 * v:.1f}%" for v in m.explained]
            self.set_axis_labels(f"α (PC1, {share[0]})", f"β (PC2, {share[1]})")
        else:
            self.set_axis_labels("α (random 1)", "β (random 2)")

    def draw_path(self, points: np.ndarray) -> None:
        """The path through ``points`` (α, β), from its start to its last point, the weights now."""
        for item in (self._path_halo, self.path_item):
            item.setData(points[:, 0], points[:, 1])
        self.start_item.setData(points[:1, 0], points[:1, 1])
        self.current_item.setData(points[-1:, 0], points[-1:, 1])

    def clear_map(self) -> None:
        """No map, no path, axes named without directions."""
        self.image_item.clear()
        for contour in self.contours:
            contour.setData(None)
        for item in (self._path_halo, self.path_item):
            item.setData([], [])
        self.start_item.setData([])
        self.current_item.setData([])
        self.set_axis_labels("α", "β")

    def grid_point_at(self, position: QPointF, m: LandscapeMap) -> tuple[int, int] | None:
        """The (row, column) of ``m``'s grid point nearest the scene ``position``; None outside the plot."""
        view = self.plot_item.getViewBox()
        if not view.sceneBoundingRect().contains(position):
            return None
        at = view.mapSceneToView(position)
        n = len(m.alphas)
        j = int(np.clip(np.rint((at.x() - m.alphas[0]) / (m.alphas[-1] - m.alphas[0]) * (n - 1)), 0, n - 1))
        i = int(np.clip(np.rint((at.y() - m.betas[0]) / (m.betas[-1] - m.betas[0]) * (n - 1)), 0, n - 1))
        return i, j
