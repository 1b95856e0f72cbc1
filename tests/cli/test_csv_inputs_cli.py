"""``nnstudio train`` / ``predict`` on real-world CSV files and weights files.

--init applies a weights file by feature name; a pandas index column and a delimiter
ending every line are ignored with one note on stderr; --drop leaves ID columns out;
an unclosed quote, UTF-16 files and values too big to square get clear handling;
predict reports overflowing rows in one stderr line; --help states the input limits.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import numpy as np
import pytest
from support.cli import assert_usage_error, run_module

from nnstudio.engine.data import csv_io
from nnstudio.engine.data.datasets import Normalizer
from nnstudio.engine.io.formats import ModelFile, load_weights, save_weights
from nnstudio.engine.nn.network import Network, NetworkSpec


def _points(n: int = 120, seed: int = 0) -> tuple[np.ndarray, list[int]]:
    """Two inputs; the class is 1 exactly when a > 0.3, whatever b is."""
    X = np.random.default_rng(seed).uniform(-1, 1, size=(n, 2))
    return X, [int(a > 0.3) for a, _ in X]


def _write(path: Path, header: list[str], rows, line_end: str = "\n", encoding: str = "utf-8",
           bom: bytes = b"", delimiter: str = ",") -> Path:
    text = line_end.join(delimiter.join(map(str, row)) for row in [header, *rows]) + line_end
    path.write_bytes(bom + text.encode(encoding))
    return path


def _ab(tmp_path: Path, name: str = "ab.csv") -> Path:
    X, y = _points()
    return _write(tmp_path / name, ["a", "b", "label"], [(repr(a), repr(b), t) for (a, b), t in zip(X.tolist(), y)])


def _ba(tmp_path: Path, name: str = "ba.csv") -> Path:
    """The same rows as _ab with the two input columns swapped."""
    X, y = _points()
    return _write(tmp_path / name, ["b", "a", "label"], [(repr(b), repr(a), t) for (a, b), t in zip(X.tolist(), y)])


def _without(result_json: dict) -> dict:
    return {k: v for k, v in result_json.items() if k != "seconds"}


# ---------------------------------------------------------------- --init by feature name


def test_init_on_swapped_columns_applies_each_weight_to_its_own_feature(cli, tmp_path):
    """Columns b,a instead of a,b: the same accuracy, the file's weights and feature order re-exported."""
    trained = tmp_path / "w.npz"
    assert cli("train", "--dataset", _ab(tmp_path), "--epochs", "60", "--export", trained).code == 0
    model = load_weights(trained)
    X, y = _points()
    expected_accuracy = np.mean((model.predict(X)[:, 0] >= 0.5) == np.array(y))
    assert expected_accuracy > 0.95  # the model learned the rule a > 0.3

    same = cli("train", "--dataset", _ab(tmp_path), "--init", trained, "--lr", "0", "--steps", "1",
               "--test-fraction", "0", "--json")
    out = tmp_path / "again.npz"
    swapped = cli("train", "--dataset", _ba(tmp_path), "--init", trained, "--lr", "0", "--steps", "1",
                  "--test-fraction", "0", "--json", "--export", out)
    assert same.code == swapped.code == 0, swapped.err
    assert swapped.json["train_accuracy"] == pytest.approx(expected_accuracy)
    assert _without(swapped.json) == _without(same.json)
    again = load_weights(out)
    assert again.feature_names == ("a", "b")
    for before, after in zip(model.network.weights + model.network.biases,
                             again.network.weights + again.network.biases):
        assert np.array_equal(before, after)
    assert np.array_equal(again.normalizer.mean, model.normalizer.mean)


def test_training_on_from_a_file_with_swapped_columns_keeps_what_it_learned(cli, tmp_path):
    """A few gentle epochs on b,a from a model of a,b: still accurate, and predict agrees on either order."""
    trained, continued = tmp_path / "w.npz", tmp_path / "w2.npz"
    assert cli("train", "--dataset", _ab(tmp_path), "--epochs", "60", "--export", trained).code == 0
    assert cli("train", "--dataset", _ba(tmp_path), "--init", trained, "--epochs", "2", "--lr", "0.05",
               "--export", continued).code == 0
    from_ab = cli("predict", "--weights", continued, "--input", _ab(tmp_path))
    from_ba = cli("predict", "--weights", continued, "--input", _ba(tmp_path))
    assert from_ab.code == from_ba.code == 0 and from_ab.out == from_ba.out
    labels = [int(row[-1]) for row in list(csv.reader(io.StringIO(from_ab.out)))[1:]]
    assert np.mean(np.array(labels) == np.array(_points()[1])) > 0.95


def test_init_on_columns_with_other_names_names_the_missing_and_extra_ones(cli, tmp_path):
    trained, out = tmp_path / "w.npz", tmp_path / "out.npz"
    assert cli("train", "--dataset", _ab(tmp_path), "--steps", "5", "--export", trained).code == 0
    X, y = _points()
    other = _write(tmp_path / "ac.csv", ["a", "c", "label"],
                   [(repr(a), repr(b), t) for (a, b), t in zip(X.tolist(), y)])
    r = cli("train", "--dataset", other, "--init", trained, "--steps", "1", "--export", out)
    assert_usage_error(r, "w.npz", "no column 'b'", "extra column(s) 'c'", "--drop")
    assert not out.exists()


def test_init_with_an_id_column_needs_it_dropped(cli, tmp_path):
    trained = tmp_path / "w.npz"
    assert cli("train", "--dataset", _ab(tmp_path), "--steps", "5", "--export", trained).code == 0
    X, y = _points()
    with_id = _write(tmp_path / "ids.csv", ["b", "id", "a", "label"],
                     [(repr(b), f"r{i}", repr(a), t) for i, ((a, b), t) in enumerate(zip(X.tolist(), y))])
    r = cli("train", "--dataset", with_id, "--init", trained, "--steps", "1")
    assert_usage_error(r, "ids.csv", "line 2", "'id'", "'r0'")
    r = cli("train", "--dataset", with_id, "--drop", "id", "--init", trained, "--steps", "1")
    assert r.code == 0 and r.err == ""


# ---------------------------------------------------------------- index column, trailing delimiter


def test_a_pandas_index_column_trains_with_one_note_on_stderr(cli, tmp_path):
    X, y = _points()
    plain = cli("train", "--dataset", _ab(tmp_path), "--steps", "50", "--json")
    indexed = _write(tmp_path / "indexed.csv", ["", "a", "b", "label"],
                     [(i, repr(a), repr(b), t) for i, ((a, b), t) in enumerate(zip(X.tolist(), y))])
    r = cli("train", "--dataset", indexed, "--steps", "50", "--json")
    assert r.code == 0
    lines = r.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnstudio train: note: indexed.csv: ignoring column 1")
    assert _without(r.json) == _without(plain.json)
    assert "2 features" in r.out


def test_a_delimiter_ending_every_line_trains_with_one_note_on_stderr(cli, tmp_path):
    X, y = _points()
    plain = cli("train", "--dataset", _ab(tmp_path), "--steps", "50", "--json")
    trailing = _write(tmp_path / "trailing.csv", ["a", "b", "label", ""],
                      [(repr(a), repr(b), t, "") for (a, b), t in zip(X.tolist(), y)], line_end="\r\n")
    r = cli("train", "--dataset", trailing, "--steps", "50", "--json")
    assert r.code == 0
    lines = r.err.splitlines()
    assert len(lines) == 1 and "trailing.csv: ignoring the empty last column" in lines[0]
    assert _without(r.json) == _without(plain.json)


def test_a_refused_run_prints_its_error_and_no_note(cli, tmp_path):
    """Bad input stays one stderr line, even for a file whose index column would be noted."""
    path = tmp_path / "bad.csv"
    path.write_text(",a,b,label\n0,1,2,0\n1,3,x,1\n")
    assert_usage_error(cli("train", "--dataset", path, "--steps", "1"), "bad.csv", "line 3", "'b'")


# ---------------------------------------------------------------- --drop


def test_drop_leaves_id_and_text_columns_out(cli, tmp_path):
    X, y = _points()
    plain = cli("train", "--dataset", _ab(tmp_path), "--steps", "50", "--json")
    messy = _write(tmp_path / "messy.csv", ["id", "a", "name", "b", "label"],
                   [(f"u{i}", repr(a), f"sample {i}", repr(b), t) for i, ((a, b), t) in enumerate(zip(X.tolist(), y))])
    for flags in (["--drop", "id,name"], ["--drop", "id", "--drop", "name"], ["--drop", " name , id "]):
        r = cli("train", "--dataset", messy, *flags, "--steps", "50", "--json")
        assert r.code == 0 and r.err == "", (flags, r.err)
        assert _without(r.json) == _without(plain.json)


@pytest.mark.parametrize("flags, words", [
    (["--drop", "ids"], ["no column 'ids' to drop", "'id'", "messy.csv"]),
    (["--drop", "label"], ["messy.csv", "line 2", "'id'"]),  # the target moves to b; id is then read
    (["--drop", "id", "--target", "id"], ["'id' is the target"]),
    (["--drop", ","], ["--drop", "names no column"]),
])
def test_bad_drops_exit_2_with_one_line(cli, tmp_path, flags, words):
    X, y = _points(10)
    messy = _write(tmp_path / "messy.csv", ["id", "a", "b", "label"],
                   [(f"u{i}", repr(a), repr(b), t) for i, ((a, b), t) in enumerate(zip(X.tolist(), y))])
    out = tmp_path / "out.npz"
    assert_usage_error(cli("train", "--dataset", messy, *flags, "--steps", "1", "--export", out), *words)
    assert not out.exists()


def test_drop_on_a_generated_dataset_exits_2(cli):
    assert_usage_error(cli("train", "--dataset", "xor", "--drop", "x1", "--steps", "1"), "--drop", "CSV")


# ---------------------------------------------------------------- clearer messages


def test_an_unclosed_quote_is_reported_at_its_line(cli, tmp_path):
    """It used to train on the rows before it, silently: the quote swallowed the rest of the file."""
    path = tmp_path / "quoted.csv"
    path.write_text('a,b,label\n1,2,x\n3,4,"y\n5,6,x\n7,8,y\n9,1,x\n')
    assert_usage_error(cli("train", "--dataset", path, "--steps", "1"), "quoted.csv", "line 3", "quote",
                       "never closed")


def test_values_beyond_1e154_train_like_the_same_values_unscaled(cli, tmp_path):
    """A column scaled by 2**600 (about 1e180) standardises to the same inputs; nothing on stderr."""
    X, y = _points()
    plain = cli("train", "--dataset", _ab(tmp_path), "--steps", "200", "--json")
    huge = _write(tmp_path / "huge.csv", ["a", "b", "label"],
                  [(repr(a * 2.0**600), repr(b), t) for (a, b), t in zip(X.tolist(), y)])
    r = cli("train", "--dataset", huge, "--steps", "200", "--json")
    assert r.code == 0 and r.err == ""
    assert r.json["train_accuracy"] == plain.json["train_accuracy"]
    assert r.json["test_accuracy"] == plain.json["test_accuracy"]
    assert r.json["train_loss"] == pytest.approx(plain.json["train_loss"], rel=1e-9)


@pytest.mark.parametrize("codec, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_excel_unicode_text_trains_like_the_utf8_file(cli, tmp_path, codec, bom):
    """UTF-16 with a byte-order mark, tab-separated, CRLF: the same run as the UTF-8 comma file."""
    X, y = _points()
    plain = cli("train", "--dataset", _ab(tmp_path), "--steps", "50", "--json")
    unicode_text = _write(tmp_path / "unicode.csv", ["a", "b", "label"],
                          [(repr(a), repr(b), t) for (a, b), t in zip(X.tolist(), y)],
                          line_end="\r\n", encoding=codec, bom=bom, delimiter="\t")
    r = cli("train", "--dataset", unicode_text, "--steps", "50", "--json")
    assert r.code == 0, r.err
    assert _without(r.json) == _without(plain.json)


def _abs_sum_model(path: Path) -> Path:
    """out = relu(a + b) + relu(-(a + b)) = |a + b|, linear output; classes 'no' (< 0.5) and 'yes'."""
    spec = NetworkSpec.build(2, (2,), 1, "relu", "linear", "mse")
    network = Network(spec, [np.array([[1.0, -1.0], [1.0, -1.0]]), np.array([[1.0], [1.0]])],
                      [np.zeros(2), np.zeros(1)])
    save_weights(path, ModelFile(network, Normalizer.identity(2), "classification", ("no", "yes"), ("a", "b"), "y"))
    return path


def test_predict_rows_that_overflow_get_empty_labels_and_one_warning(cli, tmp_path):
    """|a + b| overflows for a = b = 1e308: inf, no label, and one stderr line (no numpy warnings)."""
    weights = _abs_sum_model(tmp_path / "abs.npz")
    inputs = tmp_path / "in.csv"
    inputs.write_text("a,b\n1,2\n0.1,0.2\n1e308,1e308\n-1e308,-1e308\n")
    r = cli("predict", "--weights", weights, "--input", inputs)
    assert r.code == 0
    rows = list(csv.reader(io.StringIO(r.out)))
    assert rows == [["y0", "label"], ["3.0", "yes"], [repr(0.1 + 0.2), "no"], ["inf", ""], ["inf", ""]]
    lines = r.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nnstudio predict: warning: in.csv: 2 of 4")
    assert "row 3" in lines[0]


def test_module_predict_on_huge_inputs_prints_at_most_one_stderr_line(tmp_path, xor_weights):
    """python -m nnstudio predict on 1e308 inputs: sigmoid outputs stay finite, stderr stays empty."""
    (tmp_path / "huge.csv").write_text("x1,x2\n1e308,-1e308\n1e308,1e308\n-1e308,1e308\n")
    r = run_module(tmp_path, "predict", "--weights", xor_weights, "--input", "huge.csv")
    assert r.code == 0 and r.err == "", r.err
    weights = _abs_sum_model(tmp_path / "abs.npz")
    (tmp_path / "ab.csv").write_text("a,b\n1e308,1e308\n")
    r = run_module(tmp_path, "predict", "--weights", weights, "--input", "ab.csv")
    assert r.code == 0 and len(r.err.splitlines()) == 1 and "warning" in r.err


# ---------------------------------------------------------------- --help


@pytest.mark.parametrize("command", ["train", "predict"])
def test_help_states_the_input_limits(cli, monkeypatch, command):
    """The CSV size limit is read when the parser is built, so the help follows it."""
    default = cli(command, "--help")
    assert default.code == 0
    text = " ".join(default.out.split())
    for words in ("50 MB", "UTF-16", f"{csv.field_size_limit()} characters", "512 MB", "4096 neurons"):
        assert words in text, words
    monkeypatch.setattr(csv_io, "MAX_CSV_BYTES", 3 * 1024 * 1024)
    assert "at most 3 MB" in " ".join(cli(command, "--help").out.split())


def test_train_help_documents_drop_and_the_ignored_columns(cli):
    text = " ".join(cli("train", "--help").out.split())
    assert "--drop COL[,COL]" in text
    assert "unnamed first column" in text and "empty last column" in text


def test_hostile_file_and_column_names_stay_one_stderr_line(cli, tmp_path):
    """A weights file named with a line break and a CSV column holding one: still a single error line."""
    trained = tmp_path / "w\nx.npz"
    assert cli("train", "--dataset", _ab(tmp_path), "--steps", "5", "--export", trained).code == 0
    X, y = _points(10)
    odd = tmp_path / "odd.csv"
    rows = [(repr(a), repr(b), t) for (a, b), t in zip(X.tolist(), y)]
    odd.write_text('a,"b\nrm -rf /",label\n' + "".join(",".join(map(str, r)) + "\n" for r in rows))
    r = cli("train", "--dataset", odd, "--init", trained, "--steps", "1")
    assert_usage_error(r, "'w\\nx.npz'", "no column 'b'", "'b\\nrm -rf /'")
