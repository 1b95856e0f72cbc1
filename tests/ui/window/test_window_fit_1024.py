"""At 1024×700 nothing a learner reads is cut: the pinned runs, the layer view, the gradient norms, the network bar."""

from __future__ import annotations

from PySide6.QtWidgets import QStyle
from support.window_size import resize_window

from nnstudio.ui.learning import layer_view
from nnstudio.ui.plotting import gradient_norm_plot
from nnstudio.ui.plotting.cycle_plot import HOVER_HINT
from nnstudio.ui.window.network_area import summary_variants

TIMEOUT = 20_000


def _fits(label) -> bool:
    """``label``'s text on one line within its width."""
    return label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()


def _narrow_window(in_process_window, qtbot, cycles: int = 40):
    run = in_process_window()
    resize_window(run.window, qtbot, 1024, 700)
    run.session.step("cycle", cycles)
    run.draw()
    return run


def test_the_pinned_runs_table_shows_its_numbers_whole_without_scrolling(in_process_window, qtbot):
    window = _narrow_window(in_process_window, qtbot).window
    panel = window.pinned_runs
    panel.pin_button.click()
    panel.pin_button.click()
    table, header = panel.table, panel.table.horizontalHeader()
    qtbot.waitUntil(lambda: table.isVisible() and table.rowCount() == 2, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: header.length() <= table.viewport().width(), timeout=TIMEOUT)
    assert not table.horizontalScrollBar().isVisible()
    # A cell's text is elided unless it fits between the style's margins and the grid line.
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    shown = [column for column in range(3, table.columnCount()) if not table.isColumnHidden(column)]
    assert len(shown) >= 5  # losses, accuracies and the gap at least
    for row in range(table.rowCount()):
        for column in shown:
            text = table.item(row, column).text()
            room = header.sectionSize(column) - 2 * margin - 1
            assert table.fontMetrics().horizontalAdvance(text) <= room, (text, room)
    # A column that had no room still tells its number: the pin's tooltip names the cycle.
    cycle = str(panel.pins[0].cycle)
    assert cycle in table.item(0, 1).toolTip()
    assert all(table.horizontalHeaderItem(column).toolTip() for column in range(1, table.columnCount()))


def test_the_layer_views_drop_downs_show_their_longest_item(in_process_window, qtbot):
    run = in_process_window()
    window = run.window
    resize_window(window, qtbot, 1024, 700)
    window.heatmap_tabs.setCurrentWidget(window.layer_view)
    run.session.step("cycle", 2)
    run.draw()
    view = window.layer_view
    combos = (view.layer_combo, view.neuron_x_combo, view.neuron_y_combo)
    qtbot.waitUntil(lambda: view.isVisible() and all(combo.count() for combo in combos), timeout=TIMEOUT)
    assert (view.layer_combo.currentText(), view.neuron_y_combo.currentText()) == ("Hidden 1", "neuron 2")
    # a combo's size hint is its longest item and the arrow: each gets all of it once laid out
    qtbot.waitUntil(lambda: all(combo.width() >= combo.sizeHint().width() for combo in combos), timeout=TIMEOUT)
    for combo in combos:
        longest = max(combo.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
        assert longest < combo.width()
        assert combo.visibleRegion().boundingRect() == combo.rect()  # not cut by the panel's edge
    # The tab says only "Layers" here: the panel's heading says what is drawn, on one line.
    assert window.heatmap_tabs.tabText(window.heatmap_tabs.currentIndex()) == "Layers"
    assert view.heading.isVisible() and view.heading.text() == layer_view.TITLE and _fits(view.heading)


def test_the_gradient_norms_panel_is_named_and_its_hint_is_whole(in_process_window, qtbot):
    window = _narrow_window(in_process_window, qtbot).window
    window.heatmap_tabs.setCurrentWidget(window.gradient_norm_plot)
    panel = window.gradient_norm_plot
    qtbot.waitUntil(panel.readout.isVisible, timeout=TIMEOUT)
    assert window.heatmap_tabs.tabText(window.heatmap_tabs.currentIndex()) == "Norms"
    assert panel.heading.isVisible() and panel.heading.text() == gradient_norm_plot.TITLE and _fits(panel.heading)
    assert panel.readout.text() == HOVER_HINT and _fits(panel.readout)


def test_the_network_bar_keeps_its_summary_on_one_line_and_whole_in_the_tooltip(in_process_window, qtbot):
    window = _narrow_window(in_process_window, qtbot).window
    label = window.network_summary
    whole = "2-4-1 · MSE · 17 parameters"
    assert label.text() == whole
    shown = label.shown_text()
    assert shown in summary_variants(whole) and shown.startswith("2-4-1 · MSE")
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert label.height() < 2 * label.fontMetrics().lineSpacing()  # one line, as the bar's buttons
    assert label.toolTip() == ("" if shown == whole else whole)
    # Wide enough, the whole summary and no tooltip repeating it.
    resize_window(window, qtbot, 1440, 900)
    qtbot.waitUntil(lambda: label.shown_text() == whole, timeout=TIMEOUT)
    assert label.toolTip() == ""


def test_a_summary_shortens_parameters_first_then_drops_the_count():
    assert summary_variants("2-4-1 · MSE · 17 parameters") == [
        "2-4-1 · MSE · 17 parameters", "2-4-1 · MSE · 17 params", "2-4-1 · MSE"]
