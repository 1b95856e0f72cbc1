"""What the loader fuzz tests share: hypothesis settings, header names a spreadsheet has, loading bytes from a file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: Texts that read as a number although they are words.
NUMBER_LIKE = ("nan", "inf", "infinity")

# Header names: letters (some non-ASCII), digits, inner spaces and punctuation a real
# spreadsheet has, quotes included (the writer doubles them). The three delimiters the
# loader sniffs (, ; tab) are left out here: see test_a_header_name_holding_another_delimiter.
NAME_CHARS = st.sampled_from(list("abcxyzABCXYZ0123456789_-.()[]%/#=+*'\"é漢ß") + [" "])
header_names = st.text(NAME_CHARS, min_size=1, max_size=12).map(str.strip).filter(
    lambda s: s != "" and s.lower() not in NUMBER_LIKE)


def load_bytes(data: bytes, suffix: str, loader):
    """``loader`` called on a temporary file holding ``data``, named with ``suffix``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        return loader(path)
