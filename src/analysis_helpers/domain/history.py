"""The long timeliness series, 2014 onwards, with DfE's 2023 change of collection.

The current release starts in 2019. The 2022 release, in DfE's older aggregate
schema (``sen2_mi.csv``), goes back to 2014. A small schema adapter maps its
columns onto the same measures, so the two releases meet in one table:

* periods the current release covers come from the current release;
* earlier periods come from the 2022 release;
* where both cover a period (2019–2021) the values must agree, which
  :func:`overlap` lets a test check;
* ``collection`` says which SEN2 collection a row comes from, and
  ``series_break`` is True on the first period of the person-level collection.
  That period is read from the data, not typed in: it is the first period in
  which the release publishes breakdowns below "all plans" (2023 for
  timeliness), because only the person-level collection has them.

Percentages are 0–100.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analysis_helpers.core.errors import DataValidationError
from analysis_helpers.core.vintage import public_by
from analysis_helpers.data.ees_csv import FileSchema
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import LEVEL_ORDER, LOCAL_AUTHORITY, Areas, areas_for
from analysis_helpers.domain.kpis import KPI_COLUMNS, kpi_rows, kpi_table
from analysis_helpers.domain.measures import HEADLINE_MEASURE, TIMELINESS_MEASURE, get_measure, schemas

HISTORIC_FILE = "sen2_mi.csv"
#: Old-schema numerator and denominator columns for each timeliness measure.
ADAPTER = {
    TIMELINESS_MEASURE: ("IncExc20weekEHC", "TotIncExcEHC"),
    HEADLINE_MEASURE: ("NoExc20weekEHC", "TotNoExcEHC"),
}
HISTORIC_SCHEMA = FileSchema(HISTORIC_FILE, tuple(c for pair in ADAPTER.values() for c in pair), filters=())
AGGREGATE = "aggregate (LA returns of totals)"
PERSON_LEVEL = "person-level (LA returns of each child)"
HISTORY_COLUMNS = [*KPI_COLUMNS, "collection", "series_break"]


def break_period(measure: str, release: Release) -> str | None:
    """First period of the person-level collection for a measure's file.

    Read from the data: the first period with any breakdown topic other than
    the all-plans one (only the person-level collection has breakdowns).
    """
    m = get_measure(measure)
    data = release.read(m.file, schemas()[m.file]).data
    detailed = data[data["breakdown_topic"] != m.breakdown_topic]
    if detailed.empty:
        return None
    return detailed.sort_values("period_end")["period"].iloc[0]


def historic_rows(measure: str, historic: Release, areas: Areas) -> pd.DataFrame:
    """KPI-shaped rows for one timeliness measure from the 2022 (old-schema) release."""
    numerator_col, denominator_col = ADAPTER[measure]
    parsed = historic.read(HISTORIC_FILE, HISTORIC_SCHEMA)
    data = parsed.data[parsed.data["geographic_level"].isin(LEVEL_ORDER)]
    la = data["geographic_level"] == LOCAL_AUTHORITY
    found = data["old_la_code"].map(lambda n: areas.by_la_number(n))
    area_code = data["area_code"].where(~la, [a.code if a else c for a, c in zip(found, data["area_code"], strict=True)])
    area_name = data["area_name"].where(~la, [a.name if a else c for a, c in zip(found, data["area_name"], strict=True)])
    return kpi_rows(data, area_code, area_name, measure, "pct", data[numerator_col], data[denominator_col], parsed.source)


def timeliness_history(
    measure: str = HEADLINE_MEASURE,
    *,
    release: Release,
    historic: Release | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """The 2014-onwards series of a timeliness measure for every area.

    Columns: the KPI table's, plus ``collection`` and ``series_break``.
    With ``as_of``, only releases published by that date are used (so a past
    review is reproduced as it would have looked); if the current release was
    not yet out, the series ends where the 2022 release ends. ``historic`` defaults to the release the run
    opened beside ``release`` (:attr:`Release.historic`); the series is built once and kept on ``release``.
    """
    if measure not in ADAPTER:
        raise KeyError(f"no long history for {measure}; available: {', '.join(ADAPTER)}")
    historic = historic or release.historic
    key = ("history", measure, historic.sha256, as_of)
    return release.remember(key, lambda: _build_history(measure, release, historic, as_of)).copy()


def _build_history(measure: str, release: Release, historic: Release, as_of: dt.date | None) -> pd.DataFrame:
    areas = areas_for(release)
    # a release with no logged date is not known to have been public at a past data date
    use_current = as_of is None or (release.published is not None and public_by(release.published, as_of))
    use_historic = as_of is None or (historic.published is not None and public_by(historic.published, as_of))
    if not (use_current or use_historic):
        raise DataValidationError(
            f"no DfE release in the data log was published by {as_of} (earliest: "
            f"{min(d for d in (release.published, historic.published) if d)}); choose a later as_of"
        )
    current = kpi_table(release)
    current = current[current["measure"] == measure] if use_current else current.iloc[0:0]
    first_current = current["period_end"].min() if len(current) else pd.Timestamp.max
    old = historic_rows(measure, historic, areas) if use_historic else current.iloc[0:0]
    old = old[old["period_end"] < first_current]
    table = pd.concat([old, current], ignore_index=True)
    start = break_period(measure, release) if use_current else None
    start_end = table.loc[table["period"] == start, "period_end"].min() if start else pd.NaT
    person = table["period_end"] >= start_end if start else pd.Series(False, index=table.index)
    table["collection"] = np.where(person, PERSON_LEVEL, AGGREGATE)
    table["series_break"] = (table["period"] == start) if start else False
    table["_level"] = table["geographic_level"].map(LEVEL_ORDER)
    table = table.sort_values(["_level", "area_name", "period_end"], kind="stable").drop(columns="_level")
    return table.reset_index(drop=True)[HISTORY_COLUMNS]


def overlap(
    measure: str = HEADLINE_MEASURE,
    *,
    release: Release,
    historic: Release | None = None,
) -> pd.DataFrame:
    """Rows that both releases publish, side by side (``*_current`` vs ``*_historic``)."""
    historic = historic or release.historic
    current = kpi_table(release)
    current = current[current["measure"] == measure]
    old = historic_rows(measure, historic, areas_for(release))
    both = current.merge(old, on=["area_code", "period"], suffixes=("_current", "_historic"))
    return both[
        ["area_code", "area_name_current", "period", "numerator_current", "numerator_historic",
         "denominator_current", "denominator_historic", "value_current", "value_historic"]
    ]


def break_date(measure: str, release: Release) -> pd.Timestamp | None:
    """Where to draw the series break on a time axis: the end of the last period
    of the old collection (the day before the first person-level period starts)."""
    start = break_period(measure, release)
    if start is None:
        return None
    m = get_measure(measure)
    data = release.read(m.file, schemas()[m.file]).data
    ends = data.drop_duplicates("period").sort_values("period_end")
    earlier = ends[ends["period_end"] < ends.loc[ends["period"] == start, "period_end"].iloc[0]]
    return earlier["period_end"].iloc[-1] if len(earlier) else None
