"""The disclosure thresholds: which counts and rates are too small to show.

One place for the numbers, so the statistics that mark a group "not shown"
(:mod:`~analysis_helpers.analysis.who_waits`) and the tables and charts that
hide it (:mod:`~analysis_helpers.reporting.disclosure`, which states the rules
in full) cannot disagree:

* a count from 1 to :data:`SMALL_COUNT_MAX` is not shown (0 discloses nothing);
* a rate whose denominator is under :data:`MIN_DENOMINATOR`, or whose
  numerator is a small count, is not shown.
"""

from __future__ import annotations

import pandas as pd

SMALL_COUNT_MAX = 4
MIN_DENOMINATOR = 10


def is_small_count(value) -> bool:
    """True for a count from 1 to 4 (False for 0 and for a missing value)."""
    return not pd.isna(value) and 0 < float(value) <= SMALL_COUNT_MAX


def figure_hidden(unit: str, value, numerator=None, denominator=None) -> str:
    """Why a council figure may not be shown anywhere (a table, a sentence, a chart, ``headline.json``), or ``""``.

    The one rule every output applies: a percentage by :func:`rate_hidden`, a count of 1 to 4 by :func:`is_small_count`;
    pounds, weeks and other units are not counts of people and are shown."""
    if unit == "pct":
        return rate_hidden(numerator, denominator)
    if unit == "count" and is_small_count(value):
        return f"count under {SMALL_COUNT_MAX + 1}"
    return ""


def rate_hidden(numerator, denominator) -> str:
    """Why a rate of ``numerator`` in ``denominator`` may not be shown, or ``""`` when it may."""
    if not pd.isna(denominator) and float(denominator) < MIN_DENOMINATOR:
        return f"denominator under {MIN_DENOMINATOR}"
    if is_small_count(numerator):
        return f"numerator under {SMALL_COUNT_MAX + 1}"
    return ""
