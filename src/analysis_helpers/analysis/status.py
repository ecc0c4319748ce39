"""Status rules of the quarterly review: what each status means, as the code applies it.

**Targeted KPIs** (a row in the targets file), judged at the review's data date
(``as_of``; none given means today):

* *Live targets* (the data date is on or before the target date):
  *Green*: the latest figure is on or ahead of the required path at that
  figure's period; *Amber*: behind it, but the required value lies within the
  latest figure's 95% confidence interval (the gap may be chance); *Red*:
  behind it by more (a figure with no interval, such as a council snapshot, is
  Red whenever it is behind). Red and Amber need at least two comparable
  figures on the target's own series since the baseline (the baseline figure
  counts): behind the path on one figure alone is *One figure since baseline*.
  A latest figure its source flags as conflicting with another (``CONFLICT`` in
  its basis) is *Conflicting figures*, never a trend. *No figure since
  baseline* while nothing has been published for a period ending after the
  baseline date: the baseline never counts as progress.
* *Expired targets* (the data date is after the target date): *Met* or
  *Missed*, judged on the first figure for a period ending on or after the
  target date; *Not measured since the target date* while no such figure is
  loaded, with why (:func:`pending_reason`): the figure is *not yet due* (DfE
  publishes each June, so a figure for calendar year 2025 is due in June 2026;
  a council figure is due within :data:`COUNCIL_DUE_MONTHS` months of the target
  date), or *expected and missing* (the release or council figure is due and
  is not loaded). No probability or projection is given for an expired target.

:func:`standing` adds what a reader needs beside the status: the plain verdict
of the review's plan at a glance (:data:`VERDICTS`), the figure it rests on and
its age, and the assumptions it rests on (an assumed target date or population).

**Other KPIs**: the change since the previous period, tested for chance
(two-proportion z-test or Poisson test at 5%): *Improved*, *Worsened*,
*No clear change*, or *Changed* where neither direction is better. A percentage
whose denominator is below ``MIN_CHANGE_DENOMINATOR`` (10) in either period is
not tested: *No clear change*, however large the change looks.

The rules return words and numbers; :mod:`analysis_helpers.reporting.summary`
and :mod:`analysis_helpers.reporting.glance` write them for people.
:data:`RAG_RULE` and :data:`CHANGE_RULE` are the legend every report prints
beside the statuses; ``tests/test_status.py`` holds a hand-worked case for each
status and verdict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from analysis_helpers.analysis.compare import MIN_CHANGE_DENOMINATOR, compare
from analysis_helpers.analysis.outlook import Outlook
from analysis_helpers.core.vintage import STALE_FEED_MONTHS, add_months, dfe_publication_after, months_between
from analysis_helpers.data.release import Release
from analysis_helpers.domain.areas import Area
from analysis_helpers.domain.measure_periods import first_period_end
from analysis_helpers.domain.measures import BY_NAME, get_measure
from analysis_helpers.domain.targets import Target

GREEN, AMBER, RED = "Green", "Amber", "Red"
NO_FIGURE_SINCE_BASELINE, MET, MISSED, NO_DATA = "No figure since baseline", "Met", "Missed", "No data"
NOT_MEASURED = "Not measured since the target date"
ONE_FIGURE, CONFLICTING = "One figure since baseline", "Conflicting figures"
#: Why an expired target has no verdict yet (:func:`pending_reason`).
NOT_YET_DUE, EXPECTED_MISSING = "not yet due", "expected and missing"
#: The verdicts of the plan at a glance, in plain words.
ON_TRACK, OFF_TRACK, NO_RECENT_FIGURE, NOT_YET_JUDGED = "On track", "Off track", "No recent figure", "Not yet judged"
VERDICTS = (ON_TRACK, OFF_TRACK, MET, MISSED, NOT_MEASURED, NO_RECENT_FIGURE, NOT_YET_JUDGED)
#: A figure whose period ended more than this many months before the data date is not recent.
RECENT_MONTHS = 12
#: A council figure for a period is expected within this many months of the period's end (as the stale-feed rule).
COUNCIL_DUE_MONTHS = STALE_FEED_MONTHS
IMPROVED, WORSENED, NO_CLEAR_CHANGE, CHANGED, NO_COMPARISON = "Improved", "Worsened", "No clear change", "Changed", "No comparison"

RAG_RULE = (
    "Before the target date: Green, the latest figure is on or ahead of the required path; Amber, behind it but the required "
    "value is within the figure's 95% confidence interval; Red, behind by more (Red and Amber need two comparable figures since "
    "the baseline: one alone is One figure since baseline; a figure its source flags as conflicting is Conflicting figures); "
    "No figure since baseline, nothing published for a period after the baseline (the baseline never counts as progress). "
    "After the target date: Met or Missed, judged on the first figure for a period ending on or after the target date; Not "
    "measured since the target date until that figure is loaded, saying whether it is not yet due or expected and missing. "
    "A status resting on an assumed target date or population says so."
)
CHANGE_RULE = (
    "Change since the previous period, tested at 5% (two-proportion z-test; Poisson test for counts); a percentage with "
    f"fewer than {MIN_CHANGE_DENOMINATOR} in either period's denominator is not tested and shows No clear change."
)


def rag_status(outlook: Outlook) -> str:
    """The status of a targeted KPI at the outlook's data date; see the module docstring."""
    target = outlook.target
    as_of = outlook.as_of or dt.date.today()
    if target is None:
        return NO_DATA
    if outlook.latest is None:  # nothing published: an expired target is still not measured since its date
        return NOT_MEASURED if as_of > target.target_date else NO_DATA
    observed = outlook.observed
    ends = pd.to_datetime(observed["period_end"]).dt.date
    higher = outlook.higher_is_better
    if as_of > target.target_date:
        judged = judged_figure(outlook)
        if judged is None:
            return NOT_MEASURED
        value = float(judged["value"])
        met = value >= target.target_value if higher else value <= target.target_value
        return MET if met else MISSED
    if target.baseline_value is None or not (ends > target.baseline_date).any() or outlook.gap.empty:
        return NO_FIGURE_SINCE_BASELINE
    latest = outlook.latest
    if conflicting(latest):
        return CONFLICTING
    row = outlook.gap.iloc[-1]
    ahead = row["observed"] >= row["required"] if higher else row["observed"] <= row["required"]
    if ahead:
        return GREEN
    if comparable_figures(outlook) < 2:
        return ONE_FIGURE
    low, high = latest.get("ci_low"), latest.get("ci_high")
    if pd.notna(low) and pd.notna(high) and low <= row["required"] <= high:
        return AMBER
    return RED


def conflicting(figure: pd.Series) -> bool:
    """True when the figure's source flags it as conflicting with another source (``CONFLICT`` in its basis)."""
    basis = figure.get("basis")
    return isinstance(basis, str) and "conflict" in basis.lower()


def comparable_figures(outlook: Outlook) -> int:
    """Figures on the target's own series for periods ending on or after the baseline date (the baseline's own figure
    counts), leaving out any flagged as conflicting: Red and Amber need two."""
    observed = outlook.observed
    if outlook.target is None or observed.empty:
        return 0
    ends = pd.to_datetime(observed["period_end"]).dt.date
    since = observed[ends >= outlook.target.baseline_date]
    return int(sum(not conflicting(row) for _, row in since.iterrows()))


def judged_figure(outlook: Outlook) -> pd.Series | None:
    """The figure a passed target is judged on: the first for a period ending on or after the target date (or None)."""
    if outlook.target is None or outlook.observed.empty:
        return None
    ends = pd.to_datetime(outlook.observed["period_end"]).dt.date
    judged = outlook.observed[ends >= outlook.target.target_date]
    return None if judged.empty else judged.iloc[0]


def figure_due(outlook: Outlook) -> dt.date | None:
    """When the figure an expired target is judged on is expected: DfE's first June release after the first period ending
    on or after the target date, or (council series) :data:`COUNCIL_DUE_MONTHS` months after the target date."""
    target = outlook.target
    if target is None:
        return None
    if target.series == "dfe" and outlook.measure in BY_NAME:
        return dfe_publication_after(first_period_end(outlook.measure, target.target_date))
    return add_months(target.target_date, COUNCIL_DUE_MONTHS)


def pending_reason(outlook: Outlook) -> str | None:
    """For a target *Not measured since the target date*: :data:`NOT_YET_DUE` while the data date is before the figure is
    due (:func:`figure_due`), :data:`EXPECTED_MISSING` once it is due and not loaded. None for any other status."""
    if rag_status(outlook) != NOT_MEASURED:
        return None
    due = figure_due(outlook)
    as_of = outlook.as_of or dt.date.today()
    if due is None or as_of < due:
        return NOT_YET_DUE
    return EXPECTED_MISSING


def assumptions(target: Target | None) -> tuple[str, ...]:
    """What a target's status rests on that its source did not state: ``"date assumed"``, ``"population assumed"``."""
    if target is None:
        return ()
    found = []
    if target.date_assumed:
        found.append("date assumed")
    words = f"{target.denominator} {target.date_basis}".lower()
    if "population" in words and ("assumed" in words or "not published" in words) or "assumed" in target.denominator.lower():
        found.append("population assumed")
    return tuple(found)


@dataclass(frozen=True)
class Standing:
    """A targeted KPI's status with what a reader needs beside it (see :func:`standing`)."""

    status: str
    verdict: str  # one of VERDICTS
    figure: pd.Series | None  # the figure the verdict rests on: the judged one for Met/Missed, else the latest
    age_months: int | None  # whole months from the figure's period end to the data date
    pending: str | None  # NOT_YET_DUE / EXPECTED_MISSING for NOT_MEASURED
    due: dt.date | None  # when the missing figure is (or was) expected
    assumptions: tuple[str, ...]

    @property
    def recent(self) -> bool:
        return self.age_months is not None and self.age_months <= RECENT_MONTHS


def standing(outlook: Outlook) -> Standing:
    """The status, the plain verdict, the figure it rests on and its age.

    Verdicts: Met and Missed as the status; *Not measured since the target date*
    for an expired target with no figure; for a live target *No recent figure*
    when nothing has been published since the baseline or the latest figure is
    more than :data:`RECENT_MONTHS` months old, otherwise *On track* (Green),
    *Off track* (Amber, Red) or *Not yet judged* (one figure, conflicting figures).
    """
    status = rag_status(outlook)
    as_of = outlook.as_of or dt.date.today()
    figure = judged_figure(outlook) if status in (MET, MISSED) else outlook.latest
    age = None if figure is None else months_between(pd.Timestamp(figure["period_end"]).date(), as_of)
    if status in (MET, MISSED, NOT_MEASURED):
        verdict = status
    elif status in (NO_FIGURE_SINCE_BASELINE, NO_DATA) or (age is not None and age > RECENT_MONTHS):
        verdict = NO_RECENT_FIGURE
    elif status == GREEN:
        verdict = ON_TRACK
    elif status in (AMBER, RED):
        verdict = OFF_TRACK
    else:
        verdict = NOT_YET_JUDGED
    due = figure_due(outlook) if status == NOT_MEASURED else None
    return Standing(status, verdict, figure, age, pending_reason(outlook), due, assumptions(outlook.target))


def status_cell(status: str, assumed: tuple[str, ...]) -> str:
    """The status as the status table shows it: ``Missed (population assumed)``."""
    return status + (f" ({', '.join(assumed)})" if assumed else "")


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
    return ChangeStatus(change_verdict(float(row["change"]), significant, m.higher_is_better), float(row["change"]), m.unit,
                        row["previous_period"])


def change_verdict(change: float, significant: bool, higher_is_better: bool | None) -> str:
    """The change rule on its own: a significant rise or fall is Improved or Worsened (Changed without a direction)."""
    if not significant:
        return NO_CLEAR_CHANGE
    if higher_is_better is None:
        return CHANGED
    return IMPROVED if (change > 0) == higher_is_better else WORSENED
