"""``python -m nnstudio train`` as a real process: its output streams, exit codes, help, divergence and no Qt."""

from __future__ import annotations

import subprocess
import sys

from support.cli import assert_usage_error, run_module, run_without_qt, subprocess_env
from support.train_runs import JSON_KEYS, text_file

from nnstudio.engine.io.formats import load_weights


# -- the real entry point ---------------------------------------------------------------------
def test_module_train_json_prints_results_and_nothing_on_stderr(tmp_path):
    """python -m nnstudio train --json: exit 0, JSON last line, empty stderr (no progress bar off a TTY)."""
    r = run_module(tmp_path, "train", "--dataset", "xor", "--steps", "3000", "--json", "--export", "w.npz")
    assert r.code == 0, r.err
    assert r.err == ""
    assert "\r" not in r.out
    result = r.json
    assert set(result) == JSON_KEYS and result["cycles"] == 3000
    assert (tmp_path / "w.npz").exists()


def test_module_bad_input_exits_2_without_traceback(tmp_path):
    """python -m nnstudio train on a CSV with a bad cell: exit 2, one stderr line, no export file."""
    text_file(tmp_path, "x1,x2,label\n1,2,0\n1,abc,1\n")
    r = run_module(tmp_path, "train", "--dataset", "data.csv", "--export", "out.npz")
    assert_usage_error(r, "line 3", "abc")
    assert not (tmp_path / "out.npz").exists()


def test_module_argparse_error_exits_2_with_one_line(tmp_path):
    """python -m nnstudio train --lr -1: exit 2, one stderr line naming --lr (not the usage block)."""
    r = run_module(tmp_path, "train", "--lr", "-1")
    assert_usage_error(r, "lr")


def test_module_help_works(tmp_path):
    """python -m nnstudio --help lists both commands and exits 0."""
    r = run_module(tmp_path, "--help")
    assert r.code == 0 and "Traceback" not in r.err
    assert "train" in r.out and "predict" in r.out


def test_module_train_help_lists_the_contract_flags(tmp_path):
    """python -m nnstudio train --help documents the stable flags."""
    r = run_module(tmp_path, "train", "--help")
    assert r.code == 0
    for flag in ("--dataset", "--hidden", "--activation", "--output-activation", "--loss", "--lr", "--momentum",
                 "--batch-size", "--epochs", "--steps", "--seed", "--normalize", "--init", "--test-fraction",
                 "--export", "--json", "--target", "--task"):
        assert flag in r.out


def test_diverging_run_stops_exports_the_last_finite_weights_and_exits_3(tmp_path):
    """A learning rate that blows the loss up: exit 3, one stderr line naming the cycle, finite weights exported."""
    out = tmp_path / "keep.npz"
    out.write_bytes(b"old")
    r = run_module(tmp_path, "train", "--activation", "relu", "--output-activation", "linear",
                   "--lr", "1e300", "--steps", "50", "--export", "keep.npz")
    assert r.code == 3, r.err
    lines = r.err.splitlines()
    assert len(lines) == 1 and "diverged at cycle" in lines[0] and "learning rate" in lines[0]
    assert "Traceback" not in r.err
    model = load_weights(out)
    assert model.network.is_finite()


def test_cli_path_never_imports_qt(tmp_path):
    """Training through the CLI (and through python -m nnstudio train) never imports PySide6."""
    direct = subprocess.run(
        [sys.executable, "-c",
         ("import sys; from nnstudio.cli import main; assert main(['train','--steps','5']) == 0; "
          "assert 'PySide6' not in sys.modules")],
        cwd=tmp_path, env=subprocess_env(), capture_output=True, text=True, timeout=60, check=False,
    )
    assert direct.returncode == 0, direct.stderr
    via_main = run_without_qt(tmp_path, "train", "--steps", "5")
    assert via_main.code == 0, via_main.err
    assert "train loss" in via_main.out
