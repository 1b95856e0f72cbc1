"""Views of how the network learns, beside the loss plot.

* :class:`GradientNormPlot`: ‖∂L/∂W‖ of every weight layer against cycle;
* :class:`LayerView`: the input plane as two neurons of one layer see it;
* :class:`TimelineBar`: a slider to scrub back through the cycles.

Each lives in its own module (they share nothing but styling); this module
gathers them so the window has one import.
"""

from __future__ import annotations

from nnstudio.ui.gradient_norm_plot import GradientNormPlot, layer_colors
from nnstudio.ui.layer_view import LayerView, layer_names
from nnstudio.ui.timeline_bar import SCRUB_INTERVAL_MS, TimelineBar, timeline_text

__all__ = [
    "GradientNormPlot",
    "LayerView",
    "TimelineBar",
    "SCRUB_INTERVAL_MS",
    "layer_colors",
    "layer_names",
    "timeline_text",
]
