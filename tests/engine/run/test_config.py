"""Session configs as plain data: a JSON round trip gives the same config, and a bad entry is named."""

import json

import pytest

from nnstudio.engine.io.sessionfile import SessionFileError, session_state_from_file_content, session_to_file_content
from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.engine.run.session import TrainingSession

CONFIG = SessionConfig(
    data=DataSpec("moons", n_samples=120, noise=0.25, seed=3, test_fraction=0.25, features=("x1^2", "x1*x2")),
    hidden=(5, 3), activations=("tanh", "relu", "sigmoid"), loss="cross_entropy",
    hyper=Hyperparameters(learning_rate=0.3, momentum=0.5, l1=0.001, noise=0.05, noise_decay=0.8),
    batch_size=None, seed=11,
)


def test_a_config_survives_json_exactly():
    assert SessionConfig.from_dict(json.loads(json.dumps(CONFIG.to_dict()))) == CONFIG
    assert DataSpec.from_dict(json.loads(json.dumps(CONFIG.data.to_dict()))) == CONFIG.data


def test_the_dict_form_is_plain_json_data_with_every_field():
    value = CONFIG.to_dict()
    assert value["data"] == {"name": "moons", "n_samples": 120, "noise": 0.25, "seed": 3, "test_fraction": 0.25,
                             "features": ["x1^2", "x1*x2"], "custom": False}
    assert value["hidden"] == [5, 3] and value["activations"] == ["tanh", "relu", "sigmoid"]
    assert value["batch_size"] is None and value["seed"] == 11 and value["hyper"]["noise_decay"] == 0.8


def _with(change):
    value = json.loads(json.dumps(CONFIG.to_dict()))
    change(value)
    return value


@pytest.mark.parametrize("change, named", [
    (lambda v: v.pop("loss"), "config lacks loss"),
    (lambda v: v.update(colour="red"), "config has unknown colour"),
    (lambda v: v["data"].pop("seed"), "config data lacks seed"),
    (lambda v: v["data"].update(rows=3), "config data has unknown rows"),
    (lambda v: v["hyper"].pop("momentum"), "config hyper lacks momentum"),
    (lambda v: v["data"].update(n_samples=-1), "config data n_samples must be a whole number"),
    (lambda v: v["data"].update(noise="lots"), "config data noise must be a number"),
    (lambda v: v["data"].update(custom=1), "config data custom must be true or false"),
    (lambda v: v["data"].update(name=7), "config data name must be a string"),
    (lambda v: v["data"].update(features="x1^2"), "config data features must be a list of strings"),
    (lambda v: v.update(hidden=[4, 0]), "config hidden layer size must be a whole number ≥ 1"),
    (lambda v: v.update(hidden=4), "config hidden must be a list"),
    (lambda v: v.update(batch_size=0), "config batch_size must be a whole number ≥ 1"),
    (lambda v: v.update(seed=True), "config seed must be a whole number"),
    (lambda v: v.update(loss=None), "config loss must be a string"),
    (lambda v: v.update(data=[]), "config data must be a dict"),
    (lambda v: v["hyper"].update(momentum=1.5), "momentum must be below 1"),
])
def test_a_bad_entry_is_refused_by_name(change, named):
    with pytest.raises(ValueError, match=named):
        SessionConfig.from_dict(_with(change))


def test_a_session_file_with_a_bad_config_names_the_entry():
    meta, arrays = session_to_file_content(TrainingSession(SessionConfig(data=DataSpec("xor", n_samples=40))))
    meta["config"]["data"]["n_samples"] = "forty"
    with pytest.raises(SessionFileError, match="meta config data n_samples must be a whole number"):
        session_state_from_file_content(meta, arrays)
