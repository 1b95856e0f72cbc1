"""The loss landscape view: the map and the path it shows, the point that follows training, the maps it asks for."""

import numpy as np
import pytest
from PySide6.QtWidgets import QToolButton

from nnstudio.engine.run.config import SessionConfig
from nnstudio.engine.run.session import TrainingSession
from nnstudio.ui.learning.landscape_view import LandscapeView

TIMEOUT = 20_000


class Trainer:
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


@pytest.fixture
def shown(qtbot):
    trainer = Trainer()
    view = LandscapeView(trainer.send)
    view.min_auto_interval = 0.0
    view.min_cut_interval = 0.0
    qtbot.addWidget(view)
    view.resize(420, 420)
    view.show()
    qtbot.waitExposed(view)
    return view, trainer


def path_shown(view):
    x, y = view.path_item.getData()
    return np.empty((0, 2)) if x is None else np.column_stack([x, y])


def current(view):
    x, y = view.current_item.getData()
    assert len(x) == 1
    return np.array([x[0], y[0]])


def test_the_map_and_the_path_are_drawn_as_the_trainer_sent_them(shown):
    view, trainer = shown
    trainer.session.step("cycle", 200)
    view.show_snapshot(trainer.snapshot())
    assert trainer.requests() == [(1, "pca", 41, 0)]
    trainer.answer(view)
    m = view.map
    assert m is not None and m.kind == "pca" and m.cycle == 200
    with np.errstate(divide="ignore"):
        assert np.allclose(view.image_item.image, np.log10(m.losses), equal_nan=True)
    # Each grid point is the centre of its pixel: the image spans half a cell beyond the first and last α, β.
    rect = view.image_item.mapRectToParent(view.image_item.boundingRect())
    da, db = m.alphas[1] - m.alphas[0], m.betas[1] - m.betas[0]
    assert rect.left() == pytest.approx(m.alphas[0] - da / 2) and rect.right() == pytest.approx(m.alphas[-1] + da / 2)
    assert rect.top() == pytest.approx(m.betas[0] - db / 2) and rect.bottom() == pytest.approx(m.betas[-1] + db / 2)
    assert np.allclose(path_shown(view), m.path)
    assert np.allclose(current(view), [0.0, 0.0], atol=1e-12)
    x, y = view.start_item.getData()
    assert (x[0], y[0]) == pytest.approx(tuple(m.path[0]))
    bottom, left = (view.plot_item.getAxis(side).labelText for side in ("bottom", "left"))
    assert "PC1" in bottom and f"{100 * m.explained[0]:.1f}%" in bottom
    assert "PC2" in left and f"{100 * m.explained[1]:.1f}%" in left
    low, high = view.color_bar.levels()
    assert low == pytest.approx(np.log10(m.losses.min())) and high == pytest.approx(np.log10(m.losses.max()))


def test_the_current_point_follows_training_and_the_path_grows(shown):
    view, trainer = shown
    trainer.session.step("cycle", 200)
    view.show_snapshot(trainer.snapshot())
    trainer.answer(view)
    m = view.map
    for _ in range(3):
        trainer.session.step("cycle", 5)
        view.show_snapshot(trainer.snapshot())
        # PCA axes are orthonormal: the point's (α, β) is its offset projected on them.
        expected = (trainer.session.network.flat - m.origin) @ m.axes.T
        assert np.allclose(current(view), expected, atol=1e-12)
    assert len(path_shown(view)) == len(m.path) + 3
    assert np.allclose(path_shown(view)[: len(m.path)], m.path)


def test_a_rewind_shows_the_path_up_to_the_cycle_shown_and_the_point_there(shown):
    view, trainer = shown
    trainer.session.step("cycle", 200)
    view.show_snapshot(trainer.snapshot())
    trainer.answer(view)
    m = view.map
    trainer.session.rewind(100)
    view.show_snapshot(trainer.snapshot())
    kept = m.path[m.path_cycles < 100]
    assert np.allclose(path_shown(view)[:-1], kept)
    expected = (trainer.session.network.flat - m.origin) @ m.axes.T
    assert np.allclose(current(view), expected, atol=1e-12)
    # Scrubbing forward again shows the whole path once more.
    trainer.session.rewind(200)
    view.show_snapshot(trainer.snapshot())
    assert np.allclose(path_shown(view), m.path)


def test_continuing_from_a_rewound_cycle_drops_the_path_beyond_it(shown):
    view, trainer = shown
    trainer.session.step("cycle", 200)
    view.show_snapshot(trainer.snapshot())
    trainer.answer(view)
    m = view.map
    trainer.session.rewind(100)
    view.show_snapshot(trainer.snapshot())
    trainer.session.step("cycle", 50)  # a new branch from 100 (the same weights: training is deterministic)
    view.show_snapshot(trainer.snapshot())
    cycles = view._cycles
    assert cycles.tolist() == [c for c in m.path_cycles.tolist() if c <= 100] + [150]


def test_the_view_asks_for_a_map_when_shown_and_not_again_while_one_is_awaited(shown):
    view, trainer = shown
    view.show_snapshot(trainer.snapshot())
    view.show_snapshot(trainer.snapshot())
    assert trainer.requests() == [(1, "pca", 41, 0)]
    assert trainer.requests("landscape_cut") == [(2,)]


def test_a_hidden_view_asks_for_nothing(qtbot):
    trainer = Trainer()
    view = LandscapeView(trainer.send)
    qtbot.addWidget(view)
    view.show_snapshot(trainer.snapshot())
    assert trainer.sent == []


def test_recompute_and_the_choices_ask_for_new_maps(shown):
    view, trainer = shown
    view.show_snapshot(trainer.snapshot())
    trainer.answer(view)
    view.recompute_button.click()
    view.grid_combo.setCurrentIndex(view.grid_combo.findData(81))
    view.directions_combo.setCurrentIndex(view.directions_combo.findData("random"))
    assert trainer.requests() == [(3, "pca", 41, 0), (4, "pca", 81, 0), (5, "random", 81, 0)]


def test_an_answer_overtaken_by_a_newer_request_is_not_shown(shown):
    view, trainer = shown
    view.show_snapshot(trainer.snapshot())
    first = trainer.sent[0]
    view.recompute_button.click()
    trainer.sent = [first]  # only the old request is answered
    trainer.answer(view)
    assert view.map is None


def test_the_point_leaving_the_map_asks_for_a_new_one(shown):
    view, trainer = shown
    view.directions_combo.setCurrentIndex(view.directions_combo.findData("random"))
    trainer.sent.clear()
    view.show_snapshot(trainer.snapshot())
    trainer.answer(view)
    assert view.map.kind == "random"
    trainer.session.step("cycle", 1)
    view.show_snapshot(trainer.snapshot())
    assert view.map.contains(current(view)) and trainer.requests() == []
    trainer.sent.clear()
    # A weight pushed far out: the point leaves the map, and a map around it is asked for.
    trainer.session.set_weight(0, 0, 0, 50.0)
    view.show_snapshot(trainer.snapshot())
    assert not view.map.contains(current(view))
    assert len(trainer.requests()) == 1
    view.show_snapshot(trainer.snapshot())
    assert len(trainer.requests()) == 1  # asked once, not every frame


def test_opening_the_view_asks_for_a_map_only_if_the_weights_moved(shown, qtbot):
    """The window hands every snapshot over, shown or hidden; opened again, the view maps the weights if they moved."""
    view, trainer = shown
    view.show_snapshot(trainer.snapshot())
    trainer.answer(view)
    view.hide()
    view.show_snapshot(trainer.snapshot())
    view.show()
    assert trainer.requests() == []
    view.hide()
    trainer.session.step("cycle", 3)
    view.show_snapshot(trainer.snapshot())
    assert trainer.sent == []  # hidden: nothing asked
    view.show()
    assert [args[1:] for args in trainer.requests()] == [("pca", 41, 0)]


def test_a_map_that_fell_back_to_random_directions_is_asked_again_once_pca_can_work(shown):
    view, trainer = shown
    view.show_snapshot(trainer.snapshot())
    trainer.answer(view)
    assert view.map.kind == "random" and "PCA needs 3" in view.caption.text()
    trainer.session.step("cycle", 20)
    view.show_snapshot(trainer.snapshot())
    assert len(trainer.requests()) == 1
    trainer.answer(view)
    assert view.map.kind == "pca" and "PCA" not in view.caption.text()


def test_a_new_run_clears_the_map_and_asks_again(shown):
    view, trainer = shown
    trainer.session.step("cycle", 40)
    view.show_snapshot(trainer.snapshot())
    trainer.answer(view)
    assert view.map is not None and view.cut is not None
    trainer.session.reset(2)
    view.show_snapshot(trainer.snapshot())
    assert view.map is None and view.cut is None
    assert view.image_item.image is None and len(path_shown(view)) == 0
    assert trainer.requests() == [(3, "pca", 41, 0)]


def test_the_cut_shows_the_loss_before_and_after_the_last_step(shown):
    view, trainer = shown
    trainer.session.step("cycle", 30)
    view.show_snapshot(trainer.snapshot())
    trainer.answer(view)
    cut = view.cut
    t, loss = view.cut_curve.getData()
    assert np.array_equal(t, cut.ts) and np.array_equal(loss, cut.losses)
    x, y = view.cut_marks.getData()
    earlier = TrainingSession(SessionConfig())
    earlier.step("cycle", 29)
    assert x.tolist() == [0.0, 1.0]
    assert y[0] == pytest.approx(earlier.trainer.evaluate(record=False).train_loss, rel=1e-12)
    assert y[1] == pytest.approx(trainer.session.trainer.evaluate(record=False).train_loss, rel=1e-12)
    assert view.cut_title.text().startswith("The loss the step sees")
    trainer.session.step("cycle", 1)
    view.show_snapshot(trainer.snapshot())
    assert trainer.requests("landscape_cut"), "a new cycle asks for its cut"


@pytest.mark.slow
def test_in_the_window_the_landscape_dock_gets_its_map_from_the_trainer(make_window, qtbot):
    window = make_window()
    window.controls.step_count_spin.setValue(120)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: window.latest.cycle == 120, timeout=TIMEOUT)
    title = window.windowTitle()
    window.landscape_action.trigger()
    view = window.landscape_view
    qtbot.waitUntil(window.landscape_dock.isVisible, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: view.map is not None and view.cut is not None, timeout=TIMEOUT)
    assert view.map.kind == "pca" and view.map.cycle == 120 and view.cut.cycle == 120
    assert window.windowTitle() == title  # asking for a map is not unsaved work
    window.controls.step_count_spin.setValue(5)
    window.controls.step_button.click()
    qtbot.waitUntil(lambda: view.cut.cycle == 125, timeout=TIMEOUT)
    expected = (window.latest.weights, window.latest.biases)
    flat = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(*expected)])
    assert np.allclose(current(view), (flat - view.map.origin) @ view.map.axes.T, atol=1e-12)


@pytest.mark.slow
def test_on_a_narrow_window_the_landscape_takes_the_side_panel_and_offers_step_and_run(make_window, qtbot):
    window = make_window()
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1024, 700), timeout=TIMEOUT)
    side_width = window.main_split.sizes()[0]
    assert side_width > 0
    window.landscape_action.trigger()
    dock = window.landscape_dock
    qtbot.waitUntil(lambda: window.main_split.sizes()[0] == 0 and dock.training_row.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: dock.width() >= 250, timeout=TIMEOUT)
    step = dock.training_row.findChild(QToolButton, "landscape_stepAction")
    assert step.defaultAction() is window.step_action
    step.click()
    qtbot.waitUntil(lambda: window.latest.cycle == 1, timeout=TIMEOUT)
    # The guide opened and closed meanwhile leaves the room to the landscape.
    window.guide_action.trigger()
    qtbot.waitUntil(window.guide_dock.isVisible, timeout=TIMEOUT)
    window.guide_dock.close()
    qtbot.waitUntil(lambda: not window.guide_dock.isVisible(), timeout=TIMEOUT)
    assert window.main_split.sizes()[0] == 0 and dock.training_row.isVisible()
    dock.close()
    qtbot.waitUntil(lambda: window.main_split.sizes()[0] == side_width, timeout=TIMEOUT)
    assert not dock.training_row.isVisible()


def test_hovering_the_map_reads_the_loss_of_the_grid_point_under_the_pointer(shown):
    from PySide6.QtCore import QPointF

    from nnstudio.ui.plotting.numbers import format_number

    view, trainer = shown
    trainer.session.step("cycle", 60)
    view.show_snapshot(trainer.snapshot())
    trainer.answer(view)
    m = view.map
    i, j = 7, 30
    at = view.plot_item.getViewBox().mapViewToScene(QPointF(m.alphas[j], m.betas[i]))
    view._on_hover((at,))
    assert view.caption.text() == (f"α {format_number(m.alphas[j], 3)}, β {format_number(m.betas[i], 3)}: "
                                   f"loss {format_number(m.losses[i, j], 4)}")
    view._on_hover((QPointF(-1000.0, -1000.0),))
    assert view.caption.text().startswith("Cycle 60")
