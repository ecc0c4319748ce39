"""Status rules of the quarterly review: what Green, Amber and Red mean.

* **Targeted KPIs** (a row in the targets file): RAG against the required
  trajectory at the latest observed period. *Baseline only* until a figure after
  the baseline is published. *Green*: on or ahead of the required value;
  *Amber*: behind it, but the required value lies inside the observed 95%
  confidence interval (the gap may be chance); *Red*: behind it by more than the
  interval. Once the observed data cover the target date: *Green* met, *Red* missed.
* **Other KPIs**: the change since the previous period, tested for chance
  (two-proportion z-test or Poisson test at 5%): *Improved*, *Worsened*,
  *No clear change*, or *Changed* where neither direction is better.

The rules return words and numbers; :mod:`analysis_helpers.reporting.summary`
writes them for people. :data:`RAG_RULE` and :data:`CHANGE_RULE` are the
legend every report prints beside the statuses.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis_helpers.analysis.compare import compare
from analysis_helpers.analysis.outlook import Outlook
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import Area
from analysis_helpers.domain.measures import get_measure

GREEN, AMBER, RED = "Green", "Amber", "Red"
BASELINE_ONLY, NO_DATA = "Baseline only", "No data"
IMPROVED, WORSENED, NO_CLEAR_CHANGE, CHANGED, NO_COMPARISON = "Improved", "Worsened", "No clear change", "Changed", "No comparison"

RAG_RULE = (
    "Baseline only: no figure published since the baseline. Green: on or ahead of the required trajectory; Amber: behind it, but within the 95% confidence interval; "
    "Red: behind by more than the interval. After the target date: Green met, Red missed."
)
CHANGE_RULE = "Change since the previous period, tested at 5% (two-proportion z-test; Poisson test for counts)."


def rag_status(outlook: Outlook) -> str:
    """Green / Amber / Red (or Baseline only / No data) for a targeted KPI; see the module docstring."""
    latest = outlook.latest
    target = outlook.target
    if latest is None or target is None:
        return NO_DATA
    higher = outlook.higher_is_better
    if outlook.target_passed:
        met = latest["value"] >= target.target_value if higher else latest["value"] <= target.target_value
        return GREEN if met else RED
    if outlook.gap.empty:
        return BASELINE_ONLY
    row = outlook.gap.iloc[-1]
    ahead = row["observed"] >= row["required"] if higher else row["observed"] <= row["required"]
    if ahead:
        return GREEN
    low, high = latest.get("ci_low"), latest.get("ci_high")
    if pd.notna(low) and pd.notna(high) and low <= row["required"] <= high:
        return AMBER
    return RED


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
    return ChangeStatus(change_verdict(float(row["change"]), row["change_significant"] is True, m.higher_is_better), float(row["change"]), m.unit, row["previous_period"])


def change_verdict(change: float, significant: bool, higher_is_better: bool | None) -> str:
    """The change rule on its own: a significant rise or fall is Improved or Worsened (Changed without a direction)."""
    if not significant:
        return NO_CLEAR_CHANGE
    if higher_is_better is None:
        return CHANGED
    return IMPROVED if (change > 0) == higher_is_better else WORSENED
