"""The window's one diverging scale, its class colours and its number formats (nnstudio.ui.plotting.colormaps)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtGui import QColor

from nnstudio.ui.data.boundary_math import boundary_lut
from nnstudio.ui.network.weight_pens import LUT_SIZE
from nnstudio.ui.plotting import colormaps as cm


def lightness(rgb) -> float:
    """CIELAB L* of an sRGB colour, worked out here from the sRGB definition."""
    c = np.asarray(rgb, dtype=float) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else 24389 / 27 * y


def rgb(color: str) -> tuple[int, int, int]:
    return QColor(color).getRgb()[:3]


def test_the_scale_runs_from_class_0_through_white_to_class_1():
    """-1 is class 0's (negative) colour, 0 white, +1 class 1's (positive) colour."""
    ends = cm.signed_rgb(np.array([-1.0, 0.0, 1.0]))
    assert tuple(ends[0]) == rgb(cm.NEGATIVE_COLOR) == rgb(cm.CLASS_COLORS[0])
    assert tuple(ends[1]) == rgb(cm.NEUTRAL_COLOR) == (255, 255, 255)
    assert tuple(ends[2]) == rgb(cm.POSITIVE_COLOR) == rgb(cm.CLASS_COLORS[1])
    assert QColor(cm.NEGATIVE_COLOR).hsvHue() in range(15, 45)  # orange
    assert QColor(cm.POSITIVE_COLOR).hsvHue() in range(190, 230)  # blue


def test_lightness_falls_steadily_from_the_centre_and_both_ends_are_about_as_dark():
    """Equal steps of |t| are equal steps of L*, so neither sign looks stronger than the other."""
    t = np.linspace(0.0, 1.0, 11)
    for side in (-1.0, 1.0):
        L = np.array([lightness(c) for c in cm.signed_rgb(side * t)])
        steps = -np.diff(L)
        assert (steps > 0).all()
        assert steps.max() < 1.6 * steps.min()
    assert abs(lightness(rgb(cm.NEGATIVE_COLOR)) - lightness(rgb(cm.POSITIVE_COLOR))) < 6


def test_the_canvas_the_boundary_and_the_heatmaps_share_the_scale():
    """The canvas LUT, the decision-boundary LUT and the heatmap colour map are the same colours."""
    canvas = cm.signed_lut(LUT_SIZE)
    assert tuple(canvas[len(canvas) // 2]) == (255, 255, 255)  # an odd table: zero is exactly white
    np.testing.assert_array_equal(canvas, cm.signed_rgb(np.linspace(-1, 1, len(canvas))))
    np.testing.assert_array_equal(boundary_lut()[:, :3], cm.signed_rgb(np.linspace(-1, 1, 256)))
    heatmap = cm.lookup_table(cm.colormap_for_mode("diverging"), 5)
    assert np.abs(heatmap.astype(int) - cm.signed_rgb(np.linspace(-1, 1, 5)).astype(int)).max() <= 1
    assert cm.colormap_for_mode("sequential") is cm.colormap_for_mode("diverging")


def test_no_other_colour_is_orange_or_blue():
    """Loss curves, counts, "not computed" and layer curves stay out of the class/sign hues."""
    for color in (cm.TRAIN_COLOR, cm.TEST_COLOR, cm.COUNT_DARK_COLOR, cm.PENDING_FILL, cm.PENDING_HATCH,
                  QColor(*cm.BATCH_COLOR[:3]).name()):
        r, g, b = rgb(color)
        assert max(r, g, b) - min(r, g, b) <= 12, color  # a grey
    for color in cm.layer_colors(5):
        assert 255 <= QColor(color).hsvHue() <= 300, color  # violet
    for color in cm.CLASS_COLORS[2:]:
        hue = QColor(color).hsvHue()
        assert not (15 <= hue <= 45 or 190 <= hue <= 230), color


@pytest.mark.parametrize("name, levels, midpoint", [
    ("sigmoid", (0.0, 1.0), 0.5), ("softmax", (0.0, 1.0), 0.5), ("tanh", (-1.0, 1.0), 0.0),
    ("relu", (-1.0, 1.0), 0.0), ("linear", (-1.0, 1.0), 0.0), ("input", (-1.0, 1.0), 0.0),
])
def test_each_activation_is_centred_on_its_midpoint(name, levels, midpoint):
    """Bounded activations use their range; unbounded ones centre on 0 (at least ±1)."""
    assert cm.activation_levels(name) == levels
    assert cm.activation_midpoint(name) == midpoint


def test_unbounded_levels_reach_the_largest_value():
    """ReLU values up to 3.5 get (-3.5, 3.5); NaN and inf are ignored."""
    assert cm.activation_levels("relu", np.array([0.0, 3.5, np.nan, np.inf])) == (-3.5, 3.5)
    assert cm.activation_levels("sigmoid", np.array([7.0])) == (0.0, 1.0)


def test_scale_position_maps_levels_to_minus_one_zero_one():
    """The low level is -1, the middle 0, the high +1; beyond is clipped; NaN stays NaN."""
    t = cm.scale_position(np.array([0.0, 0.25, 0.5, 1.0, 2.0, np.nan]), (0.0, 1.0))
    np.testing.assert_array_equal(t[:5], [-1.0, -0.5, 0.0, 1.0, 1.0])
    assert math.isnan(t[5])


def test_text_on_a_fill_is_white_only_on_dark_fills():
    """White on the scale's dark ends, dark text on its light middle."""
    assert cm.text_color_on(rgb(cm.POSITIVE_COLOR)) == "#ffffff"
    assert cm.text_color_on(rgb(cm.NEUTRAL_COLOR)) == cm.TEXT_COLOR
