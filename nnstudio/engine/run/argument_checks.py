"""Checks of the trainer's command arguments: each returns the value to use or says what it must be."""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nnstudio.engine.run.pinned_runs import pins_from_list

__all__ = [
    "Check", "Param", "arguments", "bounded", "choice", "finite", "fraction", "instance", "layer_view_arguments",
    "name", "names", "optional", "path", "pinned_runs", "shown", "sizes", "speed", "whole",
]

Check = Callable[[Any], Any]

_REQUIRED = object()


def shown(value: Any) -> str:
    """``repr(value)``, cut to fit in a one-line message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_integer(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Integral)


def _is_real(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Real)


def whole(low: int) -> Check:
    def check(value):
        if not _is_integer(value) or value < low:
            raise ValueError(f"must be a whole number ≥ {low}, got {shown(value)}")
        return int(value)
    return check


def bounded(low: int, high: int) -> Check:
    def check(value):
        if not _is_integer(value) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}, got {shown(value)}")
        return int(value)
    return check


def finite(value):
    if not _is_real(value) or not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {shown(value)}")
    return float(value)


def speed(value):
    if value is None:
        return None
    if not _is_real(value) or not (math.isfinite(value) and value > 0):
        raise ValueError(f"must be a number of cycles per second > 0, or None for full speed, got {shown(value)}")
    return float(value)


def fraction(value):
    if value is None:
        return None
    if not _is_real(value) or not 0 <= value < 1:
        raise ValueError(f"must be a number in [0, 1), got {shown(value)}")
    return float(value)


def optional(check: Check) -> Check:
    def optional_check(value):
        return None if value is None else check(value)
    return optional_check


def choice(*options: str) -> Check:
    def check(value):
        if value not in options:  # strings only: `options` holds nothing else
            raise ValueError(f"must be one of {', '.join(options)}, got {shown(value)}")
        return value
    return check


def instance(kind: type, what: str) -> Check:
    def check(value):
        if not isinstance(value, kind):
            raise ValueError(f"must be {what}, got {type(value).__name__}")
        return value
    return check


def sizes(value):
    ok = isinstance(value, (tuple, list)) and all(_is_integer(n) and n >= 1 for n in value)
    if not ok:
        raise ValueError(f"must be a list of layer sizes (whole numbers of neurons ≥ 1), got {shown(value)}")
    return tuple(int(n) for n in value)


def names(value):
    if not isinstance(value, (tuple, list)) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"must be a list of names, got {shown(value)}")
    return tuple(value)


def name(value):
    if not isinstance(value, str):
        raise ValueError(f"must be a name, got {shown(value)}")
    return value


def path(value):
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value or "\0" in value:
        raise ValueError(f"must be a file path, got {shown(value)}")
    return value


def pinned_runs(value):
    """The window's pins as plain dicts, each checked as a session file's would be."""
    return tuple(pin.to_dict() for pin in pins_from_list(list(value) if isinstance(value, (list, tuple)) else value))


@dataclass(frozen=True)
class Param:
    name: str
    check: Check
    default: Any = _REQUIRED


def arguments(*params: Param) -> Callable[[tuple], tuple]:
    """A check of a whole argument tuple: its length, then each argument in turn."""
    required = sum(p.default is _REQUIRED for p in params)
    listed = ", ".join(p.name for p in params)
    if not params:
        expected = "no arguments"
    elif required == len(params):
        expected = f"{len(params)} argument{'s' if len(params) > 1 else ''} ({listed})"
    else:
        expected = f"{required} to {len(params)} arguments ({listed})"

    def check(args: tuple) -> tuple:
        if not required <= len(args) <= len(params):
            raise ValueError(f"takes {expected}, got {len(args)}")
        values = []
        for index, param in enumerate(params):
            if index >= len(args):
                values.append(param.default)
                continue
            try:
                values.append(param.check(args[index]))
            except ValueError as exc:
                raise ValueError(f"{param.name} {exc}") from None
        return tuple(values)
    return check


def layer_view_arguments(args: tuple) -> tuple:
    if len(args) == 1 and args[0] is None:
        return (None,)
    if len(args) != 3:
        raise ValueError(f"takes None (off) or 3 arguments (layer, i, j), got {shown(args)}")
    return arguments(Param("layer", whole(1)), Param("i", whole(0)), Param("j", whole(0)))(args)
