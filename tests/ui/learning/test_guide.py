"""Tests for nnstudio.ui.learning.guide: the guide dock and the demonstrations that change a setting."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QPushButton, QWidget

from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.ui.learning.controls import TrainingControls
from nnstudio.ui.learning.guide import GUIDE_ACTIONS, GuideDemonstrations, GuideDock
from nnstudio.ui.learning.guide_text import GUIDE_SECTIONS
from nnstudio.ui.plotting.loss_plot import LossPlot


@pytest.fixture
def guide(qtbot) -> GuideDock:
    dock = GuideDock()
    qtbot.addWidget(dock)
    dock.show()
    qtbot.waitExposed(dock)
    return dock


def test_guide_is_a_dock_with_its_name_and_title(guide):
    """The guide is a dock named "guideDialog" (the name scripts know), titled "How a network learns"."""
    assert isinstance(guide, QDockWidget)
    assert guide.objectName() == "guideDialog"
    assert guide.windowTitle() == "How a network learns"
    assert not guide.isModal()


def test_guide_docks_on_the_right_of_a_main_window_hidden_until_shown(qtbot):
    """Given a main window, the guide waits hidden in its right dock area, beside the views rather than over them."""
    window = QMainWindow()
    window.setCentralWidget(QWidget())
    qtbot.addWidget(window)
    dock = GuideDock(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    assert not dock.isVisible()
    dock.show()
    qtbot.waitUntil(dock.isVisible)
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert not dock.isFloating()
    assert not dock.geometry().intersects(window.centralWidget().geometry())


def test_guide_has_one_paragraph_per_action_in_order():
    """The eight sections follow GUIDE_ACTIONS, each with a short body."""
    assert len(GUIDE_ACTIONS) == 8
    assert tuple(section.key for section in GUIDE_SECTIONS) == GUIDE_ACTIONS
    for section in GUIDE_SECTIONS:
        sentences = section.body.count(". ") + 1
        assert 2 <= sentences <= 4, section.key


def test_guide_has_a_show_me_button_per_action(guide):
    """Eight "Show me" buttons, named guideButton_<key>."""
    buttons = guide.findChildren(QPushButton, options=Qt.FindChildOption.FindChildrenRecursively)
    named = sorted(b.objectName() for b in buttons if b.objectName().startswith("guideButton_"))
    assert named == sorted(f"guideButton_{key}" for key in GUIDE_ACTIONS)
    assert all(guide.buttons[key].text() == "Show me" for key in GUIDE_ACTIONS)


@pytest.mark.parametrize("key", GUIDE_ACTIONS)
def test_each_button_emits_its_key(guide, qtbot, key):
    """Pressing a paragraph's button emits sig_action with that paragraph's key."""
    button = guide.findChild(QPushButton, f"guideButton_{key}")
    with qtbot.waitSignal(guide.sig_action, timeout=1000) as blocker:
        button.click()
    assert blocker.args == [key]


def test_key_formulas_are_in_the_text():
    """The paragraphs carry the formulas the seed explains."""
    text = " ".join(section.body for section in GUIDE_SECTIONS)
    for formula in ("1 / (1 + e<sup>&minus;sum</sup>)", "target &minus; output",
                    "dz/dx = dz/dy &middot; dy/dx", "&Delta;w = &minus;lr &middot; &delta; &middot; a"):
        assert formula in text


def test_guide_reads_whole_at_its_narrowest(guide, qtbot):
    """At its minimum width no paragraph, heading or button is cut off on the right."""
    guide.resize(guide.minimumSizeHint().width(), 700)
    qtbot.waitUntil(lambda: guide.width() == guide.minimumSizeHint().width())
    viewport = guide.scroll_area.viewport()
    page = guide.scroll_area.widget()
    assert page.width() <= viewport.width()
    for button in guide.buttons.values():
        assert button.mapTo(page, button.rect().topRight()).x() < viewport.width()


# -- demonstrations that change a setting ------------------------------------------------------

def _snapshot(cycle: int, generation: int = 0, running: bool = False, message: str = "") -> SimpleNamespace:
    """The fields of a Snapshot the demonstrations read."""
    return SimpleNamespace(generation=generation, cycle=cycle, running=running, message=message)


@pytest.fixture
def demos(qtbot):
    controls = TrainingControls()
    controls.set_hyperparameters(Hyperparameters(learning_rate=0.3, noise=0.02), 10)
    plot = LossPlot()
    qtbot.addWidget(controls)
    qtbot.addWidget(plot)
    sent: list[tuple] = []
    hypers: list[Hyperparameters] = []
    controls.sig_hyper_changed.connect(hypers.append)
    demos = GuideDemonstrations(controls, plot, lambda *command: sent.append(command))
    return SimpleNamespace(demos=demos, controls=controls, plot=plot, sent=sent, hypers=hypers)


def _x_range(plot: LossPlot) -> tuple[float, float]:
    return tuple(plot.loss_plot.getPlotItem().getViewBox().viewRange()[0])


def _regions(plot: LossPlot) -> list:
    view = plot.loss_plot.getPlotItem().getViewBox()
    return [item for item in view.addedItems if type(item).__name__ == "LinearRegionItem"]


def test_learning_rate_demo_runs_50_cycles_at_ten_times_the_rate_then_puts_it_back(demos):
    """×10 for 50 cycles while the trainer steps them; once they are done the rate is what it was."""
    d = demos
    d.demos.show(_snapshot(120))
    d.demos.demonstrate("learning_rate")
    assert d.controls.learning_rate_spin.value() == pytest.approx(3.0)
    assert d.hypers[-1].learning_rate == pytest.approx(3.0)  # the window sends this to the trainer
    assert d.sent == [("step", "cycle", 50)]
    d.demos.show(_snapshot(120))  # the answer to the new setting: the step has not run yet
    assert d.controls.learning_rate_spin.value() == pytest.approx(3.0)
    d.demos.show(_snapshot(170))  # the step's answer
    assert d.controls.learning_rate_spin.value() == pytest.approx(0.3)
    assert d.hypers[-1] == Hyperparameters(learning_rate=0.3, noise=0.02)


def test_noise_demo_puts_the_noise_back(demos):
    """Noise 0.5 for 100 cycles, then the noise the learner had."""
    d = demos
    d.demos.show(_snapshot(0))
    d.demos.demonstrate("noise")
    assert d.controls.noise_spin.value() == pytest.approx(0.5)
    assert d.sent == [("step", "cycle", 100)]
    d.demos.show(_snapshot(100))
    assert d.controls.noise_spin.value() == pytest.approx(0.02)
    assert d.hypers[-1].noise == pytest.approx(0.02)


def test_demo_does_not_end_on_snapshots_of_a_run_still_going(demos):
    """Pressed while training runs: snapshots of the run (ahead of the cycle shown) do not end it; the step's does."""
    d = demos
    d.demos.show(_snapshot(500, running=True))
    d.demos.demonstrate("learning_rate")
    d.demos.show(_snapshot(800, running=True))
    assert d.controls.learning_rate_spin.value() == pytest.approx(3.0)
    d.demos.show(_snapshot(950))  # the step stopped the run
    assert d.controls.learning_rate_spin.value() == pytest.approx(0.3)


def test_a_new_run_ends_the_demo_and_its_settings(demos):
    """A reset or new data before the cycles are done still puts the rate back: it never leaks into the next run."""
    d = demos
    d.demos.show(_snapshot(40))
    before = _x_range(d.plot)
    d.demos.demonstrate("learning_rate")
    d.demos.show(_snapshot(0, generation=1))
    assert d.controls.learning_rate_spin.value() == pytest.approx(0.3)
    assert _x_range(d.plot) == before and not _regions(d.plot)  # nothing of the old run is marked


def test_a_diverged_demo_still_puts_the_rate_back(demos):
    """The trainer stopping at a NaN (it says so) ends the demo even if no cycle was kept."""
    d = demos
    d.demos.show(_snapshot(40))
    d.demos.demonstrate("learning_rate")
    d.demos.show(_snapshot(40, message="The loss became NaN at cycle 41; paused."))
    assert d.controls.learning_rate_spin.value() == pytest.approx(0.3)


def test_a_rate_the_learner_typed_meanwhile_stays(demos):
    """If the learner sets another rate during the demo, the demo leaves it alone."""
    d = demos
    d.demos.show(_snapshot(10))
    d.demos.demonstrate("learning_rate")
    d.controls.learning_rate_spin.setValue(0.7)
    d.demos.show(_snapshot(60))
    assert d.controls.learning_rate_spin.value() == pytest.approx(0.7)


def test_pressing_again_keeps_the_rate_from_before_the_first_press(demos):
    """A second press starts from the learner's rate, not from the first demo's ×10."""
    d = demos
    d.demos.show(_snapshot(10))
    d.demos.demonstrate("learning_rate")
    d.demos.demonstrate("learning_rate")
    assert d.controls.learning_rate_spin.value() == pytest.approx(3.0)
    d.demos.show(_snapshot(110))
    assert d.controls.learning_rate_spin.value() == pytest.approx(0.3)


def test_the_loss_plot_zooms_to_the_demo_cycles_until_training_goes_on(demos):
    """The 50 cycles are shaded, with as many before them in view; the next cycles let the plot follow again."""
    d = demos
    d.plot.tabs.setCurrentIndex(d.plot.ACCURACY_TAB)
    d.demos.show(_snapshot(300))
    d.demos.demonstrate("learning_rate")
    d.demos.show(_snapshot(350))
    assert d.plot.tabs.currentIndex() == d.plot.LOSS_TAB
    low, high = _x_range(d.plot)
    assert low == pytest.approx(250) and 350 <= high <= 360
    regions = _regions(d.plot)
    assert len(regions) == 1 and regions[0].getRegion() == (300, 350)
    d.demos.show(_snapshot(350))  # the answer to the rate put back: still in view
    assert len(_regions(d.plot)) == 1
    d.demos.show(_snapshot(351))
    assert not _regions(d.plot)
    assert d.plot.loss_plot.getPlotItem().getViewBox().autoRangeEnabled()[0]


def test_phase_demos_change_no_setting(demos):
    """Keys of the phase demonstrations are not this object's: nothing is sent or changed."""
    d = demos
    d.demos.show(_snapshot(5))
    for key in GUIDE_ACTIONS:
        if key not in ("learning_rate", "noise"):
            d.demos.demonstrate(key)
    assert d.sent == [] and d.hypers == []
