"""The required trajectory: the straight path from baseline to target.

Linear on the percentage scale by default (what a plan's milestones usually
assume); ``scale="logit"`` gives the path straight on the log-odds scale, which
rises slowly near 0% and 100% as real improvement does. The path is evaluated
at any date; annual DfE figures are compared with it at the middle of their
year (a calendar-year count describes the whole year, not its last day).

The gap between observed and required is given in percentage points and, where
the observed figure has a denominator, in plans: "to be on trajectory, N more
of the M plans issued needed to be on time".

Percentages are 0–100.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from analysis_helpers.core.scales import expit_pct, logit_pct
from analysis_helpers.data.area_facts import Milestone, milestones_for
from analysis_helpers.domain.targets import Target


def plan_milestones(area) -> tuple[Milestone, ...]:
    """An area's plan review points (``data/milestones.csv``; Kent: its March 2023 improvement notice's 3, 6, 12, 18 months).

    ``area`` is an Area or the ``area`` cell of a target; most areas have none.
    """
    return tuple(milestones_for(area))


def _within(target: Target, stones: tuple[Milestone, ...]) -> list[Milestone]:
    """The milestones after the target's baseline and on or before its date."""
    return [m for m in stones if target.baseline_date < m.date <= target.target_date]


def required_value(target: Target, when: dt.date, scale: str = "linear") -> float:
    """Value the required path reaches on ``when`` (held at the target after the target date)."""
    start, end = target.baseline_date, target.target_date
    fraction = (when - start).days / (end - start).days
    fraction = min(max(fraction, 0.0), 1.0)
    if fraction in (0.0, 1.0):  # the ends exactly (the logit scale clips 0% and 100%)
        return float(target.baseline_value if fraction == 0.0 else target.target_value)
    if scale == "logit" and target.unit == "pct":
        start_logit, end_logit = logit_pct(target.baseline_value), logit_pct(target.target_value)
        value = float(expit_pct(start_logit + fraction * (end_logit - start_logit)))
        low, high = sorted((target.baseline_value, target.target_value))
        return min(max(value, low), high)  # never outside the two ends (0% and 100% are clipped on the logit scale)
    if scale not in ("linear", "logit"):
        raise ValueError(f"scale must be 'linear' or 'logit', got {scale!r}")
    return target.baseline_value + fraction * (target.target_value - target.baseline_value)


def milestones(target: Target, scale: str = "linear", stones: tuple[Milestone, ...] | None = None) -> pd.DataFrame:
    """Required value at each of the area's plan review points between the baseline and the target date, and at that date.

    ``stones`` defaults to the target's area's review points (:func:`plan_milestones`);
    an area without any (or a target none falls within) gets an empty table
    (columns ``milestone, date, required``).
    """
    stones = plan_milestones(target.area) if stones is None else stones
    if not stones or target.baseline_value is None:
        return pd.DataFrame(columns=["milestone", "date", "required"])
    rows = [{"milestone": f"{m.months} months", "date": m.date} for m in _within(target, stones)]
    if not rows:  # none of the area's review points falls within this target's span
        return pd.DataFrame(columns=["milestone", "date", "required"])
    rows.append({"milestone": "target date", "date": target.target_date})
    frame = pd.DataFrame(rows)
    frame["required"] = [required_value(target, d, scale) for d in frame["date"]]
    return frame


def period_midpoint(period_end: pd.Timestamp, period_label: str) -> dt.date:
    """Middle of a calendar year for annual figures; the date itself for snapshots and months."""
    end = pd.Timestamp(period_end).date()
    if len(period_label) == 4 and period_label.isdigit():
        return dt.date(end.year, 7, 1)
    return end


def gap_to_trajectory(target: Target, observed: pd.DataFrame, scale: str = "linear") -> pd.DataFrame:
    """Observed vs required for each observed period since the baseline.

    Columns: ``period, compared_at, observed, required, gap_pp, numerator,
    denominator, plans_short`` (plans short is for percentage rows with a
    denominator: how many more of them needed to meet the required rate).
    """
    rows = []
    for r in observed.sort_values("period_end").itertuples():
        when = period_midpoint(r.period_end, r.period)
        if when < target.baseline_date or pd.isna(r.value):
            continue
        required = required_value(target, when, scale)
        short = np.nan
        if target.unit == "pct" and not pd.isna(getattr(r, "denominator", np.nan)):
            short = max(0, math.ceil(required / 100 * r.denominator - 1e-9) - r.numerator)
        rows.append(
            {
                "period": r.period,
                "compared_at": when,
                "observed": r.value,
                "required": required,
                "gap_pp": r.value - required,
                "numerator": getattr(r, "numerator", np.nan),
                "denominator": getattr(r, "denominator", np.nan),
                "plans_short": short,
            }
        )
    return pd.DataFrame(rows, columns=["period", "compared_at", "observed", "required", "gap_pp", "numerator", "denominator",
                                       "plans_short"])


def months_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / (365.25 / 12)


def improvement_needed_per_month(current_value: float, current_date: dt.date, target: Target) -> float:
    """Percentage points (or units) a month needed from now to reach the target on time."""
    months = months_between(current_date, target.target_date)
    if months <= 0:
        return math.nan
    return (target.target_value - current_value) / months


def required_path(target: Target, scale: str = "linear", stones: tuple[Milestone, ...] | None = None) -> pd.DataFrame:
    """The required trajectory as points to draw: baseline, each plan milestone in between (if any), target date."""
    if target.baseline_value is None:
        return pd.DataFrame(columns=["date", "required"])
    stones = plan_milestones(target.area) if stones is None else stones
    dates = sorted({target.baseline_date, *[m.date for m in _within(target, stones)], target.target_date})
    return pd.DataFrame({"date": dates, "required": [required_value(target, d, scale) for d in dates]})
