"""The example session files shipped with the app: what make_examples.py writes, opening untrained and learning."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from support.trainer_states import assert_same_plain_data

from nnstudio.engine.data.datasets import resources_dir
from nnstudio.engine.io.sessionfile import load_session

EXAMPLES_DIR = resources_dir() / "examples"


def _examples_module():
    path = EXAMPLES_DIR / "make_examples.py"
    spec = importlib.util.spec_from_file_location("nnstudio_make_examples", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_examples_open_untrained_with_their_stated_settings():
    """Every example in make_examples.py is shipped, opens at cycle 0 and holds the config it states."""
    examples = _examples_module().EXAMPLES
    assert set(examples) == {"xor_sigmoid", "spiral_deep", "digits_classifier"}
    for name, example in examples.items():
        path = EXAMPLES_DIR / f"{name}.nnstudio"
        assert path.stat().st_size < 64 * 1024, name
        session = load_session(path)
        assert session.config == example.config, name
        assert session.trainer.cycle == 0
    xor = examples["xor_sigmoid"].config
    assert (xor.data.name, xor.hidden, xor.activations, xor.loss, xor.hyper.learning_rate, xor.batch_size) == (
        "xor", (4,), ("sigmoid", "sigmoid"), "mse", 2.0, 10)
    digits = load_session(EXAMPLES_DIR / "digits_classifier.nnstudio")
    assert digits.network.spec.sizes == (64, 32, 10) and digits.config.loss == "cross_entropy"


def test_examples_are_what_make_examples_writes_now(tmp_path):
    """The shipped files hold the state the script makes today (weights, split, normalisation)."""
    module = _examples_module()
    module.main(["--out", str(tmp_path)])
    for name in module.EXAMPLES:
        assert_same_plain_data(load_session(tmp_path / f"{name}.nnstudio").state(),
                     load_session(EXAMPLES_DIR / f"{name}.nnstudio").state())


@pytest.mark.slow
def test_spiral_example_learns_what_it_promises():
    """The deep spiral passes its stated train accuracy within its stated cycles."""
    example = _examples_module().EXAMPLES["spiral_deep"]
    session = load_session(EXAMPLES_DIR / "spiral_deep.nnstudio")
    session.step("cycle", example.cycles)
    assert session.trainer.evaluate(record=False).train_accuracy > example.min_train_accuracy >= 0.9


@pytest.mark.slow
@pytest.mark.parametrize("name", ["xor_sigmoid", "digits_classifier"])
def test_other_examples_learn_what_they_promise(name):
    example = _examples_module().EXAMPLES[name]
    session = load_session(EXAMPLES_DIR / f"{name}.nnstudio")
    session.step("cycle", example.cycles)
    assert session.trainer.evaluate(record=False).train_accuracy >= example.min_train_accuracy
