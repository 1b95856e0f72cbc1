"""The network diagram, editable in place: the widget the window shows.

The canvas never changes the network itself: edits are requests that it emits
(``sig_spec_changed``, ``sig_weight_edited``) and the owner answers with
:meth:`NetworkCanvas.set_spec` / :meth:`NetworkCanvas.set_state`. What a request asks
for is worked out by :mod:`~nnstudio.ui.network.spec_edits`; the drawing is
:class:`~nnstudio.ui.network.network_diagram.NetworkDiagram`'s.

A column header's menu picks the layer's activation: radio items, the current one
checked. The output menu lists every output activation and disables, with the reason as
its tooltip, those the task does not allow (``engine.model_fit.output_problem``, the rules
the training session applies), rather than offer a choice the session would revert.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem, QInputDialog, QMenu, QWidget

from nnstudio.engine.run.snapshot import Snapshot
from nnstudio.ui.network import spec_edits
from nnstudio.ui.network.column_items import ButtonItem, HeaderItem
from nnstudio.ui.network.connection_items import ConnectionItem
from nnstudio.ui.network.connection_layer import WeightCell, WeightImageItem
from nnstudio.ui.network.diagram_text import weight_dialog_heading
from nnstudio.ui.network.network_diagram import NetworkDiagram
from nnstudio.ui.network.neuron_item import NeuronItem
from nnstudio.ui.network.overlay_items import NoteItem, PhaseLabelItem
from nnstudio.ui.network.weight_pens import NEUTRAL_KEY, line_keys

#: A press and release further apart than this (Manhattan px) is a drag, not a click.
CLICK_SLOP = 6


class NetworkCanvas(NetworkDiagram):
    """Interactive drawing of a dense network, one column per layer.

    Scene coordinates equal viewport pixels (the layout is recomputed on every
    resize), so text and buttons keep their size however the window is sized.

    Parameters
    ----------
    parent : QWidget, optional
        Parent widget.

    Signals
    -------
    sig_weight_edited(int, int, int, float)
        ``(layer, i, j, value)``: the user typed a new weight for
        ``weights[layer][i, j]``.
    sig_neuron_selected(int, int)
        ``(layer, index)``: the user clicked a neuron (layer 0 = input).
    sig_spec_changed(tuple, tuple)
        ``(sizes, activations)``: the structure the user asked for; the drawing
        only changes when the owner calls :meth:`set_spec`.

    Attributes
    ----------
    show_neuron_maps : bool
        Whether neuron maps are drawn (read-only; use :meth:`set_show_neuron_maps`).
    """

    sig_weight_edited = Signal(int, int, int, float)  # layer, i, j, new value
    sig_neuron_selected = Signal(int, int)  # layer (0 = input), neuron index
    sig_spec_changed = Signal(object, object)  # sizes tuple[int, ...], activations tuple[str, ...]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkCanvas")
        self._requested: spec_edits.Spec | None = None
        self._task: str | None = None  # of the data: which output activations it allows
        self._loss = "mse"
        self._selected: tuple[int, int] | None = None
        self._press: tuple[QGraphicsItem | None, QPoint] | None = None
        self._editing: tuple[int, int, int] | None = None

    # ------------------------------------------------------------------ spec
    def set_spec(self, sizes: Sequence[int], activations: Sequence[str]) -> None:
        """Rebuild the drawing for a network structure (see :meth:`NetworkDiagram.set_spec`).

        A selection that still exists is kept, and requests build on this shape again.
        """
        super().set_spec(sizes, activations)
        self._requested = None  # the owner has answered
        if self._selected is not None and not self._valid_neuron(*self._selected):
            self._selected = None
        self.set_selected_neuron(self._selected)  # the new items need the ring too

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Show ``snapshot`` (see :meth:`NetworkDiagram.show_snapshot`); its task and loss rule the output menu."""
        if snapshot.data is not None:
            self._task = snapshot.data.dataset.task
        self._loss = snapshot.spec.loss
        super().show_snapshot(snapshot)

    def activation_choices(self, layer: int) -> tuple[str, ...]:
        """Return the activations the header menu lists for column ``layer`` (>= 1), allowed or not."""
        if not 1 <= layer < len(self._sizes):
            raise ValueError(f"layer {layer} has no activation (columns 1..{len(self._sizes) - 1} do)")
        return spec_edits.activation_choices(self._sizes, layer)

    def set_task(self, task: str | None, loss: str = "mse") -> None:
        """The data's task ("classification", "regression"; None: unknown) and the loss, which rule the output menu."""
        self._task, self._loss = task, loss

    def activation_refusal(self, layer: int, name: str) -> str:
        """Why column ``layer`` may not use activation ``name`` ("" if it may).

        Only the output layer has rules: those of ``output_problem`` for the task, and
        with no task known, softmax over a single neuron (the constant 1).
        """
        return self._refusal(self.requested_spec()[0], layer, name)

    def _refusal(self, sizes: tuple[int, ...], layer: int, name: str) -> str:
        return spec_edits.activation_refusal(sizes, layer, name, self._task, self._loss)

    # -------------------------------------------------------------- requests
    def request_add_neuron(self, layer: int) -> bool:
        """Ask for one more neuron in hidden column ``layer``; False (no signal) at the maximum."""
        return self._request_resize(layer, +1)

    def request_remove_neuron(self, layer: int) -> bool:
        """Ask for one neuron fewer in hidden column ``layer``; False (no signal) at the minimum."""
        return self._request_resize(layer, -1)

    def requested_spec(self) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """The shape requests build on: the last one asked for, until the owner draws one.

        Building on the drawn shape would lose clicks that come faster than a redraw (two
        quick "+" would add one neuron).
        """
        return self._requested or (self._sizes, self._acts)

    def _request(self, spec: spec_edits.Spec | None) -> bool:
        """Emit ``spec`` as the shape asked for; False (no signal) for None, an edit that changes nothing."""
        if spec is None:
            return False
        self._requested = spec
        self.sig_spec_changed.emit(*spec)
        return True

    def _request_resize(self, layer: int, delta: int) -> bool:
        return self._request(spec_edits.resized(self.requested_spec(), layer, delta))

    def request_activation(self, layer: int, name: str) -> bool:
        """Ask for activation ``name`` in column ``layer``; False (no signal) if unchanged.

        Raises
        ------
        ValueError
            If ``name`` is not offered for that column (see :meth:`activation_choices`)
            or not allowed there (:meth:`activation_refusal` says why).
        """
        return self._request(spec_edits.with_activation(self.requested_spec(), layer, name, self._task, self._loss))

    def request_add_layer(self) -> bool:
        """Ask for a new hidden layer of 4 neurons just before the output layer."""
        return self._request(spec_edits.with_hidden_layer(self.requested_spec()))

    def request_remove_layer(self) -> bool:
        """Ask to drop the last hidden layer; False (no signal) when there is none."""
        return self._request(spec_edits.without_hidden_layer(self.requested_spec()))

    # ----------------------------------------------------------- interaction
    def selected_neuron(self) -> tuple[int, int] | None:
        """Return ``(layer, index)`` of the selected neuron, or None."""
        return self._selected

    def set_selected_neuron(self, selection: tuple[int, int] | None) -> None:
        """Select a neuron (or none) from code; emits nothing."""
        if selection is not None and not self._valid_neuron(*selection):
            raise ValueError(f"no neuron {selection} in a network of sizes {self._sizes}")
        self._selected = None if selection is None else (int(selection[0]), int(selection[1]))
        for c, col in enumerate(self._neurons):
            for k, item in enumerate(col):
                item.set_selected_ring(self._selected == (c, k))

    def _valid_neuron(self, layer: int, index: int) -> bool:
        return 0 <= layer < len(self._sizes) and 0 <= index < self._sizes[layer]

    def edit_weight(self, layer: int, i: int, j: int) -> bool:
        """Ask the user for a new value of ``weights[layer][i, j]`` and emit it.

        Returns
        -------
        bool
            True if a value was accepted and ``sig_weight_edited`` emitted.
        """
        if not (0 <= layer < len(self._sizes) - 1 and 0 <= i < self._sizes[layer] and 0 <= j < self._sizes[layer + 1]):
            raise ValueError(f"no connection {(layer, i, j)} in a network of sizes {self._sizes}")
        self._apply_pending()
        weights = self._state.get("weights")
        current = float(weights[layer][i, j]) if weights is not None else 0.0
        self._editing = (layer, i, j)
        try:
            value = self._ask_weight(current)
        finally:
            self._editing = None
        if value is None:
            return False
        self.sig_weight_edited.emit(layer, i, j, float(value))
        return True

    def _ask_weight(self, current: float) -> float | None:
        """Show a dialog for a new weight; return it, or None if cancelled (tests override this)."""
        where = ""
        if self._editing is not None:
            layer, i, j = self._editing
            where = weight_dialog_heading(layer, i, j, len(self._sizes))
        value, ok = QInputDialog.getDouble(
            self, "Edit weight", f"{where}New weight:", current if np.isfinite(current) else 0.0, -1e6, 1e6, 4
        )
        return float(value) if ok else None

    def activation_menu(self, layer: int) -> QMenu:
        """The header menu of column ``layer``: one radio item per activation, the current one checked.

        A choice the task does not allow is disabled, its tooltip saying why. The caller
        owns the menu.
        """
        menu = QMenu(self)
        menu.setObjectName("activationMenu")
        menu.setToolTipsVisible(True)
        group = QActionGroup(menu)
        group.setExclusive(True)
        sizes, acts = self.requested_spec()
        current = acts[layer - 1]
        for name in self.activation_choices(layer):
            action = menu.addAction(name)
            action.setData(name)
            action.setCheckable(True)
            action.setChecked(name == current)
            group.addAction(action)
            refusal = self._refusal(sizes, layer, name)
            if refusal and name != current:
                action.setEnabled(False)
                action.setToolTip(refusal)
        return menu

    def _choose_activation(self, layer: int, global_pos: QPoint) -> str | None:
        """Pop up the activation menu for ``layer``; return the choice or None."""
        menu = self.activation_menu(layer)
        try:
            chosen = menu.exec(global_pos)
            return chosen.data() if chosen is not None else None
        finally:
            menu.deleteLater()

    def _open_activation_menu(self, layer: int, global_pos: QPoint) -> None:
        name = self._choose_activation(layer, global_pos)
        if name is not None:
            self.request_activation(layer, name)

    def _item_at(self, pos: QPoint) -> QGraphicsItem | None:
        """Return the topmost interactive item under a viewport position."""
        for item in self.items(pos):
            while item is not None and not isinstance(
                    item, (NeuronItem, ConnectionItem, WeightImageItem, ButtonItem, HeaderItem)):
                item = item.parentItem()
            if item is not None:
                return item
        return None

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = (self._item_at(event.position().toPoint()), event.position().toPoint())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            super().mouseReleaseEvent(event)
            return
        pressed, start = self._press
        self._press = None
        pos = event.position().toPoint()
        if (pos - start).manhattanLength() > CLICK_SLOP:
            return  # a drag, not a click
        event.accept()
        item = self._item_at(pos)
        if item is not pressed:
            return
        if item is None:
            self.set_selected_neuron(None)
        elif isinstance(item, NeuronItem):
            self.set_selected_neuron((item.layer, item.index))
            self.sig_neuron_selected.emit(item.layer, item.index)
        elif isinstance(item, ConnectionItem):
            self.edit_weight(item.layer, item.i, item.j)
        elif isinstance(item, WeightImageItem):
            cell = item.cell_at(self.mapToScene(pos))
            if cell is not None:
                self.edit_weight(item.layer, *cell)
        elif isinstance(item, ButtonItem) and item.is_button_enabled():
            self._request_resize(item.layer, item.delta)
        elif isinstance(item, HeaderItem) and item.layer > 0:
            self._open_activation_menu(item.layer, self.mapToGlobal(pos))

    def contextMenuEvent(self, event) -> None:
        item = self._item_at(event.pos())
        if isinstance(item, HeaderItem) and item.layer > 0:
            self._open_activation_menu(item.layer, event.globalPos())
        elif isinstance(item, ConnectionItem):
            self.edit_weight(item.layer, item.i, item.j)
        elif isinstance(item, WeightImageItem) and item.cell_at(self.mapToScene(event.pos())) is not None:
            self.edit_weight(item.layer, *item.cell_at(self.mapToScene(event.pos())))
        else:
            super().contextMenuEvent(event)

    # ------------------------------------------------------------ for tests
    def connection_item(self, layer: int, i: int, j: int) -> ConnectionItem | WeightCell:
        """Return the line item for ``weights[layer][i, j]`` (state applied first).

        For a pair drawn as a weight matrix, a ``WeightCell`` that answers the same
        questions (tooltip, line, pen, hovered) and says where its cell is.
        """
        self._apply_pending()
        image = self._images.get(layer)
        if image is not None:
            if not (0 <= i < self._sizes[layer] and 0 <= j < self._sizes[layer + 1]):
                raise IndexError(f"no connection {(layer, i, j)} in a network of sizes {self._sizes}")
            value = image.weight(i, j)
            key = NEUTRAL_KEY if value is None else line_keys(np.array([value]), self._wmax)[0]
            return WeightCell(image, i, j, self._pens.pen(key))
        return self._conns[layer][i * self._sizes[layer + 1] + j]

    def weight_image_item(self, layer: int) -> WeightImageItem | None:
        """The item showing weight layer ``layer`` as a matrix, or None when it is drawn as lines."""
        self._apply_pending()
        return self._images.get(layer)

    def neuron_item(self, layer: int, index: int) -> NeuronItem:
        """Return the item for neuron ``index`` of column ``layer`` (state applied first)."""
        self._apply_pending()
        return self._neurons[layer][index]

    def neuron_map_item(self, layer: int, index: int) -> QGraphicsPixmapItem:
        """Return the QGraphicsPixmapItem showing a neuron's map (layer >= 1)."""
        return self.neuron_item(layer, index).map_item

    def output_note_item(self, index: int) -> NoteItem:
        """Return the card beside output neuron ``index`` (target and error at the loss phase)."""
        self._apply_pending()
        return self._notes[index]

    def loss_item(self) -> PhaseLabelItem:
        """Return the label over the output column that shows the loss at the loss phase."""
        self._apply_pending()
        return self._loss_label

    def caption_texts(self) -> list[str]:
        """What each column's caption says its neurons show, as drawn at the current width."""
        self._apply_pending()
        return [caption.text() for caption in self._captions]

    def header_item(self, layer: int) -> HeaderItem:
        """Return the header item of column ``layer``."""
        return self._headers[layer]

    def button_items(self, layer: int) -> tuple[ButtonItem, ButtonItem]:
        """Return the ``(minus, plus)`` buttons of hidden column ``layer``."""
        return self._buttons[layer]
