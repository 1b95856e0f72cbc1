"""PNG rendering of pyqtgraph scenes and of any widget as drawn on screen, to bytes in memory."""

from __future__ import annotations

import pyqtgraph as pg
import pyqtgraph.exporters  # registers the exporter modules
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QWidget

__all__ = ["png_bytes", "scene_png", "widget_png"]


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG; OSError when Qt cannot encode it."""
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if image.isNull() or not image.save(buffer, "PNG"):
        raise OSError("could not encode the image as PNG")
    buffer.close()
    return bytes(array.data())


def scene_png(target: QGraphicsScene | QGraphicsItem, width: int | None) -> bytes:
    """``target`` through pyqtgraph's ImageExporter, ``width`` pixels wide (default: as on screen)."""
    exporter = pg.exporters.ImageExporter(target)
    if width is not None:
        exporter.parameters().param("width").setValue(int(width))  # height follows the aspect ratio
    params = exporter.parameters()
    if params["width"] <= 0 or params["height"] <= 0:
        raise ValueError("nothing to export: the view has no size yet")
    return png_bytes(exporter.export(toBytes=True))


def widget_png(widget: QWidget, width: int | None) -> bytes:
    """The widget as drawn on screen, at ``width`` pixels (default: its size in device pixels)."""
    size = widget.size()
    if size.isEmpty():
        raise ValueError("nothing to export: the widget has no size yet")
    scale = width / size.width() if width is not None else widget.devicePixelRatioF()
    image = QImage(
        max(1, round(size.width() * scale)),
        max(1, round(size.height() * scale)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    # Rendering through a device pixel ratio keeps text and lines sharp at any size.
    image.setDevicePixelRatio(scale)
    image.fill(widget.palette().color(widget.backgroundRole()))
    QWidget.render(widget, image)  # QGraphicsView overrides render() with a scene-rendering signature
    image.setDevicePixelRatio(1.0)
    return png_bytes(image)
