"""How numbers and dates are written: each case worked out by hand."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analysis_helpers.core import formatting as f


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (33.26, "pct", "33.3%"),
        (100.0, "pct", "100.0%"),
        (19407.0, "count", "19,407"),  # never "19,407.0"
        (np.float64(1804), "count", "1,804"),
        (0, "count", "0"),
        (142, "gbp_m", "£142m"),
        (2.46, "gbp_m", "£2.5m"),
        (-3.0, "gbp_m", "-£3m"),
        (float("nan"), "pct", "not available"),
        (None, "count", "not available"),
        (pd.NA, "gbp_m", "not available"),
    ],
)
def test_values_in_their_unit(value, unit, expected):
    assert f.fmt_value(value, unit) == expected


def test_missing_text_is_the_callers():
    assert f.fmt_count(float("nan")) == ""
    assert f.fmt_value(None, "pct", missing="–") == "–"
    assert f.fmt_interval(None, 3.0) == ""


def test_changes_sizes_and_points():
    assert f.fmt_change(4.25, "pct") == "+4.2 points"  # 4.25 rounds half to even in Python's format
    assert f.fmt_change(-15.2, "pct", points="percentage points") == "-15.2 percentage points"
    assert f.fmt_change(1228, "count") == "+1,228"
    assert f.fmt_change(-3, "gbp_m") == "-£3m" and f.fmt_change(3, "gbp_m") == "+£3m"
    assert f.fmt_size(-2.04, "pct") == "2.0 percentage points"
    assert f.fmt_size(-1204.4, "count") == "1,204"
    assert f.fmt_points(17.8) == "17.8 points"


def test_intervals_fractions_probabilities():
    assert f.fmt_interval(29.94, 34.71) == "29.9–34.7%"
    assert f.fmt_fraction(324, 1804.0) == "324 of 1,804"
    assert f.fmt_fraction(None, 10) == "not published"
    assert f.fmt_probability(0.234) == "23%"
    assert f.fmt_probability(float("nan")) == ""
    assert f.fmt_pct(12.3456, decimals=2) == "12.35%"
    assert f.fmt_p(0.0004) == "p < 0.001" and f.fmt_p(0.025) == "p = 0.025"


def test_dates_and_ordinals():
    assert f.fmt_date(dt.date(2025, 9, 30)) == "30 September 2025"
    assert f.fmt_date(dt.date(2025, 7, 1)) == "1 July 2025"
    assert f.fmt_month(pd.Timestamp("2024-09-30")) == "Sep 2024"
    assert f.fmt_date(None) == "not available"
    assert [f.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th", "112th"
    ]
