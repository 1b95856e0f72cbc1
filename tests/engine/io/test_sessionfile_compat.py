"""Session files written by earlier NN Studio versions open and continue bit for bit.

The files in ``data/`` were written by NN Studio at commit 54b7d55 (format version 1):

- ``spiral_v1``: generated spiral (120 rows, seed 4), 2-6-5-1 tanh/relu/sigmoid, batch 7,
  learning rate 0.2, momentum 0.9, L2 1e-3, noise 0.05, seed 11, saved after 45 cycles
  (mid-epoch: a batch order and a position);
- ``drawn_v1``: 30 drawn regression points held in the file, 2-3-1 tanh/identity, full
  batch (no batch order), momentum 0.5, noise 0.01, seed 3, saved after 19 cycles;
- ``*_plus37``: each of those reopened by that same version and stepped 37 more cycles.

So the continuation checked here was computed by the code that wrote the files, not by
the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nnstudio.engine.io.sessionfile import FORMAT_VERSION, load_session, save_session

DATA = Path(__file__).parent / "session_files"
NAMES = ("spiral_v1", "drawn_v1")


def _content(path: Path) -> tuple[dict, str, dict[str, np.ndarray]]:
    """(meta, meta as canonical JSON without the writer's version, arrays); the JSON compares NaN as NaN."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(str(arrays.pop("meta")))
    del meta["nnstudio_version"]
    return meta, json.dumps(meta, sort_keys=True), arrays


@pytest.mark.parametrize("name", NAMES)
def test_a_version_1_file_continues_as_the_version_that_wrote_it_did(tmp_path, name):
    session = load_session(DATA / f"{name}.nnstudio")
    session.step("cycle", 37)
    save_session(tmp_path / "now.nnstudio", session)
    _, want_meta, want_arrays = _content(DATA / f"{name}_plus37.nnstudio")
    _, got_meta, got_arrays = _content(tmp_path / "now.nnstudio")
    assert got_meta == want_meta
    assert set(got_arrays) == set(want_arrays)
    for key, want in want_arrays.items():
        assert got_arrays[key].dtype == want.dtype, key
        assert got_arrays[key].tobytes() == want.tobytes(), key


@pytest.mark.parametrize("name", NAMES)
def test_a_reopened_version_1_file_is_written_back_as_it_was(tmp_path, name):
    """A standard-rule session keeps format version 1, entry for entry and bit for bit."""
    save_session(tmp_path / "again.nnstudio", load_session(DATA / f"{name}.nnstudio"))
    meta, want_meta, want_arrays = _content(DATA / f"{name}.nnstudio")
    _, got_meta, got_arrays = _content(tmp_path / "again.nnstudio")
    assert meta["version"] == 1 <= FORMAT_VERSION
    assert got_meta == want_meta
    assert set(got_arrays) == set(want_arrays)
    for key, want in want_arrays.items():
        assert got_arrays[key].dtype == want.dtype and got_arrays[key].tobytes() == want.tobytes(), key
