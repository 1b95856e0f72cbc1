"""What the import dialog shows of a CSV file: its header and first records, read as the engine reads them."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from itertools import islice
from pathlib import Path

from nnstudio.engine.data.csv_text import decode_csv_bytes, records, sniff_delimiter
from nnstudio.engine.data.dataset_core import Dataset, DatasetError
from nnstudio.ui.plotting.colormaps import TEXT_COLOR

__all__ = ["Preview", "read_preview", "format_size", "file_caption", "dataset_summary", "PREVIEW_ROWS",
           "PREVIEW_BYTES"]

#: Data rows shown under the header in the preview.
PREVIEW_ROWS = 20
#: Bytes read for the preview: enough for 20 wide rows, small enough to be instant.
PREVIEW_BYTES = 64 * 1024


@dataclass(frozen=True)
class Preview:
    """What the dialog shows of a file: header cells, data rows and their file line numbers."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]


def read_preview(path: Path) -> Preview | None:
    """The header and first :data:`PREVIEW_ROWS` records, or None if the file has no readable text.

    Reads as the engine does (its decoding and delimiter sniffing; stripped cells,
    all-empty rows skipped) on the first :data:`PREVIEW_BYTES` only, stopping quietly
    where the text stops reading as CSV; why a file is unreadable is left to ``load_csv`` to say.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(PREVIEW_BYTES + 1)
    except (OSError, ValueError):
        return None
    truncated = len(data) > PREVIEW_BYTES
    try:
        text = decode_csv_bytes(data[:PREVIEW_BYTES], path.name, partial=truncated)
    except DatasetError:
        return None
    if truncated:
        text = text[: text.rfind("\n") + 1]  # the last line is cut short
    if not text.strip():
        return None
    shown = list(islice(records(text, sniff_delimiter(text), path.name, strict=False), PREVIEW_ROWS + 1))
    if not shown:
        return None
    return Preview(shown[0][1], [cells for _, cells in shown[1:]], [line for line, _ in shown[1:]])


def format_size(n_bytes: int) -> str:
    """``n_bytes`` for people: "812 B", "4.6 KB", "50 MB" (1 KB = 1024 B; whole numbers lose the ".0")."""
    value, unit = float(n_bytes), "B"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    text = f"{value:.0f}" if unit == "B" else f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}"


def file_caption(name: str, size: int | None, limit: int, size_color: str) -> str:
    """Rich text for the dialog's file line: the name in bold (escaped: it is the user's), its size and the limit."""
    shown = f" · {format_size(size)}" if size is not None else ""
    return (f"<b style='color: {TEXT_COLOR};'>{escape(name, quote=False)}</b>"
            f"<span style='color: {size_color};'>{shown} (limit {format_size(limit)})</span>")


def dataset_summary(dataset: Dataset) -> str:
    """One line about a loaded dataset: "150 rows · 4 features · classification, 3 classes"."""
    kind = f"classification, {dataset.n_classes} classes" if dataset.task == "classification" else "regression"
    features = "feature" if dataset.n_features == 1 else "features"
    return f"{dataset.n_samples} rows · {dataset.n_features} {features} · {kind}"
