"""A network's heatmaps are built before its first batch, so the first Step or Run does not freeze on them."""

from __future__ import annotations

from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession
from nnstudio.ui.plotting.layer_heatmaps import LayerHeatmaps


def test_the_heatmaps_are_ready_before_the_first_batch_and_are_the_ones_shown(qtbot):
    session = TrainingSession(SessionConfig(data=DataSpec("spiral"), hidden=(8, 8, 8),
                                            activations=("tanh", "tanh", "tanh", "sigmoid")))
    widget = LayerHeatmaps(kind="activations")
    qtbot.addWidget(widget)
    widget.resize(600, 300)
    widget.show()
    widget.show_snapshot(session.snapshot())  # cycle 0: nothing to show yet
    assert widget.is_unavailable()
    qtbot.waitUntil(lambda: len(widget.heatmaps) == 4, timeout=5000)
    built = widget.heatmaps
    assert not any(heatmap.isVisible() for heatmap in built)  # the message stands meanwhile
    session.step("cycle", 1)
    widget.show_snapshot(session.snapshot())
    assert not widget.is_unavailable()
    assert all(a is b for a, b in zip(widget.heatmaps, built)) and len(widget.heatmaps) == 4
    assert all(heatmap.isVisible() for heatmap in widget.heatmaps)


def test_a_new_shape_before_its_first_batch_gets_its_own_count(qtbot):
    widget = LayerHeatmaps(kind="deltas")
    qtbot.addWidget(widget)
    widget.show()
    widget.show_snapshot(TrainingSession(SessionConfig(hidden=(4, 4), activations=("tanh",) * 3)).snapshot())
    qtbot.waitUntil(lambda: len(widget.heatmaps) == 3, timeout=5000)
    widget.show_snapshot(TrainingSession(SessionConfig(hidden=(4,), activations=("tanh",) * 2)).snapshot())
    qtbot.waitUntil(lambda: len(widget.heatmaps) == 2, timeout=5000)
    assert widget.is_unavailable()
