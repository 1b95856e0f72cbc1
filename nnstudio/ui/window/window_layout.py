"""The window's panels and where they sit: the side column, the network area, loss and heatmaps, the rewind bar.

``build_panels(window)`` works like a Qt Designer ``setupUi``: it makes the panels, lays
them out in the window's splitters and keeps each as an attribute of the window, the
handles the rest of the window, its menus, scripts and tests use.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QMainWindow, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from nnstudio.ui.data.data_table import DataTable
from nnstudio.ui.data.dataset_panel import DatasetPanel
from nnstudio.ui.data.insight_views import InsightStack
from nnstudio.ui.learning.compare_view import PinnedRunsPanel
from nnstudio.ui.learning.controls import TrainingControls
from nnstudio.ui.learning.layer_view import LayerView
from nnstudio.ui.learning.timeline_bar import TimelineBar
from nnstudio.ui.network.inspector import NeuronInspector
from nnstudio.ui.plotting.gradient_norm_plot import GradientNormPlot
from nnstudio.ui.plotting.layer_heatmaps import LayerHeatmaps
from nnstudio.ui.plotting.loss_plot import LossPlot
from nnstudio.ui.window.docks import DataTableDock
from nnstudio.ui.window.heatmap_tabs import HeatmapTabs
from nnstudio.ui.window.loss_area import LossArea
from nnstudio.ui.window.network_area import NetworkArea
from nnstudio.ui.window.side_panel import SidePanel

__all__ = ["build_panels", "DEFAULT_SIZE", "SIDE_WIDTH", "MIN_CANVAS_WIDTH", "MIN_VIEW_WIDTH"]

#: The first window, before any saved geometry; a smaller screen gets a window that fits it.
DEFAULT_SIZE = QSize(1440, 880)
#: The canvas may get this narrow, so that a 1024-pixel screen holds the whole window.
MIN_CANVAS_WIDTH = 220
MIN_VIEW_WIDTH = 200
SIDE_WIDTH = 300


def build_panels(window: QMainWindow) -> None:
    """Make the window's panels, lay them out as its central widget and dock the data table."""
    window.dataset_panel = DatasetPanel()
    window.controls = TrainingControls()
    window.side_column = _side_column(window)

    window.network_area = NetworkArea()
    window.canvas = window.network_area.canvas
    window.canvas.setMinimumSize(MIN_CANVAS_WIDTH, 200)
    window.add_layer_button = window.network_area.add_layer_button
    window.remove_layer_button = window.network_area.remove_layer_button
    window.network_summary = window.network_area.summary
    window.delta_rule_badge = window.network_area.delta_rule_badge

    window.loss_plot = LossPlot()
    window.pinned_runs = PinnedRunsPanel()
    window.loss_area = LossArea(window.pinned_runs, window.loss_plot)
    window.activation_heatmap = LayerHeatmaps(
        kind="activations", heading="Neuron activations of the last batch (samples × neurons)",
        object_name="activationHeatmap",
    )
    window.backprop_heatmap = LayerHeatmaps(kind="backprop", object_name="backpropDeltaHeatmap")
    window.weight_delta_heatmap = LayerHeatmaps(
        kind="deltas", heading="Weight deltas of the last update (from neuron × to neuron)",
        object_name="weightDeltaHeatmap",
    )
    window.inspector = NeuronInspector()
    window.gradient_norm_plot = GradientNormPlot()
    window.layer_view = LayerView()
    tabs = window.heatmap_tabs = HeatmapTabs()
    tabs.addTab(window.activation_heatmap, "Activations")
    tabs.addTab(window.backprop_heatmap, "Deltas δ")
    tabs.addTab(window.weight_delta_heatmap, "Weight Δ")
    tabs.addTab(window.inspector, "Inspector")
    tabs.addTab(window.gradient_norm_plot, "Grad norms")
    tabs.addTab(window.layer_view, "Layer view")
    _let_views_give_way(window)

    window.right_split = QSplitter(Qt.Orientation.Vertical, objectName="rightSplitter")
    window.right_split.addWidget(window.loss_area)
    window.right_split.addWidget(tabs)
    window.right_split.setSizes([400, 400])

    # The timeline spans the views it rewinds, so its slider is long at any width.
    window.views_split = QSplitter(Qt.Orientation.Horizontal, objectName="viewsSplitter")
    window.views_split.addWidget(window.network_area)
    window.views_split.addWidget(window.right_split)
    window.views_split.setCollapsible(0, False)
    # Every heatmap tab shows from 1366 pixels up; at 1024 the canvas keeps as much room.
    window.views_split.setStretchFactor(0, 1)
    window.views_split.setStretchFactor(1, 1)
    window.views_split.setSizes([570, 549])
    views = QWidget(objectName="viewsColumn")
    views_layout = QVBoxLayout(views)
    views_layout.setContentsMargins(0, 0, 0, 0)
    views_layout.setSpacing(2)
    views_layout.addWidget(window.views_split, 1)
    window.timeline_bar = TimelineBar()
    views_layout.addWidget(window.timeline_bar)

    window.main_split = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
    window.main_split.addWidget(window.side_column)
    window.main_split.addWidget(views)
    window.main_split.setCollapsible(1, False)
    window.main_split.setStretchFactor(0, 0)
    window.main_split.setStretchFactor(1, 1)
    window.main_split.setSizes([SIDE_WIDTH, DEFAULT_SIZE.width() - SIDE_WIDTH])
    window.setCentralWidget(window.main_split)
    window.resize(DEFAULT_SIZE)

    window.data_table = DataTable()
    window.data_dock = DataTableDock(window, window.data_table)


def _side_column(window: QMainWindow) -> QWidget:
    """The data settings, the data's views and the descent settings over the run bar.

    The side panel scrolls on a short screen; the run bar under it stays in view.
    """
    content = QWidget()
    content_layout = QVBoxLayout(content)
    content_layout.setContentsMargins(0, 0, 4, 0)
    window.insight_stack = InsightStack()
    window.insight_stack.setVisible(False)
    window.insight_stack.setMinimumHeight(300)
    content_layout.addWidget(window.dataset_panel, 3)
    content_layout.addWidget(window.insight_stack, 3)
    content_layout.addWidget(window.controls.descent_box, 0)
    side = QWidget(objectName="sideColumn")
    side_layout = QVBoxLayout(side)
    side_layout.setContentsMargins(0, 0, 0, 0)
    side_layout.setSpacing(4)
    side_layout.addWidget(SidePanel(content, "sidePanel"), 1)
    side_layout.addWidget(window.controls, 0)
    return side


def _let_views_give_way(window: QMainWindow) -> None:
    """Long one-line texts inside the views give way rather than widen the window.

    Headings and messages wrap. The hover read-outs and the layer view's row of combo
    boxes stay one line (a wrapped read-out would reserve a second line under every
    plot): at the window's own sizes they have room, and only a splitter dragged far
    clips them.
    """
    for heatmaps in (window.activation_heatmap, window.backprop_heatmap, window.weight_delta_heatmap):
        heatmaps.heading_label.setWordWrap(True)
        heatmaps.empty_message.setWordWrap(True)
    for label in (window.loss_plot.readout, window.gradient_norm_plot.readout):
        label.setSizePolicy(QSizePolicy.Policy.Ignored, label.sizePolicy().verticalPolicy())
    window.layer_view.setMinimumWidth(MIN_VIEW_WIDTH)  # its row of three combo boxes
