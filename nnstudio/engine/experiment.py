"""An experiment: a dataset split and normalised, a network, and the trainer between them.

What the CLI trains and what the window's worker owns. It keeps the bookkeeping that
sits around the maths: which rows are for training and which for testing, the input
normalisation fitted on the training rows only (so the test split stays unseen), and the
metadata a weights file needs so that raw inputs can be fed to the exported network.
"""

from __future__ import annotations

import numpy as np

from .datasets import Dataset, Normalizer, train_test_split
from .formats import ModelFile
from .network import Network, NetworkSpec
from .optim import Hyperparameters
from .trainer import Trainer

__all__ = ["default_output_activation", "check_fits", "Experiment"]


def default_output_activation(dataset: Dataset) -> str:
    """Sigmoid, as in the seed, for classification; linear for regression targets."""
    return "sigmoid" if dataset.task == "classification" else "linear"


def check_fits(spec: NetworkSpec, dataset: Dataset) -> None:
    """ValueError naming the sizes that differ when ``spec`` cannot take ``dataset``."""
    problems = []
    if spec.sizes[0] != dataset.n_features:
        problems.append(f"the network has {spec.sizes[0]} inputs, the dataset {dataset.name!r} has {dataset.n_features} features")
    if spec.sizes[-1] != dataset.n_outputs:
        problems.append(f"the network has {spec.sizes[-1]} outputs, the dataset {dataset.name!r} needs {dataset.n_outputs}")
    if problems:
        raise ValueError("; ".join(problems))


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
    hyper, batch_size, seed, eval_every
        Passed to the ``Trainer``.
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
        self.trainer = Trainer(
            network,
            normalizer.apply(X_train_raw),
            dataset.targets(self.train_idx),
            normalizer.apply(dataset.X[self.test_idx]),
            dataset.targets(self.test_idx),
            hyper=hyper,
            batch_size=batch_size,
            seed=seed,
            classification=dataset.task == "classification",
            eval_every=eval_every,
        )

    def model_file(self) -> ModelFile:
        """The network with what a weights file needs to take raw inputs."""
        d = self.dataset
        return ModelFile(self.network, self.normalizer, d.task, d.class_names, d.feature_names, d.target_name)

    def predict_raw(self, X_raw) -> np.ndarray:
        """Outputs for raw (un-normalised) inputs."""
        return self.network.predict(self.normalizer.apply(X_raw))
