"""The SEND Tribunal appeal rate in the KPI table's areas: LAs, regions and England.

DfE's appeal-rate table (:mod:`~analysis_helpers.data.tribunal`) publishes LA
rows and an England total, but no region totals, and names LAs its own way.
This module puts it in the KPI table's terms:

* **areas**: an LA row is matched to the release's area by its name (footnote
  numbers stripped, case and punctuation ignored), and only failing that by its
  LA code (the file's ``Durham`` and ``Herefordshire``). A code never takes an
  area another row has by name, because the file's codes are not all DfE's: it
  gives Nottingham 891, Nottinghamshire 928 and Northamptonshire 892, where
  DfE's other files have 892, 891 and 928. Bournemouth and Poole, published
  without a code, are found by name (the release has them from its January
  2019 census). Rows for LAs the release does not have (every LA outside a
  fixture release) are left out of the LA rows but still count in their
  region; on the real release every LA row finds its area (tested).
* **regions** are the sums of their LAs' published counts (every LA row under
  the region's heading, Inner and Outer London together), the rule by which
  DfE's England total is the sum of all LA rows (the reader checks that). A
  count suppressed (``~``) in any of a region's LAs leaves that region's count
  missing.
* **periods** are calendar years (``2023``, ending 2023-12-31). A year in which
  an LA has neither count (``..``: the LA did not exist, or a blank) has no row,
  as elsewhere in the KPI table; a year with one count missing keeps its row
  with the value missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_helpers.core.errors import DataValidationError, UnknownAreaError
from analysis_helpers.data.periods import CALENDAR, parse_time_period
from analysis_helpers.data.release import Release
from analysis_helpers.data.tribunal import TRIBUNAL_FILE, AppealTable, parse_tribunal_csv
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, NATIONAL, REGIONAL, Area, Areas

NUMERATOR = "appeals_registered"
DENOMINATOR = "appealable_decisions"
#: Region headings that are not a region's name.
HEADING_REGIONS = {"INNER LONDON": "London", "OUTER LONDON": "London"}


def read_appeals(release: Release) -> AppealTable:
    """The release's appeal-rate table, parsed once per release."""
    return release.remember("appeals", lambda: parse_tribunal_csv(release.read_bytes(TRIBUNAL_FILE), release.label(TRIBUNAL_FILE)))


def appeal_counts(table: AppealTable, areas: Areas) -> pd.DataFrame:
    """One row per area and year: ``area_code``, ``area_name``, ``geographic_level``, ``period``, ``period_end``,
    ``numerator`` (appeals registered) and ``denominator`` (total appealable decisions)."""
    data = table.data
    las = data[data["geographic_level"] == LOCAL_AUTHORITY]
    parts = [_national(data[data["geographic_level"] == "National"], areas), _regions(las, areas, table.source)]
    matched = las.assign(area=las["area_name"].map(match_las(table, areas)))
    matched = matched[matched["area"].notna()]
    codes = pd.Series([a.code for a in matched["area"]], index=matched.index)
    twice = pd.DataFrame({"code": codes, "year": matched["year"]}).duplicated()
    if twice.any():
        row = matched[twice].iloc[0]
        raise DataValidationError(
            f"{table.source}: line {row['line']}, column A: {row['area_name']!r} is a second row for {row['area'].name} "
            f"in {row['year']} (expected one row per local authority)"
        )
    parts.append(pd.DataFrame({
        "area_code": [a.code for a in matched["area"]], "area_name": [a.name for a in matched["area"]],
        "geographic_level": LOCAL_AUTHORITY, "year": matched["year"].to_numpy(),
        "numerator": matched[NUMERATOR].to_numpy(dtype=float), "denominator": matched[DENOMINATOR].to_numpy(dtype=float),
    }))
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[rows["numerator"].notna() | rows["denominator"].notna()]
    periods = {y: parse_time_period(y, CALENDAR) for y in rows["year"].unique()}
    rows = rows.assign(period=rows["year"].map(lambda y: periods[y][0]), period_end=rows["year"].map(lambda y: periods[y][1]))
    return rows.drop(columns="year").reset_index(drop=True)


def match_las(table: AppealTable, areas: Areas) -> dict[str, Area | None]:
    """The release's area for each LA name of the file (None where the release has none).

    By name first; a name the release does not know (the file's ``Durham`` and
    ``Herefordshire`` are DfE's ``County Durham`` and ``Herefordshire, County
    of``) by its LA code, unless another row of the file already has that
    code's area by name: the file's codes for Nottingham, Nottinghamshire and
    Northamptonshire are each another of the three's.
    """
    las = table.data[table.data["geographic_level"] == LOCAL_AUTHORITY].drop_duplicates("area_name")
    found = {name: _by_name(areas, name) for name in las["area_name"]}
    by_name = {a.code for a in found.values() if a is not None}
    for name, code in zip(las["area_name"], las["la_code"], strict=True):
        area = areas.by_la_number(code) if found[name] is None and code else None
        if area is not None and area.code not in by_name:
            found[name] = area
    return found


def _by_name(areas: Areas, name: str) -> Area | None:
    try:
        area = areas.get(name)
    except UnknownAreaError:
        return None
    return area if area.level == LOCAL_AUTHORITY else None


def _national(rows: pd.DataFrame, areas: Areas) -> pd.DataFrame:
    england = areas.england()
    return pd.DataFrame({
        "area_code": england.code, "area_name": england.name, "geographic_level": NATIONAL, "year": rows["year"].to_numpy(),
        "numerator": rows[NUMERATOR].to_numpy(dtype=float), "denominator": rows[DENOMINATOR].to_numpy(dtype=float),
    })


def _regions(las: pd.DataFrame, areas: Areas, source: str) -> pd.DataFrame:
    """Each region's sums of its LAs' counts (missing where one of them is suppressed)."""
    region_names = las["region"].map(lambda h: HEADING_REGIONS.get(h, h))
    out = []
    for (heading, year), group in las.groupby([region_names, "year"], sort=True):
        try:
            region = areas.get(heading)
        except UnknownAreaError:
            region = None
        if region is None or region.level != REGIONAL:
            line = int(group["line"].min()) - 1
            raise DataValidationError(f"{source}: line {line}, column A: heading {heading!r} is not one of the release's regions")
        sums = []
        for column in (NUMERATOR, DENOMINATOR):
            suppressed = (group[f"{column}_symbol"] == "~").any()
            sums.append(np.nan if suppressed else group[column].sum(min_count=1))
        out.append({"area_code": region.code, "area_name": region.name, "geographic_level": REGIONAL, "year": year,
                    "numerator": sums[0], "denominator": sums[1]})
    return pd.DataFrame(out)
