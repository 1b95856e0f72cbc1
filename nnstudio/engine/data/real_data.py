"""The real datasets shipped with NN Studio (iris, wine, breast cancer, digits).

They live as CSV files in the repository's ``resources/datasets/`` folder, installed as the
package ``nnstudio.resources`` (found by :func:`resources_dir`), and :func:`load_real` reads
them with :func:`~nnstudio.engine.data.csv_io.load_csv`, the same code that reads a learner's own
file. All of these are also importable from :mod:`nnstudio.engine.data.datasets`.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from nnstudio.engine.data.csv_io import load_csv
from nnstudio.engine.data.dataset_core import Dataset, DatasetError

__all__ = ["REAL_DATASETS", "resources_dir", "load_real"]

REAL_DATASETS = ("iris", "wine", "breast_cancer", "digits")
RESOURCE_PACKAGE = "nnstudio.resources"
REINSTALL = "reinstall NN Studio (`pip install .` or `pip install -e .` in its source tree)"


def resources_dir() -> Path:
    """The folder of the shipped data, holding ``datasets/`` and ``examples/``.

    Installed (``pip install .`` or ``pip install -e .``), it is the package
    ``nnstudio.resources``, which ``pyproject.toml`` maps to the repository's top-level
    ``resources/`` folder. A source tree used without installing (``PYTHONPATH``) has that
    folder beside the ``nnstudio`` package.

    Raises
    ------
    DatasetError
        The folder or its ``datasets/`` is missing.
    """
    try:
        path = Path(str(importlib.resources.files(RESOURCE_PACKAGE)))
    except ModuleNotFoundError:
        path = Path(__file__).resolve().parents[2] / "resources"
    if not (path / "datasets").is_dir():
        raise DatasetError(f"the data files were not found (no folder {path / 'datasets'}); {REINSTALL}")
    return path


def load_real(name: str) -> Dataset:
    """The real dataset ``name`` (one of ``REAL_DATASETS``), read fresh from its CSV file.

    The files live in ``resources/datasets/`` and are read by :func:`load_csv`, the same
    code that reads a learner's own file; ``resources/datasets/README.md`` gives each
    one's origin and licence.

    ==============  ====  ======  =======  ======================================
    name            rows  inputs  classes  target column: class names (y order)
    ==============  ====  ======  =======  ======================================
    iris            150   4       3        species: setosa, versicolor, virginica
    wine            178   13      3        cultivar: 1, 2, 3
    breast_cancer   569   30      2        diagnosis: benign, malignant
    digits          1797  64      10       digit: 0 .. 9 (inputs p0..p63, 0..16)
    ==============  ====  ======  =======  ======================================

    Returns
    -------
    Dataset
        Task classification, dataset name ``name``, ``X`` shape (rows, inputs) float64.

    Raises
    ------
    DatasetError
        An unknown name, or the data files are missing or unreadable.
    """
    if name not in REAL_DATASETS:
        raise DatasetError(f"unknown real dataset {name!r}; choose one of {', '.join(REAL_DATASETS)}")
    path = resources_dir() / "datasets" / f"{name}.csv"
    if not path.is_file():
        raise DatasetError(f"the data file {path} was not found; {REINSTALL}")
    # Read every time, never cached: a Dataset's arrays could be made writable again, and
    # the largest file (digits) reads in about a tenth of a second.
    return load_csv(path, task="classification", name=name)
