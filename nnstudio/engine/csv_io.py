"""CSV files for NN Studio: read a dataset or a model's input columns, write a dataset.

:func:`load_csv` reads a learner's own file (and the shipped real data) into a
:class:`~nnstudio.engine.dataset_core.Dataset`, guessing the delimiter and, unless told,
the task; :func:`load_features` reads the input columns a trained model needs, for
prediction; :func:`save_csv` writes a dataset back, atomically. Files are UTF-8 text of at
most ``MAX_CSV_BYTES``, read at call time (tests shrink it). Every problem with a file
raises :class:`~nnstudio.engine.dataset_core.DatasetError` naming the line and column at
fault. All of these are also importable from :mod:`nnstudio.engine.datasets`.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from .dataset_core import TASKS, Dataset, DatasetError
from .fileio import atomic_writer

__all__ = ["MAX_CSV_BYTES", "load_csv", "load_features", "save_csv"]

MAX_CSV_BYTES = 50 * 1024 * 1024
_MAX_AUTO_CLASSES = 20  # integer targets with more distinct values are taken as regression

# Plain decimal numbers only: float() would also take "1_000" and non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.ASCII | re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)


def _read_text(path: Path) -> str:
    label = path.name or str(path)
    try:
        is_dir, size = path.is_dir(), path.stat().st_size
    except FileNotFoundError:
        raise DatasetError(f"{label}: no such file ({path})") from None
    except (OSError, ValueError) as e:  # ValueError: a NUL character in the path
        raise DatasetError(f"{label}: cannot read the file ({getattr(e, 'strerror', None) or e})") from None
    if is_dir:
        raise DatasetError(f"{label}: is a directory, not a CSV file")
    too_big = f"{label}: the file is larger than the {MAX_CSV_BYTES // (1024 * 1024)} MB limit for CSV files"
    if size > MAX_CSV_BYTES:
        raise DatasetError(too_big)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CSV_BYTES + 1)  # bounded even if the file grows or is a device
    except OSError as e:
        raise DatasetError(f"{label}: cannot read the file ({e.strerror or e})") from None
    if len(data) > MAX_CSV_BYTES:
        raise DatasetError(too_big)
    if b"\x00" in data:
        raise DatasetError(f"{label}: looks like a binary file (it contains a NUL byte), not CSV text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise DatasetError(f"{label}: line {line}: not UTF-8 text; save the file as UTF-8 CSV") from None


def _records(text: str, delimiter: str, label: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (1-based start line, stripped cells) per record, skipping all-empty rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise DatasetError(f"{label}: line {previous + 1}: cannot read it as CSV ({e})") from None
        start, previous = previous + 1, reader.line_num
        cells = [c.strip() for c in row]
        if any(cells):  # also skips ",,," rows that spreadsheets leave behind
            yield start, cells


def _sniff_delimiter(text: str, label: str) -> str:
    """The delimiter among , ; tab that splits the header into the most cells (comma on ties)."""
    best, best_count = ",", 1  # another delimiter must at least split the header in two
    for delimiter in ",;\t":
        try:
            header = next(_records(text, delimiter, label), None)
        except DatasetError:
            continue
        if header is not None and len(header[1]) > best_count:
            best, best_count = delimiter, len(header[1])
    return best


def _number(cell: str) -> float | None:
    """The cell's value (possibly nan/inf), or None if it is not a plain decimal number."""
    if _NUMBER.fullmatch(cell) or _NONFINITE.fullmatch(cell):
        return float(cell)
    return None


def _class_name(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def _feature_values(cells: list[str], columns: Sequence[int], header: list[str], label: str,
                    line: int) -> list[float]:
    """The finite numbers in ``columns`` of one record; DatasetError naming line and column."""
    if len(cells) != len(header):
        raise DatasetError(f"{label}: line {line} has {len(cells)} cells, the header has {len(header)}")
    values = []
    for i in columns:
        value = _number(cells[i])
        at = f"{label}: line {line}, column {header[i]!r}"
        if value is None:
            raise DatasetError(f"{at}: empty cell" if not cells[i] else f"{at}: {cells[i]!r} is not a number")
        if not math.isfinite(value):
            raise DatasetError(f"{at}: {cells[i]!r} is not a finite number (NaN and infinity are not allowed)")
        values.append(value)
    return values


def load_csv(path: str | os.PathLike, target: str | None = None, task: str | None = None,
             name: str | None = None) -> Dataset:
    """Read a dataset from a CSV file with a header row.

    Feature columns must be finite numbers; the target is the last column or the column
    named ``target``. The delimiter is whichever of ``,`` ``;`` tab splits the header into
    the most cells. Cells are stripped; rows whose cells are all empty are skipped.

    With ``task=None`` the target is classification if any cell is not a number, or if
    every cell is an integer literal (``"3"``, not ``"3.0"``) and there are at most 20
    distinct values; otherwise regression. Class names are the distinct target strings,
    sorted lexically; numeric targets are grouped by value, sorted numerically and named
    canonically (``"1.0"`` and ``"01"`` both become ``"1"``). ``y`` indexes ``class_names``.

    Raises
    ------
    DatasetError
        For every problem with the file, naming the line and column where there is one.
    """
    if task is not None and task not in TASKS:
        raise DatasetError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    path = Path(path)
    label = path.name or str(path)
    if name is None:
        name = path.stem
    text = _read_text(path)
    if not text.strip():
        raise DatasetError(f"{label}: the file is empty")
    records = _records(text, _sniff_delimiter(text, label), label)
    first = next(records, None)
    if first is None:
        raise DatasetError(f"{label}: the file is empty (no header row)")
    header_line, header = first
    where = f"{label}: line {header_line}"
    if len(header) < 2:
        raise DatasetError(f"{where}: need at least 2 columns (features and a target), found {len(header)}")
    for i, column in enumerate(header):
        if not column:
            raise DatasetError(f"{where}: column {i + 1} of the header has an empty name")
        if header.count(column) > 1:
            raise DatasetError(f"{where}: duplicate column name {column!r}")
    if all(_number(c) is not None for c in header):
        raise DatasetError(f"{where}: the first row holds only numbers; the file needs a header row naming the columns")
    target_name = header[-1] if target is None else str(target).strip()
    if target_name not in header:
        raise DatasetError(f"{label}: unknown target column {target_name!r}; the columns are "
                           + ", ".join(repr(c) for c in header))
    t_col = header.index(target_name)
    f_cols = [i for i in range(len(header)) if i != t_col]

    rows: list[list[float]] = []
    raw_targets: list[tuple[int, str]] = []
    for line, cells in records:
        values = _feature_values(cells, f_cols, header, label, line)
        if not cells[t_col]:
            raise DatasetError(f"{label}: line {line}, column {target_name!r}: empty target cell")
        rows.append(values)
        raw_targets.append((line, cells[t_col]))
    if not rows:
        raise DatasetError(f"{label}: no data rows (only a header)")

    target_values = [_number(cell) for _, cell in raw_targets]
    numeric = all(v is not None for v in target_values)
    for (line, cell), value in zip(raw_targets, target_values):
        at = f"{label}: line {line}, column {target_name!r}"
        if numeric and not math.isfinite(value):
            raise DatasetError(f"{at}: target {cell!r} is not a finite number")
        if value is None and task == "regression":
            raise DatasetError(f"{at}: {cell!r} is not a number (a regression target must be numeric)")
    if task is None:
        integers = numeric and all(_INTEGER.fullmatch(cell) for _, cell in raw_targets)
        few = len(set(target_values)) <= _MAX_AUTO_CLASSES
        task = "classification" if not numeric or (integers and few) else "regression"

    X = np.array(rows, dtype=np.float64).reshape(len(rows), len(f_cols))
    feature_names = tuple(header[i] for i in f_cols)
    if task == "regression":
        return Dataset(name, X, np.array(target_values, dtype=np.float64), task, feature_names, target_name)
    keys = target_values if numeric else [cell for _, cell in raw_targets]
    distinct = sorted(set(keys))
    if len(distinct) < 2:
        shown = _class_name(distinct[0]) if numeric else distinct[0]
        raise DatasetError(f"{label}: column {target_name!r}: every row has the single class {shown!r}; "
                           "classification needs at least 2 classes")
    class_names = tuple(_class_name(k) for k in distinct) if numeric else tuple(distinct)
    position = {k: i for i, k in enumerate(distinct)}
    y = np.array([position[k] for k in keys], dtype=np.int64)
    return Dataset(name, X, y, task, feature_names, target_name, class_names)


def save_csv(dataset: Dataset, path: str | os.PathLike) -> None:
    """Write ``dataset`` as comma-separated UTF-8 text, atomically.

    The header is the feature names then the target name. Features are written with
    ``repr(float)`` (exact); the target as ``class_names[y]`` or ``repr(float)``, so
    regression targets never read back as integer class labels. ``load_csv(path,
    task=dataset.task)`` returns the same values and names, provided the names have no
    surrounding spaces and numeric class names are canonical and in numeric order (as
    loaded or generated ones are); without ``task`` the auto-detection also gets the task
    right for string classes and up to 20 integer-named classes.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    if not isinstance(dataset, Dataset):
        raise DatasetError(f"expected a Dataset, got {type(dataset).__name__}")
    with atomic_writer(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*dataset.feature_names, dataset.target_name])
        for features, target in zip(dataset.X.tolist(), dataset.y.tolist()):
            label = dataset.class_names[target] if dataset.task == "classification" else repr(float(target))
            writer.writerow([*(repr(v) for v in features), label])


def load_features(path: str | os.PathLike, feature_names: Sequence[str]) -> np.ndarray:
    """Read the columns ``feature_names`` (in that order) from a CSV file with a header.

    For prediction: the file may hold its columns in any order and other columns too (a
    target column, say), which are ignored. Returns (n_rows, len(feature_names)) float64.

    Raises
    ------
    DatasetError
        A missing column, a non-numeric or non-finite cell, ragged rows, no rows.
    """
    path = Path(path)
    label = path.name or str(path)
    text = _read_text(path)
    records = _records(text, _sniff_delimiter(text, label), label)
    first = next(records, None)
    if first is None:
        raise DatasetError(f"{label}: the file is empty (no header row)")
    header_line, header = first
    missing = [name for name in feature_names if name not in header]
    if missing:
        raise DatasetError(
            f"{label}: line {header_line}: missing column(s) {', '.join(map(repr, missing))}; "
            f"the model was trained on {', '.join(map(repr, feature_names))}"
        )
    columns = [header.index(name) for name in feature_names]
    rows: list[list[float]] = []
    for line, cells in records:
        rows.append(_feature_values(cells, columns, header, label, line))
    if not rows:
        raise DatasetError(f"{label}: no data rows (only a header)")
    return np.array(rows, dtype=np.float64)
