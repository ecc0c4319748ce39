"""DfE's Dedicated Schools Grant (DSG) cumulative balance by area, read as published.

``raw/dsg_deficit_derived.xlsx`` gives each LA's, region's and England's
cumulative DSG deficit as a % of income (positive = deficit), 2019-20 to
2021-22. The file is checked against the data log before it is read; a missing
column is a one-line error naming the file and the column.
"""

from __future__ import annotations

import pandas as pd

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.paths import DSG_DEFICIT_FILE
from analysis_helpers.data import parquet_cache
from analysis_helpers.data.geography import LOCAL_AUTHORITY
from analysis_helpers.data.provenance import verify_raw_file

DSG_COLUMN = "deficit"


def dsg_table(path=DSG_DEFICIT_FILE) -> pd.DataFrame:
    """``financial_year, level, name, deficit_pct`` (cumulative DSG deficit as % of income).

    Read from the workbook once and kept as parquet under its SHA-256 and a hash of the package's code
    (:func:`~analysis_helpers.data.parquet_cache.cached_frame`), so each notebook kernel skips the spreadsheet.
    """
    return parquet_cache.file_table("dsg", path, verify_raw_file(path), read_dsg_file)


def read_dsg_file(path) -> pd.DataFrame:
    """The DSG table of :func:`dsg_table`, read from the workbook."""
    frame = pd.read_excel(path, engine="openpyxl")
    for column in ("financial_year", "geographic_level", "la_name", "region_name", DSG_COLUMN):
        if column not in frame.columns:
            raise DataValidationError(f"{path.name}: column {column!r} is missing (expected DfE's DSG deficit table)")
    name = frame["la_name"].where(frame["geographic_level"] == LOCAL_AUTHORITY, frame["region_name"])
    name = name.where(frame["geographic_level"] != "National", "England")
    return pd.DataFrame(
        {"financial_year": frame["financial_year"], "level": frame["geographic_level"], "name": name,
         "deficit_pct": pd.to_numeric(frame[DSG_COLUMN], errors="coerce")}
    )


