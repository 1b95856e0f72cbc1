"""The last settings come back on the next launch, the loss and every learning setting included."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from nnstudio.engine.nn.optim import Hyperparameters
from nnstudio.engine.run.config import DataSpec, SessionConfig
from nnstudio.ui.window.settings import KEY, load_config, save_config


def _settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "nnstudio.ini"), QSettings.Format.IniFormat)


def test_a_softmax_cross_entropy_config_comes_back_whole(tmp_path):
    """Digits with a softmax output and cross-entropy was once judged invalid (softmax on one output) and forgotten."""
    config = SessionConfig(data=DataSpec(name="digits"), hidden=(32,), activations=("tanh", "softmax"),
                           loss="cross_entropy",
                           hyper=Hyperparameters(learning_rate=0.3, l1=0.001, noise=0.05, noise_decay=0.8),
                           batch_size=32, seed=7)
    settings = _settings(tmp_path)
    save_config(settings, config)
    assert load_config(_settings(tmp_path)) == config


def test_a_config_the_trainer_would_refuse_falls_back_to_the_defaults(tmp_path):
    settings = _settings(tmp_path)
    save_config(settings, SessionConfig(activations=("tanh", "linear"), loss="cross_entropy"))
    assert load_config(_settings(tmp_path)) == SessionConfig()
    settings.setValue(KEY, "{not json")
    assert load_config(settings) == SessionConfig()
