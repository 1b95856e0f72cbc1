"""The "Data" panel: pick and tune a dataset, or draw one, and see its points and the network's boundary.

The panel never generates data itself. Every edit emits ``sig_data_spec_changed``
with the full spec; the owner calls :func:`nnstudio.engine.data.datasets.generate` (or
loads the real dataset named) and :func:`~nnstudio.engine.data.datasets.train_test_split`,
then hands the points back through :meth:`DatasetPanel.set_points`. While training
runs, the owner evaluates the network on :func:`~nnstudio.ui.data.boundary_math.boundary_grid` and passes the
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
The dataset box always names the data in use (:meth:`DatasetPanel.show_data_in_use`):
drawn, imported or edited data get an extra item (:mod:`nnstudio.ui.data.dataset_combo`).
A spec still names the listed dataset underneath; with such data in use the test share
emits ``sig_custom_split_changed`` instead, since the data cannot be made again from a spec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QMessageBox,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nnstudio.engine.data.datasets import FEATURES, GENERATOR_NAMES
from nnstudio.engine.run.config import DataSpec
from nnstudio.ui.data.boundary_plot import BoundaryPlot
from nnstudio.ui.data.data_settings import DataSettings, feature_set
from nnstudio.ui.data.draw_mode import DrawMode
from nnstudio.ui.data.panel_drawing import PanelDrawing

__all__ = ["DatasetPanel", "SPEC_KEYS", "panel_spec"]


def panel_spec(data: DataSpec) -> dict:
    """``data`` as the panel's spec dict: ``DataSpec.to_dict`` without ``custom``, the features a tuple."""
    spec = data.to_dict()
    del spec["custom"]  # the panel names a listed dataset: drawn or imported data are the presenter's
    spec["features"] = data.features
    return spec


#: Keys of a data spec, in the order the controls show them.
SPEC_KEYS = tuple(panel_spec(DataSpec()))


class DatasetPanel(PanelDrawing, QWidget):
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
        objectName ``"dataSeedSpin"``, 0 to :data:`~nnstudio.engine.run.seeds.MAX_SEED`.
    regenerate_button : QPushButton
        objectName ``"regenerateButton"``; seed + 1 (wrapping to 0), then emits.
    feature_checks : dict of str to QCheckBox
        One per :data:`~nnstudio.engine.data.datasets.FEATURES` name, objectName ``"featureCheck_<name>"``;
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
        self._settings = settings = DataSettings(self.style())
        self.dataset_combo = settings.dataset_combo
        self.noise_spin, self.samples_spin = settings.noise_spin, settings.samples_spin
        self.test_fraction_spin, self.seed_spin = settings.test_fraction_spin, settings.seed_spin
        self.regenerate_button = settings.regenerate_button
        self.feature_checks = settings.feature_checks

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
        self.confirm_draw_toggle: Callable[[bool], bool] | None = None

        self._build_layout()
        self._connect()
        self._update_enabled()

    # ------------------------------------------------------------------ setup

    def _build_layout(self) -> None:
        # Parents first: a QLabel added to a layout that has no widget yet would be
        # owned by nothing but its Python wrapper, and freed when that goes out of scope.
        box = QGroupBox("Data", self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(box)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(8, 8, 8, 10)
        inner.setSpacing(6)
        # The drawing tools take a second row: the panel is narrow on a 1024-pixel screen.
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

        self._settings.lay_out(grid, features, box)

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
        elif self.dataset_combo.custom_shown():
            self.sig_custom_split_changed.emit(self.test_fraction_spin.value() / 100.0)
        else:
            self._emit_spec()

    def _on_dataset_changed(self, index: int) -> None:
        if self.dataset_combo.is_custom_index(index):
            return
        # picking a dataset is the other way out of draw mode
        if self._draw.active:
            self._leave_draw_mode()
        self.dataset_combo.drop_custom_item()
        self._update_enabled()
        self._emit_spec()

    def _is_generated(self) -> bool:
        """True when the combo shows a generator (2-D data whose noise, size and seed apply)."""
        return not self.dataset_combo.custom_shown() and self.dataset_combo.currentData() in GENERATOR_NAMES

    # ------------------------------------------------------------------ data not in the list

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
            combo.show_custom_item(name, label)
        else:
            index = combo.find_listed(name)
            if index < 0:
                raise ValueError(f"the dataset box has no {name!r}")
            with QSignalBlocker(combo):
                combo.setCurrentIndex(index)
            combo.drop_custom_item()
        self._update_enabled()

    def custom_label(self) -> str | None:
        """The extra item's text, or None when the box shows a listed dataset."""
        return self.dataset_combo.custom_label()

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
            ``features`` (tuple of the checked :data:`~nnstudio.engine.data.datasets.FEATURES` names in that
            order; ``()`` for data that is not 2-D, where they do not apply), ready
            for ``generate(name, n_samples, noise, seed)`` and
            ``train_test_split(dataset, test_fraction, seed)``.
        """
        applies = self._draw.active or self._is_generated()
        return panel_spec(DataSpec(
            name=self.dataset_combo.listed_name(), n_samples=self.samples_spin.value(),
            noise=round(self.noise_spin.value(), self.noise_spin.decimals()), seed=self.seed_spin.value(),
            test_fraction=self.test_fraction_spin.value() / 100.0,
            features=tuple(n for n in FEATURES if self.feature_checks[n].isChecked()) if applies else (),
        ))

    def set_data_spec(self, spec: Mapping) -> None:
        """Show ``spec`` in the controls without emitting any signal.

        Parameters
        ----------
        spec : mapping
            Any subset of :data:`SPEC_KEYS`; missing keys keep their current value.
            Numbers outside a control's range are clamped to it (and :meth:`data_spec`
            then reports the clamped value); ``noise`` is rounded to 2 decimals and
            ``test_fraction`` to a whole percent. ``features`` is an iterable of
            :data:`~nnstudio.engine.data.datasets.FEATURES` names (any order). Draw mode is left as it is.

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
            index = self.dataset_combo.find_listed(spec["name"])
            if index < 0:
                raise ValueError(f"unknown dataset {spec['name']!r}; choose one of "
                                 + ", ".join(self.dataset_combo.listed_names()))
        # Convert everything before touching a control, so a bad value changes nothing.
        values = self._settings.spin_values(spec)
        checked = feature_set(spec["features"]) if "features" in spec else None
        widgets = (self.dataset_combo, *self._settings.spins(), *self.feature_checks.values())
        blockers = [QSignalBlocker(w) for w in widgets]
        try:
            if "name" in spec:
                if not self._draw.active:
                    self.dataset_combo.drop_custom_item()  # a listed dataset is in use again
                self.dataset_combo.choose_listed(index)  # under the drawing, if that shows
            for spin, value in values.items():
                spin.setValue(value)
            if checked is not None:
                for name, check in self.feature_checks.items():
                    check.setChecked(name in checked)
        finally:
            for blocker in blockers:
                blocker.unblock()
        self._update_enabled()

    def regenerate(self) -> None:
        """Advance the seed by one (MAX_SEED wraps to 0) and emit the new spec once."""
        with QSignalBlocker(self.seed_spin):  # one emission below, not a second from valueChanged
            self.seed_spin.setValue(self._settings.next_seed())
        self._emit_spec()

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

        ``grid`` has shape (H, W), sampled on :func:`~nnstudio.ui.data.boundary_math.boundary_grid` (row 0 =
        ``ymin``); values map onto ``levels`` (default (0, 1), a class-1
        probability; for regression e.g. ``self.plot.value_levels``). See
        :meth:`BoundaryPlot.set_boundary`.
        """
        self.plot.set_boundary(grid, bounds, levels)
