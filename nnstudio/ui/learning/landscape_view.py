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

The map is drawn by ``landscape_map``, the cut by ``landscape_cut``; this view asks for them and follows
the snapshots.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from nnstudio.engine.run.landscape_session import LandscapeCut, LandscapeMap, flat_parameters, plane_coordinates
from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.learning.landscape_cut import LossCutPlot
from nnstudio.ui.learning.landscape_map import LossMapPlot
from nnstudio.ui.plotting.colormaps import MUTED_TEXT_COLOR
from nnstudio.ui.plotting.hover import HOVER_RATE_LIMIT
from nnstudio.ui.plotting.numbers import format_number

__all__ = ["DIRECTIONS", "GRID_SIZES", "LandscapeView"]

#: The grid resolutions offered; the middle one is the default.
GRID_SIZES = (21, 41, 81)
#: (kind sent to the trainer, what the learner reads).
DIRECTIONS = (("pca", "Path PCA"), ("random", "Random"))
#: A map that fell back to random directions is asked again after this many cycles (PCA may work by then).
PCA_RETRY_CYCLES = 16
MIN_WIDTH = 200


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
    map_plot
        The map with the path and the current point (``LossMapPlot``).
    cut_plot
        The loss along the last update against t (``LossCutPlot``).
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

        self.map_plot = LossMapPlot()
        self._hover = pg.SignalProxy(self.map_plot.scene().sigMouseMoved, rateLimit=HOVER_RATE_LIMIT,
                                     slot=self._on_hover)
        self.cut_plot = LossCutPlot()
        tick_font = self.map_plot.tick_font
        for label in (self.caption, self.cut_plot.title):
            font = QFont(tick_font)
            font.setPointSizeF(tick_font.pointSizeF() + 0.5)
            label.setFont(font)

        controls = QHBoxLayout()
        controls.setContentsMargins(4, 2, 4, 0)
        self.grid_combo.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        controls.addWidget(self.directions_combo, 1)
        controls.addWidget(self.grid_combo)
        controls.addWidget(self.recompute_button)
        self.splitter = QSplitter(Qt.Orientation.Vertical, objectName="landscapeSplitter")
        self.splitter.addWidget(self.map_plot)
        self.splitter.addWidget(self.cut_plot)
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
            elif (self._point is not None and not m.contains(self._point)) or (
                m.kind != self.directions and s.cycle - m.cycle >= PCA_RETRY_CYCLES
            ):
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
        self.map_plot.draw_map(m)
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
        self.cut_plot.draw_cut(cut)

    # -- drawing -------------------------------------------------------------------------
    @staticmethod
    def _fits(m: LandscapeMap, s: Snapshot) -> bool:
        """Whether ``m`` belongs to the run of ``s`` (same generation, same number of parameters)."""
        size = sum(w.size + b.size for w, b in zip(s.weights, s.biases))
        return m.generation == s.generation and m.origin.size == size

    def _clear_map(self) -> None:
        self.map = None
        self._cycles, self._points = np.empty(0, dtype=np.int64), np.empty((0, 2))
        self.map_plot.clear_map()
        self._point = None
        self._show_caption()

    def _clear_cut(self) -> None:
        self.cut = None
        self.cut_plot.clear_cut()

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
        self.map_plot.draw_path(points)

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
        cell = None if m is None else self.map_plot.grid_point_at(event[0], m)
        if cell is None:
            self._show_caption()
            return
        i, j = cell
        self._show_caption(f"α {format_number(m.alphas[j], 3)}, β {format_number(m.betas[i], 3)}: "
                           f"loss {format_number(m.losses[i, j], 4)}")

    def showEvent(self, event) -> None:
        """Opened: a map if the weights have moved since the one shown (the window hands every snapshot over)."""
        super().showEvent(event)
        self._opened = True
        if self.latest is not None:
            self.show_snapshot(self.latest)
