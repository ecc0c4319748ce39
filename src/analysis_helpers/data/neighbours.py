"""DfE children's services statistical neighbours (10 per LA, with closeness).

DfE publishes the lists as spreadsheets with a few header rows on top; the row
whose first cell is ``LA num`` holds the column names (``SN1``, ``SNP``, …,
``SN10``, ``SNP``). Neighbours are given as old three-digit LA numbers.

Two vintages ship with the workbook: ``"2025"`` (May 2025, the default) and
``"2021"`` (April 2021, in force when Kent's APP began).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis_helpers.core.errors import DataValidationError, ParameterError
from analysis_helpers.core.paths import NEIGHBOUR_FILES
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.provenance import verify_raw_file

VINTAGES = tuple(NEIGHBOUR_FILES)
#: The newest list that ships (the vintages are the lists' years).
DEFAULT_VINTAGE = max(VINTAGES)
NEIGHBOURS_PER_LA = 10
NO_NEIGHBOUR = {"", "-"}


@dataclass(frozen=True)
class Neighbour:
    """One statistical neighbour: its rank (1 = closest), LA number and band."""

    rank: int
    la_number: str
    name: str
    closeness: str


def check_vintage(vintage: str | int) -> str:
    vintage = str(vintage)
    if vintage not in NEIGHBOUR_FILES:
        raise ParameterError(f"neighbours must be one of {', '.join(VINTAGES)} (the DfE list's year), got {vintage!r}")
    return vintage


def neighbour_table(vintage: str = DEFAULT_VINTAGE) -> pd.DataFrame:
    """Long table: ``la_number, la_name, rank, neighbour_number, closeness``.

    Read from the workbook once and kept as parquet (:func:`~analysis_helpers.data.parquet_cache.cached_frame`)
    under the workbook's SHA-256 and a hash of the package's code, so each notebook kernel skips the spreadsheet.
    """
    path = NEIGHBOUR_FILES[check_vintage(vintage)]
    return parquet_cache.file_table("neighbours", path, verify_raw_file(path), read_neighbour_file)


def read_neighbour_file(path: Path) -> pd.DataFrame:
    """Parse a DfE statistical-neighbour workbook into a long table.

    Raises
    ------
    DataValidationError
        If the header row cannot be found, a neighbour column is missing, or a
        row names a neighbour that is not a three-digit LA number.
    """
    verify_raw_file(path)
    try:
        sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise DataValidationError(f"{path.name}: cannot be read as an Excel workbook ({exc})") from exc
    header_rows = sheet.index[sheet.iloc[:, 0].astype(str).str.strip().str.lower() == "la num"]
    if len(header_rows) == 0:
        raise DataValidationError(f"{path.name}: no header row starting 'LA num' in the first sheet")
    top = header_rows[0]
    header = [str(h).strip() if pd.notna(h) else "" for h in sheet.iloc[top]]
    for needed in ["LA num", "LA Name"] + [f"SN{i}" for i in range(1, NEIGHBOURS_PER_LA + 1)]:
        if needed not in header:
            raise DataValidationError(f"{path.name}: row {top + 1}: column {needed!r} is missing from the header")
    records = []
    for offset, row in sheet.iloc[top + 1 :].iterrows():
        number = row.iloc[header.index("LA num")]
        if pd.isna(number) or str(number).strip() == "":
            continue
        la_number = _la_number(number, path, offset, "LA num")
        name = str(row.iloc[header.index("LA Name")]).strip()
        for rank in range(1, NEIGHBOURS_PER_LA + 1):
            position = header.index(f"SN{rank}")
            neighbour = row.iloc[position]
            if pd.isna(neighbour) or str(neighbour).strip() in NO_NEIGHBOUR:
                continue  # DfE writes "-" where an LA has no list (e.g. new LAs in 2021)
            closeness = row.iloc[position + 1] if position + 1 < len(row) else None
            records.append(
                {
                    "la_number": la_number,
                    "la_name": name,
                    "rank": rank,
                    "neighbour_number": _la_number(neighbour, path, offset, f"SN{rank}"),
                    "closeness": str(closeness).strip().capitalize() if pd.notna(closeness) else "",
                }
            )
    if not records:
        raise DataValidationError(f"{path.name}: the neighbour table has no rows under its header")
    return pd.DataFrame.from_records(records)




def _la_number(value, path: Path, row: int, column: str) -> str:
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not (text.isdigit() and len(text) == 3):
        raise DataValidationError(f"{path.name}: row {row + 1}, column {column!r}: {value!r} is not a three-digit LA number")
    return text


def neighbours_of(la_number: str, vintage: str = DEFAULT_VINTAGE) -> list[Neighbour]:
    """The LA's statistical neighbours, closest first (empty if the list has no row for it)."""
    table = neighbour_table(check_vintage(vintage))
    rows = table[table["la_number"] == str(la_number)].sort_values("rank")
    names = dict(zip(table["la_number"], table["la_name"], strict=True))
    return [
        Neighbour(int(r.rank), r.neighbour_number, names.get(r.neighbour_number, r.neighbour_number), r.closeness)
        for r in rows.itertuples()
    ]
