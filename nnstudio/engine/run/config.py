"""What defines a run: the data spec and the session config, and their plain-dict form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from nnstudio.engine.data.datasets import Dataset, load_named
from nnstudio.engine.nn.losses import CROSS_ENTROPY_OUTPUTS
from nnstudio.engine.nn.network import NetworkSpec
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.nn.value_checks import whole_number
from nnstudio.engine.run.seeds import check_seed

__all__ = ["DataSpec", "SessionConfig"]


def _exact_keys(value, cls, what: str) -> dict:
    """``value`` if it is a dict naming exactly ``cls``'s fields, else ValueError naming the stray or missing ones."""
    fields = tuple(cls.__dataclass_fields__)
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a dict naming {', '.join(fields)}")
    missing = [name for name in fields if name not in value]
    unknown = sorted(str(key) for key in value if key not in fields)
    if missing or unknown:
        problems = ([f"lacks {', '.join(missing)}"] if missing else []) + (
            [f"has unknown {', '.join(unknown)}"] if unknown else [])
        raise ValueError(f"{what} {' and '.join(problems)}: it must name exactly {', '.join(fields)}")
    return value


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number, got {value!r}")
    return value


def _strings(value, what: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) for x in value):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(value)


@dataclass(frozen=True)
class DataSpec:
    """Which data to use and how to split it.

    ``name`` is a generator or shipped dataset (``datasets.DATASET_NAMES``); ``features``
    adds computed inputs to 2-D generated data. ``custom`` marks drawn, imported or edited
    data, which the session holds itself (``TrainingSession.set_dataset``).
    """

    name: str = "xor"
    n_samples: int = 200
    noise: float = 0.1
    seed: int = 0
    test_fraction: float = 0.2
    features: tuple[str, ...] = ()
    custom: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        check_seed(self.seed, "data seed")
        if not 0 <= self.test_fraction < 1:
            raise ValueError(f"test fraction must be in [0, 1), got {self.test_fraction}")

    def load(self) -> Dataset:
        return load_named(self.name, n_samples=self.n_samples, noise=self.noise, seed=self.seed,
                          features=self.features)

    def to_dict(self) -> dict:
        """Plain JSON-able data (a list for ``features``); ``from_dict`` reads it back."""
        value = asdict(self)
        value["features"] = list(self.features)
        return value

    @classmethod
    def from_dict(cls, value, what: str = "config data") -> DataSpec:
        """The spec ``to_dict`` gave, checked strictly: ValueError names the bad entry."""
        value = _exact_keys(value, cls, what)
        if not isinstance(value["name"], str):
            raise ValueError(f"{what} name must be a string, got {value['name']!r}")
        if not isinstance(value["custom"], bool):
            raise ValueError(f"{what} custom must be true or false, got {value['custom']!r}")
        return cls(name=value["name"], n_samples=whole_number(value["n_samples"], f"{what} n_samples"),
                   noise=_number(value["noise"], f"{what} noise"), seed=check_seed(value["seed"], f"{what} seed"),
                   test_fraction=_number(value["test_fraction"], f"{what} test_fraction"),
                   features=_strings(value["features"], f"{what} features"), custom=value["custom"])


@dataclass(frozen=True)
class SessionConfig:
    """Everything that defines a run: the same config gives the same run, bit for bit."""

    data: DataSpec = DataSpec()
    hidden: tuple[int, ...] = (4,)
    activations: tuple[str, ...] = ("sigmoid", "sigmoid")  # one per non-input layer
    loss: str = "mse"
    # A brisk rate for sigmoid + MSE: XOR leaves its plateau in a couple of hundred cycles.
    hyper: Hyperparameters = Hyperparameters(learning_rate=2.0)
    batch_size: int | None = 10
    seed: int = 0  # initial weights, batch order and noise

    def __post_init__(self) -> None:
        check_seed(self.seed)

    def spec(self, n_inputs: int, n_outputs: int) -> NetworkSpec:
        return NetworkSpec((n_inputs, *self.hidden, n_outputs), self.activations, self.loss)

    def to_dict(self) -> dict:
        """Plain JSON-able data (lists for tuples); ``from_dict`` reads it back."""
        value = asdict(self)
        value["data"] = self.data.to_dict()
        value["hidden"], value["activations"] = list(self.hidden), list(self.activations)
        return value

    @classmethod
    def from_dict(cls, value) -> SessionConfig:
        """The config ``to_dict`` gave, checked strictly: ValueError names the bad entry."""
        value = _exact_keys(value, cls, "config")
        data = DataSpec.from_dict(value["data"])
        hyper = _exact_keys(value["hyper"], Hyperparameters, "config hyper")
        hidden = value["hidden"]
        if not isinstance(hidden, (list, tuple)):
            raise ValueError("config hidden must be a list of layer sizes")
        if not isinstance(value["loss"], str):
            raise ValueError("config loss must be a string")
        batch_size = value["batch_size"]
        return cls(
            data=data, hidden=tuple(whole_number(n, "config hidden layer size", 1) for n in hidden),
            activations=_strings(value["activations"], "config activations"), loss=value["loss"],
            hyper=Hyperparameters(**hyper),
            batch_size=None if batch_size is None else whole_number(batch_size, "config batch_size", 1),
            seed=check_seed(value["seed"], "config seed"),
        )

    def fitted_to(self, dataset: Dataset) -> tuple[SessionConfig, str]:
        """This config with an output layer that suits ``dataset``, and what changed (or "")."""
        output, loss = self.activations[-1], self.loss
        if dataset.task == "regression":
            output, loss = "linear", "mse"
        elif output not in ("sigmoid", "softmax"):
            output = "sigmoid"
        if output == "softmax" and dataset.n_outputs < 2:
            output = "sigmoid"
        if loss == "cross_entropy" and output not in CROSS_ENTROPY_OUTPUTS:
            loss = "mse"
        if (output, loss) == (self.activations[-1], self.loss):
            return self, ""
        note = f"Output layer: {output}, loss {loss}, to suit {dataset.task}."
        return replace(self, activations=(*self.activations[:-1], output), loss=loss), note
