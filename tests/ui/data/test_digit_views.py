"""The digits pad classifies what a learner draws like the test digits, strokes and all."""

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from nnstudio.engine.nn.network import Network
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig

TIMEOUT = 60_000
#: The shipped digits example (resources/examples/make_examples.py), trained as its README says.
DIGITS = SessionConfig(data=DataSpec("digits", test_fraction=0.2, seed=0), hidden=(32,),
                       activations=("tanh", "softmax"), loss="cross_entropy",
                       hyper=Hyperparameters(learning_rate=0.1), batch_size=32, seed=0)
CYCLES = 2000

_T = np.linspace(0.0, 2.0 * np.pi, 60)
#: Strokes in pad cells (x from the left, y from the top, 0..8), as a hand draws them:
#: a 0 as one oval filling the pad's height and most of its width; a 1 as a vertical line.
STROKES = {
    0: [np.column_stack([4 + 2.6 * np.sin(_T), 4 - 3.3 * np.cos(_T)])],
    1: [np.column_stack([np.linspace(4.5, 3.5, 20), np.linspace(0.6, 7.4, 20)])],
}


def draw(pad, strokes):
    """Drag the mouse along each stroke, as a learner paints with the left button."""
    rect = pad.grid_rect()
    cell = rect.width() / 8

    def at(point):
        return QPointF(rect.left() + point[0] * cell, rect.top() + point[1] * cell).toPoint()

    for points in strokes:
        QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(points[0]))
        for point in points[1:]:
            QTest.mouseMove(pad, at(point))
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at(points[-1]))


def test_drawn_digits_are_classified_as_drawn(make_window, qtbot):
    """After the digits example's 2,000 cycles the pad reads a drawn 0 as 0 and a drawn 1 as 1.

    The 0 touches the outer columns, where the training digits almost never have ink: with
    their tiny spread its raw standardised pixels reach |z| > 50, which made it a "7".
    """
    window = make_window(DIGITS)
    window.send("step", "cycle", CYCLES)
    qtbot.waitUntil(lambda: window.latest.cycle == CYCLES, timeout=TIMEOUT)
    window._draw_pending()
    view = window.insight_stack.digit_view
    pad = view.draw_pad
    pad.resize(160, 160)
    data = window.data.data
    network = Network(window.latest.spec, window.latest.weights, window.latest.biases)
    for digit, strokes in STROKES.items():
        view.clear_pad()
        draw(pad, strokes)
        qtbot.waitUntil(lambda: view.pad_title.text() != "you drew: \u2014", timeout=TIMEOUT)
        title = view.pad_title.text()
        assert title.startswith(f"you drew: {digit} ("), title
        assert int(title.split("(")[1].rstrip("%)")) >= 50
        if digit == 0:
            raw = (pad.pixels() - data.mean) / data.std
            assert np.abs(raw).max() > 50  # the drawing does reach the near-blank pixels
            assert int(np.argmax(network.predict(raw[None])[0])) != 0  # and unclipped they mislead
