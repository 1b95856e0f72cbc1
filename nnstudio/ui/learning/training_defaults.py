"""What a dataset starts with in the window: its learning rate and its run speed.

One learning rate cannot suit every dataset: the seed's 2.0 makes XOR leave its plateau
within a couple of hundred cycles but makes the plane's regression diverge in a few, and
saturates the tanh units of a deep spiral network. Measured here with batches of 10 over
3,000 cycles, with the window's 2-4-1 sigmoid network and with tanh hidden layers:

- xor, circle, two Gaussians, two moons: 2.0 learns with sigmoid or tanh units and never
  diverged; XOR at 2.0 leaves its plateau at about cycle 150 and is learned by cycle 250.
- spiral, checkerboard: 0.3. A 2-8-8-8-1 tanh network at 2.0 ends with 80 % of its hidden
  units saturated (|a| > 0.99) and stuck near 72 % accuracy; at 0.3 (momentum 0.5) it
  reaches 100 % by cycle 10,000.
- plane, multi-Gaussian (regression): 0.1. At 1.0 and 2.0 both diverge within a few
  hundred cycles (sigmoid and tanh units); at 0.3 the plane's loss wobbles.
- iris, wine, breast cancer, digits: 1.0 learns with MSE and with cross-entropy.

The run speed lets a learner watch learning happen: a tiny 2-D set at 30 cycles per
second (every cycle drawn, the 30 snapshots a second the window shows) learns in 5 to
20 seconds, while sets that need thousands of cycles (spiral: about 6,500; digits: 1,000
to 3,000) run faster, so that learning still shows within half a minute.
"""

from __future__ import annotations

from nnstudio.engine.data.generators import DRAWN_NAME

__all__ = ["DATASET_DEFAULTS", "TASK_DEFAULTS", "starting_point", "RateMemory"]

#: Dataset name -> (learning rate, run speed in cycles per second).
DATASET_DEFAULTS: dict[str, tuple[float, float]] = {
    "xor": (2.0, 30.0),
    "circle": (2.0, 30.0),
    "gaussians": (2.0, 30.0),
    "moons": (2.0, 30.0),
    "spiral": (0.3, 300.0),
    "checkerboard": (0.3, 300.0),
    "plane": (0.1, 30.0),
    "multigauss": (0.1, 100.0),
    "iris": (1.0, 50.0),
    "wine": (1.0, 50.0),
    "breast_cancer": (1.0, 50.0),
    "digits": (1.0, 200.0),
    DRAWN_NAME: (2.0, 30.0),
}
#: Imported data, by task.
TASK_DEFAULTS: dict[str, tuple[float, float]] = {
    "classification": (1.0, 100.0),
    "regression": (0.1, 100.0),
}


def starting_point(name: str, task: str | None = None) -> tuple[float, float]:
    """(learning rate, cycles per second) for the dataset ``name``; other data by its ``task``."""
    if name in DATASET_DEFAULTS:
        return DATASET_DEFAULTS[name]
    return TASK_DEFAULTS.get(task or "classification", TASK_DEFAULTS["classification"])


class RateMemory:
    """The learning rate each dataset starts from: the one the learner set on it, else its starting rate."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.task: str | None = None
        self._own: dict[str, float] = {}  # dataset key -> the rate the learner set on it

    def use(self, key: str, task: str | None) -> tuple[float, float]:
        """Data ``key`` is in use now; its starting point (learning rate, cycles per second)."""
        self.key, self.task = key, task
        return starting_point(key, task)

    def own_rate(self, key: str) -> float | None:
        """The rate the learner set while on data ``key``, if any."""
        return self._own.get(key)

    def learner_set(self, rate: float) -> None:
        """The learner set ``rate`` on the data in use (nothing is kept before any data is)."""
        if self.key is None:
            return
        if rate == starting_point(self.key, self.task)[0]:
            self._own.pop(self.key, None)  # back at the starting rate: nothing of the learner's to keep
        else:
            self._own[self.key] = rate
