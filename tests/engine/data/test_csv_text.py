"""The one CSV reader: DatasetError's line and column, number parsing shared with the data table, lenient records."""

from __future__ import annotations

import pickle

import pytest

from nnstudio.engine.data.csv_text import NOT_A_NUMBER, NOT_FINITE, finite_number, records
from nnstudio.engine.data.datasets import DatasetError, load_csv, load_features


def _error(path, **kwargs) -> DatasetError:
    with pytest.raises(DatasetError) as caught:
        load_csv(path, **kwargs)
    return caught.value


@pytest.mark.parametrize(("text", "line", "column", "message_part"), [
    ("a,b\n1,2\nx,3\n", 3, "a", "line 3, column 'a': 'x' is not a number"),
    ("a,b\n1,2\n,3\n", 3, "a", "line 3, column 'a': empty cell"),
    ("a,b\n1,2\n3,\n", 3, "b", "line 3, column 'b': empty target cell"),
    ("a,b\n1,2\n1,2,3\n", 3, None, "line 3 has 3 cells"),
    ("a,b\n1,2\nnan,2\n", 3, "a", "not a finite number"),
])
def test_the_error_carries_the_line_and_column_its_message_names(tmp_path, text, line, column, message_part):
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    error = _error(path)
    assert message_part in str(error)
    assert (error.line, error.column) == (line, column)


def test_a_text_target_for_regression_names_its_cell(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,x\n2,3\n", encoding="utf-8")
    error = _error(path, task="regression")
    assert "line 2, column 'b'" in str(error) and (error.line, error.column) == (2, "b")


def test_an_unclosed_quote_and_a_header_problem_carry_their_line_only(tmp_path):
    quoted = tmp_path / "q.csv"
    quoted.write_text('a,b\n1,2\n3,"open\n4,5\n', encoding="utf-8")
    error = _error(quoted)
    assert "line 3" in str(error) and (error.line, error.column) == (3, None)
    duplicate = tmp_path / "dup.csv"
    duplicate.write_text("a,a,b\n1,2,3\n", encoding="utf-8")
    error = _error(duplicate)
    assert (error.line, error.column) == (1, "a")


def test_errors_without_a_place_have_none(tmp_path):
    error = _error(tmp_path / "missing.csv")
    assert (error.line, error.column) == (None, None)
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DatasetError) as caught:
        load_features(path, ["c"])
    assert caught.value.line == 1 and caught.value.column is None


def test_line_and_column_survive_pickling_to_another_process(tmp_path):
    error = DatasetError("d.csv: line 4, column 'x': empty cell", line=4, column="x")
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.line, copy.column) == (str(error), 4, "x")


@pytest.mark.parametrize(("value", "expected"), [
    ("1.5", (1.5, "")), (" -2e3 ", (-2000.0, "")), (".5", (0.5, "")), (7, (7.0, "")),
    ("1_000", (None, NOT_A_NUMBER)), ("\u0663", (None, NOT_A_NUMBER)), ("0x10", (None, NOT_A_NUMBER)),
    ("", (None, NOT_A_NUMBER)), (True, (None, NOT_A_NUMBER)), (None, (None, NOT_A_NUMBER)),
    ("nan", (None, NOT_FINITE)), ("-Infinity", (None, NOT_FINITE)), (float("inf"), (None, NOT_FINITE)),
])
def test_finite_number_takes_plain_decimals_only(value, expected):
    assert finite_number(value) == expected


def test_lenient_records_stop_at_broken_csv_where_strict_ones_name_the_line():
    text = 'a,b\n1,2\n3,"open\n'
    assert list(records(text, ",", "t.csv", strict=False)) == [(1, ["a", "b"]), (2, ["1", "2"]), (3, ["3", "open"])]
    with pytest.raises(DatasetError) as caught:
        list(records(text, ",", "t.csv"))
    assert caught.value.line == 3
