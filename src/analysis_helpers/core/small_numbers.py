"""The disclosure rule: which counts and rates are too small to show. The one place it is written.

The statistics that mark a group "not shown"
(:mod:`~analysis_helpers.analysis.who_waits`), the outlooks' observed series
(:mod:`~analysis_helpers.analysis.outlook`) and the tables and charts that hide
a figure (:mod:`~analysis_helpers.reporting.disclosure`, which only decides how
a hidden figure looks) all ask here, so they cannot disagree:

* a count from 1 to :data:`SMALL_COUNT_MAX` is not shown (0 discloses nothing);
  where a table keeps its place it reads :data:`SMALL_COUNT_SHOWN`;
* a rate whose denominator is under :data:`MIN_DENOMINATOR` is not shown, nor
  are its numerator and denominator (:data:`SMALL_DENOMINATOR`);
* a rate whose numerator is a small count is not shown either: with its
  denominator it would give the count away (:data:`SMALL_NUMERATOR`).

Sentences that state the rule format these numbers in rather than repeat them.
"""

from __future__ import annotations

import pandas as pd

SMALL_COUNT_MAX = 4
MIN_DENOMINATOR = 10
#: How a table shows a small count in its place: ``<5``.
SMALL_COUNT_SHOWN = f"<{SMALL_COUNT_MAX + 1}"
#: Why a figure is hidden, in the words every output uses.
SMALL_DENOMINATOR = f"denominator under {MIN_DENOMINATOR}"
SMALL_NUMERATOR = f"numerator under {SMALL_COUNT_MAX + 1}"
SMALL_COUNT = f"count under {SMALL_COUNT_MAX + 1}"


def is_small_count(value) -> bool:
    """True for a count from 1 to :data:`SMALL_COUNT_MAX` (False for 0 and for a missing value)."""
    return not pd.isna(value) and 0 < float(value) <= SMALL_COUNT_MAX


def figure_hidden(unit: str, value, numerator=None, denominator=None) -> str:
    """Why a council figure may not be shown anywhere (a table, a sentence, a chart, ``headline.json``), or ``""``.

    The one rule every output applies: a percentage by :func:`rate_hidden`, a small count by :func:`is_small_count`;
    pounds, weeks and other units are not counts of people and are shown."""
    if unit == "pct":
        return rate_hidden(numerator, denominator)
    if unit == "count" and is_small_count(value):
        return SMALL_COUNT
    return ""


def rate_hidden(numerator, denominator) -> str:
    """Why a rate of ``numerator`` in ``denominator`` may not be shown (:data:`SMALL_DENOMINATOR` or
    :data:`SMALL_NUMERATOR`), or ``""`` when it may."""
    if not pd.isna(denominator) and float(denominator) < MIN_DENOMINATOR:
        return SMALL_DENOMINATOR
    if is_small_count(numerator):
        return SMALL_NUMERATOR
    return ""
