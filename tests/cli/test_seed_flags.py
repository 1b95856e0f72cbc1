"""The seed flags take the one seed range (nnstudio.engine.run.seeds): a seed out of it is refused by the flag."""

import pytest

from nnstudio.engine.run.seeds import MAX_SEED

COMMANDS = ("train", "compare", "landscape")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("seed", ["-1", str(MAX_SEED + 1)])
def test_a_seed_out_of_range_is_refused_naming_the_flag_and_the_range(refused_before_training, command, seed):
    extra = ["--vary", "lr=0.5,1"] if command == "compare" else []
    refused_before_training(command, [*extra, "--seed", seed], ["--seed", f"from 0 to {MAX_SEED}", seed])


def test_a_varied_seed_out_of_range_is_refused_like_the_flag(refused_before_training):
    refused_before_training("compare", ["--vary", f"seed=1,{MAX_SEED + 1}"], ["--vary seed", f"from 0 to {MAX_SEED}"])


def test_the_largest_seed_trains_and_differs_from_seed_0(cli):
    """The top of the range is a seed like any other: a run, with its own data and weights."""
    largest = cli("train", "--seed", MAX_SEED, "--steps", "20", "--json")
    first = cli("train", "--seed", "0", "--steps", "20", "--json")
    assert largest.code == first.code == 0
    assert largest.json["train_loss"] != first.json["train_loss"]
