"""The seed baselines, each stated with its basis.

An area's plan starts from a baseline in its targets file: Kent's APP started
from "13.2% in June 2023", one month of the council's own management
information. DfE's figure for the same process is a calendar-year count (Kent
2023: 324 of 1,804 plans, 18.0%), and England's is the national calendar-year
rate. They are different measures of one process, so this table keeps them side
by side with their basis and never joins them into one series.

Which month and year are read from the data, never typed in: the baseline date
of the area's earliest 20-week target in ``data/targets.csv``; for an area with
no such target, the latest month of its local feed and DfE's latest calendar
year published by ``as_of``.

Council figures come from the area's validated local feed (``data/local/``),
with file, row and source kept; small numbers are not over-read: a monthly
figure without a denominator has no interval.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from analysis_helpers.core.vintage import ended_by, public_by
from analysis_helpers.data.local_feed import area_feed
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import Area, areas_for
from analysis_helpers.domain.kpis import kpi_table
from analysis_helpers.domain.measures import HEADLINE_MEASURE, TIMELINESS_MEASURE
from analysis_helpers.domain.targets import targets_for

#: The council's monthly figure and DfE's annual figure of the same process.
TIMELINESS = TIMELINESS_MEASURE

BASELINE_COLUMNS = ["figure", "area_name", "period", "value", "numerator", "denominator", "ci_low", "ci_high", "basis", "source"]


def baseline_dates(
    area: Area, release: Release, local: Path | str | None = None, targets_path: Path | None = None,
    as_of: dt.date | None = None,
) -> tuple[str, str]:
    """``(DfE calendar year, council month)`` of the area's seed baseline, read from the data.

    The baseline date of the area's earliest 20-week target (its month, and its
    calendar year for DfE); without one, DfE's latest calendar year published by
    ``as_of`` and the latest month of the area's feed that had ended by then.
    """
    mine = [t for t in targets_for(area.code, areas_for(release).get, targets_path) if t.measure == TIMELINESS]
    if mine:
        first = min(mine, key=lambda t: t.baseline_date)
        return str(first.baseline_date.year), f"{first.baseline_date:%Y-%m}"
    table = kpi_table(release) if public_by(release.published, as_of) else kpi_table(release).iloc[0:0]
    years = table[(table["measure"] == TIMELINESS) & (table["area_code"] == area.code)]["period"]
    feed = area_feed(area.slug, local)
    months = feed[(feed["measure"] == TIMELINESS) & (feed["period_kind"] == "month")
                  & ended_by(feed["period_end"], as_of)] if len(feed) else feed
    return (max(years) if len(years) else "", max(months["period"]) if len(months) else "")


def seed_baselines(
    area: Area, release: Release, period: str | None = None, month: str | None = None,
    local: Path | str | None = None, targets_path: Path | None = None, as_of: dt.date | None = None,
) -> pd.DataFrame:
    """The area's monthly council figure, DfE's calendar-year figures and England's.

    Parameters
    ----------
    area : Area
        The area (an LA for the council's own figure to exist).
    period : str, optional
        DfE calendar year to show; default from :func:`baseline_dates` (Kent: 2023,
        the year of its APP baseline).
    month : str, optional
        Month of the council's figure; default from :func:`baseline_dates` (Kent:
        ``2023-06``, the APP baseline).
    """
    default_period, default_month = baseline_dates(area, release, local, targets_path, as_of)
    period = default_period if period is None else period
    month = default_month if month is None else month
    table = kpi_table(release)
    rows = []
    feed = area_feed(area.slug, local)
    hit = feed[(feed["measure"] == TIMELINESS) & (feed["period"] == month)] if len(feed) else feed
    if len(hit):
        first = hit.iloc[0]
        rows.append(
            {
                "figure": f"Council figure, one month ({month})",
                "area_name": area.name,
                "period": month,
                "value": float(first["value"]),
                "numerator": first["numerator"],
                "denominator": first["denominator"],
                "basis": f"council management information as published; basis stated: {first['basis']}",
                "source": f"{first['file']} row {first['row']}: {first['source_title']}",
            }
        )
    for name, measure, label in (
        (area.name, TIMELINESS_MEASURE, "DfE calendar year, all plans issued"),
        (area.name, HEADLINE_MEASURE, "DfE calendar year, excluding exceptions (headline)"),
        ("England", HEADLINE_MEASURE, "DfE calendar year, excluding exceptions (headline)"),
    ):
        if name == "England" and area.name == "England":
            continue
        kpi = table[(table["area_name"] == name) & (table["measure"] == measure) & (table["period"] == period)]
        if kpi.empty:
            continue
        k = kpi.iloc[0]
        rows.append(
            {
                "figure": f"{label} ({period})",
                "area_name": name,
                "period": period,
                "value": k["value"],
                "numerator": k["numerator"],
                "denominator": k["denominator"],
                "ci_low": k["ci_low"],
                "ci_high": k["ci_high"],
                "basis": "plans issued in the calendar year; DfE SEN2 statistics",
                "source": k["source"],
            }
        )
    return pd.DataFrame(rows, columns=BASELINE_COLUMNS)
