"""Random clicks and edits fired at a window with no event processed in between."""

from __future__ import annotations

import numpy as np

from nnstudio.engine.data.datasets import GENERATOR_NAMES, REAL_DATASETS
from nnstudio.engine.nn.activations import HIDDEN_ACTIVATIONS

#: Every dataset but digits, whose loading would dominate a burst.
BURST_DATASETS = tuple(name for name in GENERATOR_NAMES + REAL_DATASETS if name != "digits")


def pick(window, name: str) -> None:
    """Choose the dataset ``name`` in the data panel, as a learner does."""
    combo = window.dataset_panel.dataset_combo
    combo.setCurrentIndex(combo.findData(name))


def burst(window, rng: np.random.Generator, n: int, max_hidden_layers: int | None = None) -> list[int]:
    """``n`` random clicks and edits with no event processed in between; returns the kinds done.

    ``max_hidden_layers`` keeps + Layer from growing the network past that many hidden
    layers (None: no limit).
    """
    c, canvas = window.controls, window.canvas
    done = []
    for _ in range(n):
        kind = int(rng.integers(0, 14))
        hidden = len(canvas.requested_spec()[0]) - 2
        if kind == 0:
            c.step_count_spin.setValue(int(rng.integers(1, 51)))
            c.step_button.click()
        elif kind == 1:
            c.step_epoch_button.click()
        elif kind == 2:
            c.run_button.click()
        elif kind == 3:
            c.reset_button.click()
        elif kind == 4:
            c.new_seed_button.click()
        elif kind == 5 and (max_hidden_layers is None or hidden < max_hidden_layers):
            window.add_layer_button.click()
        elif kind == 6:
            window.remove_layer_button.click()
        elif kind == 7 and hidden:
            canvas.request_add_neuron(int(rng.integers(1, hidden + 1)))
        elif kind == 8 and hidden:
            canvas.request_remove_neuron(int(rng.integers(1, hidden + 1)))
        elif kind == 9 and hidden:
            canvas.request_activation(int(rng.integers(1, hidden + 1)), str(rng.choice(HIDDEN_ACTIVATIONS)))
        elif kind == 10:
            pick(window, str(rng.choice(BURST_DATASETS)))
        elif kind == 11:
            spin = [c.learning_rate_spin, c.momentum_spin, c.noise_spin, c.l2_spin, c.l1_spin][int(rng.integers(0, 5))]
            spin.setValue(float(rng.uniform(spin.minimum(), spin.maximum())))
        elif kind == 12:
            c.batch_size_spin.setValue(int(rng.integers(0, 64)))
        else:
            c.speed_combo.setCurrentIndex(int(rng.integers(0, c.speed_combo.count())))
        done.append(kind)
    return done
