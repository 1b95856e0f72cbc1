"""A monkey at the keyboard: thousands of random learner actions on one window.

A seeded random driver (``numpy.random.default_rng(SEED)``) clicks, types and picks its
way through the window as a learner could: Step (1–50 cycles), Step epoch, Run / Pause,
Reset, New seed, + / − layer, + / − neuron, a hidden layer's activation, the dataset and
its settings, the learning settings (extremes included: a learning rate of 0 or 100 must
be survived by the divergence handling), the loss, the run speed, Export weights and
editing a weight on the canvas.

After each action whose effect shows in a snapshot (generation, cycle, spec, hyper, ...)
it waits for the window to draw that snapshot, then checks that the window and the
engine agree: the canvas draws the network the trainer holds, every weight is finite,
the counters and controls show the trainer's numbers. No Python exception may escape a
slot, no Qt warning may be printed (apart from the offscreen plugin's harmless
``propagateSizeHints`` notice), and the trainer must never refuse an action the window
allowed.

A failure names the seed and the last 30 actions. Reproduce with the same seed::

    NNSTUDIO_MONKEY_SEED=<seed> NNSTUDIO_MONKEY_ACTIONS=<n> pytest tests/ui/window/test_monkey.py
"""

from __future__ import annotations

import time
from collections import Counter
from itertools import pairwise

import numpy as np
import pytest
from PySide6.QtCore import QtMsgType

from nnstudio.ui.plotting.numbers import format_value
from support.monkey_actions import TIMEOUT_MS, LearnerActions
from support.worker_signals import WorkerSignals

#: The offscreen platform plugin prints this when a window is shown; it means nothing.
HARMLESS_QT = ("This plugin does not support propagateSizeHints()",)
LOG_TAIL = 30

# (action, weight): how often the monkey picks each.
ACTIONS = (
    ("step", 14), ("step_epoch", 4), ("run_toggle", 6), ("reset", 3), ("new_seed", 3),
    ("add_layer", 2), ("remove_layer", 2), ("add_neuron", 6), ("remove_neuron", 5), ("activation", 4),
    ("dataset", 4), ("data_spin", 6), ("feature", 3), ("regenerate", 2),
    ("hyper", 10), ("batch_size", 4), ("loss", 2), ("speed", 3), ("export", 3), ("edit_weight", 5),
)


class Monkey(LearnerActions):
    """Drives one window at random and checks it after every action."""

    def __init__(self, window, qtbot, qtlog, tmp_path, exceptions, seed: int) -> None:
        self.w, self.qtbot, self.qtlog, self.tmp = window, qtbot, qtlog, tmp_path
        self.exceptions = exceptions
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        names, weights = zip(*ACTIONS)
        self.names = names
        self.p = np.array(weights, dtype=float) / sum(weights)
        self.log: list[str] = []
        self.counts: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self.heard = WorkerSignals(window.worker)
        self.errors = self.heard.errors  # refusals: none may come
        self.requests: list[tuple] = []
        self.dirty = False  # an action whose effect cannot be observed may still be in flight
        self.divergences = 0  # snapshots drawn saying the run diverged (lr 100, noise 10...) and was rescued
        self._last_checked = None
        window.canvas.sig_spec_changed.connect(lambda sizes, acts: self.requests.append((tuple(sizes), tuple(acts))))

    # -- reporting ---------------------------------------------------------------------
    def fail(self, message: str) -> None:
        tail = "\n".join(self.log[-LOG_TAIL:])
        pytest.fail(f"monkey seed={self.seed}, after {len(self.log)} actions: {message}\n"
                    f"last {min(LOG_TAIL, len(self.log))} actions:\n{tail}", pytrace=False)

    def wait(self, predicate, what: str, timeout: int = TIMEOUT_MS) -> None:
        """qtbot.waitUntil, polling every 2 ms rather than 10, and drawing what came in at once.

        The window draws the newest snapshot on a 33 ms timer; waiting for that tick after
        each of 2,000 actions would cost about a minute, so a waiting monkey calls the
        timer's slot (``_draw_pending``) itself. The draw is the same; it only comes sooner.
        """
        deadline = time.perf_counter() + timeout / 1000
        while not (self.flush() or predicate()):
            if time.perf_counter() > deadline:
                latest = self.w.latest
                state = (f"latest: generation {latest.generation}, cycle {latest.cycle}, epoch {latest.epoch}, "
                         f"running {latest.running}, sizes {latest.spec.sizes}, acts {latest.spec.activations}, "
                         f"hyper {latest.hyper}, batch {latest.batch_size}, message {latest.message!r}")
                self.fail(f"timed out after {timeout} ms waiting for {what}; {state}; "
                          f"trainer errors: {self.errors[-3:]}")
            self.qtbot.wait(2)

    def flush(self) -> bool:
        if self.w._pending is not None:
            self.w._draw_pending()
        return False

    # -- the driver --------------------------------------------------------------------
    def run(self, n_actions: int) -> None:
        """Perform ``n_actions`` actions (attempts the window did not allow don't count)."""
        k = 0
        while sum(self.counts.values()) < n_actions:
            k += 1
            name = self.names[self.rng.choice(len(self.names), p=self.p)]
            before = len(self.log)
            t0 = time.perf_counter()
            getattr(self, f"do_{name}")()
            if len(self.log) == before:  # the action was not possible now (a disabled button...)
                self.skipped[name] += 1
                self.log.append(f"#{k} {name}: skipped")
            else:
                self.counts[name] += 1
                self.log[-1] = f"#{k} {self.log[-1]}"
            self.qtbot.wait(1)
            self.check()
            self.seconds[name] += time.perf_counter() - t0
            if k > 3 * n_actions:
                self.fail(f"only {sum(self.counts.values())} of {k} attempted actions were possible")

    # -- helpers -----------------------------------------------------------------------
    def sync(self) -> None:
        """Wait until the trainer has dealt with every command sent so far, and the answer is drawn.

        The trainer applies commands in order: once the window draws the snapshot that
        acknowledges a ``snapshot`` command sent now, every earlier command has taken effect.
        """
        seq = self.w.send("snapshot")
        self.wait(lambda: self.latest.acknowledged >= seq, f"the acknowledgement of command {seq}")
        if self.errors:
            self.fail(f"the trainer refused a command: {self.errors[-1]}")
        self.dirty = False

    def settle(self) -> None:
        if self.dirty:
            self.sync()

    # -- the invariants ----------------------------------------------------------------
    def check(self) -> None:
        w, s = self.w, self.latest
        if self.exceptions:
            import traceback

            text = "".join(traceback.format_exception(*self.exceptions[0]))
            self.fail(f"an exception escaped into Qt:\n{text}")
        bad = [r for r in self.qtlog.records
               if r.type != QtMsgType.QtDebugMsg and r.type != QtMsgType.QtInfoMsg
               and not any(h in r.message for h in HARMLESS_QT)]
        if bad:
            self.fail("Qt said: " + "; ".join(f"{r.type_name}: {r.message}" for r in bad))
        if self.errors:
            self.fail(f"the trainer refused an action the window allowed: {self.errors}")
        if s is None:
            self.fail("window.latest is None")
        if s is not self._last_checked and "diverged" in s.message:
            self.divergences += 1
        self._last_checked = s
        if not w._thread.isRunning() or not w.worker._process.is_alive():
            self.fail("the training thread or the trainer's process has died")
        sizes, acts = s.spec.sizes, s.spec.activations
        if w.canvas.spec() != (sizes, acts):
            self.fail(f"the canvas shows {w.canvas.spec()}, the trainer has {(sizes, acts)}")
        shapes = [wt.shape for wt in s.weights]
        if shapes != list(pairwise(sizes)):
            self.fail(f"weight shapes {shapes} do not match sizes {sizes}")
        if [b.shape for b in s.biases] != [(b,) for b in sizes[1:]]:
            self.fail(f"bias shapes do not match sizes {sizes}")
        for index, (W, b) in enumerate(zip(s.weights, s.biases)):
            if not (np.isfinite(W).all() and np.isfinite(b).all()):
                self.fail(f"layer {index} holds non-finite weights or biases")
        # What the canvas draws for one random connection is the trainer's weight.
        layer = int(self.rng.integers(0, len(sizes) - 1))
        i, j = int(self.rng.integers(0, sizes[layer])), int(self.rng.integers(0, sizes[layer + 1]))
        tip = w.canvas.connection_item(layer, i, j).toolTip()
        if f"= {format_value(s.weights[layer][i, j])}" not in tip:
            self.fail(f"connection w{layer}[{i},{j}] shows {tip!r}, the trainer has {s.weights[layer][i, j]!r}")
        if w.controls.cycle_label.text() != str(s.cycle) or w.controls.epoch_label.text() != str(s.epoch):
            self.fail(f"counters show {w.controls.cycle_label.text()}/{w.controls.epoch_label.text()}, "
                      f"the trainer is at cycle {s.cycle}, epoch {s.epoch}")
        if w.data_view is None or w.data_view.name != w.dataset_panel.dataset_combo.currentData():
            self.fail(f"the dataset combo shows {w.dataset_panel.dataset_combo.currentData()!r}, "
                      f"the data is {None if w.data_view is None else w.data_view.name!r}")
        if self.dirty:
            return  # a Run, Pause or speed change may still be on its way: the rest can lag
        if self.running_shown() != s.running:
            self.fail(f"Run button checked={self.running_shown()}, the trainer's running={s.running}")
        if w.controls.hyperparameters() != s.hyper:
            self.fail(f"the controls show {w.controls.hyperparameters()}, the trainer uses {s.hyper}")
        if w.controls.loss() != s.spec.loss:
            self.fail(f"the loss box shows {w.controls.loss()}, the trainer uses {s.spec.loss}")
        n_train = len(w.data_view.train_idx)
        shown = w.controls.batch_size()
        if (None if shown is None or shown >= n_train else shown) != s.batch_size:
            self.fail(f"batch size shown {shown}, the trainer uses {s.batch_size}")
