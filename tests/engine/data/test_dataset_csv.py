"""Tests for nnstudio.engine.data.datasets: loading and saving CSV files, including malformed and fuzzed ones."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnstudio.engine.data.datasets import (
    GENERATOR_NAMES,
    MAX_CSV_BYTES,
    Dataset,
    DatasetError,
    generate,
    load_csv,
    save_csv,
)


def _write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


# ------------------------------------------------------------------ CSV

def test_load_csv_good_file(tmp_path):
    """A clean file loads with its values, names, a numeric classification target and the file stem."""
    path = _write(tmp_path, "x1, x2 ,label\n0.5,1,1\n\n-2,3e2,0\n 4 ,5,2\n")
    d = load_csv(path)
    assert d.name == "data" and d.task == "classification"
    assert d.feature_names == ("x1", "x2") and d.target_name == "label"
    assert d.class_names == ("0", "1", "2")
    assert np.array_equal(d.X, [[0.5, 1.0], [-2.0, 300.0], [4.0, 5.0]])
    assert d.y.tolist() == [1, 0, 2]


def test_load_csv_regression_auto_and_forced(tmp_path):
    """Non-integer targets are regression; many distinct integers too; task can be forced."""
    d = load_csv(_write(tmp_path, "a,y\n1,0.5\n2,1.25\n"))
    assert d.task == "regression" and d.y.tolist() == [0.5, 1.25] and d.class_names == ()
    many = "a,y\n" + "".join(f"{i},{i}\n" for i in range(21))
    assert load_csv(_write(tmp_path, many)).task == "regression"
    assert load_csv(_write(tmp_path, "a,y\n1,0\n2,1\n"), task="regression").y.dtype == np.float64


def test_load_csv_target_by_name_and_semicolons(tmp_path):
    """target picks a named column, and a semicolon-separated file is read too."""
    d = load_csv(_write(tmp_path, "y;a;b\n1.5;1;2\n2.5;3;4\n"), target="y", name="mine")
    assert d.name == "mine" and d.target_name == "y" and d.feature_names == ("a", "b")
    assert d.task == "regression" and d.y.tolist() == [1.5, 2.5]
    assert np.array_equal(d.X, [[1.0, 2.0], [3.0, 4.0]])


def test_load_csv_string_class_labels(tmp_path):
    """String labels become classes sorted lexically, y indexing them."""
    d = load_csv(_write(tmp_path, "a,b,kind\n1,2,dog\n3,4,cat\n5,6,emu\n7,8,cat\n"))
    assert d.task == "classification" and d.class_names == ("cat", "dog", "emu")
    assert d.y.tolist() == [1, 0, 2, 0] and d.n_outputs == 3


def test_load_csv_numeric_classes_sort_numerically(tmp_path):
    """Numeric class labels sort by value and equal values share one class."""
    d = load_csv(_write(tmp_path, "a,c\n1,10\n2,9\n3,2.0\n4,2\n"), task="classification")
    assert d.class_names == ("2", "9", "10") and d.y.tolist() == [2, 1, 0, 0]


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("x1,x2,y\n1,2,0\n3,abc,1\n", ["line 3", "'x2'", "'abc' is not a number"]),
        ("x1,x2,y\n1,2,0\n3,,1\n", ["line 3", "'x2'", "empty"]),
        ("x1,x2,y\n1,nan,0\n", ["line 2", "'x2'", "finite"]),
        ("x1,x2,y\n1,2,0\n\n1,-inf,1\n", ["line 4", "'x2'", "finite"]),
        ("x1,x2,y\n1,1e999,0\n", ["line 2", "'x2'", "finite"]),
        ("x1,x2,y\n1,2,0\n1,2\n", ["line 3", "2 cells", "header has 3"]),
        ("x1,x2,y\n1,2,0\n1,2,3,4\n", ["line 3", "4 cells"]),
        ("x1,x2,y\n1,2,0.5\n1,2,nan\n", ["line 3", "'y'", "finite"]),
        ("x1,x2,y\n1,2,\n", ["line 2", "'y'", "empty"]),
        ("x1,x1,y\n1,2,0\n", ["line 1", "duplicate", "'x1'"]),
        ("x1,,y\n1,2,0\n", ["line 1", "column 2", "empty name"]),
        ("only\n1\n2\n", ["line 1", "at least 2 columns"]),
        ("x1,x2,y\n", ["no data rows"]),
        ("x1,x2,y\n\n\n", ["no data rows"]),
        ("", ["empty"]),
        ("  \n\n", ["empty"]),
        (",,\n", ["empty"]),
        ("1,2,3\n4,5,6\n", ["line 1", "header"]),
        ("x1,x2,y\n1,2,a\n3,4,a\n", ["single class", "'a'"]),
        ("x1,x2,y\n1_0,2,0\n", ["line 2", "'x1'", "'1_0' is not a number"]),
        ("x1,x2,y\n1,2,0\n1," + "9" * 200_000 + ",1\n", ["line 3", "cannot read it as CSV"]),
        ("x1,x2,y\n1,2,0\n3,4,1\n", None),
    ],
)
def test_load_csv_bad_files(tmp_path, text, fragments):
    """Each kind of bad file raises DatasetError naming the file, line and column at fault."""
    path = _write(tmp_path, text)
    if fragments is None:  # control: the same shape of file loads
        assert load_csv(path).n_samples == 2
        return
    with pytest.raises(DatasetError) as info:
        load_csv(path)
    message = str(info.value)
    assert message.startswith("data.csv")
    for fragment in fragments:
        assert fragment in message, message


def test_load_csv_missing_file_and_directory(tmp_path):
    """A missing path or a directory raises DatasetError saying so."""
    with pytest.raises(DatasetError, match="no such file"):
        load_csv(tmp_path / "absent.csv")
    with pytest.raises(DatasetError, match="directory"):
        load_csv(tmp_path)


def test_load_csv_too_big(tmp_path):
    """A file over MAX_CSV_BYTES is refused before parsing, stating the limit."""
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(MAX_CSV_BYTES + 1)  # sparse: no real 50 MB written
    with pytest.raises(DatasetError, match="50 MB"):
        load_csv(path)


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"x1,x2,y\n1,2,\x00\n", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"x1,x2,y\n1,2,0\n1,\xe9,1\n", "line 3: not UTF-8"),
    ],
)
def test_load_csv_binary_or_not_utf8(tmp_path, data, fragment):
    """Binary content or bytes that are not UTF-8 raise DatasetError."""
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    with pytest.raises(DatasetError, match=fragment):
        load_csv(path)


def test_load_csv_utf8_bom_and_crlf(tmp_path):
    """A UTF-8 byte-order mark and Windows line ends are accepted."""
    path = tmp_path / "data.csv"
    path.write_bytes("\ufeffx1,x2,y\r\n1,2,0\r\n3,4,1\r\n".encode())
    d = load_csv(path)
    assert d.feature_names == ("x1", "x2") and d.y.tolist() == [0, 1]


def test_load_csv_bad_target_and_task(tmp_path):
    """An unknown target column lists the columns; a bad task or non-numeric regression target is refused."""
    path = _write(tmp_path, "x1,x2,kind\n1,2,a\n3,4,b\n")
    with pytest.raises(DatasetError, match="'nope'.*'x1', 'x2', 'kind'"):
        load_csv(path, target="nope")
    with pytest.raises(DatasetError, match="classification, regression"):
        load_csv(path, task="ranking")
    with pytest.raises(DatasetError) as info:
        load_csv(path, task="regression")
    assert "line 2" in str(info.value) and "'kind'" in str(info.value)


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_save_load_round_trip_generated(tmp_path, name):
    """save_csv then load_csv gives back bit-identical inputs, labels and names."""
    d = generate(name, 37, noise=0.3, seed=9)
    save_csv(d, tmp_path / "out.csv")
    back = load_csv(tmp_path / "out.csv", name=d.name)
    assert back.X.tobytes() == d.X.tobytes() and back.y.tobytes() == d.y.tobytes()
    assert (back.task, back.feature_names, back.target_name, back.class_names) == (
        d.task, d.feature_names, d.target_name, d.class_names)


def test_save_load_round_trip_regression_and_strings(tmp_path):
    """Regression with integer-valued targets and string classes both round-trip without a task hint."""
    X = np.array([[0.1, -0.0], [1e-300, 123456789.123456789], [2.5, 3.0]])
    reg = Dataset("r", X, np.array([1.0, 2.0, 1.0]), "regression", ("a b", "c,d"), "t")
    save_csv(reg, tmp_path / "r.csv")
    back = load_csv(tmp_path / "r.csv")
    assert back.task == "regression" and back.feature_names == ("a b", "c,d")
    assert back.X.tobytes() == X.tobytes() and back.y.tobytes() == reg.y.tobytes()
    cls = Dataset("c", X, np.array([2, 0, 1]), "classification", ("a", "b"), "k", ("ant", "bee", "cat"))
    save_csv(cls, tmp_path / "c.csv")
    back = load_csv(tmp_path / "c.csv")
    assert back.class_names == cls.class_names and back.y.tolist() == [2, 0, 1]


def test_save_csv_is_atomic(tmp_path):
    """A failing write leaves the old file in place."""
    path = tmp_path / "keep.csv"
    path.write_text("old")
    bad = generate("xor", 4)
    object.__setattr__(bad, "class_names", ("0",))  # corrupt it: the label-1 rows fail mid-write
    with pytest.raises(IndexError):
        save_csv(bad, path)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


_CSV_ALPHABET = st.sampled_from(list("0123456789.,;\t\n\r -+eExyabnNaIf\"'") + ["nan", "inf", "\u00e9", "\x00"])


@settings(max_examples=150, deadline=None)
@given(st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200),
    st.lists(_CSV_ALPHABET, max_size=120).map("".join),
    st.lists(st.lists(st.sampled_from(["1", "-2.5", "x", "", "nan", "3e4", "a b"]), min_size=1, max_size=4)
             .map(",".join), max_size=8).map(lambda rows: "\n".join(["x1,x2,y", *rows])),
))
def test_load_csv_fuzz_returns_dataset_or_dataset_error(content):
    """Arbitrary text or bytes either load as a Dataset or raise DatasetError, nothing else."""
    data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(data)
        try:
            d = load_csv(path)
        except DatasetError:
            return
        assert isinstance(d, Dataset) and d.n_samples >= 1 and np.all(np.isfinite(d.X))
