"""ARCHITECTURE.md is the house map: it names every module of the package, so it stays true."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_house_map_names_every_feature_folder_and_module():
    """A module added, moved or renamed without the map being updated fails here."""
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    folders = sorted({p.parent for p in (REPO / "nnstudio").rglob("__init__.py")} - {REPO / "nnstudio"})
    assert len(folders) >= 12
    missing = []
    for folder in folders:
        rel = folder.relative_to(REPO).as_posix()
        if f"`{rel}/`" not in text:
            missing.append(rel + "/")
        section = text.split(f"### `{rel}/`", 1)[-1].split("### ", 1)[0]
        missing += [
            f"{rel}/{p.name}" for p in folder.glob("*.py") if p.name != "__init__.py" and f"`{p.name}`" not in section
        ]
    assert not missing, f"ARCHITECTURE.md does not name: {', '.join(missing)}"
