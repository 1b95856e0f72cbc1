"""The dataset box: the listed datasets by their display names, and an extra item naming data not in the list.

Drawn data ("Drawn") and imported or edited data (the file's name) get an extra item at
the end of the list, chosen while that data is in use and removed when a listed dataset
is picked. Its item data is the dataset's name. While it shows, the box remembers the
listed dataset underneath, which is the one a data spec names.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QWidget

from nnstudio.engine.data import datasets as engine_datasets
from nnstudio.engine.data.datasets import GENERATOR_NAMES

__all__ = ["DatasetCombo", "DATASET_LABELS", "dataset_label"]

#: Display names of the datasets; the combo's item data is the CLI name.
DATASET_LABELS: dict[str, str] = {
    "xor": "XOR",
    "circle": "Circle",
    "gaussians": "Two Gaussians",
    "spiral": "Spiral",
    "moons": "Two Moons",
    "checkerboard": "Checkerboard",
    "plane": "Plane (regression)",
    "multigauss": "Multi-Gaussian (regression)",
    "iris": "Iris",
    "wine": "Wine",
    "breast_cancer": "Breast cancer",
    "digits": "Digits (8\u00d78)",
}


def dataset_label(name: str) -> str:
    """How the window names a listed dataset ("XOR", "Plane (regression)"); one added later gets a derived name."""
    return DATASET_LABELS.get(name, name.replace("_", " ").title())


class DatasetCombo(QComboBox):
    """The generators first, then (after a separator) the real datasets the engine offers; item data the CLI name."""

    def __init__(self, parent: QWidget | None = None, **properties: object) -> None:
        super().__init__(parent, **properties)
        for name in GENERATOR_NAMES:
            self.addItem(dataset_label(name), name)
        # Read at run time, not imported: the engine gains REAL_DATASETS later, and tests patch it.
        real = [n for n in getattr(engine_datasets, "REAL_DATASETS", ()) if n not in GENERATOR_NAMES]
        if real:
            self.insertSeparator(self.count())
            for name in real:
                self.addItem(dataset_label(name), name)
        self._custom_index = -1  # the extra item naming drawn or imported data, -1 without one
        self._listed_index = 0  # the listed dataset a spec names while the extra item shows

    def is_custom_index(self, index: int) -> bool:
        """True for the extra item's index."""
        return self._custom_index >= 0 and index == self._custom_index

    def custom_shown(self) -> bool:
        """True while the extra item is the current one."""
        return self.is_custom_index(self.currentIndex())

    def custom_label(self) -> str | None:
        """The extra item's text, or None when the box shows a listed dataset."""
        return self.itemText(self._custom_index) if self._custom_index >= 0 else None

    def listed_name(self) -> str:
        """The listed dataset a spec names: the one chosen, or the one under the extra item."""
        return str(self.itemData(self._listed_index if self.custom_shown() else self.currentIndex()))

    def listed_names(self) -> list[str]:
        """The CLI names in the list, in order (without the extra item)."""
        names = (self.itemData(i) for i in range(self.count()) if i != self._custom_index)
        return [str(n) for n in names if n is not None]

    def find_listed(self, name: str) -> int:
        """The index of listed dataset ``name``, -1 if the list has none."""
        for index in range(self.count()):
            if index != self._custom_index and self.itemData(index) == name:
                return index
        return -1

    def choose_listed(self, index: int) -> None:
        """Make the listed item ``index`` the one a spec names, emitting nothing; under the extra item if it shows."""
        if self.custom_shown():
            self._listed_index = index
        else:
            with QSignalBlocker(self):
                self.setCurrentIndex(index)

    def show_custom_item(self, name: str, label: str) -> None:
        """Add (or rename) the extra item ``label`` with item data ``name`` and choose it, emitting nothing."""
        with QSignalBlocker(self):
            if self._custom_index < 0:
                self._listed_index = self.currentIndex()
                self.insertSeparator(self.count())
                self.addItem(label, name)
                self._custom_index = self.count() - 1
            else:
                self.setItemText(self._custom_index, label)
                self.setItemData(self._custom_index, name)
            self.setCurrentIndex(self._custom_index)

    def drop_custom_item(self) -> None:
        """Remove the extra item (and its separator); the listed dataset under it shows unless another was picked."""
        if self._custom_index < 0:
            return
        with QSignalBlocker(self):
            if self.currentIndex() == self._custom_index:
                self.setCurrentIndex(self._listed_index)
            self.removeItem(self._custom_index)
            self.removeItem(self._custom_index - 1)  # its separator
        self._custom_index = -1
