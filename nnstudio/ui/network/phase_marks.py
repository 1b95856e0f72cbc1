"""The stepped phase on the diagram: the tinted column and its label, the loss and the output cards."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from nnstudio.ui.network import layout
from nnstudio.ui.network.column_items import ColumnBandItem
from nnstudio.ui.network.diagram_text import loss_text, note_lines
from nnstudio.ui.network.item_look import BAND, LOSS_BAND, LOSS_LABEL_FILL, PHASES
from nnstudio.ui.network.neuron_item import NeuronItem
from nnstudio.ui.network.overlay_items import NoteItem, PhaseLabelItem


def place_pill(pill: PhaseLabelItem, band: QRectF, scene: QRectF) -> None:
    """Centre ``pill`` on the top edge of ``band``, inside the scene however narrow the column."""
    x = layout.pill_x(band.center().x(), pill.boundingRect().width() / 2, scene.left(), scene.right())
    pill.setPos(x, band.top())


def show_phase(bands: list[ColumnBandItem], label: PhaseLabelItem, layer: int | None, direction: str | None,
               scene: QRectF) -> None:
    """Tint column ``layer`` for ``direction`` (None: the loss phase's neutral tint) and label it."""
    for c, band in enumerate(bands):
        if c == layer:
            fill, border = PHASES[direction][:2] if direction is not None else LOSS_BAND
            band.set_colors(fill, border)
        else:
            band.set_colors(BAND)
    if layer is None or direction is None or not bands:
        label.setVisible(False)
        return
    _, _, label_fill, text = PHASES[direction]
    label.set_content(text, label_fill, QColor("white"))
    place_pill(label, bands[layer].rect(), scene)
    label.setVisible(True)


def show_loss_cards(outputs: list[NeuronItem], notes: list[NoteItem], loss_label: PhaseLabelItem,
                    band: QRectF, state: dict, scene: QRectF) -> None:
    """Each output neuron's target and error on a card beside it, the loss over the output column."""
    spacing = (outputs[1].pos().y() - outputs[0].pos().y()) if len(outputs) > 1 else float("inf")
    for k, (neuron, note) in enumerate(zip(outputs, notes)):
        centre = neuron.pos()
        full, compact = note_lines(state, k, False), note_lines(state, k, True)
        place = layout.place_note(centre.x(), centre.y(), neuron.radius, note.size_for(full),
                                  note.size_for(compact), scene.right(), spacing)
        note.set_lines(compact if place.compact else full)
        note.setPos(place.x, place.y)
    loss = state.get("loss")
    if loss is not None:
        loss_label.set_content(loss_text(loss), LOSS_LABEL_FILL, QColor("white"))
        place_pill(loss_label, band, scene)
