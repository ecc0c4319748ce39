"""How numbers and dates are written for people: one place for every report, table and chart.

* percentages (0-100) to one decimal place with a % sign: ``33.3%``;
* counts as whole numbers with thousands separators, never ``19,407.0``;
* money in GBP millions: ``£142m`` (one decimal place below £10m: ``£2.5m``);
* percentage-point changes and gaps: ``+4.2 points``;
* intervals: ``29.9–34.7%``;
* dates: ``30 September 2025`` (long), ``Sep 2025`` (month);
* a missing value is ``not available`` (or the ``missing`` text a table asks for).

Units are the workbook's four: ``pct``, ``count``, ``gbp_m`` and ``weeks``.
"""

from __future__ import annotations

import datetime as dt
import math
from numbers import Number

import pandas as pd

UNITS = ("pct", "count", "gbp_m", "weeks")
NOT_AVAILABLE = "not available"


def is_missing(value) -> bool:
    """True for None, NaN and pandas' missing markers."""
    if value is None:
        return True
    if isinstance(value, Number):
        return math.isnan(value) if isinstance(value, float) else False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_count(value, missing: str = "") -> str:
    """``19407.0`` -> ``"19,407"``; missing -> ``missing``."""
    return missing if is_missing(value) else f"{float(value):,.0f}"


def fmt_pct(value, missing: str = NOT_AVAILABLE, decimals: int = 1) -> str:
    """``33.26`` -> ``"33.3%"`` (0-100 scale)."""
    return missing if is_missing(value) else f"{float(value):.{decimals}f}%"


def fmt_gbp_m(value, missing: str = NOT_AVAILABLE, decimals: int | None = None) -> str:
    """``142`` -> ``"£142m"``; ``2.46`` -> ``"£2.5m"``; ``-3`` -> ``"-£3m"``.

    Without ``decimals``: whole millions, or one decimal place below £10m when
    the value is not whole.
    """
    if is_missing(value):
        return missing
    value = float(value)
    sign = "-" if value < 0 else ""
    size = abs(value)
    if decimals is None:
        decimals = 1 if size < 10 and size != round(size) else 0
    return f"{sign}£{size:,.{decimals}f}m"


def fmt_value(value, unit: str, missing: str = NOT_AVAILABLE) -> str:
    """A value in its unit: ``pct`` -> ``33.3%``, ``count`` -> ``20,635``, ``gbp_m`` -> ``£142m``, ``weeks`` -> ``124 weeks``."""
    if unit == "pct":
        return fmt_pct(value, missing)
    if unit == "gbp_m":
        return fmt_gbp_m(value, missing)
    if unit == "weeks":
        return missing if is_missing(value) else f"{float(value):,.0f} week" + ("" if float(value) == 1 else "s")
    return fmt_count(value, missing)


def fmt_change(value, unit: str, missing: str = NOT_AVAILABLE, points: str = "points") -> str:
    """A signed change: ``+4.2 points`` for percentages (``points`` names them), ``+1,204`` for counts, ``+£3m`` for money."""
    if is_missing(value):
        return missing
    value = float(value)
    if unit == "pct":
        return f"{value:+.1f} {points}"
    if unit == "gbp_m":
        return ("+" if value >= 0 else "") + fmt_gbp_m(value)
    return f"{value:+,.0f}"


def fmt_points(value, missing: str = NOT_AVAILABLE) -> str:
    """An unsigned size in percentage points: ``17.8`` -> ``"17.8 points"`` (errors, widths)."""
    return missing if is_missing(value) else f"{float(value):.1f} points"


def fmt_size(value, unit: str) -> str:
    """An unsigned amount of a change or gap: ``4.2 percentage points``, ``1,204``, ``£3m``."""
    value = abs(float(value))
    return f"{value:.1f} percentage points" if unit == "pct" else fmt_value(value, unit)


def fmt_interval(low, high, missing: str = "") -> str:
    """``(29.94, 34.71)`` -> ``"29.9–34.7%"`` (a 0-100 interval)."""
    return missing if is_missing(low) or is_missing(high) else f"{float(low):.1f}–{float(high):.1f}%"


def fmt_fraction(numerator, denominator, missing: str = "not published") -> str:
    """``(324, 1804)`` -> ``"324 of 1,804"``."""
    if is_missing(numerator) or is_missing(denominator):
        return missing
    return f"{fmt_count(numerator)} of {fmt_count(denominator)}"


def fmt_probability(p, missing: str = "") -> str:
    """``0.234`` -> ``"23%"``."""
    return missing if is_missing(p) else f"{float(p):.0%}"


def fmt_p(p) -> str:
    """A p-value: ``p < 0.001`` or ``p = 0.025``."""
    if is_missing(p):
        return "p not available"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def fmt_date(day: dt.date | pd.Timestamp | None, missing: str = NOT_AVAILABLE) -> str:
    """``2025-09-30`` -> ``"30 September 2025"``."""
    return missing if day is None or is_missing(day) else f"{day:%d %B %Y}".lstrip("0")


def fmt_month(day: dt.date | pd.Timestamp | None, missing: str = NOT_AVAILABLE) -> str:
    """``2024-09-30`` -> ``"Sep 2024"``."""
    return missing if day is None or is_missing(day) else f"{day:%b %Y}"


def ordinal(n: int) -> str:
    """``1`` -> ``"1st"``, ``12`` -> ``"12th"``, ``23`` -> ``"23rd"``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
