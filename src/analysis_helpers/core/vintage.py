"""Was this public by the review's data date? One answer for the whole package.

``as_of`` is a review's *data date*: a figure counts only if it was published on
or before it. ``None`` means "now" (everything stored counts).

* a DfE release is public by ``as_of`` when its publication date (from the data
  log) is on or before it; a release with no logged date is treated as public,
  because the data log refuses unlogged raw files before this is asked;
* a council figure is public by ``as_of`` when the period it describes has ended
  by then (councils publish after the period; a figure for a month that has not
  ended cannot have been published).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd


def public_by(published: dt.date | None, as_of: dt.date | None) -> bool:
    """True when something published on ``published`` was public on ``as_of``."""
    return as_of is None or published is None or published <= as_of


def ended_by(period_end, as_of: dt.date | None):
    """Element-wise: the period ending on ``period_end`` had ended by ``as_of`` (a bool or a boolean Series)."""
    if as_of is None:
        return True if not isinstance(period_end, pd.Series) else pd.Series(True, index=period_end.index)
    if isinstance(period_end, pd.Series):
        return pd.to_datetime(period_end).dt.date <= as_of
    return pd.Timestamp(period_end).date() <= as_of
