"""Shared colours for the plots and heatmaps: one light palette, two colour maps.

Keeping them in one place means the loss plot, the heatmaps and any future
view agree on what "train" and "test" look like. Images get their lookup table
from these maps via ``ColorBarItem``/``ImageItem.setColorMap``, which samples
256 uint8 entries: the fast path for float32 images with explicit levels.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg

__all__ = [
    "lookup_table",
    "BACKGROUND",
    "AXIS_COLOR",
    "TEXT_COLOR",
    "MUTED_TEXT_COLOR",
    "GRID_ALPHA",
    "BATCH_COLOR",
    "TRAIN_COLOR",
    "TEST_COLOR",
    "HOVER_COLOR",
    "sequential_colormap",
    "diverging_colormap",
    "colormap_for_mode",
]

#: Plot background: the tools are meant to look like a light desktop app.
BACKGROUND = "w"
#: Axis lines and ticks: dark grey rather than black so data stays dominant.
AXIS_COLOR = "#5f6368"
#: Tick labels, axis labels, titles.
TEXT_COLOR = "#202124"
#: Secondary text such as hover read-outs and empty-state messages.
MUTED_TEXT_COLOR = "#5f6368"
#: Grid lines must be visible but never compete with the curves.
GRID_ALPHA = 0.12

#: Per-cycle mini-batch loss: a faint, noisy background trace.
BATCH_COLOR = (120, 144, 176, 95)
#: Full-set train metric: strong blue.
TRAIN_COLOR = "#1a5fb4"
#: Full-set test metric: orange contrasts with blue also for red/green colour blindness.
TEST_COLOR = "#e66100"
#: Hover cursor line and cell outline.
HOVER_COLOR = (60, 64, 67, 150)

# ColorBrewer RdBu (reversed so negative = blue), 5 stops: perceptually even and
# white exactly at the centre, so zero reads as "no change".
_DIVERGING_STOPS = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
_DIVERGING_COLORS = np.array(
    [
        (33, 102, 172),
        (103, 169, 207),
        (247, 247, 247),
        (239, 138, 98),
        (178, 24, 43),
    ],
    dtype=np.ubyte,
)


@lru_cache(maxsize=None)
def sequential_colormap() -> pg.ColorMap:
    """Return the sequential map used for activations ('viridis').

    Returns
    -------
    pyqtgraph.ColorMap
        Perceptually uniform, readable in greyscale; cached, so do not mutate.
    """
    return pg.colormap.get("viridis")


@lru_cache(maxsize=None)
def diverging_colormap() -> pg.ColorMap:
    """Return the blue-white-red diverging map used for signed values.

    Returns
    -------
    pyqtgraph.ColorMap
        Blue for negative, white at the centre, red for positive; cached.
    """
    return pg.ColorMap(_DIVERGING_STOPS, _DIVERGING_COLORS, name="nnstudio-diverging")


def colormap_for_mode(mode: str) -> pg.ColorMap:
    """Return the colour map for a heatmap mode.

    Parameters
    ----------
    mode : {'sequential', 'diverging'}
        Heatmap mode.

    Returns
    -------
    pyqtgraph.ColorMap

    Raises
    ------
    ValueError
        If ``mode`` is unknown.
    """
    if mode == "sequential":
        return sequential_colormap()
    if mode == "diverging":
        return diverging_colormap()
    raise ValueError(f"unknown heatmap mode {mode!r}; expected 'sequential' or 'diverging'")



def lookup_table(colormap: pg.ColorMap, size: int = 256) -> np.ndarray:
    """A (size, 3) uint8 RGB table of ``colormap``, for colouring values by index."""
    return colormap.getLookupTable(0.0, 1.0, nPts=size, alpha=False, mode=pg.ColorMap.BYTE)
