"""An experiment: a dataset split and normalised, a network, and the trainer between them.

What the CLI trains and what the window's worker owns. It keeps the bookkeeping that
sits around the maths: which rows are for training and which for testing, the input
normalisation fitted on the training rows only (so the test split stays unseen), the
scaling of regression targets (``TargetScaling``), and the metadata a weights file needs
so that raw inputs can be fed to the exported network.

Regression targets on real scales (prices around 1e5, say) would make the squared error
of an untrained network around 1e10 and its gradients so large that any ordinary learning
rate diverges. So with a linear output layer the network learns standardised targets,
``(y - mean) / std`` of the training rows, as it does standardised inputs; what leaves the
experiment is in the data's own units again: ``model_file`` folds the scaling into the
output layer (``W·std``, ``b·std + mean``), so weights files, exports and ``nnstudio
predict`` are unchanged in format and give predictions in the data's units. Losses stay on
the standardised scale the network learns on (1 is the loss of always predicting the
mean). A non-linear output (sigmoid, tanh, ReLU) cannot carry an affine scaling, so its
targets are used as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnstudio.engine.data.datasets import Dataset, Normalizer, train_test_split
from nnstudio.engine.io.formats import ModelFile
from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer

__all__ = ["default_output_activation", "check_fits", "TargetScaling", "Experiment"]


def default_output_activation(dataset: Dataset) -> str:
    """Sigmoid, as in the seed, for classification; linear for regression targets."""
    return "sigmoid" if dataset.task == "classification" else "linear"


def check_fits(spec: NetworkSpec, dataset: Dataset) -> None:
    """ValueError naming the sizes that differ when ``spec`` cannot take ``dataset``."""
    problems = []
    if spec.sizes[0] != dataset.n_features:
        problems.append(
            f"the network has {spec.sizes[0]} inputs, the dataset {dataset.name!r} has {dataset.n_features} features"
        )
    if spec.sizes[-1] != dataset.n_outputs:
        problems.append(
            f"the network has {spec.sizes[-1]} outputs, the dataset {dataset.name!r} needs {dataset.n_outputs}"
        )
    if problems:
        raise ValueError("; ".join(problems))


def _power_of_two_above(values: np.ndarray) -> float:
    """A power of two ≥ max |values| (1 for all zeros): dividing by it is exact and cannot overflow a sum."""
    peak = float(np.max(np.abs(values))) if values.size else 0.0
    return math.ldexp(1.0, math.frexp(peak)[1]) if peak > 0 else 1.0


@dataclass(frozen=True)
class TargetScaling:
    """Regression targets as the network learns them: ``(y - mean) / std``.

    ``mean = 0, std = 1`` (``identity``) leaves targets as they are: classification, or a
    regression whose output activation is not linear.
    """

    mean: float = 0.0
    std: float = 1.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mean) and math.isfinite(self.std) and self.std > 0):
            raise ValueError(f"target scaling needs a finite mean and a finite std > 0, got {self.mean}, {self.std}")

    @classmethod
    def fit(cls, y) -> TargetScaling:
        """Mean and population std of ``y`` (≥ 1 value); std 1 for constant targets.

        Summed with ``math.fsum`` (exactly rounded) over values scaled by a power of two, so
        the result is the same bits on every machine (a reopened session re-derives it) and
        huge values do not overflow.
        """
        y = np.asarray(y, dtype=np.float64).ravel()
        if y.size == 0:
            raise ValueError("cannot fit a target scaling on zero rows")
        scale = _power_of_two_above(y)
        mean = math.fsum(y / scale) / y.size * scale
        deviations = y - mean
        scale = _power_of_two_above(deviations)
        std = math.sqrt(math.fsum(np.square(deviations / scale)) / y.size) * scale
        if not std > 1e-12 * abs(mean):  # constant targets: a rounding-sized std would blow them up
            std = 1.0
        return cls(mean, std)

    @classmethod
    def for_training(cls, task: str, output_activation: str, y_train) -> TargetScaling:
        """``fit`` for a regression learned through a linear output, ``identity`` otherwise."""
        if task == "regression" and output_activation == "linear":
            return cls.fit(y_train)
        return cls()

    @property
    def is_identity(self) -> bool:
        return self.mean == 0.0 and self.std == 1.0

    def apply(self, Y) -> np.ndarray:
        """Targets in the data's units → the scale the network learns on."""
        return (np.asarray(Y, dtype=np.float64) - self.mean) / self.std

    def fold(self, network: Network) -> Network:
        """A copy of ``network`` whose linear output layer gives the data's units."""
        if self.is_identity:
            return network
        weights = [np.asarray(W, np.float64) for W in network.weights]
        biases = [np.asarray(b, np.float64) for b in network.biases]
        weights[-1] = weights[-1] * self.std
        biases[-1] = biases[-1] * self.std + self.mean
        return Network(network.spec, weights, biases, network.dtype)

    def unfold(self, network: Network) -> None:
        """Undo ``fold`` in place: an output layer in the data's units learns on this scale."""
        if self.is_identity:
            return
        output = network.layers[-1]
        output.W /= self.std
        output.b -= self.mean
        output.b /= self.std


class Experiment:
    """Train ``network`` on ``dataset``.

    Parameters
    ----------
    dataset
        Raw features and targets.
    network
        Its input and output sizes must fit the dataset (``check_fits``).
    test_fraction, split_seed
        The held-out share of rows and the seed of the split.
    normalizer
        Applied to every input. None: standardise with the training rows' statistics when
        ``normalize`` is true, identity otherwise.
    output_in_data_units
        The network's output layer gives the data's units (weights from a file written by
        ``model_file``): its target scaling is unfolded before training.
    hyper, batch_size, seed, eval_every
        Passed to the ``Trainer``.

    Attributes
    ----------
    target_scaling
        How the training targets are standardised (``TargetScaling.for_training``): fitted
        on the training rows, derived afresh from the data each time, so it needs no saving.
    """

    def __init__(
        self,
        dataset: Dataset,
        network: Network,
        *,
        test_fraction: float = 0.2,
        split_seed: int = 0,
        normalize: bool = True,
        normalizer: Normalizer | None = None,
        output_in_data_units: bool = False,
        hyper: Hyperparameters | None = None,
        batch_size: int | None = None,
        seed: int = 0,
        eval_every: int | None = None,
    ) -> None:
        check_fits(network.spec, dataset)
        self.dataset = dataset
        self.network = network
        self.train_idx, self.test_idx = train_test_split(dataset, test_fraction, split_seed)
        X_train_raw = dataset.X[self.train_idx]
        if normalizer is None:
            normalizer = Normalizer.fit(X_train_raw) if normalize else Normalizer.identity(dataset.n_features)
        self.normalizer = normalizer
        Y_train = dataset.targets(self.train_idx)
        self.target_scaling = TargetScaling.for_training(dataset.task, network.spec.activations[-1], Y_train)
        if output_in_data_units:
            self.target_scaling.unfold(network)
        self.trainer = Trainer(
            network,
            normalizer.apply(X_train_raw),
            self.target_scaling.apply(Y_train),
            normalizer.apply(dataset.X[self.test_idx]),
            self.target_scaling.apply(dataset.targets(self.test_idx)),
            hyper=hyper,
            batch_size=batch_size,
            seed=seed,
            classification=dataset.task == "classification",
            eval_every=eval_every,
        )

    def network_in_data_units(self) -> Network:
        """The network with the target scaling folded into its output layer: what exports hold.

        The network itself when there is no scaling; otherwise a copy, so its predictions
        are those of an exported model, bit for bit.
        """
        return self.target_scaling.fold(self.network)

    def model_file(self) -> ModelFile:
        """The network with what a weights file needs to take raw inputs; outputs in the data's units."""
        d = self.dataset
        return ModelFile(self.network_in_data_units(), self.normalizer, d.task, d.class_names, d.feature_names,
                         d.target_name)

    def predict_raw(self, X_raw) -> np.ndarray:
        """Outputs, in the data's units, for raw (un-normalised) inputs."""
        return self.network_in_data_units().predict(self.normalizer.apply(X_raw))

    def describe_targets(self) -> str:
        """One sentence on the scale of the targets and so of the loss ("" for classification)."""
        d = self.dataset
        if d.task != "regression":
            return ""
        if self.target_scaling.is_identity:
            return (f"regression targets are used as they are (the {self.network.spec.activations[-1]} output "
                    f"cannot carry a standardisation), so the loss is in the units of {d.target_name!r}, squared")
        s = self.target_scaling
        return (
            f"regression targets are standardised (mean {s.mean:.6g}, std {s.std:.6g}), so the loss is on that "
            f"scale (1 = always predicting the mean); predictions and exports are in the units of {d.target_name!r}"
        )
