"""The last settings, remembered between launches (QSettings).

Stored as one JSON string, read back leniently: anything missing, malformed or no longer
valid falls back to the first-launch defaults, so a bad settings file can never stop the
app from opening.
"""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtCore import QSettings

from nnstudio.engine.data.datasets import DATASET_NAMES
from nnstudio.engine.nn.network import NetworkSpec
from nnstudio.engine.run.config import DataSpec, SessionConfig

__all__ = ["load_config", "save_config"]

KEY = "session/config"


def save_config(settings: QSettings, config: SessionConfig) -> None:
    settings.setValue(KEY, json.dumps(config.to_dict()))


def load_config(settings: QSettings) -> SessionConfig:
    raw = settings.value(KEY)
    if not isinstance(raw, str):
        return SessionConfig()
    try:
        config = SessionConfig.from_dict(json.loads(raw))
        # Validate the parts the trainer would refuse later. A softmax output means data
        # with classes, so at least two outputs (iris, digits): the spec is checked so.
        outputs = 2 if config.activations and config.activations[-1] == "softmax" else 1
        NetworkSpec((2, *config.hidden, outputs), config.activations, config.loss)
        if config.data.custom or config.data.name not in DATASET_NAMES:
            # Drawn or imported data is not kept in the settings: start from the default data.
            config = replace(config, data=DataSpec())
        return config
    except (ValueError, TypeError, KeyError, AttributeError):
        return SessionConfig()
