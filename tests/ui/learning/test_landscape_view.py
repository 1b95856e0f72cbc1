"""The loss landscape view: the point that follows training, the path it grows, the maps and cuts it asks for."""

import numpy as np
import pytest
from support.landscape import LandscapeTrainer, current_point, open_view, path_shown, projected

from nnstudio.ui.learning.landscape_view import LandscapeView


@pytest.fixture
def shown(qtbot):
    return open_view(qtbot)


def test_the_current_point_follows_training_and_the_path_grows(shown):
    view, trainer = shown
    m = trainer.mapped(view, 200)
    for _ in range(3):
        trainer.show(view, 5)
        assert np.allclose(current_point(view), projected(trainer.session, m), atol=1e-12)
    assert len(path_shown(view)) == len(m.path) + 3
    assert np.allclose(path_shown(view)[: len(m.path)], m.path)


def test_a_rewind_shows_the_path_up_to_the_cycle_shown_and_the_point_there(shown):
    view, trainer = shown
    m = trainer.mapped(view, 200)
    trainer.session.rewind(100)
    trainer.show(view)
    kept = m.path[m.path_cycles < 100]
    assert np.allclose(path_shown(view)[:-1], kept)
    assert np.allclose(current_point(view), projected(trainer.session, m), atol=1e-12)
    # Scrubbing forward again shows the whole path once more.
    trainer.session.rewind(200)
    trainer.show(view)
    assert np.allclose(path_shown(view), m.path)


def test_continuing_from_a_rewound_cycle_drops_the_path_beyond_it(shown):
    view, trainer = shown
    m = trainer.mapped(view, 200)
    trainer.session.rewind(100)
    trainer.show(view)
    trainer.show(view, 50)  # a new branch from 100 (the same weights: training is deterministic)
    cycles = view._cycles
    assert cycles.tolist() == [c for c in m.path_cycles.tolist() if c <= 100] + [150]


def test_the_view_asks_for_a_map_when_shown_and_not_again_while_one_is_awaited(shown):
    view, trainer = shown
    trainer.show(view)
    trainer.show(view)
    assert trainer.requests() == [(1, "pca", 41, 0)]
    assert trainer.requests("landscape_cut") == [(2,)]


def test_a_hidden_view_asks_for_nothing(qtbot):
    trainer = LandscapeTrainer()
    view = LandscapeView(trainer.send)
    qtbot.addWidget(view)
    trainer.show(view)
    assert trainer.sent == []


def test_recompute_and_the_choices_ask_for_new_maps(shown):
    view, trainer = shown
    trainer.mapped(view)
    view.recompute_button.click()
    view.grid_combo.setCurrentIndex(view.grid_combo.findData(81))
    view.directions_combo.setCurrentIndex(view.directions_combo.findData("random"))
    assert trainer.requests() == [(3, "pca", 41, 0), (4, "pca", 81, 0), (5, "random", 81, 0)]


def test_an_answer_overtaken_by_a_newer_request_is_not_shown(shown):
    view, trainer = shown
    trainer.show(view)
    first = trainer.sent[0]
    view.recompute_button.click()
    trainer.sent = [first]  # only the old request is answered
    trainer.answer(view)
    assert view.map is None


def test_the_point_leaving_the_map_asks_for_a_new_one(shown):
    view, trainer = shown
    view.directions_combo.setCurrentIndex(view.directions_combo.findData("random"))
    trainer.sent.clear()
    assert trainer.mapped(view).kind == "random"
    trainer.show(view, 1)
    assert view.map.contains(current_point(view)) and trainer.requests() == []
    trainer.sent.clear()
    # A weight pushed far out: the point leaves the map, and a map around it is asked for.
    trainer.session.set_weight(0, 0, 0, 50.0)
    trainer.show(view)
    assert not view.map.contains(current_point(view))
    assert len(trainer.requests()) == 1
    trainer.show(view)
    assert len(trainer.requests()) == 1  # asked once, not every frame


def test_opening_the_view_asks_for_a_map_only_if_the_weights_moved(shown):
    """The window hands every snapshot over, shown or hidden; opened again, the view maps the weights if they moved."""
    view, trainer = shown
    trainer.mapped(view)
    view.hide()
    trainer.show(view)
    view.show()
    assert trainer.requests() == []
    view.hide()
    trainer.show(view, 3)
    assert trainer.sent == []  # hidden: nothing asked
    view.show()
    assert [args[1:] for args in trainer.requests()] == [("pca", 41, 0)]


def test_a_map_that_fell_back_to_random_directions_is_asked_again_once_pca_can_work(shown):
    view, trainer = shown
    assert trainer.mapped(view).kind == "random" and "PCA needs 3" in view.caption.text()
    trainer.show(view, 20)
    assert len(trainer.requests()) == 1
    trainer.answer(view)
    assert view.map.kind == "pca" and "PCA" not in view.caption.text()


def test_a_new_run_clears_the_map_and_asks_again(shown):
    view, trainer = shown
    trainer.mapped(view, 40)
    assert view.map is not None and view.cut is not None
    trainer.session.reset(2)
    trainer.show(view)
    assert view.map is None and view.cut is None
    assert view.map_plot.image_item.image is None and len(path_shown(view)) == 0
    assert trainer.requests() == [(3, "pca", 41, 0)]
