"""Regenerate the example sessions in this folder (Help › Examples opens them).

Run from anywhere: ``python resources/examples/make_examples.py [--check]``. Each example
is saved untrained, at cycle 0, so a learner who opens one watches it learn. ``--check``
also trains a copy of each for its stated number of cycles and reports the accuracy it
reaches (the tests hold the spiral to its promise). The same NN Studio writes the same
files: the data are generated from their seed or read from ``resources/datasets``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository, for `import nnstudio`

from nnstudio.engine.io.sessionfile import load_session, save_session  # noqa: E402
from nnstudio.engine.nn.optim import Hyperparameters  # noqa: E402
from nnstudio.engine.run.config import DataSpec, SessionConfig  # noqa: E402
from nnstudio.engine.run.session import TrainingSession  # noqa: E402


@dataclass(frozen=True)
class Example:
    config: SessionConfig
    cycles: int  # trained this long, it reaches min_train_accuracy (``--check``, the tests)
    min_train_accuracy: float


EXAMPLES = {
    # The seed's set-up: XOR, a 2-4-1 sigmoid network, MSE, learning rate 2, batches of 10.
    "xor_sigmoid": Example(
        SessionConfig(
            data=DataSpec("xor", n_samples=200, noise=0.1, seed=0),
            hidden=(4,), activations=("sigmoid", "sigmoid"), loss="mse",
            hyper=Hyperparameters(learning_rate=2.0), batch_size=10, seed=0,
        ),
        cycles=1_000, min_train_accuracy=0.99,
    ),
    # Two interleaved arms: one hidden layer stalls near 70 %, three layers of 8 get there.
    "spiral_deep": Example(
        SessionConfig(
            data=DataSpec("spiral", n_samples=200, noise=0.1, seed=0),
            hidden=(8, 8, 8), activations=("tanh", "tanh", "tanh", "sigmoid"), loss="mse",
            hyper=Hyperparameters(learning_rate=0.3, momentum=0.5), batch_size=10, seed=0,
        ),
        cycles=10_000, min_train_accuracy=0.90,
    ),
    # 8×8 handwritten digits: 64 inputs, 32 tanh neurons, 10 softmax outputs.
    "digits_classifier": Example(
        SessionConfig(
            data=DataSpec("digits", test_fraction=0.2, seed=0),
            hidden=(32,), activations=("tanh", "softmax"), loss="cross_entropy",
            hyper=Hyperparameters(learning_rate=0.1), batch_size=32, seed=0,
        ),
        cycles=2_000, min_train_accuracy=0.98,
    ),
}


def build(name: str) -> TrainingSession:
    session = TrainingSession(EXAMPLES[name].config)
    if session.config != EXAMPLES[name].config:
        raise SystemExit(f"{name}: the session changed the config to suit its data; fix the example")
    return session


def check(name: str, path: Path) -> tuple[float, float, float]:
    """(train accuracy, test accuracy, seconds) after the example's cycles, from its file."""
    example = EXAMPLES[name]
    session = load_session(path)
    start = time.perf_counter()
    session.step("cycle", example.cycles)
    evaluation = session.trainer.evaluate(record=False)
    return evaluation.train_accuracy, evaluation.test_accuracy, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="train each example and report its accuracy")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write to (default: this one)")
    args = parser.parse_args(argv)
    failed = False
    for name, example in EXAMPLES.items():
        path = args.out / f"{name}.nnstudio"
        save_session(path, build(name))
        path.chmod(0o644)  # shipped files: readable by all (atomic writes start private)
        line = f"{path.name}: {path.stat().st_size / 1024:.1f} KB"
        if args.check:
            train, test, seconds = check(name, path)
            ok = train >= example.min_train_accuracy
            failed |= not ok
            line += (f"; after {example.cycles} cycles train {train:.1%}, test {test:.1%} "
                     f"({seconds:.1f} s){'' if ok else f'  BELOW {example.min_train_accuracy:.0%}'}")
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
