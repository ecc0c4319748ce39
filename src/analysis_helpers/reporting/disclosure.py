"""Disclosure control for unpublished local counts, applied to every export.

The project handles aggregate counts only, but a council's own figures can be
small. Which figures are too small is decided in one place,
:mod:`analysis_helpers.core.small_numbers` (its rule: a count of 1 to its
``SMALL_COUNT_MAX``, a rate on a denominator under its ``MIN_DENOMINATOR`` or
with a small numerator); this module only applies it. In every exported HTML
table, chart and CSV:

* a small count is shown as ``<5`` (``SMALL_COUNT_SHOWN``; 0 is shown: it
  discloses nothing);
* a rate hidden for its denominator is not shown (``suppressed``), and
  neither are its numerator and denominator;
* a rate hidden for its numerator is not shown either (its denominator would
  give the count away): the numerator shows as ``<5``, the rate and its
  interval as ``suppressed``.

DfE's published statistics are shown as DfE published them, with one exception:
``send-review kpis --breakdown`` applies these rules to DfE's breakdown rows too
(issue 13 asks for it; a group's count is DfE's, so hiding it protects nothing
DfE has not already published, but the small rows of a breakdown are never read
as findings). The review's "who waits" section applies the same rule to the
groups it names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_helpers.core.small_numbers import (
    SMALL_COUNT_SHOWN,
    SMALL_DENOMINATOR,
    figure_hidden,
    is_small_count,
    rate_hidden,
)

SUPPRESSED = "suppressed"


def apply(frame: pd.DataFrame) -> pd.DataFrame:
    """A display copy of KPI-shaped rows with small counts and small-denominator rates hidden.

    Numeric columns become text where something is hidden (``<5`` or
    ``suppressed``); a ``disclosure`` column says what was done to each row.
    """
    out = frame.copy().astype({c: object for c in ("value", "numerator", "denominator", "ci_low", "ci_high") if c in frame})
    action = np.array([""] * len(out), dtype=object)
    for i, (index, row) in enumerate(frame.iterrows()):
        hidden = rate_hidden(row.get("numerator"), row.get("denominator")) if row.get("unit") == "pct" else ""
        if hidden == SMALL_DENOMINATOR:
            for column in ("value", "numerator", "denominator", "ci_low", "ci_high"):
                out.at[index, column] = SUPPRESSED
            action[i] = f"rate suppressed: {hidden}"
            continue
        for column in ("numerator", "denominator") + (("value",) if row.get("unit") == "count" else ()):
            if column in row and is_small_count(row[column]):
                out.at[index, column] = SMALL_COUNT_SHOWN
                action[i] = f"small count shown as {SMALL_COUNT_SHOWN}"
        if hidden:  # the numerator is a small count: the rate would give it away
            for column in ("value", "ci_low", "ci_high"):
                if column in out.columns:
                    out.at[index, column] = SUPPRESSED
            action[i] = f"rate suppressed: {hidden}"
    out["disclosure"] = action
    return out


def plottable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows safe to draw, or to name in a sentence or a title: every row the one rule
    (:func:`~analysis_helpers.core.small_numbers.figure_hidden`) hides is left out."""
    keep = [not figure_hidden(row.get("unit"), row.get("value"), row.get("numerator"), row.get("denominator"))
            for _, row in frame.iterrows()]
    return frame[keep]
