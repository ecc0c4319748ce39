"""Status rules of the quarterly review: what each status means, as the code applies it.

**Targeted KPIs** (a row in the targets file), judged at the review's data date
(``as_of``; none given means today):

* *Before the target date* (the data date is on or before it):
  *Green*: the latest figure is on or ahead of the required path at that
  figure's period; *Amber*: behind it, but the required value lies within the
  latest figure's 95% confidence interval (the gap may be chance); *Red*:
  behind it by more (a figure with no interval, such as a council snapshot, is
  Red whenever it is behind); *No figure since baseline* while nothing has been
  published for a period ending after the baseline date: the baseline never
  counts as progress.
* *After the target date* (the data date is after it): *Met* or *Missed*,
  judged on the first figure for a period ending on or after the target date;
  *Not yet known* while no such figure has been published.

**Other KPIs**: the change since the previous period, tested for chance
(two-proportion z-test or Poisson test at 5%): *Improved*, *Worsened*,
*No clear change*, or *Changed* where neither direction is better. A percentage
whose denominator is below ``MIN_CHANGE_DENOMINATOR`` (10) in either period is
not tested: *No clear change*, however large the change looks.

The rules return words and numbers; :mod:`analysis_helpers.reporting.summary`
writes them for people. :data:`RAG_RULE` and :data:`CHANGE_RULE` are the
legend every report prints beside the statuses; ``tests/test_status.py`` holds
a hand-worked case for each status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from analysis_helpers.analysis.compare import MIN_CHANGE_DENOMINATOR, compare
from analysis_helpers.analysis.outlook import Outlook
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import Area
from analysis_helpers.domain.measures import get_measure

GREEN, AMBER, RED = "Green", "Amber", "Red"
NO_FIGURE_SINCE_BASELINE, MET, MISSED, NOT_YET_KNOWN, NO_DATA = "No figure since baseline", "Met", "Missed", "Not yet known", "No data"
IMPROVED, WORSENED, NO_CLEAR_CHANGE, CHANGED, NO_COMPARISON = "Improved", "Worsened", "No clear change", "Changed", "No comparison"

RAG_RULE = (
    "Before the target date: Green, the latest figure is on or ahead of the required path; Amber, behind it but the required "
    "value is within the figure's 95% confidence interval; Red, behind by more; No figure since baseline, nothing published for "
    "a period after the baseline (the baseline never counts as progress). After the target date: Met or Missed, judged on the "
    "first figure for a period ending on or after the target date; Not yet known until that figure is published."
)
CHANGE_RULE = (
    "Change since the previous period, tested at 5% (two-proportion z-test; Poisson test for counts); a percentage with "
    f"fewer than {MIN_CHANGE_DENOMINATOR} in either period's denominator is not tested and shows No clear change."
)


def rag_status(outlook: Outlook) -> str:
    """The status of a targeted KPI at the outlook's data date; see the module docstring."""
    target = outlook.target
    if target is None or outlook.latest is None:
        return NO_DATA
    observed = outlook.observed
    ends = pd.to_datetime(observed["period_end"]).dt.date
    as_of = outlook.as_of or dt.date.today()
    higher = outlook.higher_is_better
    if as_of > target.target_date:
        judged = judged_figure(outlook)
        if judged is None:
            return NOT_YET_KNOWN
        value = float(judged["value"])
        met = value >= target.target_value if higher else value <= target.target_value
        return MET if met else MISSED
    if target.baseline_value is None or not (ends > target.baseline_date).any() or outlook.gap.empty:
        return NO_FIGURE_SINCE_BASELINE
    latest = outlook.latest
    row = outlook.gap.iloc[-1]
    ahead = row["observed"] >= row["required"] if higher else row["observed"] <= row["required"]
    if ahead:
        return GREEN
    low, high = latest.get("ci_low"), latest.get("ci_high")
    if pd.notna(low) and pd.notna(high) and low <= row["required"] <= high:
        return AMBER
    return RED


def judged_figure(outlook: Outlook) -> pd.Series | None:
    """The figure a passed target is judged on: the first for a period ending on or after the target date (or None)."""
    if outlook.target is None or outlook.observed.empty:
        return None
    ends = pd.to_datetime(outlook.observed["period_end"]).dt.date
    judged = outlook.observed[ends >= outlook.target.target_date]
    return None if judged.empty else judged.iloc[0]


@dataclass(frozen=True)
class ChangeStatus:
    """The change rule's verdict, with the numbers behind it."""

    status: str
    change: float | None  # latest minus previous, in the measure's unit
    unit: str
    previous_period: str | None


def change_status(area: Area, measure: str, release: Release | None) -> ChangeStatus:
    """Improved / Worsened / No clear change / Changed / No comparison, from the change since the previous period."""
    m = get_measure(measure)
    row = compare(area.name, measure, release=release).iloc[0]
    if pd.isna(row["change"]):
        return ChangeStatus(NO_COMPARISON, None, m.unit, None)
    # numpy's True too: a one-row comparison (England's own) stores the verdict in a numpy bool column
    significant = not pd.isna(row["change_significant"]) and bool(row["change_significant"])
    return ChangeStatus(change_verdict(float(row["change"]), significant, m.higher_is_better), float(row["change"]), m.unit, row["previous_period"])


def change_verdict(change: float, significant: bool, higher_is_better: bool | None) -> str:
    """The change rule on its own: a significant rise or fall is Improved or Worsened (Changed without a direction)."""
    if not significant:
        return NO_CLEAR_CHANGE
    if higher_is_better is None:
        return CHANGED
    return IMPROVED if (change > 0) == higher_is_better else WORSENED
