"""The seed baselines, each stated with its basis.

Kent's APP started from "13.2% in June 2023": one month of the council's own
management information. DfE's figure for the same process is a calendar-year
count (Kent 2023: 324 of 1,804 plans, 18.0%), and England's is the national
calendar-year rate. They are different measures of one process, so this table
keeps them side by side with their basis and never joins them into one series.

Council figures come from the area's validated local feed (``data/local/``),
with file, row and source kept; small numbers are not over-read: a monthly
figure without a denominator has no interval.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import Area
from analysis_helpers.domain.kpis import kpi_table

BASELINE_COLUMNS = ["figure", "area_name", "period", "value", "numerator", "denominator", "ci_low", "ci_high", "basis", "source"]


def seed_baselines(
    area: Area, release: Release | None = None, period: str = "2023", month: str = "2023-06", local: Path | str | None = None
) -> pd.DataFrame:
    """The area's monthly council figure, DfE's calendar-year figures and England's.

    Parameters
    ----------
    area : Area
        The area (an LA for the council's own figure to exist).
    period : str
        DfE calendar year to show (default 2023, the year of Kent's APP baseline).
    month : str
        Month of the council's figure (default ``2023-06``, the APP baseline).
    """
    from analysis_helpers.data.local_feed import area_feed

    table = kpi_table(release)
    rows = []
    feed = area_feed(area.slug, local)
    hit = feed[(feed["measure"] == "ehcp_issued_within_20_weeks_pct") & (feed["period"] == month)] if len(feed) else feed
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
        (area.name, "ehcp_issued_within_20_weeks_pct", "DfE calendar year, all plans issued"),
        (area.name, "ehcp_issued_within_20_weeks_excl_exceptions_pct", "DfE calendar year, excluding exceptions (headline)"),
        ("England", "ehcp_issued_within_20_weeks_excl_exceptions_pct", "DfE calendar year, excluding exceptions (headline)"),
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
