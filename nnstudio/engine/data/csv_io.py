"""CSV files for NN Studio: read a dataset or a model's input columns, write a dataset.

:func:`load_csv` reads a learner's own file (and the shipped real data) into a
:class:`~nnstudio.engine.data.dataset_core.Dataset`, guessing the delimiter and, unless told,
the task; :func:`load_features` reads the input columns a trained model needs, for
prediction; :func:`save_csv` writes a dataset back, atomically. Files are UTF-8 text (or
UTF-16 with a byte-order mark, as Excel's "Unicode text") of at most ``MAX_CSV_BYTES``, read
at call time (tests shrink it), with cells of at most ``csv.field_size_limit()`` characters.
Every problem with a file raises :class:`~nnstudio.engine.data.dataset_core.DatasetError` naming
the file, and the line and column at fault where there are some (also as its ``line`` and
``column``). The text itself is read by :mod:`nnstudio.engine.data.csv_text`. The loaders are
also importable from :mod:`nnstudio.engine.data.datasets`.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from nnstudio.engine.data.csv_text import (
    decode_csv_bytes,
    file_label,
    finite_number,
    is_integer_text,
    parse_number,
    records,
    sniff_delimiter,
)
from nnstudio.engine.data.dataset_core import TASKS, Dataset, DatasetError
from nnstudio.engine.io.fileio import atomic_writer

__all__ = ["MAX_CSV_BYTES", "load_csv", "load_features", "save_csv", "ignored_columns"]

MAX_CSV_BYTES = 50 * 1024 * 1024
_MAX_AUTO_CLASSES = 20  # integer targets with more distinct values are taken as regression


def _read_text(path: Path) -> str:
    label = file_label(path)
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
    return decode_csv_bytes(data, label)


def _class_name(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def _feature_values(cells: list[str], columns: Sequence[int], header: list[str], label: str,
                    line: int) -> list[float]:
    """The finite numbers in ``columns`` of one record; DatasetError naming line and column."""
    if len(cells) != len(header):
        raise DatasetError(f"{label}: line {line} has {len(cells)} cells, the header has {len(header)}", line=line)
    values = []
    for i in columns:
        value, problem = finite_number(cells[i])
        if value is None:
            at = f"{label}: line {line}, column {header[i]!r}"
            raise DatasetError(f"{at}: empty cell" if not cells[i] else f"{at}: {cells[i]!r} {problem}",
                               line=line, column=header[i])
        values.append(value)
    return values


def ignored_columns(header: Sequence[str]) -> list[tuple[int, str]]:
    """The columns :func:`load_csv` leaves out unasked, as (index, why) in header order.

    Two shapes real files often have: an unnamed first column (the row index pandas
    writes) and an unnamed last column (a delimiter at the end of every line). Any other
    unnamed column is an error.
    """
    ignored = []
    if len(header) >= 2 and not header[0]:
        ignored.append((0, "column 1, which has no name (a row index, as pandas writes it)"))
    if len(header) >= 2 and not header[-1]:
        ignored.append((len(header) - 1, "the empty last column (every line ends with a delimiter)"))
    return ignored


def _columns_list(names: Sequence[str]) -> str:
    return ", ".join(repr(c) for c in names)


def load_csv(path: str | os.PathLike, target: str | None = None, task: str | None = None,
             name: str | None = None, drop: Sequence[str] = (),
             notice: Callable[[str], object] | None = None) -> Dataset:
    """Read a dataset from a CSV file with a header row.

    Feature columns must be finite numbers; the target is the last column or the column
    named ``target``. The delimiter is whichever of ``,`` ``;`` tab splits the header into
    the most cells. Cells are stripped; rows whose cells are all empty are skipped. The
    file is UTF-8 (a BOM is allowed) or UTF-16 with a BOM.

    The columns named in ``drop`` (ID-like columns, say) are left out unread, and so are
    those :func:`ignored_columns` finds (an unnamed index column, an empty last column); a
    file with those gets one line through ``notice`` after it has loaded. The default
    target is the last column left.

    With ``task=None`` the target is classification if any cell is not a number, or if
    every cell is an integer literal (``"3"``, not ``"3.0"``) and there are at most 20
    distinct values; otherwise regression. Class names are the distinct target strings,
    sorted lexically; numeric targets are grouped by value, sorted numerically and named
    canonically (``"1.0"`` and ``"01"`` both become ``"1"``). ``y`` indexes ``class_names``.

    Raises
    ------
    DatasetError
        For every problem with the file, naming the line and column where there is one;
        also for a ``drop`` name that is not a column, or that is the target.
    """
    if task is not None and task not in TASKS:
        raise DatasetError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    drop = (drop,) if isinstance(drop, str) else tuple(drop)
    path = Path(path)
    label = file_label(path)
    if name is None:
        name = path.stem
    text = _read_text(path)
    if not text.strip():
        raise DatasetError(f"{label}: the file is empty")
    file_records = records(text, sniff_delimiter(text), label)
    first = next(file_records, None)
    if first is None:
        raise DatasetError(f"{label}: the file is empty (no header row)")
    header_line, header = first
    where = f"{label}: line {header_line}"
    ignored = dict(ignored_columns(header))
    named = [c for i, c in enumerate(header) if i not in ignored]
    for i, column in enumerate(header):
        if i in ignored:
            continue
        if not column:
            raise DatasetError(f"{where}: column {i + 1} of the header has an empty name", line=header_line)
        if named.count(column) > 1:
            raise DatasetError(f"{where}: duplicate column name {column!r}", line=header_line, column=column)
    dropped = set()
    for column in drop:
        column = str(column).strip()
        if column not in named:
            raise DatasetError(f"{label}: no column {column!r} to drop; the columns are {_columns_list(named)}")
        dropped.add(header.index(column))
    kept = [i for i in range(len(header)) if i not in ignored and i not in dropped]
    if len(kept) < 2:
        left_out = " left after the ignored and dropped ones" if ignored or dropped else ""
        raise DatasetError(f"{where}: need at least 2 columns (features and a target), found {len(kept)}{left_out}",
                           line=header_line)
    if all(parse_number(header[i]) is not None for i in kept):
        raise DatasetError(f"{where}: the first row holds only numbers; the file needs a header row naming the columns",
                           line=header_line)
    target_name = header[kept[-1]] if target is None else str(target).strip()
    if target_name not in named:
        raise DatasetError(f"{label}: unknown target column {target_name!r}; the columns are {_columns_list(named)}")
    t_col = header.index(target_name)
    if t_col in dropped:
        raise DatasetError(f"{label}: column {target_name!r} is the target, so it cannot be dropped")
    f_cols = [i for i in kept if i != t_col]
    trailing = len(header) - 1 if len(header) - 1 in ignored else None

    rows: list[list[float]] = []
    raw_targets: list[tuple[int, str]] = []
    for line, cells in file_records:
        values = _feature_values(cells, f_cols, header, label, line)
        if trailing is not None and cells[trailing]:
            raise DatasetError(f"{label}: line {line}: the last column has no name in the header "
                               f"but holds {cells[trailing]!r}; name the column or remove the cell", line=line)
        if not cells[t_col]:
            raise DatasetError(f"{label}: line {line}, column {target_name!r}: empty target cell",
                               line=line, column=target_name)
        rows.append(values)
        raw_targets.append((line, cells[t_col]))
    if not rows:
        raise DatasetError(f"{label}: no data rows (only a header)")

    target_values = [parse_number(cell) for _, cell in raw_targets]
    numeric = all(v is not None for v in target_values)
    for (line, cell), value in zip(raw_targets, target_values):
        at = f"{label}: line {line}, column {target_name!r}"
        if numeric and not math.isfinite(value):
            raise DatasetError(f"{at}: target {cell!r} is not a finite number", line=line, column=target_name)
        if value is None and task == "regression":
            raise DatasetError(f"{at}: {cell!r} is not a number (a regression target must be numeric)",
                               line=line, column=target_name)
    if task is None:
        integers = numeric and all(is_integer_text(cell) for _, cell in raw_targets)
        few = len(set(target_values)) <= _MAX_AUTO_CLASSES
        task = "classification" if not numeric or (integers and few) else "regression"

    X = np.array(rows, dtype=np.float64).reshape(len(rows), len(f_cols))
    feature_names = tuple(header[i] for i in f_cols)
    if task == "regression":
        dataset = Dataset(name, X, np.array(target_values, dtype=np.float64), task, feature_names, target_name)
        _tell_ignored(notice, label, ignored)
        return dataset
    keys = target_values if numeric else [cell for _, cell in raw_targets]
    distinct = sorted(set(keys))
    if len(distinct) < 2:
        shown = _class_name(distinct[0]) if numeric else distinct[0]
        raise DatasetError(f"{label}: column {target_name!r}: every row has the single class {shown!r}; "
                           "classification needs at least 2 classes")
    class_names = tuple(_class_name(k) for k in distinct) if numeric else tuple(distinct)
    position = {k: i for i, k in enumerate(distinct)}
    y = np.array([position[k] for k in keys], dtype=np.int64)
    dataset = Dataset(name, X, y, task, feature_names, target_name, class_names)
    _tell_ignored(notice, label, ignored)
    return dataset


def _tell_ignored(notice: Callable[[str], object] | None, label: str, ignored: dict[int, str]) -> None:
    """One line for the columns left out unasked; told only once the file has loaded."""
    if notice is not None and ignored:
        notice(f"{label}: ignoring {' and '.join(ignored.values())}")


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
    label = file_label(path)
    text = _read_text(path)
    file_records = records(text, sniff_delimiter(text), label)
    first = next(file_records, None)
    if first is None:
        raise DatasetError(f"{label}: the file is empty (no header row)")
    header_line, header = first
    missing = [name for name in feature_names if name not in header]
    if missing:
        raise DatasetError(
            f"{label}: line {header_line}: missing column(s) {', '.join(map(repr, missing))}; "
            f"the model was trained on {', '.join(map(repr, feature_names))}", line=header_line)
    columns = [header.index(name) for name in feature_names]
    rows: list[list[float]] = []
    for line, cells in file_records:
        rows.append(_feature_values(cells, columns, header, label, line))
    if not rows:
        raise DatasetError(f"{label}: no data rows (only a header)")
    return np.array(rows, dtype=np.float64)
