"""Gradient descent: learning rate, momentum, L1/L2 and the seed's noise.

Momentum follows PyTorch's SGD (``v ← μ·v + g``, ``w ← w − lr·v``) so a run can be
checked against PyTorch step for step. L2 is added to the gradient as PyTorch's
``weight_decay`` is; L1 adds ``l1·sign(w)``.

The noise is the seed's remedy for poor minima: Gaussian noise added to each weight
update, with a standard deviation that decays as training goes on,
``σ_t = noise / (1 + t)^noise_decay`` (the annealed schedule of Neelakantan et al., 2015,
which uses decay 0.55). Early updates wander and can jump out of a poor basin; late ones
settle.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

__all__ = ["Hyperparameters", "SGD"]

Array = npt.NDArray[np.floating]


@dataclass(frozen=True)
class Hyperparameters:
    """What gradient descent is told. Changing these never resets training."""

    learning_rate: float = 0.5
    momentum: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    noise: float = 0.0
    noise_decay: float = 0.55

    def __post_init__(self) -> None:
        for name in ("learning_rate", "momentum", "l1", "l2", "noise", "noise_decay"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
                raise ValueError(f"{name.replace('_', ' ')} must be a number, got {value!r}")
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"{name.replace('_', ' ')} must be a finite number ≥ 0, got {value}")
        if self.momentum >= 1:
            raise ValueError(f"momentum must be below 1, got {self.momentum}")

    def replace(self, **changes) -> Hyperparameters:
        return replace(self, **changes)


class SGD:
    """Stochastic gradient descent on a network's flat parameter vector, in place.

    Parameters
    ----------
    params
        The network's ``flat`` vector (every W and b); updated in place.
    hyper
        Learning rate, momentum, L1/L2, noise.
    rng
        The noise's own random stream, so noise never shifts the batch order.

    Attributes
    ----------
    updates
        The change the last step applied to every parameter (new − old), laid out like
        ``params``: the "weight deltas" a learner watches.
    velocity
        Momentum buffer (zeros until momentum is used).
    steps
        How many updates have been applied (the noise schedule's t).
    """

    def __init__(self, params: Array, hyper: Hyperparameters, rng: np.random.Generator) -> None:
        self.params = params
        self.hyper = hyper
        self.rng = rng
        self.velocity = np.zeros_like(params)
        self.updates = np.zeros_like(params)
        self._scratch = np.empty_like(params)
        self.steps = 0
        self.last_noise_std = 0.0

    def noise_std(self) -> float:
        """σ of the noise the next update will carry."""
        h = self.hyper
        return h.noise / (1.0 + self.steps) ** h.noise_decay if h.noise > 0 else 0.0

    def step(self, grad: Array) -> None:
        """Apply one update from ``grad``, laid out like ``params``."""
        h = self.hyper
        sigma = self.last_noise_std = self.noise_std()
        direction = grad
        if h.l2 or h.l1:
            direction = self._scratch
            np.copyto(direction, grad)
            if h.l2:
                direction += h.l2 * self.params
            if h.l1:
                direction += h.l1 * np.sign(self.params)
        if h.momentum:
            self.velocity *= h.momentum
            self.velocity += direction
            direction = self.velocity
        # A 0-d array of the parameters' dtype: cheaper per call than a Python float, and
        # keeps float32 networks in float32.
        np.multiply(direction, np.array(-h.learning_rate, dtype=self.params.dtype), out=self.updates)
        if sigma:
            self.updates += sigma * self.rng.standard_normal(self.updates.shape, dtype=self.updates.dtype)
        self.params += self.updates
        self.steps += 1
