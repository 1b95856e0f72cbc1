"""The loss landscape: the loss over a slice of weight space around the weights, with the descent's path.

The seed says gradient descent follows the gradient of the loss, the path of least
resistance. This view shows that ground: a map of the training loss over a plane through
the current weights (the two principal components of the path so far, or two random
filter-normalised directions), the path the descent took projected onto it, and the current
point moving as training goes on. Under it, the loss along the last update: the line the
step "saw", from t = 0 (the weights before it) to t = 1 (the weights after it) and beyond.

The trainer computes maps (``engine.landscape_session``) when asked: when the view is
opened and the weights have moved, on Recompute, when the choices change, and when the
current point leaves the map; never every frame. Between maps, the weights of each snapshot are projected onto the
map's plane here, which moves the current point and grows the path.

Colours: the loss is an amount, so the map uses the window's scale for amounts (white to
grey, as counts), on a log scale: orange and blue mean a sign or a class elsewhere. The
path is violet, the hue of gradients in this window, on a white halo.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nnstudio.engine.run.landscape_session import LandscapeCut, LandscapeMap, flat_parameters, plane_coordinates
from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.data.insight_views import confusion_lut
from nnstudio.ui.plotting.colormaps import AXIS_COLOR, BACKGROUND, MUTED_TEXT_COLOR, TEST_COLOR, TEXT_COLOR
from nnstudio.ui.plotting.cycle_plot import style_plot
from nnstudio.ui.plotting.hover import HOVER_RATE_LIMIT
from nnstudio.ui.plotting.numbers import format_number
from nnstudio.ui.window.action_row import ActionRow

__all__ = ["LandscapeView", "LandscapeDock", "GRID_SIZES", "DIRECTIONS", "PATH_COLOR"]

#: The grid resolutions offered; the middle one is the default.
GRID_SIZES = (21, 41, 81)
#: (kind sent to the trainer, what the learner reads).
DIRECTIONS = (("pca", "Path PCA"), ("random", "Random"))
#: Gradients are violet in this window (the backward pass, the gradient norms): so is the descent.
PATH_COLOR = "#5e2d91"
#: A map that fell back to random directions is asked again after this many cycles (PCA may work by then).
PCA_RETRY_CYCLES = 16
_CONTOUR_LEVELS = 7
MIN_WIDTH = 200
DOCK_TITLE = "Loss landscape"
#: The dock's width bounds when it opens (pixels).
DOCK_WIDTH = 460
DOCK_MIN_WIDTH = 330
CUT_TITLE = "The loss the step sees"


def _log_levels(losses: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """log10 of the positive finite losses (NaN elsewhere) and its (low, high) for the colour scale."""
    with np.errstate(divide="ignore", invalid="ignore"):
        shown = np.where(np.isfinite(losses) & (losses > 0), np.log10(losses), np.nan)
    if np.isnan(shown).all():
        return shown, (0.0, 1.0)
    low, high = float(np.nanmin(shown)), float(np.nanmax(shown))
    return shown, (low, high) if high > low else (low - 0.5, high + 0.5)


def _decade_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """Colour-bar ticks (log10 value, label) between ``low`` and ``high``: decades, 1-2-5 or every digit."""
    if high - low > 2.5:
        steps = (1.0,)
    elif high - low > 0.6:
        steps = (1.0, 2.0, 5.0)
    else:  # within a factor of four: every leading digit
        steps = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0)
    ticks = []
    for decade in range(math.floor(low) - 1, math.ceil(high) + 1):
        for step in steps:
            value = math.log10(step) + decade
            if low <= value <= high:
                ticks.append((value, format_number(10.0**value, 2)))
    if len(ticks) < 2:  # too narrow a range for two such ticks: its ends
        ticks = [(v, format_number(10.0**v, 3)) for v in (low, high)]
    return ticks


class LandscapeView(QWidget):
    """The map with the path and the current point, and the cut along the last update (in ``LandscapeDock``).

    Parameters
    ----------
    send
        ``send(name, *args)`` queues a command for the trainer (``MainWindow.send``).

    Attributes
    ----------
    directions_combo, grid_combo, recompute_button
        The choices (objectNames ``landscapeDirections``, ``landscapeGrid``, ``landscapeRecompute``).
    caption
        What the map shows, why PCA was impossible, or the hovered point's loss.
    image_item
        The map: log10 of the loss, row i at β = ``map.betas[i]``.
    path_item, current_item, start_item
        The descent's path, the weights now and where the path starts, in (α, β).
    cut_curve, cut_marks
        The loss along the last update against t; the points t = 0 and t = 1.
    map, cut
        The ``LandscapeMap`` and ``LandscapeCut`` shown (None before the first).
    min_auto_interval
        Seconds between maps asked for on the view's own account (the point leaving the map).
    """

    def __init__(self, send: Callable[..., None] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("landscapeView")
        # Like the window's views: as narrow as the window needs, never widening it.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(MIN_WIDTH)
        self._send = send or (lambda *args: None)
        self.map: LandscapeMap | None = None
        self.cut: LandscapeCut | None = None
        self.latest: Snapshot | None = None
        self.min_auto_interval = 2.0
        self.min_cut_interval = 0.2
        self._requests = 0
        self._map_pending: int | None = None  # the request whose map is awaited
        self._cut_pending: int | None = None
        self._last_auto = -math.inf
        self._last_cut = -math.inf
        self._opened = False  # shown since the last snapshot
        self._point: np.ndarray | None = None  # the weights shown, on the map's plane
        self._cut_params: np.ndarray | None = None  # the weights the last cut asked for was of
        # The path drawn: cycles and (α, β), the map's then those of later snapshots.
        self._cycles = np.empty(0, dtype=np.int64)
        self._points = np.empty((0, 2))
        self._auto_timer = QTimer(self, singleShot=True)
        self._auto_timer.timeout.connect(lambda: self._auto_request())
        self._cut_timer = QTimer(self, singleShot=True)
        self._cut_timer.timeout.connect(lambda: self._refresh_cut())

        self.directions_combo = QComboBox(objectName="landscapeDirections")
        for kind, text in DIRECTIONS:
            self.directions_combo.addItem(text, kind)
        self.directions_combo.setToolTip(
            "The plane of the map: the two directions the path moved most along (principal components,\n"
            "PCA), or two random directions scaled to each neuron's weights (filter-normalised)")
        self.grid_combo = QComboBox(objectName="landscapeGrid")
        for n in GRID_SIZES:
            self.grid_combo.addItem(f"{n}×{n}", n)
        self.grid_combo.setCurrentIndex(GRID_SIZES.index(41))
        self.grid_combo.setToolTip("Points of the map along each axis: finer maps take longer")
        for combo in (self.directions_combo, self.grid_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(5)
        self.recompute_button = QPushButton("Recompute", objectName="landscapeRecompute")
        self.recompute_button.setToolTip("Map the loss again around the weights now")
        self.directions_combo.currentIndexChanged.connect(lambda _: self.request_map())
        self.grid_combo.currentIndexChanged.connect(lambda _: self.request_map())
        self.recompute_button.clicked.connect(lambda: self.request_map())

        self.caption = QLabel(objectName="landscapeCaption", textFormat=Qt.TextFormat.PlainText, wordWrap=True)
        self.caption.setStyleSheet(f"color: {MUTED_TEXT_COLOR};")
        self.caption.setContentsMargins(4, 0, 4, 0)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self._build_map()
        self._build_cut()
        for label in (self.caption, self.cut_title):
            font = QFont(self._tick_font)
            font.setPointSizeF(self._tick_font.pointSizeF() + 0.5)
            label.setFont(font)

        controls = QHBoxLayout()
        controls.setContentsMargins(4, 2, 4, 0)
        self.grid_combo.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        controls.addWidget(self.directions_combo, 1)
        controls.addWidget(self.grid_combo)
        controls.addWidget(self.recompute_button)
        self.splitter = QSplitter(Qt.Orientation.Vertical, objectName="landscapeSplitter")
        self.splitter.addWidget(self.graphics)
        self.splitter.addWidget(self._cut_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        layout.addWidget(self.splitter, 1)
        self._show_caption()

    # -- construction ----------------------------------------------------------------------
    def _build_map(self) -> None:
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("landscapeMap")
        self.graphics.setBackground(BACKGROUND)
        self.graphics.setMinimumHeight(120)
        self.plot_item = self.graphics.addPlot()
        item = self.plot_item
        item.setMenuEnabled(False)
        item.hideButtons()
        view = item.getViewBox()
        view.setMouseEnabled(x=False, y=False)
        view.setDefaultPadding(0.0)
        view.setBorder(pg.mkPen(AXIS_COLOR, width=1))
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() - 1.5))
        self._tick_font = font
        label_style = {"color": TEXT_COLOR, "font-size": f"{font.pointSizeF() + 0.5:.1f}pt"}
        self._label_style = label_style
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setPen(pg.mkPen(AXIS_COLOR))
            axis.setTextPen(pg.mkPen(TEXT_COLOR))
            axis.setTickFont(font)
            axis.enableAutoSIPrefix(False)
        item.getAxis("left").setWidth(42)
        self._set_axis_labels("α", "β")

        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.image_item.setLookupTable(confusion_lut())  # the window's scale for amounts
        item.addItem(self.image_item)
        contour_pen = pg.mkPen(60, 64, 67, 90, width=1)
        contour_pen.setCosmetic(True)
        self.contours = [pg.IsocurveItem(level=0.0, pen=contour_pen, axisOrder="row-major")
                         for _ in range(_CONTOUR_LEVELS)]
        for contour in self.contours:
            contour.setParentItem(self.image_item)  # the image's placement: its pixels are the grid

        halo = pg.mkPen("#ffffff", width=4.5)
        self._path_halo = pg.PlotDataItem(pen=halo)
        self.path_item = pg.PlotDataItem(pen=pg.mkPen(PATH_COLOR, width=2))
        self.start_item = pg.ScatterPlotItem(size=9, pen=pg.mkPen(TEXT_COLOR, width=1.5), brush=pg.mkBrush("#ffffff"))
        self.current_item = pg.ScatterPlotItem(size=11, pen=pg.mkPen("#ffffff", width=1.5),
                                               brush=pg.mkBrush(PATH_COLOR))
        for z, extra in enumerate((self._path_halo, self.path_item, self.start_item, self.current_item)):
            extra.setZValue(10 + z)
            item.addItem(extra)

        self.color_bar = pg.ColorBarItem(values=(0.0, 1.0), width=10, interactive=False, colorMapMenu=False,
                                         colorMap=pg.ColorMap(np.linspace(0, 1, 256), confusion_lut()))
        for side in ("left", "right", "top", "bottom"):
            self.color_bar.getAxis(side).setPen(pg.mkPen(AXIS_COLOR))
        self.color_bar.axis.setTextPen(pg.mkPen(TEXT_COLOR))
        self.color_bar.axis.setTickFont(font)
        self.color_bar.axis.enableAutoSIPrefix(False)  # its values are log10: a "(x0.001)" would mislead
        self.color_bar.axis.setLabel("loss (log)", **label_style)
        self.color_bar.setImageItem(self.image_item)
        self.graphics.addItem(self.color_bar)

        self._hover = pg.SignalProxy(self.graphics.scene().sigMouseMoved, rateLimit=HOVER_RATE_LIMIT,
                                     slot=self._on_hover)

    def _build_cut(self) -> None:
        self._cut_box = QWidget()
        self.cut_title = QLabel(objectName="landscapeCutTitle", textFormat=Qt.TextFormat.PlainText, wordWrap=True)
        self.cut_title.setStyleSheet(f"color: {TEXT_COLOR};")
        self.cut_title.setContentsMargins(4, 2, 4, 0)
        self.cut_title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.cut_plot = pg.PlotWidget()
        self.cut_plot.setObjectName("landscapeCut")
        style_plot(self.cut_plot, "t (steps along the last update)", "loss")
        item = self.cut_plot.getPlotItem()
        item.getAxis("left").setWidth(48)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.getViewBox().setMouseEnabled(x=False, y=False)
        self.cut_plot.setMinimumHeight(80)
        self.cut_curve = self.cut_plot.plot(pen=pg.mkPen(TEST_COLOR, width=1.5))
        # "before" left of t = 0 and "after" right of t = 1: they never overlap.
        for t, name, anchor in ((0.0, "before", (1, 0)), (1.0, "after", (0, 0))):
            line = pg.InfiniteLine(pos=t, angle=90, pen=pg.mkPen(AXIS_COLOR, width=1, style=Qt.PenStyle.DashLine),
                                   label=name, labelOpts={"position": 0.98, "color": MUTED_TEXT_COLOR,
                                                          "anchors": [anchor, anchor]})
            self.cut_plot.addItem(line)
        self.cut_marks = pg.ScatterPlotItem(size=9)
        self.cut_plot.addItem(self.cut_marks)
        layout = QVBoxLayout(self._cut_box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.cut_title)
        layout.addWidget(self.cut_plot, 1)
        self.cut_title.setText(CUT_TITLE)

    def _set_axis_labels(self, bottom: str, left: str) -> None:
        for side, text in (("bottom", bottom), ("left", left)):
            self.plot_item.setLabel(side, text, **self._label_style)
            self.plot_item.getAxis(side).resizeEvent(None)  # pyqtgraph centres a label only when resized

    # -- what the learner asks for ----------------------------------------------------------
    @property
    def directions(self) -> str:
        return self.directions_combo.currentData()

    @property
    def resolution(self) -> int:
        return self.grid_combo.currentData()

    def request_map(self) -> None:
        """Ask the trainer for a map around the weights now (an unfinished one is dropped)."""
        self._requests += 1
        self._map_pending = self._requests
        self._send("landscape", self._requests, self.directions, self.resolution, 0)
        self._show_caption()

    def _request_cut(self, params: np.ndarray) -> None:
        self._requests += 1
        self._cut_pending = self._requests
        self._cut_params = params
        self._last_cut = time.monotonic()
        self._send("landscape_cut", self._requests)

    def _auto_request(self) -> None:
        """A map on the view's own account, at most every ``min_auto_interval`` seconds."""
        if self._map_pending is not None or not self.isVisible():
            return
        wait = self._last_auto + self.min_auto_interval - time.monotonic()
        if wait > 0:
            if not self._auto_timer.isActive():
                self._auto_timer.start(int(wait * 1000) + 1)
            return
        self._last_auto = time.monotonic()
        self.request_map()

    def _refresh_cut(self) -> None:
        """Ask for the cut of the weights shown unless it is shown (while running, every ``min_cut_interval``)."""
        s = self.latest
        if s is None or self._cut_pending is not None or not self.isVisible():
            return
        params = flat_parameters(s.weights, s.biases)
        cut = self.cut
        if cut is not None and (cut.generation, cut.cycle) == (s.generation, s.cycle) and \
                np.array_equal(params, self._cut_params):
            return
        wait = self._last_cut + self.min_cut_interval - time.monotonic()
        if wait > 0 and s.running:
            if not self._cut_timer.isActive():
                self._cut_timer.start(int(wait * 1000) + 1)
            return
        self._request_cut(params)

    # -- what comes back ---------------------------------------------------------------------
    def show_snapshot(self, s: Snapshot) -> None:
        """Move the current point to ``s``'s weights; ask for a map or a cut when the ones shown no longer fit."""
        previous, self.latest = self.latest, s
        new_run = previous is None or previous.generation != s.generation
        if new_run:
            self._map_pending = self._cut_pending = None  # a restarted trainer never answers them
        if self.map is not None and not self._fits(self.map, s):
            self._clear_map()
        if self.cut is not None and (self.cut.generation != s.generation or new_run):
            self._clear_cut()
        if not self.isVisible():
            return  # opened again, it asks for a map if the weights have moved
        opened, self._opened = self._opened, False
        if self.map is not None:
            self._follow(None if opened else previous, s)
        if self._map_pending is None:
            m = self.map
            moved = m is not None and opened and not np.array_equal(flat_parameters(s.weights, s.biases), m.origin)
            if m is None or moved:
                self.request_map()
            elif self._point is not None and not m.contains(self._point):
                self._auto_request()
            elif m.kind != self.directions and s.cycle - m.cycle >= PCA_RETRY_CYCLES:
                self._auto_request()
        self._refresh_cut()

    def set_map(self, m: LandscapeMap) -> None:
        """Show the map the trainer sent, if it answers the last request and fits the run shown."""
        if m.request != self._map_pending:
            return  # an answer overtaken by a newer request
        self._map_pending = None
        s = self.latest
        if s is not None and not self._fits(m, s):
            if self.isVisible():
                self.request_map()  # the run changed meanwhile
            return
        self.map = m
        self._cycles = np.asarray(m.path_cycles, dtype=np.int64)
        self._points = np.asarray(m.path, dtype=np.float64)
        self._draw_map(m)
        if s is not None:
            self._follow(None, s)
        else:
            self._draw_path()
        self._show_caption()

    def set_cut(self, cut: LandscapeCut) -> None:
        """Show the loss along the last update the trainer sent, if it answers the last request."""
        if cut.request != self._cut_pending:
            return
        self._cut_pending = None
        s = self.latest
        if s is not None and cut.generation != s.generation:
            return
        self.cut = cut
        self.cut_curve.setData(cut.ts, cut.losses)
        at = [int(np.flatnonzero(cut.ts == t)[0]) for t in (0.0, 1.0)]
        self.cut_marks.setData(
            [{"pos": (0.0, cut.losses[at[0]]), "brush": pg.mkBrush("#ffffff"), "pen": pg.mkPen(TEXT_COLOR, width=1.5)},
             {"pos": (1.0, cut.losses[at[1]]), "brush": pg.mkBrush(PATH_COLOR), "pen": pg.mkPen("#ffffff", width=1)}])
        if cut.update_norm == 0:
            self.cut_title.setText(f"No update yet at cycle {cut.cycle}: step once for a line to follow")
        else:
            self.cut_title.setText(
                f"{CUT_TITLE}: {format_number(cut.losses[at[0]], 4)} → {format_number(cut.losses[at[1]], 4)}")
        self.cut_title.setToolTip(
            f"The loss along the update of cycle {cut.cycle} (‖Δθ‖ = {format_number(cut.update_norm, 4)}): "
            "t = 0 is the weights before it, t = 1 the weights after it, t = 2 a step twice as long.")
        finite = cut.losses[np.isfinite(cut.losses)]
        if finite.size:
            low, high = float(finite.min()), float(finite.max())
            span = high - low or abs(high) or 1.0
            # Room above the curve for the labels of t = 0 and t = 1.
            self.cut_plot.setYRange(low - 0.12 * span, high + 0.5 * span, padding=0)

    # -- drawing -------------------------------------------------------------------------
    @staticmethod
    def _fits(m: LandscapeMap, s: Snapshot) -> bool:
        """Whether ``m`` belongs to the run of ``s`` (same generation, same number of parameters)."""
        size = sum(w.size + b.size for w, b in zip(s.weights, s.biases))
        return m.generation == s.generation and m.origin.size == size

    def _clear_map(self) -> None:
        self.map = None
        self._cycles, self._points = np.empty(0, dtype=np.int64), np.empty((0, 2))
        self.image_item.clear()
        for contour in self.contours:
            contour.setData(None)
        for item in (self._path_halo, self.path_item):
            item.setData([], [])
        self.start_item.setData([])
        self.current_item.setData([])
        self._point = None
        self._set_axis_labels("α", "β")
        self._show_caption()

    def _clear_cut(self) -> None:
        self.cut = None
        self.cut_curve.setData([], [])
        self.cut_marks.setData([])
        self.cut_title.setText(CUT_TITLE)

    def _draw_map(self, m: LandscapeMap) -> None:
        shown, (low, high) = _log_levels(m.losses)
        n = len(m.alphas)
        da = (m.alphas[-1] - m.alphas[0]) / (n - 1)
        db = (m.betas[-1] - m.betas[0]) / (n - 1)
        self.image_item.setImage(shown, levels=(low, high), autoLevels=False)
        self.image_item.setRect(QRectF(m.alphas[0] - da / 2, m.betas[0] - db / 2, n * da, n * db))
        contoured = np.where(np.isnan(shown), high, shown)
        for contour, level in zip(self.contours, np.linspace(low, high, _CONTOUR_LEVELS + 2)[1:-1]):
            contour.setData(contoured, level)
        self.color_bar.setLevels((low, high))
        self.color_bar.axis.setTicks([_decade_ticks(low, high)])
        self.plot_item.setXRange(m.alphas[0] - da / 2, m.alphas[-1] + da / 2, padding=0)
        self.plot_item.setYRange(m.betas[0] - db / 2, m.betas[-1] + db / 2, padding=0)
        if m.kind == "pca":
            share = [f"{100 * v:.1f}%" for v in m.explained]
            self._set_axis_labels(f"α (PC1, {share[0]})", f"β (PC2, {share[1]})")
        else:
            self._set_axis_labels("α (random 1)", "β (random 2)")

    def _follow(self, previous: Snapshot | None, s: Snapshot) -> None:
        """Put ``s``'s weights on the map: the current point, and the path up to the cycle shown."""
        m = self.map
        if previous is not None and previous.rewound and not s.rewound and s.cycle != previous.timeline[1]:
            self._keep_cycles_up_to(previous.cycle)  # training went on from the cycle shown: a new branch
        params = flat_parameters(s.weights, s.biases)
        point = plane_coordinates(m.origin, m.axes, params)
        self._point = point
        if not s.rewound:
            self._keep_cycles_up_to(s.cycle)
        if len(self._cycles) and self._cycles[-1] == s.cycle:
            self._points[-1] = point  # the same cycle, perhaps an edited weight
        elif not len(self._cycles) or self._cycles[-1] < s.cycle:
            self._cycles = np.append(self._cycles, s.cycle)
            self._points = np.vstack([self._points, point])
        self._draw_path()

    def _keep_cycles_up_to(self, cycle: int) -> None:
        keep = self._cycles <= cycle
        self._cycles, self._points = self._cycles[keep], self._points[keep]

    def _draw_path(self) -> None:
        """The path up to the cycle shown (a rewind hides the rest, kept for scrubbing forward)."""
        s = self.latest
        shown = self._cycles <= s.cycle if s is not None else np.ones(len(self._cycles), bool)
        cycles, points = self._cycles[shown], self._points[shown]
        if s is not None and self._point is not None:
            points = np.vstack([points[cycles < s.cycle], self._point])
        for item in (self._path_halo, self.path_item):
            item.setData(points[:, 0], points[:, 1])
        self.start_item.setData(points[:1, 0], points[:1, 1])
        self.current_item.setData(points[-1:, 0], points[-1:, 1])

    def _show_caption(self, hover: str | None = None) -> None:
        m = self.map
        if hover:
            text = hover
        elif self._map_pending is not None and m is None:
            text = "Mapping the loss around the weights…"
        elif m is None:
            text = "The loss around the weights, with the path the descent took."
        else:
            text = f"Cycle {m.cycle} · loss {format_number(m.loss, 4)} · path from ○ to ● now"
            if m.note:
                text = f"{m.note} {text}"
        self.caption.setText(text)

    def _on_hover(self, event) -> None:
        m = self.map
        position = event[0]
        view = self.plot_item.getViewBox()
        if m is None or not view.sceneBoundingRect().contains(position):
            self._show_caption()
            return
        at = view.mapSceneToView(position)
        n = len(m.alphas)
        j = int(np.clip(np.rint((at.x() - m.alphas[0]) / (m.alphas[-1] - m.alphas[0]) * (n - 1)), 0, n - 1))
        i = int(np.clip(np.rint((at.y() - m.betas[0]) / (m.betas[-1] - m.betas[0]) * (n - 1)), 0, n - 1))
        self._show_caption(f"α {format_number(m.alphas[j], 3)}, β {format_number(m.betas[i], 3)}: "
                           f"loss {format_number(m.losses[i, j], 4)}")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """Opened: a map if the weights have moved since the one shown (the window hands every snapshot over)."""
        super().showEvent(event)
        self._opened = True
        if self.latest is not None:
            self.show_snapshot(self.latest)


class LandscapeDock(QDockWidget):
    """The landscape as a dock of the main window, on its right and hidden until View › Loss landscape.

    A dock rather than a seventh heatmap tab: six tabs fill their bar from 1366 pixels up.
    Like the guide, on a narrow screen it may take the side panel's room; then it offers
    the training actions above the view (``show_training_actions``).

    Attributes
    ----------
    view
        The ``LandscapeView`` (objectName ``landscapeView``).
    training_row
        Buttons for the actions given to ``add_training_actions``, hidden unless shown.
    """

    def __init__(self, window: QMainWindow, send: Callable[..., None]) -> None:
        super().__init__(DOCK_TITLE, window)
        self.setObjectName("landscapeDock")
        self.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.view = LandscapeView(send)
        self.training_row = ActionRow("landscapeTrainingRow", "landscape_")
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.training_row)
        layout.addWidget(self.view, 1)
        self.setWidget(content)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self)
        self.hide()
        self._sized = False
        self.visibilityChanged.connect(self._size_once)

    def _size_once(self, visible: bool) -> None:
        """Its first opening: about a third of the window (a dock otherwise opens at its minimum)."""
        window = self.parentWidget()
        if visible and not self._sized and isinstance(window, QMainWindow) and not self.isFloating():
            self._sized = True
            width = max(DOCK_MIN_WIDTH, min(DOCK_WIDTH, int(window.width() * 0.3)))
            # After the window's own answer to the opening (a narrow one folds its side panel away).
            QTimer.singleShot(0, lambda: window.resizeDocks([self], [width], Qt.Orientation.Horizontal))

    def add_training_actions(self, actions) -> None:
        """Buttons for these actions (Step, Run…) above the view, shown on demand."""
        self.training_row.add_actions(actions)

    def show_training_actions(self, visible: bool) -> None:
        self.training_row.setVisible(visible)

