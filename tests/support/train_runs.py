"""What the ``nnstudio train`` tests share: the keys of its JSON line, and a data file written from text."""

from __future__ import annotations

from pathlib import Path

#: The keys of the JSON line that ``train --json`` prints last.
JSON_KEYS = {"train_loss", "test_loss", "train_accuracy", "test_accuracy", "cycles", "epochs", "seconds"}


def text_file(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    """``text`` written to ``tmp_path / name`` as UTF-8."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
