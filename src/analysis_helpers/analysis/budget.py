"""High-needs budget: the council's deficit against the safety-valve terms, and
DfE's Dedicated Schools Grant (DSG) cumulative balance for comparison.

* Council figures (``high_needs_deficit_gbp_m`` in the local feed) are split
  into **outturns** and **forecasts** (the basis says which) and drawn
  differently; the **required path** runs straight from the latest outturn to
  zero at the end of the agreement's last year (2027/28 for Kent, from the
  targets file), which is what eliminating the deficit by then requires.
* DfE's ``dsg_deficit_derived.xlsx`` gives each LA's cumulative DSG deficit as
  a % of its income (positive = deficit), 2019-20 to 2021-22: the area is shown
  against England, its region and its statistical neighbours' mean.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis_helpers.data.dsg import dsg_table
from analysis_helpers.data.neighbours import DEFAULT_VINTAGE, neighbours_of
from analysis_helpers.domain.areas import LOCAL_AUTHORITY, Area, normalise_name


def dsg_comparison(area: Area, vintage: str = DEFAULT_VINTAGE) -> pd.DataFrame:
    """Per financial year: the area, England, its region and its neighbours' mean (simple mean of those with data)."""
    table = dsg_table()
    table = table.assign(key=table["name"].map(normalise_name))
    rows = []
    neighbour_keys = [normalise_name(n.name) for n in neighbours_of(area.la_number, vintage)] if area.la_number else []
    def pick(group: pd.DataFrame, key: str, level: str) -> float:
        hit = group[(group["key"] == key) & (group["level"] == level)]
        return float(hit["deficit_pct"].iloc[0]) if len(hit) else float("nan")

    for year, group in table.groupby("financial_year"):
        neighbours = group[(group["level"] == LOCAL_AUTHORITY) & group["key"].isin(neighbour_keys)]["deficit_pct"].dropna()
        rows.append(
            {
                "financial_year": year,
                area.name: pick(group, normalise_name(area.name), LOCAL_AUTHORITY),
                "England": pick(group, "england", "National"),
                **({area.region_name: pick(group, normalise_name(area.region_name), "Regional")} if area.region_name else {}),
                "Statistical neighbours (mean)": neighbours.mean() if len(neighbours) else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def deficit_series(feed: pd.DataFrame) -> pd.DataFrame:
    """The council's deficit figures with ``kind`` = outturn / forecast (preferred rows of conflicts)."""
    if feed.empty:
        return pd.DataFrame(columns=["period", "period_end", "value", "kind", "basis", "source"])
    rows = feed[(feed["measure"] == "high_needs_deficit_gbp_m") & feed["preferred"]].copy()
    forecast = rows["basis_kind"] == "forecast" if "basis_kind" in rows else rows["basis"].str.lower().str.startswith("forecast")
    rows["kind"] = forecast.map({True: "forecast", False: "outturn"})
    rows["period_end"] = pd.to_datetime(rows["period_end"])
    rows["source"] = rows["file"] + " row " + rows["row"].astype(str)
    return rows.sort_values("period_end")[["period", "period_end", "value", "kind", "basis", "source"]]


def required_path_to_zero(series: pd.DataFrame, by: dt.date) -> pd.DataFrame:
    """Straight line from the latest outturn to a zero deficit on ``by``."""
    outturns = series[series["kind"] == "outturn"]
    if outturns.empty:
        return pd.DataFrame(columns=["date", "required"])
    last = outturns.iloc[-1]
    return pd.DataFrame({"date": [last["period_end"].date(), by], "required": [float(last["value"]), 0.0]})
