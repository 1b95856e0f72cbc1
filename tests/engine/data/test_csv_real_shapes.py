"""CSV files as real tools write them: a pandas index column, a delimiter ending every line,
ID columns to drop, UTF-16 from Excel, an unclosed quote, values too big to square.

Expected values come from the rows as written here, never from the loader.
"""

from __future__ import annotations

import codecs
import csv
import math

import numpy as np
import pytest

from nnstudio.engine.data.csv_io import ignored_columns
from nnstudio.engine.data.csv_text import decode_csv_bytes, sniff_delimiter
from nnstudio.engine.data.datasets import Dataset, DatasetError, Normalizer, load_csv, load_features

ROWS = [(0.5, -1.25, "cat"), (2.0, 0.75, "dog"), (-3.5, 4.0, "cat"), (1.0, 1.0, "dog")]
X_EXPECTED = np.array([[r[0], r[1]] for r in ROWS])
Y_EXPECTED = [0, 1, 0, 1]  # cat < dog


def _write(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _load(path, **kwargs):
    notes: list[str] = []
    dataset = load_csv(path, notice=notes.append, **kwargs)
    return dataset, notes


def _assert_rows(d: Dataset) -> None:
    assert d.feature_names == ("a", "b") and d.target_name == "kind"
    assert np.array_equal(d.X, X_EXPECTED)
    assert d.class_names == ("cat", "dog") and d.y.tolist() == Y_EXPECTED


# ---------------------------------------------------------------- pandas index, trailing delimiter


def test_a_pandas_index_column_is_ignored_with_one_note(tmp_path):
    """df.to_csv() writes an unnamed first column of row numbers: it is left out, and one note says so."""
    text = ",a,b,kind\n" + "".join(f"{i},{a!r},{b!r},{k}\n" for i, (a, b, k) in enumerate(ROWS))
    d, notes = _load(_write(tmp_path, text))
    _assert_rows(d)
    assert len(notes) == 1
    assert notes[0].startswith("data.csv: ignoring column 1") and "index" in notes[0]


def test_a_pandas_index_of_labels_is_ignored_too(tmp_path):
    """The index may hold strings (df.set_index("name")): they are never read as numbers."""
    text = ",a,b,kind\n" + "".join(f"row {i},{a!r},{b!r},{k}\n" for i, (a, b, k) in enumerate(ROWS))
    d, _ = _load(_write(tmp_path, text))
    _assert_rows(d)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_delimiter_ending_every_line_is_ignored_with_one_note(tmp_path, delimiter):
    """An empty last column (every line ends with the delimiter) is left out; the target is the last named column."""
    lines = [delimiter.join(["a", "b", "kind", ""])]
    lines += [delimiter.join([repr(a), repr(b), k, ""]) for a, b, k in ROWS]
    d, notes = _load(_write(tmp_path, "\r\n".join(lines) + "\r\n"))
    _assert_rows(d)
    assert len(notes) == 1 and "empty last column" in notes[0] and notes[0].startswith("data.csv")


def test_an_index_column_and_a_trailing_delimiter_together_give_one_note(tmp_path):
    text = ",a,b,kind,\n" + "".join(f"{i},{a!r},{b!r},{k},\n" for i, (a, b, k) in enumerate(ROWS))
    d, notes = _load(_write(tmp_path, text))
    _assert_rows(d)
    assert len(notes) == 1 and "column 1" in notes[0] and "empty last column" in notes[0]


def test_a_value_under_the_unnamed_last_column_names_its_line(tmp_path):
    """Data in a column without a name is not silently thrown away."""
    text = "a,b,kind,\n0.5,-1.25,cat,\n2.0,0.75,dog,7\n"
    with pytest.raises(DatasetError) as info:
        load_csv(_write(tmp_path, text))
    message = str(info.value)
    assert message.startswith("data.csv: line 3") and "'7'" in message


def test_no_note_for_a_file_that_fails_or_needs_none(tmp_path):
    """The note comes once the file has loaded: a refused file gives only its error."""
    notes: list[str] = []
    bad = _write(tmp_path, ",a,b,kind\n0,1,x,cat\n1,2,3,dog\n", "bad.csv")
    with pytest.raises(DatasetError, match="bad.csv: line 2, column 'b'"):
        load_csv(bad, notice=notes.append)
    plain = _write(tmp_path, "a,b,kind\n" + "".join(f"{a!r},{b!r},{k}\n" for a, b, k in ROWS), "plain.csv")
    _assert_rows(load_csv(plain, notice=notes.append))
    assert notes == []


def test_an_unnamed_column_in_the_middle_is_still_an_error(tmp_path):
    with pytest.raises(DatasetError, match="data.csv: line 1: column 2 of the header has an empty name"):
        load_csv(_write(tmp_path, "a,,kind\n1,2,cat\n3,4,dog\n"))


@pytest.mark.parametrize("header, expected", [
    (["", "a", "b"], [0]),
    (["a", "b", ""], [2]),
    (["", "a", ""], [0, 2]),
    (["a", "", "b"], []),
    (["a"], []),
])
def test_ignored_columns_are_the_unnamed_first_and_last(header, expected):
    assert [i for i, _ in ignored_columns(header)] == expected


def test_load_features_reads_past_an_index_column_and_a_trailing_delimiter(tmp_path):
    """Prediction input in the same shapes: the model's columns come out, the rest is ignored."""
    text = ",b,a,\n" + "".join(f"{i},{b!r},{a!r},\n" for i, (a, b, _) in enumerate(ROWS))
    assert np.array_equal(load_features(_write(tmp_path, text), ["a", "b"]), X_EXPECTED)


# ---------------------------------------------------------------- drop


def test_dropped_columns_are_not_read(tmp_path):
    """ID-like columns (text, empty cells) are left out when asked; the rest loads as written."""
    text = "id,a,note,b,kind\n" + "".join(
        f"u{i},{a!r},{'' if i % 2 else 'see <b>me</b>'},{b!r},{k}\n" for i, (a, b, k) in enumerate(ROWS))
    d, notes = _load(_write(tmp_path, text), drop=["id", " note "])
    _assert_rows(d)
    assert notes == []  # asked for: nothing to tell


def test_dropping_the_last_column_makes_the_one_before_it_the_target(tmp_path):
    text = "a,b,kind,comment\n" + "".join(f"{a!r},{b!r},{k},free text\n" for a, b, k in ROWS)
    _assert_rows(load_csv(_write(tmp_path, text), drop="comment"))


@pytest.mark.parametrize("drop, target, fragments", [
    (["ids"], None, ["data.csv", "no column 'ids' to drop", "'id', 'a', 'b', 'kind'"]),
    (["kind"], "kind", ["data.csv", "'kind' is the target"]),
    (["id", "a", "b"], None, ["data.csv: line 1", "at least 2 columns", "found 1"]),
])
def test_bad_drops_are_refused_naming_the_file_and_column(tmp_path, drop, target, fragments):
    text = "id,a,b,kind\n" + "".join(f"u{i},{a!r},{b!r},{k}\n" for i, (a, b, k) in enumerate(ROWS))
    with pytest.raises(DatasetError) as info:
        load_csv(_write(tmp_path, text), drop=drop, target=target)
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)


# ---------------------------------------------------------------- unclosed quotes


@pytest.mark.parametrize("text, line", [
    # in the target: it used to load two rows and say nothing
    ('a,b,kind\n1,2,cat\n3,4,"dog\n5,6,cat\n7,8,dog\n9,1,cat\n', 3),
    # in the first row's target: it used to report "the single class 'cat\n3,4,dog...'"
    ('a,b,kind\n1,2,"cat\n3,4,dog\n5,6,cat\n7,8,dog\n', 2),
    # in a feature: it used to blame the cell count of the quote's line
    ('a,b,kind\n1,2,cat\n3,"4,dog\n5,6,cat\n7,8,dog\n', 3),
    # at the start of a line, Windows line ends
    ('a,b,kind\r\n1,2,cat\r\n3,4,dog\r\n"5,6,cat\r\n7,8,dog\r\n', 4),
    # on the last line, without a final newline
    ('a,b,kind\n1,2,cat\n3,4,dog\n5,6,"cat', 4),
    # in the header
    ('a,"b,kind\n1,2,cat\n3,4,dog\n', 1),
    # after a blank line, with a closed quoted cell spanning two lines before it
    ('a,b,kind\n1,2,"c\nat"\n\n3,4,dog\n5,6,"dog\n', 6),
])
def test_an_unclosed_quote_is_reported_at_its_line(tmp_path, text, line):
    with pytest.raises(DatasetError) as info:
        load_csv(_write(tmp_path, text))
    message = str(info.value)
    assert message.startswith(f"data.csv: line {line}: the quote") and "never closed" in message, message


def test_closed_quotes_at_the_end_of_the_file_load(tmp_path):
    """Quoted cells, doubled quotes and a quoted multi-line last cell are fine CSV."""
    text = 'a,b,kind\n1,2,"cat"\n3,4,"dog ""x"""\n5,6,"cat"\n7,8,"two\nlines"'
    d = load_csv(_write(tmp_path, text))
    assert d.class_names == ("cat", 'dog "x"', "two\nlines") and d.y.tolist() == [0, 1, 0, 2]


def test_a_runaway_quote_past_the_cell_limit_is_hinted_at(tmp_path):
    """Past csv.field_size_limit() the csv module stops; the message points at the quote's line."""
    rows = "".join(f"{i},{i},cat\n" for i in range(csv.field_size_limit() // 4))
    with pytest.raises(DatasetError) as info:
        load_csv(_write(tmp_path, 'a,b,kind\n1,2,dog\n3,4,"cat\n' + rows))
    message = str(info.value)
    assert message.startswith("data.csv: line 3: cannot read it as CSV"), message
    assert f"longer than {csv.field_size_limit()} characters" in message and "closing quote" in message


# ---------------------------------------------------------------- UTF-16


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_excel_unicode_text_loads_like_the_utf8_file(tmp_path, codec):
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated, CRLF; non-ASCII names survive."""
    text = "a\tb\tkind\r\n" + "".join(f"{a!r}\t{b!r}\t{k}\r\n" for a, b, k in ROWS)
    text = text.replace("cat", "chat é").replace("dog", "犬")
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    path = tmp_path / "unicode.txt"
    path.write_bytes(bom + text.encode(codec))
    d = load_csv(path)
    assert d.feature_names == ("a", "b") and np.array_equal(d.X, X_EXPECTED)
    assert d.class_names == ("chat é", "犬") and d.y.tolist() == Y_EXPECTED


def test_utf16_without_a_byte_order_mark_is_named_as_such(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes("a,b,kind\n1,2,cat\n3,4,dog\n".encode("utf-16-le"))
    with pytest.raises(DatasetError, match="data.csv: looks like UTF-16 text without a byte-order mark"):
        load_csv(path)


def test_broken_utf16_names_the_line(tmp_path):
    """An unpaired surrogate on line 3 of a UTF-16 file."""
    path = tmp_path / "data.csv"
    good = codecs.BOM_UTF16_LE + "a,b,kind\n1,2,cat\n3,4,".encode("utf-16-le")
    path.write_bytes(good + b"\x00\xd8" + "dog\n".encode("utf-16-le"))
    with pytest.raises(DatasetError, match="data.csv: line 3: not UTF-16 text"):
        load_csv(path)


def test_a_utf16_preview_cut_mid_character_decodes_what_it_has():
    """partial=True leaves a cut character out instead of refusing the start of a file."""
    data = codecs.BOM_UTF16_LE + "a\tb\n1\t2\n".encode("utf-16-le")
    assert decode_csv_bytes(data[:-1], "x.csv", partial=True) == "a\tb\n1\t2"
    with pytest.raises(DatasetError):
        decode_csv_bytes(data[:-1], "x.csv")
    assert sniff_delimiter("a\tb\n1\t2") == "\t"


# ---------------------------------------------------------------- values too big to square


def test_values_beyond_1e154_load_and_standardise_like_the_same_values_unscaled(tmp_path):
    """Scaling a column by 2**600 (exact) must not change its standardised values.

    Squares of 1e160 overflow, so a plain std is infinite; the statistics must still be
    2**600 times those of the unscaled column.
    """
    rng = np.random.default_rng(4)
    small = rng.normal(3.0, 2.0, size=(50, 2))
    huge = small * 2.0**600  # about 1e180
    labels = ["cat" if i % 2 else "dog" for i in range(50)]
    text = "a,b,kind\n" + "".join(f"{a!r},{b!r},{k}\n" for (a, b), k in zip(huge.tolist(), labels))
    d = load_csv(_write(tmp_path, text))
    assert np.array_equal(d.X, huge)
    fitted = Normalizer.fit(d.X)
    # independent statistics of the unscaled column, in exact sums
    for j in range(2):
        column = small[:, j].tolist()
        mean = math.fsum(column) / len(column)
        std = math.sqrt(math.fsum((v - mean) ** 2 for v in column) / len(column))
        assert fitted.mean[j] == pytest.approx(mean * 2.0**600, rel=1e-13)
        assert fitted.std[j] == pytest.approx(std * 2.0**600, rel=1e-13)
    np.testing.assert_allclose(fitted.apply(d.X), Normalizer.fit(small).apply(small), rtol=1e-12, atol=1e-12)


def test_a_column_spanning_the_whole_float_range_standardises_to_finite_values():
    """-1.7e308 .. 1.7e308: the difference from the mean overflows unless taken in halves."""
    X = np.array([[1.7e308], [-1.7e308], [0.0], [1.7e308], [-1.7e308]])
    fitted = Normalizer.fit(X)
    assert fitted.mean[0] == 0.0 and fitted.std[0] == pytest.approx(1.7e308 * math.sqrt(4 / 5), rel=1e-14)
    z = fitted.apply(X)
    assert np.isfinite(z).all()
    np.testing.assert_allclose(z[:, 0], np.array([1, -1, 0, 1, -1]) / math.sqrt(4 / 5), rtol=1e-14)


def test_ordinary_columns_standardise_exactly_as_before():
    """The fallback is only for overflow: ordinary data keeps numpy's own mean and std, bit for bit."""
    X = np.random.default_rng(1).normal(size=(40, 3)) * [1.0, 1e6, 1e-6]
    fitted = Normalizer.fit(X)
    assert np.array_equal(fitted.mean, X.mean(axis=0)) and np.array_equal(fitted.std, X.std(axis=0))
    assert np.array_equal(fitted.apply(X), (X - X.mean(axis=0)) / X.std(axis=0))


# ---------------------------------------------------------------- select_features


def test_select_features_reorders_columns_by_name():
    d = Dataset("d", X_EXPECTED, np.array(Y_EXPECTED), "classification", ("a", "b"), "kind", ("cat", "dog"))
    swapped = d.select_features(["b", "a"])
    assert swapped.feature_names == ("b", "a")
    assert np.array_equal(swapped.X, X_EXPECTED[:, ::-1]) and np.array_equal(swapped.y, d.y)
    assert (swapped.class_names, swapped.target_name) == (d.class_names, d.target_name)
    with pytest.raises(DatasetError, match="no feature 'c'"):
        d.select_features(["a", "c"])


def test_a_file_name_with_a_line_break_stays_on_one_line_in_messages(tmp_path):
    """Messages start with the file's name; a hostile name is quoted, never split over lines."""
    path = tmp_path / "two\nlines.csv"
    path.write_text("a,b,kind\n1,x,cat\n")
    with pytest.raises(DatasetError) as info:
        load_csv(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith("'two\\nlines.csv': line 2, column 'b'")
