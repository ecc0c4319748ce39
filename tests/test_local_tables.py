"""Tables of council figures: what is shown by a data date, with disclosure applied."""

import datetime as dt

import pandas as pd

from analysis_helpers.core.vintage import ended_by, public_by
from analysis_helpers.domain.areas import Area
from analysis_helpers.reporting import local_tables

KENT = Area(code="E10000016", name="Kent", level="Local authority")


def feed() -> pd.DataFrame:
    """Three validated feed rows, as data.local_feed returns them."""
    return pd.DataFrame({
        "measure": ["send_vacancies", "send_vacancies", "high_needs_deficit_gbp_m"],
        "period": ["2023-09", "2023-10", "2022/23"],
        "period_end": [dt.date(2023, 9, 30), dt.date(2023, 10, 31), dt.date(2023, 3, 31)],
        "period_kind": ["month", "month", "financial year"],
        "value": [50.0, 3.0, 142.0], "unit": ["count", "count", "gbp_m"], "numerator": [None] * 3, "denominator": [None] * 3,
        "qualifier": ["about", "", ""], "basis": ["snapshot", "snapshot", "forecast (budget monitoring)"],
        "source_title": ["KCC minutes"] * 3, "file": ["kent.csv"] * 3, "row": [2, 3, 4],
        "conflict": [False] * 3, "preferred": [True] * 3,
    })


def test_monthly_rows_stop_at_the_data_date():
    assert local_tables.monthly_rows(feed(), KENT, as_of=dt.date(2023, 10, 30))["period"].tolist() == ["2023-09"]
    assert local_tables.monthly_rows(feed(), KENT, as_of=dt.date(2023, 10, 31))["period"].tolist() == ["2023-09", "2023-10"]
    assert local_tables.monthly_rows(feed(), KENT, as_of=dt.date(2023, 9, 1)).empty


def test_display_hides_small_counts_and_keeps_qualifiers_and_units():
    rows = local_tables.measure_rows(feed(), ["send_vacancies", "high_needs_deficit_gbp_m"])
    shown = local_tables.display(rows)
    assert shown["Value"].tolist() == ["£142m", "about 50", "<5"]
    assert shown["Source"].tolist()[0] == "kent.csv row 4: KCC minutes"
    assert rows.set_index("period").loc["2022/23", "kind"] == "forecast"


def test_vintage_rules():
    assert public_by(dt.date(2025, 7, 1), dt.date(2025, 7, 1)) and not public_by(dt.date(2025, 7, 2), dt.date(2025, 7, 1))
    assert public_by(None, dt.date(2020, 1, 1)) and public_by(dt.date(2030, 1, 1), None)
    ends = pd.Series([dt.date(2023, 9, 30), dt.date(2023, 10, 31)])
    assert ended_by(ends, dt.date(2023, 10, 1)).tolist() == [True, False]
    assert ended_by(ends, None).tolist() == [True, True]
    assert ended_by(dt.date(2023, 9, 30), dt.date(2023, 9, 30)) is True
