"""Time of one training cycle (forward + backward + update), NN Studio beside PyTorch.

Run by hand: ``python benchmarks/bench_engine.py [--dtype float64|float32|both] [--threads N]``.
Each case trains the same architecture, batch size and sigmoid/MSE set-up on both sides,
the cycle as Run and the CLI perform it (``Trainer.step_cycle``: batch gather, forward,
loss, backward, SGD update, loss history), in one process, so the ratios hold on a noisy
machine. PyTorch is optional (``pip install torch==2.13.0``); without it only our times print.
The last line is ``worst ratio/target: X.XX (CASE)``, at most 1.00 when every target is met.
"""

from __future__ import annotations

import argparse
import contextlib
import time

import numpy as np

from nnstudio.engine.nn.network import Network, NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.trainer import Trainer

# (sizes, batch, rows in the training set, target ratio to PyTorch in float64)
CASES = [
    ((2, 4, 1), 1, 200, 0.1),
    ((2, 8, 8, 1), 10, 200, 0.1),
    ((2, 16, 16, 16, 1), 500, 2000, 0.5),
    ((64, 64, 10), 32, 1024, 0.2),
    ((784, 256, 128, 10), 128, 2048, 0.7),
]
MIN_SECONDS = 0.5


def _data(sizes, rows, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, sizes[0])), rng.random((rows, sizes[-1]))


def _repeat(run_cycles, min_seconds=MIN_SECONDS) -> float:
    """Seconds per cycle: best of three timed blocks after a warm-up."""
    run_cycles(5)
    n = 1
    while True:
        start = time.perf_counter()
        run_cycles(n)
        elapsed = time.perf_counter() - start
        if elapsed > min_seconds / 5:
            break
        n *= 4
    best = elapsed / n
    for _ in range(2):
        start = time.perf_counter()
        run_cycles(n)
        best = min(best, (time.perf_counter() - start) / n)
    return best


def time_nnstudio(sizes, batch, rows, dtype) -> float:
    X, Y = _data(sizes, rows)
    spec = NetworkSpec(sizes, ("sigmoid",) * (len(sizes) - 1))
    trainer = Trainer(
        Network.from_spec(spec, seed=0, dtype=dtype), X, Y,
        hyper=Hyperparameters(learning_rate=0.1), batch_size=batch, eval_every=10**12,
    )
    return _repeat(trainer.step_cycle)


def time_torch(torch, sizes, batch, rows, dtype) -> float:
    X, Y = _data(sizes, rows)
    tdtype = torch.float64 if dtype == "float64" else torch.float32
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers).to(tdtype)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.MSELoss()
    Xt, Yt = torch.from_numpy(X).to(tdtype), torch.from_numpy(Y).to(tdtype)
    gen = torch.Generator().manual_seed(0)
    state = {"order": torch.randperm(rows, generator=gen), "pos": 0}

    def run_cycles(n):
        for _ in range(n):
            pos = state["pos"]
            rows_idx = state["order"][pos : pos + batch]
            xb, yb = Xt[rows_idx], Yt[rows_idx]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            loss.item()  # the history records every cycle's loss, as ours does
            state["pos"] = pos + batch
            if state["pos"] >= rows:
                state["pos"] = 0
                state["order"] = torch.randperm(rows, generator=gen)

    return _repeat(run_cycles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", choices=["float64", "float32", "both"], default="both")
    parser.add_argument(
        "--threads", type=int, default=1, help="BLAS / torch threads on both sides (default 1, as the app's worker)"
    )
    args = parser.parse_args()
    try:
        import torch

        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    try:
        from threadpoolctl import threadpool_limits

        limit = threadpool_limits(args.threads)
    except ImportError:
        limit = contextlib.nullcontext()
    dtypes = ["float64", "float32"] if args.dtype == "both" else [args.dtype]
    worst = (0.0, "")
    with limit:
        print(f"{'case':<28}{'dtype':<9}{'nnstudio µs':>13}{'torch µs':>11}{'ratio':>8}{'target':>8}")
        for sizes, batch, rows, target in CASES:
            name = f"{'-'.join(map(str, sizes))} b{batch}"
            for dtype in dtypes:
                ours = time_nnstudio(sizes, batch, rows, dtype)
                theirs = time_torch(torch, sizes, batch, rows, dtype) if torch else float("nan")
                ratio = ours / theirs
                shown_target = f"{target:.2f}" if dtype == "float64" else "-"
                print(
                    f"{name:<28}{dtype:<9}{ours * 1e6:13.1f}{theirs * 1e6:11.1f}{ratio:8.3f}{shown_target:>8}",
                    flush=True,
                )
                if dtype == "float64" and torch and ratio / target > worst[0]:
                    worst = (ratio / target, name)
    if torch:
        print(f"worst ratio/target: {worst[0]:.2f} ({worst[1]})")
    else:
        print("worst ratio/target: n/a (PyTorch not installed: pip install torch==2.13.0)")


if __name__ == "__main__":
    main()
