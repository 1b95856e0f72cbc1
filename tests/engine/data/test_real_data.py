"""Tests for the shipped real datasets, their README, and loading any dataset by name."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import nnstudio.engine.data.real_data as real_data_module
from nnstudio.engine.data.datasets import (
    DATASET_NAMES,
    FEATURES,
    GENERATOR_NAMES,
    REAL_DATASETS,
    DatasetError,
    add_features,
    generate,
    load_csv,
    load_named,
    load_real,
    resources_dir,
)

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "resources" / "datasets"

# name: (rows, inputs, target column, {class name: rows}) as documented in resources/datasets/README.md
EXPECTED = {
    "iris": (150, 4, "species", {"setosa": 50, "versicolor": 50, "virginica": 50}),
    "wine": (178, 13, "cultivar", {"1": 59, "2": 71, "3": 48}),
    "breast_cancer": (569, 30, "diagnosis", {"benign": 357, "malignant": 212}),
    "digits": (1797, 64, "digit", {"0": 178, "1": 182, "2": 177, "3": 183, "4": 181,
                                   "5": 182, "6": 181, "7": 179, "8": 174, "9": 180}),
}


def test_real_and_all_dataset_names():
    """REAL_DATASETS lists the four shipped tables; DATASET_NAMES is the generators then them."""
    assert REAL_DATASETS == ("iris", "wine", "breast_cancer", "digits")
    assert DATASET_NAMES == GENERATOR_NAMES + REAL_DATASETS
    assert set(EXPECTED) == set(REAL_DATASETS)


def test_resources_dir_is_the_repository_folder():
    """resources_dir() is the top-level resources/ folder beside the nnstudio package."""
    assert resources_dir() == REPO / "resources"
    assert (resources_dir() / "datasets").is_dir()


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_shipped_dataset_rows_columns_and_class_counts(name):
    """Each shipped dataset has the documented rows, inputs, target and per-class counts."""
    rows, inputs, target, counts = EXPECTED[name]
    d = load_real(name)
    assert d.name == name and d.task == "classification"
    assert d.X.shape == (rows, inputs) and d.X.dtype == np.float64
    assert d.target_name == target
    assert d.class_names == tuple(counts)
    assert np.bincount(d.y, minlength=d.n_classes).tolist() == list(counts.values())
    assert np.all(np.isfinite(d.X))


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_shipped_dataset_is_what_load_csv_reads_from_its_file(name):
    """load_real equals load_csv on the file, even without a task hint (auto-detection agrees)."""
    d = load_real(name)
    plain = load_csv(DATA / f"{name}.csv")
    assert plain.task == "classification"
    assert d.X.tobytes() == plain.X.tobytes() and d.y.tobytes() == plain.y.tobytes()
    assert (d.feature_names, d.target_name, d.class_names) == (
        plain.feature_names,
        plain.target_name,
        plain.class_names,
    )


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_shipped_column_names_are_plain_identifiers(name):
    """Every column name is a lower-case identifier, distinct from the others."""
    d = load_real(name)
    names = d.feature_names + (d.target_name,)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names), names


def test_iris_columns_and_first_row():
    """iris has sklearn's four measurements in centimetres, and its first row is 5.1, 3.5, 1.4, 0.2 setosa."""
    d = load_real("iris")
    assert d.feature_names == ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
    first = DATA.joinpath("iris.csv").read_text(encoding="utf-8").splitlines()[1]
    assert first == "5.1,3.5,1.4,0.2,setosa"


def test_digits_are_8x8_pixel_counts_from_0_to_16():
    """digits has columns p0..p63 holding whole numbers from 0 to 16."""
    d = load_real("digits")
    assert d.feature_names == tuple(f"p{i}" for i in range(64))
    assert d.X.min() == 0.0 and d.X.max() == 16.0
    assert np.array_equal(d.X, np.round(d.X))


def test_breast_cancer_has_mean_error_and_worst_of_ten_measurements():
    """breast_cancer's 30 inputs are the mean, error and worst of ten nucleus measurements."""
    names = load_real("breast_cancer").feature_names
    assert names[0] == "mean_radius" and names[10] == "radius_error" and names[20] == "worst_radius"
    assert names[29] == "worst_fractal_dimension"


def test_load_real_reads_fresh_read_only_data_each_time():
    """Each call returns new read-only arrays, so no caller can change another's data."""
    a, b = load_real("iris"), load_real("iris")
    assert a is not b and a.X is not b.X
    assert not a.X.flags.writeable and not a.y.flags.writeable


def test_load_real_unknown_name_lists_the_real_datasets():
    """An unknown real dataset name raises DatasetError listing the shipped ones."""
    with pytest.raises(DatasetError, match="'mnist'.*iris, wine, breast_cancer, digits"):
        load_real("mnist")


def test_missing_resources_folder_says_to_install_from_the_source_tree(monkeypatch, tmp_path):
    """Without the resources/ folder, loading says the data files were not found and how to install."""
    monkeypatch.setattr(real_data_module, "RESOURCE_PACKAGE", "nnstudio_test_no_such_package")
    monkeypatch.setattr(
        real_data_module, "__file__", str(tmp_path / "site-packages" / "nnstudio" / "engine" / "real_data.py")
    )
    with pytest.raises(DatasetError, match=r"data files were not found.*pip install -e \."):
        resources_dir()
    with pytest.raises(DatasetError, match="pip install -e"):
        load_named("iris")


def test_missing_data_file_says_which_and_how_to_install(monkeypatch, tmp_path):
    """With resources/ present but a file missing, the error names the file and the fix."""
    (tmp_path / "resources" / "datasets").mkdir(parents=True)
    monkeypatch.setattr(real_data_module, "RESOURCE_PACKAGE", "nnstudio_test_no_such_package")
    monkeypatch.setattr(real_data_module, "__file__", str(tmp_path / "nnstudio" / "engine" / "real_data.py"))
    with pytest.raises(DatasetError, match=r"wine\.csv was not found.*pip install -e \."):
        load_real("wine")


# ------------------------------------------------------------------ load_named

@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_load_named_generator_equals_generate(name):
    """A generator name gives generate()'s data bit for bit, with its n_samples, noise and seed."""
    d, g = load_named(name, n_samples=37, noise=0.25, seed=4), generate(name, 37, 0.25, 4)
    assert d.X.tobytes() == g.X.tobytes() and d.y.tobytes() == g.y.tobytes()
    assert (d.name, d.task, d.feature_names) == (g.name, g.task, g.feature_names)


def test_load_named_adds_features_to_generated_data():
    """features given to load_named are added as add_features adds them."""
    d = load_named("circle", 40, 0.1, 2, features=("sin_x2", "x1_squared"))
    expected = add_features(generate("circle", 40, 0.1, 2), ["x1_squared", "sin_x2"])
    assert d.feature_names == ("x1", "x2", "x1²", "sin x2")
    assert d.X.tobytes() == expected.X.tobytes()


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_load_named_real_data_ignores_generator_arguments(name):
    """A real dataset name loads the file whatever n_samples, noise and seed say."""
    d, r = load_named(name, n_samples=5, noise=3.0, seed=9), load_real(name)
    assert d.X.tobytes() == r.X.tobytes() and d.y.tobytes() == r.y.tobytes() and d.name == name


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"name": "mnist"}, "'mnist'.*" + ", ".join(DATASET_NAMES)),
        ({"name": "iris", "features": ("x1_squared",)}, "only to the generated 2-D datasets.*'iris'"),
        ({"name": "digits", "features": "sin_x1"}, "only to the generated"),
        ({"name": "xor", "features": ("cube",)}, "'cube'.*" + ", ".join(FEATURES)),
        ({"name": "spiral", "n_samples": 2}, "n_samples"),
    ],
)
def test_load_named_rejects_bad_requests(kwargs, fragment):
    """Unknown names (listing every name), features for real data, bad features or arguments raise DatasetError."""
    with pytest.raises(DatasetError, match=fragment):
        load_named(**kwargs)


# ------------------------------------------------------------------ the data README

def _readme_sections() -> dict[str, str]:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    return {part.splitlines()[0].strip(): part for part in parts[1:]}


def test_every_shipped_file_has_a_readme_section_with_origin_licence_and_citation():
    """The data README has a section per CSV file naming its UCI origin, a licence and a citation."""
    sections = _readme_sections()
    files = sorted(p.name for p in DATA.glob("*.csv"))
    assert files == sorted(f"{name}.csv" for name in REAL_DATASETS)
    for file in files:
        section = sections[file]
        assert "UCI Machine Learning Repository" in section and "scikit-learn" in section
        assert re.search(r"\*\*Licence\*\*: CC BY 4\.0 .*BSD-3-Clause", section), file
        assert "**Citation**" in section and "https://doi.org/10.24432/" in section, file
    assert "BSD-3-Clause" in sections["Licences"] and "CC BY 4.0" in sections["Licences"]


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_readme_states_the_rows_and_class_counts_found_in_the_file(name):
    """The README's rows and per-class counts for each file are the ones the data has."""
    rows, _, _, counts = EXPECTED[name]
    section = " ".join(_readme_sections()[f"{name}.csv"].split())  # undo line wrapping
    assert f"Rows {rows}; classes {len(counts)}" in section
    for class_name, count in counts.items():
        label = {"wine": f"cultivar {class_name}", "digits": f"digit {class_name}"}.get(name, class_name)
        assert f"{label} {count}" in section, (label, count)
