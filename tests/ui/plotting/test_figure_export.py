"""File › Export's figures: figure_export and image_export (PNG/SVG) of the loss plot and heatmaps; failures."""

from __future__ import annotations

import math
import os
import re
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog
from support.histories import export_history

from nnstudio.ui.plotting import figure_export as fe
from nnstudio.ui.plotting.history_export import export_history_csv
from nnstudio.ui.plotting.image_export import export_widget_image
from nnstudio.ui.plotting.layer_heatmaps import LayerHeatmaps
from nnstudio.ui.plotting.loss_plot import LossPlot

NAN = math.nan
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def heatmaps(shown) -> LayerHeatmaps:
    widget = shown(LayerHeatmaps("activations"), 900, 300)
    rng = np.random.default_rng(0)
    widget.set_matrices([rng.random((8, 4)), rng.random((8, 3))], ["layer 1 (4 neurons)", "layer 2 (3 neurons)"])
    return widget


def _read_png(path) -> QImage:
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    image = QImage.fromData(QByteArray(data), "PNG")
    assert not image.isNull()
    return image


def _read_svg(path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return root


def _only_file(folder) -> list[str]:
    return sorted(os.listdir(folder))


# ---------------------------------------------------------------------- loss plot
def test_loss_plot_png_is_a_png_of_the_plot_size(loss_plot, tmp_path):
    """The loss tab exports as a PNG as large as the plot on screen."""
    path = tmp_path / "loss.png"
    assert fe.export_loss_plot(loss_plot, path) == path
    image = _read_png(path)
    assert (image.width(), image.height()) == (loss_plot.loss_plot.width(), loss_plot.loss_plot.height())
    assert path.stat().st_size > 5_000  # axes, curves, legend: far from a blank image
    # The white background and the dark axis frame are both there.
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert "#ffffff" in colours and len(colours) > 10


def test_loss_plot_png_width_scales_the_whole_figure(loss_plot, tmp_path):
    """width= gives a PNG of that width with the plot's aspect ratio."""
    path = tmp_path / "loss@2x.png"
    fe.export_loss_plot(loss_plot, path, width=1800)
    image = _read_png(path)
    plot = loss_plot.loss_plot
    assert image.width() == 1800
    assert image.height() == pytest.approx(plot.height() * 1800 / plot.width(), abs=1)


def test_loss_plot_svg_parses_and_has_paths_axes_and_legend(loss_plot, tmp_path):
    """The SVG is well-formed XML with curve paths, axis labels and legend entries."""
    path = tmp_path / "loss.svg"
    fe.export_loss_plot(loss_plot, path)
    root = _read_svg(path)
    paths = [p.get("d", "") for p in root.iter(f"{SVG}path")]
    # Frame and clip rectangle, plus the batch, train and test curves (the batch one downsampled).
    assert len(paths) >= 5
    assert sum(d.count("L") > 15 for d in paths) >= 3
    assert list(root.iter(f"{SVG}polyline"))  # axes, ticks and grid
    texts = {"".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")}
    assert {"cycle", "loss", "train", "test", "train (batch)"} <= texts
    assert root.get("width") == str(loss_plot.loss_plot.width())
    assert root.get("viewBox").split()[2:] == [str(loss_plot.loss_plot.width()), str(loss_plot.loss_plot.height())]
    # The ViewBox frame is a closed path: it survives pyqtgraph's coordinate rewrite with its Z.
    assert any(p.get("d", "").rstrip().endswith("Z") for p in root.iter(f"{SVG}path"))


def test_svg_renders_with_qt(loss_plot, tmp_path):
    """Qt's own SVG renderer accepts the file (skipped when QtSvg is missing)."""
    qtsvg = pytest.importorskip("PySide6.QtSvg")
    path = tmp_path / "loss.svg"
    fe.export_loss_plot(loss_plot, path)
    renderer = qtsvg.QSvgRenderer(str(path))
    assert renderer.isValid()
    assert renderer.defaultSize().width() == loss_plot.loss_plot.width()


def test_accuracy_tab_exports_while_loss_tab_is_shown(loss_plot, tmp_path):
    """which='accuracy' exports the accuracy plot at the tab's real size and leaves the loss tab current."""
    assert loss_plot.tabs.currentIndex() == LossPlot.LOSS_TAB
    png, svg = tmp_path / "accuracy.png", tmp_path / "accuracy.svg"
    fe.export_loss_plot(loss_plot, png, which="accuracy")
    fe.export_loss_plot(loss_plot, svg, which="accuracy")
    assert loss_plot.tabs.currentIndex() == LossPlot.LOSS_TAB
    assert loss_plot.loss_plot.isVisible() and not loss_plot.accuracy_plot.isVisible()
    image = _read_png(png)
    # Not the 640 x 480 a never-shown tab page keeps.
    assert (image.width(), image.height()) == (loss_plot.loss_plot.width(), loss_plot.loss_plot.height())
    texts = {"".join(t.itertext()).strip() for t in _read_svg(svg).iter(f"{SVG}text")}
    assert "accuracy (%)" in texts
    # Auto-range was applied before the export: the ticks are percents of this data, not 0..100 cycles.
    assert "1500" in texts and "90" in texts


def test_accuracy_export_of_a_regression_raises(loss_plot, tmp_path):
    """A regression has no accuracy plot to export: ValueError, no file."""
    bc, bl, ec, trl, tel, _tra, _tea = export_history()
    nan = np.full_like(ec, NAN)
    loss_plot.set_history(bc, bl, ec, trl, tel, nan, nan)
    with pytest.raises(ValueError, match="regression"):
        fe.export_loss_plot(loss_plot, tmp_path / "accuracy.png", which="accuracy")
    assert _only_file(tmp_path) == []


def test_unknown_which_raises(loss_plot, tmp_path):
    """which must be 'loss' or 'accuracy'."""
    with pytest.raises(ValueError, match="'loss' or 'accuracy'"):
        fe.export_loss_plot(loss_plot, tmp_path / "x.png", which="both")


# ---------------------------------------------------------------------- heatmaps
def test_heatmaps_png_is_the_whole_row_as_on_screen(heatmaps, tmp_path):
    """The PNG is the whole LayerHeatmaps widget, pixel for pixel what grab() shows."""
    path = tmp_path / "heatmaps.png"
    fe.export_heatmaps(heatmaps, path)
    image = _read_png(path)
    assert (image.width(), image.height()) == (heatmaps.width(), heatmaps.height())
    expected = heatmaps.grab().toImage().convertToFormat(image.format())
    assert image == expected


def test_heatmaps_svg_holds_every_layer_in_place(heatmaps, tmp_path):
    """One valid SVG: a group per layer at its on-screen offset, each with its heatmap image, unique ids."""
    path = tmp_path / "heatmaps.svg"
    fe.export_heatmaps(heatmaps, path)
    root = _read_svg(path)
    assert root.get("viewBox") == f"0 0 {heatmaps.width()} {heatmaps.height()}"
    groups = [g for g in root.findall(f"{SVG}g") if re.fullmatch(r"view\d+", g.get("id", ""))]
    assert len(groups) == 2
    for group, heatmap in zip(groups, heatmaps.heatmaps):
        offset = heatmap.graphics.mapTo(heatmaps, heatmap.graphics.rect().topLeft())
        assert group.get("transform") == f"translate({offset.x()},{offset.y()})"
        images = list(group.iter(f"{SVG}image"))
        assert len(images) >= 1  # the matrix (and its colour bar)
        assert all(img.get(XLINK_HREF, "").startswith("data:image/png;base64,") for img in images)
    # Ids are unique across layers and every url(#...) reference resolves.
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    refs = {m for e in root.iter() for v in e.attrib.values() for m in re.findall(r"url\(#([^)]+)\)", v)}
    assert refs and refs <= set(ids)
    texts = {"".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")}
    assert {"layer 1 (4 neurons)", "layer 2 (3 neurons)", heatmaps.heading_label.text()} <= texts


def test_heatmap_cells_stay_sharp_in_svg(heatmaps, tmp_path):
    """Embedded heatmap bitmaps are enlarged by whole pixels, so renderers cannot blur the cells."""
    path = tmp_path / "heatmaps.svg"
    fe.export_heatmaps(heatmaps, path)
    root = _read_svg(path)
    matrix_image = next(
        img for img in root.iter(f"{SVG}image") if (img.get("width"), img.get("height")) == ("4", "8")
    )
    data = matrix_image.get(XLINK_HREF).split(",", 1)[1]
    image = QImage.fromData(QByteArray.fromBase64(data.encode()), "PNG")
    factor = image.width() // 4
    assert factor >= 2 and image.size().height() == 8 * factor
    assert image.pixelColor(0, 0) == image.pixelColor(factor - 1, factor - 1)  # one cell, one colour


def test_export_heatmaps_without_layers_raises(qtbot, tmp_path):
    """No network yet: nothing to export."""
    widget = LayerHeatmaps("deltas")
    qtbot.addWidget(widget)
    with pytest.raises(ValueError, match="no heatmaps"):
        fe.export_heatmaps(widget, tmp_path / "h.svg")


def test_single_view_widget_exports_directly(shown, tmp_path):
    """export_widget_image takes a GraphicsLayoutWidget (pyqtgraph exporters) and its scene alike."""
    view = shown(pg.GraphicsLayoutWidget(), 300, 200)
    view.addPlot().plot([0, 1, 2], [2, 0, 1])
    export_widget_image(view, tmp_path / "a.png")
    export_widget_image(view.scene(), tmp_path / "a.svg")
    assert _read_png(tmp_path / "a.png").width() == 300
    assert list(_read_svg(tmp_path / "a.svg").iter(f"{SVG}path"))


# ---------------------------------------------------------------------- suffixes and failures
@pytest.mark.parametrize("name", ["plot.jpg", "plot", "plot.svgz"])
def test_unknown_suffix_raises_and_names_the_allowed_ones(loss_plot, tmp_path, name):
    """Only .png and .svg are accepted; the message lists them and nothing is written."""
    with pytest.raises(ValueError, match=r"\.png, \.svg"):
        export_widget_image(loss_plot.loss_plot, tmp_path / name)
    assert _only_file(tmp_path) == []


def test_suffix_is_case_insensitive(loss_plot, tmp_path):
    """PLOT.SVG is an SVG."""
    fe.export_loss_plot(loss_plot, tmp_path / "PLOT.SVG")
    _read_svg(tmp_path / "PLOT.SVG")


def test_failing_exporter_leaves_the_old_file_intact(loss_plot, tmp_path, monkeypatch):
    """An exporter that raises leaves the existing file as it was and no temporary file behind."""
    path = tmp_path / "loss.svg"
    path.write_bytes(b"old figure")

    def broken(self, fileName=None, toBytes=False, copy=False):  # pyqtgraph's argument names
        if fileName is not None:
            with open(fileName, "wb") as handle:
                handle.write(b"<svg half")
        raise RuntimeError("exporter broke")

    monkeypatch.setattr(pg.exporters.SVGExporter, "export", broken)
    with pytest.raises(RuntimeError, match="exporter broke"):
        fe.export_loss_plot(loss_plot, path)
    assert path.read_bytes() == b"old figure"
    assert _only_file(tmp_path) == ["loss.svg"]


def test_failure_after_bytes_are_written_leaves_no_partial_file(loss_plot, tmp_path, monkeypatch):
    """If writing fails once bytes are on disk, the temporary file goes and the old/new target is untouched."""
    old = tmp_path / "old.png"
    old.write_bytes(b"old figure")
    written = []
    real_fsync = os.fsync

    def failing_fsync(fd):
        written.append(os.fstat(fd).st_size)
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    for name in ("old.png", "new.png", "history.csv"):
        with pytest.raises(OSError, match="disk full"):
            if name.endswith(".csv"):
                export_history_csv(loss_plot, tmp_path / name)
            else:
                fe.export_loss_plot(loss_plot, tmp_path / name)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert all(size > 0 for size in written) and len(written) == 3  # the bytes had reached the temp file
    assert old.read_bytes() == b"old figure"
    assert _only_file(tmp_path) == ["old.png"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_exported_file_gets_ordinary_permissions(loss_plot, tmp_path):
    """A new figure is readable like any new file (not the 0600 of the temporary file)."""
    path = tmp_path / "loss.png"
    fe.export_loss_plot(loss_plot, path)
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


# ---------------------------------------------------------------------- file dialog
def test_ask_export_path_appends_the_chosen_filters_suffix(qtbot, monkeypatch):
    """A name typed without suffix gets the selected filter's; the default name picks the initial filter."""
    calls = []

    def fake(parent, title, name, filters, selected):
        calls.append((title, name, filters, selected))
        return "/tmp/out/loss", "SVG vector image (*.svg)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    assert fe.ask_export_path(None, "Export loss plot", "loss.svg", fe.IMAGE_FILTERS) == "/tmp/out/loss.svg"
    assert calls == [
        ("Export loss plot", "loss.svg", "PNG image (*.png);;SVG vector image (*.svg)", "SVG vector image (*.svg)")
    ]


def test_ask_export_path_keeps_a_typed_suffix_and_cancel_is_none(qtbot, monkeypatch):
    """A typed known suffix wins over the filter; an unknown one gets the filter's; cancel gives None."""
    answers = iter([("/tmp/a.PNG", "SVG vector image (*.svg)"), ("/tmp/run.v2", "PNG image (*.png)"), ("", "")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args: next(answers)))
    assert fe.ask_export_path(None, "t", "a.png", fe.IMAGE_FILTERS) == "/tmp/a.PNG"
    assert fe.ask_export_path(None, "t", "a.png", fe.IMAGE_FILTERS) == "/tmp/run.v2.png"
    assert fe.ask_export_path(None, "t", "history.csv", {"CSV": "*.csv"}) is None
