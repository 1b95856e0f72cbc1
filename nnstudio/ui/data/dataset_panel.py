"""The "Data" panel: pick and tune a dataset, or draw one, and see its points and the network's boundary.

The panel never generates data itself. Every edit emits ``sig_data_spec_changed``
with the full spec; the owner calls :func:`nnstudio.engine.data.datasets.generate` (or
loads the real dataset named) and :func:`~nnstudio.engine.data.datasets.train_test_split`,
then hands the points back through :meth:`DatasetPanel.set_points`. While training
runs, the owner evaluates the network on :func:`boundary_grid` and passes the
outputs to :meth:`DatasetPanel.set_boundary`.

Draw mode
---------
With **Draw** pressed the learner makes the data: a left click on the plot adds a
point of the class picked beside the button, a right click removes the nearest
point. Draw mode starts from the points on show (training and test together) when
they are a generated two-class dataset, so an existing problem can be edited;
otherwise (nothing shown yet, a real or a regression dataset) it starts empty.
While drawing, every change to the training data (a point, Clear, the test share,
the extra inputs) emits ``sig_drawn_data_changed`` and never
``sig_data_spec_changed``: a spec always means "use the dataset in the combo".
Leaving draw mode emits the combo's spec again. The drawn set, its tools and the
editing live in :mod:`nnstudio.ui.data.draw_mode`; the panel's drawing methods delegate there.

Data that is not in the list
----------------------------
The dataset box always names the data in use. Drawn data ("Drawn") and imported or
edited data (the file's name) get an extra item at the end of the list, chosen while that
data is in use (:meth:`DatasetPanel.show_data_in_use`) and removed when the learner picks
a listed dataset. Its item data is the dataset's name. A spec still names the listed
dataset underneath; with such data in use the test share emits
``sig_custom_split_changed`` instead, since the data cannot be made again from a spec.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from nnstudio.engine.data import datasets as engine_datasets
from nnstudio.engine.data.datasets import GENERATOR_NAMES, Dataset
from nnstudio.ui.data.boundary_plot import BoundaryPlot
from nnstudio.ui.data.draw_mode import DEFAULT_DRAW_BOUNDS, DRAW_HINT, PICK_RADIUS_PX, DrawMode

__all__ = [
    "DatasetPanel",
    "DATASET_LABELS",
    "SPEC_KEYS",
    "EXTRA_FEATURES",
    "FEATURE_LABELS",
    "DRAW_HINT",
    "DEFAULT_DRAW_BOUNDS",
    "PICK_RADIUS_PX",
]

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
#: Keys of a data spec, in the order the controls show them.
SPEC_KEYS = ("name", "n_samples", "noise", "seed", "test_fraction", "features")
#: Extra inputs computed from (x1, x2), in the order a spec lists them.
EXTRA_FEATURES = ("x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2")
#: Check box text of each extra input.
FEATURE_LABELS: dict[str, str] = {
    "x1_squared": "x1\u00b2",
    "x2_squared": "x2\u00b2",
    "x1_x2": "x1\u00b7x2",
    "sin_x1": "sin x1",
    "sin_x2": "sin x2",
}

MAX_SEED = 999_999
#: The engine's name of a drawn set, and how the dataset box names it.
DRAWN_NAME = "drawn"
DRAWN_LABEL = "Drawn"

# Tooltips explain what each knob does to the data, since the panel has no room for prose.
_TIPS = {
    "dataset": ("Which problem to learn. The toy problems are 2-D (orange = class 0, blue = class 1); "
                "the real datasets below the line have more inputs."),
    "noise": ("Random jitter added to every point. More noise makes the classes overlap, "
              "so no boundary can separate them perfectly."),
    "samples": "How many points to generate (half of them in class 1).",
    "test": ("Percentage of points held back as a test set. The network never trains on them; "
             "they show whether it generalises."),
    "seed": "Random seed: the same seed and settings always give the same points.",
    "regenerate": "Draw a fresh set of points (seed + 1) with the same settings.",
    "features": ("Extra inputs computed from x1 and x2. With x1\u00b2 and x2\u00b2, even a network "
                 "without hidden layers can learn the circle."),
}


class DatasetPanel(QWidget):
    """Dataset controls above a plot of the data plane and decision boundary.

    Signals
    -------
    sig_data_spec_changed(dict)
        Emitted once per user edit (dataset, noise, samples, test split, seed,
        extra inputs or Regenerate) with the full spec, see :meth:`data_spec`, and
        on leaving draw mode. Never emitted by :meth:`set_data_spec`, nor while in
        draw mode.
    sig_drawn_data_changed(tuple)
        In draw mode, ``(X, labels)``: the drawn points, ``X`` (n, 2) float64 and
        ``labels`` (n,) int64 class ids 0/1; ``n`` may be 0. Emitted on entering
        draw mode with the button, on every added or removed point, on Clear, and
        when the test share or the extra inputs change (read those from
        :meth:`data_spec`).

    Attributes
    ----------
    dataset_combo : QComboBox
        objectName ``"datasetCombo"``; item text = display name, item data = CLI
        name. The generators come first, then (after a separator) the real datasets
        the engine offers.
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
    feature_checks : dict of str to QCheckBox
        One per :data:`EXTRA_FEATURES` name, objectName ``"featureCheck_<name>"``;
        enabled for 2-D data (generated or drawn) only.
    draw_button : QToolButton
        objectName ``"drawModeButton"``, checkable: draw mode on/off. This and the
        other drawing tools below are made by the panel's
        :class:`~nnstudio.ui.data.draw_mode.DrawMode`.
    draw_class_combo : QComboBox
        objectName ``"drawClassCombo"``: "class 0" / "class 1" (item data 0 / 1).
    clear_drawn_button, save_drawn_button : QPushButton
        objectNames ``"clearDrawnButton"``, ``"saveDrawnButton"``.
    draw_hint : QLabel
        objectName ``"drawHint"``, :data:`DRAW_HINT`. The picker, Clear, Save and
        the hint are shown in draw mode only.
    plot : BoundaryPlot
        The data plane; see :mod:`nnstudio.ui.data.boundary_plot`.
    confirm_draw_toggle : callable or None
        ``confirm_draw_toggle(on) -> bool``, asked before the Draw button enters (True)
        or leaves (False) draw mode; False keeps the mode as it was. None: never asked.

    Signals (besides the two above)
    -------------------------------
    sig_custom_split_changed(float)
        The test share, changed while imported or edited data is in use (not drawing).
    """

    sig_data_spec_changed = Signal(object)  # dict: name, n_samples, noise, seed, test_fraction, features
    sig_drawn_data_changed = Signal(object)  # tuple: (X (n, 2) float64, labels (n,) int64)
    sig_custom_split_changed = Signal(float)  # test fraction for the imported or edited data in use

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset_combo = QComboBox(objectName="datasetCombo", toolTip=_TIPS["dataset"])
        for name in GENERATOR_NAMES:
            self.dataset_combo.addItem(self._label(name), name)
        # Read at run time, not imported: the engine gains REAL_DATASETS later, and tests patch it.
        real = [n for n in getattr(engine_datasets, "REAL_DATASETS", ()) if n not in GENERATOR_NAMES]
        if real:
            self.dataset_combo.insertSeparator(self.dataset_combo.count())
            for name in real:
                self.dataset_combo.addItem(self._label(name), name)

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

        self.feature_checks: dict[str, QCheckBox] = {
            name: QCheckBox(FEATURE_LABELS[name], objectName=f"featureCheck_{name}", toolTip=_TIPS["features"])
            for name in EXTRA_FEATURES
        }

        self.plot = BoundaryPlot()
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.plot.setMinimumSize(220, 220)

        # the drawn set and its tools; the panel lays the tools out under its own names
        self._draw = DrawMode(self.plot, self)
        self.draw_button = self._draw.button
        self.draw_class_combo = self._draw.class_combo
        self.clear_drawn_button = self._draw.clear_button
        self.save_drawn_button = self._draw.save_button
        self.draw_hint = self._draw.hint

        self._shown: dict | None = None  # the last set_points call, shown again after drawing
        self._error_box: QMessageBox | None = None
        self._custom_index = -1  # the extra item naming drawn or imported data, -1 without one
        self._listed_index = 0  # the listed dataset a spec names while the extra item shows
        self.confirm_draw_toggle: Callable[[bool], bool] | None = None

        self._build_layout()
        self._connect()
        self._update_enabled()

    @staticmethod
    def _label(name: str) -> str:
        # a dataset added to the engine later still shows up, with a derived label
        return DATASET_LABELS.get(name, name.replace("_", " ").title())

    # ------------------------------------------------------------------ setup

    def _build_layout(self) -> None:
        for spin in self._spins():
            # keyboardTracking off: typing "200" emits once on Enter/focus-out, not per digit
            spin.setKeyboardTracking(False)
            spin.setAccelerated(True)
            spin.setMinimumWidth(64)

        # Parents first: a QLabel added to a layout that has no widget yet would be
        # owned by nothing but its Python wrapper, and freed when that goes out of scope.
        box = QGroupBox("Data", self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(box)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(8, 8, 8, 10)
        inner.setSpacing(6)
        # Laid out for a narrow side panel (a 1024-pixel screen): the dataset combo gets a
        # row of its own, the extra inputs wrap, and the drawing tools take a second row.
        grid = QGridLayout()
        inner.addLayout(grid)
        features = QGridLayout()
        inner.addLayout(features)
        tools_row = QHBoxLayout()
        inner.addLayout(tools_row)
        draw_row = QHBoxLayout()
        inner.addLayout(draw_row)
        inner.addWidget(self.draw_hint)
        inner.addWidget(self.plot, 1)

        grid.setHorizontalSpacing(6)
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
            grid.addWidget(field, row, col + 1, 1, 3 if field is self.dataset_combo else 1)
        # The longest name still fits the combo's row; it need not ask for more.
        self.dataset_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.dataset_combo.setMinimumContentsLength(12)

        features.setHorizontalSpacing(6)
        features.setVerticalSpacing(2)
        features.addWidget(QLabel("Extra inputs:", box, toolTip=_TIPS["features"]), 0, 0)
        for index, check in enumerate(self.feature_checks.values()):
            features.addWidget(check, index // 3, 1 + index % 3)
        features.setColumnStretch(4, 1)

        tools_row.setSpacing(6)
        tools_row.addWidget(self.draw_button)
        tools_row.addWidget(self.draw_class_combo)
        tools_row.addStretch(1)
        tools_row.addWidget(self.regenerate_button)
        draw_row.setSpacing(6)
        draw_row.addWidget(self.clear_drawn_button)
        draw_row.addWidget(self.save_drawn_button)
        draw_row.addStretch(1)

    def _connect(self) -> None:
        self.dataset_combo.currentIndexChanged.connect(self._on_dataset_changed)
        for spin in (self.noise_spin, self.samples_spin, self.seed_spin):
            spin.valueChanged.connect(self._emit_spec)
        # these two also shape drawn data, so in draw mode they re-emit the drawn set
        self.test_fraction_spin.valueChanged.connect(self._on_setting_changed)
        for check in self.feature_checks.values():
            check.toggled.connect(self._on_setting_changed)
        self.regenerate_button.clicked.connect(self.regenerate)
        self.draw_button.toggled.connect(self._on_draw_toggled)
        self.clear_drawn_button.clicked.connect(self.clear_drawn_points)
        self.save_drawn_button.clicked.connect(self._on_save_clicked)
        self.plot.scene().sigMouseClicked.connect(self._draw.on_plot_clicked)
        self._draw.sig_changed.connect(self._on_drawn_changed)

    def _emit_spec(self, *_: object) -> None:
        self.sig_data_spec_changed.emit(self.data_spec())

    def _emit_drawn(self) -> None:
        self.sig_drawn_data_changed.emit(self.drawn_points())

    def _on_setting_changed(self, *_: object) -> None:
        if self._draw.active:
            self._emit_drawn()
        elif self._custom_shown():
            self.sig_custom_split_changed.emit(self.test_fraction_spin.value() / 100.0)
        else:
            self._emit_spec()

    def _on_dataset_changed(self, index: int) -> None:
        if index == self._custom_index:
            return
        # picking a dataset is the other way out of draw mode
        if self._draw.active:
            self._leave_draw_mode()
        self._drop_custom_item()
        self._update_enabled()
        self._emit_spec()

    def _is_generated(self) -> bool:
        """True when the combo shows a generator (2-D data whose noise, size and seed apply)."""
        return not self._custom_shown() and self.dataset_combo.currentData() in GENERATOR_NAMES

    # ------------------------------------------------------------------ data not in the list

    def _custom_shown(self) -> bool:
        return self._custom_index >= 0 and self.dataset_combo.currentIndex() == self._custom_index

    def _listed_name(self) -> str:
        """The listed dataset a spec names: the one chosen, or the one under the extra item."""
        index = self._listed_index if self._custom_shown() else self.dataset_combo.currentIndex()
        return str(self.dataset_combo.itemData(index))

    def show_data_in_use(self, name: str, custom: bool, label: str) -> None:
        """Make the dataset box name the data in use, emitting nothing.

        A listed dataset is chosen in the list; drawn, imported or edited data gets the
        extra item ``label`` (item data ``name``). In draw mode the box keeps showing the
        drawing. ValueError for a listed dataset the box does not have.
        """
        if self._draw.active:
            return
        combo = self.dataset_combo
        if custom:
            self._show_custom_item(name, label)
        else:
            index = self._find_listed(name)
            if index < 0:
                raise ValueError(f"the dataset box has no {name!r}")
            with QSignalBlocker(combo):
                combo.setCurrentIndex(index)
            self._drop_custom_item()
        self._update_enabled()

    def custom_label(self) -> str | None:
        """The extra item's text, or None when the box shows a listed dataset."""
        return self.dataset_combo.itemText(self._custom_index) if self._custom_index >= 0 else None

    def _find_listed(self, name: str) -> int:
        combo = self.dataset_combo
        for index in range(combo.count()):
            if index != self._custom_index and combo.itemData(index) == name:
                return index
        return -1

    def _show_custom_item(self, name: str, label: str) -> None:
        combo = self.dataset_combo
        with QSignalBlocker(combo):
            if self._custom_index < 0:
                self._listed_index = combo.currentIndex()
                combo.insertSeparator(combo.count())
                combo.addItem(label, name)
                self._custom_index = combo.count() - 1
            else:
                combo.setItemText(self._custom_index, label)
                combo.setItemData(self._custom_index, name)
            combo.setCurrentIndex(self._custom_index)

    def _drop_custom_item(self) -> None:
        """Remove the extra item (and its separator); the listed dataset under it shows unless another was picked."""
        if self._custom_index < 0:
            return
        combo = self.dataset_combo
        with QSignalBlocker(combo):
            if combo.currentIndex() == self._custom_index:
                combo.setCurrentIndex(self._listed_index)
            combo.removeItem(self._custom_index)
            combo.removeItem(self._custom_index - 1)  # its separator
        self._custom_index = -1

    def _update_enabled(self) -> None:
        """Enable what applies to the current data; show the drawing tools in draw mode only."""
        generated = self._is_generated() and not self._draw.active
        for widget in (self.noise_spin, self.samples_spin, self.seed_spin, self.regenerate_button):
            widget.setEnabled(generated)
        two_d = self._draw.active or self._is_generated()
        for check in self.feature_checks.values():
            check.setEnabled(two_d)
        self._draw.update_tools()

    # ------------------------------------------------------------------ spec

    def data_spec(self) -> dict:
        """The current settings.

        Returns
        -------
        dict
            ``name`` (str, CLI dataset name), ``n_samples`` (int), ``noise``
            (float), ``seed`` (int), ``test_fraction`` (float in [0, 0.9]) and
            ``features`` (tuple of the checked :data:`EXTRA_FEATURES` names in that
            order; ``()`` for data that is not 2-D, where they do not apply), ready
            for ``generate(name, n_samples, noise, seed)`` and
            ``train_test_split(dataset, test_fraction, seed)``.
        """
        applies = self._draw.active or self._is_generated()
        return {
            "name": self._listed_name(),
            "n_samples": self.samples_spin.value(),
            "noise": round(self.noise_spin.value(), self.noise_spin.decimals()),
            "seed": self.seed_spin.value(),
            "test_fraction": self.test_fraction_spin.value() / 100.0,
            "features": tuple(n for n in EXTRA_FEATURES if self.feature_checks[n].isChecked()) if applies else (),
        }

    def set_data_spec(self, spec: Mapping) -> None:
        """Show ``spec`` in the controls without emitting any signal.

        Parameters
        ----------
        spec : mapping
            Any subset of :data:`SPEC_KEYS`; missing keys keep their current value.
            Numbers outside a control's range are clamped to it (and :meth:`data_spec`
            then reports the clamped value); ``noise`` is rounded to 2 decimals and
            ``test_fraction`` to a whole percent. ``features`` is an iterable of
            :data:`EXTRA_FEATURES` names (any order). Draw mode is left as it is.

        Raises
        ------
        ValueError
            An unknown key, dataset or feature name, or a value that is not a finite
            number; nothing is changed.
        """
        unknown = set(spec) - set(SPEC_KEYS)
        if unknown:
            raise ValueError(f"unknown data spec key(s): {', '.join(sorted(map(str, unknown)))}")
        index = self.dataset_combo.currentIndex()
        if "name" in spec:
            index = self._find_listed(spec["name"])
            if index < 0:
                names = [self.dataset_combo.itemData(i) for i in range(self.dataset_combo.count())
                         if i != self._custom_index]
                raise ValueError(f"unknown dataset {spec['name']!r}; choose one of "
                                 + ", ".join(str(n) for n in names if n is not None))
        # Convert everything before touching a control, so a bad value changes nothing.
        values: dict[QWidget, float] = {}
        for key, spin, scale in (("noise", self.noise_spin, 1), ("n_samples", self.samples_spin, 1),
                                 ("test_fraction", self.test_fraction_spin, 100), ("seed", self.seed_spin, 1)):
            if key in spec:
                values[spin] = self._clamped(spin, spec[key], scale, key)
        checked = self._feature_set(spec["features"]) if "features" in spec else None
        widgets = (self.dataset_combo, *self._spins(), *self.feature_checks.values())
        blockers = [QSignalBlocker(w) for w in widgets]
        try:
            if "name" in spec:
                if not self._draw.active:
                    self._drop_custom_item()  # a listed dataset is in use again
                if self._custom_shown():
                    self._listed_index = index  # under the drawing
                else:
                    self.dataset_combo.setCurrentIndex(index)
            for spin, value in values.items():
                spin.setValue(value)
            if checked is not None:
                for name, check in self.feature_checks.items():
                    check.setChecked(name in checked)
        finally:
            for blocker in blockers:
                blocker.unblock()
        self._update_enabled()

    @staticmethod
    def _feature_set(features: object) -> set[str]:
        if isinstance(features, str) or not isinstance(features, Iterable):
            raise ValueError(f"data spec 'features' must be a sequence of names, got {features!r}")
        names = set(features)
        unknown = names - set(EXTRA_FEATURES)
        if unknown:
            raise ValueError(f"unknown extra input(s) {', '.join(sorted(map(repr, unknown)))}; "
                             f"choose from {', '.join(EXTRA_FEATURES)}")
        return names

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

    # ------------------------------------------------------------------ draw mode

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
        self._show_custom_item(DRAWN_NAME, DRAWN_LABEL)

    def _leave_draw_mode(self, back_to_list: bool = False) -> None:
        """End draw mode; ``back_to_list``: the box shows the listed dataset again (not when one was just picked)."""
        if not self._draw.stop():
            return
        if back_to_list:
            self._drop_custom_item()
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

        Raises
        ------
        RuntimeError
            Not in draw mode.
        ValueError
            A class other than 0/1, or a coordinate that is not finite.
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
        """The drawn set as a two-class :class:`~nnstudio.engine.data.datasets.Dataset` named "drawn" (x1, x2, label)."""
        return self._draw.dataset()

    def save_drawn_csv(self, path: str) -> None:
        """Write the drawn points to ``path`` as CSV with columns x1, x2, label.

        Raises
        ------
        ValueError
            There are no drawn points.
        OSError
            The file cannot be written.
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

    # ------------------------------------------------------------------ plot

    def set_points(self, X_train: np.ndarray, labels_train: np.ndarray | None, X_test: np.ndarray,
                   labels_test: np.ndarray | None, bounds: Sequence[float] | None = None, *,
                   values: tuple[np.ndarray, np.ndarray] | None = None,
                   levels: Sequence[float] | None = None) -> None:
        """Draw train points (filled) and test points (rings), coloured by class or by value.

        See :meth:`BoundaryPlot.set_points`; ``bounds`` is usually
        ``plane_bounds(dataset)``. Only the first two features are drawn. For
        regression pass ``values=(targets_train, targets_test)`` (and optionally
        ``levels``); the points are then coloured orange (low) to blue (high).

        In draw mode the plot keeps showing the drawing; the points are kept and
        shown when draw mode ends. Points that are the drawing itself, as the trainer
        split it, are shown split (the view stays where it is).
        """
        shown = dict(X_train=X_train, labels_train=labels_train, X_test=X_test, labels_test=labels_test,
                     bounds=bounds, values=values, levels=levels)
        if self._draw.active:
            self._shown = shown
            if self._draw.is_drawing_of(shown):
                # the trainer's split of the drawing: test points as rings, the legend's counts its own
                self.plot.set_points(X_train, labels_train, X_test, labels_test)
            return
        self.plot.set_points(**shown)
        self._shown = shown  # only once valid: set_points raises on bad input

    def set_boundary(self, grid: np.ndarray | None, bounds: Sequence[float] | None = None,
                     levels: Sequence[float] | None = None) -> None:
        """Tint the plane with the network's output, or hide the tint when ``grid`` is None.

        ``grid`` has shape (H, W), sampled on :func:`boundary_grid` (row 0 =
        ``ymin``); values map onto ``levels`` (default (0, 1), a class-1
        probability; for regression e.g. ``self.plot.value_levels``). See
        :meth:`BoundaryPlot.set_boundary`.
        """
        self.plot.set_boundary(grid, bounds, levels)
