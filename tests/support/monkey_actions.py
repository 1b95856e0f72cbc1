"""The monkey's actions: each does what a learner could, at random, and waits for the trainer's answer.

``LearnerActions`` is mixed into ``support.monkey.Monkey``, which gives it the window
(``w``), the random generator (``rng``), the action log, the refusals heard (``errors``),
the network requests the canvas emitted (``requests``), a folder for exports (``tmp``) and
``wait``, ``sync``, ``settle`` and ``fail``. An action that is not possible now (a disabled
button, a value already set) logs nothing and is counted as skipped.
"""

from __future__ import annotations

import os

from nnstudio.engine.data.datasets import GENERATOR_NAMES, REAL_DATASETS
from nnstudio.engine.io.formats import load_weights
from nnstudio.engine.nn.activations import HIDDEN_ACTIVATIONS
from nnstudio.ui.network.spec_edits import MAX_NEURONS

#: How long one action's effect may take to reach the screen.
TIMEOUT_MS = 5_000
#: Loading digits (1797 rows × 64 inputs) and drawing its first snapshot take longer.
SLOW_TIMEOUT_MS = 20_000
#: Keep the canvas (and the run) small enough for 2,000 actions in well under 3 minutes.
MAX_HIDDEN_LAYERS = 4


class LearnerActions:
    """``do_<name>`` for each name in ``support.monkey.ACTIONS``."""

    @property
    def latest(self):
        return self.w.latest

    def running_shown(self) -> bool:
        return self.w.controls.run_button.isChecked()

    def diverged(self) -> bool:
        return "diverged" in self.latest.message

    def settled_before(self, button):
        """The snapshot drawn once every command sent has taken effect, if ``button`` can be pressed then; else None."""
        if not button.isEnabled():
            return None
        self.settle()
        return self.latest if button.isEnabled() else None  # a run may have gone on until the sync

    def pressed(self, button):
        """Press ``button`` once every command sent has taken effect: the snapshot drawn before, or None if it cannot
        be.
        """
        s = self.settled_before(button)
        if s is not None:
            button.click()
        return s

    def do_step(self) -> None:
        button = self.w.controls.step_button
        s = self.settled_before(button)
        if s is None:
            return
        n = int(self.rng.integers(1, 51))
        self.w.controls.step_count_spin.setValue(n)
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
        s = self.pressed(self.w.controls.step_epoch_button)
        if s is None:
            return
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
            name = (
                "digits"
                if self.rng.random() < 0.15
                else str(self.rng.choice([n for n in REAL_DATASETS if n != "digits"]))
            )
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
        s = self.pressed(self.w.dataset_panel.regenerate_button)
        if s is None:
            return
        self.log.append(f"regenerate (data seed -> {self.w.dataset_panel.seed_spin.value()})")
        self.wait(lambda: self.latest.generation > s.generation, "the regenerated data")

    def do_hyper(self) -> None:
        c = self.w.controls
        which = int(self.rng.integers(0, 5))
        spin, label, value = [
            (
                c.learning_rate_spin,
                "lr",
                float(self.rng.choice([0.0, 100.0, 0.0001, round(self.rng.uniform(0, 5), 4)])),
            ),
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
        errors = len(self.errors)
        self.w.export_weights(path)
        seq = self.w.worker.sent
        self.log.append(f"export {os.path.basename(path)}")
        self.wait(lambda: self.latest.acknowledged >= seq, f"the export to {path}")
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

