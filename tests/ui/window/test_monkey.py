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

    NNSTUDIO_MONKEY_SEED=<seed> NNSTUDIO_MONKEY_ACTIONS=<n> pytest tests/ui/test_monkey.py
"""

from __future__ import annotations

import os
import time
from collections import Counter

import numpy as np
import pytest
from PySide6.QtCore import QObject, QtMsgType, Slot
from support.acknowledged import settle
from support.burst import burst, pick

from nnstudio.engine.data.datasets import GENERATOR_NAMES, REAL_DATASETS
from nnstudio.engine.io.formats import load_weights
from nnstudio.engine.nn.activations import HIDDEN_ACTIVATIONS
from nnstudio.ui.network.spec_edits import MAX_NEURONS
from nnstudio.ui.plotting.numbers import format_value

SEED = int(os.environ.get("NNSTUDIO_MONKEY_SEED", "20240611"))
N_ACTIONS = int(os.environ.get("NNSTUDIO_MONKEY_ACTIONS", "2000"))
#: How long one action's effect may take to reach the screen.
TIMEOUT_MS = 5_000
#: Loading digits (1797 rows × 64 inputs) and drawing its first snapshot take longer.
SLOW_TIMEOUT_MS = 20_000
#: The offscreen platform plugin prints this when a window is shown; it means nothing.
HARMLESS_QT = ("This plugin does not support propagateSizeHints()",)
#: Keep the canvas (and the run) small enough for 2,000 actions in well under 3 minutes.
MAX_HIDDEN_LAYERS = 4
LOG_TAIL = 30

# (action, weight): how often the monkey picks each.
ACTIONS = (
    ("step", 14), ("step_epoch", 4), ("run_toggle", 6), ("reset", 3), ("new_seed", 3),
    ("add_layer", 2), ("remove_layer", 2), ("add_neuron", 6), ("remove_neuron", 5), ("activation", 4),
    ("dataset", 4), ("data_spin", 6), ("feature", 3), ("regenerate", 2),
    ("hyper", 10), ("batch_size", 4), ("loss", 2), ("speed", 3), ("export", 3), ("edit_weight", 5),
)


class Probe(QObject):
    """Listens to the worker from the UI thread.

    A QObject living in the UI thread, so the worker's signals reach it queued, in the
    order they were emitted and after the window's own slots for the same emission (a
    plain callable would be called at once in the worker's thread).
    """

    def __init__(self, worker) -> None:
        super().__init__()
        self.errors: list[str] = []
        self.exported: list[str] = []
        worker.sig_error.connect(self.on_error)
        worker.sig_exported.connect(self.on_exported)

    @Slot(str)
    def on_error(self, message: str) -> None:
        self.errors.append(message)

    @Slot(str)
    def on_exported(self, path: str) -> None:
        self.exported.append(path)


class Monkey:
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
        self.probe = Probe(window.worker)
        self.errors, self.exported = self.probe.errors, self.probe.exported
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
    @property
    def latest(self):
        return self.w.latest

    def running_shown(self) -> bool:
        return self.w.controls.run_button.isChecked()

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

    def diverged(self) -> bool:
        return "diverged" in self.latest.message

    # -- actions -----------------------------------------------------------------------
    def do_step(self) -> None:
        button = self.w.controls.step_button
        if not button.isEnabled():
            return
        self.settle()
        if not button.isEnabled():  # the run went on until the sync
            return
        n = int(self.rng.integers(1, 51))
        self.w.controls.step_count_spin.setValue(n)
        s = self.latest
        button.click()
        self.log.append(f"step ×{n} from cycle {s.cycle}")
        self.wait(lambda: self.latest.generation != s.generation or self.latest.cycle >= s.cycle + n
                  or (self.latest is not s and self.diverged()), f"cycle {s.cycle + n}")
        t = self.latest
        if t.generation != s.generation:
            self.fail(f"a step started a new run (generation {s.generation} -> {t.generation})")
        if not self.diverged() and t.cycle != s.cycle + n:
            self.fail(f"step ×{n} from cycle {s.cycle} ended at cycle {t.cycle}")

    def do_step_epoch(self) -> None:
        button = self.w.controls.step_epoch_button
        if not button.isEnabled():
            return
        self.settle()
        if not button.isEnabled():
            return
        s = self.latest
        button.click()
        self.log.append(f"step epoch from epoch {s.epoch} (cycle {s.cycle}, batch {s.batch_size})")
        self.wait(lambda: self.latest.epoch >= s.epoch + 1 or (self.latest is not s and self.diverged()),
                  f"epoch {s.epoch + 1}", SLOW_TIMEOUT_MS)
        t = self.latest
        if not self.diverged() and (t.epoch != s.epoch + 1 or t.generation != s.generation):
            self.fail(f"step epoch from epoch {s.epoch} ended at epoch {t.epoch} (generation {t.generation})")

    def do_run_toggle(self) -> None:
        button = self.w.controls.run_button
        running = button.isChecked()
        button.click()
        if running:
            self.log.append("pause")
            # Pause is observable: the trainer says running=False. Sync so that no snapshot
            # of the run sent before the pause can arrive later and be taken for the state.
            self.sync()
            self.wait(lambda: not self.latest.running and not self.running_shown(), "the pause to show")
        else:
            self.log.append("run")
            self.dirty = True  # don't wait for progress; Run's effect shows later

    def _new_generation(self, what: str, timeout: int = TIMEOUT_MS) -> None:
        s = self.latest
        self.wait(lambda: self.latest.generation > s.generation, what, timeout)
        self.dirty = False

    def do_reset(self) -> None:
        self.settle()
        s = self.latest
        self.w.controls.reset_button.click()
        self.log.append(f"reset (generation {s.generation})")
        self.wait(lambda: self.latest.generation > s.generation, "the reset")
        # Snapshots of the old run may still be queued; only the new run's count.
        self.wait(lambda: not self.latest.running and not self.running_shown(), "the reset to stop the run")
        if self.latest.cycle != 0 and not self.running_shown():
            self.fail(f"after reset the cycle is {self.latest.cycle}, not 0")

    def do_new_seed(self) -> None:
        self.settle()
        s = self.latest
        if self.rng.random() < 0.7:
            self.w.controls.new_seed_button.click()
            self.log.append(f"new seed -> {self.w.controls.seed_spin.value()}")
        else:
            seed = int(self.rng.integers(0, 1_000_000))
            if seed == self.w.controls.seed_spin.value():
                return
            self.w.controls.seed_spin.setValue(seed)
            self.log.append(f"seed spin -> {seed}")
        self.wait(lambda: self.latest.generation > s.generation, "the new seed's run")

    def _spec_request(self, label: str, request) -> None:
        self.settle()
        s = self.latest
        count = len(self.requests)
        if not request():
            return
        if len(self.requests) != count + 1:
            self.fail(f"{label}: the canvas emitted {len(self.requests) - count} requests, not 1")
        sizes, acts = self.requests[-1]
        self.log.append(f"{label}: {s.spec.sizes} {s.spec.activations} -> {sizes} {acts}")
        self.wait(lambda: (self.latest.spec.sizes, self.latest.spec.activations) == (sizes, acts)
                  and self.canvas_spec() == (sizes, acts), f"the network {sizes} {acts}")

    def canvas_spec(self):
        return self.w.canvas.spec()

    def hidden_layers(self) -> int:
        return len(self.canvas_spec()[0]) - 2

    def do_add_layer(self) -> None:
        if self.hidden_layers() >= MAX_HIDDEN_LAYERS:
            return
        button = self.w.add_layer_button
        self._spec_request("+ layer", lambda: button.isEnabled() and (button.click() or True))

    def do_remove_layer(self) -> None:
        button = self.w.remove_layer_button
        if not button.isEnabled():
            if self.hidden_layers() > 0:
                self.fail(f"'− Layer' is disabled with {self.hidden_layers()} hidden layers")
            return
        self._spec_request("− layer", lambda: button.click() or self.hidden_layers() >= 0)

    def _random_hidden(self) -> int | None:
        n = self.hidden_layers()
        return None if n == 0 else int(self.rng.integers(1, n + 1))

    def do_add_neuron(self) -> None:
        layer = self._random_hidden()
        if layer is None:
            return
        if self.canvas_spec()[0][layer] >= MAX_NEURONS:
            return
        self._spec_request(f"+ neuron in layer {layer}", lambda: self.w.canvas.request_add_neuron(layer))

    def do_remove_neuron(self) -> None:
        layer = self._random_hidden()
        if layer is None:
            return
        self._spec_request(f"− neuron in layer {layer}", lambda: self.w.canvas.request_remove_neuron(layer))

    def do_activation(self) -> None:
        layer = self._random_hidden()
        if layer is None:
            return
        name = str(self.rng.choice(HIDDEN_ACTIVATIONS))
        self._spec_request(f"layer {layer} activation {name}", lambda: self.w.canvas.request_activation(layer, name))

    def do_dataset(self) -> None:
        combo = self.w.dataset_panel.dataset_combo
        if self.rng.random() < 0.75:
            name = str(self.rng.choice(GENERATOR_NAMES))
        else:
            # Digits is 9x the rows and 32x the inputs of the rest: keep it rare.
            name = "digits" if self.rng.random() < 0.15 else str(self.rng.choice([n for n in REAL_DATASETS if n != "digits"]))
        index = combo.findData(name)
        if index < 0:
            self.fail(f"the dataset combo has no {name!r}")
        if index == combo.currentIndex():
            return
        self.settle()
        s = self.latest
        combo.setCurrentIndex(index)
        self.log.append(f"dataset {name}")
        slow = SLOW_TIMEOUT_MS if name == "digits" else TIMEOUT_MS
        self.wait(lambda: self.latest.generation > s.generation and self.w.data_view.name == name,
                  f"the {name} data", slow)

    def do_data_spin(self) -> None:
        panel = self.w.dataset_panel
        spin, label, values = [
            (panel.noise_spin, "noise", lambda: float(self.rng.choice([0.0, 1.0, round(self.rng.random(), 2)]))),
            (panel.samples_spin, "samples", lambda: int(self.rng.choice([4, 5, 2000, self.rng.integers(4, 400)]))),
            (panel.test_fraction_spin, "test %", lambda: int(self.rng.choice([0, 90, self.rng.integers(0, 91)]))),
            (panel.seed_spin, "data seed", lambda: int(self.rng.integers(0, 1_000_000))),
        ][int(self.rng.integers(0, 4))]
        if not spin.isEnabled():
            return
        value = values()
        if spin.value() == value:
            return
        self.settle()
        s = self.latest
        spin.setValue(value)
        self.log.append(f"data {label} -> {value} ({self.w.data_view.name})")
        self.wait(lambda: self.latest.generation > s.generation, f"data {label} {value}")

    def do_feature(self) -> None:
        checks = list(self.w.dataset_panel.feature_checks.values())
        check = checks[int(self.rng.integers(0, len(checks)))]
        if not check.isEnabled():
            return
        self.settle()
        s = self.latest
        check.click()
        self.log.append(f"feature {check.objectName()} -> {check.isChecked()}")
        self.wait(lambda: self.latest.generation > s.generation, "the extra inputs")
        n_inputs = 2 + sum(c.isChecked() for c in checks)
        if self.latest.spec.sizes[0] != n_inputs:
            self.fail(f"{n_inputs} inputs ticked, the network has {self.latest.spec.sizes[0]}")

    def do_regenerate(self) -> None:
        button = self.w.dataset_panel.regenerate_button
        if not button.isEnabled():
            return
        self.settle()
        s = self.latest
        button.click()
        self.log.append(f"regenerate (data seed -> {self.w.dataset_panel.seed_spin.value()})")
        self.wait(lambda: self.latest.generation > s.generation, "the regenerated data")

    def do_hyper(self) -> None:
        c = self.w.controls
        which = int(self.rng.integers(0, 5))
        spin, label, value = [
            (c.learning_rate_spin, "lr", float(self.rng.choice([0.0, 100.0, 0.0001, round(self.rng.uniform(0, 5), 4)]))),
            (c.momentum_spin, "momentum", float(self.rng.choice([0.0, 0.99, round(self.rng.random() * 0.99, 2)]))),
            (c.noise_spin, "update noise", float(self.rng.choice([0.0, 10.0, round(self.rng.uniform(0, 1), 3)]))),
            (c.l2_spin, "L2", float(self.rng.choice([0.0, 1.0, round(self.rng.uniform(0, 0.05), 4)]))),
            (c.l1_spin, "L1", float(self.rng.choice([0.0, 1.0, round(self.rng.uniform(0, 0.05), 4)]))),
        ][which]
        if spin.value() == value:
            return
        spin.setValue(value)
        wanted = c.hyperparameters()
        self.log.append(f"{label} -> {value}")
        self.wait(lambda: self.latest.hyper == wanted, f"{label} {value} in the trainer")

    def do_batch_size(self) -> None:
        spin = self.w.controls.batch_size_spin
        value = int(self.rng.choice([0, 1, 2, 10, 32, 100_000, self.rng.integers(1, 300)]))
        if spin.value() == value:
            return
        spin.setValue(value)
        self.log.append(f"batch size -> {value or 'full'}")
        n_train = len(self.w.data_view.train_idx)
        wanted = None if value == 0 or value >= n_train else value
        self.wait(lambda: self.latest.batch_size == wanted, f"batch size {wanted}")

    def do_loss(self) -> None:
        combo = self.w.controls.loss_combo
        index = 1 - combo.currentIndex()
        if not combo.model().item(index).isEnabled():  # cross-entropy on a linear output: not offered
            return
        self.settle()
        s = self.latest
        combo.setCurrentIndex(index)
        wanted = combo.currentData()
        self.log.append(f"loss {s.spec.loss} -> {wanted}")
        self.wait(lambda: self.latest.generation > s.generation and self.latest.spec.loss == wanted,
                  f"the {wanted} loss")

    def do_speed(self) -> None:
        slider = self.w.controls.speed_slider
        index = int(self.rng.integers(0, slider.maximum() + 1))
        if index == slider.value():
            return
        slider.setValue(index)
        self.log.append(f"speed {self.w.controls.speed_label.text()}")
        self.dirty = True  # the trainer does not answer set_speed

    def do_export(self) -> None:
        suffix = ".npz" if self.rng.random() < 0.5 else ".json"
        path = str(self.tmp / f"export{len(self.log) % 3}{suffix}")
        count = len(self.exported)
        errors = len(self.errors)
        self.w.export_weights(path)
        self.log.append(f"export {os.path.basename(path)}")
        self.wait(lambda: len(self.exported) > count or len(self.errors) > errors, f"the export to {path}")
        if len(self.errors) > errors:
            self.fail(f"the export was refused: {self.errors[-1]}")
        model = load_weights(path)
        spec = model.network.spec
        shown = self.canvas_spec()
        if (spec.sizes, spec.activations) != shown:
            self.fail(f"exported network {spec.sizes} {spec.activations}, the canvas shows {shown}")
        if not model.network.is_finite():
            self.fail("the exported weights are not finite")

    def do_edit_weight(self) -> None:
        sizes = self.canvas_spec()[0]
        layer = int(self.rng.integers(0, len(sizes) - 1))
        i, j = int(self.rng.integers(0, sizes[layer])), int(self.rng.integers(0, sizes[layer + 1]))
        value = float(self.rng.choice([0.0, 1e6, -1e6, round(self.rng.normal(0, 3), 4)]))
        running = self.running_shown()
        if not running:
            self.settle()
        s = self.latest
        self.w.canvas._ask_weight = lambda current: value  # the learner types `value` into the dialog
        try:
            accepted = self.w.canvas.edit_weight(layer, i, j)
        finally:
            del self.w.canvas._ask_weight
        if not accepted:
            self.fail("edit_weight refused a typed value")
        self.log.append(f"edit w{layer}[{i},{j}] = {value}" + (" (running)" if running else ""))
        if running or self.running_shown():
            self.dirty = True  # training moves the weight on at once
            return
        self.wait(lambda: self.latest.weights[layer][i, j] == value, f"w{layer}[{i},{j}] == {value}")
        if self.latest.generation != s.generation or self.latest.cycle != s.cycle:
            self.fail("editing a weight changed the run or its cycle")

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
        if shapes != [(a, b) for a, b in zip(sizes[:-1], sizes[1:])]:
            self.fail(f"weight shapes {shapes} do not match sizes {sizes}")
        if [b.shape for b in s.biases] != [(b,) for b in sizes[1:]]:
            self.fail(f"bias shapes do not match sizes {sizes}")
        for l, (W, b) in enumerate(zip(s.weights, s.biases)):
            if not (np.isfinite(W).all() and np.isfinite(b).all()):
                self.fail(f"layer {l} holds non-finite weights or biases")
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


@pytest.mark.slow
@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
def test_two_thousand_random_learner_actions_break_nothing(qtbot, qtlog, tmp_path, capsys):
    """≥ 2,000 random actions: no exception, no Qt warning, and the canvas always shows the trainer's network."""
    from nnstudio.ui import MainWindow

    started = time.perf_counter()
    window = MainWindow(remember=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.latest is not None, timeout=30_000)
    process = window.worker._process
    with qtbot.captureExceptions() as exceptions:
        monkey = Monkey(window, qtbot, qtlog, tmp_path, exceptions, SEED)
        try:
            monkey.run(N_ACTIONS)
            monkey.sync()
            monkey.check()
        finally:
            elapsed = time.perf_counter() - started
            with capsys.disabled():
                print(f"\nmonkey seed={SEED}: {sum(monkey.counts.values())} actions done, "
                      f"{sum(monkey.skipped.values())} skipped, {monkey.divergences} divergences rescued, "
                      f"in {elapsed:.1f} s; "
                      f"done {dict(sorted(monkey.counts.items()))}, skipped {dict(sorted(monkey.skipped.items()))}; "
                      f"seconds per kind {({k: round(v, 1) for k, v in monkey.seconds.most_common()})}")
        window.close()
    assert not exceptions, exceptions
    assert window._thread.isFinished(), "the training thread outlived the window"
    assert not process.is_alive() and process.exitcode is not None, "the trainer's process outlived the window"
    assert sum(monkey.counts.values()) >= 2000 or N_ACTIONS < 2000, monkey.counts


# -- as fast as a person can click ---------------------------------------------------------------
# The trainer answers each command with a snapshot, which the window draws on its next
# 33 ms tick: for a few tens of milliseconds after a click the window still shows the old
# state. Clicks in that window must not be lost or undone.

def settled(window, qtbot, probe: Probe) -> None:
    """Wait until the trainer has handled every command sent so far and the window has drawn the result."""
    settle(qtbot, window)
    assert not probe.errors, probe.errors


def test_two_quick_clicks_on_a_layers_plus_add_two_neurons(make_window, qtbot):
    """Clicking a hidden layer's + twice, faster than a redraw, gives two more neurons, not one."""
    window = make_window()
    probe = Probe(window.worker)
    assert window.latest.spec.sizes == (2, 4, 1)
    window.canvas.request_add_neuron(1)
    window.canvas.request_add_neuron(1)  # the second click, before the first one's snapshot is drawn
    settled(window, qtbot, probe)
    assert window.latest.spec.sizes == (2, 6, 1), "a click was lost: each request was built from the drawn network"


def test_two_quick_clicks_on_plus_layer_add_two_layers(make_window, qtbot):
    """'+ Layer' twice in quick succession adds two hidden layers."""
    window = make_window()
    probe = Probe(window.worker)
    window.add_layer_button.click()
    window.add_layer_button.click()
    settled(window, qtbot, probe)
    assert window.latest.spec.sizes == (2, 4, 4, 4, 1)


@pytest.mark.parametrize("first, then, output", [("xor", "plane", "linear"), ("plane", "xor", "sigmoid"),
                                                 ("plane", "iris", "sigmoid")])
def test_editing_the_network_right_after_picking_data_keeps_the_output_fitted_to_the_data(
        make_window, qtbot, first, then, output):
    """Pick a dataset, then click + neuron before the redraw: the output layer still suits the new data.

    Done slowly, picking regression data makes the output linear (and classification data
    makes it sigmoid) and the + then keeps it. Done quickly, the + re-sends the output
    activation of the network still drawn, the old data's, and the trainer takes it.
    """
    window = make_window()
    probe = Probe(window.worker)
    if first != "xor":
        pick(window, first)
        settled(window, qtbot, probe)
    pick(window, then)
    window.canvas.request_add_neuron(1)  # before the new data's snapshot is drawn
    settled(window, qtbot, probe)
    assert window.data_view.name == then
    assert window.latest.spec.sizes[1] == 5
    assert window.latest.spec.activations[-1] == output, (
        f"{then} data trains with a {window.latest.spec.activations[-1]} output layer; done slowly it gets {output}")


@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_after_a_burst_of_100_clicks_the_window_and_the_trainer_agree(make_window, qtbot, qtlog, tmp_path, seed):
    """100 random commands with no pause, during Run: once the trainer catches up, the window shows its state."""
    window = make_window()
    with qtbot.captureExceptions() as exceptions:
        monkey = Monkey(window, qtbot, qtlog, tmp_path, exceptions, seed)
        window.controls.run_button.click()
        qtbot.waitUntil(lambda: window.latest.running and window.latest.cycle > 20, timeout=20_000)
        kinds = burst(window, monkey.rng, 100, MAX_HIDDEN_LAYERS)
        monkey.log.append(f"burst of {len(kinds)}: {kinds}")
        monkey.counts["burst"] += 1
        if window.controls.run_button.isChecked():
            window.controls.run_button.click()  # pause, so the state can settle
        monkey.sync()
        monkey.check()
        hidden = window.latest.spec.sizes[1:-1]
        if window.config.hidden != hidden:
            monkey.fail(f"the window will remember hidden layers {window.config.hidden}, the trainer has {hidden}")
