"""Figures as files: a widget, view, scene or item rendered to PNG or SVG bytes and written atomically.

Every export renders to bytes in memory first and then writes them with
:func:`nnstudio.engine.io.fileio.atomic_write_bytes` (temporary file in the same folder,
renamed over the target). A failed export therefore leaves no partial file and an
existing file untouched. pyqtgraph's exporters are used only in their in-memory
mode (``export(toBytes=True)``): with ``fileName=`` the SVG exporter opens the target
itself and the image exporter returns ``False`` from ``QImage.save`` instead of raising.

Formats, chosen by the file suffix (case-insensitive):

``.png``
    A pyqtgraph view (PlotWidget, GraphicsLayoutWidget, a scene or a graphics item)
    through ``pyqtgraph.exporters.ImageExporter``; any other widget as rendered on
    screen (``QWidget.render``, as ``grab()`` does), so composite widgets such as
    :class:`~nnstudio.ui.plotting.layer_heatmaps.LayerHeatmaps` come out whole.
``.svg``
    A pyqtgraph view through ``pyqtgraph.exporters.SVGExporter``; a composite widget
    as one document of its views and labels (:mod:`nnstudio.ui.plotting.svg_export`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QWidget

from nnstudio.engine.io.fileio import atomic_write_bytes
from nnstudio.ui.plotting.png_export import scene_png, widget_png
from nnstudio.ui.plotting.svg_export import composite_svg, finish_svg, scene_svg_root

__all__ = ["IMAGE_SUFFIXES", "check_suffix", "export_widget_image", "image_suffix", "render_image"]

#: Suffixes :func:`export_widget_image` understands.
IMAGE_SUFFIXES = (".png", ".svg")


def check_suffix(suffix: str, name: str = "") -> str:
    """``suffix`` lower-cased with its dot, if it is one of :data:`IMAGE_SUFFIXES`; else ValueError."""
    normal = suffix.lower() if not suffix or suffix.startswith(".") else f".{suffix.lower()}"
    if normal not in IMAGE_SUFFIXES:
        shown = f"{normal!r}" if normal else "no suffix"
        where = f" ({name})" if name else ""
        raise ValueError(f"cannot export an image as {shown}{where}; use one of {', '.join(IMAGE_SUFFIXES)}")
    return normal


def image_suffix(path: str | os.PathLike) -> str:
    """The image suffix of ``path`` (see :func:`check_suffix`)."""
    return check_suffix(Path(path).suffix, Path(path).name)


def graphics_target(obj: object) -> QGraphicsScene | QGraphicsItem | None:
    """The scene or item a pyqtgraph exporter takes for ``obj``, or None for a plain widget."""
    if isinstance(obj, pg.GraphicsView):  # PlotWidget, GraphicsLayoutWidget, ImageView's view...
        return obj.scene()
    if isinstance(obj, (QGraphicsScene, QGraphicsItem)):
        return obj
    return None


def render_image(widget_or_scene: object, suffix: str, width: int | None = None) -> bytes:
    """Render ``widget_or_scene`` to PNG or SVG bytes (see the module docstring for what is drawn).

    Parameters
    ----------
    widget_or_scene : QWidget, pyqtgraph.GraphicsView, QGraphicsScene or QGraphicsItem
        What to draw.
    suffix : {'.png', '.svg'}
        Format.
    width : int, optional
        Output width in pixels (PNG) or in the SVG's ``width`` attribute; the height
        follows the aspect ratio. Default: the on-screen size (PNG: in device pixels,
        so twice the logical size on a 2x HiDPI screen).

    Returns
    -------
    bytes
        The encoded file.
    """
    suffix = check_suffix(suffix)
    if width is not None and not width > 0:
        raise ValueError(f"width must be positive, got {width}")
    target = graphics_target(widget_or_scene)
    if suffix == ".png":
        view = widget_or_scene if isinstance(widget_or_scene, pg.GraphicsView) else None
        if view is not None and (width is not None or view.devicePixelRatioF() != 1.0):
            # ImageExporter enlarges a view by re-laying it out at the new size, which
            # leaves legends and tick labels at their on-screen pixel size; rendering
            # through a device pixel ratio enlarges everything alike (and on a HiDPI
            # screen gives the sharp image the screen shows).
            return widget_png(view, width)
        if target is not None:
            return scene_png(target, width)
        if isinstance(widget_or_scene, QWidget):
            return widget_png(widget_or_scene, width)
    else:
        if target is not None:
            return finish_svg(scene_svg_root(target), width)
        if isinstance(widget_or_scene, QWidget):
            return composite_svg(widget_or_scene, width)
    raise TypeError(f"cannot export a {type(widget_or_scene).__name__}; expected a QWidget, scene or graphics item")


def export_widget_image(widget_or_scene: object, path: str | os.PathLike, width: int | None = None) -> Path:
    """Save ``widget_or_scene`` as a PNG or SVG file, chosen by the suffix of ``path``.

    Parameters
    ----------
    widget_or_scene : QWidget, pyqtgraph.GraphicsView, QGraphicsScene or QGraphicsItem
        A PlotWidget / GraphicsLayoutWidget (exported through pyqtgraph's exporters),
        or any other widget (PNG: as drawn on screen; SVG: its pyqtgraph views and labels).
    path : str or os.PathLike
        Target file, ``.png`` or ``.svg``. Written atomically: on failure no partial
        file appears and an existing file keeps its content.
    width : int, optional
        Output width (pixels for PNG); height follows. Default: the on-screen size.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If the suffix is neither ``.png`` nor ``.svg`` (the message names both), or
        there is nothing to draw yet (zero size).
    OSError
        If the file cannot be written.
    """
    atomic_write_bytes(path, render_image(widget_or_scene, image_suffix(path), width))
    return Path(path)
