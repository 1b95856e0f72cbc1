"""File › Export: the loss plot and the heatmaps as PNG or SVG, the loss history as CSV.

Every export renders to bytes in memory first and then writes them with
:func:`nnstudio.engine.io.fileio.atomic_writer` (temporary file in the same folder,
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
    A pyqtgraph view through ``pyqtgraph.exporters.SVGExporter``. For a composite
    widget the SVGs of its visible pyqtgraph views are combined into one document,
    each in a ``<g transform="translate(x,y)">`` at its place in the widget, with
    the widget's visible labels as ``<text>``; other controls (buttons, tab bars)
    are left out.

The history CSV is written by the engine's
:func:`nnstudio.engine.run.history.write_history_csv`, so the window and
``nnstudio train --history`` produce the same table.

Importing this module also makes pyqtgraph's SVG export accept closed paths
(see :func:`install_svg_export_fix`), which repairs the plots' right-click
"Export…" SVG too.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401 (registers the exporter modules)
from PySide6 import QtGui
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QSignalBlocker, Qt
from PySide6.QtGui import QColor, QFontInfo, QFontMetricsF, QImage, QTextDocumentFragment
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsItem,
    QGraphicsScene,
    QLabel,
    QStackedWidget,
    QWidget,
)

from nnstudio.engine.io.fileio import atomic_writer
from nnstudio.engine.run.history import HISTORY_CSV_COLUMNS, History
from nnstudio.engine.run.history import write_history_csv as engine_write_history_csv
from nnstudio.ui.plotting.layer_heatmaps import LayerHeatmaps
from nnstudio.ui.plotting.loss_plot import LossPlot

__all__ = [
    "IMAGE_SUFFIXES",
    "IMAGE_FILTERS",
    "CSV_FILTERS",
    "HISTORY_COLUMNS",
    "export_widget_image",
    "render_image",
    "export_loss_plot",
    "export_heatmaps",
    "history_rows",
    "export_history_csv",
    "ask_export_path",
    "install_svg_export_fix",
]

#: Suffixes :func:`export_widget_image` understands.
IMAGE_SUFFIXES = (".png", ".svg")
#: File-dialog filters for the image exports (description -> suffix), PNG first.
IMAGE_FILTERS: dict[str, str] = {"PNG image": ".png", "SVG vector image": ".svg"}
#: File-dialog filter for the history export.
CSV_FILTERS: dict[str, str] = {"CSV table": ".csv"}
#: Header of the history CSV (the engine's). Accuracies are fractions in [0, 1].
HISTORY_COLUMNS = HISTORY_CSV_COLUMNS

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_HREF = f"{{{XLINK_NS}}}href"

#: Embedded heatmap images are enlarged (nearest neighbour) by a whole factor up to this longer side.
_MAX_IMAGE_SIDE = 1024


def _svg(tag: str) -> str:
    return f"{{{SVG_NS}}}{tag}"


# ---------------------------------------------------------------------- SVG export fix
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


# ---------------------------------------------------------------------- file writing
def _check_suffix(suffix: str, name: str = "") -> str:
    """``suffix`` lower-cased with its dot, if it is one of :data:`IMAGE_SUFFIXES`; else ValueError."""
    normal = suffix.lower() if not suffix or suffix.startswith(".") else f".{suffix.lower()}"
    if normal not in IMAGE_SUFFIXES:
        shown = f"{normal!r}" if normal else "no suffix"
        where = f" ({name})" if name else ""
        raise ValueError(f"cannot export an image as {shown}{where}; use one of {', '.join(IMAGE_SUFFIXES)}")
    return normal


def _suffix(path: str | os.PathLike) -> str:
    return _check_suffix(Path(path).suffix, Path(path).name)


def _write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path``: the whole new content or, on any failure, the old file."""
    with atomic_writer(Path(path), "wb") as handle:
        handle.write(data)


def _png_bytes(image: QImage) -> bytes:
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if image.isNull() or not image.save(buffer, "PNG"):
        raise OSError("could not encode the image as PNG")
    buffer.close()
    return bytes(array.data())


# ---------------------------------------------------------------------- rendering
def _graphics_target(obj: object) -> QGraphicsScene | QGraphicsItem | None:
    """The scene or item a pyqtgraph exporter takes for ``obj``, or None for a plain widget."""
    if isinstance(obj, pg.GraphicsView):  # PlotWidget, GraphicsLayoutWidget, ImageView's view...
        return obj.scene()
    if isinstance(obj, (QGraphicsScene, QGraphicsItem)):
        return obj
    return None


def _scene_png(target: QGraphicsScene | QGraphicsItem, width: int | None) -> bytes:
    exporter = pg.exporters.ImageExporter(target)
    if width is not None:
        exporter.parameters().param("width").setValue(int(width))  # height follows the aspect ratio
    params = exporter.parameters()
    if params["width"] <= 0 or params["height"] <= 0:
        raise ValueError("nothing to export: the view has no size yet")
    return _png_bytes(exporter.export(toBytes=True))


def _widget_png(widget: QWidget, width: int | None) -> bytes:
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
    return _png_bytes(image)


def _scene_svg_root(target: QGraphicsScene | QGraphicsItem) -> ET.Element:
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
        element.set(key, prefix + base64.b64encode(_png_bytes(big)).decode("ascii"))


def _finish_svg(root: ET.Element, width: float | None) -> bytes:
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


def _composite_svg(widget: QWidget, width: float | None) -> bytes:
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
        part = _scene_svg_root(view.scene())
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
    return _finish_svg(root, width)


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
    suffix = _check_suffix(suffix)
    if width is not None and not width > 0:
        raise ValueError(f"width must be positive, got {width}")
    target = _graphics_target(widget_or_scene)
    if suffix == ".png":
        view = widget_or_scene if isinstance(widget_or_scene, pg.GraphicsView) else None
        if view is not None and (width is not None or view.devicePixelRatioF() != 1.0):
            # ImageExporter enlarges a view by re-laying it out at the new size, which
            # leaves legends and tick labels at their on-screen pixel size; rendering
            # through a device pixel ratio enlarges everything alike (and on a HiDPI
            # screen gives the sharp image the screen shows).
            return _widget_png(view, width)
        if target is not None:
            return _scene_png(target, width)
        if isinstance(widget_or_scene, QWidget):
            return _widget_png(widget_or_scene, width)
    else:
        if target is not None:
            return _finish_svg(_scene_svg_root(target), width)
        if isinstance(widget_or_scene, QWidget):
            return _composite_svg(widget_or_scene, width)
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
    suffix = _suffix(path)
    data = render_image(widget_or_scene, suffix, width)
    _write_atomically(path, data)
    return Path(path)


# ---------------------------------------------------------------------- the window's figures
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
    _suffix(path)
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
    _suffix(path)
    if not layer_heatmaps.heatmaps:
        raise ValueError("there are no heatmaps to export yet")
    return export_widget_image(layer_heatmaps, path, width)


# ---------------------------------------------------------------------- history CSV
def _checked_arrays(
    batch_cycles: object, batch_loss: object, eval_cycles: object, evaluations: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    b_x = np.asarray(batch_cycles, dtype=np.float64).ravel()
    b_y = np.asarray(batch_loss, dtype=np.float64).ravel()
    e_x = np.asarray(eval_cycles, dtype=np.float64).ravel()
    ev = np.asarray(evaluations, dtype=np.float64)
    if ev.size == 0:
        ev = ev.reshape(0, len(History.EVAL_COLUMNS))
    if b_x.shape != b_y.shape:
        raise ValueError(f"batch_cycles and batch_loss lengths differ: {b_x.size} vs {b_y.size}")
    if ev.ndim != 2 or ev.shape != (e_x.size, len(History.EVAL_COLUMNS)):
        raise ValueError(f"evaluations must have shape ({e_x.size}, {len(History.EVAL_COLUMNS)}), got {ev.shape}")
    if not (np.isfinite(b_x).all() and np.isfinite(e_x).all()):
        raise ValueError("cycles must be finite numbers")
    return b_x, b_y, e_x, ev


def history_rows(
    batch_cycles: Sequence[float] | np.ndarray,
    batch_loss: Sequence[float] | np.ndarray,
    eval_cycles: Sequence[float] | np.ndarray,
    evaluations: Sequence[Sequence[float]] | np.ndarray,
) -> list[tuple]:
    """The rows of the history CSV, as numbers: batch points and evaluations merged by cycle.

    Same table as :func:`nnstudio.engine.run.history.write_history_csv` writes (which
    :func:`export_history_csv` uses, so the window and ``nnstudio train --history``
    produce the same file).

    Parameters
    ----------
    batch_cycles, batch_loss : array-like
        1-D, same length: mini-batch loss per recorded cycle.
    eval_cycles : array-like
        1-D: cycles at which the whole splits were evaluated.
    evaluations : array-like
        ``(len(eval_cycles), 4)``: train_loss, test_loss, train_accuracy, test_accuracy
        (accuracies as fractions).

    Returns
    -------
    list of tuple
        ``(cycle, batch_loss, train_loss, test_loss, train_accuracy, test_accuracy)``,
        sorted by ``cycle`` (an int), one per cycle found in either series. A value the
        cycle has no measurement for is None (an empty CSV cell): ``batch_loss`` off the
        recorded batch cycles, the four evaluation columns off the evaluated cycles.
        Measured values are floats, NaN included ("does not exist": no test split,
        accuracy in regression; the CSV says ``nan``). A cycle repeated within one
        series keeps its last value.

    Raises
    ------
    ValueError
        If paired lengths differ, ``evaluations`` is not ``(n, 4)`` or a cycle is not finite.
    """
    b_x, b_y, e_x, ev = _checked_arrays(batch_cycles, batch_loss, eval_cycles, evaluations)
    empty: list[float | None] = [None] * len(HISTORY_COLUMNS[1:])
    rows: dict[int, list[float | None]] = {}
    for cycle, loss in zip(b_x.tolist(), b_y.tolist()):
        rows.setdefault(int(cycle), list(empty))[0] = loss
    for cycle, values in zip(e_x.tolist(), ev.tolist()):
        rows.setdefault(int(cycle), list(empty))[1:] = values
    return [(cycle, *rows[cycle]) for cycle in sorted(rows)]


def _as_history(batch_cycles: object, batch_loss: object, eval_cycles: object, evaluations: object) -> History:
    """An engine History holding exactly these points (no thinning), for the engine's CSV writer."""
    b_x, b_y, e_x, ev = _checked_arrays(batch_cycles, batch_loss, eval_cycles, evaluations)
    points = max(b_x.size, e_x.size, 2)
    capacity = points + points % 2  # even, and large enough to keep every point
    history = History(capacity)
    history.load_state(
        {
            "batch_loss": {"data": np.column_stack([b_x, b_y]), "offered": b_x.size, "stride": 1, "capacity": capacity},
            "evaluations": {"data": np.column_stack([e_x, ev]), "offered": e_x.size, "stride": 1, "capacity": capacity},
        }
    )
    return history


def _curve_xy(curve: pg.PlotDataItem) -> tuple[np.ndarray, np.ndarray]:
    """The data given to a curve, before downsampling, clipping and log mode."""
    x, y = curve.getOriginalDataset()
    if x is None or y is None:
        return np.empty(0), np.empty(0)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def _arrays_from_loss_plot(loss_plot: LossPlot) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rebuild the history arrays from the curves (accuracy percent -> fraction).

    The curves hold finite points only: a value missing from one curve at an
    evaluated cycle comes back as NaN.
    """
    batch_x, batch_y = _curve_xy(loss_plot.batch_curve)
    series = [
        (_curve_xy(loss_plot.train_curve), 1.0),
        (_curve_xy(loss_plot.test_curve), 1.0),
        (_curve_xy(loss_plot.train_accuracy_curve), 100.0),
        (_curve_xy(loss_plot.test_accuracy_curve), 100.0),
    ]
    cycles = np.unique(np.concatenate([xy[0] for xy, _ in series]))
    evaluations = np.full((cycles.size, len(series)), np.nan)
    for column, ((x, y), divisor) in enumerate(series):
        evaluations[np.searchsorted(cycles, x), column] = y / divisor
    return batch_x, batch_y, cycles, evaluations


def _history_arrays(source: object) -> tuple:
    if isinstance(source, LossPlot):
        return _arrays_from_loss_plot(source)
    if all(hasattr(source, name) for name in ("batch_cycles", "batch_loss", "eval_cycles", "evaluations")):
        return tuple(getattr(source, name) for name in ("batch_cycles", "batch_loss", "eval_cycles", "evaluations"))
    if isinstance(source, Mapping):
        return source["batch_cycles"], source["batch_loss"], source["eval_cycles"], source["evaluations"]
    if isinstance(source, (tuple, list)) and len(source) == 4:
        return tuple(source)
    if isinstance(source, (tuple, list)) and len(source) == 7:  # the arguments of LossPlot.set_history
        batch_x, batch_y, eval_x, *columns = source
        return batch_x, batch_y, eval_x, np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
    raise TypeError(
        "expected a History, a snapshot with batch_cycles/batch_loss/eval_cycles/evaluations, a LossPlot, "
        f"or a 4- or 7-tuple of arrays; got {type(source).__name__}"
    )


def export_history_csv(loss_plot_or_arrays: object, path: str | os.PathLike) -> Path:
    """Write the loss history as CSV with :func:`nnstudio.engine.run.history.write_history_csv`.

    Columns :data:`HISTORY_COLUMNS`, one row per cycle (see :func:`history_rows`);
    the file is the one ``nnstudio train --history`` writes, written atomically.

    Parameters
    ----------
    loss_plot_or_arrays
        Preferably the numbers themselves: an engine
        :class:`~nnstudio.engine.run.history.History`; a snapshot (anything with
        ``batch_cycles``, ``batch_loss``, ``eval_cycles``, ``evaluations``, such as
        the window's ``latest``) or a mapping with those keys; a 4-tuple
        ``(batch_cycles, batch_loss, eval_cycles, evaluations)``; or the 7 arrays
        given to :meth:`LossPlot.set_history`. A :class:`LossPlot` also works: its
        curves are read back, but they hold finite points only (a cycle whose
        evaluation was all NaN is lost) and accuracies return from percent, which
        can change the last digit.
    path : str or os.PathLike
        Target ``.csv`` file.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OSError
        If the file cannot be written (an existing file is kept).
    """
    history = loss_plot_or_arrays if isinstance(loss_plot_or_arrays, History) else _as_history(
        *_history_arrays(loss_plot_or_arrays)
    )
    target = Path(path)
    engine_write_history_csv(history, target)
    return target


# ---------------------------------------------------------------------- file dialog
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
