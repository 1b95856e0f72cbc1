"""The "Data" panel: pick and tune a toy dataset, see its points and the network's decision boundary.

The panel never generates data itself. Every edit emits ``sig_data_spec_changed``
with the full spec; the owner calls :func:`nnstudio.engine.datasets.generate` and
:func:`~nnstudio.engine.datasets.train_test_split`, then hands the points back
through :meth:`DatasetPanel.set_points`. While training runs, the owner evaluates
the network on :func:`boundary_grid` and passes the outputs to
:meth:`DatasetPanel.set_boundary`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from nnstudio.engine.datasets import GENERATOR_NAMES
from nnstudio.ui.boundary_plot import CLASS_COLORS, BoundaryPlot, boundary_grid

__all__ = ["DatasetPanel", "DATASET_LABELS", "SPEC_KEYS", "boundary_grid", "CLASS_COLORS"]

#: Display names of the generators; the combo's item data is the CLI name.
DATASET_LABELS: dict[str, str] = {
    "xor": "XOR",
    "circle": "Circle",
    "gaussians": "Two Gaussians",
    "spiral": "Spiral",
}
#: Keys of a data spec, in the order the controls show them.
SPEC_KEYS = ("name", "n_samples", "noise", "seed", "test_fraction")

MAX_SEED = 999_999

# Tooltips explain what each knob does to the data, since the panel has no room for prose.
_TIPS = {
    "dataset": "Which toy problem to learn. Every dataset has two classes (orange = 0, blue = 1).",
    "noise": ("Random jitter added to every point. More noise makes the classes overlap, "
              "so no boundary can separate them perfectly."),
    "samples": "How many points to generate (half of them in class 1).",
    "test": ("Percentage of points held back as a test set. The network never trains on them; "
             "they show whether it generalises."),
    "seed": "Random seed: the same seed and settings always give the same points.",
    "regenerate": "Draw a fresh set of points (seed + 1) with the same settings.",
}


class DatasetPanel(QWidget):
    """Dataset controls above a plot of the data plane and decision boundary.

    Signals
    -------
    sig_data_spec_changed(dict)
        Emitted once per user edit (dataset, noise, samples, test split, seed or
        Regenerate) with the full spec, see :meth:`data_spec`. Never emitted by
        :meth:`set_data_spec`.

    Attributes
    ----------
    dataset_combo : QComboBox
        objectName ``"datasetCombo"``; item text = display name, item data = CLI name.
    noise_spin : QDoubleSpinBox
        objectName ``"noiseSpin"``, 0-1 in steps of 0.05.
    samples_spin : QSpinBox
        objectName ``"samplesSpin"``, 4-2000.
    test_fraction_spin : QSpinBox
        objectName ``"testFractionSpin"``, test share in percent, 0-90.
    seed_spin : QSpinBox
        objectName ``"dataSeedSpin"``, 0-999999.
    regenerate_button : QPushButton
        objectName ``"regenerateButton"``; seed + 1 (wrapping to 0), then emits.
    plot : BoundaryPlot
        The data plane; see :mod:`nnstudio.ui.boundary_plot`.
    """

    sig_data_spec_changed = Signal(object)  # dict: name, n_samples, noise, seed, test_fraction

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset_combo = QComboBox(objectName="datasetCombo", toolTip=_TIPS["dataset"])
        for name in GENERATOR_NAMES:
            # a generator added to the engine later still shows up, with a derived label
            self.dataset_combo.addItem(DATASET_LABELS.get(name, name.replace("_", " ").title()), name)

        self.noise_spin = QDoubleSpinBox(objectName="noiseSpin", toolTip=_TIPS["noise"])
        self.noise_spin.setRange(0.0, 1.0)
        self.noise_spin.setSingleStep(0.05)
        self.noise_spin.setDecimals(2)
        self.noise_spin.setValue(0.1)

        self.samples_spin = QSpinBox(objectName="samplesSpin", toolTip=_TIPS["samples"])
        self.samples_spin.setRange(4, 2000)
        self.samples_spin.setSingleStep(10)
        self.samples_spin.setValue(200)

        self.test_fraction_spin = QSpinBox(objectName="testFractionSpin", toolTip=_TIPS["test"])
        self.test_fraction_spin.setRange(0, 90)
        self.test_fraction_spin.setSingleStep(5)
        self.test_fraction_spin.setSuffix(" %")
        self.test_fraction_spin.setValue(20)

        self.seed_spin = QSpinBox(objectName="dataSeedSpin", toolTip=_TIPS["seed"])
        self.seed_spin.setRange(0, MAX_SEED)

        self.regenerate_button = QPushButton("&Regenerate", objectName="regenerateButton",
                                             toolTip=_TIPS["regenerate"])
        self.regenerate_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload))

        self.plot = BoundaryPlot()
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.plot.setMinimumSize(220, 220)

        self._build_layout()
        self._connect()

    # ------------------------------------------------------------------ setup

    def _build_layout(self) -> None:
        for spin in self._spins():
            # keyboardTracking off: typing "200" emits once on Enter/focus-out, not per digit
            spin.setKeyboardTracking(False)
            spin.setAccelerated(True)
            spin.setMinimumWidth(72)

        # Parents first: a QLabel added to a layout that has no widget yet would be
        # owned by nothing but its Python wrapper, and freed when that goes out of scope.
        box = QGroupBox("Data", self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(box)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(10, 8, 10, 10)
        inner.setSpacing(8)
        grid = QGridLayout()
        inner.addLayout(grid)
        inner.addWidget(self.plot, 1)

        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        fields = (
            ("&Dataset", self.dataset_combo, 0, 0),
            ("&Noise", self.noise_spin, 1, 0),
            ("Sa&mples", self.samples_spin, 1, 2),
            ("&Test set", self.test_fraction_spin, 2, 0),
            ("S&eed", self.seed_spin, 2, 2),
        )
        for text, field, row, col in fields:
            label = QLabel(text, box)
            label.setBuddy(field)  # the mnemonic focuses the field
            grid.addWidget(label, row, col)
            grid.addWidget(field, row, col + 1, 1, 2 if field is self.dataset_combo else 1)
        grid.addWidget(self.regenerate_button, 0, 3)

    def _connect(self) -> None:
        self.dataset_combo.currentIndexChanged.connect(self._emit_spec)
        for spin in self._spins():
            spin.valueChanged.connect(self._emit_spec)
        self.regenerate_button.clicked.connect(self.regenerate)

    def _emit_spec(self, *_: object) -> None:
        self.sig_data_spec_changed.emit(self.data_spec())

    # ------------------------------------------------------------------ spec

    def data_spec(self) -> dict:
        """The current settings.

        Returns
        -------
        dict
            ``name`` (str, CLI generator name), ``n_samples`` (int), ``noise``
            (float), ``seed`` (int) and ``test_fraction`` (float in [0, 0.9]),
            ready for ``generate(name, n_samples, noise, seed)`` and
            ``train_test_split(dataset, test_fraction, seed)``.
        """
        return {
            "name": str(self.dataset_combo.currentData()),
            "n_samples": self.samples_spin.value(),
            "noise": round(self.noise_spin.value(), self.noise_spin.decimals()),
            "seed": self.seed_spin.value(),
            "test_fraction": self.test_fraction_spin.value() / 100.0,
        }

    def set_data_spec(self, spec: Mapping) -> None:
        """Show ``spec`` in the controls without emitting ``sig_data_spec_changed``.

        Parameters
        ----------
        spec : mapping
            Any subset of :data:`SPEC_KEYS`; missing keys keep their current value.
            Numbers outside a control's range are clamped to it (and :meth:`data_spec`
            then reports the clamped value); ``noise`` is rounded to 2 decimals and
            ``test_fraction`` to a whole percent.

        Raises
        ------
        ValueError
            An unknown key or dataset name, or a value that is not a finite
            number; nothing is changed.
        """
        unknown = set(spec) - set(SPEC_KEYS)
        if unknown:
            raise ValueError(f"unknown data spec key(s): {', '.join(sorted(map(str, unknown)))}")
        index = self.dataset_combo.currentIndex()
        if "name" in spec:
            index = self.dataset_combo.findData(spec["name"])
            if index < 0:
                raise ValueError(f"unknown dataset {spec['name']!r}; choose one of {', '.join(GENERATOR_NAMES)}")
        # Convert everything before touching a control, so a bad value changes nothing.
        values: dict[QWidget, float] = {}
        for key, spin, scale in (("noise", self.noise_spin, 1), ("n_samples", self.samples_spin, 1),
                                 ("test_fraction", self.test_fraction_spin, 100), ("seed", self.seed_spin, 1)):
            if key in spec:
                values[spin] = self._clamped(spin, spec[key], scale, key)
        blockers = [QSignalBlocker(w) for w in (self.dataset_combo, *self._spins())]
        try:
            self.dataset_combo.setCurrentIndex(index)
            for spin, value in values.items():
                spin.setValue(value)
        finally:
            for blocker in blockers:
                blocker.unblock()

    @staticmethod
    def _clamped(spin: QSpinBox | QDoubleSpinBox, value: object, scale: float, key: str) -> float:
        """``value * scale`` as the spin box's type, clamped to its range (ValueError if not a finite number)."""
        try:
            number = float(value) * scale  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"data spec {key!r} must be a number, got {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"data spec {key!r} must be finite, got {value!r}")
        # clamp in Python: a QSpinBox takes a C int, so a huge seed would overflow
        number = min(max(number, spin.minimum()), spin.maximum())
        return number if isinstance(spin, QDoubleSpinBox) else round(number)

    def _spins(self) -> tuple[QDoubleSpinBox, QSpinBox, QSpinBox, QSpinBox]:
        return self.noise_spin, self.samples_spin, self.test_fraction_spin, self.seed_spin

    def regenerate(self) -> None:
        """Advance the seed by one (999999 wraps to 0) and emit the new spec once."""
        seed = self.seed_spin.value()
        with QSignalBlocker(self.seed_spin):  # one emission below, not a second from valueChanged
            self.seed_spin.setValue(0 if seed >= MAX_SEED else seed + 1)
        self._emit_spec()

    # ------------------------------------------------------------------ plot

    def set_points(self, X_train: np.ndarray, labels_train: np.ndarray, X_test: np.ndarray,
                   labels_test: np.ndarray, bounds: Sequence[float] | None = None) -> None:
        """Draw train points (filled) and test points (rings), coloured by class.

        See :meth:`BoundaryPlot.set_points`; ``bounds`` is usually
        ``plane_bounds(dataset)``. Only the first two features are drawn.
        """
        self.plot.set_points(X_train, labels_train, X_test, labels_test, bounds)

    def set_boundary(self, grid: np.ndarray | None, bounds: Sequence[float] | None = None) -> None:
        """Tint the plane with the network's class-1 output, or hide the tint when ``grid`` is None.

        ``grid`` has shape (H, W) with values in [0, 1], sampled on
        :func:`boundary_grid` (row 0 = ``ymin``); see :meth:`BoundaryPlot.set_boundary`.
        """
        self.plot.set_boundary(grid, bounds)
