"""The loss landscape view under test: a session answering its requests as the trainer does, and what it draws."""

from __future__ import annotations

import numpy as np

from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.session import TrainingSession
from nnstudio.ui.learning.landscape_view import LandscapeView


class LandscapeTrainer:
    """A session answering the view's requests the way the trainer's process does, on demand."""

    def __init__(self):
        self.session = TrainingSession(SessionConfig())
        self.sent = []

    def send(self, name, *args):
        self.sent.append((name, args))

    def requests(self, name="landscape"):
        return [args for sent, args in self.sent if sent == name]

    def answer(self, view):
        """Answer every request sent so far, in order."""
        sent, self.sent = self.sent, []
        for name, args in sent:
            if name == "landscape":
                job = self.session.start_landscape(*args)
                while not job.advance(0.0):
                    pass
                view.set_map(job.result())
            else:
                view.set_cut(self.session.landscape_cut(*args))

    def snapshot(self):
        return self.session.snapshot()

    def show(self, view, cycles=0):
        """Train ``cycles`` more (if any) and hand the view the snapshot, as the window does after each."""
        if cycles:
            self.session.step("cycle", cycles)
        view.show_snapshot(self.snapshot())

    def mapped(self, view, cycles=0):
        """Train ``cycles`` more, show the snapshot and answer what the view asks: the map it then shows."""
        self.show(view, cycles)
        self.answer(view)
        return view.map


def open_view(qtbot):
    """A shown view that asks for maps and cuts without waiting, and the trainer answering it."""
    trainer = LandscapeTrainer()
    view = LandscapeView(trainer.send)
    view.min_auto_interval = 0.0
    view.min_cut_interval = 0.0
    qtbot.addWidget(view)
    view.resize(420, 420)
    view.show()
    qtbot.waitExposed(view)
    return view, trainer


def path_shown(view):
    x, y = view.map_plot.path_item.getData()
    return np.empty((0, 2)) if x is None else np.column_stack([x, y])


def current_point(view):
    x, y = view.map_plot.current_item.getData()
    assert len(x) == 1
    return np.array([x[0], y[0]])


def projected(session, m):
    """The session's weights on ``m``'s plane: PCA axes are orthonormal, so the offset projected on them."""
    return (session.network.flat - m.origin) @ m.axes.T
