"""EES geography: which columns place a row, and its area code and name.

Each row gets ``area_code``/``area_name`` for its geographic level: England's
country code, the region's code, or the local authority's GSS code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_helpers.core.errors import DataValidationError

GEOGRAPHY_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
)
#: Columns every EES file must have for this package to place its rows.
REQUIRED_GEOGRAPHY = ("time_period", "time_identifier", "geographic_level")

#: DfE's geographic levels, as its files write them (the one place they are spelt).
NATIONAL = "National"
REGIONAL = "Regional"
LOCAL_AUTHORITY = "Local authority"
#: Geographic level -> the columns holding its code and name.
LEVEL_COLUMNS = {
    NATIONAL: ("country_code", "country_name"),
    REGIONAL: ("region_code", "region_name"),
    LOCAL_AUTHORITY: ("new_la_code", "la_name"),
}


def add_geography(frame: pd.DataFrame, label: str) -> None:
    """Add ``area_code``/``area_name`` for the row's geographic level.

    A level whose columns are missing, or a row with an empty name, is a
    :class:`DataValidationError` naming the line and column.
    """
    level = frame["geographic_level"].to_numpy()
    code = np.full(len(frame), "", dtype=object)
    name = np.full(len(frame), "", dtype=object)
    for lvl, (code_col, name_col) in LEVEL_COLUMNS.items():
        rows = level == lvl
        if not rows.any():
            continue
        for column in (code_col, name_col):
            if column not in frame.columns:
                raise DataValidationError(f"{label}: column {column!r} is missing but the file has {lvl} rows")
        code[rows] = frame[code_col].to_numpy()[rows]
        name[rows] = frame[name_col].to_numpy()[rows]
        blank = rows & (name == "")
        if blank.any():
            row = int(np.argmax(blank))
            raise DataValidationError(f"{label}: line {row + 2}, column {name_col!r}: empty for a {lvl} row")
    frame["area_code"] = code
    frame["area_name"] = name
