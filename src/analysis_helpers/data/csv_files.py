"""Small hand-kept CSV files (targets, the council-measures catalogue): read with their line numbers.

UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"); the header is
line 1, so a row's line number is what a spreadsheet shows. A missing file or a
missing header column stops with one line naming the file.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from analysis_helpers.core.errors import DataValidationError


def read_rows(path: Path, columns: Sequence[str], missing_file: str) -> list[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each data row; ``missing_file`` is the message when the file does not exist."""
    path = Path(path)
    if not path.exists():
        raise DataValidationError(missing_file)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise DataValidationError(f"{path.name}: column {missing[0]!r} is missing from the header (expected: {', '.join(columns)})")
        return list(enumerate(reader, start=2))
