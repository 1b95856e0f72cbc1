"""The landscape's cut: the loss along the last update, its ends read before and after the step."""

import numpy as np
import pytest
from support.landscape import open_view

from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.session import TrainingSession


def test_the_cut_shows_the_loss_before_and_after_the_last_step(qtbot):
    view, trainer = open_view(qtbot)
    trainer.mapped(view, 30)
    cut, plot = view.cut, view.cut_plot
    t, loss = plot.curve.getData()
    assert np.array_equal(t, cut.ts) and np.array_equal(loss, cut.losses)
    x, y = plot.marks.getData()
    earlier = TrainingSession(SessionConfig())
    earlier.step("cycle", 29)
    assert x.tolist() == [0.0, 1.0]
    assert y[0] == pytest.approx(earlier.trainer.evaluate(record=False).train_loss, rel=1e-12)
    assert y[1] == pytest.approx(trainer.session.trainer.evaluate(record=False).train_loss, rel=1e-12)
    assert plot.title.text().startswith("The loss the step sees")
    trainer.show(view, 1)
    assert trainer.requests("landscape_cut"), "a new cycle asks for its cut"
