"""Whether a trained model fits the data: its input columns by name, and the output layer a task allows.

``fit_to_model`` is what ``nnstudio train --init`` and the window's File › Import weights
both do with a weights file: the data's columns are matched to the model's feature names,
in any order, and anything missing or extra is named. ``output_problem`` holds the rules
the window's training session applies to an output layer (``SessionConfig.fitted_to``), so
that the network canvas can say why a choice is not offered instead of reverting it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from nnstudio.engine.data.csv_text import file_label
from nnstudio.engine.data.datasets import Dataset
from nnstudio.engine.io.formats import ModelFile
from nnstudio.engine.run.experiment import check_fits

__all__ = ["fit_to_model", "output_problem", "PROBABILITY_OUTPUTS"]

#: Output activations whose values are probabilities: what a classifier and cross-entropy need.
PROBABILITY_OUTPUTS = ("sigmoid", "softmax")


def _names(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(map(repr, names[:limit]))
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def fit_to_model(model: ModelFile, dataset: Dataset, weights: str | os.PathLike, extra_hint: str = "") -> Dataset:
    """``dataset`` with its features in the order the model's inputs take them, found by name.

    A model without feature names takes the columns as they come. ValueError, starting with
    the weights file's name, says what does not fit: the columns missing and those left over
    (``extra_hint`` follows the latter, e.g. how to leave them out), or the sizes that differ.
    """
    label = file_label(Path(weights))
    trained_on = model.feature_names
    if trained_on and set(trained_on) != set(dataset.feature_names):
        missing = [n for n in trained_on if n not in dataset.feature_names]
        extra = [n for n in dataset.feature_names if n not in trained_on]
        n_in = model.network.spec.sizes[0]
        differences = ([f"no column {_names(missing)}"] if missing else []) + (
            [f"the extra column(s) {_names(extra)}{extra_hint}"] if extra else [])
        raise ValueError(f"{label} does not fit the data: the network has {n_in} inputs, trained on "
                         f"{_names(trained_on)}; the dataset {dataset.name!r} has {dataset.n_features} features, "
                         f"with {' and '.join(differences)}")
    if trained_on:
        dataset = dataset.select_features(trained_on)
    try:
        check_fits(model.network.spec, dataset)
    except ValueError as exc:
        raise ValueError(f"{label} does not fit the data: {exc}") from None
    return dataset


def output_problem(task: str, n_outputs: int, activation: str, loss: str = "mse") -> str:
    """Why the window does not train ``task`` through an output layer of ``activation`` ("" if it does).

    The rules of ``SessionConfig.fitted_to``: regression learns standardised targets through
    a linear output with MSE; a classifier's output is a probability (sigmoid, or softmax
    over two or more outputs); cross-entropy needs a probability to take the log of.
    """
    if task == "regression":
        if activation != "linear":
            return ("Regression here has a linear output: the network learns standardised targets, "
                    "which can be any number")
        if loss != "mse":
            return "Regression here is trained with the MSE loss"
        return ""
    if activation not in PROBABILITY_OUTPUTS:
        if loss == "cross_entropy":
            return "Cross-entropy takes the log of a probability: it needs a sigmoid or softmax output"
        return "A classifier's output is a probability: sigmoid, or softmax over several outputs"
    if activation == "softmax" and n_outputs < 2:
        return "Softmax over one output is always 1: two classes use one sigmoid output"
    return ""
