"""Reading ``.npz`` files whose ``meta`` entry is one JSON object: never unpickled, every entry checked."""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import numpy as np
from numpy.lib import format as npy


def split_meta(arrays: dict[str, np.ndarray], name: str, error: type[Exception],
               kind: str) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, the other arrays) of an nnstudio ``kind`` file named ``name``; ``error`` names a problem."""
    if "meta" not in arrays:
        raise error(f"{name}: no 'meta' entry; not an nnstudio {kind} file")
    meta_array = arrays.pop("meta")
    if meta_array.dtype.kind != "U" or meta_array.ndim != 0:
        raise error(f"{name}: 'meta' must be one JSON string")
    try:
        meta = json.loads(str(meta_array))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise error(f"{name}: 'meta' is not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise error(f"{name}: 'meta' must be a JSON object")
    return meta, arrays


def mismatch(expected: set[str], arrays: dict[str, np.ndarray]) -> str:
    """What the arrays' names lack and hold beyond ``expected``: "missing W1; unexpected W9"."""
    missing, extra = sorted(expected - set(arrays)), sorted(set(arrays) - expected)
    return "; ".join(part for part in (
        f"missing {', '.join(missing)}" if missing else "",
        f"unexpected {', '.join(extra)}" if extra else "") if part)


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, key: str, error: type[Exception]) -> np.ndarray:
    with archive.open(info) as handle:
        version = npy.read_magic(handle)
        if version == (1, 0):
            shape, _fortran, dtype = npy.read_array_header_1_0(handle)
        elif version == (2, 0):
            shape, _fortran, dtype = npy.read_array_header_2_0(handle)
        else:
            raise error(f"array {key!r} has an unsupported .npy version {version}")
        if dtype.hasobject:
            raise error(f"array {key!r} holds Python objects, which only pickle could load; refused")
        if dtype.kind not in "biufU":
            raise error(f"array {key!r} has an unexpected type {dtype}")
        if math.prod(shape) * dtype.itemsize > info.file_size:
            raise error(f"array {key!r} claims more data than its entry holds")
    with archive.open(info) as handle:
        array = npy.read_array(handle, allow_pickle=False)
        if handle.read(1):  # reading on to the end also checks the entry's CRC
            raise error(f"array {key!r} is followed by unexpected data")
    return array


def read_checked_archive(path: Path, error: type[Exception], kind: str,
                         max_bytes: int) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays) of the nnstudio ``kind`` file at ``path``, read entry by entry.

    Each entry's header, type, size and CRC are checked and nothing unpacks beyond
    ``max_bytes``; ``error`` carries a message naming the file and the problem.
    """
    name = path.name
    arrays: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > max_bytes:
                raise error(f"{name}: unpacks to more than the {max_bytes >> 20} MB limit for {kind} files")
            for info in infos:
                key = info.filename[:-4] if info.filename.endswith(".npy") else ""
                if not key or "/" in key:
                    raise error(f"{name}: unexpected entry {info.filename!r}; not a {kind} file")
                if key in arrays:
                    raise error(f"{name}: array {key!r} appears twice")
                arrays[key] = _read_entry(archive, info, key, error)
    except error as exc:
        message = str(exc)
        raise error(message if message.startswith(name) else f"{name}: {message}") from None
    except Exception as exc:  # noqa: BLE001
        # A damaged or hostile zip can fail in many ways (BadZipFile, zlib.error, EOFError,
        # RuntimeError for an encrypted entry, NotImplementedError for a compression method,
        # ValueError for a bad .npy header, MemoryError...); all mean the same to the user.
        raise error(f"{name}: not a readable {kind} file ({type(exc).__name__}: {exc})") from None
    return split_meta(arrays, name, error, kind)
