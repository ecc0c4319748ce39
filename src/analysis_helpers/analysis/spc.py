"""Statistical process control the NHS "Making Data Count" way (XmR charts).

For a series of at least :data:`MIN_STABLE_POINTS` points (fewer: the limits are
*trial limits*, and the result says so; the review draws none of fewer than
:data:`MIN_TRIAL_POINTS`):

* centre line = mean; moving range = |x_t - x_{t-1}|; limits = mean ±
  :data:`SIGMA_FACTOR` × mean moving range (3 / 1.128, three sigma for individuals);
* four rules flag special-cause variation:
  1. a point beyond a limit;
  2. a shift: :data:`RUN_LENGTH` or more consecutive points on one side of the mean;
  3. a trend: :data:`RUN_LENGTH` or more consecutive points each rising (or each falling);
  4. two of three consecutive points in the outer third (beyond two sigma)
     on the same side of the mean;
* the variation icon reads the latest point: special cause *improvement* or
  *concern* (using the measure's better direction), else *common cause*;
* the assurance icon compares the target with the limits: the process will
  *consistently pass* (both limits on the good side of the target), *consistently
  fail* (both on the bad side) or is *inconsistent* (the target lies between the
  limits: it will be hit and missed at random).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Limits at the mean ± this × the mean moving range (3 / 1.128: three sigma for individuals).
SIGMA_FACTOR = 2.66
#: Making Data Count's points for stable limits; with fewer the limits are trial limits (the result's warning).
MIN_STABLE_POINTS = 12
#: The fewest points the review draws an XmR chart of (with trial limits): fewer would only mislead.
MIN_TRIAL_POINTS = 6
#: Rules 2 and 3: a shift or a trend is this many consecutive points.
RUN_LENGTH = 7


@dataclass
class SpcResult:
    """Points with limits and rule flags, plus the icons and any warning."""

    points: pd.DataFrame
    mean: float
    lcl: float
    ucl: float
    variation: str
    assurance: str | None
    warning: str | None


def _runs(mask: np.ndarray, length: int) -> np.ndarray:
    """True for every point in a run of at least ``length`` consecutive True values."""
    out = np.zeros(len(mask), dtype=bool)
    start = None
    for i, flag in enumerate(list(mask) + [False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= length:
                out[start:i] = True
            start = None
    return out


def xmr(values, higher_is_better: bool | None = True, target: float | None = None) -> SpcResult:
    """An XmR analysis of a series (in time order)."""
    x = np.asarray(values, dtype=float)
    if len(x) < 2:
        raise ValueError("an XmR chart needs at least two points")
    mean = float(x.mean())
    moving_range = np.abs(np.diff(x))
    mr_bar = float(moving_range.mean())
    lcl, ucl = mean - SIGMA_FACTOR * mr_bar, mean + SIGMA_FACTOR * mr_bar
    two_sigma = 2 / 3 * SIGMA_FACTOR * mr_bar

    beyond = (x > ucl) | (x < lcl)
    shift = _runs(x > mean, RUN_LENGTH) | _runs(x < mean, RUN_LENGTH)
    steps_up, steps_down = np.diff(x) > 0, np.diff(x) < 0
    rising = _runs(np.concatenate([[False], steps_up]), RUN_LENGTH - 1)
    falling = _runs(np.concatenate([[False], steps_down]), RUN_LENGTH - 1)
    # a run of RUN_LENGTH - 1 rises covers RUN_LENGTH points: include the point before the first rise
    for run in (rising, falling):
        starts = np.flatnonzero(run & ~np.concatenate([[False], run[:-1]]))
        run[np.clip(starts - 1, 0, None)] = True
    trend = rising | falling
    outer_high, outer_low = x > mean + two_sigma, x < mean - two_sigma
    two_of_three = np.zeros(len(x), dtype=bool)
    for i in range(len(x) - 2):
        for outer in (outer_high, outer_low):
            window = outer[i : i + 3]
            if window.sum() >= 2:
                two_of_three[i : i + 3] |= window

    points = pd.DataFrame(
        {
            "value": x,
            "mean": mean,
            "lcl": lcl,
            "ucl": ucl,
            "moving_range": np.concatenate([[np.nan], moving_range]),
            "rule_beyond_limit": beyond,
            "rule_shift": shift,
            "rule_trend": trend,
            "rule_two_of_three": two_of_three,
        }
    )
    points["special_cause"] = beyond | shift | trend | two_of_three
    points["direction"] = np.where(x > mean, "high", np.where(x < mean, "low", "on mean"))
    if trend[-1]:
        points.loc[len(x) - 1, "direction"] = "high" if rising[-1] else "low"

    variation = "common cause"
    if points["special_cause"].iloc[-1] and higher_is_better is not None:
        good = points["direction"].iloc[-1] == ("high" if higher_is_better else "low")
        variation = "special cause improvement" if good else "special cause concern"
    elif points["special_cause"].iloc[-1]:
        variation = f"special cause ({points['direction'].iloc[-1]})"

    assurance = None
    if target is not None and higher_is_better is not None:
        if higher_is_better:
            assurance = "consistently pass" if lcl >= target else "consistently fail" if ucl < target else "inconsistent"
        else:
            assurance = "consistently pass" if ucl <= target else "consistently fail" if lcl > target else "inconsistent"
    warning = None
    if len(x) < MIN_STABLE_POINTS:
        warning = f"trial limits: only {len(x)} points (Making Data Count needs {MIN_STABLE_POINTS} for stable limits)"
    return SpcResult(points=points, mean=mean, lcl=lcl, ucl=ucl, variation=variation, assurance=assurance, warning=warning)
