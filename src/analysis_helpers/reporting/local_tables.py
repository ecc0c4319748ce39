"""Tables of the council's own figures, with disclosure control applied.

Every display builder here passes rows through :mod:`disclosure` first, so a
small unpublished count never reaches a report or a CSV.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis_helpers.core.formatting import fmt_pct, fmt_value
from analysis_helpers.core.vintage import ended_by
from analysis_helpers.data.local_feed import LOCAL_MEASURES, local_kpi_rows
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, Area
from analysis_helpers.reporting import disclosure


def _with_kind(feed: pd.DataFrame, area: Area) -> pd.DataFrame:
    rows = local_kpi_rows(feed, area.code, area.name)
    rows["period_kind"] = feed["period_kind"].to_numpy() if len(feed) else []
    rows["kind"] = ["forecast" if "forecast" in str(b).lower() else "outturn" for b in rows["basis"]]
    return rows


def monthly_rows(feed, area: Area, as_of: dt.date | None = None) -> pd.DataFrame:
    """The area's monthly and quarterly figures (preferred rows) for periods ending by ``as_of``, oldest first."""
    if feed is None or len(feed) == 0:
        return pd.DataFrame()
    feed = feed[ended_by(feed["period_end"], as_of)].reset_index(drop=True)
    if feed.empty:
        return pd.DataFrame()
    rows = _with_kind(feed, area)
    rows = rows[rows["period_kind"].isin(["month", "quarter"]) & rows["preferred"]]
    return rows.sort_values(["measure", "period_end"]).reset_index(drop=True)


def measure_rows(feed, measures: list[str], as_of: dt.date | None = None) -> pd.DataFrame:
    """All rows of some measures (conflicts included, flagged), published for periods ending by ``as_of``."""
    if feed is None or len(feed) == 0:
        return pd.DataFrame()
    selected = feed[feed["measure"].isin(measures)]
    selected = selected[ended_by(selected["period_end"], as_of)]
    if selected.empty:
        return pd.DataFrame()
    rows = _with_kind(selected.reset_index(drop=True), Area("", "", LOCAL_AUTHORITY))
    return rows.sort_values(["measure", "period_end"]).reset_index(drop=True)


def display(rows: pd.DataFrame) -> pd.DataFrame:
    """People's version: measure label, period, value with its qualifier, basis, source; small numbers hidden."""
    shown = disclosure.apply(rows)

    def value(v, unit, qualifier):
        if isinstance(v, str):
            return v
        return f"{qualifier} {fmt_value(v, unit)}".strip()

    return pd.DataFrame(
        {
            "Measure": [LOCAL_MEASURES.get(m, (None, m))[1] for m in shown["measure"]],
            "Period": shown["period"],
            "Value": [value(v, u, q) for v, u, q in zip(shown["value"], shown["unit"], shown["qualifier"], strict=True)],
            "Basis": shown["basis"].str.replace("council figure: ", "", regex=False),
            "Conflict": ["yes (preferred)" if c and p else "yes" if c else ""
                         for c, p in zip(shown["conflict"], shown["preferred"], strict=True)],
            "Source": shown["source"],
        }
    )


def dsg_display(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns[1:]:
        out[column] = out[column].map(lambda v: fmt_pct(v, missing="", decimals=2))
    return out.rename(columns={"financial_year": "Financial year"})
