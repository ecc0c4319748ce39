"""Disclosure control for unpublished local counts, applied to every export.

The project handles aggregate counts only, but a council's own figures can be
small. In every exported HTML table, chart and CSV:

* a count from 1 to 4 is shown as ``<5`` (0 is shown: it discloses nothing);
* a rate whose denominator is under 10 is not shown (``suppressed``), and
  neither are its numerator and denominator;
* a rate whose numerator is 1 to 4 is not shown either (its denominator would
  give the count away): the numerator shows as ``<5``, the rate and its
  interval as ``suppressed``.

DfE's published statistics are shown as DfE published them, with one exception:
``send-review kpis --breakdown`` applies these rules to DfE's breakdown rows too
(issue 13 asks for it; a group's count is DfE's, so hiding it protects nothing
DfE has not already published, but the small rows of a breakdown are never read
as findings). The review's "who waits" section applies the same thresholds
(:mod:`analysis_helpers.core.small_numbers`) to the groups it names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_helpers.core.small_numbers import MIN_DENOMINATOR, SMALL_COUNT_MAX, figure_hidden, is_small_count

__all__ = ["MIN_DENOMINATOR", "SMALL", "SMALL_COUNT_MAX", "SUPPRESSED", "apply", "is_small_count", "plottable"]

SUPPRESSED = "suppressed"
SMALL = "<5"


def apply(frame: pd.DataFrame) -> pd.DataFrame:
    """A display copy of KPI-shaped rows with small counts and small-denominator rates hidden.

    Numeric columns become text where something is hidden (``<5`` or
    ``suppressed``); a ``disclosure`` column says what was done to each row.
    """
    out = frame.copy().astype({c: object for c in ("value", "numerator", "denominator", "ci_low", "ci_high") if c in frame})
    action = np.array([""] * len(out), dtype=object)
    for i, (index, row) in enumerate(frame.iterrows()):
        if row.get("unit") == "pct" and not pd.isna(row.get("denominator")) and row["denominator"] < MIN_DENOMINATOR:
            for column in ("value", "numerator", "denominator", "ci_low", "ci_high"):
                out.at[index, column] = SUPPRESSED
            action[i] = f"rate suppressed: denominator under {MIN_DENOMINATOR}"
            continue
        for column in ("numerator", "denominator") + (("value",) if row.get("unit") == "count" else ()):
            if column in row and is_small_count(row[column]):
                out.at[index, column] = SMALL
                action[i] = "small count shown as <5"
        if row.get("unit") == "pct" and is_small_count(row.get("numerator")):
            for column in ("value", "ci_low", "ci_high"):
                if column in out.columns:
                    out.at[index, column] = SUPPRESSED
            action[i] = "rate suppressed: numerator under 5"
    out["disclosure"] = action
    return out


def plottable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows safe to draw, or to name in a sentence or a title: every row the one rule
    (:func:`~analysis_helpers.core.small_numbers.figure_hidden`) hides is left out."""
    keep = [not figure_hidden(row.get("unit"), row.get("value"), row.get("numerator"), row.get("denominator"))
            for _, row in frame.iterrows()]
    return frame[keep]
