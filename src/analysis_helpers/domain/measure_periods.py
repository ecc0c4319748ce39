"""The periods DfE's figures describe: each release file's period (calendar year or January census) and the day it
ends, whether a date ends one, and the first period ending on or after a date (the figure a target is judged on)."""

from __future__ import annotations

import datetime as dt

from analysis_helpers.data.tribunal import TRIBUNAL_FILE
from analysis_helpers.domain.measures import get_measure

#: The period each release file's figures describe, and the (month, day) it ends on.
FILE_PERIODS: dict[str, tuple[str, int, int]] = {
    "timeliness_20_week.csv": ("calendar year", 12, 31),
    "newplans.csv": ("calendar year", 12, 31),
    "requests.csv": ("calendar year", 12, 31),
    "caseload.csv": ("January census", 1, 31),
    "annual_reviews.csv": ("calendar year", 12, 31),
    TRIBUNAL_FILE: ("calendar year", 12, 31),
    "sen_needs_all_plans.csv": ("January census", 1, 31),
    "sen_need_newplans.csv": ("calendar year", 12, 31),
    "ceased_plans.csv": ("calendar year", 12, 31),
    "personal_budgets.csv": ("January census", 1, 31),
}


def ends_a_period(measure: str, day) -> bool:
    """True when ``day`` ends one of DfE's periods for ``measure`` (31 December of a calendar year; 31 January for a census)."""
    _, month, day_of_month = FILE_PERIODS[get_measure(measure).file]
    return (day.month, day.day) == (month, day_of_month)


def first_period_end(measure: str, day) -> dt.date:
    """The end of DfE's first period for ``measure`` ending on or after ``day`` (31 December or the 31 January census)."""
    _, month, day_of_month = FILE_PERIODS[get_measure(measure).file]
    end = dt.date(day.year, month, day_of_month)
    return end if end >= day else dt.date(day.year + 1, month, day_of_month)
