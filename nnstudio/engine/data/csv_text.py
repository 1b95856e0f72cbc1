"""Reading CSV text, the one way NN Studio does it: decoding, delimiter sniffing, records with their lines, numbers.

The dataset loader, the import dialog's preview and the data table's cell edits all use
these, so a file and a typed cell are read alike everywhere.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import numbers
import re
from collections.abc import Iterator
from pathlib import Path

from nnstudio.engine.data.dataset_core import DatasetError

__all__ = ["file_label", "decode_csv_bytes", "records", "sniff_delimiter", "parse_number", "is_integer_text",
           "finite_number", "NOT_A_NUMBER", "NOT_FINITE"]

# Plain decimal numbers only: float() would also take "1_000" and non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.ASCII | re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_LINE_END = re.compile(r"\r\n|\r|\n")  # what io.StringIO(newline="") splits lines on

#: Why a cell is refused as a feature value (after the cell itself, quoted).
NOT_A_NUMBER = "is not a number"
NOT_FINITE = "is not a finite number (NaN and infinity are not allowed)"


def file_label(path: Path) -> str:
    """The file's name as messages show it: quoted when it holds a line break or another unprintable character."""
    name = path.name or str(path)
    return name if name.isprintable() else repr(name)


def decode_csv_bytes(data: bytes, label: str, partial: bool = False) -> str:
    """The text of a CSV file's bytes: UTF-16 after its byte-order mark, else UTF-8 (BOM optional).

    ``partial``: ``data`` is the start of a longer file, so a character cut at its end is
    left out instead of refused. DatasetError for binary content or text that does not decode.
    """
    binary = f"{label}: looks like a binary file (it contains a NUL byte), not CSV text"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        encoding, name = "utf-16", "UTF-16"
    else:
        if b"\x00" in data:
            odd, even = data[1::2], data[0::2]
            if len(data) >= 2 and (odd.count(0) == len(odd) or even.count(0) == len(even)):
                raise DatasetError(f"{label}: looks like UTF-16 text without a byte-order mark; "
                                   "save the file as UTF-8 CSV")
            raise DatasetError(binary)
        encoding, name = "utf-8-sig", "UTF-8"
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(data, final=not partial)
    except UnicodeDecodeError as e:
        line = data[: e.start].decode(encoding, "replace").count("\n") + 1
        raise DatasetError(f"{label}: line {line}: not {name} text; save the file as UTF-8 CSV", line=line) from None
    if "\x00" in text:
        raise DatasetError(binary)
    return text


def _line_of(text: str, offset: int) -> int:
    """The 1-based line of ``text[offset]``, counting line ends as the csv module does."""
    return len(_LINE_END.findall(text, 0, offset)) + 1


def _unclosed_quote(text: str, delimiter: str, row: list[str]) -> int | None:
    """Where the quote opening ``row``'s last cell is, if that cell is still open at the end of ``text``.

    Inside quotes the csv module keeps every character but turns ``""`` into ``"``, so an
    unclosed last cell is exactly the text's tail after its opening quote.
    """
    if not row:
        return None
    tail = '"' + row[-1].replace('"', '""')
    if not text.endswith(tail):
        return None
    at = len(text) - len(tail)
    return at if at == 0 or text[at - 1] in (delimiter, "\r", "\n") else None


def _csv_error(text: str, label: str, line: int, error: csv.Error) -> DatasetError:
    if "field larger than field limit" not in str(error):
        return DatasetError(f"{label}: line {line}: cannot read it as CSV ({error})", line=line)
    starts = [0] + [m.end() for m in itertools.islice(_LINE_END.finditer(text), line - 1)]
    line_text = _LINE_END.split(text[starts[-1]:], maxsplit=1)[0]
    hint = '; is a quote (") on this line missing its closing quote?' if '"' in line_text else ""
    return DatasetError(f"{label}: line {line}: cannot read it as CSV (a cell is longer than "
                        f"{csv.field_size_limit()} characters{hint})", line=line)


def records(text: str, delimiter: str, label: str, strict: bool = True) -> Iterator[tuple[int, list[str]]]:
    """Yield (1-based start line, stripped cells) per record, skipping all-empty rows.

    ``strict``: text that is not CSV raises DatasetError naming its line. A quote left
    open swallows the rest of the file into one cell, so the last record is held back
    until the end shows whether it did. Not strict (a preview of a file's start), the
    records simply end where the text stops reading as CSV.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    pending: tuple[int, list[str]] | None = None
    last_row: list[str] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            if not strict:
                break
            raise _csv_error(text, label, previous + 1, e) from None
        start, previous = previous + 1, reader.line_num
        if pending is not None:
            yield pending
            pending = None
        cells = [c.strip() for c in row]
        if any(cells):  # also skips ",,," rows that spreadsheets leave behind
            pending = (start, cells)
        last_row = row
    quote = _unclosed_quote(text, delimiter, last_row) if strict else None
    if quote is not None:
        line = _line_of(text, quote)
        raise DatasetError(f'{label}: line {line}: the quote (") that opens a cell here '
                           "is never closed, so the rest of the file reads as one cell", line=line)
    if pending is not None:
        yield pending


def _first_record(text: str, delimiter: str) -> list[str] | None:
    """The first record's stripped cells split by ``delimiter``; None if there is none or it is not CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            cells = [c.strip() for c in row]
            if any(cells):
                return cells
    except csv.Error:
        return None
    return None


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; tab that splits the header into the most cells (comma on ties)."""
    best, best_count = ",", 1  # another delimiter must at least split the header in two
    for delimiter in ",;\t":
        header = _first_record(text, delimiter)
        if header is not None and len(header) > best_count:
            best, best_count = delimiter, len(header)
    return best


def parse_number(cell: str) -> float | None:
    """The cell's value (possibly nan/inf), or None if it is not a plain decimal number."""
    if _NUMBER.fullmatch(cell) or _NONFINITE.fullmatch(cell):
        return float(cell)
    return None


def is_integer_text(cell: str) -> bool:
    """True for an integer literal such as ``"3"`` or ``"-12"`` (not ``"3.0"``)."""
    return _INTEGER.fullmatch(cell) is not None


def finite_number(value: object) -> tuple[float | None, str]:
    """(the finite number, "") or (None, :data:`NOT_A_NUMBER` or :data:`NOT_FINITE`) for a cell or a typed value.

    A string is stripped and must be a plain decimal number; a real number is taken as it
    is (a bool is not a number).
    """
    if isinstance(value, bool):
        return None, NOT_A_NUMBER
    if isinstance(value, numbers.Real):
        number: float | None = float(value)
    elif isinstance(value, str):
        number = parse_number(value.strip())
    else:
        number = None
    if number is None:
        return None, NOT_A_NUMBER
    if not math.isfinite(number):
        return None, NOT_FINITE
    return number, ""
