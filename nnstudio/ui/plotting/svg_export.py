"""SVG export: pyqtgraph's SVG of a view, made self-contained, and one SVG of a composite widget.

For a composite widget the SVGs of its visible pyqtgraph views are combined into one
document, each in a ``<g transform="translate(x,y)">`` at its place in the widget,
with the widget's visible labels as ``<text>``; other controls (buttons, tab bars)
are left out. Importing this module also makes pyqtgraph's SVG export accept closed
paths (see :func:`install_svg_export_fix`), which repairs the plots' right-click
"Export…" SVG too.
"""

from __future__ import annotations

import base64
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import pyqtgraph as pg
import pyqtgraph.exporters  # registers the exporter modules
from PySide6 import QtGui
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFontInfo, QFontMetricsF, QImage, QTextDocumentFragment
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QLabel, QWidget

from nnstudio.ui.plotting.png_export import png_bytes

__all__ = ["SVG_NS", "XLINK_NS", "composite_svg", "finish_svg", "install_svg_export_fix", "scene_svg_root"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_HREF = f"{{{XLINK_NS}}}href"

#: Embedded heatmap images are enlarged (nearest neighbour) by a whole factor up to this longer side.
_MAX_IMAGE_SIDE = 1024


def _svg(tag: str) -> str:
    return f"{{{SVG_NS}}}{tag}"


def install_svg_export_fix() -> None:
    """Let pyqtgraph's SVG exporter handle closed paths (idempotent).

    Qt 6's SVG generator ends closed sub-paths with a ``Z`` command (the plots' and
    heatmaps' ViewBox borders are closed rectangles); pyqtgraph 0.13/0.14 parses
    every path token as ``x,y`` and fails with "ValueError: not enough values to
    unpack" (pyqtgraph issue #3495). The wrapper takes the ``Z`` tokens out before
    pyqtgraph rewrites the coordinates and puts them back afterwards; paths without
    ``Z`` go through unchanged.
    """
    module = sys.modules.get("pyqtgraph.exporters.SVGExporter")
    original = getattr(module, "correctCoordinates", None)
    if original is None or getattr(original, "_nnstudio_closes_paths", False):
        return

    def correct_coordinates(node, defs, item, options):
        closed = []
        for path in node.getElementsByTagName("path"):
            tokens = path.getAttribute("d").split()
            if "Z" not in tokens and "z" not in tokens:
                continue
            kept: list[str] = []
            closes: list[tuple[int, str]] = []
            for token in tokens:
                if token in ("Z", "z"):
                    closes.append((len(kept), token))
                else:
                    kept.append(token)
            path.setAttribute("d", " ".join(kept))
            closed.append((path, closes))
        original(node, defs, item, options)
        for path, closes in closed:
            tokens = path.getAttribute("d").split()
            for index, token in reversed(closes):
                tokens.insert(index, token)
            path.setAttribute("d", " ".join(tokens))

    correct_coordinates._nnstudio_closes_paths = True  # type: ignore[attr-defined]
    module.correctCoordinates = correct_coordinates  # type: ignore[union-attr]


install_svg_export_fix()


def scene_svg_root(target: QGraphicsScene | QGraphicsItem) -> ET.Element:
    """pyqtgraph's SVG for one scene or item, parsed."""
    scene = target if isinstance(target, QGraphicsScene) else target.scene()
    # Auto-range is applied lazily, in the next paint; a plot that has not been painted
    # since its data changed (e.g. a tab just made current) would export its old range.
    # ImageExporter goes through GraphicsScene.render(), which does this itself.
    if hasattr(scene, "prepareForPaint"):
        scene.prepareForPaint()
    data = pg.exporters.SVGExporter(target).export(toBytes=True)
    return ET.fromstring(data)


def _view_box_size(root: ET.Element) -> tuple[float, float]:
    values = [float(v) for v in root.get("viewBox", "0 0 0 0").replace(",", " ").split()]
    return (values[2], values[3]) if len(values) == 4 else (0.0, 0.0)


def _sharpen_images(root: ET.Element) -> None:
    """Enlarge embedded bitmaps by whole pixels so every viewer shows crisp cells.

    A heatmap is embedded at one pixel per cell and stretched by the SVG. pyqtgraph
    asks for ``image-rendering: pixelated``, which browsers honour, but renderers
    that ignore it (Qt's own QSvgRenderer, for one) smooth the cells into blurred
    gradients. Enlarging by whole pixels keeps the cells square-edged everywhere, at
    a bounded size (longer side at most ``_MAX_IMAGE_SIDE``).
    """
    for element in root.iter(_svg("image")):
        key = _HREF if _HREF in element.attrib else "href"
        href = element.get(key, "")
        prefix = "data:image/png;base64,"
        if not href.startswith(prefix):
            continue
        image = QImage.fromData(base64.b64decode(href[len(prefix):]), "PNG")
        longest = max(image.width(), image.height())
        if image.isNull() or longest == 0:
            continue
        factor = _MAX_IMAGE_SIDE // longest
        if factor < 2:
            continue
        big = image.scaled(
            image.width() * factor,
            image.height() * factor,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.FastTransformation,
        )
        element.set(key, prefix + base64.b64encode(png_bytes(big)).decode("ascii"))


def finish_svg(root: ET.Element, width: float | None) -> bytes:
    """Give the document its display size (``width`` scales it), sharpen bitmaps, serialise."""
    view_w, view_h = _view_box_size(root)
    scale = width / view_w if width is not None and view_w > 0 else 1.0
    root.set("width", f"{view_w * scale:g}")
    root.set("height", f"{view_h * scale:g}")
    # pyqtgraph labels its output SVG Tiny 1.2, which has no clipPath; it is SVG 1.1.
    root.set("version", "1.1")
    root.attrib.pop("baseProfile", None)
    _sharpen_images(root)
    return _serialise(root)


def _serialise(root: ET.Element) -> bytes:
    """``<svg xmlns=... xmlns:xlink=...>`` without ElementTree's ns0:/ns1: prefixes.

    (``tostring(default_namespace=...)`` refuses unqualified attributes, and
    ``register_namespace("", ...)`` would change every ElementTree user in the process.)
    """
    names = {SVG_NS: "", XLINK_NS: "xlink:"}

    def local(name: str) -> str:
        if name.startswith("{"):
            uri, _, tag = name[1:].partition("}")
            return names.get(uri, "") + tag
        return name

    for element in root.iter():
        element.tag = local(element.tag)
        for key in [key for key in element.attrib if key.startswith("{")]:
            element.attrib[local(key)] = element.attrib.pop(key)
    root.set("xmlns", SVG_NS)
    root.set("xmlns:xlink", XLINK_NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _prefix_ids(elements: Sequence[ET.Element], prefix: str) -> None:
    """Make the ids of one view's SVG unique in a combined document (ViewBox_1 appears in every view)."""
    ids = {}
    for top in elements:
        for element in top.iter():
            old = element.get("id")
            if old is not None:
                ids[old] = prefix + old
                element.set("id", prefix + old)
    if not ids:
        return
    reference = re.compile(r"url\(#([^)]+)\)")
    for top in elements:
        for element in top.iter():
            for key, value in list(element.attrib.items()):
                if "url(#" in value:
                    element.set(key, reference.sub(lambda m: f"url(#{ids.get(m.group(1), m.group(1))})", value))
                elif key in (_HREF, "href") and value.startswith("#") and value[1:] in ids:
                    element.set(key, "#" + ids[value[1:]])


def _label_text_elements(label: QLabel, offset: QPoint) -> list[ET.Element]:
    """A visible QLabel as ``<text>`` lines placed and aligned as on screen."""
    text = label.text()
    text_format = label.textFormat()
    if text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    ):
        text = QTextDocumentFragment.fromHtml(text).toPlainText()
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return []
    font = label.font()
    metrics = QFontMetricsF(font)
    rect = label.contentsRect()
    margin = label.margin()
    left = offset.x() + rect.left() + margin
    right = offset.x() + rect.right() + 1 - margin
    top = offset.y() + rect.top() + margin
    bottom = offset.y() + rect.bottom() + 1 - margin
    align = label.alignment()
    if align & Qt.AlignmentFlag.AlignHCenter:
        x, anchor = (left + right) / 2.0, "middle"
    elif align & Qt.AlignmentFlag.AlignRight:
        x, anchor = right, "end"
    else:
        x, anchor = left, "start"
    block = metrics.lineSpacing() * (len(lines) - 1) + metrics.height()
    if align & Qt.AlignmentFlag.AlignTop:
        y = top
    elif align & Qt.AlignmentFlag.AlignBottom:
        y = bottom - block
    else:
        y = top + (bottom - top - block) / 2.0
    color = label.palette().color(label.foregroundRole())
    family = QFontInfo(font).family()
    elements = []
    for index, line in enumerate(lines):
        element = ET.Element(
            _svg("text"),
            {
                "x": f"{x:g}",
                "y": f"{y + metrics.ascent() + index * metrics.lineSpacing():g}",
                "font-family": f"{family}, sans-serif",
                "font-size": f"{QFontInfo(font).pixelSize()}px",
                "font-weight": "bold" if font.bold() else "normal",
                "fill": color.name(QColor.NameFormat.HexRgb),
                "text-anchor": anchor,
            },
        )
        if color.alphaF() < 1.0:
            element.set("fill-opacity", f"{color.alphaF():g}")
        element.text = line
        elements.append(element)
    return elements


def composite_svg(widget: QWidget, width: float | None) -> bytes:
    """One SVG of ``widget``: its visible pyqtgraph views (vector) and labels (text), in place."""
    if widget.size().isEmpty():
        raise ValueError("nothing to export: the widget has no size yet")
    w, h = widget.width(), widget.height()
    root = ET.Element(_svg("svg"), {"viewBox": f"0 0 {w} {h}"})
    ET.SubElement(root, _svg("title")).text = "NN Studio figure"
    background = widget.palette().color(widget.backgroundRole())
    ET.SubElement(root, _svg("rect"), {"width": str(w), "height": str(h), "fill": background.name()})
    style_copied = False
    views = [
        view
        for view in widget.findChildren(pg.GraphicsView)
        if view.isVisibleTo(widget) and not view.size().isEmpty()
    ]
    for number, view in enumerate(views, start=1):
        part = scene_svg_root(view.scene())
        prefix = f"view{number}_"
        kept = []
        for child in list(part):
            tag = child.tag.rsplit("}", 1)[-1]
            if tag in ("title", "desc"):
                continue
            if tag == "style":
                if not style_copied:  # pyqtgraph writes the same <style> in every view
                    root.append(child)
                    style_copied = True
                continue
            if tag == "rect" and child.get("width") == "100%":  # the view's background
                child.set("width", str(view.width()))
                child.set("height", str(view.height()))
            kept.append(child)
        _prefix_ids(kept, prefix)
        offset = view.mapTo(widget, QPoint(0, 0))
        placed = ET.SubElement(
            root, _svg("g"), {"id": f"{prefix[:-1]}", "transform": f"translate({offset.x()},{offset.y()})"}
        )
        clip = ET.SubElement(placed, _svg("clipPath"), {"id": f"{prefix}area"})
        ET.SubElement(clip, _svg("rect"), {"width": str(view.width()), "height": str(view.height())})
        clipped = ET.SubElement(placed, _svg("g"), {"clip-path": f"url(#{prefix}area)"})
        clipped.extend(kept)
    for label in widget.findChildren(QLabel):
        if label.isVisibleTo(widget) and not any(view.isAncestorOf(label) for view in views):
            root.extend(_label_text_elements(label, label.mapTo(widget, QPoint(0, 0))))
    return finish_svg(root, width)
