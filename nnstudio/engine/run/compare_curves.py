"""A comparison's loss curves written out: as a table, as CSV, as a PNG figure drawn with numpy alone."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import numpy as np

from nnstudio.engine.io.fileio import atomic_write_text
from nnstudio.engine.io.png_encoding import write_png
from nnstudio.engine.io.raster_charts import SERIES_COLORS, Series, line_chart
from nnstudio.engine.run.compare import RunSummary

__all__ = ["MAX_PLOTTED_RUNS", "curves_table", "write_curves_csv", "curves_png"]

#: Runs drawn in one figure: more curves than this (each with its test curve) cannot be told apart.
MAX_PLOTTED_RUNS = 4


def curves_table(summaries: Sequence[RunSummary]) -> tuple[list[str], list[list[float | None]]]:
    """(header, rows): cycle, then each run's train loss, then (if any run has a test split) each run's test loss.

    One row per cycle at which any run was evaluated; None where a run has no value there.
    """
    has_test = any(np.isfinite(s.curve[:, 2]).any() for s in summaries)
    quantities = [("train_loss", 1)] + ([("test_loss", 2)] if has_test else [])
    header = ["cycle"] + [f"{name} {s.label}" for name, _ in quantities for s in summaries]
    cycles = sorted({int(c) for s in summaries for c in s.curve[:, 0]})
    lookup = [{int(row[0]): row for row in s.curve} for s in summaries]
    rows = []
    for cycle in cycles:
        row: list[float | None] = [cycle]
        for _, column in quantities:
            for table in lookup:
                point = table.get(cycle)
                row.append(None if point is None else float(point[column]))
        rows.append(row)
    return header, rows


def write_curves_csv(path, summaries: Sequence[RunSummary]) -> None:
    """``curves_table`` as CSV, atomically: empty cells where a run has no value, ``nan`` where it is undefined."""
    header, rows = curves_table(summaries)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else (str(v) if isinstance(v, int) else repr(v)) for v in row])
    atomic_write_text(path, buffer.getvalue())


def curves_png(path, summaries: Sequence[RunSummary], title: str = "") -> None:
    """The runs' loss curves overlaid (log scale): train solid, test dashed, one colour a run; atomically.

    At most ``MAX_PLOTTED_RUNS`` runs.
    """
    if len(summaries) > MAX_PLOTTED_RUNS:
        raise ValueError(f"a figure shows at most {MAX_PLOTTED_RUNS} runs, got {len(summaries)}")
    series = []
    has_test = False
    for s, color in zip(summaries, SERIES_COLORS):
        series.append(Series(s.curve[:, 0], s.curve[:, 1], color, s.label))
        if np.isfinite(s.curve[:, 2]).any():
            has_test = True
            series.append(Series(s.curve[:, 0], s.curve[:, 2], color, None, dashed=True))
    note = "solid: train, dashed: test" if has_test else "train loss"
    pixels = line_chart(series, title=title, x_label="cycle", y_label="loss (log scale)", log_y=True, note=note)
    write_png(path, pixels)
