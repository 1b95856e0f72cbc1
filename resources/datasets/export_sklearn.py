"""Regenerate the CSV files in this folder from scikit-learn's bundled copies.

A maintainer's tool, never run by NN Studio (which must not depend on scikit-learn)::

    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn
    /tmp/skvenv/bin/python resources/datasets/export_sklearn.py

Each file gets a header: the feature columns, cleaned to plain identifiers, then the
target column holding class names. Values are written exactly: integers as integers,
other floats with ``repr`` (the shortest text that reads back to the same float64).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sklearn import datasets

HERE = Path(__file__).resolve().parent


def _identifier(name: str) -> str:
    """'sepal length (cm)' -> 'sepal_length_cm'; 'od280/od315_of_diluted_wines' -> 'od280_od315_of_diluted_wines'."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def _cell(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _write(path: Path, header: list[str], X, labels: list[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row, label in zip(X.tolist(), labels):
            writer.writerow([*map(_cell, row), label])


def main() -> None:
    iris = datasets.load_iris()
    _write(HERE / "iris.csv", [*map(_identifier, iris.feature_names), "species"], iris.data,
           [str(iris.target_names[t]) for t in iris.target])

    wine = datasets.load_wine()
    # sklearn's class_0..class_2 are the UCI file's cultivars 1..3, in that order.
    _write(HERE / "wine.csv", [*map(_identifier, wine.feature_names), "cultivar"], wine.data,
           [str(t + 1) for t in wine.target])

    cancer = datasets.load_breast_cancer()
    _write(HERE / "breast_cancer.csv", [*map(_identifier, cancer.feature_names), "diagnosis"], cancer.data,
           [str(cancer.target_names[t]) for t in cancer.target])

    digits = datasets.load_digits()
    # p{row*8+col}: sklearn's pixel_{row}_{col}, row-major as the 8x8 image is flattened.
    _write(HERE / "digits.csv", [*(f"p{i}" for i in range(64)), "digit"], digits.data,
           [str(t) for t in digits.target])


if __name__ == "__main__":
    main()
