"""Tests for the Data panel's draw mode: the tools, clicks that add and remove points, Clear, Save CSV, leaving it."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QComboBox, QMessageBox, QPushButton, QToolButton
from support.plane_points import BOUNDS, split_spiral

from nnstudio.engine.data.datasets import load_csv, plane_bounds
from nnstudio.ui.data.draw_mode import DEFAULT_DRAW_BOUNDS


@pytest.fixture
def drawn(panel):
    """Every drawn set the panel emits, in order."""
    sets: list[tuple[np.ndarray, np.ndarray]] = []
    panel.sig_drawn_data_changed.connect(sets.append)
    return sets


def _shown(qtbot, panel) -> None:
    panel.show()
    qtbot.waitExposed(panel)


def _pixel(panel, x: float, y: float) -> QPoint:
    """The viewport pixel showing data coordinates (x, y)."""
    view = panel.plot.plot_item.getViewBox()
    return panel.plot.mapFromScene(view.mapViewToScene(QPointF(x, y)))


def _click_plot(qtbot, panel, x: float, y: float, button=Qt.MouseButton.LeftButton, offset=(0, 0)) -> None:
    pos = _pixel(panel, x, y) + QPoint(*offset)
    qtbot.mouseClick(panel.plot.viewport(), button, pos=pos)


def _data_per_pixel(panel) -> float:
    return max(panel.plot.plot_item.getViewBox().viewPixelSize())


def test_draw_tools_are_shown_only_in_draw_mode(panel, qtbot):
    """The class picker, Clear, Save and the hint appear with draw mode; the picker offers two coloured classes."""
    _shown(qtbot, panel)
    button = panel.findChild(QToolButton, "drawModeButton")
    assert button is panel.draw_button and button.isCheckable() and button.isVisible()
    tools = [panel.findChild(QComboBox, "drawClassCombo"), panel.findChild(QPushButton, "clearDrawnButton"),
             panel.findChild(QPushButton, "saveDrawnButton"), panel.draw_hint]
    assert not any(t.isVisible() for t in tools)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert panel.is_draw_mode() and all(t.isVisible() for t in tools)
    combo = panel.draw_class_combo
    assert [(combo.itemText(i), combo.itemData(i)) for i in range(2)] == [("class 0", 0), ("class 1", 1)]
    assert not combo.itemIcon(0).isNull() and not combo.itemIcon(1).isNull()
    assert panel.draw_hint.text() == "Click to add a point of the chosen class, right-click to remove the nearest"


def test_draw_mode_disables_the_generated_data_controls(panel, qtbot):
    """Noise, samples, seed and Regenerate are off while drawing; the test share and extra inputs stay on."""
    _shown(qtbot, panel)
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    for widget in (panel.noise_spin, panel.samples_spin, panel.seed_spin, panel.regenerate_button):
        assert not widget.isEnabled()
    assert panel.test_fraction_spin.isEnabled()
    assert all(c.isEnabled() for c in panel.feature_checks.values())
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert all(w.isEnabled() for w in (panel.noise_spin, panel.samples_spin, panel.seed_spin, panel.regenerate_button))


def test_entering_draw_mode_starts_from_the_points_shown(panel, drawn, emitted, qtbot):
    """Pressing Draw emits the shown training and test points as the drawn set, and no spec."""
    dataset, train, test = split_spiral()
    panel.set_points(dataset.X[train], dataset.y[train], dataset.X[test], dataset.y[test], plane_bounds(dataset))
    _shown(qtbot, panel)
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert emitted == [] and len(drawn) == 1
    X, labels = drawn[0]
    np.testing.assert_array_equal(X, np.concatenate([dataset.X[train], dataset.X[test]]))
    np.testing.assert_array_equal(labels, np.concatenate([dataset.y[train], dataset.y[test]]))
    assert X.dtype == np.float64 and labels.dtype == np.int64
    assert len(panel.plot.train_scatter.points()) == 100 and len(panel.plot.test_scatter.points()) == 0


def test_draw_mode_starts_empty_when_nothing_is_shown(panel, drawn, qtbot):
    """Without points on show, drawing starts from an empty set on the default plane."""
    _shown(qtbot, panel)
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    X, labels = drawn[0]
    assert X.shape == (0, 2) and labels.shape == (0,)
    assert panel.plot.bounds == DEFAULT_DRAW_BOUNDS


def test_draw_mode_starts_empty_over_regression_data(panel):
    """Points coloured by value cannot become classes, so drawing starts empty."""
    panel.set_data_spec({"name": "plane"})
    panel.set_points(np.zeros((2, 2)), None, np.zeros((0, 2)), None, BOUNDS, values=([1.0, -1.0], []))
    panel.set_draw_mode(True)
    assert panel.drawn_points()[0].shape == (0, 2)


def test_left_click_adds_a_point_of_the_chosen_class_where_clicked(panel, drawn, qtbot):
    """A left click in draw mode adds a point at the clicked data coordinates, of the picked class."""
    _shown(qtbot, panel)
    panel.set_draw_mode(True)
    panel.draw_class_combo.setCurrentIndex(1)
    with qtbot.waitSignal(panel.sig_drawn_data_changed, timeout=1000) as blocker:
        _click_plot(qtbot, panel, 1.5, -2.0)
    X, labels = blocker.args[0]
    assert X.shape == (1, 2) and labels.tolist() == [1]
    assert X[0] == pytest.approx([1.5, -2.0], abs=1.5 * _data_per_pixel(panel))
    panel.draw_class_combo.setCurrentIndex(0)
    _click_plot(qtbot, panel, -3.0, 4.0)
    X, labels = panel.drawn_points()
    assert labels.tolist() == [1, 0] and len(drawn) == 2
    assert X[1] == pytest.approx([-3.0, 4.0], abs=1.5 * _data_per_pixel(panel))
    np.testing.assert_array_equal(panel.plot.train_scatter.data["x"], X[:, 0])


def test_clicks_outside_draw_mode_or_the_plane_add_nothing(panel, drawn, qtbot):
    """Clicking the plot adds points only in draw mode, and only inside the plane (not on the axes)."""
    _shown(qtbot, panel)
    _click_plot(qtbot, panel, 0.0, 0.0)
    panel.set_draw_mode(True)
    axis = panel.plot.plot_item.getAxis("bottom")
    qtbot.mouseClick(panel.plot.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.plot.mapFromScene(axis.sceneBoundingRect().center()))
    assert drawn == [] and panel.drawn_points()[0].shape == (0, 2)


def test_right_click_removes_the_nearest_point_within_reach(panel, drawn, qtbot):
    """A right click a few pixels from a point removes it; far from every point it removes nothing."""
    _shown(qtbot, panel)
    panel.set_draw_mode(True)
    panel.add_drawn_point(-2.0, -2.0, 0)
    panel.add_drawn_point(2.0, 2.0, 1)
    drawn.clear()
    _click_plot(qtbot, panel, 2.0, 2.0, Qt.MouseButton.RightButton, offset=(4, -3))
    X, labels = panel.drawn_points()
    assert X.tolist() == [[-2.0, -2.0]] and labels.tolist() == [0]
    assert len(drawn) == 1
    _click_plot(qtbot, panel, 3.0, 3.0, Qt.MouseButton.RightButton)  # dozens of pixels from (-2, -2)
    assert len(drawn) == 1 and len(panel.drawn_points()[1]) == 1


def test_remove_nearest_with_no_limit_takes_the_closest(panel, drawn):
    """remove_nearest_drawn_point(max_pixels=None) removes the closest point however far it is."""
    panel.set_draw_mode(True)
    for x in (-5.0, 0.0, 5.0):
        panel.add_drawn_point(x, 0.0, 1)
    assert panel.remove_nearest_drawn_point(4.0, 4.0, max_pixels=None)
    assert panel.drawn_points()[0][:, 0].tolist() == [-5.0, 0.0]
    assert len(drawn) == 4


def test_clear_empties_the_drawn_set(panel, drawn, qtbot):
    """Clear removes every point, emits an empty set and disables Clear and Save."""
    _shown(qtbot, panel)
    panel.set_draw_mode(True)
    panel.add_drawn_point(1.0, 1.0, 0)
    assert panel.clear_drawn_button.isEnabled() and panel.save_drawn_button.isEnabled()
    qtbot.mouseClick(panel.clear_drawn_button, Qt.MouseButton.LeftButton)
    X, labels = drawn[-1]
    assert X.shape == (0, 2) and labels.shape == (0,)
    assert len(panel.plot.train_scatter.points()) == 0
    assert not panel.clear_drawn_button.isEnabled() and not panel.save_drawn_button.isEnabled()


def test_save_csv_writes_the_points_load_csv_reads_back(panel, qtbot, tmp_path, monkeypatch):
    """Save CSV asks for a path and writes x1, x2, label that load_csv reads back unchanged."""
    _shown(qtbot, panel)
    panel.set_draw_mode(True)
    points = [(-1.25, 0.5, 0), (2.0, -3.75, 1), (0.1, 0.2, 1), (4.0, 4.0, 0)]
    for x, y, c in points:
        panel.add_drawn_point(x, y, c)
    path = tmp_path / "mine.csv"
    monkeypatch.setattr(panel, "_ask_save_path", lambda: str(path))
    qtbot.mouseClick(panel.save_drawn_button, Qt.MouseButton.LeftButton)
    loaded = load_csv(path)
    assert loaded.feature_names == ("x1", "x2") and loaded.target_name == "label"
    assert loaded.task == "classification" and loaded.class_names == ("0", "1")
    np.testing.assert_array_equal(loaded.X, [[x, y] for x, y, _ in points])
    np.testing.assert_array_equal(loaded.y, [c for *_, c in points])


def test_a_failed_save_shows_a_message_without_blocking(panel, qtbot, tmp_path, monkeypatch):
    """An unwritable path opens a warning box non-modally (the click returns) and writes nothing."""
    _shown(qtbot, panel)
    panel.set_draw_mode(True)
    panel.add_drawn_point(0.0, 0.0, 1)
    path = tmp_path / "no" / "such" / "folder" / "x.csv"
    monkeypatch.setattr(panel, "_ask_save_path", lambda: str(path))
    qtbot.mouseClick(panel.save_drawn_button, Qt.MouseButton.LeftButton)
    box = panel.findChild(QMessageBox)
    assert box is not None and box.isVisible() and "x.csv" in box.text()
    assert not path.exists()
    box.close()


def test_cancelling_the_save_dialog_writes_nothing(panel, monkeypatch):
    """When the learner cancels the dialog nothing is saved and no message shows."""
    panel.set_draw_mode(True)
    panel.add_drawn_point(0.0, 0.0, 1)
    saved = []
    monkeypatch.setattr(panel, "_ask_save_path", lambda: None)
    monkeypatch.setattr(panel, "save_drawn_csv", saved.append)
    panel.save_drawn_button.click()
    assert saved == [] and panel.findChild(QMessageBox) is None


def test_leaving_draw_mode_emits_the_combo_spec(panel, emitted, drawn, qtbot):
    """Unchecking Draw emits the combo's spec once and shows the owner's points again."""
    dataset, train, test = split_spiral()
    panel.set_points(dataset.X[train], dataset.y[train], dataset.X[test], dataset.y[test], plane_bounds(dataset))
    _shown(qtbot, panel)
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    panel.clear_drawn_points()
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert not panel.is_draw_mode()
    assert emitted == [panel.data_spec()] and emitted[0]["name"] == "xor"
    assert len(panel.plot.train_scatter.points()) == 80 and len(panel.plot.test_scatter.points()) == 20


def test_picking_a_dataset_leaves_draw_mode_and_emits_its_spec_once(panel, emitted, qtbot):
    """Choosing a generator while drawing ends draw mode and emits one spec for it."""
    _shown(qtbot, panel)
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    panel.dataset_combo.setCurrentIndex(panel.dataset_combo.findData("circle"))
    assert not panel.is_draw_mode() and not panel.draw_button.isChecked()
    assert [s["name"] for s in emitted] == ["circle"]
    assert panel.noise_spin.isEnabled()


def test_set_draw_mode_changes_the_mode_without_signals(panel, emitted, drawn):
    """set_draw_mode(True/False) checks the button and switches the tools, emitting nothing."""
    panel.set_draw_mode(True)
    assert panel.is_draw_mode() and panel.draw_button.isChecked()
    panel.set_draw_mode(False)
    assert not panel.is_draw_mode() and not panel.draw_button.isChecked()
    assert emitted == [] and drawn == []


def test_in_draw_mode_test_share_and_extra_inputs_reemit_the_drawn_set(panel, emitted, drawn):
    """While drawing, the test share and extra inputs re-emit the drawn set, never a spec."""
    panel.set_draw_mode(True)
    panel.add_drawn_point(1.0, 2.0, 1)
    panel.test_fraction_spin.setValue(40)
    panel.feature_checks["x1_x2"].setChecked(True)
    assert emitted == [] and len(drawn) == 3
    assert panel.data_spec()["features"] == ("x1_x2",) and panel.data_spec()["test_fraction"] == 0.4


def test_set_points_while_drawing_keeps_the_drawing_on_show(panel):
    """The owner's points arriving in draw mode are kept for later, not drawn over the learner's points."""
    panel.set_draw_mode(True)
    panel.add_drawn_point(1.0, 1.0, 0)
    panel.set_points(np.zeros((5, 2)), np.zeros(5, int), np.zeros((0, 2)), [], BOUNDS)
    assert len(panel.plot.train_scatter.points()) == 1
    panel.set_draw_mode(False)
    assert len(panel.plot.train_scatter.points()) == 5


def test_editing_drawn_points_needs_draw_mode_and_valid_input(panel):
    """Adding or removing outside draw mode raises RuntimeError; a bad class or coordinate ValueError."""
    with pytest.raises(RuntimeError):
        panel.add_drawn_point(0.0, 0.0, 0)
    with pytest.raises(RuntimeError):
        panel.remove_nearest_drawn_point(0.0, 0.0)
    panel.set_draw_mode(True)
    for args in ((0.0, 0.0, 2), (0.0, float("nan"), 1), (0.0, 0.0, True)):
        with pytest.raises(ValueError):
            panel.add_drawn_point(*args)
    assert panel.drawn_points()[0].shape == (0, 2)


def test_draw_mode_names_the_drawing_and_leaving_it_goes_back_to_the_listed_dataset(panel, emitted, qtbot):
    _shown(qtbot, panel)
    combo = panel.dataset_combo
    panel.set_data_spec({"name": "moons"})
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert (combo.currentText(), combo.currentData()) == ("Drawn", "drawn")
    panel.show_data_in_use("moons", False, "Two Moons")  # the old data, still in use: the box keeps "Drawn"
    assert combo.currentText() == "Drawn"
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert combo.currentData() == "moons" and panel.custom_label() is None
    assert [spec["name"] for spec in emitted] == ["moons"]


def test_a_declined_draw_toggle_changes_nothing(panel, emitted, drawn, qtbot):
    asked: list[bool] = []
    panel.confirm_draw_toggle = lambda on: asked.append(on) or False
    _shown(qtbot, panel)
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert asked == [True] and not panel.is_draw_mode() and not panel.draw_button.isChecked()
    assert emitted == [] and drawn == [] and panel.dataset_combo.currentData() == "xor"
    panel.confirm_draw_toggle = lambda on: True
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    panel.confirm_draw_toggle = lambda on: asked.append(on) or False
    qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert asked == [True, False] and panel.is_draw_mode() and panel.draw_button.isChecked()


def test_the_drawing_as_the_trainer_split_it_is_shown_split(panel):
    """Points that are the drawing itself, split 3/1, show as 3 filled and 1 ring; other points wait."""
    panel.set_draw_mode(True)
    points = [(0.0, 0.0, 0), (1.0, 0.0, 0), (0.0, 1.0, 1), (1.0, 1.0, 1)]
    for x, y, c in points:
        panel.add_drawn_point(x, y, c)
    X = np.array([p[:2] for p in points])
    labels = np.array([p[2] for p in points])
    order = [2, 0, 3, 1]  # the trainer's own order
    panel.set_points(X[order[:3]], labels[order[:3]], X[order[3:]], labels[order[3:]], BOUNDS)
    assert len(panel.plot.train_scatter.points()) == 3 and len(panel.plot.test_scatter.points()) == 1
    assert [label.text for _, label in panel.plot.legend.items][2:] == ["train (3)", "test (1)"]
    panel.set_points(X[:2], labels[:2], X[2:], 1 - labels[2:], BOUNDS)  # not the drawing: classes differ
    assert len(panel.plot.train_scatter.points()) == 3 and len(panel.plot.test_scatter.points()) == 1
