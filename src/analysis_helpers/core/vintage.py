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

import calendar
import datetime as dt
import os

import pandas as pd

from analysis_helpers.core.errors import ParameterError


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


# -- the run date, and when the next DfE release is due ------------------------------
#: Set to a date (YYYY-MM-DD) to fix "today" for every part of a run, notebook kernels included (tests use it).
TODAY_ENV = "SEND_REVIEW_TODAY"
#: DfE publishes "Education, health and care plans" each June.
DFE_PUBLICATION_MONTH = 6
#: A review warns when the newest stored DfE release is more than this many months older than its data date ...
STALE_RELEASE_MONTHS = 12
#: ... or when a council feed's newest figure is for a period ending more than this many months before it.
STALE_FEED_MONTHS = 6


def today() -> dt.date:
    """The run date: ``SEND_REVIEW_TODAY`` if set (YYYY-MM-DD), else the system's date. The one place the package reads it."""
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if not fixed:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(fixed)
    except ValueError:
        raise ParameterError(f"{TODAY_ENV} must be a date written YYYY-MM-DD, got {fixed!r}") from None


def next_release_due(published: dt.date) -> dt.date:
    """The first day of the month the release after one published on ``published`` is expected.

    DfE publishes each June, so the next is due in June of the year after the
    publication year (a release published in July 2025 is followed in June 2026).
    """
    return dt.date(published.year + 1, DFE_PUBLICATION_MONTH, 1)


def dfe_publication_after(period_end: dt.date) -> dt.date:
    """The first day of the month DfE is expected to publish a figure for a period ending on ``period_end``: the
    first June after it (calendar year 2025 and the January 2026 census both appear in June 2026)."""
    june = dt.date(period_end.year, DFE_PUBLICATION_MONTH, 1)
    return june if period_end < june else dt.date(period_end.year + 1, DFE_PUBLICATION_MONTH, 1)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from ``earlier`` to ``later`` (0 when ``later`` is in the same month or before it)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month - (1 if later.day < earlier.day else 0)
    return max(months, 0)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (earlier when negative), or the month's last day if it is shorter:
    31 August plus 6 months is 28 February (29 in a leap year). The one place the package moves a date by months."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def stale(newest: dt.date | None, as_of: dt.date, months: int) -> bool:
    """True when ``newest`` is more than ``months`` calendar months before ``as_of`` (or there is nothing)."""
    return newest is None or newest < add_months(as_of, -months)
