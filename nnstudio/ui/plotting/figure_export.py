"""File › Export's figures: the loss or accuracy plot and the heatmaps as PNG or SVG, and the save dialog.

What is drawn and how it is written: :mod:`nnstudio.ui.plotting.image_export`; the
history CSV: :mod:`nnstudio.ui.plotting.history_export`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QFileDialog, QStackedWidget, QWidget

from nnstudio.ui.plotting.image_export import IMAGE_SUFFIXES, export_widget_image, image_suffix
from nnstudio.ui.plotting.layer_heatmaps import LayerHeatmaps
from nnstudio.ui.plotting.loss_plot import LossPlot

__all__ = ["IMAGE_FILTERS", "CSV_FILTERS", "export_loss_plot", "export_heatmaps", "ask_export_path"]

#: File-dialog filters for the image exports (description -> suffix), PNG first.
IMAGE_FILTERS: dict[str, str] = {"PNG image": IMAGE_SUFFIXES[0], "SVG vector image": IMAGE_SUFFIXES[1]}
#: File-dialog filter for the history export.
CSV_FILTERS: dict[str, str] = {"CSV table": ".csv"}


@contextlib.contextmanager
def _showing_tab(loss_plot: LossPlot, index: int) -> Iterator[None]:
    """Make tab ``index`` current for the duration, so a hidden tab is laid out at its real size.

    Hidden tab pages keep a stale size until shown. The switch happens with the tab
    widget's signals blocked (no hover reset, no log-box toggling) and is undone
    before control returns to the event loop, so nothing flickers on screen.
    """
    tabs = loss_plot.tabs
    old = tabs.currentIndex()
    if old == index or not loss_plot.isVisible():
        yield
        return
    with QSignalBlocker(tabs):
        tabs.setCurrentIndex(index)
    try:
        yield
    finally:
        with QSignalBlocker(tabs):
            tabs.setCurrentIndex(old)


def export_loss_plot(
    loss_plot: LossPlot, path: str | os.PathLike, which: str = "loss", width: int | None = None
) -> Path:
    """Save the loss or the accuracy tab's plot (axes, curves, legend) as PNG or SVG.

    Parameters
    ----------
    loss_plot : LossPlot
        The window's loss plot.
    path : str or os.PathLike
        ``.png`` or ``.svg`` file.
    which : {'loss', 'accuracy'}
        Which tab's plot; the accuracy plot is exported even while the loss tab is shown.
    width : int, optional
        Output width; default the on-screen size.

    Raises
    ------
    ValueError
        Unknown ``which`` or suffix, or ``which='accuracy'`` for a regression task
        (the tab then shows a message, not a plot).
    """
    if which == "loss":
        plot, index = loss_plot.loss_plot, LossPlot.LOSS_TAB
    elif which == "accuracy":
        plot, index = loss_plot.accuracy_plot, LossPlot.ACCURACY_TAB
        stack = plot.parentWidget()
        if isinstance(stack, QStackedWidget) and stack.currentWidget() is not plot:
            raise ValueError("there is no accuracy to export: this task is a regression")
    else:
        raise ValueError(f"which must be 'loss' or 'accuracy', got {which!r}")
    image_suffix(path)
    with _showing_tab(loss_plot, index):
        return export_widget_image(plot, path, width)


def export_heatmaps(layer_heatmaps: LayerHeatmaps, path: str | os.PathLike, width: int | None = None) -> Path:
    """Save every layer's heatmap, side by side as on screen, as one PNG or SVG.

    PNG: the whole widget as drawn (heading, heatmaps, colour bars, shape read-outs).
    SVG: one document with one ``<g id="viewN">`` per layer (pyqtgraph's vector
    export of that heatmap, bitmap cells enlarged to stay crisp) plus the heading
    and read-outs as text.

    Raises
    ------
    ValueError
        If there are no heatmaps yet (no network), or the suffix is unknown.
    """
    image_suffix(path)
    if not layer_heatmaps.heatmaps:
        raise ValueError("there are no heatmaps to export yet")
    return export_widget_image(layer_heatmaps, path, width)


def _normal_suffix(pattern: str) -> str:
    """'.png', 'png' or '*.png' -> '.png'."""
    suffix = pattern.strip().lstrip("*")
    return (suffix if suffix.startswith(".") else f".{suffix}").lower()


def ask_export_path(
    parent: QWidget | None, title: str, default_name: str, filters: Mapping[str, str]
) -> str | None:
    """Ask where to save an export; None if the user cancels.

    Parameters
    ----------
    parent : QWidget or None
        Dialog parent.
    title : str
        Dialog title, e.g. ``"Export loss plot"``.
    default_name : str
        Proposed file name (or path); its suffix picks the initially selected filter.
    filters : mapping of str to str
        Description -> suffix, e.g. :data:`IMAGE_FILTERS`
        ``{"PNG image": ".png", "SVG vector image": ".svg"}`` (``"png"`` and
        ``"*.png"`` are accepted too).

    Returns
    -------
    str or None
        The chosen path. When the typed name has none of the filters' suffixes, the
        suffix of the selected filter is appended (``loss`` -> ``loss.png``).
    """
    if not filters:
        raise ValueError("filters must name at least one file type")
    suffixes = {description: _normal_suffix(pattern) for description, pattern in filters.items()}
    strings = {description: f"{description} (*{suffix})" for description, suffix in suffixes.items()}
    default_suffix = Path(default_name).suffix.lower()
    selected = next((strings[d] for d, s in suffixes.items() if s == default_suffix), next(iter(strings.values())))
    path, chosen = QFileDialog.getSaveFileName(parent, title, default_name, ";;".join(strings.values()), selected)
    if not path:
        return None
    if Path(path).suffix.lower() not in suffixes.values():
        by_string = {string: suffixes[d] for d, string in strings.items()}
        path += by_string.get(chosen, by_string[selected])
    return path
