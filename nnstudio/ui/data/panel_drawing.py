"""The Data panel's draw mode: entering and leaving it, and the drawn points, for the DatasetPanel.

The drawn set, its tools and the editing are :class:`~nnstudio.ui.data.draw_mode.DrawMode`'s;
this is the panel's side of it: the Draw button, the dataset box's "Drawn" item, the
points shown again afterwards, and the methods the window and tests call.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QMessageBox, QToolButton

from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.data.generators import DRAWN_NAME
from nnstudio.ui.data.boundary_plot import BoundaryPlot
from nnstudio.ui.data.dataset_combo import DatasetCombo
from nnstudio.ui.data.draw_mode import PICK_RADIUS_PX, DrawMode

__all__ = ["PanelDrawing", "DRAWN_LABEL"]

#: How the dataset box names a drawn set (``DRAWN_NAME``).
DRAWN_LABEL = "Drawn"


class PanelDrawing:
    """Draw mode for a panel that has a ``_draw`` DrawMode, its ``draw_button``, ``plot`` and ``dataset_combo``.

    The panel provides ``_is_generated()``, ``_update_enabled()``, ``_emit_spec()`` and
    ``_emit_drawn()``, and keeps the last ``set_points`` call in ``_shown``.
    """

    _draw: DrawMode
    draw_button: QToolButton
    plot: BoundaryPlot
    dataset_combo: DatasetCombo
    _shown: dict | None
    _error_box: QMessageBox | None
    confirm_draw_toggle: Callable[[bool], bool] | None

    def is_draw_mode(self) -> bool:
        """True while the learner draws the data."""
        return self._draw.active

    def set_draw_mode(self, on: bool) -> None:
        """Enter or leave draw mode as the Draw button does, but without emitting any signal or asking."""
        with QSignalBlocker(self.draw_button):
            self.draw_button.setChecked(bool(on))
        if on:
            self._enter_draw_mode()
        else:
            self._leave_draw_mode(back_to_list=True)
        self._update_enabled()

    def _on_draw_toggled(self, on: bool) -> None:
        if self.confirm_draw_toggle is not None and not self.confirm_draw_toggle(on):
            with QSignalBlocker(self.draw_button):
                self.draw_button.setChecked(not on)
            return
        if on:
            self._enter_draw_mode()
            self._update_enabled()
            self._emit_drawn()
        else:
            self._leave_draw_mode(back_to_list=True)
            self._update_enabled()
            self._emit_spec()

    def _enter_draw_mode(self) -> None:
        if self._draw.active:
            return
        # only generated data can be edited; DrawMode also checks it is 2-D two-class
        self._draw.start(self._shown if self._is_generated() else None)
        self.dataset_combo.show_custom_item(DRAWN_NAME, DRAWN_LABEL)

    def _leave_draw_mode(self, back_to_list: bool = False) -> None:
        """End draw mode; ``back_to_list``: the box shows the listed dataset again (not when one was just picked)."""
        if not self._draw.stop():
            return
        if back_to_list:
            self.dataset_combo.drop_custom_item()
        # show the owner's data again at once, not the drawing until its next set_points
        if self._shown is not None:
            self.plot.set_points(**self._shown)

    def drawn_points(self) -> tuple[np.ndarray, np.ndarray]:
        """The drawn set: copies of ``X`` (n, 2) float64 and ``labels`` (n,) int64.

        It is kept after leaving draw mode, but replaced when draw mode starts again.
        """
        return self._draw.points()

    def add_drawn_point(self, x: float, y: float, class_id: int) -> None:
        """Add a point of class ``class_id`` (0 or 1) at view coordinates (x, y) and emit the drawn set.

        Refused (RuntimeError, ValueError) as :meth:`DrawMode.add_point <nnstudio.ui.data.draw_mode.DrawMode.add_point>`
        refuses it: outside draw mode, for another class or a coordinate that is not finite.
        """
        self._draw.add_point(x, y, class_id)

    def remove_nearest_drawn_point(self, x: float, y: float, max_pixels: float | None = PICK_RADIUS_PX) -> bool:
        """Remove the drawn point nearest to view coordinates (x, y); emit and return True if one went.

        Parameters
        ----------
        x, y : float
            Where the learner clicked, in data coordinates.
        max_pixels : float or None, optional
            Only a point within this many screen pixels counts (distance measured
            on screen, so it feels the same at any zoom); None for no limit.

        Raises
        ------
        RuntimeError
            Not in draw mode.
        """
        return self._draw.remove_nearest(x, y, max_pixels)

    def clear_drawn_points(self) -> None:
        """Remove every drawn point and emit the (empty) drawn set.

        Raises
        ------
        RuntimeError
            Not in draw mode.
        """
        self._draw.clear()

    def _on_drawn_changed(self) -> None:
        # the drawing already shows the change (DrawMode.sig_changed)
        self._update_enabled()
        self._emit_drawn()

    def drawn_dataset(self) -> Dataset:
        """The drawn set as a two-class :class:`~nnstudio.engine.data.datasets.Dataset` named "drawn" (x1, x2, label).
        """
        return self._draw.dataset()

    def save_drawn_csv(self, path: str) -> None:
        """Write the drawn points to ``path`` as CSV with columns x1, x2, label.

        ValueError when there are none, OSError when the file cannot be written (see ``DrawMode.save_csv``).
        """
        self._draw.save_csv(path)

    def _ask_save_path(self) -> str | None:
        """Ask where to save the drawn points; None if the learner cancels (tests override this)."""
        return self._draw.ask_save_path(self)

    def _on_save_clicked(self) -> None:
        # Here rather than in DrawMode: it goes through _ask_save_path and save_drawn_csv
        # on the panel, which tests override.
        path = self._ask_save_path()
        if not path:
            return
        try:
            self.save_drawn_csv(path)
        except (OSError, ValueError) as e:
            box = QMessageBox(QMessageBox.Icon.Warning, "Save CSV",
                              f"Could not save the drawn points to {path}:\n{e}", parent=self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()  # non-modal: the panel keeps running while the message shows
            self._error_box = box
