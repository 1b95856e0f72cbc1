"""Fuzzing the CSV loaders with generated and corrupted files (hypothesis).

``test_dataset_csv.py`` already feeds random text to ``load_csv``. These tests go further:

* CSV: *valid* random tables (random header names, delimiter, line ends, BOM, number
  spellings, target column and kind) must load to exactly the values written; the same
  tables *corrupted* the ways files really break (a dropped cell, garbage, truncation, a
  NUL byte, a stray BOM, CRLF, trailing delimiters, huge numbers) must load as a sound
  ``Dataset`` or raise ``DatasetError``, nothing else. Corruptions that change nothing
  (a leading BOM, CRLF line ends, blank lines) must still give the same values.
* ``load_features`` the same, with the requested columns in any order among others.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from support.fuzzing import FUZZ, header_names, load_bytes

from nnstudio.engine.data.datasets import Dataset, DatasetError, load_csv, load_features


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _bits(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64).view(np.uint64)


# ---------------------------------------------------------------------------------- CSV tables

_finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
_class_word = st.text(st.sampled_from(list("abcdefgABZé漢_-. ")), min_size=1, max_size=8).map(str.strip).filter(
    lambda s: s != "" and not _is_plain_number(s))


def _spell(value: float, style: str) -> str:
    """A cell for ``value`` that float() reads back exactly."""
    if style == "repr":
        return repr(value)
    if style == "g17":
        return format(value, ".17g")
    if style == "E":
        return format(value, ".16E")
    if style == "plus":
        text = repr(value)
        return text if text.startswith("-") else "+" + text
    if style == "int" and value.is_integer() and abs(value) < 1e15 and not math.copysign(1, value) < 0:
        return str(int(value))
    return repr(value)


@st.composite
def tables(draw, min_rows: int = 2):
    """A valid table: (header, rows as cell strings, target index, expected X, y, class names, task)."""
    n_features = draw(st.integers(1, 5))
    n_rows = draw(st.integers(min_rows, 25))
    names = draw(st.lists(header_names, min_size=n_features + 1, max_size=n_features + 1, unique=True))
    assume(not all(_is_plain_number(n) for n in names))  # a header of numbers is refused, rightly
    target_at = draw(st.integers(0, n_features))
    kind = draw(st.sampled_from(["int_classes", "word_classes", "regression"] if n_rows >= 2 else ["regression"]))
    X = np.array(draw(st.lists(st.lists(_finite, min_size=n_features, max_size=n_features),
                               min_size=n_rows, max_size=n_rows)), dtype=np.float64).reshape(n_rows, n_features)
    style = draw(st.sampled_from(["repr", "g17", "E", "plus", "int"]))
    k = draw(st.integers(2, max(2, min(5, n_rows))))
    if kind == "int_classes":
        labels = draw(st.lists(st.integers(-10**6, 10**6), min_size=k, max_size=k, unique=True))
        classes = sorted(labels)
        ids = draw(st.permutations(list(range(k)) + draw(st.lists(st.integers(0, k - 1),
                                                                    min_size=n_rows - k, max_size=n_rows - k))))
        y = np.array(ids, dtype=np.int64)
        target_cells = [str(classes[i]) for i in ids]
        class_names = tuple(str(c) for c in classes)
        task = "classification"
    elif kind == "word_classes":
        words = sorted(draw(st.lists(_class_word, min_size=k, max_size=k, unique=True)))
        ids = draw(st.permutations(list(range(k)) + draw(st.lists(st.integers(0, k - 1),
                                                                    min_size=n_rows - k, max_size=n_rows - k))))
        y = np.array(ids, dtype=np.int64)
        target_cells = [words[i] for i in ids]
        class_names = tuple(words)
        task = "classification"
    else:
        values = draw(st.lists(_finite, min_size=n_rows, max_size=n_rows))
        # At least one value must not be a whole number, or "3.0"... would still be regression
        # (the spelling has a dot), but keep the case obvious.
        y = np.array(values, dtype=np.float64)
        target_cells = [repr(float(v)) for v in values]
        class_names = ()
        task = "regression"
    header = list(names[:target_at] + [names[-1]] + names[target_at:-1])
    feature_names = tuple(n for i, n in enumerate(header) if i != target_at)
    rows = []
    for r in range(n_rows):
        cells = [_spell(float(v), style) for v in X[r]]
        cells.insert(target_at, target_cells[r])
        rows.append(cells)
    return {"header": header, "rows": rows, "target_at": target_at, "X": X, "y": y,
            "class_names": class_names, "task": task, "feature_names": feature_names,
            "target_name": header[target_at]}


@st.composite
def dialects(draw):
    return {
        "delimiter": draw(st.sampled_from([",", ";", "\t"])),
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
        "bom": draw(st.booleans()),
        "final_newline": draw(st.booleans()),
        "pad": draw(st.booleans()),  # spaces around the number cells
        "blank_lines": draw(st.booleans()),
    }


def render(table: dict, dialect: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=dialect["delimiter"], lineterminator=dialect["newline"])
    writer.writerow(table["header"])
    for r, cells in enumerate(table["rows"]):
        if dialect["pad"]:
            cells = [f"  {c} " if i != table["target_at"] else c for i, c in enumerate(cells)]
        writer.writerow(cells)
        if dialect["blank_lines"] and r % 3 == 1:
            out.write(dialect["newline"])  # an empty line, skipped
    text = out.getvalue()
    if not dialect["final_newline"]:
        text = text[: -len(dialect["newline"])]
    return ("\ufeff" if dialect["bom"] else "") + text


def assert_loads_as(d: Dataset, table: dict) -> None:
    assert d.task == table["task"]
    assert d.feature_names == table["feature_names"]
    assert d.target_name == table["target_name"]
    assert d.X.shape == table["X"].shape
    assert np.array_equal(_bits(d.X), _bits(table["X"])), "feature values changed on the way"
    if table["task"] == "classification":
        assert d.class_names == table["class_names"]
        assert np.array_equal(d.y, table["y"])
    else:
        assert np.array_equal(_bits(d.y), _bits(table["y"]))


@pytest.mark.slow
@FUZZ
@given(table=tables(), dialect=dialects(), name_target=st.booleans())
def test_a_valid_csv_loads_exactly_the_values_written(table, dialect, name_target):
    """Random valid tables in , ; or tab, LF or CRLF, with or without BOM: load_csv returns exactly them."""
    text = render(table, dialect)
    last = table["target_at"] == len(table["header"]) - 1
    target = table["target_name"] if (name_target or not last) else None
    d = load_bytes(text.encode("utf-8"), ".csv", lambda p: load_csv(p, target=target))
    assert_loads_as(d, table)


@pytest.mark.parametrize("delimiter, other", [(",", ";"), (",", "\t"), (";", ","), ("\t", ",")])
def test_a_header_name_holding_another_delimiter(tmp_path, delimiter, other):
    """A name may hold a character that is a delimiter elsewhere; the file then loads as written or is refused.

    The sniffer picks the delimiter that splits the header into most cells, so a comma
    file whose column is named "a;b;c" reads as a semicolon file. It must not load as a
    *different* table silently: either the right values or a DatasetError.
    """
    name = other.join("abc")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerows([[name, "label"], ["1.5", "0"], ["2.5", "1"]])
    path = tmp_path / "odd.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    try:
        d = load_csv(path)
    except DatasetError:
        return
    assert d.feature_names == (name,) and d.X.tolist() == [[1.5], [2.5]], (d.feature_names, d.X.tolist())


# ------------------------------------------------------------------------------- corruptions

_GARBAGE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(['"', '""', "'", ",", ";", "\t", "\r", "\n", "\\", "\x85", "\u2028", "\ufeff", "\x0b",
                     "\x1c", "nan", "-inf", "1_000", "٣", "0x1F", "1e", "--1", "1.2.3", " ", "\x7f"]),
)
_HUGE = st.sampled_from(["1e309", "-1e309", "1e400", "9" * 400, "-" + "9" * 400, "1" + "0" * 5000,
                         "1e-400", "4.9e-324", "1.7976931348623157e308", "-1.7976931348623158e308",
                         "123456789012345678901234567890", "1e99999999999999999999"])


@st.composite
def corrupted(draw, text: str):
    """``text`` broken in 1-3 of the ways files break, as bytes; and whether the breakage is harmless."""
    data = text.encode("utf-8")
    harmless = True
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["drop_cell", "garbage", "truncate", "nul", "bom", "crlf",
                                    "trailing_delimiter", "trailing_all", "huge", "bytes", "blank_lines",
                                    "quote", "latin1"]))
        lines = data.split(b"\n")
        if how == "drop_cell":
            i = draw(st.integers(0, len(lines) - 1))
            for delim in (b",", b";", b"\t"):
                if delim in lines[i]:
                    cells = lines[i].split(delim)
                    del cells[draw(st.integers(0, len(cells) - 1))]
                    lines[i] = delim.join(cells)
                    break
            data, harmless = b"\n".join(lines), False
        elif how == "garbage":
            at = draw(st.integers(0, len(data)))
            data, harmless = data[:at] + draw(_GARBAGE).encode("utf-8", "surrogatepass") + data[at:], False
        elif how == "truncate":
            data, harmless = data[: draw(st.integers(0, max(0, len(data) - 1)))], False
        elif how == "nul":
            at = draw(st.integers(0, len(data)))
            data, harmless = data[:at] + b"\x00" + data[at:], False
        elif how == "bom":
            at = draw(st.sampled_from([0, draw(st.integers(0, len(data)))]))
            if at != 0 or data.startswith(b"\xef\xbb\xbf"):
                harmless = False  # a BOM inside the text is a stray character
            data = data[:at] + b"\xef\xbb\xbf" + data[at:]
        elif how == "crlf":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        elif how == "blank_lines":
            data = data.replace(b"\n", b"\n\n", draw(st.integers(1, 5)))
        elif how == "trailing_delimiter":
            i = draw(st.integers(0, len(lines) - 1))
            lines[i] = lines[i].rstrip(b"\r") + b"," + (b"\r" if lines[i].endswith(b"\r") else b"")
            data, harmless = b"\n".join(lines), False
        elif how == "trailing_all":
            data = b"\n".join(
                line.rstrip(b"\r") + b";" + (b"\r" if line.endswith(b"\r") else b"") if line.strip() else line
                for line in lines
            )
            harmless = False
        elif how == "huge":
            i = draw(st.integers(1, max(1, len(lines) - 1)))
            if i < len(lines):
                for delim in (b",", b";", b"\t"):
                    if delim in lines[i]:
                        cells = lines[i].split(delim)
                        cells[draw(st.integers(0, len(cells) - 1))] = draw(_HUGE).encode()
                        lines[i] = delim.join(cells)
                        break
            data, harmless = b"\n".join(lines), False
        elif how == "bytes":
            at = draw(st.integers(0, len(data)))
            data, harmless = data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:], False
        elif how == "quote":
            at = draw(st.integers(0, len(data)))
            data, harmless = data[:at] + b'"' + data[at:], False
        elif how == "latin1":
            data, harmless = data.decode("utf-8", "ignore").encode("latin-1", "replace"), False
    return data, harmless


def assert_sound(d: Dataset) -> None:
    """What load_csv returns is always usable: finite inputs, valid ids, consistent names."""
    assert isinstance(d, Dataset)
    assert d.n_samples >= 1 and d.X.shape == (d.n_samples, len(d.feature_names))
    assert np.isfinite(d.X).all()
    assert len(set(d.feature_names + (d.target_name,))) == len(d.feature_names) + 1
    if d.task == "classification":
        assert len(d.class_names) >= 2 and d.y.min() >= 0 and d.y.max() < len(d.class_names)
    else:
        assert np.isfinite(d.y).all()


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_a_corrupted_csv_loads_soundly_or_raises_dataset_error_only(data):
    """Dropped cells, garbage, truncation, NUL, BOM, CRLF, trailing delimiters, huge numbers: Dataset or DatasetError.
    """
    table = data.draw(tables(), "table")
    dialect = data.draw(dialects(), "dialect")
    text = render(table, dict(dialect, bom=False))
    broken, harmless = data.draw(corrupted(text), "corruption")
    try:
        d = load_bytes(broken, ".csv", lambda p: load_csv(p, target=table["target_name"]))
    except DatasetError as exc:
        assert str(exc)
        assert not harmless, f"a harmless change (BOM, CRLF, blank lines) made the file unreadable: {exc}"
        return
    assert_sound(d)
    if harmless:
        assert_loads_as(d, table)


# ------------------------------------------------------------------------------ load_features

@st.composite
def feature_requests(draw):
    table = draw(tables(min_rows=1))
    names = list(table["feature_names"]) + [table["target_name"]]
    wanted = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    return table, wanted


def expected_columns(table: dict, wanted: list[str]) -> np.ndarray:
    columns = []
    for name in wanted:
        i = table["header"].index(name)
        columns.append([float(row[i]) for row in table["rows"]])
    return np.array(columns, dtype=np.float64).T


@pytest.mark.slow
@FUZZ
@given(request=feature_requests(), dialect=dialects())
def test_load_features_returns_exactly_the_columns_asked_for(request, dialect):
    """The asked-for columns, in the asked order, whatever the file's order and extra columns."""
    table, wanted = request
    numeric = all(_is_plain_number(row[table["header"].index(n)]) for n in wanted for row in table["rows"])
    text = render(table, dialect)
    try:
        X = load_bytes(text.encode("utf-8"), ".csv", lambda p: load_features(p, wanted))
    except DatasetError:
        assert not numeric, "a valid numeric table was refused"
        return
    assert numeric
    assert X.shape == (len(table["rows"]), len(wanted))
    assert np.array_equal(_bits(X), _bits(expected_columns(table, wanted)))


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_load_features_of_a_corrupted_file_returns_finite_rows_or_raises_dataset_error_only(data):
    """The same corruptions for prediction input: an (n, k) finite array or DatasetError."""
    table, wanted = data.draw(feature_requests(), "request")
    wanted = [n for n in wanted if n != table["target_name"]] or [table["feature_names"][0]]
    text = render(table, data.draw(dialects(), "dialect"))
    broken, _ = data.draw(corrupted(text), "corruption")
    try:
        X = load_bytes(broken, ".csv", lambda p: load_features(p, wanted))
    except DatasetError as exc:
        assert str(exc)
        return
    assert isinstance(X, np.ndarray) and X.dtype == np.float64
    assert X.ndim == 2 and X.shape[0] >= 1 and X.shape[1] == len(wanted)
    assert np.isfinite(X).all()
