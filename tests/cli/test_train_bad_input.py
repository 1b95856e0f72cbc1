"""``nnstudio train`` refusing bad input (data files, flags, --export paths, --init files): exit 2, one line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from support.cli import assert_usage_error, write_csv
from support.files import patch_zip_headers
from support.train_runs import text_file

# -- bad input (in-process) -----------------------------------------------------------------
GOOD_ROWS = "x1,x2,label\n0.1,0.2,0\n0.3,0.1,1\n0.5,0.5,0\n0.9,0.7,1\n"

BAD_TRAIN_CASES = {
    # name: (the arguments, or a builder(tmp_path) of them; words expected in the one stderr line)
    "missing dataset file": (lambda p: ["--dataset", p / "missing.csv"], ["missing.csv"]),
    "unknown generator": (["--dataset", "xorr"], ["xorr"]),
    "non-numeric cell": (lambda p: ["--dataset", text_file(p, "x1,x2,label\n1,2,0\n1,abc,1\n")],
                         ["line 3", "x2", "abc"]),
    "ragged rows": (lambda p: ["--dataset", text_file(p, "x1,x2,label\n1,2,0\n1,1\n")], ["line 3"]),
    "header only": (lambda p: ["--dataset", text_file(p, "x1,x2,label\n")], ["rows"]),
    "empty file": (lambda p: ["--dataset", text_file(p, "")], ["empty"]),
    "nan cell": (lambda p: ["--dataset", text_file(p, "x1,x2,label\n1,2,0\n3,nan,1\n")], ["line 3", "nan"]),
    "single class": (lambda p: ["--dataset", text_file(p, "x1,label\n1,a\n2,a\n")], ["class"]),
    "unknown target column": (lambda p: ["--dataset", text_file(p, GOOD_ROWS), "--target", "nope"], ["nope"]),
    "dataset is a directory": (lambda p: ["--dataset", (p / "dir.csv").mkdir() or p / "dir.csv"], ["directory"]),
    "cross entropy on a linear output": (["--output-activation", "linear", "--loss", "cross_entropy"],
                                         ["cross_entropy"]),
    "steps and epochs together": (["--steps", "5", "--epochs", "5"], ["steps", "epochs"]),
}

# One bad value of one flag: flag -> [(value, words expected in the one stderr line)].
BAD_FLAG_VALUES = {
    "--lr": [("-0.5", ["lr"]), ("nan", ["lr"]), ("inf", ["lr"]), ("fast", ["lr"])],
    "--momentum": [("1", ["momentum"])],
    "--activation": [("swish", ["activation", "swish"]), ("softmax", ["activation"])],  # softmax: not hidden
    "--output-activation": [("swish", ["output-activation"]), ("softmax", ["softmax"])],  # softmax on one output
    "--loss": [("hinge", ["loss"])],
    "--steps": [("0", ["steps"])],
    "--epochs": [("0", ["epochs"])],
    "--batch-size": [("0", ["batch"]), ("-3", ["batch"]), ("half", ["batch", "half"])],
    "--test-fraction": [("1", ["test-fraction"]), ("-0.1", ["test-fraction"]), ("nan", ["test-fraction"])],
    "--hidden": [("4,x", ["hidden"]), ("4,0", ["hidden"])],
    "--seed": [("-1", ["seed"])],
    "--normalize": [("minmax", ["normalize"])],
}
BAD_TRAIN_CASES.update({f"{flag} {value}": ([flag, value], words)
                        for flag, cases in BAD_FLAG_VALUES.items() for value, words in cases})


@pytest.mark.parametrize("case", sorted(BAD_TRAIN_CASES))
def test_bad_train_input_exits_2_with_one_line_and_no_export(cli, tmp_path, case):
    """Each bad input: exit 2, one stderr line naming the problem, no traceback, no --export file."""
    args, words = BAD_TRAIN_CASES[case]
    args = [str(a) for a in (args(tmp_path) if callable(args) else args)]
    if "--steps" not in args and "--epochs" not in args:
        args += ["--steps", "3"]
    out = tmp_path / "out.npz"
    r = cli("train", *args, "--export", out)
    assert_usage_error(r, *words)
    assert not out.exists()
    assert not list(tmp_path.glob(".out.npz*"))  # no temporary file left either


def test_bad_input_keeps_an_existing_export_file(cli, tmp_path):
    """A failing run leaves an existing --export file with its old content."""
    out = tmp_path / "out.json"
    out.write_text("old content")
    r = cli("train", "--dataset", text_file(tmp_path, "x1,x2,label\n1,2,0\n1,abc,1\n"), "--export", out)
    assert_usage_error(r, "abc")
    assert out.read_text() == "old content"


def test_export_with_unknown_suffix_is_refused_without_a_file(cli, tmp_path):
    """--export out.txt: exit 2 naming the suffix, and no file is written."""
    out = tmp_path / "out.txt"
    r = cli("train", "--steps", "3", "--export", out)
    assert_usage_error(r, ".txt")
    assert not out.exists()


def test_export_into_a_missing_folder_is_refused(cli, tmp_path):
    """--export into a folder that does not exist: exit 2, one line, nothing written."""
    out = tmp_path / "nope" / "out.npz"
    r = cli("train", "--steps", "3", "--export", out)
    assert_usage_error(r, "out.npz")
    assert not out.parent.exists()


# -- bad --init files -------------------------------------------------------------------------
def _init_mismatch_inputs(cli, tmp_path):
    three = write_csv(tmp_path / "three.csv", ["a", "b", "c", "y"],
                      [(float(i), float(i % 3), float(i % 5), i % 2) for i in range(20)])
    w = tmp_path / "three.npz"
    assert cli("train", "--dataset", three, "--steps", "2", "--export", w).code == 0
    return w


def test_init_whose_input_size_does_not_fit_names_both_sizes(cli, tmp_path):
    """--init with a 3-input network on 2-feature xor: exit 2, the message names 3 and 2."""
    w = _init_mismatch_inputs(cli, tmp_path)
    out = tmp_path / "out.npz"
    r = cli("train", "--dataset", "xor", "--init", w, "--steps", "2", "--export", out)
    assert_usage_error(r, "three.npz", "3 inputs", "2 features")
    assert not out.exists()


def test_init_whose_output_size_does_not_fit_names_both_sizes(cli, tmp_path, three_class_csv):
    """--init with a 3-output network on 2-class xor: exit 2, the message names 3 outputs and 1."""
    w = tmp_path / "blobs.npz"
    assert cli("train", "--dataset", three_class_csv, "--steps", "2", "--export", w).code == 0
    r = cli("train", "--dataset", "xor", "--init", w, "--steps", "2")
    assert_usage_error(r, "3 outputs", "1")


def _valid_npz_bytes(cli, tmp_path) -> bytes:
    w = tmp_path / "valid.npz"
    assert cli("train", "--steps", "2", "--export", w).code == 0
    return w.read_bytes()


BAD_INIT_CASES = {
    "missing file": lambda cli, p: p / "absent.npz",
    "random bytes": lambda cli, p: _write(p / "junk.npz", np.random.default_rng(0).bytes(600)),
    "truncated npz": lambda cli, p: _write(p / "cut.npz", _valid_npz_bytes(cli, p)[:300]),
    "pickled object array": lambda cli, p: _savez(p / "obj.npz", W0=np.array([object()], dtype=object)),
    "npz without meta": lambda cli, p: _savez(p / "nometa.npz", W0=np.zeros((2, 4))),
    "json with wrong shapes": lambda cli, p: _wrong_shape_json(cli, p),
    "json that is not json": lambda cli, p: _write(p / "text.json", b"hello"),
    "npz whose meta is a json list": lambda cli, p: _savez(
        p / "listmeta.npz", W0=np.zeros((2, 4)), meta=np.array("[1, 2]")),
    "json with an integer too big for a float": lambda cli, p: _huge_int_json(cli, p),
    "unknown suffix": lambda cli, p: _write(p / "w.pt", b"x"),
    "zip entry with an unsupported compression method": lambda cli, p: _write(
        p / "method.npz", patch_zip_headers(_valid_npz_bytes(cli, p), method=99)),
    "zip entry flagged as encrypted": lambda cli, p: _write(
        p / "crypt.npz", patch_zip_headers(_valid_npz_bytes(cli, p), flag=1)),
}


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _savez(path, **arrays):
    np.savez(path, **arrays)
    return path


def _wrong_shape_json(cli, p):
    w = p / "shape.json"
    assert cli("train", "--steps", "2", "--export", w).code == 0
    content = json.loads(w.read_text())
    content["W0"] = np.zeros((4, 2)).tolist()  # transposed
    w.write_text(json.dumps(content))
    return w


def _huge_int_json(cli, p):
    w = p / "huge.json"
    assert cli("train", "--steps", "2", "--export", w).code == 0
    w.write_text(_with_huge_int(w.read_text()))
    return w


def _with_huge_int(text: str) -> str:
    content = json.loads(text)
    content["b0"][0] = 10 ** 400  # valid JSON, but no float can hold it
    return json.dumps(content)


@pytest.mark.parametrize("case", sorted(BAD_INIT_CASES))
def test_bad_init_file_exits_2_naming_it(cli, tmp_path, case):
    """A missing, corrupted, truncated, pickled or mis-shaped --init file: exit 2, one line naming the file."""
    path = BAD_INIT_CASES[case](cli, tmp_path)
    out = tmp_path / "out.npz"
    r = cli("train", "--init", path, "--steps", "2", "--export", out)
    assert_usage_error(r, path.name)
    assert not out.exists()


def test_wrong_shape_json_message_names_the_array(cli, tmp_path):
    """A .json whose W0 has the wrong shape is refused with a message naming W0 and both shapes."""
    path = _wrong_shape_json(cli, tmp_path)
    r = cli("train", "--init", path, "--steps", "2")
    assert_usage_error(r, "W0", "(4, 2)", "(2, 4)")
