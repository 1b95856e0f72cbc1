"""Argument types of the command line: each reads one flag's text or names what is wrong with it."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from nnstudio.engine.data.datasets import FEATURES
from nnstudio.engine.run.compare import VARY_FLAGS
from nnstudio.engine.run.seeds import check_seed

#: The default of a flag ``compare`` may vary: tells "--lr 0.5 given" from "--lr left out".
UNSET = object()

Value = TypeVar("Value")


def _converted(text: str, kind: Callable[[str], Value], failure: str) -> Value:
    """``kind(text)``, or an ArgumentTypeError saying the text ``failure``."""
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} {failure}") from None


def _at_least_one(value: int, what: str = "") -> int:
    if value < 1:
        raise argparse.ArgumentTypeError(f"{what}must be at least 1, got {value}")
    return value


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def parse_hidden(text: str) -> tuple[int, ...]:
    text = text.strip()
    if not text:
        return ()
    sizes = _converted(text, lambda t: tuple(int(part) for part in t.split(",")),
                       "is not a comma-separated list of neuron counts, e.g. 4,4")
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: every hidden layer needs at least 1 neuron")
    return sizes


def parse_batch_size(text: str) -> int | None:
    if text == "full":
        return None
    return _at_least_one(_converted(text, int, "is neither a number of rows nor 'full'"), "batch size ")


def parse_positive_int(text: str) -> int:
    return _at_least_one(_converted(text, int, "is not a whole number"))


def parse_seed(text: str) -> int:
    value = _converted(text, int, "is not a whole number")
    try:
        return check_seed(value, "the seed")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_features(text: str) -> tuple[str, ...]:
    names = _names(text)
    for name in names:
        if name not in FEATURES:
            raise argparse.ArgumentTypeError(f"unknown feature {name!r}; choose from {', '.join(FEATURES)}")
    return names


def parse_non_negative_float(text: str) -> float:
    value = _converted(text, float, "is not a number")
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number ≥ 0, got {text}")
    return value


def parse_positive_float(text: str) -> float:
    value = parse_non_negative_float(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be a finite number > 0, got 0")
    return value


def parse_column_names(text: str) -> tuple[str, ...]:
    names = _names(text)
    if not names:
        raise argparse.ArgumentTypeError(f"{text!r} names no column; give COL or COL1,COL2")
    return names


def parse_vary(text: str) -> tuple[str, list[str]]:
    flag, sep, values = text.partition("=")
    flag = flag.strip().removeprefix("--")
    if not sep or flag not in VARY_FLAGS:
        raise argparse.ArgumentTypeError(f"{text!r}: give FLAG=V1,V2,... with FLAG one of {', '.join(VARY_FLAGS)}")
    parts = [part.strip() for part in values.split(",")]
    if not values.strip() or any(not part for part in parts):
        raise argparse.ArgumentTypeError(f"{text!r}: give the values separated by commas, e.g. {flag}=V1,V2")
    return flag, parts
