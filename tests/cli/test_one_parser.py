"""One parser for ``nnstudio``: the window's options, the commands, ``--help`` and ``--version``."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys

import pytest
from support.cli import REPO_ROOT, Result, assert_usage_error, run_module, run_without_qt, subprocess_env

import nnstudio.app
from nnstudio.__main__ import main as nnstudio_main

COMMANDS = ("train", "predict", "compare", "landscape")
WINDOW_OPTIONS = ("--screenshot", "--cycles")


def pyproject_version() -> str:
    """``[project] version`` read straight from pyproject.toml."""
    tomllib = pytest.importorskip("tomllib")
    with open(REPO_ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["version"]


def run_main(capsys, *args) -> Result:
    capsys.readouterr()
    code = nnstudio_main(list(args))
    out, err = capsys.readouterr()
    return Result(code, out, err)


def test_help_lists_the_windows_options_and_every_command_without_loading_qt(tmp_path):
    """nnstudio --help: exit 0, the window's options, --version and the four commands; Qt never imported."""
    r = run_without_qt(tmp_path, "--help")
    assert r.code == 0 and r.err == "", r.err
    for word in (*WINDOW_OPTIONS, "--version", *COMMANDS):
        assert re.search(rf"(^|\s|{{|,){re.escape(word)}(\s|}}|,|$)", r.out, re.MULTILINE), word
    assert "--quit-after" not in r.out  # a test hook, not for learners


def test_train_help_never_loads_qt(tmp_path):
    """nnstudio train --help with every Qt binding blocked: exit 0 and train's flags."""
    r = run_without_qt(tmp_path, "train", "--help")
    assert r.code == 0, r.err
    assert "--dataset" in r.out and "--export" in r.out
    assert "--screenshot" not in r.out


def test_main_py_gives_the_same_help(tmp_path):
    """python main.py --help prints exactly what python -m nnstudio --help prints."""
    proc = subprocess.run([sys.executable, str(REPO_ROOT / "main.py"), "--help"], cwd=tmp_path, env=subprocess_env(),
                          capture_output=True, text=True, timeout=60)
    module = run_module(tmp_path, "--help")
    assert proc.returncode == 0 and module.code == 0, proc.stderr + module.err
    assert proc.stdout == module.out


def test_version_is_the_one_in_pyproject_toml(tmp_path):
    """nnstudio --version prints the installed distribution's version, pyproject.toml's, and exits 0."""
    expected = pyproject_version()
    assert importlib.metadata.version("nnstudio") == expected
    r = run_without_qt(tmp_path, "--version")
    assert (r.code, r.out, r.err) == (0, f"nnstudio {expected}\n", "")


def test_no_command_opens_the_window_with_the_options_parsed(capsys, monkeypatch):
    """Without a command, the parsed --screenshot and --cycles reach run_app; unset ones are None."""
    opened = []
    monkeypatch.setattr(nnstudio.app, "run_app", lambda args: opened.append(args) or 5)
    assert run_main(capsys, "--screenshot", "out.png", "--cycles", "7").code == 5
    assert run_main(capsys).code == 5
    (shot, plain) = opened
    assert (shot.command, shot.screenshot, shot.cycles, shot.quit_after) == (None, "out.png", 7, None)
    assert (plain.command, plain.screenshot, plain.cycles) == (None, None, None)


@pytest.mark.parametrize(
    "args, words",
    [
        (("--cycles", "5", "train"), ("--cycles", "train")),
        (
            ("--screenshot", "x.png", "--cycles", "5", "compare", "--vary", "lr=1,2"),
            ("--screenshot", "--cycles", "compare"),
        ),
    ],
)
def test_the_windows_options_with_a_command_are_a_usage_error(capsys, monkeypatch, args, words):
    """A window option before a command exits 2 with one line naming both; the window does not open."""
    monkeypatch.setattr(nnstudio.app, "run_app", lambda args: pytest.fail("the window was opened"))
    assert_usage_error(run_main(capsys, *args), *words)


def test_an_unknown_command_or_option_is_one_line_and_exit_2(capsys, monkeypatch):
    monkeypatch.setattr(nnstudio.app, "run_app", lambda args: pytest.fail("the window was opened"))
    assert_usage_error(run_main(capsys, "fit"), "fit", "train")
    assert_usage_error(run_main(capsys, "--cycles", "many"), "--cycles", "many")
    assert_usage_error(run_main(capsys, "--no-such-flag"), "--no-such-flag")


def test_the_cli_alone_still_asks_for_a_command(cli):
    """nnstudio.cli.main is headless only: no command, even with a window option, is a usage error."""
    assert_usage_error(cli(), "choose a command", "train")
    assert_usage_error(cli("--screenshot", "x.png"), "choose a command")
