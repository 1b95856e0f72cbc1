"""The Data panel's settings controls: dataset box, noise, samples, test share, seed, extra inputs, Regenerate.

Made and laid out here, with the conversions that take a data spec's values into them;
what the settings mean to the run (the spec, the signals, draw mode) is the panel's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStyle,
    QWidget,
)

from nnstudio.engine.data.datasets import FEATURE_LABELS, FEATURES
from nnstudio.engine.run.seeds import next_seed
from nnstudio.ui.data.dataset_combo import DatasetCombo
from nnstudio.ui.data.seed_box import SeedSpinBox

__all__ = ["DataSettings", "feature_set"]

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


class DataSettings:
    """The controls, under the names the panel (:class:`~nnstudio.ui.data.dataset_panel.DatasetPanel`) gives them."""

    def __init__(self, style: QStyle) -> None:
        self.dataset_combo = DatasetCombo(objectName="datasetCombo", toolTip=_TIPS["dataset"])

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

        self.seed_spin = SeedSpinBox(objectName="dataSeedSpin", toolTip=_TIPS["seed"])

        self.regenerate_button = QPushButton("&Regenerate", objectName="regenerateButton",
                                             toolTip=_TIPS["regenerate"])
        self.regenerate_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload))

        self.feature_checks: dict[str, QCheckBox] = {
            name: QCheckBox(FEATURE_LABELS[name], objectName=f"featureCheck_{name}", toolTip=_TIPS["features"])
            for name in FEATURES
        }
        for spin in self.spins():
            # keyboardTracking off: typing "200" emits once on Enter/focus-out, not per digit
            spin.setKeyboardTracking(False)
            spin.setAccelerated(True)
            if spin is not self.seed_spin:  # the seed box widens itself while a seed needs more than six digits
                spin.setMinimumWidth(64)

    def spins(self) -> tuple[QDoubleSpinBox, QSpinBox, QSpinBox, QSpinBox]:
        return self.noise_spin, self.samples_spin, self.test_fraction_spin, self.seed_spin

    def lay_out(self, grid: QGridLayout, features: QGridLayout, box: QWidget) -> None:
        """Put the dataset box and the numbers in ``grid``, the extra inputs in ``features``; labels belong to ``box``.

        Laid out for a narrow side panel (a 1024-pixel screen): the dataset box gets a row
        of its own and the extra inputs wrap.
        """
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

    def spin_values(self, spec: Mapping) -> dict[QDoubleSpinBox | QSpinBox, float]:
        """The numbers in ``spec`` as their spin boxes take them, clamped to range; ValueError if not finite numbers."""
        values: dict[QDoubleSpinBox | QSpinBox, float] = {}
        for key, spin, scale in (("noise", self.noise_spin, 1), ("n_samples", self.samples_spin, 1),
                                 ("test_fraction", self.test_fraction_spin, 100), ("seed", self.seed_spin, 1)):
            if key in spec:
                values[spin] = _clamped(spin, spec[key], scale, key)
        return values

    def next_seed(self) -> int:
        """The seed Regenerate moves to: one more, MAX_SEED wrapping to 0."""
        return next_seed(self.seed_spin.value())


def feature_set(features: object) -> set[str]:
    """A spec's ``features`` as a set of extra-input names; ValueError for a string, a non-sequence or unknown names."""
    if isinstance(features, str) or not isinstance(features, Iterable):
        raise ValueError(f"data spec 'features' must be a sequence of names, got {features!r}")
    names = set(features)
    unknown = names - set(FEATURES)
    if unknown:
        raise ValueError(f"unknown extra input(s) {', '.join(sorted(map(repr, unknown)))}; "
                         f"choose from {', '.join(FEATURES)}")
    return names


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
