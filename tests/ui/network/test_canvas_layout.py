"""Where the diagram puts its pieces (nnstudio.ui.network.layout): plain numbers, no scene, no QApplication.

Every expected number is worked out by hand in the comments from the layout's rules.
"""

from __future__ import annotations

import math

import pytest

from nnstudio.ui.network import layout
from nnstudio.ui.network.layout import ColumnPlace, Rect


def column(x: float, ys: tuple[float, ...], radius: float, map_side: float = 0.0) -> ColumnPlace:
    return ColumnPlace(x=x, band=Rect(0, 0, 1, 1), caption_y=0.0, caption_width=1.0, radius=radius,
                       map_side=map_side, neuron_ys=ys, buttons_y=None)


def test_xor_2_4_1_in_800_by_450():
    """Columns of 780/3 = 260 px; bands from 10+22+14 = 46 to 450-10-36 = 404; neurons spread over 62..374."""
    places = layout.lay_out_columns((2, 4, 1), 800, 450, header_h=22.0, show_maps=True)
    assert [p.x for p in places] == [140.0, 400.0, 660.0]  # 10 + 260 * (c + 1/2)
    # The span 312 holds few neurons: they stay 64 px apart around its middle, 62 + 156 = 218.
    assert places[0].neuron_ys == (186.0, 250.0)
    assert places[1].neuron_ys == (122.0, 186.0, 250.0, 314.0)
    assert places[2].neuron_ys == (218.0,)
    # 64 * 0.38 = 24.32 and 260 * 0.14 = 36.4 both exceed the 18 px cap.
    assert [p.radius for p in places] == [18.0, 18.0, 18.0]
    # No map beside the inputs; elsewhere min(64 * 0.9, 46, 130 - 18 - 14) = 46.
    assert [p.map_side for p in places] == [0.0, 46.0, 46.0]
    assert places[0].band == Rect(15.0, 46.0, 250.0, 358.0)  # 140 - 130 + 5, and 260 - 10 wide
    assert places[1].caption_y == 392.0 and places[1].caption_width == 250.0  # 404 - 9 - 3
    assert [p.buttons_y for p in places] == [None, 423.0, None]  # 404 + 36 / 2 + 1: hidden columns only
    assert places[1].button_xs() == (385.0, 415.0)  # 400 ∓ (11 + 4)


def test_without_hidden_layers_there_is_no_button_row():
    """Two columns: the bands reach 450 - 10 = 440 and the neurons centre on (62 + 410) / 2 = 236."""
    places = layout.lay_out_columns((2, 1), 800, 450, header_h=22.0, show_maps=True)
    assert [p.buttons_y for p in places] == [None, None]
    assert places[1].band.height == 440.0 - 46.0
    assert places[1].neuron_ys == (236.0,)


def test_a_tall_column_packs_its_neurons_and_shrinks_them_to_the_minimum():
    """100 neurons over 900-wide, 600-high: span 462, spacing 4.62, radius 4.62 * 0.38 = 1.76 → 2 px."""
    places = layout.lay_out_columns((100, 4, 1), 920, 600, header_h=22.0, show_maps=True)
    ys = places[0].neuron_ys
    assert ys[1] - ys[0] == pytest.approx(4.62)
    assert ys[0] == pytest.approx(62 + 231 - 49.5 * 4.62)
    assert ys[-1] == pytest.approx(62 + 231 + 49.5 * 4.62)
    assert places[0].radius == 2.0


def test_a_narrow_column_caps_the_radius_and_leaves_no_room_for_maps():
    """200 px wide: columns of 60 px, radius 60 * 0.14 = 8.4, map min(…, 30 - 8.4 - 14) = 7.6, too small to draw."""
    places = layout.lay_out_columns((2, 4, 1), 200, 450, header_h=22.0, show_maps=True)
    assert places[1].radius == pytest.approx(8.4)
    assert places[1].map_side == pytest.approx(7.6)
    assert not layout.map_visible(places[1].map_side)
    assert layout.map_visible(12.0)


def test_a_short_view_still_gives_the_neurons_twenty_px():
    """Bands from 10+44+14 = 68 to 150-10-36 = 104 leave no span (84..74): the floor of 20 applies, centre 94."""
    places = layout.lay_out_columns((2, 2, 1), 200, 150, header_h=44.0, show_maps=False)
    assert places[1].neuron_ys == (89.0, 99.0)  # spacing 20 / 2 = 10 around 84 + 10
    assert [p.map_side for p in places] == [0.0, 0.0, 0.0]


def test_the_view_is_laid_out_at_least_200_by_150():
    assert layout.view_size(100, 100) == (200, 150)
    assert layout.view_size(800, 450) == (800, 450)
    assert layout.column_width(800, 3) == 260.0 and layout.header_width(260.0) == 254.0


def test_weight_matrix_sits_between_the_columns_row_by_row():
    """Rows 10 px apart: the matrix spans 45..75; it starts 3 + 6 right of x=100 and stops 10 + 6 left of x=300."""
    left = column(100.0, (50.0, 60.0, 70.0), radius=3.0)
    right = column(300.0, (40.0, 80.0), radius=10.0, map_side=20.0)
    assert layout.weight_matrix_rect(left, right, maps_shown=False) == Rect(109.0, 45.0, 175.0, 30.0)
    # Maps drawn: they take 20 + 5 more.
    assert layout.weight_matrix_rect(left, right, maps_shown=True) == Rect(109.0, 45.0, 150.0, 30.0)
    # A map too small to draw takes no room.
    small = column(300.0, (40.0, 80.0), radius=10.0, map_side=10.0)
    assert layout.weight_matrix_rect(left, small, maps_shown=True).width == 175.0
    # One row: a pitch of 2 * 3 + 8 = 14 around it.
    single = column(100.0, (50.0,), radius=3.0)
    assert layout.weight_matrix_rect(single, right, maps_shown=False) == Rect(109.0, 43.0, 175.0, 14.0)


def test_matrix_cell_under_a_point():
    """A 3 × 4 matrix in a 40 × 30 rectangle at (10, 20): cells of 10 × 10, edges included."""
    rect = Rect(10.0, 20.0, 40.0, 30.0)
    assert layout.matrix_cell(10.0, 20.0, rect, 3, 4) == (0, 0)
    assert layout.matrix_cell(30.0, 35.0, rect, 3, 4) == (1, 2)
    assert layout.matrix_cell(50.0, 50.0, rect, 3, 4) == (2, 3)  # the far corner belongs to the last cell
    assert layout.matrix_cell(9.9, 25.0, rect, 3, 4) is None
    assert layout.matrix_cell(30.0, 50.1, rect, 3, 4) is None
    assert layout.matrix_cell(10.0, 20.0, Rect(10.0, 20.0, 0.0, 30.0), 3, 4) is None


def test_pill_stays_inside_the_scene():
    """A 60 px pill over a band centred at x keeps 2 px from the scene's edges."""
    assert layout.pill_x(100.0, 30.0, 0.0, 500.0) == 100.0
    assert layout.pill_x(10.0, 30.0, 0.0, 500.0) == 32.0
    assert layout.pill_x(490.0, 30.0, 0.0, 500.0) == 468.0


def test_output_card_goes_right_then_below_then_compact():
    """Neuron at (100, 200), radius 10; a 60 × 30 card, or 40 × 30 compact."""
    full, compact = (60.0, 30.0), (40.0, 30.0)
    # Room on the right (100 + 10 + 6 + 60 = 176 ≤ 300 - 3): beside it, vertically centred.
    assert layout.place_note(100.0, 200.0, 10.0, full, compact, 300.0, 64.0) == layout.NotePlace(116.0, 185.0, False)
    # No room (176 > 147) but 64 ≥ 2 * 10 + 30 + 8 below: centred under it, 4 px down.
    assert layout.place_note(100.0, 200.0, 10.0, full, compact, 150.0, 64.0) == layout.NotePlace(70.0, 214.0, False)
    assert layout.place_note(100.0, 200.0, 10.0, full, compact, 150.0, math.inf).compact is False
    # Neither: compact, pulled left to end at 147.
    assert layout.place_note(100.0, 200.0, 10.0, full, compact, 150.0, 50.0) == layout.NotePlace(107.0, 185.0, True)


def test_neuron_map_and_click_target():
    """The map lies 5 px left of the circle, centred on it; tiny neurons are clickable within 5 px."""
    assert layout.map_rect(10.0, 20.0) == Rect(-35.0, -10.0, 20.0, 20.0)
    assert layout.neuron_pick_radius(2.0) == 5.0
    assert layout.neuron_pick_radius(10.0) == 12.0
