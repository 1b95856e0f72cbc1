"""``nnstudio predict``: run a weights file on a CSV file and write its outputs as CSV to stdout."""

from __future__ import annotations

import csv
import io
import sys

import numpy as np

from nnstudio.cli.errors import EXIT_OK
from nnstudio.engine.data.csv_text import file_label
from nnstudio.engine.data.datasets import labels_from_outputs, load_features
from nnstudio.engine.io.formats import load_weights


def run_predict(args) -> int:
    model = load_weights(args.weights)
    n_in = model.network.spec.sizes[0]
    names = model.feature_names or tuple(f"x{i + 1}" for i in range(n_in))
    X = load_features(args.input, names)
    with np.errstate(all="ignore"):  # overflow shows in the outputs; it is reported once, below
        outputs = model.predict(X)
    finite = np.isfinite(outputs).all(axis=1)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = [f"y{k}" for k in range(outputs.shape[1])]
    classification = model.task == "classification"
    if classification:
        header.append("label")
        labels = labels_from_outputs(outputs)
    writer.writerow(header)
    for row, values in enumerate(outputs):
        cells = [repr(float(v)) for v in values]
        if classification:
            label = int(labels[row])
            if not finite[row]:
                cells.append("")  # NaN or infinite outputs name no class
            else:
                cells.append(model.class_names[label] if label < len(model.class_names) else str(label))
        writer.writerow(cells)
    sys.stdout.write(buffer.getvalue())
    if not finite.all():
        bad = np.flatnonzero(~finite)
        print(f"nnstudio predict: warning: {file_label(args.input)}: {bad.size} of {len(finite)} data rows "
              f"(the first is row {bad[0] + 1}) gave NaN or infinite outputs: their inputs are too far out for the "
              "network's arithmetic", file=sys.stderr)
    return EXIT_OK
