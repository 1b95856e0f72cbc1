"""Where the diagram's pieces go: columns, neurons, maps, buttons, weight matrices and cards, in px.

Pure arithmetic on floats, no Qt: the canvas maps its scene 1:1 onto viewport pixels and
turns these numbers into item positions.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The smallest viewport laid out; a smaller one is laid out at this size and clipped.
MIN_VIEW_W, MIN_VIEW_H = 200, 150
#: Space around the whole diagram.
MARGIN = 10.0
#: A header is this much narrower than its column.
HEADER_INSET = 6.0
#: Between the headers and the bands: room for the phase label's upper half.
PHASE_LABEL_ROOM = 14.0
#: Height of the row of − / + buttons under the hidden columns, and how far below its middle they sit.
BUTTON_ROW_H = 36.0
BUTTON_ROW_DROP = 1.0
#: Side of a − / + button, and the gap either side of the column's centre line.
BUTTON_SIZE = 22.0
BUTTON_GAP = 4.0
#: A band is this much inside its column on each side.
BAND_INSET = 5.0
#: Height of the caption line at the bottom of a band, and how far above the band's bottom it sits.
CAPTION_H = 18.0
CAPTION_LIFT = 3.0
#: Free space above the first and below the last neuron inside a band (the caption below that).
NEURONS_TOP_PAD = 16.0
NEURONS_BOTTOM_PAD = 12.0
#: However short the window, the neurons get at least this much height to spread over.
MIN_NEURON_SPAN = 20.0
#: Neurons of a short column stay this close, not spread over the whole height.
MAX_SPACING = 64.0
#: A neuron's radius: this share of its spacing or of the column width, whichever is less.
RADIUS_PER_SPACING = 0.38
RADIUS_PER_COLUMN = 0.14
MIN_RADIUS, MAX_RADIUS = 2.0, 18.0
#: A neuron map: this share of the spacing, at most MAX_MAP_SIDE, and clear of the column's edge.
MAP_PER_SPACING = 0.9
MAX_MAP_SIDE = 46.0
MAP_EDGE_CLEARANCE = 14.0
#: The map sits this far left of its neuron's circle.
MAP_GAP = 5.0
#: Smaller maps are just noise: they are not drawn.
MIN_MAP_SIDE = 12.0
#: Below this radius a neuron's value does not fit in its circle and is left out.
VALUE_TEXT_MIN_RADIUS = 12.5
#: A neuron is clickable this far outside its circle, and never by a smaller radius than the minimum.
NEURON_PICK_MARGIN = 2.0
NEURON_PICK_MIN_RADIUS = 5.0
#: Width of the band along a connection that hovers and clicks it (a 0.5 px line is hard to hit).
CONNECTION_PICK_WIDTH = 7.0
#: A weight matrix keeps this far from the neurons either side of it.
MATRIX_GAP = 6.0
#: A single-row matrix is as tall as its neuron plus this.
MATRIX_SINGLE_ROW_PAD = 8.0
#: A pill label keeps this far inside the scene's edges.
PILL_EDGE = 2.0
#: An output card keeps this far from the scene's right edge.
NOTE_EDGE = 3.0
#: Gaps between an output neuron and its card: to its right, below it, compact to its right.
NOTE_GAP_RIGHT = 6.0
NOTE_GAP_BELOW = 4.0
NOTE_GAP_COMPACT = 4.0
#: A card goes below its neuron only if the next neuron leaves this much room besides the card.
NOTE_ROOM_BELOW = 8.0


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle: top-left corner and size."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class ColumnPlace:
    """Where one column's pieces go.

    ``x`` is the column's centre line; ``neuron_ys`` the neurons' centres, first on top;
    ``buttons_y`` the − / + buttons' centre line (None for columns without buttons).
    """

    x: float
    band: Rect
    caption_y: float
    caption_width: float
    radius: float
    map_side: float
    neuron_ys: tuple[float, ...]
    buttons_y: float | None

    def button_xs(self) -> tuple[float, float]:
        """The centres of the − and + buttons."""
        return self.x - BUTTON_SIZE / 2 - BUTTON_GAP, self.x + BUTTON_SIZE / 2 + BUTTON_GAP


def view_size(viewport_w: int, viewport_h: int) -> tuple[int, int]:
    """The size laid out for a viewport (scene units = viewport px)."""
    return max(viewport_w, MIN_VIEW_W), max(viewport_h, MIN_VIEW_H)


def column_width(view_w: float, n_columns: int) -> float:
    """The width of each of ``n_columns`` equal columns."""
    return (view_w - 2 * MARGIN) / n_columns


def header_width(col_w: float) -> float:
    """The width a column header may take."""
    return col_w - HEADER_INSET


def has_buttons(column: int, n_columns: int) -> bool:
    """Whether a column has − / + buttons: the hidden ones do."""
    return 0 < column < n_columns - 1


def lay_out_columns(sizes: tuple[int, ...], view_w: float, view_h: float, header_h: float,
                    show_maps: bool) -> list[ColumnPlace]:
    """Place every column of a network of ``sizes`` in a ``view_w`` × ``view_h`` view.

    ``header_h`` is the tallest header's height; maps are given room beside every
    column but the input when ``show_maps``.
    """
    col_w = column_width(view_w, len(sizes))
    buttons_h = BUTTON_ROW_H if len(sizes) > 2 else 0.0
    band_top = MARGIN + header_h + PHASE_LABEL_ROOM
    band_bottom = view_h - MARGIN - buttons_h
    y0, y1 = band_top + NEURONS_TOP_PAD, band_bottom - NEURONS_BOTTOM_PAD - CAPTION_H
    span = max(y1 - y0, MIN_NEURON_SPAN)
    places = []
    for c, n in enumerate(sizes):
        x = MARGIN + col_w * (c + 0.5)
        spacing = min(span / n, MAX_SPACING)
        radius = min(max(min(spacing * RADIUS_PER_SPACING, col_w * RADIUS_PER_COLUMN), MIN_RADIUS), MAX_RADIUS)
        map_side = 0.0
        if show_maps and c > 0:
            map_side = float(min(spacing * MAP_PER_SPACING, MAX_MAP_SIDE, col_w / 2 - radius - MAP_EDGE_CLEARANCE))
        places.append(ColumnPlace(
            x=x,
            band=Rect(x - col_w / 2 + BAND_INSET, band_top, col_w - 2 * BAND_INSET, band_bottom - band_top),
            caption_y=band_bottom - CAPTION_H / 2 - CAPTION_LIFT,
            caption_width=col_w - 2 * BAND_INSET,
            radius=float(radius),
            map_side=map_side,
            neuron_ys=tuple(y0 + span / 2 + (k - (n - 1) / 2) * spacing for k in range(n)),
            buttons_y=band_bottom + buttons_h / 2 + BUTTON_ROW_DROP if has_buttons(c, len(sizes)) else None,
        ))
    return places


def map_visible(map_side: float) -> bool:
    """Whether a neuron map of this side is drawn."""
    return map_side >= MIN_MAP_SIDE


def map_rect(radius: float, map_side: float) -> Rect:
    """A neuron's map, relative to the neuron's centre: left of the circle, where its inputs arrive."""
    return Rect(-radius - MAP_GAP - map_side, -map_side / 2, map_side, map_side)


def neuron_pick_radius(radius: float) -> float:
    """The radius within which a click or hover hits a neuron (tiny neurons get a larger target)."""
    return max(radius + NEURON_PICK_MARGIN, NEURON_PICK_MIN_RADIUS)


def weight_matrix_rect(left: ColumnPlace, right: ColumnPlace, maps_shown: bool) -> Rect:
    """The weight matrix between two columns, row i level with neuron i of ``left``.

    It stops short of the right column's maps when they are drawn.
    """
    ys = left.neuron_ys
    x0 = left.x + left.radius + MATRIX_GAP
    map_room = right.map_side + MAP_GAP if maps_shown and map_visible(right.map_side) else 0
    x1 = right.x - right.radius - MATRIX_GAP - map_room
    pitch = ys[1] - ys[0] if len(ys) > 1 else 2 * left.radius + MATRIX_SINGLE_ROW_PAD
    top, bottom = ys[0] - pitch / 2, ys[-1] + pitch / 2
    return Rect(x0, top, max(x1 - x0, 1.0), bottom - top)


def matrix_cell(x: float, y: float, rect: Rect, rows: int, cols: int) -> tuple[int, int] | None:
    """``(row, column)`` of the cell of a ``rows`` × ``cols`` matrix filling ``rect`` at ``(x, y)``; None outside."""
    if rect.width <= 0 or rect.height <= 0:
        return None
    if not (rect.left <= x <= rect.left + rect.width and rect.top <= y <= rect.top + rect.height):
        return None
    i = min(int((y - rect.top) / rect.height * rows), rows - 1)
    j = min(int((x - rect.left) / rect.width * cols), cols - 1)
    return i, j


def pill_x(band_centre_x: float, half_width: float, scene_left: float, scene_right: float) -> float:
    """The centre of a pill label over a band, inside the scene however narrow the column."""
    return min(max(band_centre_x, scene_left + half_width + PILL_EDGE), scene_right - half_width - PILL_EDGE)


@dataclass(frozen=True)
class NotePlace:
    """Where an output neuron's card goes (its top-left corner) and whether it uses the compact lines."""

    x: float
    y: float
    compact: bool


def place_note(cx: float, cy: float, radius: float, full: tuple[float, float], compact: tuple[float, float],
               scene_right: float, spacing: float) -> NotePlace:
    """Right of the neuron at ``(cx, cy)`` if the ``full`` card fits there, else below it, else compact on the right.

    ``full`` and ``compact`` are the two cards' ``(width, height)``; ``spacing`` the
    distance to the next neuron (infinite for a single one).
    """
    right_edge = scene_right - NOTE_EDGE
    w, h = full
    if cx + radius + NOTE_GAP_RIGHT + w <= right_edge:
        return NotePlace(cx + radius + NOTE_GAP_RIGHT, cy - h / 2, False)
    if spacing >= 2 * radius + h + NOTE_ROOM_BELOW:
        return NotePlace(min(cx - w / 2, right_edge - w), cy + radius + NOTE_GAP_BELOW, False)
    w, h = compact
    return NotePlace(min(cx + radius + NOTE_GAP_COMPACT, right_edge - w), cy - h / 2, True)
