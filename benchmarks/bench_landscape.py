"""How long a 41×41 loss landscape takes: stacked networks against one network per point.

Run by hand: ``python benchmarks/bench_landscape.py [--resolution 41] [--repeats 5]``.
Trains XOR on a 2-4-1 sigmoid net and the spiral on a 2-16-16-1 tanh net (200 samples
each, all of them training rows) for 300 cycles, keeping the weights every 10 cycles, then
maps the loss over the plane of that path's principal components twice: with
``compute_landscape`` (many grid points per numpy call) and with a plain loop that sets
the network's weights to each point and calls ``Network.loss_value``. Prints, last, one
line per network: the best time of each over the repeats, their ratio, and whether the two
maps agree bit for bit.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nnstudio.engine.explain.landscape import LandscapeSpec, compute_landscape
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession

CASES = {
    "XOR 2-4-1": SessionConfig(data=DataSpec("xor", n_samples=200, test_fraction=0.0)),
    "spiral 2-16-16-1": SessionConfig(
        data=DataSpec("spiral", n_samples=200, test_fraction=0.0), hidden=(16, 16),
        activations=("tanh", "tanh", "sigmoid"),
    ),
}


def _best(call, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    return best, result


def _point_by_point(network, X, Y, landscape) -> np.ndarray:
    probe = network.copy()
    origin, (d1, d2) = landscape.plane.origin, landscape.plane.axes
    losses = np.empty((len(landscape.betas), len(landscape.alphas)))
    for i, beta in enumerate(landscape.betas):
        for j, alpha in enumerate(landscape.alphas):
            np.copyto(probe.flat, origin + alpha * d1 + beta * d2)
            losses[i, j] = probe.loss_value(X, Y)
    return losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=41)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    lines = []
    for name, config in CASES.items():
        session = TrainingSession(config)
        trainer = session.trainer
        trajectory = [trainer.network.flat.copy()]
        for _ in range(30):
            trainer.step_cycle(10)
            trajectory.append(trainer.network.flat.copy())
        trajectory = np.array(trajectory)
        network, X, Y = trainer.network, trainer.X_train, trainer.Y_train
        probe = compute_landscape(LandscapeSpec(resolution=3), network, X, Y, trajectory)
        spec = LandscapeSpec.covering(probe.plane.path, resolution=args.resolution)
        stacked, landscape = _best(lambda: compute_landscape(spec, network, X, Y, trajectory), args.repeats)
        looped, losses = _best(lambda: _point_by_point(network, X, Y, landscape), max(1, args.repeats // 2))
        same = "same bits" if np.array_equal(losses, landscape.losses) else "maps differ"
        print(f"{name}: {network.flat.size} parameters, {len(X)} rows, path explained "
              f"{landscape.plane.explained.sum():.1%}, loss {landscape.losses.min():.4g}..{landscape.losses.max():.4g}")
        lines.append(f"{name} {args.resolution}x{args.resolution}: stacked {stacked * 1e3:.1f} ms, "
                     f"point by point {looped * 1e3:.1f} ms, {looped / stacked:.1f}x faster, {same}")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
