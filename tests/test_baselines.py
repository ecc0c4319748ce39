"""Seed baselines, funnel limits and the DSG comparison, on the fixture release (tests/fixtures/)."""

import pytest

from analysis_helpers.analysis.baselines import seed_baselines
from analysis_helpers.core.intervals import funnel_limits, funnel_position
from analysis_helpers.data.local_feed import area_feed
from analysis_helpers.domain.areas import areas_for


def test_kent_seed_baselines_with_their_basis(release):
    rows = seed_baselines(areas_for(release).get("Kent"), release=release).set_index("figure")
    council = rows.loc["Council figure, one month (2023-06)"]
    assert council["value"] == 13.2 and "management information" in council["basis"]
    assert council["source"].startswith("kent.csv row 5:")
    # timeliness_20_week.csv 2023: Kent all plans 324 of 1804; England excluding exceptions 38471 of 76506.
    dfe = rows.loc["DfE calendar year, all plans issued (2023)"]
    assert (dfe["numerator"], dfe["denominator"], round(dfe["value"], 1)) == (324, 1804, 18.0)
    england = rows[rows["area_name"] == "England"].iloc[0]
    assert (england["numerator"], england["denominator"], round(england["value"], 1)) == (38471, 76506, 50.3)


def test_other_las_have_no_council_row(release):
    rows = seed_baselines(areas_for(release).get("Essex"), release=release)
    assert not rows["figure"].str.startswith("Council").any() and len(rows) == 3
    assert area_feed("essex").empty


def test_funnel_limits_exact_binomial():
    low, high = funnel_limits(50, [1000, 100])
    assert low.tolist() == [46.9, 40.0] and high.tolist() == [53.1, 60.0]
    assert funnel_position(18.04, 1796, 50.3) == "below the 99.8% limit"
    assert funnel_position(50.0, 100, 50.3) == "within the 95% limits"
    assert funnel_position(39.0, 100, 50.0).startswith("below the 95% limit")


@pytest.mark.parametrize("n", [50, 400, 2000])
def test_funnel_limits_cover_about_95_percent(n):
    from scipy.stats import binom

    low, high = funnel_limits(30, [n])
    covered = binom.cdf(high[0] * n / 100, n, 0.3) - binom.cdf(low[0] * n / 100 - 1, n, 0.3)
    assert covered >= 0.95


def test_dsg_comparison_by_hand(release):
    from analysis_helpers.analysis.budget import dsg_comparison

    areas = areas_for(release)
    frame = dsg_comparison(areas.get("Kent")).set_index("financial_year")
    # dsg_deficit_derived.xlsx: Kent 2021-22 6.83, England 2.26 (deficit as % of income)
    assert frame.loc["2021-22", "Kent"] == 6.83 and frame.loc["2021-22", "England"] == 2.26
    assert frame.loc["2019-20", "Kent"] == 1.76


def test_deficit_series_and_required_path():
    import datetime as dt

    from analysis_helpers.analysis.budget import deficit_series, required_path_to_zero
    from analysis_helpers.data.local_feed import area_feed

    series = deficit_series(area_feed("kent"))
    assert set(series["kind"]) == {"outturn", "forecast"}
    assert series.loc[series["period"] == "2022/23", "kind"].tolist() == ["forecast"]
    path = required_path_to_zero(series, dt.date(2028, 3, 31))
    assert path["required"].tolist()[-1] == 0.0 and path["required"].tolist()[0] == series[series["kind"] == "outturn"]["value"].iloc[-1]
