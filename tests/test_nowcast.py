"""The nowcast of a DfE calendar year from a council's months (analysis.nowcast), by hand."""

import pandas as pd
import pytest

from analysis_helpers.analysis.nowcast import months_of_year, nowcast, nowcast_evidence, year_to_date
from analysis_helpers.core.errors import SendReviewError

MEASURE = "ehcp_issued_within_20_weeks_pct"
FORECAST = {"value_projected": 40.0, "pi80_low": 25.0, "pi80_high": 60.0, "pi95_low": 15.0, "pi95_high": 75.0}


def feed(*rows):
    return pd.DataFrame([{"measure": MEASURE, "period_kind": "month", "preferred": True, "numerator": None, "denominator": None,
                          "basis_kind": "monthly", **r} for r in rows])


def month(period, value, **extra):
    end = pd.Period(period, "M").end_time.normalize()
    return {"period": period, "period_end": end, "value": value, **extra}


def test_months_of_the_year_only_preferred_monthly_figures_of_the_measure():
    f = feed(month("2023-08", 2.3), month("2023-06", 13.2, basis_kind="unknown"), month("2022-05", 45.0),
             month("2023-07", 9.0, preferred=False), month("2023-09", 5.0, measure="other"), month("2023-10", 7.0, period_kind="quarter"))
    assert months_of_year(f, MEASURE, 2023)["period"].tolist() == ["2023-06", "2023-08"]
    assert months_of_year(f, MEASURE, 2023, bases=("monthly",))["period"].tolist() == ["2023-08"]


def test_year_to_date_pools_counts_when_every_month_has_them_else_averages():
    counted = feed(month("2024-01", 50.0, numerator=10, denominator=20), month("2024-02", 10.0, numerator=1, denominator=10))
    assert year_to_date(counted) == pytest.approx(100 * 11 / 30)
    assert year_to_date(feed(month("2024-01", 50.0, numerator=10, denominator=20), month("2024-02", 10.0))) == pytest.approx(30.0)
    with pytest.raises(SendReviewError, match="no monthly figures"):
        year_to_date(feed().reindex(columns=["value", "numerator", "denominator"]))


def test_nowcast_by_hand():
    months = feed(month("2024-01", 20.0), month("2024-02", 10.0), month("2024-03", 30.0))  # a quarter of the year, mean 20
    out = nowcast(FORECAST, months, basis_margin=2.0)
    assert out["share_of_year"] == 0.25 and out["year_to_date"] == 20.0
    assert out["value_nowcast"] == pytest.approx(0.25 * 20 + 0.75 * 40)  # 35
    assert out["pi80_low"] == pytest.approx(35 + 0.75 * (25 - 40) - 2.0) and out["pi80_high"] == pytest.approx(35 + 0.75 * 20 + 2.0)
    assert out["pi95_high"] == pytest.approx(35 + 0.75 * 35 + 2.0 * 1.959963984540054 / 1.2815515655446004)
    # no months: nothing to nowcast from; a whole year of months: the months alone, the margin the only width
    with pytest.raises(SendReviewError):
        nowcast(FORECAST, feed(), basis_margin=0.0)
    year = nowcast(FORECAST, feed(*(month(f"2024-{m:02d}", 30.0) for m in range(1, 13))), basis_margin=1.0)
    assert year["value_nowcast"] == pytest.approx(30.0) and (year["pi80_low"], year["pi80_high"]) == pytest.approx((29.0, 31.0))


def test_kent_evidence_is_two_years_of_one_or_two_months(release):
    # data/local/kent.csv against the fixture release: the only years with both council months and a DfE figure
    table = nowcast_evidence("E10000016", "kent", "panel_ar1_sized_logit", release=release)
    assert table["year"].tolist() == [2022, 2023]
    assert table["months"].tolist() == ["2022-05 (45%, unknown)", "2023-06 (13.2%, unknown), 2023-08 (2.3%, monthly)"]
    assert table["dfe"].tolist() == pytest.approx([100 * 907 / 2216, 100 * 324 / 1804])  # DfE, exceptions included
    w = pd.Series([1 / 12, 2 / 12])
    assert table["nowcast"].tolist() == pytest.approx((w * table["year_to_date"] + (1 - w) * table["forecast"]).tolist())
