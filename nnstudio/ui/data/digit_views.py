"""The 8x8 digits view: the current sample with its class probabilities, beside a pad to draw on.

Pixels follow the convention of :mod:`nnstudio.ui.data.digit_pad` (``p{r * 8 + c}``, ink 0..16);
the sample image, like the pad, is drawn white paper, black ink.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGridLayout, QLabel, QPushButton, QWidget

from nnstudio.ui.data.digit_pad import DIGIT_SIDE, MAX_INK, DrawPad, image_8x8
from nnstudio.ui.plotting.axis_style import style_axes
from nnstudio.ui.plotting.colormaps import (
    AXIS_COLOR,
    BACKGROUND,
    CLASS_COLORS,
    MUTED_TEXT_COLOR,
    TEST_COLOR,
    TEXT_COLOR,
)

__all__ = ["DigitView", "title_label"]

_BAR_COLOR = "#c4c7cc"
_LABEL_ROOM = 0.3  # x range beyond probability 1, for the bar labels
_PREDICTED_COLOR = CLASS_COLORS[1]
_WRONG_COLOR = TEST_COLOR


def title_label(text: str, parent: QWidget | None = None) -> QLabel:
    """A centred, bold caption above a view (shared by the insight views)."""
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet(f"color: {TEXT_COLOR};")
    return label


def _probabilities(probabilities: object) -> np.ndarray:
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 1 or p.size < 2:
        raise ValueError(f"probabilities must have shape (k,) with k >= 2, got {p.shape}")
    return np.nan_to_num(p, nan=0.0)


def _verdict(prefix: str, probabilities: np.ndarray) -> str:
    best = int(np.argmax(probabilities))
    return f"{prefix}: {best} ({probabilities[best] * 100:.0f}%)"


class DigitView(QWidget):
    """The current digit, the network's class probabilities for it, and a pad to try your own.

    Left: the sample as an 8x8 greyscale image (white paper, black ink, row 0 at
    the top) titled "sample — true: 7". Middle: one horizontal bar per class,
    class 0 at the top, the predicted class highlighted (blue, or orange when it
    is wrong), titled "predicted: 7 (93%)". Right: a :class:`DrawPad` with its
    own read-out "you drew: 3 (88%)" and a Clear button.

    Signals
    -------
    sig_pad_changed(object)
        The pad's pixels, (64,) float64 0..16 row-major (``p0..p63``): while and
        after each stroke, and (all zeros) on Clear. Classify them and pass the
        probabilities to :meth:`set_pad_probabilities`.

    Attributes
    ----------
    sample_title, prediction_title, pad_title : QLabel
        The three captions.
    sample_plot : pyqtgraph.GraphicsLayoutWidget
        Holds ``sample_view`` (ViewBox, y inverted) with ``sample_image``.
    sample_image : pyqtgraph.ImageItem
        Row-major, levels (0, 16), white-to-black lookup table.
    probability_plot : pyqtgraph.PlotWidget
        Holds ``probability_bars``.
    probability_bars : pyqtgraph.BarGraphItem
        Bar ``i`` at y = i, width = probability of class i.
    draw_pad : DrawPad
        objectName ``"digitDrawPad"``.
    pad_clear_button : QPushButton
        objectName ``"digitPadClearButton"``.
    """

    sig_pad_changed = Signal(object)  # ndarray (64,) float64 0..16, row-major

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("digitView")
        self.sample_title = title_label("sample", self)
        self.prediction_title = title_label("predicted: \u2014", self)
        self.pad_title = title_label("you drew: \u2014", self)

        self.sample_plot = pg.GraphicsLayoutWidget(self)
        self.sample_plot.setBackground(BACKGROUND)
        self.sample_plot.ci.setContentsMargins(6, 6, 6, 6)
        self.sample_view = self.sample_plot.addViewBox(lockAspect=True, invertY=True, enableMouse=False,
                                                       enableMenu=False)
        self.sample_image = pg.ImageItem(axisOrder="row-major")
        grey = np.linspace(255, 0, 256).round().astype(np.uint8)  # 0 = white paper, 16 = black ink
        self.sample_image.setLookupTable(np.column_stack((grey, grey, grey)))
        self.sample_image.setImage(np.zeros((DIGIT_SIDE, DIGIT_SIDE), dtype=np.float32), levels=(0.0, MAX_INK))
        self.sample_view.addItem(self.sample_image)
        # a frame around the image itself (a view box border would also frame the spare width)
        frame = QGraphicsRectItem(0, 0, DIGIT_SIDE, DIGIT_SIDE)
        frame_pen = QPen(QColor(AXIS_COLOR), 1)
        frame_pen.setCosmetic(True)
        frame.setPen(frame_pen)
        self.sample_view.addItem(frame)
        self.sample_view.setRange(xRange=(0, DIGIT_SIDE), yRange=(0, DIGIT_SIDE), padding=0)
        self.sample_plot.setMinimumSize(112, 112)

        self.probability_plot = pg.PlotWidget(self, background=BACKGROUND)
        item = self.probability_plot.getPlotItem()
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.invertY(True)  # class 0 at the top, as in a list
        (left,) = style_axes(item, ("left",))
        left.setStyle(tickLength=0)  # tick marks would run into the small bars' labels
        item.hideAxis("bottom")  # each bar is labelled with its percentage instead
        # room right of a full bar for its "100%" label
        item.setXRange(0.0, 1.0 + _LABEL_ROOM, padding=0)
        self.probability_bars = pg.BarGraphItem(x0=0.0, y=np.arange(10), height=0.72, width=np.zeros(10),
                                                brushes=[_BAR_COLOR] * 10, pen=None)
        item.addItem(self.probability_bars)
        self.probability_texts: list[pg.TextItem] = []
        self._set_class_count(10)
        self.probability_plot.setMinimumSize(120, 112)

        self.draw_pad = DrawPad(self)
        self.pad_clear_button = QPushButton("Clear", self, objectName="digitPadClearButton",
                                            toolTip="Wipe the pad.")

        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for col, (title, widget) in enumerate(((self.sample_title, self.sample_plot),
                                               (self.prediction_title, self.probability_plot),
                                               (self.pad_title, self.draw_pad))):
            grid.addWidget(title, 0, col)
            grid.addWidget(widget, 1, col)
            grid.setColumnStretch(col, 1)
        grid.addWidget(self.pad_clear_button, 2, 2, Qt.AlignmentFlag.AlignHCenter)
        grid.setRowStretch(1, 1)

        self.draw_pad.sig_pixels_changed.connect(self.sig_pad_changed)
        self.pad_clear_button.clicked.connect(self._on_clear_clicked)

    def _set_class_count(self, k: int) -> None:
        item = self.probability_plot.getPlotItem()
        item.getAxis("left").setTicks([[(i, str(i)) for i in range(k)]])
        item.setYRange(-0.6, k - 0.4, padding=0)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
        while len(self.probability_texts) < k:  # grow once; later samples reuse the items
            text = pg.TextItem(anchor=(0.0, 0.5), color=MUTED_TEXT_COLOR)
            text.setFont(font)
            item.addItem(text)
            self.probability_texts.append(text)
        for i, text in enumerate(self.probability_texts):
            text.setText("")
            text.setVisible(i < k)

    # ------------------------------------------------------------------ API

    def set_sample(self, image: object, probabilities: Sequence[float] | np.ndarray | None,
                   true_label: int | None = None) -> None:
        """Show a sample and the network's class probabilities for it.

        Parameters
        ----------
        image : array, shape (8, 8) or (64,)
            Intensities 0..16 (clipped), row-major: pixel (r, c) is drawn at row r
            from the top, column c from the left.
        probabilities : array, shape (k,), or None
            The network's output for the sample, one probability per class; None
            shows no prediction.
        true_label : int or None
            The sample's class, shown in the caption when known.

        Raises
        ------
        ValueError
            An image of another size, or probabilities that are not a (k >= 2,) vector.
        """
        pixels = image_8x8(image, "image")
        probs = None if probabilities is None else _probabilities(probabilities)
        self.sample_image.setImage(pixels.astype(np.float32), levels=(0.0, MAX_INK), autoLevels=False)
        self.sample_title.setText("sample" if true_label is None else f"sample \u2014 true: {int(true_label)}")
        if probs is None:
            self.probability_bars.setOpts(width=np.zeros(len(self.probability_bars.opts["y"])))
            for text in self.probability_texts:
                text.setText("")
            self.prediction_title.setText("predicted: \u2014")
            return
        k = probs.size
        if k != len(self.probability_bars.opts["y"]):
            self._set_class_count(k)
        predicted = int(np.argmax(probs))
        wrong = true_label is not None and predicted != int(true_label)
        brushes = [_BAR_COLOR] * k
        brushes[predicted] = _WRONG_COLOR if wrong else _PREDICTED_COLOR
        widths = np.clip(probs, 0.0, 1.0)
        self.probability_bars.setOpts(y=np.arange(k), width=widths, brushes=brushes)
        for i, (text, p) in enumerate(zip(self.probability_texts, widths)):
            # below 1% a label would only clutter the chart
            text.setText(f"{p * 100:.0f}%" if p >= 0.01 else "")
            text.setColor(TEXT_COLOR if i == predicted else MUTED_TEXT_COLOR)
            text.setPos(p + 0.02, i)
        self.prediction_title.setText(_verdict("predicted", probs))

    def set_pad_probabilities(self, probabilities: Sequence[float] | np.ndarray | None) -> None:
        """Show the network's verdict on the pad ("you drew: 3 (88%)"), or a dash for None."""
        if probabilities is None:
            self.pad_title.setText("you drew: \u2014")
            return
        self.pad_title.setText(_verdict("you drew", _probabilities(probabilities)))

    def pad_pixels(self) -> np.ndarray:
        """The pad's pixels, (64,) float64 0..16, row-major."""
        return self.draw_pad.pixels()

    def set_pad_pixels(self, pixels: object) -> None:
        """Put ``pixels`` ((64,) or (8, 8)) on the pad without emitting."""
        self.draw_pad.set_pixels(pixels)

    def clear_pad(self) -> None:
        """Wipe the pad and its read-out without emitting."""
        self.draw_pad.clear()
        self.set_pad_probabilities(None)

    def _on_clear_clicked(self) -> None:
        self.clear_pad()
        self.sig_pad_changed.emit(self.pad_pixels())
