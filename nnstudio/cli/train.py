"""``nnstudio train``: train a network headless, report its loss and accuracy, export it."""

from __future__ import annotations

import json

import numpy as np

from nnstudio.cli.errors import EXIT_DIVERGED, EXIT_OK
from nnstudio.cli.training import finish_training, prepare, report_divergence, train_cycles


def run_train(args) -> int:
    experiment, total = prepare(args)
    outcome, seconds = train_cycles(experiment, total)
    if outcome.rollback is not None:
        with np.errstate(all="ignore"):
            report_divergence(args, experiment, outcome.rollback)
        return EXIT_DIVERGED
    summary = finish_training(args, experiment, seconds)
    if args.json:
        print(json.dumps(summary))
    return EXIT_OK
