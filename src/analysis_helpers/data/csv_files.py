"""Hand-kept CSV files (council feeds, targets, the council-measures catalogue, area facts): decoded strictly, read with line numbers.

Every such file must be UTF-8, with or without a byte-order mark (Excel's "CSV
UTF-8"), and separated by commas. Nothing is guessed: a file in another
encoding is refused in one line naming the line and the first byte that is not
UTF-8 (a single Windows-1252 byte would otherwise turn every ``£`` of a UTF-8
file into ``Â£`` without a word); UTF-16 (Excel's "Unicode Text") and files
separated by semicolons or tabs (Excel in many locales) are named as such. The
header is line 1, so a row's line number is what a spreadsheet shows. A missing
file or a missing header column stops with one line naming the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from analysis_helpers.core.errors import DataValidationError

#: The encodings a hand-kept CSV may be in, as every refusal names them.
ACCEPTED_ENCODINGS = "UTF-8, with or without a byte-order mark"
#: How to save a file so that it reads, as every refusal says it.
SAVE_AS = 'save it from Excel as "CSV UTF-8 (Comma delimited)"'
_UTF16_BOMS = {b"\xff\xfe": "FF FE", b"\xfe\xff": "FE FF"}
_DELIMITERS = {";": "semicolons", "\t": "tabs"}


def decode_csv(data: bytes, name: str) -> str:
    """The text of a hand-kept CSV file's bytes; anything but UTF-8 stops with one line naming ``name``, line and byte."""
    for bom, shown in _UTF16_BOMS.items():
        if data.startswith(bom):
            raise DataValidationError(f"{name}: line 1: bytes {shown} begin UTF-16 text, not UTF-8; "
                                      f"the encodings accepted are {ACCEPTED_ENCODINGS}: {SAVE_AS}")
    if b"\x00" in data:
        sample = data[:4096]
        if sample.count(b"\x00") * 4 >= len(sample):  # every other byte NUL: UTF-16 without its byte-order mark
            raise DataValidationError(f"{name}: line 1: the file is UTF-16 text (NUL bytes between the letters), not UTF-8; "
                                      f"the encodings accepted are {ACCEPTED_ENCODINGS}: {SAVE_AS}")
        raise _not_utf8(data, data.index(b"\x00"), name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(data, exc.start, name) from None


def _not_utf8(data: bytes, start: int, name: str) -> DataValidationError:
    line = data[:start].count(b"\n") + 1
    byte = data[start]
    try:
        hint = f" ({bytes([byte]).decode('cp1252')!r} in Windows-1252)" if byte >= 0x80 else " (NUL)" if byte == 0 else ""
    except UnicodeDecodeError:
        hint = ""
    return DataValidationError(f"{name}: line {line}: byte 0x{byte:02X}{hint} is not UTF-8; "
                               f"the encodings accepted are {ACCEPTED_ENCODINGS}: {SAVE_AS}")


def check_delimiter(text: str, name: str) -> None:
    """Stop with one line when the header (line 1) is separated by semicolons or tabs rather than commas."""
    header = text.split("\n", 1)[0]
    if "," in header:
        return
    found = [word for mark, word in _DELIMITERS.items() if mark in header]
    if found:
        raise DataValidationError(f"{name}: line 1: the file is separated by {found[0]}, not commas; {SAVE_AS}")


def read_text(path: Path) -> str:
    """The text of a hand-kept CSV file: strictly UTF-8 (BOM allowed) and comma-separated, or one line saying why not."""
    path = Path(path)
    text = decode_csv(path.read_bytes(), path.name)
    check_delimiter(text, path.name)
    return text


def read_rows(path: Path, columns: Sequence[str], missing_file: str) -> list[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each data row; ``missing_file`` is the message when the file does not exist."""
    path = Path(path)
    if not path.exists():
        raise DataValidationError(missing_file)
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise DataValidationError(f"{path.name}: column {missing[0]!r} is missing from the header (expected: {', '.join(columns)})")
    return list(enumerate(reader, start=2))
