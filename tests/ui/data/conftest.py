"""Fixtures of the data tests: a Data panel at a known size and the specs it emits, CSV files and import dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.import_files import IRIS
from support.widgets import owned

from nnstudio.ui.data.dataset_panel import DatasetPanel
from nnstudio.ui.data.import_dialog import ImportDialog


@pytest.fixture
def panel(qtbot):
    return owned(qtbot, DatasetPanel(), 420, 520)


@pytest.fixture
def emitted(panel):
    """Every spec the panel emits, in order."""
    specs: list[dict] = []
    panel.sig_data_spec_changed.connect(specs.append)
    return specs


@pytest.fixture
def write(tmp_path):
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def make(content: str | bytes, name: str = "data.csv") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return make


@pytest.fixture
def open_dialog(qtbot):
    """Construct an ImportDialog for a path (never exec'ed)."""

    def make(path: Path) -> ImportDialog:
        dialog = ImportDialog(path)
        qtbot.addWidget(dialog)
        return dialog

    return make


@pytest.fixture
def iris_dialog(write, open_dialog):
    return open_dialog(write(IRIS, "iris.csv"))
