"""Made-up training histories for the loss plot and the exports: the seven arrays ``LossPlot.set_history`` takes."""

from __future__ import annotations

import numpy as np


def made_up_history(n_batch: int = 2000, eval_every: int = 400, wiggle: float = 0.0, eval_scale: float = 1.0):
    """Batch loss 1/(1+c) (plus ``wiggle``·sin c) for cycles 0..n_batch-1, an evaluation every ``eval_every`` cycles.

    The evaluated losses fall as 0.5/(1 + c/eval_scale) (train) and 0.6/(…) (test); the accuracies
    rise evenly from 0.5 to 0.9 (train) and 0.4 to 0.8 (test).
    """
    batch_cycles = np.arange(n_batch, dtype=float)
    batch_loss = 1.0 / (1.0 + batch_cycles) + wiggle * np.sin(batch_cycles)
    eval_cycles = np.arange(0, n_batch, eval_every, dtype=float)
    train_loss = 0.5 / (1.0 + eval_cycles / eval_scale)
    test_loss = 0.6 / (1.0 + eval_cycles / eval_scale)
    train_acc = np.linspace(0.5, 0.9, eval_cycles.size)
    test_acc = np.linspace(0.4, 0.8, eval_cycles.size)
    return batch_cycles, batch_loss, eval_cycles, train_loss, test_loss, train_acc, test_acc


def export_history():
    """The history the export tests draw: 2000 wiggly batch losses, an evaluation every 100 cycles."""
    return made_up_history(2000, 100, wiggle=0.02, eval_scale=100)
